//! The `tweets` command line.

/// `println!` for the command line's output: a reader that stops early
/// (`tweets users list | head`) ends the command quietly, as it does any
/// Unix tool, instead of a panic on the broken pipe.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod admin;
mod media;

use std::{
    io::{BufRead, Read, Write},
    net::{TcpStream, ToSocketAddrs},
    process::ExitCode,
    time::Duration,
};

use anyhow::Context;
use clap::{Parser, Subcommand};
use diesel::{Connection, PgConnection};
use diesel_migrations::MigrationHarness;

use crate::{
    auth::hash_password,
    config::Settings,
    db::{self, models::NewUser},
    domain::{DisplayName, Password, Username},
    seed::{self, SeedOptions},
    startup::Application,
    telemetry,
};

#[derive(Debug, Parser)]
#[command(
    name = "tweets",
    version,
    about = "Tweets: a small microblog API server and its admin tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the API (and the SPA when STATIC_DIR is set).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Create an account; the password is read from standard input (one line).
    CreateUser {
        username: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Make it an administrator (moderation through the API and the web app).
        #[arg(long)]
        admin: bool,
    },
    /// Accounts: list, show, deactivate, reactivate, promote, demote.
    #[command(subcommand)]
    Users(admin::Users),
    /// Tweets: list, create as an account, remove (moderation).
    #[command(subcommand)]
    Tweets(admin::Tweets),
    /// Uploaded media: copy them to object storage.
    #[command(subcommand)]
    Media(media::Media),
    /// The audit log of administrative actions, newest first.
    Audit {
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Copy every queued tweet and pending follow into the home timelines
    /// now (what the servers' fan-out worker does in the background), then exit.
    Fanout,
    /// Fill the database with demo users, tweets, replies, follows and likes.
    Seed {
        /// Usernames are PREFIX1, PREFIX2, …
        #[arg(long, default_value = "demo")]
        prefix: String,
        #[arg(long, default_value_t = 100)]
        users: i64,
        /// Tweets in all; one in ten is a reply.
        #[arg(long, default_value_t = 10_000)]
        tweets: i64,
        #[arg(long, default_value_t = 20)]
        follows_per_user: i64,
        #[arg(long, default_value_t = 10)]
        likes_per_user: i64,
        /// Password of every seeded account.
        #[arg(long, env = "SEED_PASSWORD", default_value = "demo-password")]
        password: String,
    },
    /// Check the configuration and the database; with --deploy, list
    /// everything unfit for production (exit 1 when anything is).
    Check {
        #[arg(long)]
        deploy: bool,
    },
    /// Print the effective configuration: every variable the settings read,
    /// its value (secrets hidden) and where it came from (the environment,
    /// `.env`, or the default); exit 1 when the configuration is invalid.
    Config,
    /// Print the OpenAPI document (what `openapi.json` holds).
    Openapi,
    /// GET /healthz on the local server; exit 0 when it answers 200 (for Docker HEALTHCHECK).
    Healthcheck {
        /// Default: http://127.0.0.1:<port of BIND_ADDR>/healthz
        #[arg(long)]
        url: Option<String>,
        #[arg(long, default_value_t = 3)]
        timeout_secs: u64,
    },
}

/// Writes to standard output; a closed pipe exits with success (the reader
/// has what it wanted), any other failure with an error.
pub(crate) fn write_out(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing the output: {e}");
        std::process::exit(1);
    }
}

pub fn main() -> ExitCode {
    // What the environment set before `.env` adds to it (`tweets config`
    // tells the two apart: `.env` never overrides the environment).
    let from_environment: std::collections::HashSet<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .collect();
    let dotenv = dotenvy::dotenv().ok();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve => serve(),
        Command::Migrate => migrate(),
        Command::CreateUser {
            username,
            display_name,
            admin,
        } => create_user(&username, display_name.as_deref(), admin),
        Command::Users(command) => with_db(|conn, _| admin::users(conn, command)),
        Command::Tweets(command) => {
            with_db(|conn, settings| admin::tweets(conn, &settings.media_root, command))
        }
        Command::Media(command) => settings().and_then(|s| media::run(&s, command)),
        Command::Audit { limit } => with_db(|conn, _| admin::audit(conn, limit)),
        Command::Seed {
            prefix,
            users,
            tweets,
            follows_per_user,
            likes_per_user,
            password,
        } => run_seed(SeedOptions {
            prefix,
            users,
            tweets,
            follows_per_user,
            likes_per_user,
            password,
            fanout_max_followers: 0,
        }),
        Command::Check { deploy } => return check(deploy),
        Command::Config => return config(&from_environment, dotenv.as_deref()),
        Command::Fanout => fanout(),
        Command::Openapi => {
            write_out(format_args!("{}", crate::routes::openapi::json()));
            Ok(())
        }
        Command::Healthcheck { url, timeout_secs } => {
            return healthcheck(url, Duration::from_secs(timeout_secs))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", crate::error::format_chain(&e));
            ExitCode::FAILURE
        }
    }
}

fn settings() -> anyhow::Result<Settings> {
    let settings = Settings::from_env()?;
    telemetry::init(settings.log_format);
    Ok(settings)
}

fn serve() -> anyhow::Result<()> {
    let settings = settings()?;
    if settings.jwt_secret.is_generated() {
        tracing::warn!(
            "JWT_SECRET is not set: using a random secret, so tokens end with this process"
        );
    }
    if let Some(dir) = &settings.static_dir {
        anyhow::ensure!(
            dir.join("index.html").is_file(),
            "STATIC_DIR {} has no index.html",
            dir.display()
        );
    }
    std::fs::create_dir_all(&settings.media_root)
        .with_context(|| format!("creating MEDIA_ROOT {}", settings.media_root.display()))?;
    let mut conn = db::connect_with_retry(&settings.database_url, Duration::from_secs(60))?;
    if settings.migrate_on_start {
        let applied = db::migrate(&mut conn)?;
        if !applied.is_empty() {
            tracing::info!(?applied, "migrations applied");
        }
    } else {
        let pending = db::pending_migrations(&mut conn)?;
        anyhow::ensure!(
            pending.is_empty(),
            "{} migration(s) pending ({}) and MIGRATE_ON_START=false: run `tweets migrate` first",
            pending.len(),
            pending.join(", ")
        );
    }
    if let Some(demo) = &settings.demo_account {
        ensure_demo_account(&mut conn, demo)?;
    }
    drop(conn);
    let pool_metrics = db::PoolMetrics::default();
    let pool = db::build_pool(
        &settings.database_url,
        settings.db_pool_size,
        settings.db_pool_timeout,
        settings.db_statement_timeout,
        pool_metrics.clone(),
    );
    actix_web::rt::System::new().block_on(async move {
        let bind = settings.bind_addr;
        let static_dir = settings.static_dir.clone();
        let app = Application::build(settings, pool.clone(), &pool_metrics)?;
        tracing::info!(%bind, port = app.port(), metrics_port = ?app.metrics_port(), static_dir = ?static_dir, "serving");
        actix_web::rt::spawn(purge_expired(pool));
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Creates the development demo account unless it exists (its password is
/// then left as it is: the account may have changed it).
fn ensure_demo_account(
    conn: &mut PgConnection,
    demo: &crate::config::DemoAccount,
) -> anyhow::Result<()> {
    if db::users::find_by_username(conn, &demo.username)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .is_some()
    {
        tracing::info!(username = %demo.username, "demo account present");
        return Ok(());
    }
    let hash = password_hash(&demo.password, "DEMO_PASSWORD")?;
    let new = NewUser {
        username: &demo.username,
        password_hash: &hash,
        display_name: "Demo",
    };
    match db::users::insert(conn, &new) {
        Ok(user) => tracing::info!(username = %user.username, "demo account created"),
        // Another replica created it first.
        Err(db::Error::UsernameTaken) => {}
        Err(e) => return Err(anyhow::anyhow!("creating the demo account: {e}")),
    }
    Ok(())
}

/// Hourly: forget idempotency keys older than 24 hours, and sessions that
/// ended more than a week ago (kept that long for investigating a reuse).
async fn purge_expired(pool: db::DbPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match db::run(&pool, db::purge_idempotency_keys).await {
            Ok(n) if n > 0 => tracing::info!(deleted = n, "expired idempotency keys purged"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "purging idempotency keys failed"),
        }
        let week = Duration::from_secs(7 * 24 * 3600);
        match db::run(&pool, move |conn| db::sessions::purge(conn, week)).await {
            Ok(n) if n > 0 => tracing::info!(deleted = n, "ended sessions purged"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "purging sessions failed"),
        }
    }
}

fn connect(settings: &Settings) -> anyhow::Result<PgConnection> {
    db::connect_with_retry(&settings.database_url, Duration::from_secs(30))
}

fn fanout() -> anyhow::Result<()> {
    let settings = settings()?;
    let mut conn = connect(&settings)?;
    let started = std::time::Instant::now();
    let done = db::fanout::drain(&mut conn, settings.fanout_max_followers)
        .map_err(|e| anyhow::anyhow!("fanning out: {e}"))?;
    out!(
        "fanned out {} tweets and {} follows: {} rows in {:.2} s",
        done.tweets,
        done.follows,
        done.rows,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn migrate() -> anyhow::Result<()> {
    let settings = settings()?;
    let applied = db::migrate(&mut connect(&settings)?)?;
    if applied.is_empty() {
        out!("database is up to date");
    }
    for version in applied {
        out!("applied {version}");
    }
    Ok(())
}

/// Runs `f` on a connection to the migrated database.
fn with_db(
    f: impl FnOnce(&mut PgConnection, &Settings) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let settings = settings()?;
    let mut conn = connect(&settings)?;
    db::migrate(&mut conn)?;
    f(&mut conn, &settings)
}

/// A password checked by the registration rule (`what` names it in the
/// error) and hashed as the server stores it.
fn password_hash(raw: &str, what: &str) -> anyhow::Result<String> {
    let password = Password::parse(raw).map_err(|e| anyhow::anyhow!("{what} {e}"))?;
    hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))
}

fn create_user(username: &str, display_name: Option<&str>, admin: bool) -> anyhow::Result<()> {
    let settings = settings()?;
    let username = Username::parse(username).map_err(|e| anyhow::anyhow!("username {e}"))?;
    let display_name = DisplayName::parse(display_name.unwrap_or(username.as_ref()))
        .map_err(|e| anyhow::anyhow!("display name {e}"))?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let hash = password_hash(line.trim_end_matches(['\r', '\n']), "password")?;
    let mut conn = connect(&settings)?;
    db::migrate(&mut conn)?;
    let actor = db::admin::Actor::cli();
    let user = conn
        .transaction(|conn| {
            let user = db::users::insert(
                conn,
                &NewUser {
                    username: username.as_ref(),
                    password_hash: &hash,
                    display_name: display_name.into_inner().as_str(),
                },
            )?;
            let target = db::admin::Target {
                user: Some((user.id, &user.username)),
                tweet: None,
            };
            let action = db::admin::Action::CreateUser;
            db::admin::record(conn, &actor, action, target, "")?;
            if admin {
                db::admin::set_admin(conn, &actor, &user.username, true)?;
            }
            Ok::<_, db::Error>(user)
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let role = if admin { " (an administrator)" } else { "" };
    out!("created user {} with id {}{role}", user.username, user.id);
    Ok(())
}

fn run_seed(mut opts: SeedOptions) -> anyhow::Result<()> {
    let settings = settings()?;
    opts.fanout_max_followers = settings.fanout_max_followers;
    let mut conn = connect(&settings)?;
    db::migrate(&mut conn)?;
    let r = seed::seed(&mut conn, &opts)?;
    let total = r.tweets + r.replies;
    out!(
        "seeded {} users, {} tweets ({} replies), {} follows, {} likes in {:.2} s",
        r.users,
        total,
        r.replies,
        r.follows,
        r.likes,
        r.seconds
    );
    out!(
        "home timelines: {} rows copied, {} accounts read at read time (over {} followers); vacuum analyze {:.2} s",
        r.home_rows, r.fanout_on_read, opts.fanout_max_followers, r.vacuum_seconds
    );
    out!(
        "tweets and replies: {:.2} s, {:.0} tweets/s",
        r.tweet_seconds,
        total as f64 / r.tweet_seconds.max(1e-9)
    );
    out!(
        "log in as {}1 … {}{} with the seed password",
        opts.prefix,
        opts.prefix,
        opts.users
    );
    Ok(())
}

/// `tweets config`: each variable read, `NAME=value` (or `NAME` unset),
/// then its source.
fn config(
    from_environment: &std::collections::HashSet<String>,
    dotenv: Option<&std::path::Path>,
) -> ExitCode {
    let (read, result) = Settings::traced(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    out!("# every variable the configuration reads, in order; secrets hidden");
    let rows: Vec<(String, &str)> = read
        .iter()
        .map(|(name, value)| match value {
            None => (name.clone(), "unset: the default applies"),
            Some(v) => {
                let source = if from_environment.contains(name) {
                    "environment"
                } else {
                    ".env"
                };
                (format!("{name}={}", crate::config::shown(name, v)), source)
            }
        })
        .collect();
    let width = rows
        .iter()
        .map(|(left, _)| left.chars().count())
        .max()
        .unwrap_or(0);
    for (left, source) in &rows {
        out!("{left:<width$}  # {source}");
    }
    if let Some(path) = dotenv {
        out!("# .env: {}", path.display());
    }
    match result {
        Ok(_) => {
            out!("# the configuration is valid");
            ExitCode::SUCCESS
        }
        Err(e) => {
            out!("# {}", e.to_string().replace('\n', "\n# "));
            ExitCode::FAILURE
        }
    }
}

fn check(deploy: bool) -> ExitCode {
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            out!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut problems = if deploy {
        settings.deploy_problems()
    } else {
        Vec::new()
    };
    match PgConnection::establish(&settings.database_url) {
        Err(e) => problems.push(format!("the database is not reachable: {e}")),
        Ok(mut conn) => match conn.has_pending_migration(db::MIGRATIONS) {
            Ok(true) => {
                problems.push("the database has pending migrations (run `tweets migrate`)".into())
            }
            Ok(false) => {}
            Err(e) => problems.push(format!("could not read the migration state: {e}")),
        },
    }
    if problems.is_empty() {
        out!("no problems found");
        ExitCode::SUCCESS
    } else {
        out!("{} problem(s) found:", problems.len());
        for p in &problems {
            out!("  - {p}");
        }
        ExitCode::FAILURE
    }
}

fn healthcheck(url: Option<String>, timeout: Duration) -> ExitCode {
    let url = url.unwrap_or_else(|| {
        let port = std::env::var("BIND_ADDR")
            .ok()
            .and_then(|a| a.rsplit(':').next().map(str::to_string))
            .unwrap_or_else(|| "8080".into());
        format!("http://127.0.0.1:{port}/healthz")
    });
    match http_get_status(&url, timeout) {
        Ok(200) => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!("unhealthy: {url} answered {status}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("unhealthy: {url}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A minimal HTTP/1.1 GET (plain http only) returning the status code, so
/// the container image needs no curl.
fn http_get_status(raw: &str, timeout: Duration) -> anyhow::Result<u16> {
    let url = url::Url::parse(raw).context("invalid URL")?;
    anyhow::ensure!(url.scheme() == "http", "only http:// URLs are supported");
    let host = url.host_str().context("URL has no host")?;
    let port = url.port_or_known_default().unwrap_or(80);
    let addr = (host, port)
        .to_socket_addrs()?
        .next()
        .context("host did not resolve")?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nUser-Agent: tweets-healthcheck\r\n\r\n",
        url.path()
    )?;
    let mut head = [0u8; 64];
    let n = stream.read(&mut head)?;
    let line = String::from_utf8_lossy(&head[..n]);
    let status = line.split_whitespace().nth(1).context("no status line")?;
    Ok(status.parse()?)
}
