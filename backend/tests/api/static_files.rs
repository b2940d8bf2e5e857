use reqwest::Method;

use crate::helpers::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn with_static_dir_the_app_and_its_deep_links_are_served() {
    let dir = std::env::temp_dir().join(format!("tweets-static-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(dir.join("js")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>Tweets</title>",
    )
    .unwrap();
    std::fs::write(dir.join("js/app.js"), "export {};").unwrap();
    let app = spawn_app_with(|s| s.static_dir = Some(dir.clone())).await;

    let index = app.get("/", None).await;
    assert_eq!(index.status.as_u16(), 200);
    assert!(index.text.contains("<title>Tweets</title>"));
    let js = app.get("/js/app.js", None).await;
    assert_eq!(js.status.as_u16(), 200);
    assert!(js.header("content-type").unwrap().contains("javascript"));
    for deep in ["/u/alice", "/t/123", "/settings"] {
        let res = app.get(deep, None).await;
        assert_eq!(res.status.as_u16(), 200, "{deep}");
        assert!(res.text.contains("<title>Tweets</title>"));
    }
    // The API keeps its own 404s and never gets the app's HTML.
    app.get("/api/v1/nope", None).await.problem(404);
    app.get("/media/nope.png", None).await.problem(404);
    app.send(app.request(Method::POST, "/u/alice", None))
        .await
        .problem(405);
    app.get("/healthz", None).await.expect(200);
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_web::test]
async fn media_is_served_with_safe_headers_and_no_traversal() {
    let app = spawn_app().await;
    std::fs::create_dir_all(app.media_root.join("ab")).unwrap();
    let png = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    std::fs::write(app.media_root.join("ab/pic.png"), png).unwrap();
    let res = app.get("/media/ab/pic.png", None).await;
    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(res.header("content-type"), Some("image/png"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert!(res
        .header("cache-control")
        .unwrap()
        .contains("max-age=31536000"));
    // No listings, no escaping the media root.
    app.get("/media/ab/", None).await.problem(404);
    app.get("/media/", None).await.problem(404);
    for path in [
        "/media/../Cargo.toml",
        "/media/ab/..%2F..%2Fetc%2Fpasswd",
        "/media/%2e%2e/%2e%2e/etc/passwd",
    ] {
        let res = app.get(path, None).await;
        assert_ne!(res.status.as_u16(), 200, "{path}");
        assert!(!res.text.contains("root:"), "{path}");
    }
}
