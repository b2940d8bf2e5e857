use std::collections::HashSet;

use reqwest::Method;
use serde_json::json;

use crate::helpers::{ids, spawn_app};

#[actix_web::test]
async fn limit_must_be_between_1_and_100() {
    let app = spawn_app().await;
    let user = app.register("alice").await;
    for bad in ["0", "101", "-1", "abc", "1.5", ""] {
        let body = app
            .get(&format!("/api/v1/tweets?limit={bad}"), None)
            .await
            .problem(400);
        assert!(body["detail"].as_str().unwrap().contains("limit"), "{body}");
    }
    for path in [
        "/api/v1/users/alice/tweets",
        "/api/v1/users/alice/followers",
        "/api/v1/users/alice/following",
        "/api/v1/tweets/1/replies",
    ] {
        app.get(&format!("{path}?limit=0"), None).await.problem(400);
    }
    app.get("/api/v1/timeline?limit=101", Some(&user.token))
        .await
        .problem(400);
    for _ in 0..25 {
        app.post_tweet(&user, "t").await;
    }
    let page = app.get("/api/v1/tweets", None).await.expect(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 20, "default limit");
    app.get("/api/v1/tweets?limit=1", None).await.expect(200);
    let page = app.get("/api/v1/tweets?limit=100", None).await.expect(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 25);
}

#[actix_web::test]
async fn pages_link_to_the_next_one_until_the_end() {
    let app = spawn_app().await;
    let user = app.register("alice").await;
    for i in 0..5 {
        app.post_tweet(&user, &format!("t{i}")).await;
    }
    let res = app.get("/api/v1/tweets?limit=2", None).await;
    let page = res.expect(200);
    let cursor = page["next_cursor"].as_str().unwrap();
    assert_eq!(
        res.header("link").unwrap(),
        format!("</api/v1/tweets?cursor={cursor}&limit=2>; rel=\"next\"")
    );
    // Following the Link header gives the next page.
    let link = res.header("link").unwrap();
    let next = &link[1..link.find('>').unwrap()];
    let page2 = app.get(next, None).await.expect(200);
    assert_eq!(page2["items"].as_array().unwrap().len(), 2);
    assert!(page2["items"][0]["id"].as_i64() < page["items"][1]["id"].as_i64());
    let last = app
        .get(
            &format!(
                "/api/v1/tweets?limit=2&cursor={}",
                page2["next_cursor"].as_str().unwrap()
            ),
            None,
        )
        .await;
    let body = last.expect(200);
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    assert_eq!(body["next_cursor"], serde_json::Value::Null);
    assert!(last.header("link").is_none());
    // Exactly one full page has no next page either.
    let all = app.get("/api/v1/tweets?limit=5", None).await;
    assert_eq!(all.expect(200)["next_cursor"], serde_json::Value::Null);
    assert!(all.header("link").is_none());
}

#[actix_web::test]
async fn bad_cursors_are_400() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    app.follow(&bob, "alice").await;
    app.follow(&alice, "bob").await;
    let carol = app.register("carol").await;
    app.follow(&carol, "alice").await;
    for bad in ["nope", "djE6dDotMQ", "%00", "AAAA"] {
        app.get(&format!("/api/v1/tweets?cursor={bad}"), None)
            .await
            .problem(400);
    }
    // A followers cursor is not a tweets cursor.
    let page = app
        .get("/api/v1/users/alice/followers?limit=1", None)
        .await
        .expect(200);
    let cursor = page["next_cursor"].as_str().unwrap();
    app.get(&format!("/api/v1/tweets?cursor={cursor}"), None)
        .await
        .problem(400);
    app.get(
        &format!("/api/v1/users/alice/following?cursor={cursor}"),
        None,
    )
    .await
    .expect(200);
}

#[actix_web::test]
async fn paging_while_tweets_arrive_never_repeats_or_skips() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    app.follow(&alice, "bob").await;
    let mut existing = Vec::new();
    for i in 0..45 {
        let user = if i % 3 == 0 { &alice } else { &bob };
        existing.push(
            app.post_tweet(user, &format!("before {i}")).await["id"]
                .as_i64()
                .unwrap(),
        );
    }

    for path in ["/api/v1/tweets", "/api/v1/timeline"] {
        let mut before = existing.clone();
        before.sort_unstable_by(|a, b| b.cmp(a));
        // Walk page by page, posting new tweets between every page.
        let mut seen = Vec::new();
        let mut next = format!("{path}?limit=7");
        let mut posted = 0;
        loop {
            let page = app.get(&next, Some(&alice.token)).await.expect(200);
            seen.extend(ids(page["items"].as_array().unwrap()));
            for _ in 0..3 {
                let id = app.post_tweet(&bob, "arrived during the walk").await["id"]
                    .as_i64()
                    .unwrap();
                existing.push(id);
                posted += 1;
            }
            match page["next_cursor"].as_str() {
                Some(c) => next = format!("{path}?limit=7&cursor={c}"),
                None => break,
            }
        }
        assert!(posted > 0);
        let unique: HashSet<_> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "no repeats on {path}");
        assert_eq!(
            seen, before,
            "exactly the tweets there were, newest first, on {path}"
        );
    }

    // And the same with writers running concurrently with the reader.
    let walk = app.walk("/api/v1/tweets", None, 9);
    let writers = futures_util::future::join_all(
        (0..20).map(|i| app.post_tweet(&bob, if i % 2 == 0 { "x" } else { "y" })),
    );
    let (walked, _) = futures_util::future::join(walk, writers).await;
    let walked = ids(&walked);
    let unique: HashSet<_> = walked.iter().collect();
    assert_eq!(unique.len(), walked.len());
    assert!(
        walked.windows(2).all(|w| w[0] > w[1]),
        "strictly newest first"
    );
    for id in &existing {
        assert!(walked.contains(id), "tweet {id} skipped");
    }
}

#[actix_web::test]
async fn a_page_costs_the_same_number_of_queries_whatever_its_size() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    app.follow(&alice, "bob").await;
    let mut last = 0;
    for i in 0..60 {
        let user = if i % 2 == 0 { &alice } else { &bob };
        last = app.post_tweet(user, "t").await["id"].as_i64().unwrap();
        if i % 3 == 0 {
            app.put(&format!("/api/v1/tweets/{last}/like"), Some(&alice.token))
                .await
                .expect(200);
        }
    }
    for _ in 0..30 {
        app.reply(&bob, last, "r").await;
    }
    for i in 0..30 {
        app.register(&format!("fan{i}")).await;
    }
    for i in 0..30 {
        let fan = app
            .login(&format!("fan{i}"), crate::helpers::PASSWORD)
            .await
            .expect(200);
        app.send(
            app.request(
                Method::PUT,
                "/api/v1/users/alice/follow",
                fan["access_token"].as_str(),
            )
            .json(&json!({})),
        )
        .await
        .expect(200);
    }
    let token = Some(alice.token.as_str());
    for path in [
        "/api/v1/tweets",
        "/api/v1/timeline",
        "/api/v1/users/bob/tweets",
        &format!("/api/v1/tweets/{last}/replies"),
        "/api/v1/users/alice/followers",
    ] {
        let mut costs = Vec::new();
        for limit in [2, 25] {
            let before = app.queries.get();
            let page = app
                .get(&format!("{path}?limit={limit}"), token)
                .await
                .expect(200);
            assert_eq!(page["items"].as_array().unwrap().len(), limit, "{path}");
            costs.push(app.queries.get() - before);
        }
        assert_eq!(
            costs[0], costs[1],
            "{path}: queries grew with the page size: {costs:?}"
        );
        // Two checkouts (the access token's session check, then the page),
        // each tested with `SELECT 1`, the session lookup, then at most three.
        assert!(costs[0] <= 6, "{path}: {costs:?}");
    }
}
