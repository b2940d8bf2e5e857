//! Server-Sent Events: notifications and the home timeline pushed live,
//! across API processes (PostgreSQL LISTEN/NOTIFY).

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::{spawn_app_with, Served, TestApp, JWT_SECRET};

/// An open event stream, read frame by frame.
struct Stream {
    res: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(base: &str, path: &str, token: &str, last_event_id: Option<i64>) -> Self {
        let mut req = reqwest::Client::new()
            .get(format!("{base}{path}"))
            .bearer_auth(token);
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id.to_string());
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(
            res.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        assert_eq!(res.headers()["x-accel-buffering"], "no");
        Self {
            res,
            buffer: String::new(),
        }
    }

    /// The next event (`id`, `event`, JSON `data`), skipping comments;
    /// fails after 15 s (a deadline, not a wait: events come in
    /// milliseconds).
    async fn next(&mut self) -> (i64, String, Value) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                if frame.starts_with(':') {
                    continue;
                }
                let field = |name: &str| {
                    frame
                        .lines()
                        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                        .unwrap_or_else(|| panic!("no {name} in {frame:?}"))
                        .to_string()
                };
                let data = serde_json::from_str(&field("data")).unwrap();
                return (field("id").parse().unwrap(), field("event"), data);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let chunk = tokio::time::timeout(left, self.res.chunk())
                .await
                .expect("no event within 15 s")
                .unwrap()
                .expect("the stream ended");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}

async fn live_app() -> TestApp {
    spawn_app_with(|s| s.live_events = true).await
}

/// Alice listens on one process; Bob acts on another: the like, the
/// follow, the mention and the new tweet reach her stream as they happen.
#[actix_web::test]
async fn events_cross_processes_to_the_notification_and_home_streams() {
    let app = live_app().await;
    let other = Served::start(&[("DATABASE_URL", &app.db.url), ("JWT_SECRET", JWT_SECRET)]);
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let tweet = app.post_tweet(&alice, "listen").await["id"]
        .as_i64()
        .unwrap();
    app.follow(&alice, "bob").await;

    let mut notes = Stream::open(
        &other.address,
        "/api/v1/streaming/notifications",
        &alice.token,
        None,
    )
    .await;
    let mut home = Stream::open(&other.address, "/api/v1/streaming/home", &alice.token, None).await;

    app.put(&format!("/api/v1/tweets/{tweet}/like"), Some(&bob.token))
        .await
        .expect(200);
    let (first, event, data) = notes.next().await;
    assert_eq!(event, "notification");
    assert_eq!(
        (data["kind"].as_str(), data["tweet_id"].as_i64()),
        (Some("like"), Some(tweet))
    );
    assert_eq!(data["actor"]["username"], "bob");
    assert_eq!(data["unread_count"], 1);
    assert_eq!(data["id"], first);

    app.follow(&bob, "alice").await;
    let (second, _, data) = notes.next().await;
    assert_eq!(data["kind"], "follow");
    assert!(second > first);

    let posted = app.post_tweet(&bob, "hello @alice").await["id"]
        .as_i64()
        .unwrap();
    let (_, event, data) = home.next().await;
    assert_eq!(event, "tweet");
    assert_eq!(data["id"], posted);
    assert_eq!(data["text"], "hello @alice");
    let (_, _, data) = notes.next().await;
    assert_eq!(data["kind"], "mention");

    // A repost by someone Alice follows arrives as the original, reposted.
    let carol = app.register("carol").await;
    let carols = app.post_tweet(&carol, "from carol").await["id"]
        .as_i64()
        .unwrap();
    app.put(&format!("/api/v1/tweets/{carols}/repost"), Some(&bob.token))
        .await
        .expect(200);
    let (_, _, data) = home.next().await;
    assert_eq!(
        (
            data["id"].as_i64(),
            data["reposted_by"]["username"].as_str()
        ),
        (Some(carols), Some("bob"))
    );

    // Reconnecting with Last-Event-ID: what came after it, in order.
    let mut again = Stream::open(
        &app.address,
        "/api/v1/streaming/notifications",
        &alice.token,
        Some(first),
    )
    .await;
    let (id, _, data) = again.next().await;
    assert_eq!((id, data["kind"].as_str()), (second, Some("follow")));
    let (_, _, data) = again.next().await;
    assert_eq!(data["kind"], "mention");
    drop(other);
}

/// A stream follows the account's follows: a tweet by someone followed
/// after the stream opened arrives too; an unfollowed account's does not.
#[actix_web::test]
async fn the_home_stream_follows_new_follows() {
    let app = live_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    app.follow(&alice, "carol").await;
    let mut home = Stream::open(&app.address, "/api/v1/streaming/home", &alice.token, None).await;
    app.follow(&alice, "bob").await;
    app.delete("/api/v1/users/carol/follow", Some(&alice.token))
        .await
        .expect(200);
    app.post_tweet(&carol, "not for alice").await;
    let from_bob = app.post_tweet(&bob, "for alice").await["id"]
        .as_i64()
        .unwrap();
    let mine = app.post_tweet(&alice, "mine").await["id"].as_i64().unwrap();
    assert_eq!(home.next().await.2["id"], from_bob);
    assert_eq!(home.next().await.2["id"], mine);
}

#[actix_web::test]
async fn streams_need_a_token_and_a_valid_last_event_id() {
    let app = live_app().await;
    let alice = app.register("alice").await;
    app.get("/api/v1/streaming/notifications", None)
        .await
        .problem(401);
    app.get("/api/v1/streaming/home", None).await.problem(401);
    for bad in ["x", "-1", "1.5"] {
        let res = app
            .send(
                app.request(
                    reqwest::Method::GET,
                    "/api/v1/streaming/home",
                    Some(&alice.token),
                )
                .header("last-event-id", bad),
            )
            .await;
        res.problem(400);
    }
}
