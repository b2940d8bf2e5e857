//! Revocable sessions: refresh-token rotation and reuse detection, sign-out,
//! password changes, account deletion, and the browser's cookie transport.

use diesel::{sql_query, sql_types::BigInt, QueryableByName, RunQueryDsl};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Res, TestApp, PASSWORD};

async fn refresh(app: &TestApp, token: &str) -> Res {
    app.json(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": token}),
    )
    .await
}

fn tokens(body: &Value) -> (String, String) {
    (
        body["access_token"].as_str().unwrap().to_string(),
        body["refresh_token"].as_str().unwrap().to_string(),
    )
}

#[actix_web::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_whole_session() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let first = refresh(&app, &alice.refresh_token).await.expect(200);
    let (access2, refresh2) = tokens(&first);
    assert_ne!(refresh2, alice.refresh_token);
    assert_eq!(first["user"]["username"], "alice");
    app.get("/api/v1/me", Some(&access2)).await.expect(200);
    let (access3, refresh3) = tokens(&refresh(&app, &refresh2).await.expect(200));
    app.get("/api/v1/me", Some(&access3)).await.expect(200);

    // The first token again: somebody copied it. Everything of the session ends.
    let res = refresh(&app, &alice.refresh_token).await;
    assert_eq!(res.problem(401)["code"], "refresh_token_reused");
    assert!(res.json()["detail"]
        .as_str()
        .unwrap()
        .contains("already used"));
    refresh(&app, &refresh3).await.problem(401);
    for token in [&alice.token, &access2, &access3] {
        app.get("/api/v1/me", Some(token)).await.problem(401);
    }
    // Other sessions of the account are untouched.
    let other = app.login("alice", PASSWORD).await.expect(200);
    app.get("/api/v1/me", other["access_token"].as_str())
        .await
        .expect(200);

    for bad in ["", "nonsense", &"0".repeat(64)] {
        refresh(&app, bad).await.problem(401);
    }
    app.json(Method::POST, "/api/v1/auth/refresh", None, &json!({}))
        .await
        .problem(401);
}

#[actix_web::test]
async fn logout_ends_the_session_at_once() {
    let app = spawn_app().await;
    let bob = app.register("bob").await;
    let phone = app.login("bob", PASSWORD).await.expect(200);
    let (phone_access, phone_refresh) = tokens(&phone);

    // By refresh token (no access token needed)…
    let res = app
        .json(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            &json!({"refresh_token": bob.refresh_token}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 204);
    app.get("/api/v1/me", Some(&bob.token)).await.problem(401);
    refresh(&app, &bob.refresh_token).await.problem(401);
    // …or by access token alone, without a body.
    let res = app
        .send(app.request(Method::POST, "/api/v1/auth/logout", Some(&phone_access)))
        .await;
    assert_eq!(res.status.as_u16(), 204);
    app.get("/api/v1/me", Some(&phone_access))
        .await
        .problem(401);
    refresh(&app, &phone_refresh).await.problem(401);
    // Idempotent.
    let res = app
        .json(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            &json!({"refresh_token": bob.refresh_token}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 204);
}

/// The timelines confirm the session inside their own database call (one
/// hand-off per request): an ended session is refused there as everywhere,
/// before any of the page is read, and counted as a refused token.
#[actix_web::test]
async fn an_ended_session_is_refused_by_every_signed_in_read() {
    let app = spawn_app().await;
    let dana = app.register("dana").await;
    app.post_tweet(&dana, "hello #world").await;
    let reads = [
        "/api/v1/me",
        "/api/v1/timeline",
        "/api/v1/tweets",
        "/api/v1/tags/world/tweets",
    ];
    for path in reads {
        app.get(path, Some(&dana.token)).await.expect(200);
    }
    let res = app
        .send(app.request(Method::POST, "/api/v1/auth/logout", Some(&dana.token)))
        .await;
    assert_eq!(res.status.as_u16(), 204);
    for path in reads {
        let problem = app.get(path, Some(&dana.token)).await.problem(401);
        assert_eq!(problem["code"], "session_ended", "{path}: {problem}");
    }
    // Posting confirms the session in its own database work: refused, and
    // nothing is stored, with or without an Idempotency-Key.
    let problem = app
        .post_tweet_raw(&dana, &json!({"text": "after logout"}))
        .await
        .problem(401);
    assert_eq!(problem["code"], "session_ended");
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/tweets", Some(&dana.token))
                .header("idempotency-key", "k1")
                .json(&json!({"text": "after logout"})),
        )
        .await;
    assert_eq!(res.problem(401)["code"], "session_ended");
    assert_eq!(
        app.get("/api/v1/users/dana", None).await.expect(200)["tweets_count"],
        1
    );
    let metrics = app.metrics().await.text;
    let refused = crate::metrics::sample(&metrics, r#"auth_failures_total{reason="token"}"#);
    assert_eq!(refused, Some(reads.len() as f64 + 2.0), "{metrics}");
    // Anonymous, the same public reads still answer.
    app.get("/api/v1/tweets", None).await.expect(200);
    app.get("/api/v1/tags/world/tweets", None).await.expect(200);
}

#[actix_web::test]
async fn changing_the_password_signs_out_every_other_session() {
    let app = spawn_app().await;
    let carol = app.register("carol").await;
    let (laptop_access, laptop_refresh) = tokens(&app.login("carol", PASSWORD).await.expect(200));
    let change = |current: &str, new: &str| {
        app.send(
            app.request(Method::POST, "/api/v1/me/password", Some(&carol.token))
                .json(&json!({"current_password": current, "new_password": new})),
        )
    };
    let wrong = change("not it at all", "a brand new passphrase")
        .await
        .problem(422);
    assert!(wrong["errors"]["current_password"].is_array());
    let short = change(PASSWORD, "short").await.problem(422);
    assert!(short["errors"]["new_password"].is_array());
    let res = change(PASSWORD, "a brand new passphrase").await;
    assert_eq!(res.status.as_u16(), 204);

    app.get("/api/v1/me", Some(&carol.token)).await.expect(200);
    refresh(&app, &carol.refresh_token).await.expect(200);
    app.get("/api/v1/me", Some(&laptop_access))
        .await
        .problem(401);
    refresh(&app, &laptop_refresh).await.problem(401);
    app.login("carol", PASSWORD).await.problem(401);
    app.login("carol", "a brand new passphrase")
        .await
        .expect(200);
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[actix_web::test]
async fn deleting_the_account_removes_everything_it_owns() {
    let app = spawn_app().await;
    let dan = app.register("dan").await;
    let erin = app.register("erin").await;
    app.follow(&dan, "erin").await;
    app.follow(&erin, "dan").await;
    let erins = app.post_tweet(&erin, "erin's").await;
    let dans = app.post_tweet(&dan, "dan's").await;
    let reply = app
        .reply(&erin, dans["id"].as_i64().unwrap(), "a reply")
        .await;
    app.put(
        &format!("/api/v1/tweets/{}/like", erins["id"]),
        Some(&dan.token),
    )
    .await
    .expect(200);
    let png = {
        let img = image::RgbImage::from_pixel(4, 4, image::Rgb([1, 2, 3]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let form = reqwest::multipart::Form::new().part(
        "image",
        reqwest::multipart::Part::bytes(png).file_name("a.png"),
    );
    app.send(
        app.request(Method::PUT, "/api/v1/me/avatar", Some(&dan.token))
            .multipart(form),
    )
    .await
    .expect(200);
    let files_before = app.media_files().len();
    assert_eq!(files_before, 1);

    let delete = |password: &str| {
        app.send(
            app.request(Method::DELETE, "/api/v1/me", Some(&dan.token))
                .json(&json!({"password": password})),
        )
    };
    delete("not the password").await.problem(422);
    let res = delete(PASSWORD).await;
    assert_eq!(res.status.as_u16(), 204);

    app.get("/api/v1/me", Some(&dan.token)).await.problem(401);
    refresh(&app, &dan.refresh_token).await.problem(401);
    app.get("/api/v1/users/dan", None).await.problem(404);
    app.get(&format!("/api/v1/tweets/{}", dans["id"]), None)
        .await
        .problem(404);
    // Erin's counters follow; her reply stays, detached.
    let erin_now = app.get("/api/v1/users/erin", None).await.expect(200);
    assert_eq!(erin_now["followers_count"], 0);
    assert_eq!(erin_now["following_count"], 0);
    let liked = app
        .get(&format!("/api/v1/tweets/{}", erins["id"]), None)
        .await
        .expect(200);
    assert_eq!(liked["like_count"], 0);
    let kept = app
        .get(&format!("/api/v1/tweets/{}", reply["id"]), None)
        .await
        .expect(200);
    assert_eq!(kept["reply_to_id"], Value::Null);
    assert_eq!(app.media_files().len(), 0);
    let mut conn = app.db.connect();
    for table in ["sessions", "refresh_tokens", "likes", "idempotency_keys"] {
        let left: Count = sql_query(format!(
            "SELECT count(*) AS n FROM {table} t WHERE {}",
            match table {
                "refresh_tokens" => "session_id NOT IN (SELECT id FROM sessions)".to_string(),
                _ => format!("user_id = {}", dan.id),
            }
        ))
        .get_result(&mut conn)
        .unwrap();
        assert_eq!(left.n, 0, "{table}");
    }
}

/// The `tweets_refresh=…` value and attributes of a `Set-Cookie` header.
fn refresh_cookie(res: &Res) -> String {
    res.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tweets_refresh="))
        .unwrap_or_else(|| panic!("no refresh cookie in {:?}", res.headers))
        .to_string()
}

#[actix_web::test]
async fn browsers_keep_the_refresh_token_in_a_strict_http_only_cookie() {
    let app = spawn_app().await;
    let res = app
        .register_raw(&json!({"username": "fay", "password": PASSWORD, "refresh_cookie": true}))
        .await;
    let body = res.expect(201);
    assert!(body.get("refresh_token").is_none(), "{body}");
    let cookie = refresh_cookie(&res);
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/api/v1/auth",
        "Max-Age=2592000",
    ] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    let value = cookie.split(';').next().unwrap().to_string();

    // The cookie alone refreshes; the successor comes back as a cookie.
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/auth/refresh", None)
                .header("cookie", &value)
                .json(&json!({})),
        )
        .await;
    let body = res.expect(200);
    assert!(body.get("refresh_token").is_none());
    let next = refresh_cookie(&res);
    assert_ne!(next.split(';').next().unwrap(), value);

    // Signing out clears it.
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/auth/logout", None)
                .header("cookie", next.split(';').next().unwrap())
                .json(&json!({})),
        )
        .await;
    assert_eq!(res.status.as_u16(), 204);
    let cleared = refresh_cookie(&res);
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    app.get("/api/v1/me", body["access_token"].as_str())
        .await
        .problem(401);
}

/// The home timeline checks the session in the page's own statement: a
/// page with tweets shows it is open, and an empty page is told apart from
/// an ended session by one more lookup.
#[actix_web::test]
async fn an_empty_home_timeline_is_200_while_the_session_lasts_and_401_after() {
    let app = spawn_app().await;
    let erin = app.register("erin").await;
    let page = app
        .get("/api/v1/timeline", Some(&erin.token))
        .await
        .expect(200);
    assert_eq!(page["items"], json!([]));
    let res = app
        .send(app.request(Method::POST, "/api/v1/auth/logout", Some(&erin.token)))
        .await;
    assert_eq!(res.status.as_u16(), 204);
    let problem = app
        .get("/api/v1/timeline", Some(&erin.token))
        .await
        .problem(401);
    assert_eq!(problem["code"], "session_ended");
}
