use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app, Res, TestApp};

async fn patch(app: &TestApp, token: &str, body: serde_json::Value) -> Res {
    app.json(Method::PATCH, "/api/v1/me", Some(token), &body)
        .await
}

#[actix_web::test]
async fn the_profile_can_be_read_and_edited() {
    let app = spawn_app().await;
    let user = app.register("ivy").await;
    let me = app.get("/api/v1/me", Some(&user.token)).await.expect(200);
    assert_eq!(me["username"], "ivy");
    assert_eq!(me["followed_by_me"], false);

    let me = patch(
        &app,
        &user.token,
        json!({"display_name": "  Ivy I.  ", "bio": "Line one\nline <two> & three"}),
    )
    .await
    .expect(200);
    assert_eq!(me["display_name"], "Ivy I.");
    assert_eq!(me["bio"], "Line one\nline <two> & three");
    // Absent fields stay as they are; an empty object changes nothing.
    let me = patch(&app, &user.token, json!({"bio": ""}))
        .await
        .expect(200);
    assert_eq!(me["display_name"], "Ivy I.");
    assert_eq!(me["bio"], "");
    let me = patch(&app, &user.token, json!({})).await.expect(200);
    assert_eq!(me["display_name"], "Ivy I.");
    // Seen by others too.
    let public = app.get("/api/v1/users/ivy", None).await.expect(200);
    assert_eq!(public["display_name"], "Ivy I.");
    assert_eq!(public["followed_by_me"], serde_json::Value::Null);
}

#[actix_web::test]
async fn invalid_profile_fields_are_422_and_change_nothing() {
    let app = spawn_app().await;
    let user = app.register("jack").await;
    let res = app
        .json(
            Method::PATCH,
            "/api/v1/me",
            Some(&user.token),
            &json!({"display_name": "x".repeat(51), "bio": "y".repeat(161)}),
        )
        .await;
    let body = res.problem(422);
    assert!(body["errors"]["display_name"].is_array());
    assert!(body["errors"]["bio"].is_array());
    let res = app
        .json(
            Method::PATCH,
            "/api/v1/me",
            Some(&user.token),
            &json!({"display_name": 5}),
        )
        .await;
    res.problem(422);
    let me = app.get("/api/v1/me", Some(&user.token)).await.expect(200);
    assert_eq!(me["display_name"], "jack");
    // Exactly at the limits is fine.
    app.json(
        Method::PATCH,
        "/api/v1/me",
        Some(&user.token),
        &json!({"display_name": "é".repeat(50), "bio": "😀".repeat(160)}),
    )
    .await
    .expect(200);
}

#[actix_web::test]
async fn me_needs_a_token() {
    let app = spawn_app().await;
    app.get("/api/v1/me", None).await.problem(401);
    app.json(Method::PATCH, "/api/v1/me", None, &json!({"bio": "x"}))
        .await
        .problem(401);
    app.put("/api/v1/me/avatar", None).await.problem(401);
}
