//! The `tweets` binary: check, healthcheck, migrate, create-user, seed, and
//! graceful shutdown of `serve`.

use std::{
    io::{Read, Write},
    net::TcpStream,
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

use diesel::{sql_query, sql_types::BigInt, QueryableByName, RunQueryDsl};

use crate::helpers::{
    connect_when_up, free_port, spawn_app, tweets, TestDb, PASSWORD, STRONG_SECRET,
};

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    tweets(args, env).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn check_deploy_lists_every_problem_and_passes_a_good_configuration() {
    let db = TestDb::new();
    let out = run(
        &["check", "--deploy"],
        &[("DATABASE_URL", &db.url), ("CORS_ALLOWED_ORIGINS", "*")],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("APP_ENV is not `production`"), "{text}");
    assert!(text.contains("JWT_SECRET is not set"), "{text}");
    assert!(text.contains("CORS_ALLOWED_ORIGINS"), "{text}");

    let out = run(
        &["check", "--deploy"],
        &[
            ("DATABASE_URL", &db.url),
            ("APP_ENV", "production"),
            ("JWT_SECRET", STRONG_SECRET),
        ],
    );
    // Everything but TLS to the database is fit: that is all it lists (the
    // test cluster has no certificate; scripts/check-db-tls.sh runs
    // check --deploy to a clean pass over verify-full).
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("do not require TLS"), "{text}");
    for other in [
        "APP_ENV",
        "JWT_SECRET",
        "CORS",
        "RATE_LIMIT",
        "ACCESS_TOKEN_TTL",
    ] {
        assert!(!text.contains(other), "{text}");
    }

    assert!(!stdout(&out).contains(STRONG_SECRET));

    let out = run(
        &["check"],
        &[("DATABASE_URL", "postgres://127.0.0.1:1/nowhere")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("not reachable"));
}

#[test]
fn production_refuses_to_serve_with_a_weak_secret() {
    let out = run(
        &["serve"],
        &[
            ("DATABASE_URL", "postgres://127.0.0.1:1/x"),
            ("APP_ENV", "production"),
            ("JWT_SECRET", "short"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("JWT_SECRET is too short"), "{err}");
    assert!(!err.contains("short\n") || err.contains("too short"));
}

#[actix_web::test]
async fn healthcheck_exits_0_only_when_the_server_answers() {
    let app = spawn_app().await;
    let url = app.url("/healthz");
    let status = tweets(&["healthcheck", "--url", &url], &[])
        .status()
        .unwrap();
    assert!(status.success());
    let port = url
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/healthz")
        .to_string();
    let status = tweets(
        &["healthcheck"],
        &[("BIND_ADDR", &format!("0.0.0.0:{port}"))],
    )
    .status()
    .unwrap();
    assert!(status.success(), "default URL from BIND_ADDR");
    let status = tweets(&["healthcheck", "--url", &app.url("/nope")], &[])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let status = tweets(&["healthcheck", "--url", "http://127.0.0.1:1/healthz"], &[])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
}

#[test]
fn migrate_applies_once() {
    let db = TestDb::new();
    // Start from an empty database, not the migrated template.
    let mut conn = db.connect();
    sql_query("DROP SCHEMA public CASCADE")
        .execute(&mut conn)
        .unwrap();
    sql_query("CREATE SCHEMA public")
        .execute(&mut conn)
        .unwrap();
    let out = run(&["migrate"], &[("DATABASE_URL", &db.url)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("applied 20261125180000"),
        "{}",
        stdout(&out)
    );
    let out = run(&["migrate"], &[("DATABASE_URL", &db.url)]);
    assert!(stdout(&out).contains("up to date"));
}

/// With MIGRATE_ON_START=false, `serve` neither migrates nor starts on a
/// database with pending migrations (a deploy's own `tweets migrate` step
/// comes first); once they are applied it serves.
#[actix_web::test]
async fn serve_without_migrating_refuses_pending_migrations() {
    let db = TestDb::new();
    let mut conn = db.connect();
    sql_query("DELETE FROM __diesel_schema_migrations WHERE version = '20261201160000'")
        .execute(&mut conn)
        .unwrap();
    sql_query("ALTER TABLE users DROP COLUMN is_admin, DROP COLUMN deactivated_at")
        .execute(&mut conn)
        .unwrap();
    sql_query("DROP TABLE audit_log")
        .execute(&mut conn)
        .unwrap();
    let env = [
        ("DATABASE_URL", db.url.as_str()),
        ("MIGRATE_ON_START", "false"),
        ("BIND_ADDR", "127.0.0.1:0"),
        ("METRICS_ADDR", "off"),
        ("JWT_SECRET", STRONG_SECRET),
    ];
    let out = run(&["serve"], &env);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 migration(s) pending (20261201160000) and MIGRATE_ON_START=false"),
        "{err}"
    );
    // Nothing was applied.
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let applied: Count = sql_query(
        "SELECT count(*) AS n FROM __diesel_schema_migrations WHERE version = '20261201160000'",
    )
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(applied.n, 0);
    let out = run(&["migrate"], &[("DATABASE_URL", &db.url)]);
    assert!(
        stdout(&out).contains("applied 20261201160000"),
        "{}",
        stdout(&out)
    );
    let served = crate::helpers::Served::start(&[
        ("DATABASE_URL", db.url.as_str()),
        ("MIGRATE_ON_START", "false"),
    ]);
    let ready = reqwest::get(format!("{}/readyz", served.address))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
}

#[actix_web::test]
async fn create_user_reads_the_password_from_stdin() {
    let app = spawn_app().await;
    let mut child = tweets(
        &["create-user", "Admin_1", "--display-name", "The Admin"],
        &[("DATABASE_URL", &app.db.url)],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .spawn()
    .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(stdout(&out).contains("created user Admin_1"));
    let session = app.login("admin_1", PASSWORD).await.expect(200);
    assert_eq!(session["user"]["display_name"], "The Admin");

    let mut child = tweets(&["create-user", "other"], &[("DATABASE_URL", &app.db.url)])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("password must be at least 8"));
}

/// Seeding after the newest tweets were deleted (the sequence is then
/// ahead of the highest id) still makes consistent replies.
#[actix_web::test]
async fn seed_after_deleting_the_newest_tweets() {
    let app = spawn_app().await;
    let env = [("DATABASE_URL", app.db.url.as_str())];
    let seed = |prefix: &'static str| {
        run(
            &[
                "seed",
                "--prefix",
                prefix,
                "--users",
                "5",
                "--tweets",
                "40",
                "--follows-per-user",
                "2",
                "--likes-per-user",
                "1",
            ],
            &env,
        )
    };
    let out = seed("one");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    sql_query("DELETE FROM tweets WHERE id > (SELECT max(id) - 15 FROM tweets)")
        .execute(&mut app.db.connect())
        .unwrap();
    let out = seed("two");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let orphans: Mismatches = sql_query(
        "SELECT count(*) AS n FROM tweets r WHERE r.reply_to_id IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM tweets p WHERE p.id = r.reply_to_id)",
    )
    .get_result(&mut app.db.connect())
    .unwrap();
    assert_eq!(orphans.n, 0);
}

#[derive(QueryableByName)]
struct Mismatches {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[actix_web::test]
async fn seed_fills_the_database_with_consistent_counters() {
    let app = spawn_app().await;
    let out = run(
        &[
            "seed",
            "--users",
            "30",
            "--tweets",
            "2000",
            "--follows-per-user",
            "5",
            "--likes-per-user",
            "4",
        ],
        &[("DATABASE_URL", &app.db.url)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("seeded 30 users, 2000 tweets (200 replies)"),
        "{}",
        stdout(&out)
    );

    // Every denormalised counter equals the real count.
    let mut conn = app.db.connect();
    let check: Mismatches = sql_query(
        "SELECT count(*) AS n FROM users u WHERE \
           u.tweets_count <> (SELECT count(*) FROM tweets WHERE author_id = u.id) OR \
           u.followers_count <> (SELECT count(*) FROM follows WHERE followee_id = u.id) OR \
           u.following_count <> (SELECT count(*) FROM follows WHERE follower_id = u.id)",
    )
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(check.n, 0);
    let check: Mismatches = sql_query(
        "SELECT count(*) AS n FROM tweets t WHERE \
           t.like_count <> (SELECT count(*) FROM likes WHERE tweet_id = t.id) OR \
           t.reply_count <> (SELECT count(*) FROM tweets r WHERE r.reply_to_id = t.id)",
    )
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(check.n, 0);

    // The foreign keys the seed set aside for speed are all back.
    let fks: Mismatches = sql_query("SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f'")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(fks.n, 25);

    // Realistic data: 90 days of tweets, hashtags and mentions, a skewed
    // follow graph; and ready to serve: home timelines filled, no queue
    // left, the tables vacuumed.
    let n = |sql: &str| {
        sql_query(sql)
            .get_result::<Mismatches>(&mut app.db.connect())
            .unwrap()
            .n
    };
    assert!(
        n("SELECT extract(day FROM max(created_at) - min(created_at))::bigint AS n FROM tweets")
            >= 89
    );
    assert!(n("SELECT count(*) AS n FROM tweet_tags") > 100);
    assert!(n("SELECT count(*) AS n FROM tweets WHERE text LIKE '%@demo%'") > 100);
    assert!(n("SELECT count(DISTINCT text) AS n FROM tweets") > 200);
    assert!(
        n("SELECT max(followers_count) - 4 * percentile_disc(0.5) WITHIN GROUP (ORDER BY followers_count) AS n FROM users") > 0,
        "a few accounts gather many followers"
    );
    assert_eq!(n("SELECT count(*) AS n FROM fanout_queue"), 0);
    assert_eq!(
        n("SELECT count(*) AS n FROM follows WHERE NOT backfilled"),
        0
    );
    assert!(n("SELECT count(*) AS n FROM home_timeline") > 1000);
    assert_eq!(
        n("SELECT count(*) AS n FROM pg_stat_user_tables WHERE relname IN ('tweets', 'home_timeline') AND last_vacuum IS NOT NULL"),
        2
    );
    // Every home timeline holds exactly the tweets of the accounts followed.
    assert_eq!(
        n("SELECT count(*) AS n FROM ( \
             (SELECT f.follower_id, t.id FROM follows f JOIN tweets t ON t.author_id = f.followee_id \
              EXCEPT SELECT user_id, tweet_id FROM home_timeline) \
             UNION ALL \
             (SELECT user_id, tweet_id FROM home_timeline \
              EXCEPT SELECT f.follower_id, t.id FROM follows f JOIN tweets t ON t.author_id = f.followee_id)) d"),
        0
    );

    // Seeded accounts can log in, and the data reads back through the API.
    let session = app.login("demo1", "demo-password").await.expect(200);
    assert!(session["user"]["tweets_count"].as_i64().unwrap() > 0);
    assert_eq!(app.walk("/api/v1/tweets", None, 100).await.len(), 2000);
    // Seeding twice adds tweets but no duplicate users.
    let out = run(
        &["seed", "--users", "30", "--tweets", "10"],
        &[("DATABASE_URL", &app.db.url)],
    );
    assert!(stdout(&out).contains("seeded 0 users"), "{}", stdout(&out));
}

fn read_response(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).unwrap();
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some(head_end) = text.find("\r\n\r\n") {
            let len: usize = text[..head_end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if buf.len() >= head_end + 4 + len {
                return text.into_owned();
            }
        }
        assert!(n > 0, "connection closed early: {text}");
    }
}

#[test]
fn serve_finishes_in_flight_requests_on_sigterm() {
    let db = TestDb::new();
    let port = free_port();
    let media = std::env::temp_dir().join(format!("tweets-media-{port}"));
    let mut child = tweets(
        &["serve"],
        &[
            ("DATABASE_URL", &db.url),
            ("BIND_ADDR", &format!("127.0.0.1:{port}")),
            ("JWT_SECRET", STRONG_SECRET),
            ("MEDIA_ROOT", media.to_str().unwrap()),
            ("HTTP_WORKERS", "1"),
        ],
    )
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let mut stream = connect_when_up(port, &mut child);
    // One full exchange: the connection is now owned by a worker.
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert!(read_response(&mut stream).starts_with("HTTP/1.1 200"));
    // Start a registration and hold back its body: `100 Continue` proves the
    // server has parsed the request and is waiting for the body.
    let body = format!(r#"{{"username":"late_user","password":"{PASSWORD}"}}"#);
    write!(
        stream,
        "POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // The request in flight still completes…
    stream.write_all(body.as_bytes()).unwrap();
    let response = read_response(&mut stream);
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    drop(stream);
    // …and then the process exits cleanly.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    let _ = std::fs::remove_dir_all(media);
}

/// `tweets config` shows each variable read, its source (the environment
/// wins over `.env`), secrets and URL passwords hidden, and exits 1 with the
/// problems when the configuration is invalid.
#[test]
fn config_shows_every_setting_with_its_source_and_no_secret() {
    let dir = std::env::temp_dir().join(format!("tweets-config-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(".env"),
        "HTTP_WORKERS=3\nRATE_LIMIT_POSTS_PER_MINUTE=9\nJWT_SECRET=dotenv-secret-0123456789abcdefghijkl\n",
    )
    .unwrap();
    let run = |env: &[(&str, &str)]| {
        let out = crate::helpers::tweets(&["config"], env)
            .current_dir(&dir)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, text) = run(&[
        (
            "DATABASE_URL",
            "postgres://app:hunter2@db.internal:5432/tweets",
        ),
        ("RATE_LIMIT_POSTS_PER_MINUTE", "5"),
    ]);
    assert_eq!(code, Some(0), "{text}");
    let line = |name: &str| {
        text.lines()
            .find(|l| {
                l.starts_with(&format!("{name}=")) || l.split_whitespace().next() == Some(name)
            })
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_string()
    };
    assert!(
        line("DATABASE_URL").starts_with("DATABASE_URL=postgres://app:***@db.internal:5432/tweets")
    );
    assert!(line("DATABASE_URL").ends_with("# environment"));
    assert!(
        line("RATE_LIMIT_POSTS_PER_MINUTE").starts_with("RATE_LIMIT_POSTS_PER_MINUTE=5 "),
        "the environment wins"
    );
    assert!(
        line("HTTP_WORKERS").starts_with("HTTP_WORKERS=3")
            && line("HTTP_WORKERS").ends_with("# .env")
    );
    assert!(line("JWT_SECRET").starts_with("JWT_SECRET=(set, hidden)"));
    assert!(line("DB_POOL_SIZE").ends_with("# unset: the default applies"));
    assert!(
        !text.contains("hunter2") && !text.contains("dotenv-secret"),
        "{text}"
    );
    assert!(text.contains("# the configuration is valid"));

    let (code, text) = run(&[("DB_POOL_SIZE", "zero")]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("# invalid configuration"), "{text}");
    assert!(text.contains("DB_POOL_SIZE"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
