//! Faults on the way to the database, answered without a 500 or a hang and
//! without an answer that contradicts what was stored. (The fault suite,
//! `make faults`, stops and freezes real PostgreSQL and Redis processes.)

use std::time::{Duration, Instant};

use diesel::{
    connection::SimpleConnection, sql_query, sql_types::BigInt, Connection, QueryableByName,
    RunQueryDsl,
};
use serde_json::json;

use crate::helpers::{spawn_app_on, spawn_app_with, TestDb};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn tweets_stored(conn: &mut diesel::PgConnection) -> i64 {
    sql_query("SELECT count(*) AS n FROM tweets")
        .get_result::<Count>(conn)
        .unwrap()
        .n
}

/// The answer to a new tweet is read in the transaction that writes it: when
/// that read fails, nothing was stored, so a retry cannot make a duplicate.
/// (Here the read fails because the app's role may not read the author's
/// display name; the insert itself, and its counter trigger, may.)
#[actix_web::test]
async fn a_tweet_whose_answer_cannot_be_read_is_not_stored() {
    let db = TestDb::new();
    let role = format!("tweets_app_{}", uuid::Uuid::new_v4().simple());
    let mut admin = db.connect();
    sql_query(format!("CREATE ROLE {role} LOGIN"))
        .execute(&mut admin)
        .unwrap();
    admin
        .batch_execute(&format!(
            "GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}; \
             GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}; \
             REVOKE SELECT ON users FROM {role}; \
             GRANT SELECT (id, username, password_hash, bio, avatar_path, followers_count, \
               following_count, tweets_count, created_at, failed_logins, \
               last_failed_login_at, login_blocked_until) ON users TO {role};"
        ))
        .unwrap();
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_username(&role).unwrap();
    // Only the user differs from the default URL, so the `sslmode` derived
    // from it (`database_sslmode`) stays right.
    let app = spawn_app_on(db, |s| s.database_url = url.to_string()).await;
    // Registration reads display_name too; make the account as the admin.
    sql_query(
        "INSERT INTO users (username, password_hash, display_name) \
         VALUES ('writer', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g', 'W')",
    )
    .execute(&mut admin)
    .unwrap();
    let (user_id, session) = {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = BigInt)]
            id: i64,
        }
        let user: Id = sql_query("SELECT id FROM users WHERE username = 'writer'")
            .get_result(&mut admin)
            .unwrap();
        let session: Id = sql_query(format!(
            "INSERT INTO sessions (user_id, expires_at) VALUES ({}, now() + interval '1 hour') RETURNING id",
            user.id
        ))
        .get_result(&mut admin)
        .unwrap();
        (user.id, session.id)
    };
    let token = tweets::auth::JwtKeys::new(
        crate::helpers::JWT_SECRET.as_bytes(),
        Duration::from_secs(600),
    )
    .issue(tweets::domain::UserId::new(user_id).unwrap(), session)
    .unwrap();
    let res = app
        .json(
            reqwest::Method::POST,
            "/api/v1/tweets",
            Some(&token),
            &json!({"text": "does this exist?"}),
        )
        .await;
    assert!(res.status.is_server_error(), "{}: {}", res.status, res.text);
    assert_eq!(
        tweets_stored(&mut admin),
        0,
        "an answered error left a tweet"
    );
    drop(app);
    admin
        .batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role};"))
        .ok();
}

/// Holds `LOCK TABLE tweets` in its own session until dropped.
struct TableLock(diesel::PgConnection);

impl TableLock {
    fn take(db: &TestDb) -> Self {
        let mut conn = db.connect();
        conn.batch_execute("BEGIN; LOCK TABLE tweets IN ACCESS EXCLUSIVE MODE;")
            .unwrap();
        Self(conn)
    }

    fn release(mut self) {
        self.0.batch_execute("COMMIT").unwrap();
    }
}

/// Waits (polling, bounded) until a statement of the app waits on a lock.
fn wait_for_lock_waiter(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut conn = diesel::PgConnection::establish(url).unwrap();
    loop {
        let waiting: Count = sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .get_result(&mut conn)
        .unwrap();
        if waiting.n > 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no statement ever waited on the lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[actix_web::test]
async fn readyz_answers_within_a_second_while_the_pool_is_exhausted() {
    let app = spawn_app_with(|s| {
        s.db_pool_size = 1;
        s.db_pool_timeout = Duration::from_secs(5);
        s.db_statement_timeout = Duration::from_secs(30);
    })
    .await;
    let alice = app.register("alice").await;
    let lock = TableLock::take(&app.db);
    // The only connection waits on the lock inside a post.
    let body = json!({"text": "held"});
    let post = app.json(
        reqwest::Method::POST,
        "/api/v1/tweets",
        Some(&alice.token),
        &body,
    );
    let (posted, ready) = futures_util::future::join(post, async {
        let url = app.db.url.clone();
        actix_web::rt::task::spawn_blocking(move || wait_for_lock_waiter(&url))
            .await
            .unwrap();
        let start = Instant::now();
        let res = app.get("/readyz", None).await;
        let took = start.elapsed();
        lock.release();
        (res, took)
    })
    .await;
    let (res, took) = ready;
    res.problem(503);
    assert_eq!(res.header("retry-after"), Some("5"));
    assert!(took < Duration::from_millis(1200), "readyz took {took:?}");
    posted.expect(201);
    app.get("/readyz", None).await.expect(200);
}

#[actix_web::test]
async fn a_statement_stuck_behind_a_lock_is_cancelled_and_answered_503() {
    let app = spawn_app_with(|s| {
        s.db_pool_timeout = Duration::from_secs(5);
        s.db_statement_timeout = Duration::from_secs(1);
    })
    .await;
    let alice = app.register("alice").await;
    let lock = TableLock::take(&app.db);
    let start = Instant::now();
    let res = app
        .json(
            reqwest::Method::POST,
            "/api/v1/tweets",
            Some(&alice.token),
            &json!({"text": "stuck"}),
        )
        .await;
    let took = start.elapsed();
    res.problem(503);
    assert_eq!(res.header("retry-after"), Some("5"));
    assert!(took < Duration::from_secs(3), "{took:?}");
    lock.release();
    app.post_tweet(&alice, "after the lock").await;
}

/// A statement that takes `secs`, in a hand-off of its own.
async fn sleep_for(pool: &tweets::db::DbPool, secs: f64) -> Result<(), tweets::db::Error> {
    tweets::db::run(pool, move |conn| {
        sql_query(format!("SELECT pg_sleep({secs})"))
            .execute(conn)
            .map(|_| ())
            .map_err(tweets::db::Error::from)
    })
    .await
}

/// `make faults` found a signed-in read answered after 4 s with a 2 s pool
/// timeout and a 1 s statement timeout: it confirmed its session in one
/// hand-off and read in a second, and each got both bounds. The bounds are
/// the request's (`docs/operations.md`): whatever the number of hand-offs,
/// its database work ends by `DB_POOL_TIMEOUT + DB_STATEMENT_TIMEOUT`.
#[actix_web::test]
async fn a_request_spends_at_most_one_pool_wait_and_one_statement_timeout() {
    let db = TestDb::new();
    let pool = tweets::db::build_pool(
        &db.url,
        1,
        Duration::from_secs(2),
        Duration::from_secs(1),
        tweets::db::PoolMetrics::default(),
    );
    let budget = Duration::from_secs(3);

    // Statements: three of 0.9 s fit in 3 s, the fourth gets what is left
    // (0.3 s) as its timeout and is cancelled.
    let start = Instant::now();
    let outcomes = tweets::db::budget::scope(budget, async {
        let mut outcomes = Vec::new();
        for _ in 0..4 {
            outcomes.push(sleep_for(&pool, 0.9).await.is_ok());
        }
        outcomes
    })
    .await;
    let took = start.elapsed();
    assert_eq!(outcomes, [true, true, true, false]);
    assert!(took < budget + Duration::from_millis(300), "{took:?}");

    // The connection's own timeouts are back: 0.9 s passes outside a request.
    sleep_for(&pool, 0.9).await.unwrap();
    let shown: String = tweets::db::run(&pool, |conn| {
        #[derive(QueryableByName)]
        struct Shown {
            #[diesel(sql_type = diesel::sql_types::Text)]
            statement_timeout: String,
        }
        sql_query("SHOW statement_timeout")
            .get_result::<Shown>(conn)
            .map(|s| s.statement_timeout)
            .map_err(tweets::db::Error::from)
    })
    .await
    .unwrap();
    assert_eq!(shown, "1s");

    // Pool waits: with 2.7 s spent and the only connection taken, the next
    // hand-off waits what is left (0.3 s), not the pool's 2 s.
    let waited = tweets::db::budget::scope(budget, async {
        for _ in 0..3 {
            sleep_for(&pool, 0.9).await.unwrap();
        }
        let held = pool.get().unwrap();
        let start = Instant::now();
        let outcome = sleep_for(&pool, 0.0).await;
        drop(held);
        (outcome, start.elapsed())
    })
    .await;
    assert!(
        matches!(waited.0, Err(tweets::db::Error::Unavailable(_))),
        "{:?}",
        waited.0
    );
    assert!(
        waited.1 < Duration::from_millis(800),
        "waited {:?}",
        waited.1
    );
}
