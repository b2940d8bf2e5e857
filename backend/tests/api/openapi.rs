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
