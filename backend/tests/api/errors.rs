use reqwest::Method;
use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn unknown_routes_are_404_problem_documents() {
    let app = spawn_app().await;
    for path in [
        "/nope",
        "/api/v1/nope",
        "/api/v2/tweets",
        "/api/v1/tweets/1/nope",
    ] {
        app.get(path, None).await.problem(404);
    }
}

#[actix_web::test]
async fn wrong_methods_are_405_with_allow() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        (Method::PUT, "/api/v1/tweets", "GET, HEAD, POST"),
        (Method::POST, "/api/v1/tweets/1", "GET, HEAD, DELETE"),
        (Method::GET, "/api/v1/auth/login", "POST"),
        (Method::PUT, "/api/v1/me", "GET, HEAD, PATCH, DELETE"),
        (Method::POST, "/api/v1/users/x/follow", "PUT, DELETE"),
        (Method::POST, "/healthz", "GET, HEAD"),
    ] {
        let res = app.send(app.request(method.clone(), path, None)).await;
        res.problem(405);
        assert_eq!(res.header("allow"), Some(allow), "{method} {path}");
    }
}

#[actix_web::test]
async fn malformed_bodies_and_queries_are_400() {
    let app = spawn_app().await;
    let user = app.register("mia").await;
    for body in ["{", "not json", "{\"text\": \"a\",}", ""] {
        let res = app
            .send(
                app.request(Method::POST, "/api/v1/tweets", Some(&user.token))
                    .header("content-type", "application/json")
                    .body(body),
            )
            .await;
        let problem = res.problem(400);
        assert!(
            !problem["detail"].as_str().unwrap().contains("serde"),
            "{problem}"
        );
    }
    app.get("/api/v1/tweets?limit=1&limit=2", None)
        .await
        .problem(400);
}

#[actix_web::test]
async fn json_bodies_over_64_kib_are_413() {
    let app = spawn_app().await;
    let user = app.register("nia").await;
    let big = json!({"text": "x".repeat(70 * 1024)});
    app.post_tweet_raw(&user, &big).await.problem(413);
    // Just under the limit the body is read and judged on its fields.
    let near = json!({"text": "x".repeat(60 * 1024)});
    app.post_tweet_raw(&user, &near).await.problem(422);
}

#[actix_web::test]
async fn unsupported_content_types_are_415() {
    let app = spawn_app().await;
    let user = app.register("omar").await;
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/tweets", Some(&user.token))
                .header("content-type", "text/plain")
                .body("hello"),
        )
        .await;
    res.problem(415);
    for ct in ["application/xml", "application/x-www-form-urlencoded"] {
        let res = app
            .send(
                app.request(Method::POST, "/api/v1/tweets", Some(&user.token))
                    .header("content-type", ct)
                    .body("text=hello"),
            )
            .await;
        res.problem(415);
    }
    let res = app
        .send(
            app.request(Method::PATCH, "/api/v1/me", Some(&user.token))
                .header("content-type", "text/plain")
                .body("{}"),
        )
        .await;
    res.problem(415);
}

#[actix_web::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let res = app
        .send(
            app.client
                .get(app.url("/healthz"))
                .header("x-request-id", "abc.DEF_123-x"),
        )
        .await;
    assert_eq!(res.header("x-request-id"), Some("abc.DEF_123-x"));
    // Errors too.
    let res = app
        .send(
            app.client
                .get(app.url("/nope"))
                .header("x-request-id", "trace-1"),
        )
        .await;
    assert_eq!(res.header("x-request-id"), Some("trace-1"));
    // Invalid ones are replaced by a fresh UUID.
    for bad in ["has space", "semi;colon", &"a".repeat(65)] {
        let res = app
            .send(
                app.client
                    .get(app.url("/healthz"))
                    .header("x-request-id", bad),
            )
            .await;
        let id = res.header("x-request-id").unwrap();
        assert_ne!(id, bad);
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    }
    let a = app.get("/healthz", None).await;
    let b = app.get("/healthz", None).await;
    assert_ne!(a.header("x-request-id"), b.header("x-request-id"));
}

#[actix_web::test]
async fn error_bodies_never_leak_internals() {
    let app = spawn_app().await;
    let user = app.register("pia").await;
    let res = app.post_tweet_raw(&user, &json!({"text": "a\u{0}b"})).await;
    let body = res.problem(422);
    assert!(body["errors"]["text"].is_array());
    for word in ["SQL", "diesel", "postgres", "panicked", ".rs"] {
        assert!(!res.text.contains(word), "{word} in {}", res.text);
    }
}

#[actix_web::test]
async fn cors_allows_only_the_configured_origins() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.cors_allowed_origins = vec!["https://app.example".into()];
    })
    .await;
    let preflight = |origin: &'static str| {
        app.send(
            app.request(Method::OPTIONS, "/api/v1/tweets", None)
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "authorization, content-type, idempotency-key",
                ),
        )
    };
    let ok = preflight("https://app.example").await;
    assert_eq!(ok.status.as_u16(), 200, "{}", ok.text);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let allowed = ok
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("idempotency-key") && allowed.contains("authorization"),
        "{allowed}"
    );
    let denied = preflight("https://evil.example").await;
    assert!(denied.header("access-control-allow-origin").is_none());
    assert_ne!(denied.status.as_u16(), 500);
    // A simple request from the allowed origin sees the exposed headers.
    let res = app
        .send(
            app.client
                .get(app.url("/api/v1/tweets"))
                .header("origin", "https://app.example"),
        )
        .await;
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert!(res
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase()
        .contains("link"));
}

#[actix_web::test]
async fn without_cors_origins_no_cors_headers_are_sent() {
    let app = spawn_app().await;
    let res = app
        .send(
            app.client
                .get(app.url("/api/v1/tweets"))
                .header("origin", "https://app.example"),
        )
        .await;
    assert_eq!(res.status.as_u16(), 200);
    assert!(res.header("access-control-allow-origin").is_none());
}

#[actix_web::test]
async fn bodies_must_be_json_objects() {
    let app = spawn_app().await;
    let user = app.register("quin").await;
    for body in [
        json!([null, null]),
        json!(["hello", null]),
        json!("text"),
        json!(null),
        json!(5),
    ] {
        app.json(Method::PATCH, "/api/v1/me", Some(&user.token), &body)
            .await
            .problem(422);
        app.post_tweet_raw(&user, &body).await.problem(422);
        app.register_raw(&body).await.problem(422);
    }
}

/// Problem documents carry a stable `code` that clients switch on (the
/// helper's `problem()` checks every one has a code; these pin the values).
#[actix_web::test]
async fn every_kind_of_problem_has_its_own_stable_code() {
    let app = crate::helpers::spawn_app_with(|s| s.rate_limits.posts_per_minute = 1).await;
    let alice = app.register("alice").await;
    let code = |res: crate::helpers::Res, status: u16| res.problem(status)["code"].clone();
    assert_eq!(code(app.get("/nope", None).await, 404), "not_found");
    assert_eq!(
        code(
            app.send(app.request(Method::PUT, "/api/v1/tweets", None))
                .await,
            405
        ),
        "method_not_allowed"
    );
    assert_eq!(code(app.get("/api/v1/me", None).await, 401), "unauthorized");
    assert_eq!(
        code(app.get("/api/v1/me", Some("garbage")).await, 401),
        "invalid_token"
    );
    assert_eq!(
        code(app.login("alice", "not the password").await, 401),
        "invalid_credentials"
    );
    assert_eq!(
        code(
            app.register_raw(&json!({"username": "alice", "password": crate::helpers::PASSWORD}))
                .await,
            409
        ),
        "username_taken"
    );
    assert_eq!(
        code(app.post_tweet_raw(&alice, &json!({"text": ""})).await, 422),
        "validation_failed"
    );
    assert_eq!(
        code(app.get("/api/v1/tweets?cursor=%%%", None).await, 400),
        "bad_request"
    );
    app.post_tweet(&alice, "one").await;
    assert_eq!(
        code(
            app.post_tweet_raw(&alice, &json!({"text": "two"})).await,
            429
        ),
        "rate_limited"
    );
    // The session ends: its access token says so.
    let res = app
        .send(app.request(Method::POST, "/api/v1/auth/logout", Some(&alice.token)))
        .await;
    assert_eq!(res.status.as_u16(), 204);
    assert_eq!(
        code(app.get("/api/v1/me", Some(&alice.token)).await, 401),
        "session_ended"
    );
}
