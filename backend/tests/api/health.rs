use std::time::Duration;

use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn health_and_readiness_answer_when_all_is_well() {
    let app = spawn_app().await;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.expect(200), json!({"status": "ok"}));
    assert_eq!(res.header("content-type"), Some("application/json"));
    app.get("/readyz", None).await.expect(200);
}

#[actix_web::test]
async fn a_missing_database_is_503_not_500_and_liveness_stays_up() {
    let app = spawn_app().await;
    // A second app on a database that does not exist.
    let mut url = url::Url::parse(&app.db.url).unwrap();
    url.set_path("tweets_no_such_database");
    // Only the path differs from the default URL, so the `sslmode` derived
    // from it (`database_sslmode`) stays right.
    let down = spawn_app_with(|s| {
        s.database_url = url.to_string();
        s.db_pool_timeout = Duration::from_secs(1);
    })
    .await;
    down.get("/healthz", None).await.expect(200);
    let res = down.get("/readyz", None).await;
    res.problem(503);
    assert!(
        !res.text.contains("tweets_no_such_database"),
        "{}",
        res.text
    );
    down.get("/api/v1/tweets", None).await.problem(503);
    let body = down
        .register_raw(&json!({"username": "lena", "password": "long enough password"}))
        .await
        .problem(503);
    assert!(!body["detail"].as_str().unwrap().contains("postgres"));
}
