//! Regression tests for holes found by probing the API as an attacker would.

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::Duration,
};

use diesel::{sql_query, RunQueryDsl};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, PASSWORD};

#[actix_web::test]
async fn fresh_idempotency_keys_do_not_skip_the_post_limit() {
    let app = spawn_app_with(|s| s.rate_limits.posts_per_minute = 3).await;
    let alice = app.register("alice").await;
    let post = |key: String| {
        app.send(
            app.request(Method::POST, "/api/v1/tweets", Some(&alice.token))
                .header("idempotency-key", key)
                .json(&json!({"text": "spam"})),
        )
    };
    for i in 0..3 {
        post(format!("key-{i}")).await.expect(201);
    }
    // A new key is a new request: it counts, and the limit holds.
    let res = post("key-3".into()).await;
    res.problem(429);
    assert!(res.header("retry-after").is_some());
    // Only a replay of a stored key skips the limiter: it made nothing new.
    let replay = post("key-0".into()).await.expect(200);
    assert_eq!(replay["text"], "spam");
    let page = app.get("/api/v1/tweets", None).await.expect(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn password_hashing_is_bounded_and_the_overflow_gets_503_with_retry_after() {
    let app = spawn_app_with(|s| {
        s.password_hash_concurrency = 1;
        s.password_hash_queue_timeout = Duration::ZERO;
    })
    .await;
    app.register("bob").await;
    let attempts = (0..24).map(|_| app.login("bob", "wrong password"));
    let answers = futures_util::future::join_all(attempts).await;
    let mut busy = 0;
    for res in &answers {
        match res.status.as_u16() {
            401 => {}
            503 => {
                busy += 1;
                assert_eq!(res.header("retry-after"), Some("5"));
                res.problem(503);
            }
            other => panic!("unexpected {other}: {}", res.text),
        }
    }
    assert!(
        busy > 0,
        "24 parallel hashes on one slot with no queue: some must wait"
    );
    assert!(busy < answers.len(), "at least one got its slot");
}

/// Peak resident memory of a process, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[actix_web::test]
async fn a_burst_of_logins_keeps_resident_memory_flat() {
    // A real server process, so its memory is its own.
    let db = crate::helpers::TestDb::new();
    let server = crate::helpers::Served::start(&[("DATABASE_URL", &db.url)]);
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/auth/register", server.address);
    let res = client
        .post(&url)
        .json(&json!({"username": "mem", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let before = peak_rss_kib(server.pid());
    let login = format!("{}/api/v1/auth/login", server.address);
    let burst = (0..90).map(|_| {
        client
            .post(&login)
            .json(&json!({"username": "mem", "password": "not the password"}))
            .send()
    });
    for res in futures_util::future::join_all(burst).await {
        let status = res.unwrap().status().as_u16();
        assert!(matches!(status, 401 | 429 | 503), "{status}");
    }
    let grown_mib = (peak_rss_kib(server.pid()) - before) / 1024;
    assert!(grown_mib < 300, "resident memory grew by {grown_mib} MiB");
}

#[actix_web::test]
async fn failed_logins_against_one_account_back_off_whatever_the_address() {
    let app = spawn_app_with(|s| s.trust_forwarded_for = true).await;
    let carol = app.register("carol").await;
    let login_from = |addr: String, password: &'static str| {
        app.send(
            app.request(Method::POST, "/api/v1/auth/login", None)
                .header("x-forwarded-for", addr)
                .json(&json!({"username": "carol", "password": password})),
        )
    };
    for i in 0..5 {
        login_from(format!("203.0.113.{i}"), "guess")
            .await
            .problem(401);
    }
    // The sixth failure starts the back-off…
    login_from("203.0.113.99".into(), "guess")
        .await
        .problem(401);
    // …and while it runs even the right password from elsewhere waits.
    let res = login_from("198.51.100.7".into(), PASSWORD).await;
    res.problem(429);
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");

    // A device that already holds a session of the account gets through.
    let res = app
        .json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"username": "carol", "password": PASSWORD, "refresh_token": carol.refresh_token}),
        )
        .await;
    res.expect(200);
    // …and its success clears the count: once the back-off has run out
    // (moved into the past here), anyone signs in again.
    sql_query("UPDATE users SET login_blocked_until = now() - interval '1 second'")
        .execute(&mut app.db.connect())
        .unwrap();
    login_from("198.51.100.7".into(), PASSWORD)
        .await
        .expect(200);

    // Each failure past the free ones doubles the wait, capped at 15 minutes.
    sql_query("UPDATE users SET failed_logins = 40, last_failed_login_at = now()")
        .execute(&mut app.db.connect())
        .unwrap();
    login_from("203.0.113.1".into(), "guess").await.problem(401);
    let res = login_from("203.0.113.1".into(), PASSWORD).await;
    res.problem(429);
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((890..=900).contains(&retry), "{retry}");
}

/// Sends raw bytes and reads until the server closes the connection.
fn raw_exchange(addr: &str, request: &[u8]) -> (String, Duration) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let start = std::time::Instant::now();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    (
        String::from_utf8_lossy(&answer).into_owned(),
        start.elapsed(),
    )
}

#[actix_web::test]
async fn a_stalled_body_gets_408_and_its_connection_closed() {
    let app = spawn_app_with(|s| {
        s.body_idle_timeout = Duration::from_secs(1);
        s.body_read_timeout = Duration::from_secs(30);
    })
    .await;
    let alice = app.register("alice").await;
    let addr = app.address.trim_start_matches("http://").to_string();
    let request = format!(
        "POST /api/v1/tweets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"text\": \"sta",
        alice.token
    );
    // Many at once: every one is answered and closed, none held open.
    let stalled = (0..20).map(|_| {
        let (addr, request) = (addr.clone(), request.clone());
        actix_web::rt::task::spawn_blocking(move || raw_exchange(&addr, request.as_bytes()))
    });
    for answer in futures_util::future::join_all(stalled).await {
        let (text, took) = answer.unwrap();
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        assert!(text.contains("application/problem+json"), "{text}");
        assert!(took < Duration::from_secs(15), "{took:?}");
    }
}

#[actix_web::test]
async fn login_names_follow_the_registration_rule() {
    let app = spawn_app().await;
    app.register("kate").await;
    for name in [
        "ka\0te",
        "kate\0",
        "\u{212A}ate",
        "KATE\u{0301}",
        &"k".repeat(10_000),
    ] {
        let res = app.login(name, PASSWORD).await;
        res.problem(401);
    }
    app.login("KATE", PASSWORD).await.expect(200);
}

#[actix_web::test]
async fn tokens_of_deleted_accounts_are_refused_everywhere() {
    let app = spawn_app().await;
    let ghost = app.register("ghost").await;
    let alice = app.register("alice").await;
    let tweet = app.post_tweet(&alice, "hello").await;
    let id = tweet["id"].as_i64().unwrap();
    sql_query(format!("DELETE FROM users WHERE id = {}", ghost.id))
        .execute(&mut app.db.connect())
        .unwrap();
    let token = Some(ghost.token.as_str());
    for (method, path) in [
        (Method::GET, "/api/v1/tweets".to_string()),
        (Method::GET, "/api/v1/timeline".into()),
        (Method::GET, format!("/api/v1/tweets/{id}")),
        (Method::GET, format!("/api/v1/tweets/{id}/replies")),
        (Method::GET, "/api/v1/users/alice".into()),
        (Method::GET, "/api/v1/users/alice/tweets".into()),
        (Method::GET, "/api/v1/users/alice/followers".into()),
        (Method::DELETE, format!("/api/v1/tweets/{id}/like")),
        (Method::DELETE, "/api/v1/users/alice/follow".into()),
        (Method::GET, "/api/v1/me".into()),
    ] {
        let res = app.send(app.request(method.clone(), &path, token)).await;
        res.problem(401);
        assert_eq!(
            res.header("www-authenticate"),
            Some(r#"Bearer error="invalid_token""#),
            "{method} {path}"
        );
    }
}

#[actix_web::test]
async fn answers_with_tokens_or_private_data_are_never_stored_by_caches() {
    let app = spawn_app().await;
    let res = app
        .register_raw(&json!({"username": "dave", "password": PASSWORD}))
        .await;
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let token = res.json()["access_token"].as_str().unwrap().to_string();
    let login = app.login("dave", PASSWORD).await;
    assert_eq!(login.header("cache-control"), Some("no-store"));
    let failed = app.login("dave", "wrong password").await;
    assert_eq!(failed.header("cache-control"), Some("no-store"));
    for path in ["/api/v1/me", "/api/v1/timeline", "/api/v1/tweets"] {
        let res = app.get(path, Some(&token)).await;
        assert_eq!(res.header("cache-control"), Some("no-store"), "{path}");
    }
}

#[actix_web::test]
async fn metrics_are_not_served_on_the_api_port() {
    let app = spawn_app().await;
    app.get("/metrics", None).await.problem(404);
    let res = app.metrics().await;
    assert_eq!(res.status.as_u16(), 200);
    assert!(res.text.contains("http_requests_total"));
    // The metrics listener serves nothing else.
    let other = app
        .send(
            app.client
                .get(format!("{}/api/v1/tweets", app.metrics_address)),
        )
        .await;
    other.problem(404);
}

#[actix_web::test]
async fn head_is_answered_on_every_get_route_without_a_body() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let tweet = app.post_tweet(&alice, "head").await;
    for path in [
        "/healthz".to_string(),
        "/readyz".into(),
        "/api/openapi.json".into(),
        "/api/v1/tweets".into(),
        format!("/api/v1/tweets/{}", tweet["id"]),
        "/api/v1/users/alice".into(),
        "/api/v1/users/alice/tweets".into(),
    ] {
        let get = app.get(&path, None).await;
        let head = app.send(app.request(Method::HEAD, &path, None)).await;
        assert_eq!(head.status.as_u16(), 200, "HEAD {path}");
        assert!(head.text.is_empty(), "HEAD {path} had a body");
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "{path}"
        );
    }
    let head = app
        .send(app.request(Method::HEAD, "/api/v1/me", Some(&alice.token)))
        .await;
    assert_eq!(head.status.as_u16(), 200);
}

#[actix_web::test]
async fn not_found_answers_do_not_reflect_a_long_path() {
    let app = spawn_app().await;
    let long = "x".repeat(15_000);
    for path in [
        format!("/api/v1/users/{long}"),
        format!("/api/v1/tweets/{long}"),
        format!("/api/v1/users/{long}/tweets"),
        format!("/nope/{long}"),
    ] {
        let res = app.get(&path, None).await;
        res.problem(404);
        assert!(res.text.len() < 400, "{} bytes", res.text.len());
    }
}

#[actix_web::test]
async fn request_bodies_cannot_set_fields_they_do_not_name() {
    let app = spawn_app().await;
    let body = app
        .register_raw(&json!({
            "username": "mallory", "password": PASSWORD,
            "followers_count": 1000, "id": 1, "tweets_count": 7, "avatar_url": "https://evil/x.png"
        }))
        .await
        .expect(201);
    let token = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(body["user"]["followers_count"], 0);
    assert_eq!(body["user"]["tweets_count"], 0);
    assert_eq!(body["user"]["avatar_url"], serde_json::Value::Null);
    let me = app
        .json(
            Method::PATCH,
            "/api/v1/me",
            Some(&token),
            &json!({"bio": "hi", "username": "admin", "id": 99, "followers_count": 5,
                    "password_hash": "$argon2id$forged", "created_at": "2000-01-01T00:00:00Z"}),
        )
        .await
        .expect(200);
    assert_eq!(me["bio"], "hi");
    assert_eq!(me["username"], "mallory");
    assert_eq!(me["followers_count"], 0);
    assert_ne!(me["created_at"], "2000-01-01T00:00:00Z");
    // The password did not change either.
    app.login("mallory", PASSWORD).await.expect(200);
    for text in [body.to_string(), me.to_string()] {
        assert!(!text.contains("argon2"), "a hash leaked: {text}");
    }
}

#[actix_web::test]
async fn a_forged_forwarded_for_does_not_escape_the_address_limit() {
    // Behind a load balancer that appends the address it saw, the entries
    // before it are whatever the client wrote.
    let app = spawn_app_with(|s| {
        s.trust_forwarded_for = true;
        s.rate_limits.auth_per_minute = 3;
    })
    .await;
    let attempt = |forged: String| {
        app.send(
            app.request(Method::POST, "/api/v1/auth/login", None)
                .header("x-forwarded-for", format!("{forged}, 198.51.100.20"))
                .json(&json!({"username": "nobody", "password": PASSWORD})),
        )
    };
    for i in 0..3 {
        attempt(format!("203.0.113.{i}")).await.problem(401);
    }
    attempt("203.0.113.77".into()).await.problem(429);
    // Another real client (the last entry) has its own allowance.
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/auth/login", None)
                .header("x-forwarded-for", "198.51.100.21")
                .json(&json!({"username": "nobody", "password": PASSWORD})),
        )
        .await;
    res.problem(401);
}

#[actix_web::test]
async fn a_worker_holds_at_most_its_connection_cap() {
    // One worker that holds one connection: a second client waits to be
    // accepted until the first one goes.
    let app = spawn_app_with(|s| {
        s.http_workers = Some(1);
        s.max_connections_per_worker = 1;
    })
    .await;
    let addr = app.address.trim_start_matches("http://").to_string();
    let request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    let answered = actix_web::rt::task::spawn_blocking(move || {
        let mut first = TcpStream::connect(&addr).unwrap();
        first.write_all(request).unwrap();
        let mut buf = [0u8; 512];
        let n = first.read(&mut buf).unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
        // The first connection stays open (keep-alive): the second is not served…
        let mut second = TcpStream::connect(&addr).unwrap();
        second.write_all(request).unwrap();
        second
            .set_read_timeout(Some(Duration::from_millis(700)))
            .unwrap();
        let held = second.read(&mut buf).is_err();
        // …until the first goes.
        drop(first);
        second
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let n = second.read(&mut buf).unwrap();
        (held, buf[..n].starts_with(b"HTTP/1.1 200"))
    })
    .await
    .unwrap();
    assert_eq!(answered, (true, true));
}
