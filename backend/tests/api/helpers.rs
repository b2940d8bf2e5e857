//! `spawn_app()` and the typed client the tests speak through.

use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
    sync::OnceLock,
};

use diesel::{pg::PgConnection, sql_query, Connection, RunQueryDsl};
use reqwest::{header::HeaderMap, Method, StatusCode};
use serde_json::{json, Value};
use tweets::{config::LogFormat, db, startup::Application, Settings};

pub const PASSWORD: &str = "correct horse battery";
pub const JWT_SECRET: &str = "test-secret-0123456789-abcdefghijklmnop";

/// The server the tests create their databases on: `TEST_DATABASE_URL`, else
/// `DATABASE_URL` (`make test` provides one, starting a throwaway cluster
/// when nothing answers).
fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| {
            panic!("set DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server, or run `make test`")
        })
}

fn url_with_db(db: &str) -> String {
    let mut url =
        url::Url::parse(&server_url()).unwrap_or_else(|e| panic!("DATABASE_URL is not a URL: {e}"));
    url.set_path(db);
    url.to_string()
}

fn admin() -> PgConnection {
    PgConnection::establish(&url_with_db("postgres"))
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL: {e}"))
}

/// A template database with every migration applied, named after a hash of
/// the migrations so a changed migration makes a new one. Made once per
/// process, under an advisory lock so parallel test processes agree.
fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let mut hasher = DefaultHasher::new();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        let mut files: Vec<_> = files_under(&dir);
        files.sort();
        for f in files {
            f.hash(&mut hasher);
            std::fs::read(&f).unwrap_or_default().hash(&mut hasher);
        }
        let name = format!("tweets_tpl_{:016x}", hasher.finish());
        let mut conn = admin();
        sql_query("SELECT pg_advisory_lock(424242)")
            .execute(&mut conn)
            .unwrap();
        let exists = sql_query(format!(
            "SELECT 1 FROM pg_database WHERE datname = '{name}'"
        ))
        .execute(&mut conn)
        .unwrap()
            > 0;
        if !exists {
            let building = format!("{name}_building");
            sql_query(format!("DROP DATABASE IF EXISTS \"{building}\""))
                .execute(&mut conn)
                .unwrap();
            sql_query(format!("CREATE DATABASE \"{building}\""))
                .execute(&mut conn)
                .unwrap();
            {
                let mut tpl = PgConnection::establish(&url_with_db(&building)).unwrap();
                db::migrate(&mut tpl).unwrap();
            }
            sql_query(format!(
                "ALTER DATABASE \"{building}\" RENAME TO \"{name}\""
            ))
            .execute(&mut conn)
            .unwrap();
        }
        sql_query("SELECT pg_advisory_unlock(424242)")
            .execute(&mut conn)
            .unwrap();
        name
    })
}

/// Every file below `dir` (none when it does not exist).
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A fresh database for one test, dropped when the guard goes.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub fn new() -> Self {
        let tpl = template();
        let name = format!("tweets_test_{}", uuid::Uuid::new_v4().simple());
        sql_query(format!("CREATE DATABASE \"{name}\" TEMPLATE \"{tpl}\""))
            .execute(&mut admin())
            .unwrap();
        let url = url_with_db(&name);
        Self { name, url }
    }

    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        // On its own thread: this may run inside an async test's runtime.
        let _ = std::thread::spawn(move || {
            if let Err(e) = sql_query(sql).execute(&mut admin()) {
                eprintln!("could not drop a test database: {e}");
            }
        })
        .join();
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub media_root: std::path::PathBuf,
    /// Statements run by the app's pool so far.
    pub queries: prometheus::IntCounter,
    handles: Vec<actix_web::dev::ServerHandle>,
    /// Where `/metrics` answers (its own listener).
    pub metrics_address: String,
    pub db: TestDb,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// The app with its [`Settings`] adjusted by `configure`, zero2prod style:
/// `spawn_app_with(|s| s.db_pool_size = 1)`.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_on(TestDb::new(), configure).await
}

/// The app on a database the test prepared (`configure` may point
/// `database_url` at it as another role; `TestApp::db` stays the admin's).
///
/// The test defaults are parsed by `Settings::from_lookup`, as the server's
/// environment would be; `configure` then edits the parsed values, so it
/// sets exactly what a field holds (a `Duration`, `Some(n)`, a URL ending in
/// `/`), with none of the parsing or validation of the variables.
pub async fn spawn_app_on(db: TestDb, configure: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        tweets::telemetry::init(LogFormat::Text);
    }
    let media_root =
        std::env::temp_dir().join(format!("tweets-media-{}", uuid::Uuid::new_v4().simple()));
    let vars: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", db.url.clone()),
        ("JWT_SECRET", JWT_SECRET.to_string()),
        ("BIND_ADDR", "127.0.0.1:0".to_string()),
        ("MEDIA_ROOT", media_root.display().to_string()),
        ("RATE_LIMIT_AUTH_PER_MINUTE", "0".to_string()),
        ("RATE_LIMIT_POSTS_PER_MINUTE", "0".to_string()),
        ("HTTP_WORKERS", "1".to_string()),
        ("DB_POOL_SIZE", "4".to_string()),
        ("SHUTDOWN_TIMEOUT", "1".to_string()),
    ]);
    let mut settings = Settings::from_lookup(|k| vars.get(k).cloned()).unwrap();
    // No background fan-out: its statements would count in `queries`, and
    // reads are right without it. Tests that want copies drain the queue
    // (`db::fanout::drain`); timeline.rs runs the real worker once.
    settings.fanout_worker = false;
    // No event listener either (a connection per app): streaming.rs turns it on.
    settings.live_events = false;
    configure(&mut settings);
    let pool_metrics = db::PoolMetrics::default();
    let queries = pool_metrics.queries.clone();
    let pool = db::build_pool(
        &settings.database_url,
        settings.db_pool_size,
        settings.db_pool_timeout,
        settings.db_statement_timeout,
        pool_metrics.clone(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let metrics_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::with_listeners(
        settings,
        pool,
        &pool_metrics,
        listener,
        Some(metrics_listener),
    )
    .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = format!("http://127.0.0.1:{}", app.metrics_port().unwrap());
    let handles = app.server_handles();
    actix_web::rt::spawn(app.run_until_stopped());
    let app = TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        media_root,
        queries,
        handles,
        metrics_address,
        db,
    };
    // The server starts on this runtime: one request makes sure it is up
    // before a test does anything blocking.
    app.get("/healthz", None).await.expect(200);
    app
}

impl Drop for TestApp {
    fn drop(&mut self) {
        for handle in self.handles.clone() {
            actix_web::rt::spawn(async move { handle.stop(false).await });
        }
        let _ = std::fs::remove_dir_all(&self.media_root);
    }
}

/// A response read whole.
#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Res {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status and returns the JSON body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        if self.text.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }

    /// Asserts a problem document with this status and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        let body = self.json();
        assert_eq!(body["status"], status);
        assert_eq!(body["type"], "about:blank");
        assert!(body["title"].is_string());
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(
            body["code"].as_str().is_some_and(
                |c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            ),
            "no machine-readable code: {}",
            self.text
        );
        assert!(self.header("x-request-id").is_some());
        body
    }
}

/// A registered user and their token.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub token: String,
    pub refresh_token: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Res {
        let res = req.send().await.expect("request failed");
        Res {
            status: res.status(),
            headers: res.headers().clone(),
            text: res.text().await.unwrap_or_default(),
        }
    }

    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req
    }

    /// The stored media files, asserting no upload left a temporary file.
    pub fn media_files(&self) -> Vec<std::path::PathBuf> {
        let tmp = self.media_root.join(".tmp");
        let (temporary, stored): (Vec<_>, Vec<_>) = files_under(&self.media_root)
            .into_iter()
            .partition(|p| p.starts_with(&tmp));
        assert_eq!(
            temporary,
            Vec::<std::path::PathBuf>::new(),
            "temp files left behind"
        );
        stored
    }

    /// `GET /metrics` on the metrics listener.
    pub async fn metrics(&self) -> Res {
        self.send(self.client.get(format!("{}/metrics", self.metrics_address)))
            .await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Res {
        self.send(self.request(Method::GET, path, token)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Res {
        self.send(self.request(Method::DELETE, path, token)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>) -> Res {
        self.send(self.request(Method::PUT, path, token)).await
    }

    pub async fn json(&self, method: Method, path: &str, token: Option<&str>, body: &Value) -> Res {
        self.send(self.request(method, path, token).json(body))
            .await
    }

    pub async fn register_raw(&self, body: &Value) -> Res {
        self.json(Method::POST, "/api/v1/auth/register", None, body)
            .await
    }

    pub async fn register(&self, username: &str) -> User {
        let body = self
            .register_raw(&json!({"username": username, "password": PASSWORD}))
            .await
            .expect(201);
        User {
            id: body["user"]["id"].as_i64().unwrap(),
            token: body["access_token"].as_str().unwrap().to_string(),
            refresh_token: body["refresh_token"].as_str().unwrap().to_string(),
        }
    }

    pub async fn login(&self, username: &str, password: &str) -> Res {
        self.json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"username": username, "password": password}),
        )
        .await
    }

    pub async fn post_tweet_raw(&self, user: &User, body: &Value) -> Res {
        self.json(Method::POST, "/api/v1/tweets", Some(&user.token), body)
            .await
    }

    pub async fn post_tweet(&self, user: &User, text: &str) -> Value {
        self.post_tweet_raw(user, &json!({"text": text}))
            .await
            .expect(201)
    }

    pub async fn reply(&self, user: &User, to: i64, text: &str) -> Value {
        self.post_tweet_raw(user, &json!({"text": text, "reply_to_id": to}))
            .await
            .expect(201)
    }

    pub async fn follow(&self, user: &User, whom: &str) -> Value {
        self.put(&format!("/api/v1/users/{whom}/follow"), Some(&user.token))
            .await
            .expect(200)
    }

    /// Walks a list to its end, following `next_cursor`, and returns every item.
    pub async fn walk(&self, path: &str, token: Option<&str>, limit: u32) -> Vec<Value> {
        let mut items = Vec::new();
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut next = format!("{path}{sep}limit={limit}");
        loop {
            let page = self.get(&next, token).await.expect(200);
            items.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => next = format!("{path}{sep}limit={limit}&cursor={c}"),
                None => return items,
            }
        }
    }
}

/// The ids of a list of tweets or users.
pub fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|v| v["id"].as_i64().unwrap()).collect()
}

/// A JWT secret `check --deploy` accepts.
pub const STRONG_SECRET: &str = "q8Zt3kP0vW9xYb2Lm5Nc7Rd1Fg4Hj6Ks";

/// The binary with a clean environment, run from an empty directory so no
/// `.env` file is picked up.
pub fn tweets(args: &[&str], env: &[(&str, &str)]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tweets"));
    cmd.args(args)
        .env_clear()
        .current_dir(std::env::temp_dir())
        .env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits for the server to accept connections, polling (not sleeping blindly).
pub fn connect_when_up(port: u16, child: &mut std::process::Child) -> std::net::TcpStream {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            return s;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("server exited early: {status}");
        }
        assert!(std::time::Instant::now() < deadline, "server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// `tweets serve` as its own process on a free port, killed when dropped.
pub struct Served {
    pub address: String,
    child: std::process::Child,
    media: std::path::PathBuf,
}

impl Served {
    /// Starts the server with `env` on top of test defaults.
    pub fn start(env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let media = std::env::temp_dir().join(format!(
            "tweets-media-{port}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let bind = format!("127.0.0.1:{port}");
        let mut vars: Vec<(&str, &str)> = vec![
            ("BIND_ADDR", &bind),
            ("METRICS_ADDR", "off"),
            ("JWT_SECRET", STRONG_SECRET),
            ("MEDIA_ROOT", media.to_str().unwrap()),
            ("RATE_LIMIT_AUTH_PER_MINUTE", "0"),
        ];
        vars.extend_from_slice(env);
        let mut child = tweets(&["serve"], &vars)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        drop(connect_when_up(port, &mut child));
        Self {
            address: format!("http://{bind}"),
            child,
            media,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.media);
    }
}
