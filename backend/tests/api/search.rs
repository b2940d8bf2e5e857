//! Search (tweets, accounts, hashtags) and whom to follow.

use serde_json::{json, Value};

use crate::helpers::{ids, spawn_app};

fn names(items: &[Value]) -> Vec<&str> {
    items
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect()
}

#[actix_web::test]
async fn tweets_are_found_by_their_words_best_match_first_and_paged_exactly() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let once = app.post_tweet(&alice, "I love running in the rain").await["id"]
        .as_i64()
        .unwrap();
    let thrice = app.post_tweet(&bob, "Rain, rain and more rain").await["id"]
        .as_i64()
        .unwrap();
    let runs = app.post_tweet(&alice, "Rust runs fast").await["id"]
        .as_i64()
        .unwrap();
    app.post_tweet(&alice, "nothing to see").await;
    let hidden = app.post_tweet(&carol, "rain from carol").await["id"]
        .as_i64()
        .unwrap();
    app.put(
        &format!("/api/v1/tweets/{thrice}/repost"),
        Some(&alice.token),
    )
    .await
    .expect(200);

    // English stemming: "run" finds running and runs.
    let found = ids(&app.walk("/api/v1/search/tweets?q=run", None, 1).await);
    assert_eq!(found, vec![runs, once]);
    // Ranked: three rains before one; a repost is not listed twice.
    let found = ids(&app.walk("/api/v1/search/tweets?q=rain", None, 1).await);
    assert_eq!(found[0], thrice);
    assert_eq!(found.len(), 3, "{found:?}");
    // Phrases and exclusions.
    let phrase = "/api/v1/search/tweets?q=%22rust%20runs%22";
    assert_eq!(ids(&app.walk(phrase, None, 5).await), vec![runs]);
    let reversed = "/api/v1/search/tweets?q=%22runs%20rust%22";
    assert!(
        app.walk(reversed, None, 5).await.is_empty(),
        "a phrase keeps its order"
    );
    let found = ids(&app
        .walk("/api/v1/search/tweets?q=rain%20-love", None, 5)
        .await);
    assert!(!found.contains(&once));
    // A block hides the blocker's tweets from the blocked reader.
    app.put("/api/v1/users/bob/block", Some(&carol.token))
        .await
        .expect(200);
    let found = ids(&app
        .walk("/api/v1/search/tweets?q=rain", Some(&bob.token), 2)
        .await);
    assert!(
        !found.contains(&hidden) && found.contains(&thrice),
        "{found:?}"
    );
    // A mute hides the muted account's tweets from the muter's searches.
    app.put("/api/v1/users/bob/mute", Some(&alice.token))
        .await
        .expect(200);
    let found = ids(&app
        .walk("/api/v1/search/tweets?q=rain", Some(&alice.token), 2)
        .await);
    assert!(
        !found.contains(&thrice) && found.contains(&hidden),
        "{found:?}"
    );
    // Link keeps the query.
    let res = app.get("/api/v1/search/tweets?q=rain&limit=1", None).await;
    assert!(
        res.header("link").unwrap().contains("q=rain&cursor="),
        "{:?}",
        res.header("link")
    );
    // Bad input.
    for bad in [
        "",
        "?q=",
        "?q=%20%20",
        &format!("?q={}", "a".repeat(201)),
        "?q=rain&cursor=abc",
        "?q=rain&limit=0",
    ] {
        app.get(&format!("/api/v1/search/tweets{bad}"), None)
            .await
            .problem(400);
    }
    // A cursor from another list is refused.
    let page = app.get("/api/v1/tweets?limit=1", None).await.expect(200);
    let cursor = page["next_cursor"].as_str().unwrap();
    app.get(
        &format!("/api/v1/search/tweets?q=rain&cursor={cursor}"),
        None,
    )
    .await
    .problem(400);
    // Stop words only: nothing, not an error.
    assert!(app
        .walk("/api/v1/search/tweets?q=the", None, 5)
        .await
        .is_empty());
}

#[actix_web::test]
async fn accounts_are_found_by_username_or_display_name_prefix() {
    let app = spawn_app().await;
    for (username, display) in [
        ("annabel", "Bel"),
        ("anna", "Anna"),
        ("bob", "Anna Bob"),
        ("a_n", ""),
        ("axn", ""),
    ] {
        app.register_raw(&json!({"username": username, "password": crate::helpers::PASSWORD, "display_name": display}))
            .await
            .expect(201);
    }
    let found = app.walk("/api/v1/search/accounts?q=ANNA", None, 1).await;
    assert_eq!(names(&found), ["anna", "annabel", "bob"]);
    let found = app.walk("/api/v1/search/accounts?q=%40ann", None, 10).await;
    assert_eq!(names(&found), ["anna", "annabel", "bob"]);
    let found = app.walk("/api/v1/search/accounts?q=a_", None, 10).await;
    assert_eq!(names(&found), ["a_n"], "_ is not a wildcard");
    assert!(app
        .walk("/api/v1/search/accounts?q=zz", None, 10)
        .await
        .is_empty());
    app.get("/api/v1/search/accounts", None).await.problem(400);
}

#[actix_web::test]
async fn hashtags_are_listed_by_prefix_with_their_counts() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    for text in [
        "#rust one",
        "#Rust two",
        "#rust #ruby three",
        "#ruby four",
        "#rustacean five",
    ] {
        app.post_tweet(&alice, text).await;
    }
    let tags = app.get("/api/v1/search/tags?q=ru", None).await.expect(200);
    assert_eq!(
        tags["items"],
        json!([{"tag": "rust", "count": 3}, {"tag": "ruby", "count": 2}, {"tag": "rustacean", "count": 1}])
    );
    let tags = app
        .get("/api/v1/search/tags?q=%23RUST&limit=1", None)
        .await
        .expect(200);
    assert_eq!(tags["items"], json!([{"tag": "rust", "count": 3}]));
    for bad in ["", "?q=", "?q=%21", "?q=ru&limit=101"] {
        app.get(&format!("/api/v1/search/tags{bad}"), None)
            .await
            .problem(400);
    }
}

#[actix_web::test]
async fn suggestions_are_followed_by_those_i_follow_else_the_most_followed() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let erin = app.register("erin").await;
    for name in ["carol", "dave", "frank", "gina"] {
        app.register(name).await;
    }
    app.follow(&alice, "bob").await;
    app.follow(&alice, "erin").await;
    app.follow(&bob, "carol").await;
    app.follow(&erin, "carol").await;
    app.follow(&bob, "dave").await;
    app.follow(&bob, "alice").await;
    app.follow(&erin, "gina").await;
    app.put("/api/v1/users/gina/block", Some(&alice.token))
        .await
        .expect(200);

    let found = app
        .get("/api/v1/suggestions", Some(&alice.token))
        .await
        .expect(200);
    let found = names(found["items"].as_array().unwrap());
    assert_eq!(&found[..2], ["carol", "dave"], "{found:?}");
    assert!(
        !found
            .iter()
            .any(|n| ["alice", "bob", "erin", "gina"].contains(n)),
        "{found:?}"
    );
    // Someone who follows no one gets the most followed lately.
    let frank = app
        .login("frank", crate::helpers::PASSWORD)
        .await
        .expect(200);
    let token = frank["access_token"].as_str().unwrap();
    let found = app
        .get("/api/v1/suggestions?limit=2", Some(token))
        .await
        .expect(200);
    assert_eq!(
        names(found["items"].as_array().unwrap()),
        ["carol", "alice"]
    );
    app.get("/api/v1/suggestions", None).await.problem(401);
}
