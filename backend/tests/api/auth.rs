use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use diesel::{sql_query, RunQueryDsl};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, JWT_SECRET, PASSWORD};

#[actix_web::test]
async fn register_returns_a_session_whose_token_works() {
    let app = spawn_app().await;
    let body = app
        .register_raw(
            &json!({"username": "Alice_1", "password": PASSWORD, "display_name": "  Alice  "}),
        )
        .await
        .expect(201);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["refresh_expires_in"], 30 * 86400);
    assert_eq!(body["refresh_token"].as_str().unwrap().len(), 64);
    let user = &body["user"];
    assert_eq!(user["username"], "Alice_1");
    assert_eq!(user["display_name"], "Alice");
    assert_eq!(user["bio"], "");
    assert_eq!(user["avatar_url"], serde_json::Value::Null);
    assert_eq!(user["followers_count"], 0);
    let token = body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/me", Some(token)).await.expect(200);
    assert_eq!(me["id"], user["id"]);
    // The display name defaults to the username.
    let bob = app
        .register_raw(&json!({"username": "bob", "password": PASSWORD}))
        .await
        .expect(201);
    assert_eq!(bob["user"]["display_name"], "bob");
}

#[actix_web::test]
async fn passwords_are_stored_as_argon2id_hashes() {
    let app = spawn_app().await;
    app.register("carol").await;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        password_hash: String,
    }
    let rows: Vec<Row> = sql_query("SELECT password_hash FROM users")
        .load(&mut app.db.connect())
        .unwrap();
    assert!(rows[0].password_hash.starts_with("$argon2id$"));
    assert!(!rows[0].password_hash.contains(PASSWORD));
}

#[actix_web::test]
async fn register_reports_every_invalid_field() {
    let app = spawn_app().await;
    let body = app
        .register_raw(
            &json!({"username": "a b", "password": "short", "display_name": "x".repeat(51)}),
        )
        .await
        .problem(422);
    let errors = body["errors"].as_object().unwrap();
    assert!(errors.contains_key("username"));
    assert!(errors.contains_key("password"));
    assert!(errors.contains_key("display_name"));
    let body = app
        .register_raw(&json!({"username": "ab", "password": PASSWORD}))
        .await
        .problem(422);
    assert_eq!(
        body["errors"]["username"][0],
        "must be 3 to 30 characters long"
    );
    let body = app
        .register_raw(&json!({"username": "abc", "password": "x".repeat(129)}))
        .await
        .problem(422);
    assert!(body["errors"]["password"].is_array());
    let body = app
        .register_raw(&json!({"username": "abc"}))
        .await
        .problem(422);
    assert_eq!(body["errors"]["password"][0], "is required");
}

#[actix_web::test]
async fn usernames_are_unique_case_insensitively() {
    let app = spawn_app().await;
    app.register("Dave").await;
    let body = app
        .register_raw(&json!({"username": "dave", "password": PASSWORD}))
        .await
        .problem(409);
    assert_eq!(body["detail"], "username is already taken");
    assert!(body.get("errors").is_none());
    // Lookups and logins ignore case too.
    app.get("/api/v1/users/DAVE", None).await.expect(200);
    let session = app.login("dAvE", PASSWORD).await.expect(200);
    assert_eq!(session["user"]["username"], "Dave");
}

#[actix_web::test]
async fn login_gives_one_answer_for_unknown_users_and_wrong_passwords() {
    let app = spawn_app().await;
    app.register("erin").await;
    let ok = app.login("erin", PASSWORD).await.expect(200);
    assert!(ok["access_token"].is_string());
    let wrong = app.login("erin", "not the password").await;
    let unknown = app.login("nobody_here", PASSWORD).await;
    let a = wrong.problem(401);
    let b = unknown.problem(401);
    assert_eq!(a, b);
    assert_eq!(wrong.header("www-authenticate"), Some("Bearer"));
    assert_eq!(unknown.header("www-authenticate"), Some("Bearer"));
}

/// The claims of a token, read without checking it.
pub fn claims_of(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn forge(header: &str, claims: &serde_json::Value, key: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let h = URL_SAFE_NO_PAD.encode(header);
    let c = URL_SAFE_NO_PAD.encode(claims.to_string());
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(format!("{h}.{c}").as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{h}.{c}.{sig}")
}

#[actix_web::test]
async fn tampered_expired_and_malformed_tokens_are_refused_everywhere() {
    let app = spawn_app().await;
    let user = app.register("frank").await;
    let now = chrono::Utc::now().timestamp();
    let sub = user.id.to_string();
    let sid = claims_of(&user.token)["sid"].clone();
    let good_claims = json!({"sub": sub, "sid": sid, "iat": now, "exp": now + 600});
    let hs256 = r#"{"alg":"HS256","typ":"JWT"}"#;

    // Sanity: a token forged with the real key is accepted, so the refusals below mean something.
    let valid = forge(hs256, &good_claims, JWT_SECRET.as_bytes());
    app.get("/api/v1/me", Some(&valid)).await.expect(200);

    let alg_none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(good_claims.to_string())
    );
    let wrong_key = forge(
        hs256,
        &good_claims,
        b"not-the-server-secret-not-the-server-secret",
    );
    let expired = forge(
        hs256,
        &json!({"sub": sub, "sid": sid, "iat": now - 7200, "exp": now - 3600}),
        JWT_SECRET.as_bytes(),
    );
    let not_yet = forge(
        hs256,
        &json!({"sub": sub, "sid": sid, "iat": now, "nbf": now + 600, "exp": now + 1200}),
        JWT_SECRET.as_bytes(),
    );
    let issued_later = forge(
        hs256,
        &json!({"sub": sub, "sid": sid, "iat": now + 600, "exp": now + 1200}),
        JWT_SECRET.as_bytes(),
    );
    let other_session = forge(
        hs256,
        &json!({"sub": sub, "sid": 999_999, "iat": now, "exp": now + 600}),
        JWT_SECRET.as_bytes(),
    );
    let no_session = forge(
        hs256,
        &json!({"sub": sub, "iat": now, "exp": now + 600}),
        JWT_SECRET.as_bytes(),
    );
    let hs512 = forge(
        r#"{"alg":"HS512","typ":"JWT"}"#,
        &good_claims,
        JWT_SECRET.as_bytes(),
    );
    let no_exp = forge(
        hs256,
        &json!({"sub": sub, "sid": sid, "iat": now}),
        JWT_SECRET.as_bytes(),
    );
    let bad_sub = forge(
        hs256,
        &json!({"sub": "admin", "sid": sid, "iat": now, "exp": now + 600}),
        JWT_SECRET.as_bytes(),
    );
    let mut flipped = user.token.clone();
    let last = flipped.pop().unwrap();
    flipped.push(if last == 'A' { 'B' } else { 'A' });

    for (name, token) in [
        ("alg none", alg_none),
        ("wrong key", wrong_key),
        ("expired", expired),
        ("not yet valid", not_yet),
        ("issued in the future", issued_later),
        ("unknown session", other_session),
        ("no session", no_session),
        ("hs512", hs512),
        ("no exp", no_exp),
        ("bad sub", bad_sub),
        ("flipped signature", flipped),
        ("garbage", "garbage".to_string()),
    ] {
        for path in ["/api/v1/me", "/api/v1/tweets", "/api/v1/users/frank"] {
            let res = app.get(path, Some(&token)).await;
            res.problem(401);
            assert_eq!(
                res.header("www-authenticate"),
                Some(r#"Bearer error="invalid_token""#),
                "{name} on {path}"
            );
        }
    }
    let res = app
        .get(
            "/api/v1/me",
            Some(&forge(
                hs256,
                &json!({"sub": sub, "sid": sid, "iat": now - 7200, "exp": now - 3600}),
                JWT_SECRET.as_bytes(),
            )),
        )
        .await;
    assert!(res.json()["detail"].as_str().unwrap().contains("expired"));
    assert_eq!(res.json()["code"], "token_expired");

    // Wrong scheme, empty bearer, and no header at all.
    for value in ["Basic abc", "Bearer", "Bearer ", "token"] {
        let res = app
            .send(
                app.client
                    .get(app.url("/api/v1/me"))
                    .header("authorization", value),
            )
            .await;
        res.problem(401);
    }
    let res = app.get("/api/v1/me", None).await;
    res.problem(401);
    assert_eq!(res.header("www-authenticate"), Some("Bearer"));
}

#[actix_web::test]
async fn a_token_for_a_vanished_account_is_refused() {
    let app = spawn_app().await;
    let user = app.register("ghost").await;
    sql_query("DELETE FROM users")
        .execute(&mut app.db.connect())
        .unwrap();
    app.get("/api/v1/me", Some(&user.token)).await.problem(401);
    app.post_tweet_raw(&user, &json!({"text": "boo"}))
        .await
        .problem(401);
}

#[actix_web::test]
async fn login_and_registration_are_rate_limited_per_client() {
    let app = spawn_app_with(|s| s.rate_limits.auth_per_minute = 3).await;
    app.register("gina").await;
    app.login("gina", PASSWORD).await.expect(200);
    app.login("gina", "wrong password").await.problem(401);
    let res = app.login("gina", PASSWORD).await;
    res.problem(429);
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    let res = app
        .json(
            Method::POST,
            "/api/v1/auth/register",
            None,
            &json!({"username": "hank", "password": PASSWORD}),
        )
        .await;
    res.problem(429);
}
