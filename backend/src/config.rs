//! Configuration, read from the environment only (12-factor).
//!
//! Every variable is documented in `.env.example`. [`Settings::from_lookup`]
//! takes a lookup function so the parsing can be tested without touching the
//! process environment.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// The placeholder secret shipped in `.env.example`; refused in production.
pub const EXAMPLE_JWT_SECRET: &str = "change-me-to-a-random-string-of-at-least-32-characters";
/// Shortest `JWT_SECRET` accepted in production (bytes).
pub const MIN_JWT_SECRET_LEN: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where the JWT secret came from: a development server without one makes a
/// random secret per process (tokens do not survive a restart).
#[derive(Clone)]
pub struct JwtSecret {
    value: String,
    generated: bool,
}

impl JwtSecret {
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            generated: false,
        }
    }

    fn generate() -> Self {
        let value = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        Self {
            value,
            generated: true,
        }
    }

    pub fn expose(&self) -> &str {
        &self.value
    }

    pub fn is_generated(&self) -> bool {
        self.generated
    }

    /// Why this secret is unfit for production, if it is.
    pub fn weakness(&self) -> Option<String> {
        let v = self.value.as_str();
        if self.generated {
            return Some("JWT_SECRET is not set".into());
        }
        if v.len() < MIN_JWT_SECRET_LEN {
            return Some(format!(
                "JWT_SECRET is too short: {} bytes, at least {MIN_JWT_SECRET_LEN} are needed",
                v.len()
            ));
        }
        if v == EXAMPLE_JWT_SECRET {
            return Some("JWT_SECRET is the example value from .env.example".into());
        }
        let mut distinct: Vec<char> = v.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 10 {
            return Some(
                "JWT_SECRET has too little variety (fewer than 10 distinct characters)".into(),
            );
        }
        None
    }
}

impl std::fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtSecret(**redacted**)")
    }
}

/// Requests per minute for one rate-limited action; `0` switches it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `POST /auth/register` and `/auth/login`, per client address.
    pub auth_per_minute: u32,
    /// `POST /tweets`, per user.
    pub posts_per_minute: u32,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub app_env: AppEnv,
    pub database_url: String,
    pub db_pool_size: u32,
    pub db_pool_timeout: Duration,
    /// Longest a statement may run (or wait for a lock) before PostgreSQL
    /// cancels it and the request gets a 503.
    pub db_statement_timeout: Duration,
    /// Streaming replicas the reads may go to (`DATABASE_REPLICA_URLS`,
    /// comma-separated; empty: every read on the primary).
    pub database_replica_urls: Vec<String>,
    /// A replica further behind than this is taken out until it catches up.
    pub replica_max_lag: Duration,
    /// How often each replica's health and lag are checked.
    pub replica_check_interval: Duration,
    pub jwt_secret: JwtSecret,
    pub access_token_ttl: Duration,
    /// Lifetime of a session's refresh token, renewed by every refresh.
    pub refresh_token_ttl: Duration,
    /// Argon2 hashes run at once (each holds 19 MiB); the rest queue.
    pub password_hash_concurrency: usize,
    /// How long a sign-in waits for a hashing slot before a 503.
    pub password_hash_queue_timeout: Duration,
    pub bind_addr: SocketAddr,
    /// Where `/metrics` is served (`METRICS_ADDR`, `off` for nowhere): never
    /// on the API's listener.
    pub metrics_addr: Option<SocketAddr>,
    /// A request body must arrive whole within this time…
    pub body_read_timeout: Duration,
    /// …and never pause longer than this between two pieces (else 408).
    pub body_idle_timeout: Duration,
    /// Connections one HTTP worker holds at most; more wait to be accepted.
    pub max_connections_per_worker: usize,
    /// Authors with more followers than this are read at read time instead
    /// of being copied into every follower's home timeline (`FANOUT_MAX_FOLLOWERS`).
    pub fanout_max_followers: i64,
    /// Whether this process runs the fan-out worker (`FANOUT_WORKER`).
    pub fanout_worker: bool,
    /// Whether this process listens for live events (PostgreSQL `LISTEN`)
    /// for its streaming endpoints; off, the streams send only what they
    /// find when they open.
    pub live_events: bool,
    /// Whether `tweets serve` applies pending migrations at start; off, it
    /// refuses to start while any are pending (a separate `tweets migrate`
    /// step, such as the Kubernetes migration Job, applies them first).
    pub migrate_on_start: bool,
    pub static_dir: Option<PathBuf>,
    pub media_root: PathBuf,
    pub media_url: String,
    /// Where images are stored: files under `media_root`, or S3.
    pub media_store: MediaStoreKind,
    pub cors_allowed_origins: Vec<String>,
    pub log_format: LogFormat,
    pub rate_limits: RateLimits,
    /// Use `Forwarded`/`X-Forwarded-For` for the client address (only behind a proxy you run).
    pub trust_forwarded_for: bool,
    pub shutdown_timeout: Duration,
    /// HTTP worker threads; `None` means one per CPU core.
    pub http_workers: Option<usize>,
    /// Redis for rate-limit state shared by every replica; `None`: per process.
    pub redis_url: Option<String>,
    /// An account `tweets serve` creates at start when it does not exist
    /// (`DEMO_USERNAME` and `DEMO_PASSWORD`; development only, refused with
    /// `APP_ENV=production`).
    pub demo_account: Option<DemoAccount>,
    /// The `sslmode` connections to PostgreSQL use: the URL's, else
    /// `PGSSLMODE` (libpq reads it too), else libpq's default `prefer`.
    pub database_sslmode: String,
    /// `PGSSLMODE`, which libpq applies to every URL without an `sslmode`.
    pub pgsslmode: Option<String>,
}

/// Every problem found while reading the configuration, not just the first.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

impl Settings {
    /// Reads the process environment (after loading `.env` when present).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// [`Settings::from_lookup`], also returning every variable it read,
    /// once each, in the order first read, with the value found (`None`:
    /// unset, so the default applies): what `tweets config` prints.
    pub fn traced(lookup: impl Fn(&str) -> Option<String>) -> (Reads, Result<Self, ConfigError>) {
        let read = std::cell::RefCell::new(Vec::<(String, Option<String>)>::new());
        let result = Self::from_lookup(|key| {
            let value = lookup(key);
            let mut read = read.borrow_mut();
            if !read.iter().any(|(name, _)| name == key) {
                read.push((key.to_string(), value.clone()));
            }
            value
        });
        (read.into_inner(), result)
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let file_problems = std::cell::RefCell::new(Vec::new());
        let get = |key: &str| secret_or_file(&lookup, key, &mut file_problems.borrow_mut());
        let settings = Self::parse(&get);
        let file_problems = file_problems.into_inner();
        match settings {
            Ok(settings) if file_problems.is_empty() => Ok(settings),
            Ok(_) => Err(ConfigError(file_problems)),
            Err(ConfigError(mut problems)) => {
                problems.extend(file_problems);
                Err(ConfigError(problems))
            }
        }
    }

    fn parse(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();

        let app_env = match get("APP_ENV").as_deref() {
            None | Some("development") | Some("dev") => AppEnv::Development,
            Some("production") | Some("prod") => AppEnv::Production,
            Some(other) => {
                problems.push(format!(
                    "APP_ENV must be `development` or `production`, not `{other}`"
                ));
                AppEnv::Development
            }
        };

        let database_url = match get("DATABASE_URL") {
            Some(url) => url,
            None => match get("POSTGRES_HOST") {
                Some(host) => {
                    let user = get("POSTGRES_USER").unwrap_or_else(|| "postgres".into());
                    let port = get("POSTGRES_PORT").unwrap_or_else(|| "5432".into());
                    let db = get("POSTGRES_DB").unwrap_or_else(|| "tweets".into());
                    let mut url = url::Url::parse("postgres://localhost").map_err(|e| {
                        ConfigError(vec![format!("cannot build the database URL: {e}")])
                    })?;
                    let parts_ok = url.set_host(Some(&host)).is_ok()
                        && url.set_username(&user).is_ok()
                        && url
                            .set_password(get("POSTGRES_PASSWORD").as_deref())
                            .is_ok()
                        && port.parse::<u16>().map(|p| url.set_port(Some(p)).is_ok()) == Ok(true);
                    if !parts_ok {
                        problems.push(
                            "POSTGRES_HOST/PORT/USER/PASSWORD do not form a valid URL".into(),
                        );
                    }
                    url.set_path(&db);
                    url.to_string()
                }
                None => {
                    problems.push("DATABASE_URL (or POSTGRES_HOST and friends) must be set".into());
                    String::new()
                }
            },
        };

        let db_pool_size = parse_num(&get, "DB_POOL_SIZE", 10u32, &mut problems);
        if db_pool_size == 0 {
            problems.push("DB_POOL_SIZE must be at least 1".into());
        }
        let db_pool_timeout = parse_duration(
            &get,
            "DB_POOL_TIMEOUT",
            Duration::from_secs(5),
            &mut problems,
        );
        let db_statement_timeout = parse_duration(
            &get,
            "DB_STATEMENT_TIMEOUT",
            Duration::from_secs(5),
            &mut problems,
        );
        if db_statement_timeout.is_zero() {
            problems.push("DB_STATEMENT_TIMEOUT must be at least 1 second".into());
        }
        let database_replica_urls: Vec<String> = get("DATABASE_REPLICA_URLS")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        for (i, replica) in database_replica_urls.iter().enumerate() {
            if !matches!(url::Url::parse(replica), Ok(u) if matches!(u.scheme(), "postgres" | "postgresql"))
            {
                problems.push(format!(
                    "DATABASE_REPLICA_URLS: entry {} is not a postgres:// URL",
                    i + 1
                ));
            }
        }
        let replica_max_lag = parse_duration(
            &get,
            "REPLICA_MAX_LAG",
            Duration::from_secs(2),
            &mut problems,
        );
        let replica_check_interval = parse_duration(
            &get,
            "REPLICA_CHECK_INTERVAL",
            Duration::from_secs(1),
            &mut problems,
        );
        if replica_check_interval < Duration::from_millis(10) {
            problems.push("REPLICA_CHECK_INTERVAL must be at least 10ms".into());
        }
        let access_token_ttl = parse_duration(
            &get,
            "ACCESS_TOKEN_TTL",
            Duration::from_secs(15 * 60),
            &mut problems,
        );
        if access_token_ttl < Duration::from_secs(60) {
            problems.push("ACCESS_TOKEN_TTL must be at least 60 seconds".into());
        }
        let refresh_token_ttl = parse_duration(
            &get,
            "REFRESH_TOKEN_TTL",
            Duration::from_secs(30 * 24 * 3600),
            &mut problems,
        );
        if refresh_token_ttl < access_token_ttl {
            problems.push("REFRESH_TOKEN_TTL must not be shorter than ACCESS_TOKEN_TTL".into());
        }
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let password_hash_concurrency =
            parse_num(&get, "PASSWORD_HASH_CONCURRENCY", cores, &mut problems);
        if password_hash_concurrency == 0 {
            problems.push("PASSWORD_HASH_CONCURRENCY must be at least 1".into());
        }
        let password_hash_queue_timeout = parse_duration(
            &get,
            "PASSWORD_HASH_QUEUE_TIMEOUT",
            Duration::from_secs(5),
            &mut problems,
        );
        let shutdown_timeout = parse_duration(
            &get,
            "SHUTDOWN_TIMEOUT",
            Duration::from_secs(30),
            &mut problems,
        );

        let jwt_secret = match get("JWT_SECRET") {
            Some(s) => JwtSecret::new(s),
            None => JwtSecret::generate(),
        };
        if app_env == AppEnv::Production {
            if let Some(weak) = jwt_secret.weakness() {
                problems.push(format!("{weak} (refused with APP_ENV=production)"));
            }
        }

        let bind_addr = match get("BIND_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
        {
            Ok(addr) => addr,
            Err(_) => {
                problems.push("BIND_ADDR must be an address such as 0.0.0.0:8080".into());
                SocketAddr::from(([127, 0, 0, 1], 8080))
            }
        };

        let metrics_addr = match get("METRICS_ADDR").as_deref().map(str::trim) {
            Some("off" | "none" | "false") => None,
            other => match other.unwrap_or("127.0.0.1:9100").parse() {
                Ok(addr) => Some(addr),
                Err(_) => {
                    problems.push(
                        "METRICS_ADDR must be an address such as 127.0.0.1:9100, or `off`".into(),
                    );
                    None
                }
            },
        };
        let body_read_timeout = parse_duration(
            &get,
            "BODY_READ_TIMEOUT",
            Duration::from_secs(60),
            &mut problems,
        );
        let body_idle_timeout = parse_duration(
            &get,
            "BODY_IDLE_TIMEOUT",
            Duration::from_secs(10),
            &mut problems,
        );
        if body_idle_timeout.is_zero() || body_read_timeout.is_zero() {
            problems
                .push("BODY_READ_TIMEOUT and BODY_IDLE_TIMEOUT must be at least 1 second".into());
        }
        let max_connections_per_worker =
            parse_num(&get, "MAX_CONNECTIONS_PER_WORKER", 1024usize, &mut problems);
        let fanout_max_followers =
            parse_num(&get, "FANOUT_MAX_FOLLOWERS", 10_000i64, &mut problems);
        let fanout_worker = parse_bool(&get, "FANOUT_WORKER", true, &mut problems);
        let live_events = parse_bool(&get, "LIVE_EVENTS", true, &mut problems);
        let migrate_on_start = parse_bool(&get, "MIGRATE_ON_START", true, &mut problems);
        if fanout_max_followers < 0 {
            problems.push("FANOUT_MAX_FOLLOWERS must not be negative".into());
        }
        if max_connections_per_worker == 0 {
            problems.push("MAX_CONNECTIONS_PER_WORKER must be at least 1".into());
        }

        let media_url = get("MEDIA_URL").unwrap_or_else(|| "/media/".into());
        let media_url = if media_url.ends_with('/') {
            media_url
        } else {
            format!("{media_url}/")
        };

        let cors_allowed_origins: Vec<String> = get("CORS_ALLOWED_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if app_env == AppEnv::Production && cors_allowed_origins.iter().any(|o| o == "*") {
            problems.push(
                "CORS_ALLOWED_ORIGINS must not be `*` (refused with APP_ENV=production)".into(),
            );
        }

        let log_format = match get("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                problems.push(format!(
                    "LOG_FORMAT must be `text` or `json`, not `{other}`"
                ));
                LogFormat::Text
            }
        };

        let rate_limits = RateLimits {
            auth_per_minute: parse_num(&get, "RATE_LIMIT_AUTH_PER_MINUTE", 30u32, &mut problems),
            posts_per_minute: parse_num(&get, "RATE_LIMIT_POSTS_PER_MINUTE", 60u32, &mut problems),
        };
        let http_workers = match get("HTTP_WORKERS") {
            None => None,
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    problems.push(format!(
                        "HTTP_WORKERS must be a whole number of at least 1, not `{v}`"
                    ));
                    None
                }
            },
        };
        if let Some(url) = get("REDIS_URL") {
            if redis::Client::open(url.as_str()).is_err() {
                problems.push("REDIS_URL must be a redis:// or rediss:// URL".into());
            }
        }
        let trust_forwarded_for = parse_bool(&get, "TRUST_FORWARDED_FOR", false, &mut problems);

        let media_store = match get("MEDIA_STORE").as_deref() {
            None | Some("local") => MediaStoreKind::Local,
            Some("s3") => {
                let required = |name: &str, problems: &mut Vec<String>| {
                    get(name)
                        .filter(|v| !v.trim().is_empty())
                        .unwrap_or_else(|| {
                            problems.push(format!("{name} is required with MEDIA_STORE=s3"));
                            String::new()
                        })
                };
                let bucket = required("S3_BUCKET", &mut problems);
                let region = required("S3_REGION", &mut problems);
                let endpoint = get("S3_ENDPOINT").filter(|v| !v.trim().is_empty());
                if let Some(e) = &endpoint {
                    if !(e.starts_with("https://") || e.starts_with("http://"))
                        || url::Url::parse(e).is_err()
                    {
                        problems.push("S3_ENDPOINT must be an http(s):// URL".into());
                    }
                }
                let access_key_id = get("S3_ACCESS_KEY_ID").filter(|v| !v.is_empty());
                // `get` reads S3_SECRET_ACCESS_KEY_FILE for it (FILE_VARIABLES).
                let secret_access_key = get("S3_SECRET_ACCESS_KEY").filter(|v| !v.is_empty());
                if access_key_id.is_some() != secret_access_key.is_some() {
                    problems.push(
                        "set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (the AWS default credentials)"
                            .into(),
                    );
                }
                MediaStoreKind::S3(S3Settings {
                    bucket,
                    region,
                    endpoint,
                    access_key_id,
                    secret_access_key: secret_access_key.map(Secret),
                })
            }
            Some(other) => {
                problems.push(format!(
                    "MEDIA_STORE must be `local` or `s3`, not `{other}`"
                ));
                MediaStoreKind::Local
            }
        };

        let demo_account = match (get("DEMO_USERNAME"), get("DEMO_PASSWORD")) {
            (None, None) => None,
            (Some(username), Some(password)) => {
                if app_env == AppEnv::Production {
                    problems.push(
                        "DEMO_USERNAME is for development: no demo account with APP_ENV=production"
                            .into(),
                    );
                }
                if crate::domain::Username::parse(&username).is_err() {
                    problems.push("DEMO_USERNAME must be 3–30 letters, digits or `_`".into());
                }
                if crate::domain::Password::parse(&password).is_err() {
                    problems
                        .push("DEMO_PASSWORD must be a valid password (8–128 characters)".into());
                }
                Some(DemoAccount { username, password })
            }
            _ => {
                problems.push("set both DEMO_USERNAME and DEMO_PASSWORD, or neither".into());
                None
            }
        };

        let pgsslmode = get("PGSSLMODE");
        let database_sslmode = sslmode_of(&database_url)
            .or_else(|| pgsslmode.clone())
            .unwrap_or_else(|| "prefer".into());

        if !problems.is_empty() {
            return Err(ConfigError(problems));
        }
        Ok(Settings {
            database_sslmode,
            pgsslmode,
            app_env,
            database_url,
            db_pool_size,
            db_pool_timeout,
            db_statement_timeout,
            database_replica_urls,
            replica_max_lag,
            replica_check_interval,
            jwt_secret,
            access_token_ttl,
            refresh_token_ttl,
            password_hash_concurrency,
            password_hash_queue_timeout,
            bind_addr,
            metrics_addr,
            body_read_timeout,
            body_idle_timeout,
            max_connections_per_worker,
            fanout_max_followers,
            fanout_worker,
            live_events,
            migrate_on_start,
            static_dir: get("STATIC_DIR").map(PathBuf::from),
            media_root: get("MEDIA_ROOT")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("media")),
            media_url,
            media_store,
            cors_allowed_origins,
            log_format,
            rate_limits,
            trust_forwarded_for,
            shutdown_timeout,
            http_workers,
            redis_url: get("REDIS_URL"),
            demo_account,
        })
    }

    /// What `tweets check --deploy` reports: everything that makes this
    /// configuration unfit for production. Empty means ready.
    pub fn deploy_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.app_env != AppEnv::Production {
            problems.push("APP_ENV is not `production`".into());
        }
        if let Some(weak) = self.jwt_secret.weakness() {
            problems.push(weak);
        }
        if self.cors_allowed_origins.iter().any(|o| o == "*") {
            problems.push("CORS_ALLOWED_ORIGINS contains the wildcard `*`".into());
        }
        if self.rate_limits.auth_per_minute == 0 {
            problems.push(
                "RATE_LIMIT_AUTH_PER_MINUTE is 0: login and registration are not rate limited"
                    .into(),
            );
        }
        if !matches!(
            self.database_sslmode.as_str(),
            "require" | "verify-ca" | "verify-full"
        ) {
            problems.push(format!(
                "connections to PostgreSQL do not require TLS (sslmode={}): add sslmode=verify-full \
                 (with sslrootcert=…) to DATABASE_URL, or set PGSSLMODE",
                self.database_sslmode
            ));
        }
        for (i, replica) in self.database_replica_urls.iter().enumerate() {
            let mode = sslmode_of(replica)
                .or_else(|| self.pgsslmode.clone())
                .unwrap_or_else(|| "prefer".into());
            if !matches!(mode.as_str(), "require" | "verify-ca" | "verify-full") {
                problems.push(format!(
                    "the connection to replica {} (DATABASE_REPLICA_URLS) does not require TLS \
                     (sslmode={mode}): add sslmode=verify-full to its URL, or set PGSSLMODE",
                    i + 1
                ));
            }
        }
        if self.access_token_ttl > Duration::from_secs(24 * 3600) {
            problems.push(
                "ACCESS_TOKEN_TTL is longer than a day: keep access tokens short (15m) and let clients refresh".into(),
            );
        }
        problems
    }
}

/// The `sslmode` query parameter of a PostgreSQL URL, if it has one.
fn sslmode_of(database_url: &str) -> Option<String> {
    let url = url::Url::parse(database_url).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == "sslmode")
        .map(|(_, v)| v.into_owned())
}

/// Variables that may instead be read from a file named by `NAME_FILE`
/// (Docker/Compose and Kubernetes secrets are files).
/// The variables a configuration read, in order, with the values found.
pub type Reads = Vec<(String, Option<String>)>;

/// A variable's value as it may be shown (`tweets config`, logs): secrets
/// hidden (names whose last word is SECRET, PASSWORD, TOKEN or KEY, such as
/// `JWT_SECRET`; not `ACCESS_TOKEN_TTL`, a duration, nor `JWT_SECRET_FILE`,
/// a path), and the password of a URL replaced by `***`.
pub fn shown(name: &str, value: &str) -> String {
    let last_word = name.rsplit('_').next().unwrap_or(name);
    if ["SECRET", "PASSWORD", "TOKEN", "KEY"].contains(&last_word) {
        return "(set, hidden)".into();
    }
    if last_word == "URLS" {
        return value
            .split(',')
            .map(|v| shown_url(v.trim()))
            .collect::<Vec<_>>()
            .join(",");
    }
    shown_url(value)
}

/// `value` with the password of a URL replaced by `***`.
fn shown_url(value: &str) -> String {
    match url::Url::parse(value) {
        Ok(mut url) if url.password().is_some() => {
            if url.set_password(Some("***")).is_err() {
                return "(set, hidden)".into();
            }
            url.to_string()
        }
        _ => value.to_string(),
    }
}

/// Where uploaded images live.
#[derive(Debug, Clone)]
pub enum MediaStoreKind {
    /// Files under `MEDIA_ROOT` (one host, or a volume shared by replicas).
    Local,
    /// An S3 bucket (`MEDIA_STORE=s3`).
    S3(S3Settings),
}

/// `MEDIA_STORE=s3`: the bucket, and how to reach it.
#[derive(Debug, Clone)]
pub struct S3Settings {
    pub bucket: String,
    pub region: String,
    /// An S3-compatible server (MinIO, moto); `None`: AWS itself.
    pub endpoint: Option<String>,
    /// Static keys; `None`: the AWS default credential chain.
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
}

/// A secret value: never shown by `Debug`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

/// The development demo account (`DEMO_USERNAME`, `DEMO_PASSWORD`).
#[derive(Clone)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for DemoAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoAccount")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

pub const FILE_VARIABLES: [&str; 6] = [
    "DATABASE_URL",
    "DATABASE_REPLICA_URLS",
    "JWT_SECRET",
    "POSTGRES_PASSWORD",
    "REDIS_URL",
    "S3_SECRET_ACCESS_KEY",
];

/// `NAME`, or the contents of the file `NAME_FILE` names (one trailing
/// newline dropped), for the [`FILE_VARIABLES`]; setting both is refused.
fn secret_or_file(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    problems: &mut Vec<String>,
) -> Option<String> {
    if !FILE_VARIABLES.contains(&key) {
        return get(key);
    }
    match (get(key), get(&format!("{key}_FILE"))) {
        (value, None) => value,
        (Some(_), Some(_)) => {
            problems.push(format!("set {key} or {key}_FILE, not both"));
            None
        }
        (None, Some(path)) => match std::fs::read_to_string(&path) {
            Ok(text) => {
                let value = text
                    .strip_suffix('\n')
                    .map(|v| v.strip_suffix('\r').unwrap_or(v))
                    .unwrap_or(&text);
                (!value.is_empty()).then(|| value.to_string()).or_else(|| {
                    problems.push(format!("{key}_FILE ({path}) is empty"));
                    None
                })
            }
            Err(e) => {
                problems.push(format!("{key}_FILE ({path}) cannot be read: {e}"));
                None
            }
        },
    }
}

fn parse_num<T: std::str::FromStr + Copy>(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: T,
    problems: &mut Vec<String>,
) -> T {
    match get(key) {
        None => default,
        Some(v) => v.trim().parse().unwrap_or_else(|_| {
            problems.push(format!("{key} must be a whole number, not `{v}`"));
            default
        }),
    }
}

fn parse_bool(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: bool,
    problems: &mut Vec<String>,
) -> bool {
    match get(key).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => default,
        Some("1" | "true" | "yes" | "on") => true,
        Some("0" | "false" | "no" | "off") => false,
        Some(other) => {
            problems.push(format!("{key} must be true or false, not `{other}`"));
            default
        }
    }
}

/// Durations are whole seconds, optionally with a unit: `90`, `90s`, `15m`, `24h`, `7d`.
pub fn parse_duration_str(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Some(ms) = v.strip_suffix("ms") {
        return ms.parse().ok().map(Duration::from_millis);
    }
    let (num, mult) = match v.char_indices().last()? {
        (i, 's') => (&v[..i], 1),
        (i, 'm') => (&v[..i], 60),
        (i, 'h') => (&v[..i], 3600),
        (i, 'd') => (&v[..i], 86400),
        _ => (v, 1),
    };
    let n: u64 = num.parse().ok()?;
    n.checked_mul(mult).map(Duration::from_secs)
}

fn parse_duration(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: Duration,
    problems: &mut Vec<String>,
) -> Duration {
    match get(key) {
        None => default,
        Some(v) => parse_duration_str(&v).unwrap_or_else(|| {
            problems.push(format!(
                "{key} must be a duration such as 3600, 90s, 15m or 24h, not `{v}`"
            ));
            default
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn secrets_can_come_from_files() {
        let dir = std::env::temp_dir().join(format!("tweets-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let secret = dir.join("jwt");
        std::fs::write(&secret, "q8Zt3kP0vW9xYb2Lm5Nc7Rd1Fg4Hj6Ks\n").unwrap();
        let url = dir.join("url");
        std::fs::write(&url, "postgres://u:p%40ss@db/tweets").unwrap();
        let (secret, url) = (secret.display().to_string(), url.display().to_string());
        let s = settings(&[("JWT_SECRET_FILE", &secret), ("DATABASE_URL_FILE", &url)]).unwrap();
        assert_eq!(s.jwt_secret.expose(), "q8Zt3kP0vW9xYb2Lm5Nc7Rd1Fg4Hj6Ks");
        assert_eq!(s.database_url, "postgres://u:p%40ss@db/tweets");

        let err = settings(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("JWT_SECRET", "a"),
            ("JWT_SECRET_FILE", &secret),
        ])
        .unwrap_err();
        assert!(
            err.to_string().contains("JWT_SECRET or JWT_SECRET_FILE"),
            "{err}"
        );
        let err = settings(&[("DATABASE_URL_FILE", "/nonexistent/secret")]).unwrap_err();
        assert!(
            err.to_string()
                .contains("DATABASE_URL_FILE (/nonexistent/secret) cannot be read"),
            "{err}"
        );
        let empty = dir.join("empty");
        std::fs::write(&empty, "\n").unwrap();
        let err = settings(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("JWT_SECRET_FILE", &empty.display().to_string()),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("is empty"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Every variable this module reads (a quoted ALL_CAPS name in the code
    /// above the tests) is documented in `.env.example`, set or commented.
    #[test]
    fn every_variable_is_documented_in_env_example() {
        let code = include_str!("config.rs");
        let code = &code[..code.find("#[cfg(test)]").unwrap()];
        let example = include_str!("../../.env.example");
        let documented = |name: &str| {
            example.lines().any(|l| {
                let l = l.trim_start_matches('#').trim();
                l.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('='))
            })
        };
        let mut names: Vec<&str> = code
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| {
                s.len() > 3
                    && s.contains('_')
                    && s.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        assert!(names.len() > 20, "{names:?}");
        let missing: Vec<_> = names.iter().filter(|n| !documented(n)).collect();
        assert!(missing.is_empty(), "not in .env.example: {missing:?}");
    }

    #[test]
    fn s3_media_needs_a_bucket_and_a_region_and_reads_its_secret_from_a_file() {
        let err =
            settings(&[("DATABASE_URL", "postgres://x/y"), ("MEDIA_STORE", "s3")]).unwrap_err();
        assert!(err.to_string().contains("S3_BUCKET is required"), "{err}");
        assert!(err.to_string().contains("S3_REGION is required"), "{err}");
        let err =
            settings(&[("DATABASE_URL", "postgres://x/y"), ("MEDIA_STORE", "gcs")]).unwrap_err();
        assert!(err.to_string().contains("MEDIA_STORE must be"), "{err}");
        let dir = std::env::temp_dir().join(format!("tweets-s3-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let secret = dir.join("s3");
        std::fs::write(&secret, "from-a-file\n").unwrap();
        let path = secret.display().to_string();
        let s = settings(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("MEDIA_STORE", "s3"),
            ("S3_BUCKET", "media"),
            ("S3_REGION", "eu-west-1"),
            ("S3_ACCESS_KEY_ID", "AKIA"),
            ("S3_SECRET_ACCESS_KEY_FILE", path.as_str()),
        ])
        .unwrap();
        let MediaStoreKind::S3(s3) = s.media_store else {
            panic!("not s3")
        };
        assert_eq!(s3.secret_access_key.unwrap().expose(), "from-a-file");
        let err = settings(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("MEDIA_STORE", "s3"),
            ("S3_BUCKET", "media"),
            ("S3_REGION", "eu-west-1"),
            ("S3_ACCESS_KEY_ID", "AKIA"),
        ])
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Secrets by the last word of their name; durations and paths that
    /// merely mention a token or a secret are shown.
    #[test]
    fn shown_hides_secrets_and_url_passwords_only() {
        for name in [
            "JWT_SECRET",
            "POSTGRES_PASSWORD",
            "DEMO_PASSWORD",
            "SOME_TOKEN",
            "S3_SECRET_ACCESS_KEY",
        ] {
            assert_eq!(shown(name, "hunter2"), "(set, hidden)", "{name}");
        }
        assert_eq!(shown("ACCESS_TOKEN_TTL", "15m"), "15m");
        assert_eq!(shown("REFRESH_TOKEN_TTL", "30d"), "30d");
        assert_eq!(
            shown("JWT_SECRET_FILE", "/run/secrets/jwt"),
            "/run/secrets/jwt"
        );
        assert_eq!(
            shown("DATABASE_URL", "postgres://app:hunter2@db/tweets"),
            "postgres://app:***@db/tweets"
        );
        assert_eq!(
            shown(
                "DATABASE_REPLICA_URLS",
                "postgres://app:hunter2@r1/tweets, postgres://app:hunter3@r2/tweets"
            ),
            "postgres://app:***@r1/tweets,postgres://app:***@r2/tweets"
        );
    }

    #[test]
    fn a_demo_account_needs_both_variables_and_is_refused_in_production() {
        let base = [("DATABASE_URL", "postgres://x/y")];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut vars = base.to_vec();
            vars.extend_from_slice(extra);
            settings(&vars)
        };
        let s = with(&[
            ("DEMO_USERNAME", "demo"),
            ("DEMO_PASSWORD", "demo-password"),
        ])
        .unwrap();
        let demo = s.demo_account.unwrap();
        assert_eq!(demo.username, "demo");
        assert!(!format!("{demo:?}").contains("demo-password"));
        let err = with(&[("DEMO_USERNAME", "demo")]).unwrap_err();
        assert!(
            err.to_string()
                .contains("both DEMO_USERNAME and DEMO_PASSWORD"),
            "{err}"
        );
        let err = with(&[("DEMO_USERNAME", "no spaces"), ("DEMO_PASSWORD", "short")]).unwrap_err();
        assert!(err.to_string().contains("DEMO_USERNAME must be"), "{err}");
        assert!(err.to_string().contains("DEMO_PASSWORD must be"), "{err}");
        let err = with(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", "q8Zt3kP0vW9xYb2Lm5Nc7Rd1Fg4Hj6Ks"),
            ("DEMO_USERNAME", "demo"),
            ("DEMO_PASSWORD", "demo-password"),
        ])
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("no demo account with APP_ENV=production"),
            "{err}"
        );
        assert!(with(&[]).unwrap().demo_account.is_none());
    }

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn development_defaults_are_usable() {
        let s = settings(&[("DATABASE_URL", "postgres://localhost/x")]).unwrap();
        assert_eq!(s.app_env, AppEnv::Development);
        assert!(s.jwt_secret.is_generated());
        assert_eq!(s.media_url, "/media/");
        assert_eq!(s.bind_addr.port(), 8080);
        assert_eq!(s.deploy_problems().len(), 3, "{:?}", s.deploy_problems());
    }

    #[test]
    fn check_deploy_wants_tls_to_the_database() {
        let tls_problem = |vars: &[(&str, &str)]| {
            let s = settings(vars).unwrap();
            s.deploy_problems()
                .iter()
                .any(|p| p.contains("do not require TLS"))
        };
        assert!(tls_problem(&[("DATABASE_URL", "postgres://db/x")]));
        assert!(tls_problem(&[(
            "DATABASE_URL",
            "postgres://db/x?sslmode=prefer"
        )]));
        assert!(tls_problem(&[("POSTGRES_HOST", "db")]));
        assert!(!tls_problem(&[(
            "DATABASE_URL",
            "postgres://db/x?sslmode=verify-full&sslrootcert=/ca.pem"
        )]));
        assert!(!tls_problem(&[(
            "DATABASE_URL",
            "postgres://db/x?sslmode=require"
        )]));
        assert!(!tls_problem(&[
            ("POSTGRES_HOST", "db"),
            ("PGSSLMODE", "verify-ca")
        ]));
        // The URL's own setting wins over PGSSLMODE, as in libpq.
        assert!(tls_problem(&[
            ("DATABASE_URL", "postgres://db/x?sslmode=disable"),
            ("PGSSLMODE", "require")
        ]));
    }

    #[test]
    fn production_refuses_weak_secret_and_wildcard_cors_listing_both() {
        let err = settings(&[
            ("DATABASE_URL", "postgres://localhost/x"),
            ("APP_ENV", "production"),
            ("JWT_SECRET", "short"),
            ("CORS_ALLOWED_ORIGINS", "https://a.example, *"),
        ])
        .unwrap_err();
        assert_eq!(err.0.len(), 2, "{err}");
        assert!(err.0[0].contains("too short"));
        assert!(err.0[1].contains("CORS"));
        let err = settings(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("APP_ENV", "production"),
        ])
        .unwrap_err();
        assert!(err.0[0].contains("not set"));
        let err = settings(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("APP_ENV", "production"),
            ("JWT_SECRET", EXAMPLE_JWT_SECRET),
        ])
        .unwrap_err();
        assert!(err.0[0].contains("example"));
    }

    #[test]
    fn production_accepts_a_strong_secret() {
        let s = settings(&[
            ("DATABASE_URL", "postgres://localhost/x?sslmode=verify-full"),
            ("APP_ENV", "production"),
            ("JWT_SECRET", "q8Zt3kP0vW9xYb2Lm5Nc7Rd1Fg4Hj6Ks"),
        ])
        .unwrap();
        assert!(s.deploy_problems().is_empty(), "{:?}", s.deploy_problems());
    }

    #[test]
    fn replica_urls_lag_and_interval() {
        let s = settings(&[("DATABASE_URL", "postgres://x/y")]).unwrap();
        assert!(s.database_replica_urls.is_empty());
        assert_eq!(s.replica_max_lag, Duration::from_secs(2));
        assert_eq!(s.replica_check_interval, Duration::from_secs(1));
        let s = settings(&[
            ("DATABASE_URL", "postgres://x/y"),
            (
                "DATABASE_REPLICA_URLS",
                " postgres://a/y ,, postgresql://b:5433/y ",
            ),
            ("REPLICA_MAX_LAG", "500ms"),
            ("REPLICA_CHECK_INTERVAL", "100ms"),
        ])
        .unwrap();
        assert_eq!(
            s.database_replica_urls,
            ["postgres://a/y", "postgresql://b:5433/y"]
        );
        assert_eq!(s.replica_max_lag, Duration::from_millis(500));
        assert_eq!(s.replica_check_interval, Duration::from_millis(100));
        let err = settings(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("DATABASE_REPLICA_URLS", "postgres://a/y,mysql://b/y"),
            ("REPLICA_CHECK_INTERVAL", "0"),
        ])
        .unwrap_err();
        assert!(
            err.0[0].contains("entry 2 is not a postgres:// URL"),
            "{err}"
        );
        assert!(err.0[1].contains("REPLICA_CHECK_INTERVAL"), "{err}");
        // A replica must require TLS in production, like the primary.
        let s = settings(&[
            ("DATABASE_URL", "postgres://localhost/x?sslmode=verify-full"),
            (
                "DATABASE_REPLICA_URLS",
                "postgres://r1/x?sslmode=verify-full,postgres://r2/x",
            ),
            ("APP_ENV", "production"),
            ("JWT_SECRET", "q8Zt3kP0vW9xYb2Lm5Nc7Rd1Fg4Hj6Ks"),
        ])
        .unwrap();
        assert_eq!(s.deploy_problems().len(), 1, "{:?}", s.deploy_problems());
        assert!(s.deploy_problems()[0].contains("replica 2"));
    }

    #[test]
    fn database_url_from_compose_style_parts() {
        let s = settings(&[
            ("POSTGRES_HOST", "db"),
            ("POSTGRES_USER", "tweets"),
            ("POSTGRES_PASSWORD", "p@ss/word"),
            ("POSTGRES_DB", "tweets"),
        ])
        .unwrap();
        assert_eq!(
            s.database_url,
            "postgres://tweets:p%40ss%2Fword@db:5432/tweets"
        );
    }

    #[test]
    fn bad_values_are_all_reported() {
        let err = settings(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("DB_POOL_SIZE", "many"),
            ("ACCESS_TOKEN_TTL", "soon"),
            ("LOG_FORMAT", "xml"),
            ("BIND_ADDR", "nowhere"),
        ])
        .unwrap_err();
        assert_eq!(err.0.len(), 4, "{err}");
    }

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration_str("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration_str("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration_str("24h"), Some(Duration::from_secs(86400)));
        assert_eq!(parse_duration_str("2d"), Some(Duration::from_secs(172800)));
        assert_eq!(parse_duration_str("h"), None);
        assert_eq!(parse_duration_str("-5"), None);
    }

    #[test]
    fn secret_is_never_printed_by_debug() {
        let s = settings(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("JWT_SECRET", "super-secret-value"),
        ])
        .unwrap();
        assert!(!format!("{s:?}").contains("super-secret-value"));
    }
}
