//! The OpenAPI document: committed, served, and browsable offline.

use crate::helpers::spawn_app;

fn committed() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.json");
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_committed_openapi_json_is_what_the_code_generates() {
    assert!(
        committed() == tweets::routes::openapi::json(),
        "openapi.json is out of date: run `make openapi` and commit it"
    );
}

#[test]
fn the_document_describes_every_route_of_the_contract() {
    let doc: serde_json::Value = serde_json::from_str(&tweets::routes::openapi::json()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/v1/auth/register", &["post"][..]),
        ("/api/v1/auth/login", &["post"]),
        ("/api/v1/me", &["get", "patch", "delete"]),
        ("/api/v1/users/{username}", &["get"]),
        ("/api/v1/users/{username}/tweets", &["get"]),
        ("/api/v1/users/{username}/followers", &["get"]),
        ("/api/v1/users/{username}/following", &["get"]),
        ("/api/v1/users/{username}/follow", &["put", "delete"]),
        ("/api/v1/tweets", &["get", "post"]),
        ("/api/v1/timeline", &["get"]),
        ("/api/v1/tweets/{id}", &["get", "delete"]),
        ("/api/v1/tweets/{id}/replies", &["get"]),
        ("/api/v1/tweets/{id}/like", &["put", "delete"]),
        ("/healthz", &["get"]),
        ("/readyz", &["get"]),
        ("/api/v1/me/avatar", &["put"]),
        ("/api/v1/me/password", &["post"]),
        ("/api/v1/auth/refresh", &["post"]),
        ("/api/v1/auth/logout", &["post"]),
    ] {
        for m in methods {
            let op = &paths[path][m];
            assert!(op.is_object(), "{m} {path} is not documented");
            let responses = op["responses"].as_object().unwrap();
            for (status, response) in responses {
                // Shared error responses are components, referenced by name.
                let response = match response["$ref"].as_str() {
                    Some(r) => {
                        let name = r.strip_prefix("#/components/responses/").unwrap();
                        &doc["components"]["responses"][name]
                    }
                    None => response,
                };
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{m} {path} {status} is not a problem document"
                    );
                }
            }
        }
    }
    // Operation ids are unique (client generators depend on it).
    let mut ids = std::collections::HashSet::new();
    for methods in paths.values() {
        for op in methods.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap();
            assert!(ids.insert(id.to_string()), "duplicate operationId {id}");
        }
    }
    // Secured operations name the bearer scheme; list limits carry their bounds.
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let params = paths["/api/v1/tweets"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let limit = params.iter().find(|p| p["name"] == "limit").unwrap();
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(limit["schema"]["maximum"], 100);
    let text = &doc["components"]["schemas"]["NewTweetRequest"]["properties"]["text"];
    assert_eq!(text["maxLength"], 280);
}

#[actix_web::test]
async fn the_document_and_the_interactive_docs_are_served_offline() {
    let app = spawn_app().await;
    let res = app.get("/api/openapi.json", None).await;
    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert!(
        res.text == committed(),
        "the served document differs from openapi.json"
    );

    let res = app.get("/api/docs", None).await;
    assert_eq!(res.status.as_u16(), 308);
    assert_eq!(res.header("location"), Some("/api/docs/"));
    let page = app.get("/api/docs/", None).await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(page.text.contains("swagger-ui"), "{}", page.text);
    // Every asset the page loads comes from this server: no CDN.
    for asset in [
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-initializer.js",
    ] {
        assert!(page.text.contains(asset), "{asset} not referenced");
        let res = app.get(&format!("/api/docs/{asset}"), None).await;
        assert_eq!(res.status.as_u16(), 200, "{asset}");
    }
    for text in [
        &page.text,
        &app.get("/api/docs/swagger-initializer.js", None).await.text,
    ] {
        for cdn in ["unpkg", "jsdelivr", "cdnjs", "googleapis"] {
            assert!(!text.contains(cdn), "{cdn}");
        }
        assert!(!text.contains("src=\"http"), "external script");
    }
    let init = app.get("/api/docs/swagger-initializer.js", None).await.text;
    assert!(init.contains("/api/openapi.json"), "{init}");
}

/// The route list mounts each handler from its own description: every
/// documented operation is served (never the unknown-route 404 or a 405),
/// and every other method gets a 405 whose `Allow` lists exactly the
/// documented methods (GET implying HEAD).
#[actix_web::test]
async fn every_documented_operation_is_served_and_allow_lists_exactly_the_documented_methods() {
    let app = spawn_app().await;
    let doc: serde_json::Value = serde_json::from_str(&tweets::routes::openapi::json()).unwrap();
    let all = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
    for (template, item) in doc["paths"].as_object().unwrap() {
        let path = template
            .replace("{id}", "1")
            .replace("{username}", "nobody")
            .replace("{tag}", "x");
        let mut documented: Vec<String> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_uppercase())
            .collect();
        if documented.iter().any(|m| m == "GET") {
            documented.push("HEAD".into());
        }
        for method in all {
            let res = app
                .send(app.request(method.parse().unwrap(), &path, None))
                .await;
            if documented.iter().any(|m| m == method) {
                assert_ne!(res.status.as_u16(), 405, "{method} {path} is documented");
                if res.status.as_u16() == 404 && method != "HEAD" {
                    assert_ne!(
                        res.json()["detail"],
                        "no such resource",
                        "{method} {path} is documented but not routed"
                    );
                }
            } else {
                // A HEAD answer has no body to hold the problem document.
                if method == "HEAD" {
                    assert_eq!(res.status.as_u16(), 405, "HEAD {path}");
                } else {
                    res.problem(405);
                }
                let mut allow: Vec<&str> = res.header("allow").unwrap().split(", ").collect();
                allow.sort_unstable();
                let mut expected: Vec<&str> = documented.iter().map(String::as_str).collect();
                expected.sort_unstable();
                assert_eq!(allow, expected, "Allow of {path}");
            }
        }
    }
}
