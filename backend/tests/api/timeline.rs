//! The home timeline fanned out on write: copies made by a worker outside
//! the request, and reads that are right whatever the worker has done yet.
//! The worker is off in the tests (`fanout_worker = false`, see helpers);
//! each test drains the queue itself where it wants copies, so nothing
//! waits on time — except the one that runs the real worker.

use diesel::{sql_query, sql_types::BigInt, QueryableByName, RunQueryDsl};
use serde_json::Value;

use crate::helpers::{ids, spawn_app_with, TestApp, User};

async fn app(max_followers: i64) -> TestApp {
    spawn_app_with(move |s| {
        s.fanout_worker = false;
        s.fanout_max_followers = max_followers;
    })
    .await
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(app: &TestApp, sql: &str) -> i64 {
    sql_query(sql)
        .get_result::<Count>(&mut app.db.connect())
        .unwrap()
        .n
}

fn drain(app: &TestApp, max_followers: i64) -> tweets::db::fanout::FannedOut {
    tweets::db::fanout::drain(&mut app.db.connect(), max_followers).unwrap()
}

async fn home(app: &TestApp, user: &User) -> Vec<i64> {
    ids(&app.walk("/api/v1/timeline", Some(&user.token), 3).await)
}

fn id(tweet: &Value) -> i64 {
    tweet["id"].as_i64().unwrap()
}

#[actix_web::test]
async fn posting_queues_the_fan_out_and_readers_see_the_tweet_before_and_after_it() {
    let app = app(10_000).await;
    let bob = app.register("bob").await;
    let mut followers = Vec::new();
    for i in 0..5 {
        let f = app.register(&format!("fan{i}")).await;
        app.follow(&f, "bob").await;
        followers.push(f);
    }
    drain(&app, 10_000);
    let tweet = id(&app.post_tweet(&bob, "hello followers").await);
    // The request copied nothing: the tweet waits in the queue.
    assert_eq!(count(&app, "SELECT count(*) AS n FROM home_timeline"), 0);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM fanout_queue"), 1);
    for f in &followers {
        assert_eq!(home(&app, f).await, vec![tweet], "read from the queue");
    }
    let done = drain(&app, 10_000);
    assert_eq!((done.tweets, done.rows), (1, 5));
    assert_eq!(count(&app, "SELECT count(*) AS n FROM fanout_queue"), 0);
    for f in &followers {
        assert_eq!(home(&app, f).await, vec![tweet], "read from the copies");
    }
    assert_eq!(
        home(&app, &bob).await,
        vec![tweet],
        "the author sees it too"
    );
}

#[actix_web::test]
async fn a_new_follow_shows_the_followees_tweets_at_once_and_is_backfilled_later() {
    let app = app(10_000).await;
    let (ana, bob) = (app.register("ana").await, app.register("bob").await);
    let mut posted: Vec<i64> = Vec::new();
    for i in 0..7 {
        posted.push(id(&app.post_tweet(&bob, &format!("old {i}")).await));
    }
    drain(&app, 10_000);
    assert!(home(&app, &ana).await.is_empty());
    app.follow(&ana, "bob").await;
    posted.reverse();
    assert_eq!(home(&app, &ana).await, posted, "before the backfill");
    let done = drain(&app, 10_000);
    assert_eq!((done.follows, done.rows), (1, 7));
    assert_eq!(home(&app, &ana).await, posted, "after the backfill");
}

#[actix_web::test]
async fn an_unfollow_and_a_delete_show_on_the_next_read() {
    let app = app(10_000).await;
    let (ana, bob, cy) = (
        app.register("ana").await,
        app.register("bob").await,
        app.register("cyd").await,
    );
    app.follow(&ana, "bob").await;
    app.follow(&ana, "cyd").await;
    let b1 = id(&app.post_tweet(&bob, "b1").await);
    let c1 = id(&app.post_tweet(&cy, "c1").await);
    let b2 = id(&app.post_tweet(&bob, "b2").await);
    drain(&app, 10_000);
    assert_eq!(home(&app, &ana).await, vec![b2, c1, b1]);
    app.delete(&format!("/api/v1/tweets/{b2}"), Some(&bob.token))
        .await
        .expect(204);
    assert_eq!(home(&app, &ana).await, vec![c1, b1], "deleted");
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) AS n FROM home_timeline WHERE tweet_id = {b2}")
        ),
        0,
        "its copies went with it"
    );
    app.delete("/api/v1/users/bob/follow", Some(&ana.token))
        .await
        .expect(200);
    assert_eq!(
        home(&app, &ana).await,
        vec![c1],
        "unfollowed, copies left behind"
    );
    app.follow(&ana, "bob").await;
    assert_eq!(home(&app, &ana).await, vec![c1, b1], "followed again");
}

#[actix_web::test]
async fn accounts_with_too_many_followers_are_merged_at_read_time_not_copied() {
    let app = app(2).await;
    let star = app.register("star").await;
    let mut fans = Vec::new();
    for i in 0..3 {
        let f = app.register(&format!("fan{i}")).await;
        app.follow(&f, "star").await;
        fans.push(f);
    }
    let first = id(&app.post_tweet(&star, "to many").await);
    let done = drain(&app, 2);
    assert_eq!(done.rows, 0, "three followers is over the limit of two");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM users WHERE fanout_on_read"),
        1
    );
    let second = id(&app.post_tweet(&star, "and more").await);
    drain(&app, 2);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM home_timeline"), 0);
    for f in &fans {
        assert_eq!(home(&app, f).await, vec![second, first]);
    }
}

/// Keyset pagination stays exact while pages come from different sources:
/// the first page read from the queue and pending follows, the rest after
/// the worker copied everything, with new tweets arriving in between.
#[actix_web::test]
async fn pages_neither_repeat_nor_skip_while_the_worker_copies_between_them() {
    let app = app(10_000).await;
    let ana = app.register("ana").await;
    let authors = [app.register("bob").await, app.register("cyd").await];
    app.follow(&ana, "bob").await;
    let mut before = Vec::new();
    for i in 0..12 {
        before.push(id(&app.post_tweet(&authors[i % 2], &format!("t{i}")).await));
    }
    before.push(id(&app.post_tweet(&ana, "mine").await));
    app.follow(&ana, "cyd").await;
    before.sort_unstable_by(|a, b| b.cmp(a));

    let mut seen = Vec::new();
    let mut next = "/api/v1/timeline?limit=4".to_string();
    loop {
        let page = app.get(&next, Some(&ana.token)).await.expect(200);
        seen.extend(ids(page["items"].as_array().unwrap()));
        app.post_tweet(&authors[0], "arrived during the walk").await;
        drain(&app, 10_000);
        match page["next_cursor"].as_str() {
            Some(c) => next = format!("/api/v1/timeline?limit=4&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, before);
}

/// The server's own worker copies a new tweet to the followers' timelines
/// (waited for by watching the queue empty, with a deadline).
#[actix_web::test]
async fn the_servers_worker_empties_the_queue_in_the_background() {
    let app = spawn_app_with(|s| s.fanout_worker = true).await;
    let bob = app.register("bob").await;
    let ana = app.register("ana").await;
    app.follow(&ana, "bob").await;
    let tweet = id(&app.post_tweet(&bob, "copied by the worker").await);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let copy = format!("SELECT count(*) AS n FROM home_timeline WHERE tweet_id = {tweet}");
    while count(&app, &copy) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker never copied the tweet"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(count(&app, "SELECT count(*) AS n FROM fanout_queue"), 0);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM follows WHERE NOT backfilled"
        ),
        0
    );
    assert_eq!(home(&app, &ana).await, vec![tweet]);
}
