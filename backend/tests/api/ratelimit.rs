//! Rate limits shared through Redis across API instances, and what happens
//! when Redis is not there.

use std::{
    net::TcpStream,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::helpers::{spawn_app_with, PASSWORD};

/// A throwaway redis-server on a free port, stopped on drop.
struct Redis {
    child: Child,
    url: String,
    port: u16,
}

impl Redis {
    fn start() -> Self {
        Self::start_on(crate::helpers::free_port())
    }

    fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("redis-server is needed for this test (apt-get install redis-server): {e}")
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            child,
            url: format!("redis://127.0.0.1:{port}/"),
            port,
        }
    }

    /// Rate-limit keys Redis holds.
    fn keys(&self) -> usize {
        let mut conn = redis::Client::open(self.url.as_str())
            .unwrap()
            .get_connection()
            .unwrap();
        redis::cmd("KEYS")
            .arg("tweets:rl:*")
            .query::<Vec<String>>(&mut conn)
            .unwrap()
            .len()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[actix_web::test]
async fn with_redis_every_instance_counts_against_one_limit() {
    let redis = Redis::start();
    let settings = |s: &mut tweets::Settings| {
        s.rate_limits.auth_per_minute = 3;
        s.redis_url = Some(redis.url.clone());
    };
    let a = spawn_app_with(settings).await;
    let b = spawn_app_with(settings).await;
    a.login("nobody_a", PASSWORD).await.problem(401);
    b.login("nobody_b", PASSWORD).await.problem(401);
    a.login("nobody_a", PASSWORD).await.problem(401);
    // The fourth request, on either instance, is over the shared limit.
    let res = b.login("nobody_b", PASSWORD).await;
    res.problem(429);
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    a.login("nobody_a", PASSWORD).await.problem(429);
}

#[actix_web::test]
async fn without_redis_answering_each_instance_still_limits_and_nothing_fails() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app_with(|s| {
        s.rate_limits.auth_per_minute = 2;
        s.redis_url = Some(format!("redis://127.0.0.1:{port}/"));
    })
    .await;
    app.login("nobody", PASSWORD).await.problem(401);
    app.login("nobody", PASSWORD).await.problem(401);
    app.login("nobody", PASSWORD).await.problem(429);
}

#[test]
fn a_malformed_redis_url_is_a_configuration_error() {
    let err = tweets::Settings::from_lookup(|k| match k {
        "DATABASE_URL" => Some("postgres://x/y".into()),
        "REDIS_URL" => Some("http://not-redis".into()),
        _ => None,
    })
    .unwrap_err();
    assert!(err.to_string().contains("REDIS_URL"), "{err}");
}

/// The value of a gauge in the metrics text.
fn gauge(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

#[actix_web::test]
async fn a_redis_outage_is_skipped_at_full_speed_and_redis_is_used_again_when_back() {
    let redis = Redis::start();
    let app = spawn_app_with(|s| {
        s.rate_limits.posts_per_minute = 100_000;
        s.redis_url = Some(redis.url.clone());
    })
    .await;
    let alice = app.register("alice").await;
    app.post_tweet(&alice, "with redis").await;
    assert_eq!(redis.keys(), 1);
    let text = app.metrics().await.text;
    assert_eq!(gauge(&text, "ratelimit_redis_configured"), Some(1.0));
    assert_eq!(gauge(&text, "ratelimit_redis_up"), Some(1.0));

    let port = redis.port;
    drop(redis);
    let mut slowest = Duration::ZERO;
    for i in 0..30 {
        let start = Instant::now();
        app.post_tweet(&alice, &format!("without redis {i}")).await;
        slowest = slowest.max(start.elapsed());
    }
    // Each request skips Redis instead of waiting for it (was 1.5 s each).
    assert!(slowest < Duration::from_millis(300), "{slowest:?}");
    assert_eq!(
        gauge(&app.metrics().await.text, "ratelimit_redis_up"),
        Some(0.0)
    );

    // Back: a background probe notices, and limits are shared again.
    let redis = Redis::start_on(port);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        app.post_tweet(&alice, "probing").await;
        if gauge(&app.metrics().await.text, "ratelimit_redis_up") == Some(1.0) {
            break;
        }
        assert!(Instant::now() < deadline, "Redis was not used again");
        std::thread::sleep(Duration::from_millis(50));
    }
    app.post_tweet(&alice, "with redis again").await;
    assert_eq!(redis.keys(), 1);
}
