//! `GET /metrics`: what operators and the alert rules rely on, on its own
//! listener (`METRICS_ADDR`) and never on the API's.

use serde_json::json;

use crate::helpers::{spawn_app, PASSWORD};

/// The value of one sample, by its exact series text.
pub fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| {
            l.strip_prefix(series)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .and_then(|v| v.trim().parse().ok())
}

#[actix_web::test]
async fn requests_are_counted_by_route_pattern_and_unknown_paths_collapse() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let tweet = app.post_tweet(&alice, "counted").await;
    app.get(&format!("/api/v1/tweets/{}", tweet["id"]), None)
        .await
        .expect(200);
    app.get("/api/v1/tweets/999999", None).await.problem(404);
    for path in ["/wp-admin.php", "/nope/1", "/nope/2", "/.env"] {
        app.get(path, None).await.problem(404);
    }
    let res = app.metrics().await;
    assert_eq!(res.status.as_u16(), 200);
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    let text = res.text;
    let by_id = r#"http_requests_total{method="GET",route="/api/v1/tweets/{id}",status="#;
    assert_eq!(
        sample(&text, &format!(r#"{by_id}"200"}}"#)),
        Some(1.0),
        "{text}"
    );
    assert_eq!(sample(&text, &format!(r#"{by_id}"404"}}"#)), Some(1.0));
    assert_eq!(
        sample(
            &text,
            r#"http_requests_total{method="POST",route="/api/v1/tweets",status="201"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"http_requests_total{method="GET",route="unmatched",status="404"}"#
        ),
        Some(4.0)
    );
    for raw in ["wp-admin", "/nope/1", ".env"] {
        assert!(!text.contains(raw), "raw path {raw} became a label");
    }
    assert!(text.contains(r#"http_request_duration_seconds_bucket{method="GET",route="/api/v1/tweets/{id}",le="0.005"}"#));
    assert!(text.contains("http_request_duration_seconds_count"));
}

#[actix_web::test]
async fn domain_pool_build_and_process_metrics_are_exported() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    app.register("bob").await;
    app.post_tweet(&alice, "one").await;
    app.post_tweet(&alice, "two").await;
    app.login("alice", "wrong password").await.problem(401);
    app.get("/api/v1/me", Some("garbage")).await.problem(401);
    // A replayed idempotent post is not a new tweet.
    for _ in 0..2 {
        app.send(
            app.request(reqwest::Method::POST, "/api/v1/tweets", Some(&alice.token))
                .header("idempotency-key", "k")
                .json(&json!({"text": "three"})),
        )
        .await;
    }
    app.login("alice", PASSWORD).await.expect(200);

    let text = app.metrics().await.text;
    assert_eq!(sample(&text, "tweets_created_total"), Some(3.0), "{text}");
    assert_eq!(sample(&text, "users_registered_total"), Some(2.0));
    assert_eq!(
        sample(&text, r#"auth_failures_total{reason="login"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, r#"auth_failures_total{reason="token"}"#),
        Some(1.0)
    );
    assert_eq!(sample(&text, "db_pool_max_connections"), Some(4.0));
    assert!(sample(&text, r#"db_pool_connections{state="idle"}"#).unwrap() >= 1.0);
    assert!(sample(&text, r#"db_pool_connections{state="in_use"}"#).is_some());
    assert!(sample(&text, "db_queries_total").unwrap() > 10.0);
    assert!(sample(&text, "db_pool_wait_seconds_count").unwrap() > 0.0);
    assert_eq!(sample(&text, "db_pool_timeouts_total"), Some(0.0));
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        text.lines()
            .any(|l| l.starts_with(r#"build_info{git_sha=""#)
                && l.contains(&format!(r#"version="{version}""#))
                && l.ends_with(" 1")),
        "{text}"
    );
    for name in [
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_open_fds",
    ] {
        assert!(sample(&text, name).unwrap() > 0.0, "{name}");
    }
}
