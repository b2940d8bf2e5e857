//! Read replicas (`DATABASE_REPLICA_URLS`) against a real streaming replica:
//! this test starts its own primary and takes the replica from it with
//! `pg_basebackup`, on loopback ports, and stops both when it ends.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use diesel::{sql_query, Connection, PgConnection, QueryableByName, RunQueryDsl};
use serde_json::Value;

use crate::{
    helpers::{free_port, ids, spawn_app_on, TestApp, TestDb},
    metrics::sample,
};

fn pg_bin(tool: &str) -> PathBuf {
    let dir = std::env::var("PG_BIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".into());
    Path::new(&dir).join(tool)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `tool args…`, as the `postgres` user when this runs as root
/// (PostgreSQL refuses to run as root); panics when it fails.
fn pg(tool: &str, args: &[&str]) {
    let bin = pg_bin(tool);
    let out = if is_root() {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&bin)
            .args(args)
            .output()
    } else {
        Command::new(&bin).args(args).output()
    }
    .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A PostgreSQL server of this test's own, in `dir`.
struct Server {
    dir: PathBuf,
    port: u16,
}

impl Server {
    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn start(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log").display().to_string();
        pg(
            "pg_ctl",
            &["-D", &self.data(), "-l", &log, "-o", &opts, "-w", "start"],
        );
    }

    fn stop_immediately(&self) {
        pg(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    fn connect(&self, db: &str) -> PgConnection {
        PgConnection::establish(&self.url(db)).unwrap()
    }
}

/// A primary and a streaming replica of it.
struct Pair {
    base: PathBuf,
    primary: Server,
    replica: Server,
}

impl Pair {
    fn start() -> Self {
        let base =
            std::env::temp_dir().join(format!("tweets-replica-{}", uuid::Uuid::new_v4().simple()));
        for dir in [&base, &base.join("primary"), &base.join("replica")] {
            std::fs::create_dir_all(dir).unwrap();
        }
        if is_root() {
            let out = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(&base)
                .output()
                .unwrap();
            assert!(out.status.success());
        }
        let primary = Server {
            dir: base.join("primary"),
            port: free_port(),
        };
        pg(
            "initdb",
            &[
                "-D",
                &primary.data(),
                "-U",
                "postgres",
                "--auth=trust",
                "-N",
            ],
        );
        primary.start();
        let replica = Server {
            dir: base.join("replica"),
            port: free_port(),
        };
        // -R writes standby.signal and primary_conninfo: a streaming replica.
        pg(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &primary.port.to_string(),
                "-U",
                "postgres",
                "-D",
                &replica.data(),
                "-R",
                "-X",
                "stream",
            ],
        );
        replica.start();
        Self {
            base,
            primary,
            replica,
        }
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for server in [&self.replica, &self.primary] {
            let _ = Command::new(if is_root() { "runuser" } else { "true" })
                .args(if is_root() {
                    vec!["-u", "postgres", "--"]
                } else {
                    vec![]
                })
                .arg(pg_bin("pg_ctl"))
                .args(["-D", &server.data(), "-m", "immediate", "stop"])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    ok: bool,
}

fn query_flag(conn: &mut PgConnection, sql: &str) -> bool {
    sql_query(sql)
        .get_result::<Flag>(conn)
        .map(|f| f.ok)
        .unwrap_or(false)
}

/// Polls `cond` every 50 ms until it holds; panics after `limit`.
async fn until<F: std::future::Future<Output = bool>>(
    what: &str,
    limit: Duration,
    mut cond: impl FnMut() -> F,
) {
    let deadline = Instant::now() + limit;
    while !cond().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn reads(app: &TestApp, pool: &str, reason: &str) -> f64 {
    let series = format!("db_reads_total{{pool=\"{pool}\",reason=\"{reason}\"}}");
    sample(&app.metrics().await.text, &series).unwrap_or(0.0)
}

async fn replica_up(app: &TestApp, pair: &Pair) -> Option<f64> {
    let series = format!(
        "db_replica_up{{replica=\"127.0.0.1:{}/tweets\"}}",
        pair.replica.port
    );
    sample(&app.metrics().await.text, &series)
}

async fn tweet_ids(app: &TestApp, path: &str, token: Option<&str>) -> Vec<i64> {
    let page: Value = app.get(path, token).await.expect(200);
    ids(page["items"].as_array().unwrap())
}

/// A primary with the application's database migrated, its replica, and
/// the application reading from it (`configure` adds settings), once the
/// replica is in use.
async fn app_with_replica(
    configure: impl FnOnce(&mut tweets::Settings) + 'static,
) -> (Pair, TestApp) {
    let pair = Pair::start();
    let mut admin = pair.primary.connect("postgres");
    sql_query("CREATE DATABASE tweets")
        .execute(&mut admin)
        .unwrap();
    tweets::db::migrate(&mut pair.primary.connect("tweets")).unwrap();
    let replica_url = pair.replica.url("tweets");
    // TestDb's drop removes a database of that name from the shared test
    // server, where there is none: this one goes with the pair.
    let db = TestDb {
        name: format!("tweets_replica_{}", uuid::Uuid::new_v4().simple()),
        url: pair.primary.url("tweets"),
    };
    let app = spawn_app_on(db, move |s| {
        s.database_replica_urls = vec![replica_url];
        configure(s);
    })
    .await;
    until(
        "the replica to be in use",
        Duration::from_secs(20),
        || async { replica_up(&app, &pair).await == Some(1.0) },
    )
    .await;
    (pair, app)
}

#[actix_web::test]
async fn reads_go_to_a_healthy_replica_and_never_fail_for_it() {
    let lag = Duration::from_secs(2);
    let (pair, app) = app_with_replica(move |s| {
        s.replica_max_lag = lag;
        s.replica_check_interval = Duration::from_millis(100);
    })
    .await;

    // Anonymous reads are answered by the replica.
    let alice = app.register("alice").await;
    let before = reads(&app, "replica", "replica").await;
    until(
        "a read answered by the replica",
        Duration::from_secs(10),
        || async {
            app.get("/api/v1/users/alice", None).await.expect(200);
            reads(&app, "replica", "replica").await > before
        },
    )
    .await;

    // The replica has replayed everything so far; then it stops replaying.
    let mut on_replica = pair.replica.connect("tweets");
    let first = app.post_tweet(&alice, "replayed").await["id"]
        .as_i64()
        .unwrap();
    let mut on_primary = pair.primary.connect("tweets");
    until("the replica to catch up", Duration::from_secs(10), || {
        let lsn: String = sql_query("SELECT pg_current_wal_lsn()::text AS lsn")
            .get_result::<Lsn>(&mut on_primary)
            .unwrap()
            .lsn;
        let caught_up = query_flag(
            &mut on_replica,
            &format!("SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn AS ok"),
        );
        async move { caught_up }
    })
    .await;
    sql_query("SELECT pg_wal_replay_pause()")
        .execute(&mut on_replica)
        .unwrap();
    let paused_at = Instant::now();
    let second = app.post_tweet(&alice, "not replayed").await["id"]
        .as_i64()
        .unwrap();
    let path = "/api/v1/users/alice/tweets";

    // Alice wrote a moment ago: her reads go to the primary and show it.
    let ryw = reads(&app, "primary", "read_your_writes").await;
    assert_eq!(
        tweet_ids(&app, path, Some(&alice.token)).await,
        [second, first]
    );
    assert!(reads(&app, "primary", "read_your_writes").await > ryw);
    let mine: Value = app
        .get(&format!("/api/v1/tweets/{second}"), Some(&alice.token))
        .await
        .expect(200);
    assert_eq!(mine["text"], "not replayed");
    // Anyone else reads the replica, still within REPLICA_MAX_LAG: not yet.
    let seen = tweet_ids(&app, path, None).await;
    assert!(
        paused_at.elapsed() < lag,
        "the test was too slow to see the replica behind"
    );
    assert_eq!(seen, [first], "an anonymous read came from the primary");
    // A tweet the replica lacks, read by id, is found on the primary.
    app.get(&format!("/api/v1/tweets/{second}"), None)
        .await
        .expect(200);

    // Further behind than REPLICA_MAX_LAG: taken out, reads on the primary.
    until(
        "the lagging replica to be taken out",
        Duration::from_secs(10),
        || async { replica_up(&app, &pair).await == Some(0.0) },
    )
    .await;
    let fallback = reads(&app, "primary", "no_healthy_replica").await;
    assert_eq!(tweet_ids(&app, path, None).await, [second, first]);
    assert!(reads(&app, "primary", "no_healthy_replica").await > fallback);

    // Replaying again, it catches up and is back in use.
    sql_query("SELECT pg_wal_replay_resume()")
        .execute(&mut on_replica)
        .unwrap();
    drop(on_replica);
    until(
        "the replica to be back",
        Duration::from_secs(10),
        || async { replica_up(&app, &pair).await == Some(1.0) },
    )
    .await;
    let before = reads(&app, "replica", "replica").await;
    assert_eq!(tweet_ids(&app, path, None).await, [second, first]);
    assert!(reads(&app, "replica", "replica").await > before);

    // The replica stops: no read fails, before or after it is noticed.
    pair.replica.stop_immediately();
    for i in 0..30 {
        let token = (i % 3 == 0).then_some(alice.token.as_str());
        assert_eq!(tweet_ids(&app, path, token).await, [second, first]);
        app.get("/api/v1/users/alice", token).await.expect(200);
        app.get("/api/v1/tweets", token).await.expect(200);
    }
    until(
        "the stopped replica to be taken out",
        Duration::from_secs(10),
        || async { replica_up(&app, &pair).await == Some(0.0) },
    )
    .await;
    app.get("/api/v1/users/alice", None).await.expect(200);

    // Started again, it is used again.
    pair.replica.start();
    until(
        "the restarted replica to be back",
        Duration::from_secs(20),
        || async { replica_up(&app, &pair).await == Some(1.0) },
    )
    .await;
    let before = reads(&app, "replica", "replica").await;
    app.get("/api/v1/users/alice", None).await.expect(200);
    assert!(reads(&app, "replica", "replica").await > before);
    let text = app.metrics().await.text;
    for metric in [
        "db_replica_lag_seconds",
        "db_replica_queries_total",
        "db_replica_pool_wait_seconds_count",
        "db_replica_pool_connections",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(metric)),
            "{metric} missing"
        );
    }
    drop(app);
}

/// The replica stops between two checks (here the first check is the
/// only one): the reads that find it dead are answered by the primary, and
/// the first of them takes the replica out.
#[actix_web::test]
async fn a_replica_that_stops_between_checks_costs_no_failed_request() {
    let (pair, app) = app_with_replica(|s| {
        s.replica_check_interval = Duration::from_secs(3600);
    })
    .await;
    let alice = app.register("alice").await;
    app.post_tweet(&alice, "hello").await;
    until(
        "a read answered by the replica",
        Duration::from_secs(10),
        || async {
            let before = reads(&app, "replica", "replica").await;
            let page = tweet_ids(&app, "/api/v1/tweets", None).await;
            !page.is_empty() && reads(&app, "replica", "replica").await > before
        },
    )
    .await;

    pair.replica.stop_immediately();
    let failed_before = reads(&app, "primary", "replica_failed").await;
    for i in 0..20 {
        let token = (i % 2 == 0).then_some(alice.token.as_str());
        assert_eq!(tweet_ids(&app, "/api/v1/tweets", token).await.len(), 1);
        app.get("/api/v1/users/alice", token).await.expect(200);
    }
    assert_eq!(failed_before, 0.0);
    assert_eq!(replica_up(&app, &pair).await, Some(0.0));
    // Alice's reads stay on the primary (she posted, and the window is
    // REPLICA_MAX_LAG + an hour here); of the 20 anonymous ones, the first
    // found the replica dead, the others found it out.
    assert_eq!(reads(&app, "primary", "replica_failed").await, 1.0);
    assert_eq!(reads(&app, "primary", "no_healthy_replica").await, 19.0);
    drop(app);
}

#[derive(QueryableByName)]
struct Lsn {
    #[diesel(sql_type = diesel::sql_types::Text)]
    lsn: String,
}
