//! Mentions, reposts, blocks, mutes and notifications.

use serde_json::{json, Value};

use crate::helpers::{ids, spawn_app, TestApp, User};

async fn put_ok(app: &TestApp, user: &User, path: &str) -> Value {
    app.put(path, Some(&user.token)).await.expect(200)
}

async fn delete_ok(app: &TestApp, user: &User, path: &str) -> Value {
    app.delete(path, Some(&user.token)).await.expect(200)
}

fn texts(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|t| t["text"].as_str().unwrap().to_string())
        .collect()
}

async fn notifications(app: &TestApp, user: &User) -> Vec<Value> {
    app.walk("/api/v1/notifications", Some(&user.token), 2)
        .await
}

#[actix_web::test]
async fn a_tweet_lists_the_accounts_it_mentions() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    app.register("Bob_B").await;
    app.register("carol").await;
    let tweet = app
        .post_tweet(
            &alice,
            "hi @bob_b, @nobody and @CAROL (again @Bob_B); not a@carol nor https://x.example/@carol nor @carolx",
        )
        .await;
    assert_eq!(tweet["mentions"], json!(["Bob_B", "carol"]));
    let plain = app.post_tweet(&alice, "no one here").await;
    assert_eq!(plain["mentions"], json!([]));
}

#[actix_web::test]
async fn reposts_are_counted_idempotent_and_reach_the_reposters_followers_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let erin = app.register("erin").await;
    let carol = app.register("carol").await;
    let tweet = app.post_tweet(&alice, "worth sharing").await;
    let id = tweet["id"].as_i64().unwrap();
    let path = format!("/api/v1/tweets/{id}/repost");

    // Idempotent and counted once.
    put_ok(&app, &bob, &path).await;
    let shown = put_ok(&app, &bob, &path).await;
    assert_eq!(shown["repost_count"], 1);
    assert_eq!(shown["reposted_by_me"], true);
    assert_eq!(shown["id"], id);
    put_ok(&app, &erin, &path).await;
    // My own tweet: not supported.
    app.put(&path, Some(&alice.token)).await.problem(422);

    // Carol follows both reposters, not the author: the tweet shows once,
    // named for the first repost.
    app.follow(&carol, "bob").await;
    app.follow(&carol, "erin").await;
    let home = app.walk("/api/v1/timeline", Some(&carol.token), 1).await;
    assert_eq!(ids(&home), vec![id], "{home:?}");
    assert_eq!(home[0]["reposted_by"]["username"], "bob");
    assert_eq!(home[0]["text"], "worth sharing");
    assert_eq!(home[0]["reposted_by_me"], false);
    // Following the author too: the original itself, no repost.
    app.follow(&carol, "alice").await;
    let home = app.walk("/api/v1/timeline", Some(&carol.token), 1).await;
    assert_eq!(ids(&home), vec![id]);
    assert_eq!(home[0]["reposted_by"], Value::Null);

    // The reposter's profile shows it; the public timeline does not repeat it.
    let profile = app.walk("/api/v1/users/bob/tweets", None, 10).await;
    assert_eq!(ids(&profile), vec![id]);
    assert_eq!(profile[0]["reposted_by"]["username"], "bob");
    assert_eq!(ids(&app.walk("/api/v1/tweets", None, 10).await), vec![id]);
    assert_eq!(
        app.get("/api/v1/users/bob", None).await.expect(200)["tweets_count"],
        0
    );

    // Undo: counted down, gone from profiles and timelines.
    let shown = delete_ok(&app, &bob, &path).await;
    assert_eq!(shown["repost_count"], 1);
    assert_eq!(shown["reposted_by_me"], false);
    delete_ok(&app, &bob, &path).await;
    assert!(app
        .walk("/api/v1/users/bob/tweets", None, 10)
        .await
        .is_empty());

    // Deleting the original takes its reposts along.
    let res = app
        .delete(&format!("/api/v1/tweets/{id}"), Some(&alice.token))
        .await;
    assert_eq!(res.status.as_u16(), 204);
    assert!(app
        .walk("/api/v1/users/erin/tweets", None, 10)
        .await
        .is_empty());
    assert!(app
        .walk("/api/v1/timeline", Some(&carol.token), 10)
        .await
        .is_empty());
    app.put(&path, Some(&bob.token)).await.problem(404);
}

/// A tweet reposted by many accounts a reader follows, among many other
/// tweets, appears once on every walk of the home timeline, whatever the
/// page size: no repeat, no skip.
#[actix_web::test]
async fn repeated_reposts_never_repeat_or_skip_across_pages() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let reader = app.register("reader").await;
    let mut friends = Vec::new();
    for name in ["fan1", "fan2", "fan3"] {
        friends.push(app.register(name).await);
        app.follow(&reader, name).await;
    }
    let shared = app.post_tweet(&alice, "shared").await["id"]
        .as_i64()
        .unwrap();
    let mut expected = vec![shared];
    for (n, friend) in friends.iter().enumerate() {
        expected.push(
            app.post_tweet(friend, &format!("own {n}")).await["id"]
                .as_i64()
                .unwrap(),
        );
        put_ok(&app, friend, &format!("/api/v1/tweets/{shared}/repost")).await;
    }
    // Newest first, the shared tweet where fan1's repost put it (after
    // fan1's own tweet): fan2's and fan3's later reposts are skipped.
    let order = [expected[3], expected[2], shared, expected[1]];
    for limit in [1, 2, 3, 10] {
        let home = app
            .walk("/api/v1/timeline", Some(&reader.token), limit)
            .await;
        assert_eq!(ids(&home), order, "limit {limit}");
        assert_eq!(home[2]["reposted_by"]["username"], "fan1", "limit {limit}");
    }
}

#[actix_web::test]
async fn a_block_hides_both_accounts_from_each_other_and_stops_every_interaction() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    app.follow(&bob, "alice").await;
    app.follow(&alice, "bob").await;
    let tweet = app.post_tweet(&alice, "hello #news").await["id"]
        .as_i64()
        .unwrap();
    let bobs = app.post_tweet(&bob, "bob here #news").await["id"]
        .as_i64()
        .unwrap();
    let carols = app.post_tweet(&carol, "a thread").await["id"]
        .as_i64()
        .unwrap();
    let alice_reply = app.reply(&alice, carols, "alice answers").await["id"]
        .as_i64()
        .unwrap();
    put_ok(&app, &carol, &format!("/api/v1/tweets/{tweet}/repost")).await;
    app.follow(&bob, "carol").await;

    let alice_view = put_ok(&app, &alice, "/api/v1/users/bob/block").await;
    assert_eq!(alice_view["blocked_by_me"], true);
    assert_eq!(alice_view["followed_by_me"], false, "the follows end");
    let bob_view = app
        .get("/api/v1/users/alice", Some(&bob.token))
        .await
        .expect(200);
    assert_eq!(bob_view["followed_by_me"], false);
    assert_eq!(bob_view["blocked_by_me"], false);

    // Bob cannot follow, reply to, like, repost or open Alice's tweets…
    app.put("/api/v1/users/alice/follow", Some(&bob.token))
        .await
        .problem(403);
    app.post_tweet_raw(&bob, &json!({"text": "hey", "reply_to_id": tweet}))
        .await
        .problem(403);
    app.put(&format!("/api/v1/tweets/{tweet}/like"), Some(&bob.token))
        .await
        .problem(404);
    app.put(&format!("/api/v1/tweets/{tweet}/repost"), Some(&bob.token))
        .await
        .problem(404);
    app.get(&format!("/api/v1/tweets/{tweet}"), Some(&bob.token))
        .await
        .problem(404);
    app.get(&format!("/api/v1/tweets/{tweet}/replies"), Some(&bob.token))
        .await
        .problem(404);
    // …and sees none of them, reposted or in a thread; nor Alice his.
    for path in [
        "/api/v1/tweets",
        "/api/v1/tags/news/tweets",
        "/api/v1/users/alice/tweets",
        "/api/v1/timeline",
    ] {
        let seen = ids(&app.walk(path, Some(&bob.token), 5).await);
        assert!(
            !seen.contains(&tweet),
            "bob sees alice's tweet at {path}: {seen:?}"
        );
    }
    let thread = ids(&app
        .walk(
            &format!("/api/v1/tweets/{carols}/replies"),
            Some(&bob.token),
            5,
        )
        .await);
    assert!(!thread.contains(&alice_reply));
    let thread = ids(&app
        .walk(&format!("/api/v1/tweets/{carols}/replies"), None, 5)
        .await);
    assert_eq!(thread, vec![alice_reply], "others still see it");
    for path in [
        "/api/v1/tweets",
        "/api/v1/tags/news/tweets",
        "/api/v1/timeline",
    ] {
        let seen = ids(&app.walk(path, Some(&alice.token), 5).await);
        assert!(
            !seen.contains(&bobs),
            "alice sees bob's tweet at {path}: {seen:?}"
        );
    }
    // A mention from Bob does not reach Alice, nor hers him.
    let before = notifications(&app, &alice).await.len();
    app.post_tweet(&bob, "@alice listen").await;
    assert_eq!(notifications(&app, &alice).await.len(), before);
    let bob_before = notifications(&app, &bob).await.len();
    app.post_tweet(&alice, "about @bob").await;
    assert_eq!(
        notifications(&app, &bob).await.len(),
        bob_before,
        "the blocker notifies no one she blocks"
    );
    // The thread above Alice's reply is hidden from Bob where it is hers.
    let answer = app.reply(&carol, alice_reply, "carol again").await["id"]
        .as_i64()
        .unwrap();
    let up = app
        .get(
            &format!("/api/v1/tweets/{answer}/ancestors"),
            Some(&bob.token),
        )
        .await
        .expect(200);
    assert_eq!(
        ids(up["items"].as_array().unwrap()),
        vec![carols],
        "alice's reply is left out"
    );

    // Unblocked: visible again (the follows stay ended).
    let view = delete_ok(&app, &alice, "/api/v1/users/bob/block").await;
    assert_eq!(view["blocked_by_me"], false);
    app.get(&format!("/api/v1/tweets/{tweet}"), Some(&bob.token))
        .await
        .expect(200);
    app.follow(&bob, "alice").await;
    app.put("/api/v1/users/alice/block", Some(&alice.token))
        .await
        .problem(422);
    app.put("/api/v1/users/nobody/block", Some(&alice.token))
        .await
        .problem(404);
}

#[actix_web::test]
async fn a_mute_hides_the_muted_account_from_the_muter_only() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    app.follow(&alice, "bob").await;
    app.follow(&alice, "carol").await;
    let mine = app.post_tweet(&alice, "mine").await["id"].as_i64().unwrap();
    let bobs = app.post_tweet(&bob, "bob talks").await["id"]
        .as_i64()
        .unwrap();
    put_ok(&app, &carol, &format!("/api/v1/tweets/{bobs}/repost")).await;
    app.put(&format!("/api/v1/tweets/{mine}/like"), Some(&bob.token))
        .await
        .expect(200);
    assert_eq!(notifications(&app, &alice).await.len(), 1, "bob's like");

    let view = put_ok(&app, &alice, "/api/v1/users/bob/mute").await;
    assert_eq!(view["muted_by_me"], true);
    assert_eq!(view["followed_by_me"], true, "a mute ends no follow");
    for path in ["/api/v1/timeline", "/api/v1/tweets"] {
        let seen = ids(&app.walk(path, Some(&alice.token), 1).await);
        assert!(!seen.contains(&bobs), "alice sees bob at {path}: {seen:?}");
    }
    // Nor in a thread: his reply to her tweet, and the thread above it.
    let reply = app.reply(&bob, mine, "bob answers").await["id"]
        .as_i64()
        .unwrap();
    let answer = app.reply(&carol, reply, "carol answers bob").await["id"]
        .as_i64()
        .unwrap();
    let replies = ids(&app
        .walk(
            &format!("/api/v1/tweets/{mine}/replies"),
            Some(&alice.token),
            5,
        )
        .await);
    assert!(!replies.contains(&reply), "{replies:?}");
    let up = app
        .get(
            &format!("/api/v1/tweets/{answer}/ancestors"),
            Some(&alice.token),
        )
        .await
        .expect(200);
    assert_eq!(ids(up["items"].as_array().unwrap()), vec![mine]);
    // His profile and his tweet's page still show it; others see everything.
    assert_eq!(
        ids(&app
            .walk("/api/v1/users/bob/tweets", Some(&alice.token), 5)
            .await),
        vec![reply, bobs]
    );
    app.get(&format!("/api/v1/tweets/{bobs}"), Some(&alice.token))
        .await
        .expect(200);
    assert!(ids(&app.walk("/api/v1/tweets", Some(&carol.token), 5).await).contains(&bobs));
    // His notifications went and no new ones come.
    assert!(notifications(&app, &alice).await.iter().all(|n| n["actors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["username"] != "bob")));
    app.reply(&bob, mine, "hello?").await;
    assert!(notifications(&app, &alice)
        .await
        .iter()
        .all(|n| n["kind"] != "reply"));

    delete_ok(&app, &alice, "/api/v1/users/bob/mute").await;
    assert!(ids(&app.walk("/api/v1/timeline", Some(&alice.token), 5).await).contains(&bobs));
}

#[actix_web::test]
async fn notifications_group_likes_reposts_and_follows_and_undo_removes_them() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let mut fans = Vec::new();
    for name in ["ana", "ben", "cid", "dot", "eve"] {
        fans.push(app.register(name).await);
    }
    let tweet = app.post_tweet(&alice, "like me").await["id"]
        .as_i64()
        .unwrap();
    for fan in &fans {
        app.put(&format!("/api/v1/tweets/{tweet}/like"), Some(&fan.token))
            .await
            .expect(200);
        app.follow(fan, "alice").await;
    }
    put_ok(&app, &fans[0], &format!("/api/v1/tweets/{tweet}/repost")).await;
    let reply = app.reply(&fans[1], tweet, "nice @alice").await["id"]
        .as_i64()
        .unwrap();
    app.post_tweet(&fans[2], "cc @alice").await;
    // Her own like of her own tweet notifies no one.
    app.put(&format!("/api/v1/tweets/{tweet}/like"), Some(&alice.token))
        .await
        .expect(200);

    let all = notifications(&app, &alice).await;
    let kinds: Vec<&str> = all.iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["mention", "reply", "repost", "follow", "like"],
        "{all:#?}"
    );
    let likes = &all[4];
    assert_eq!(likes["count"], 5);
    assert_eq!(likes["tweet"]["id"], tweet);
    let names: Vec<&str> = likes["actors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["eve", "dot", "cid"], "the newest three");
    assert_eq!(all[3]["count"], 5);
    assert_eq!(all[3]["tweet"], Value::Null);
    assert_eq!(
        all[1]["tweet"]["id"], reply,
        "a reply that mentions is one notification"
    );
    assert!(all.iter().all(|n| n["unread"] == true));

    // Read up to the follows: two groups stay unread; a new like moves its
    // group to the top, unread again.
    let unread = app
        .get("/api/v1/notifications/unread_count", Some(&alice.token))
        .await
        .expect(200);
    assert_eq!(unread["count"], 5);
    let res = app
        .send(app.request(
            reqwest::Method::POST,
            &format!("/api/v1/notifications/read?up_to_id={}", all[2]["id"]),
            Some(&alice.token),
        ))
        .await;
    assert_eq!(res.expect(200)["unread_count"], 2);
    let res = app
        .send(app.request(
            reqwest::Method::POST,
            "/api/v1/notifications/read?up_to_id=1",
            Some(&alice.token),
        ))
        .await;
    assert_eq!(
        res.expect(200)["unread_count"],
        2,
        "the marker never moves back"
    );
    for bad in ["x", "", "0", "-3", "1.5"] {
        let path = format!("/api/v1/notifications/read?up_to_id={bad}");
        app.send(app.request(reqwest::Method::POST, &path, Some(&alice.token)))
            .await
            .problem(400);
    }

    // Undo: an unlike shrinks the group, an unfollow too, an undone repost
    // and a deleted reply vanish.
    app.delete(
        &format!("/api/v1/tweets/{tweet}/like"),
        Some(&fans[4].token),
    )
    .await
    .expect(200);
    app.delete("/api/v1/users/alice/follow", Some(&fans[0].token))
        .await
        .expect(200);
    delete_ok(&app, &fans[0], &format!("/api/v1/tweets/{tweet}/repost")).await;
    let res = app
        .delete(&format!("/api/v1/tweets/{reply}"), Some(&fans[1].token))
        .await;
    assert_eq!(res.status.as_u16(), 204);
    let all = notifications(&app, &alice).await;
    let kinds: Vec<&str> = all.iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["mention", "follow", "like"], "{all:#?}");
    assert_eq!(all[2]["count"], 4);
    assert_eq!(all[2]["actors"][0]["username"], "dot");
    assert_eq!(all[1]["count"], 4);

    // Marking everything read; others never see Alice's notifications.
    let res = app
        .send(app.request(
            reqwest::Method::POST,
            "/api/v1/notifications/read",
            Some(&alice.token),
        ))
        .await;
    assert_eq!(res.expect(200)["unread_count"], 0);
    assert!(notifications(&app, &fans[3]).await.is_empty());
    app.get("/api/v1/notifications", None).await.problem(401);
}

/// A mention notifies each account mentioned once, not the author, and a
/// mention of an account created later notifies no one.
#[actix_web::test]
async fn a_mention_notifies_each_mentioned_account_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    app.post_tweet(&bob, "hey @alice and @ALICE, says @bob to @dana")
        .await;
    let dana = app.register("dana").await;
    let all = notifications(&app, &alice).await;
    let tweets: Vec<Value> = all.iter().map(|n| n["tweet"].clone()).collect();
    assert_eq!(
        texts(&tweets),
        ["hey @alice and @ALICE, says @bob to @dana"]
    );
    assert_eq!(all[0]["kind"], "mention");
    assert_eq!(all[0]["actors"][0]["username"], "bob");
    assert!(notifications(&app, &bob).await.is_empty());
    assert!(notifications(&app, &dana).await.is_empty());
}

/// A repost reaches every follower like a tweet, so it counts against the
/// posting limit; undoing one does not.
#[actix_web::test]
async fn reposts_count_against_the_posting_limit() {
    let app = crate::helpers::spawn_app_with(|s| s.rate_limits.posts_per_minute = 2).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let first = app.post_tweet(&alice, "one").await["id"].as_i64().unwrap();
    let second = app.post_tweet(&alice, "two").await["id"].as_i64().unwrap();
    app.post_tweet(&bob, "mine").await;
    put_ok(&app, &bob, &format!("/api/v1/tweets/{first}/repost")).await;
    let res = app
        .put(&format!("/api/v1/tweets/{second}/repost"), Some(&bob.token))
        .await;
    res.problem(429);
    assert!(res.header("retry-after").is_some());
    delete_ok(&app, &bob, &format!("/api/v1/tweets/{first}/repost")).await;
}

/// A reply says whom it answers, and a thread's ancestors come root first,
/// without those hidden from the reader.
#[actix_web::test]
async fn a_reply_names_whom_it_answers_and_its_ancestors_come_root_first() {
    let app = spawn_app().await;
    let ana = app.register("ana").await;
    let ben = app.register("ben").await;
    let cat = app.register("cat").await;
    let root = app.post_tweet(&ana, "root").await["id"].as_i64().unwrap();
    let middle = app.reply(&ben, root, "middle").await;
    assert_eq!(middle["reply_to_username"], "ana");
    let middle = middle["id"].as_i64().unwrap();
    let leaf = app.reply(&cat, middle, "leaf").await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.post_tweet(&ana, "top").await["reply_to_username"],
        Value::Null
    );

    let up = |id: i64, token: Option<String>| {
        let app = &app;
        async move {
            let body = app
                .get(&format!("/api/v1/tweets/{id}/ancestors"), token.as_deref())
                .await
                .expect(200);
            ids(body["items"].as_array().unwrap())
        }
    };
    assert_eq!(up(leaf, None).await, vec![root, middle]);
    assert_eq!(up(root, None).await, Vec::<i64>::new());
    app.get("/api/v1/tweets/999999/ancestors", None)
        .await
        .problem(404);

    // Ana blocks Cat: Cat's thread shows him only Ben's tweet above his own.
    put_ok(&app, &ana, "/api/v1/users/cat/block").await;
    assert_eq!(up(leaf, Some(cat.token.clone())).await, vec![middle]);
    delete_ok(&app, &ana, "/api/v1/users/cat/block").await;

    // The parent deleted: the reply still names whom it answered.
    let res = app
        .delete(&format!("/api/v1/tweets/{middle}"), Some(&ben.token))
        .await;
    assert_eq!(res.status.as_u16(), 204);
    let shown = app
        .get(&format!("/api/v1/tweets/{leaf}"), None)
        .await
        .expect(200);
    assert_eq!(shown["reply_to_id"], Value::Null);
    assert_eq!(shown["reply_to_username"], "ben");
    assert_eq!(up(leaf, None).await, Vec::<i64>::new());
}
