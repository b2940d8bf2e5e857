use diesel::{sql_query, RunQueryDsl};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{ids, spawn_app, spawn_app_with};

#[actix_web::test]
async fn a_posted_tweet_is_stored_trimmed_and_verbatim() {
    let app = spawn_app().await;
    let user = app.register("quinn").await;
    let res = app
        .post_tweet_raw(
            &user,
            &json!({"text": "  <script>alert(1)</script> & \"quotes\" 😀\n "}),
        )
        .await;
    let tweet = res.expect(201);
    assert_eq!(tweet["text"], "<script>alert(1)</script> & \"quotes\" 😀");
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/tweets/{}", tweet["id"]).as_str())
    );
    assert_eq!(tweet["author"]["username"], "quinn");
    assert_eq!(tweet["author"]["id"], user.id);
    assert_eq!(tweet["image_url"], Value::Null);
    assert_eq!(tweet["reply_to_id"], Value::Null);
    assert_eq!(tweet["like_count"], 0);
    assert_eq!(tweet["reply_count"], 0);
    assert_eq!(tweet["liked_by_me"], false);
    let created =
        chrono::DateTime::parse_from_rfc3339(tweet["created_at"].as_str().unwrap()).unwrap();
    assert_eq!(created.offset().local_minus_utc(), 0);
    let fetched = app
        .get(&format!("/api/v1/tweets/{}", tweet["id"]), None)
        .await
        .expect(200);
    assert_eq!(fetched, tweet);
    let me = app.get("/api/v1/me", Some(&user.token)).await.expect(200);
    assert_eq!(me["tweets_count"], 1);
}

#[actix_web::test]
async fn ids_increase_with_creation_time() {
    let app = spawn_app().await;
    let user = app.register("ravi").await;
    let a = app.post_tweet(&user, "one").await["id"].as_i64().unwrap();
    let b = app.post_tweet(&user, "two").await["id"].as_i64().unwrap();
    assert!(a > 0 && b > a);
}

#[actix_web::test]
async fn text_length_is_counted_in_unicode_scalar_values() {
    let app = spawn_app().await;
    let user = app.register("sara").await;
    app.post_tweet(&user, &"😀".repeat(280)).await;
    app.post_tweet(&user, &format!("  {}  ", "a".repeat(280)))
        .await;
    let body = app
        .post_tweet_raw(&user, &json!({"text": "😀".repeat(281)}))
        .await
        .problem(422);
    assert!(body["errors"]["text"][0].as_str().unwrap().contains("280"));
    for blank in ["", "   ", "\n\t "] {
        let body = app
            .post_tweet_raw(&user, &json!({"text": blank}))
            .await
            .problem(422);
        assert!(body["errors"]["text"].is_array());
    }
    let body = app.post_tweet_raw(&user, &json!({})).await.problem(422);
    assert_eq!(body["errors"]["text"][0], "is required");
    app.post_tweet_raw(&user, &json!({"text": 42}))
        .await
        .problem(422);
    app.post_tweet_raw(&user, &json!({"text": "ok", "reply_to_id": "x"}))
        .await
        .problem(422);
}

#[actix_web::test]
async fn posting_needs_a_token() {
    let app = spawn_app().await;
    let res = app
        .json(Method::POST, "/api/v1/tweets", None, &json!({"text": "hi"}))
        .await;
    res.problem(401);
    assert_eq!(res.header("www-authenticate"), Some("Bearer"));
}

#[actix_web::test]
async fn replies_thread_oldest_first_and_outlive_their_parent() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let parent = app.post_tweet(&alice, "parent").await;
    let pid = parent["id"].as_i64().unwrap();
    let r1 = app.reply(&bob, pid, "first").await;
    let r2 = app.reply(&alice, pid, "second").await;
    let r3 = app.reply(&bob, pid, "third").await;
    assert_eq!(r1["reply_to_id"], pid);
    let parent = app
        .get(&format!("/api/v1/tweets/{pid}"), None)
        .await
        .expect(200);
    assert_eq!(parent["reply_count"], 3);
    let replies = app
        .walk(&format!("/api/v1/tweets/{pid}/replies"), None, 2)
        .await;
    assert_eq!(
        ids(&replies),
        vec![
            r1["id"].as_i64().unwrap(),
            r2["id"].as_i64().unwrap(),
            r3["id"].as_i64().unwrap()
        ]
    );
    // Replies are tweets in the public timeline too.
    assert_eq!(app.walk("/api/v1/tweets", None, 100).await.len(), 4);

    // Replying to a missing tweet is 422.
    let body = app
        .post_tweet_raw(&bob, &json!({"text": "lost", "reply_to_id": 999999}))
        .await
        .problem(422);
    assert!(body["errors"]["reply_to_id"].is_array());
    app.post_tweet_raw(&bob, &json!({"text": "lost", "reply_to_id": -1}))
        .await
        .problem(422);
    app.get("/api/v1/tweets/999999/replies", None)
        .await
        .problem(404);

    // Deleting the parent keeps the replies, detached; deleting a reply lowers the count.
    app.delete(&format!("/api/v1/tweets/{}", r2["id"]), Some(&alice.token))
        .await
        .expect(204);
    let parent = app
        .get(&format!("/api/v1/tweets/{pid}"), None)
        .await
        .expect(200);
    assert_eq!(parent["reply_count"], 2);
    app.delete(&format!("/api/v1/tweets/{pid}"), Some(&alice.token))
        .await
        .expect(204);
    let orphan = app
        .get(&format!("/api/v1/tweets/{}", r1["id"]), None)
        .await
        .expect(200);
    assert_eq!(orphan["reply_to_id"], Value::Null);
    assert_eq!(orphan["text"], "first");
}

#[actix_web::test]
async fn only_the_author_can_delete_and_likes_go_with_the_tweet() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let tweet = app.post_tweet(&alice, "mine").await;
    let path = format!("/api/v1/tweets/{}", tweet["id"]);
    app.put(&format!("{path}/like"), Some(&bob.token))
        .await
        .expect(200);
    app.delete(&path, Some(&bob.token)).await.problem(403);
    app.delete(&path, None).await.problem(401);
    app.delete("/api/v1/tweets/424242", Some(&alice.token))
        .await
        .problem(404);
    let res = app.delete(&path, Some(&alice.token)).await;
    assert_eq!(res.status.as_u16(), 204);
    assert!(res.text.is_empty());
    app.get(&path, None).await.problem(404);
    app.delete(&path, Some(&alice.token)).await.problem(404);
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let likes: Count = sql_query("SELECT count(*) AS n FROM likes")
        .get_result(&mut app.db.connect())
        .unwrap();
    assert_eq!(likes.n, 0);
    let me = app.get("/api/v1/me", Some(&alice.token)).await.expect(200);
    assert_eq!(me["tweets_count"], 0);
}

#[actix_web::test]
async fn tweet_ids_that_cannot_exist_are_404() {
    let app = spawn_app().await;
    for id in ["abc", "0", "-5", "1.5", "99999999999999999999999"] {
        app.get(&format!("/api/v1/tweets/{id}"), None)
            .await
            .problem(404);
    }
}

#[actix_web::test]
async fn likes_are_idempotent_and_personalised() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let tweet = app.post_tweet(&alice, "like me").await;
    let path = format!("/api/v1/tweets/{}/like", tweet["id"]);
    let liked = app.put(&path, Some(&bob.token)).await.expect(200);
    assert_eq!(liked["like_count"], 1);
    assert_eq!(liked["liked_by_me"], true);
    let again = app.put(&path, Some(&bob.token)).await.expect(200);
    assert_eq!(again["like_count"], 1);
    app.put(&path, Some(&alice.token)).await.expect(200);

    let tpath = format!("/api/v1/tweets/{}", tweet["id"]);
    let anon = app.get(&tpath, None).await.expect(200);
    assert_eq!(anon["like_count"], 2);
    assert_eq!(anon["liked_by_me"], false);
    assert_eq!(
        app.get(&tpath, Some(&bob.token)).await.expect(200)["liked_by_me"],
        true
    );
    let public = app
        .get("/api/v1/tweets", Some(&bob.token))
        .await
        .expect(200);
    assert_eq!(public["items"][0]["liked_by_me"], true);
    let public = app.get("/api/v1/tweets", None).await.expect(200);
    assert_eq!(public["items"][0]["liked_by_me"], false);

    let unliked = app.delete(&path, Some(&bob.token)).await.expect(200);
    assert_eq!(unliked["like_count"], 1);
    assert_eq!(unliked["liked_by_me"], false);
    let again = app.delete(&path, Some(&bob.token)).await.expect(200);
    assert_eq!(again["like_count"], 1);

    app.put("/api/v1/tweets/987654/like", Some(&bob.token))
        .await
        .problem(404);
    app.delete("/api/v1/tweets/987654/like", Some(&bob.token))
        .await
        .problem(404);
    app.put(&path, None).await.problem(401);
}

#[actix_web::test]
async fn an_idempotency_key_makes_a_retry_return_the_first_tweet() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let post = |user: &crate::helpers::User, key: &str, text: &str| {
        app.send(
            app.request(Method::POST, "/api/v1/tweets", Some(&user.token))
                .header("idempotency-key", key)
                .json(&json!({"text": text})),
        )
    };
    let first = post(&alice, "key-1", "once").await;
    let tweet = first.expect(201);
    let retry = post(&alice, "key-1", "once").await;
    assert_eq!(retry.expect(200)["id"], tweet["id"]);
    assert_eq!(retry.header("location"), first.header("location"));
    // The same key with another body is refused rather than silently replayed.
    let body = post(&alice, "key-1", "twice").await.problem(422);
    assert!(body["errors"]["idempotency_key"].is_array());
    // Keys are per user.
    let other = post(&bob, "key-1", "once").await.expect(201);
    assert_ne!(other["id"], tweet["id"]);
    // Invalid keys are 400.
    post(&alice, "", "x").await.problem(400);
    post(&alice, &"k".repeat(256), "x").await.problem(400);
    assert_eq!(app.walk("/api/v1/tweets", None, 100).await.len(), 2);

    // After 24 hours the key is forgotten.
    sql_query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
        .execute(&mut app.db.connect())
        .unwrap();
    let fresh = post(&alice, "key-1", "twice").await.expect(201);
    assert_ne!(fresh["id"], tweet["id"]);
}

#[actix_web::test]
async fn concurrent_retries_with_one_key_make_one_tweet() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let sends = (0..8).map(|_| {
        app.send(
            app.request(Method::POST, "/api/v1/tweets", Some(&alice.token))
                .header("idempotency-key", "burst")
                .json(&json!({"text": "only once"})),
        )
    });
    let results = futures_util::future::join_all(sends).await;
    let mut created = 0;
    let mut seen = std::collections::HashSet::new();
    for r in &results {
        match r.status.as_u16() {
            201 => created += 1,
            200 => {}
            other => panic!("unexpected {other}: {}", r.text),
        }
        seen.insert(r.json()["id"].as_i64().unwrap());
    }
    assert_eq!(created, 1);
    assert_eq!(seen.len(), 1);
    assert_eq!(app.walk("/api/v1/tweets", None, 100).await.len(), 1);
    let me = app.get("/api/v1/me", Some(&alice.token)).await.expect(200);
    assert_eq!(me["tweets_count"], 1);
}

#[actix_web::test]
async fn posting_is_rate_limited_per_user() {
    let app = spawn_app_with(|s| s.rate_limits.posts_per_minute = 2).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    app.post_tweet(&alice, "1").await;
    app.post_tweet(&alice, "2").await;
    let res = app.post_tweet_raw(&alice, &json!({"text": "3"})).await;
    res.problem(429);
    assert!(res.header("retry-after").is_some());
    app.post_tweet(&bob, "mine is fine").await;
}

#[actix_web::test]
async fn a_hashtag_lists_its_tweets_newest_first_from_an_index() {
    let app = crate::helpers::spawn_app().await;
    let alice = app.register("alice").await;
    let mut tagged = Vec::new();
    for (text, has_rust) in [
        ("#Rust is fun", true),
        (
            "not a tag: a#rust, &#rust, https://example.com/#rust",
            false,
        ),
        ("#rustacean is another tag", false),
        ("more #rust, twice #RUST", true),
        ("#Ünïcode works too", false),
    ] {
        let id = app.post_tweet(&alice, text).await["id"].as_i64().unwrap();
        if has_rust {
            tagged.push(id);
        }
    }
    tagged.reverse();
    let walked = crate::helpers::ids(&app.walk("/api/v1/tags/rust/tweets", None, 1).await);
    assert_eq!(walked, tagged);
    // With the `#`, and case-insensitively.
    let page = app
        .get("/api/v1/tags/%23RuSt/tweets", None)
        .await
        .expect(200);
    assert_eq!(
        crate::helpers::ids(page["items"].as_array().unwrap()),
        tagged
    );
    let page = app
        .get("/api/v1/tags/%C3%9CN%C3%8FCODE/tweets", None)
        .await
        .expect(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let page = app
        .get("/api/v1/tags/rustacean/tweets", None)
        .await
        .expect(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    // A deleted tweet leaves its tags.
    app.delete(&format!("/api/v1/tweets/{}", tagged[0]), Some(&alice.token))
        .await;
    let page = app.get("/api/v1/tags/rust/tweets", None).await.expect(200);
    assert_eq!(
        crate::helpers::ids(page["items"].as_array().unwrap()),
        &tagged[1..]
    );
    for bad in ["no-dash", "%20", &"x".repeat(51)] {
        app.get(&format!("/api/v1/tags/{bad}/tweets"), None)
            .await
            .problem(404);
    }
}

/// Tweet ids are typed from the path down: anything but a positive integer
/// names no tweet, and the 404 says which.
#[actix_web::test]
async fn a_path_that_is_not_a_tweet_id_is_a_404_naming_it() {
    let app = spawn_app().await;
    for (raw, shown) in [("abc", "abc"), ("0", "0"), ("-4", "-4"), ("1.5", "1.5")] {
        let problem = app
            .get(&format!("/api/v1/tweets/{raw}"), None)
            .await
            .problem(404);
        assert_eq!(problem["detail"], format!("no tweet with id `{shown}`"));
        app.get(&format!("/api/v1/tweets/{raw}/replies"), None)
            .await
            .problem(404);
    }
}
