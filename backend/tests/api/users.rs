use serde_json::Value;

use crate::helpers::{ids, spawn_app};

#[actix_web::test]
async fn profiles_are_public_and_personalised_with_a_token() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let anon = app.get("/api/v1/users/Alice", None).await.expect(200);
    assert_eq!(anon["username"], "alice");
    assert_eq!(anon["followed_by_me"], Value::Null);
    for key in [
        "id",
        "display_name",
        "bio",
        "avatar_url",
        "created_at",
        "followers_count",
        "following_count",
        "tweets_count",
    ] {
        assert!(anon.get(key).is_some(), "{key}");
    }
    assert_eq!(
        app.get("/api/v1/users/alice", Some(&bob.token))
            .await
            .expect(200)["followed_by_me"],
        false
    );
    app.follow(&bob, "alice").await;
    assert_eq!(
        app.get("/api/v1/users/alice", Some(&bob.token))
            .await
            .expect(200)["followed_by_me"],
        true
    );
    assert_eq!(
        app.get("/api/v1/users/bob", Some(&alice.token))
            .await
            .expect(200)["followed_by_me"],
        false
    );
    app.get("/api/v1/users/nobody", None).await.problem(404);
    app.get("/api/v1/users/x", None).await.problem(404);
    app.get("/api/v1/users/bad%20name", None).await.problem(404);
    app.get("/api/v1/users/nobody/tweets", None)
        .await
        .problem(404);
    app.get("/api/v1/users/nobody/followers", None)
        .await
        .problem(404);
}

#[actix_web::test]
async fn following_is_idempotent_and_counted() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let followed = app.follow(&bob, "ALICE").await;
    assert_eq!(followed["username"], "alice");
    assert_eq!(followed["followers_count"], 1);
    assert_eq!(followed["followed_by_me"], true);
    let again = app.follow(&bob, "alice").await;
    assert_eq!(again["followers_count"], 1);
    app.follow(&carol, "alice").await;
    app.follow(&bob, "carol").await;

    let bob_profile = app.get("/api/v1/users/bob", None).await.expect(200);
    assert_eq!(bob_profile["following_count"], 2);
    assert_eq!(bob_profile["followers_count"], 0);

    // Followers newest first; following lists too.
    let followers = app
        .walk("/api/v1/users/alice/followers", Some(&bob.token), 1)
        .await;
    assert_eq!(ids(&followers), vec![carol.id, bob.id]);
    assert_eq!(followers[1]["followed_by_me"], false);
    assert_eq!(followers[0]["followed_by_me"], true);
    let following = app.walk("/api/v1/users/bob/following", None, 10).await;
    assert_eq!(ids(&following), vec![carol.id, alice.id]);
    assert_eq!(following[0]["followed_by_me"], Value::Null);

    let unfollowed = app
        .delete("/api/v1/users/alice/follow", Some(&bob.token))
        .await
        .expect(200);
    assert_eq!(unfollowed["followers_count"], 1);
    assert_eq!(unfollowed["followed_by_me"], false);
    let again = app
        .delete("/api/v1/users/alice/follow", Some(&bob.token))
        .await
        .expect(200);
    assert_eq!(again["followers_count"], 1);
    let bob_profile = app.get("/api/v1/users/bob", None).await.expect(200);
    assert_eq!(bob_profile["following_count"], 1);
}

#[actix_web::test]
async fn follow_errors() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let body = app
        .put("/api/v1/users/ALICE/follow", Some(&alice.token))
        .await
        .problem(422);
    assert!(body["errors"]["username"].is_array());
    app.put("/api/v1/users/nobody/follow", Some(&alice.token))
        .await
        .problem(404);
    app.delete("/api/v1/users/nobody/follow", Some(&alice.token))
        .await
        .problem(404);
    app.put("/api/v1/users/alice/follow", None)
        .await
        .problem(401);
    app.delete("/api/v1/users/alice/follow", None)
        .await
        .problem(401);
}

#[actix_web::test]
async fn a_users_tweets_newest_first() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let a1 = app.post_tweet(&alice, "a1").await;
    app.post_tweet(&bob, "b1").await;
    let a2 = app.post_tweet(&alice, "a2").await;
    let items = app.walk("/api/v1/users/alice/tweets", None, 1).await;
    assert_eq!(
        ids(&items),
        vec![a2["id"].as_i64().unwrap(), a1["id"].as_i64().unwrap()]
    );
    assert_eq!(
        app.get("/api/v1/users/alice", None).await.expect(200)["tweets_count"],
        2
    );
}

#[actix_web::test]
async fn the_home_timeline_holds_my_tweets_and_those_i_follow() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    app.follow(&alice, "bob").await;
    let a = app.post_tweet(&alice, "mine").await["id"].as_i64().unwrap();
    let b = app.post_tweet(&bob, "followed").await["id"]
        .as_i64()
        .unwrap();
    app.post_tweet(&carol, "not followed").await;
    let c = app.reply(&bob, a, "a reply from bob").await["id"]
        .as_i64()
        .unwrap();
    let home = app.walk("/api/v1/timeline", Some(&alice.token), 2).await;
    assert_eq!(ids(&home), vec![c, b, a]);
    app.get("/api/v1/timeline", None).await.problem(401);
    // A new user's home timeline is empty, not an error.
    let dan = app.register("dan").await;
    let page = app
        .get("/api/v1/timeline", Some(&dan.token))
        .await
        .expect(200);
    assert_eq!(page["items"], serde_json::json!([]));
    assert_eq!(page["next_cursor"], Value::Null);
    // Unfollowing removes them again.
    app.delete("/api/v1/users/bob/follow", Some(&alice.token))
        .await
        .expect(200);
    assert_eq!(
        ids(&app.walk("/api/v1/timeline", Some(&alice.token), 20).await),
        vec![a]
    );
}
