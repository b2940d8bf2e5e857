//! Administration: the admin flag, deactivation, moderation removals and
//! the audit log, through the API and the `tweets` command line.

use std::{
    io::Write,
    process::{Output, Stdio},
};

use diesel::RunQueryDsl;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, tweets, TestApp, User, PASSWORD};

/// `tweets ARGS` on the app's database (stdin: `input`).
fn cli(app: &TestApp, args: &[&str], input: &str) -> Output {
    let mut child = tweets(args, &[("DATABASE_URL", &app.db.url), ("USER", "ops")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "tweets failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An administrator made on the command line, signed in.
async fn admin(app: &TestApp, name: &str) -> User {
    ok(&cli(
        app,
        &["create-user", name, "--admin"],
        &format!("{PASSWORD}\n"),
    ));
    let session = app.login(name, PASSWORD).await.expect(200);
    assert_eq!(session["user"]["is_admin"], true);
    User {
        id: session["user"]["id"].as_i64().unwrap(),
        token: session["access_token"].as_str().unwrap().to_string(),
        refresh_token: session["refresh_token"].as_str().unwrap().to_string(),
    }
}

async fn post(app: &TestApp, path: &str, token: &str) -> crate::helpers::Res {
    app.send(app.request(Method::POST, path, Some(token))).await
}

async fn audit(app: &TestApp, token: &str) -> Vec<Value> {
    app.walk("/api/v1/admin/audit", Some(token), 100).await
}

#[actix_web::test]
async fn only_administrators_reach_the_admin_endpoints() {
    let app = spawn_app().await;
    let eve = app.register("eve").await;
    let bob = app.register("bob").await;
    let tweet = app.post_tweet(&bob, "mine").await["id"].as_i64().unwrap();
    let me = app.get("/api/v1/me", Some(&eve.token)).await.expect(200);
    assert_eq!(me["is_admin"], false);
    // Another account's profile says nothing about the flag.
    let profile = app
        .get("/api/v1/users/bob", Some(&eve.token))
        .await
        .expect(200);
    assert!(profile.get("is_admin").is_none(), "{profile}");

    let denied = [
        (Method::GET, "/api/v1/admin/users/bob".to_string()),
        (Method::POST, "/api/v1/admin/users/bob/deactivate".into()),
        (Method::POST, "/api/v1/admin/users/bob/reactivate".into()),
        (Method::DELETE, format!("/api/v1/admin/tweets/{tweet}")),
        (Method::GET, "/api/v1/admin/audit".into()),
    ];
    for (method, path) in &denied {
        let res = app
            .send(app.request(method.clone(), path, Some(&eve.token)))
            .await;
        assert_eq!(res.problem(403)["code"], "not_admin", "{method} {path}");
        let res = app.send(app.request(method.clone(), path, None)).await;
        res.problem(401);
    }
    // Nothing happened to bob or his tweet.
    app.login("bob", PASSWORD).await.expect(200);
    app.get(&format!("/api/v1/tweets/{tweet}"), None)
        .await
        .expect(200);

    // The flag is read on every request: granted and revoked on the command
    // line, it counts for tokens already out.
    ok(&cli(&app, &["users", "promote", "eve"], ""));
    app.get("/api/v1/admin/users/bob", Some(&eve.token))
        .await
        .expect(200);
    ok(&cli(&app, &["users", "demote", "eve"], ""));
    app.get("/api/v1/admin/users/bob", Some(&eve.token))
        .await
        .problem(403);
}

#[actix_web::test]
async fn a_deactivated_account_cannot_sign_in_and_its_sessions_end_at_once() {
    let app = spawn_app().await;
    let root = admin(&app, "root").await;
    let bob = app.register("bob").await;
    let tweet = app.post_tweet(&bob, "still here").await["id"]
        .as_i64()
        .unwrap();

    let status = post(
        &app,
        "/api/v1/admin/users/BOB/deactivate?reason=spam%20links",
        &root.token,
    )
    .await
    .expect(200);
    assert_eq!(status["username"], "bob");
    assert!(status["deactivated_at"].is_string(), "{status}");
    // Idempotent: a second deactivation changes nothing and records nothing.
    post(&app, "/api/v1/admin/users/bob/deactivate", &root.token)
        .await
        .expect(200);

    // The access token and the refresh token stop working at once, and a
    // sign-in with the right password is refused, saying why.
    let res = app.get("/api/v1/me", Some(&bob.token)).await;
    assert_eq!(res.problem(401)["code"], "session_ended");
    let res = app
        .json(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": bob.refresh_token}),
        )
        .await;
    res.problem(401);
    let res = app.login("bob", PASSWORD).await;
    assert_eq!(res.problem(403)["code"], "account_deactivated");
    // A wrong password still says only that the credentials are wrong.
    let res = app.login("bob", "not the password at all").await;
    assert_eq!(res.problem(401)["code"], "invalid_credentials");
    // Its tweets stay until they are removed.
    app.get(&format!("/api/v1/tweets/{tweet}"), None)
        .await
        .expect(200);

    let status = post(&app, "/api/v1/admin/users/bob/reactivate", &root.token)
        .await
        .expect(200);
    assert_eq!(status["deactivated_at"], Value::Null);
    app.login("bob", PASSWORD).await.expect(200);
    // The sessions deactivation ended stay ended.
    app.get("/api/v1/me", Some(&bob.token)).await.problem(401);

    // An administrator cannot be deactivated, not even by themselves.
    let res = post(&app, "/api/v1/admin/users/root/deactivate", &root.token).await;
    assert_eq!(res.problem(409)["code"], "conflict");
    app.get("/api/v1/me", Some(&root.token)).await.expect(200);
    post(&app, "/api/v1/admin/users/nobody/deactivate", &root.token)
        .await
        .problem(404);
    let long = "x".repeat(501);
    post(
        &app,
        &format!("/api/v1/admin/users/bob/deactivate?reason={long}"),
        &root.token,
    )
    .await
    .problem(422);

    let log = audit(&app, &root.token).await;
    let actions: Vec<(&str, &str, &str, &str)> = log
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["target_username"].as_str().unwrap_or("-"),
                e["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("root", "reactivate_user", "bob", ""),
            ("root", "deactivate_user", "bob", "spam links"),
            ("cli:ops", "grant_admin", "root", ""),
            ("cli:ops", "create_user", "root", ""),
        ]
    );
}

#[actix_web::test]
async fn an_administrator_removes_anyones_tweet_and_the_log_keeps_its_text() {
    let app = spawn_app().await;
    let root = admin(&app, "root").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let tweet = app.post_tweet(&bob, "buy cheap watches").await["id"]
        .as_i64()
        .unwrap();
    let kept = app.post_tweet(&bob, "a fine tweet").await["id"]
        .as_i64()
        .unwrap();
    let repost = app
        .put(
            &format!("/api/v1/tweets/{tweet}/repost"),
            Some(&carol.token),
        )
        .await
        .expect(200);
    assert_eq!(repost["repost_count"], 1);

    // A repost is not removed on its own; unknown ids are 404s.
    let repost_id: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "SELECT id FROM tweets WHERE repost_of_id = {tweet}"
    ))
    .get_result(&mut app.db.connect())
    .unwrap();
    app.delete(
        &format!("/api/v1/admin/tweets/{repost_id}"),
        Some(&root.token),
    )
    .await
    .problem(404);
    app.delete("/api/v1/admin/tweets/999999", Some(&root.token))
        .await
        .problem(404);

    app.delete(
        &format!("/api/v1/admin/tweets/{tweet}?reason=spam"),
        Some(&root.token),
    )
    .await
    .expect(204);
    app.get(&format!("/api/v1/tweets/{tweet}"), None)
        .await
        .problem(404);
    // Its repost went with it; the author's other tweets stay.
    assert!(app
        .walk("/api/v1/users/carol/tweets", None, 10)
        .await
        .is_empty());
    app.get(&format!("/api/v1/tweets/{kept}"), None)
        .await
        .expect(200);
    let me = app.get("/api/v1/me", Some(&bob.token)).await.expect(200);
    assert_eq!(me["tweets_count"], 1);

    let log = audit(&app, &root.token).await;
    assert_eq!(log[0]["action"], "remove_tweet");
    assert_eq!(log[0]["actor"], "root");
    assert_eq!(log[0]["target_username"], "bob");
    assert_eq!(log[0]["tweet_id"], tweet);
    assert_eq!(log[0]["tweet_text"], "buy cheap watches");
    assert_eq!(log[0]["reason"], "spam");
}

#[actix_web::test]
async fn the_command_line_lists_creates_deactivates_and_removes() {
    let app = spawn_app().await;
    let bob = app.register("bob").await;
    app.post_tweet(&bob, "first").await;

    let out = ok(&cli(
        &app,
        &["tweets", "create", "--as", "bob", "from the shell #ops"],
        "",
    ));
    let id: i64 = out
        .strip_prefix("created tweet ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    let tweet = app
        .get(&format!("/api/v1/tweets/{id}"), None)
        .await
        .expect(200);
    assert_eq!(tweet["author"]["username"], "bob");
    // Tagged as any tweet is (a trigger does it).
    let tagged = app.walk("/api/v1/tags/ops/tweets", None, 10).await;
    assert_eq!(crate::helpers::ids(&tagged), [id]);
    let listed = ok(&cli(&app, &["tweets", "list", "--author", "bob"], ""));
    assert!(
        listed.contains("from the shell #ops") && listed.contains("first"),
        "{listed}"
    );
    let bad = cli(
        &app,
        &["tweets", "create", "--as", "bob", &"x".repeat(281)],
        "",
    );
    assert_eq!(bad.status.code(), Some(1));

    ok(&cli(
        &app,
        &["users", "deactivate", "bob", "--reason", "test"],
        "",
    ));
    app.get("/api/v1/me", Some(&bob.token)).await.problem(401);
    app.login("bob", PASSWORD).await.problem(403);
    let listed = ok(&cli(&app, &["users", "list", "--deactivated"], ""));
    assert!(listed.lines().any(|l| l.contains(" bob ")), "{listed}");
    let bad = cli(
        &app,
        &["tweets", "create", "--as", "bob", "while deactivated"],
        "",
    );
    assert_eq!(bad.status.code(), Some(1));
    ok(&cli(&app, &["users", "reactivate", "bob"], ""));
    app.login("bob", PASSWORD).await.expect(200);

    ok(&cli(
        &app,
        &["tweets", "remove", &id.to_string(), "--reason", "test"],
        "",
    ));
    app.get(&format!("/api/v1/tweets/{id}"), None)
        .await
        .problem(404);
    let missing = cli(&app, &["users", "deactivate", "nobody"], "");
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no user `nobody`"));

    let log = ok(&cli(&app, &["audit"], ""));
    let actions: Vec<&str> = log
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(4).unwrap_or(""))
        .collect();
    assert_eq!(
        actions,
        [
            "remove_tweet",
            "reactivate_user",
            "deactivate_user",
            "create_tweet"
        ],
        "{log}"
    );
    assert!(log.contains("cli:ops"), "{log}");
}

#[actix_web::test]
async fn serve_creates_the_demo_account_once() {
    let app = spawn_app().await;
    let env = [
        ("DATABASE_URL", app.db.url.as_str()),
        ("DEMO_USERNAME", "demo"),
        ("DEMO_PASSWORD", "demo-password"),
    ];
    let served = crate::helpers::Served::start(&env);
    let login = |address: String| async move {
        reqwest::Client::new()
            .post(format!("{address}/api/v1/auth/login"))
            .json(&json!({"username": "demo", "password": "demo-password"}))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(login(served.address.clone()).await, 200);
    drop(served);
    // A second start finds it and leaves it alone.
    let served = crate::helpers::Served::start(&env);
    assert_eq!(login(served.address.clone()).await, 200);
    let listed = ok(&cli(&app, &["users", "list"], ""));
    assert_eq!(
        listed.lines().filter(|l| l.contains(" demo ")).count(),
        1,
        "{listed}"
    );
}

/// A reader that stops early (`tweets users list | head`) ends the command
/// quietly with success, not with a panic on the broken pipe.
#[actix_web::test]
async fn output_into_a_closed_pipe_is_not_a_crash() {
    let app = spawn_app().await;
    for n in 0..5 {
        app.register(&format!("user{n}")).await;
    }
    let mut child = tweets(&["users", "list"], &[("DATABASE_URL", &app.db.url)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
