//! HTTP routes: one module per resource, mounted by [`configure`].
//! Handlers are thin: parse input into domain types, call the store, map to views.

mod auth;
mod health;
mod json;
mod me;
pub mod openapi;
mod responses;
mod spa;
mod tweets;
mod upload;
mod users;
pub mod views;

use actix_web::{web, HttpResponse, Responder};

use crate::error::ApiError;

pub use spa::{media_service, spa_service};

/// Mounts the operations endpoints, the API description and the `/api/v1` API.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/metrics")
            .get(crate::metrics::serve_metrics)
            .default_service(not_allowed("GET")),
    )
    .service(
        web::resource("/api/openapi.json")
            .get(openapi_json)
            .default_service(not_allowed("GET")),
    )
    .service(
        web::resource("/api/docs")
            .get(docs_redirect)
            .default_service(not_allowed("GET")),
    )
    .service(
        utoipa_swagger_ui::SwaggerUi::new("/api/docs/{_:.*}")
            .config(utoipa_swagger_ui::Config::new(["/api/openapi.json"]).try_it_out_enabled(true)),
    )
    .service(
        web::resource("/healthz")
            .get(health::healthz)
            .default_service(not_allowed("GET")),
    )
    .service(
        web::resource("/readyz")
            .get(health::readyz)
            .default_service(not_allowed("GET")),
    )
    .service(
        web::scope("/api/v1")
            .service(
                web::resource("/auth/register")
                    .post(auth::register)
                    .default_service(not_allowed("POST")),
            )
            .service(
                web::resource("/auth/login")
                    .post(auth::login)
                    .default_service(not_allowed("POST")),
            )
            .service(
                web::resource("/me")
                    .get(me::get)
                    .patch(me::update)
                    .default_service(not_allowed("GET, PATCH")),
            )
            .service(
                web::resource("/me/avatar")
                    .put(me::avatar)
                    .default_service(not_allowed("PUT")),
            )
            .service(
                web::resource("/timeline")
                    .get(tweets::home_timeline)
                    .default_service(not_allowed("GET")),
            )
            .service(
                web::resource("/tweets")
                    .get(tweets::public_timeline)
                    .post(tweets::create)
                    .default_service(not_allowed("GET, POST")),
            )
            .service(
                web::resource("/tweets/{id}")
                    .get(tweets::get)
                    .delete(tweets::delete)
                    .default_service(not_allowed("GET, DELETE")),
            )
            .service(
                web::resource("/tweets/{id}/replies")
                    .get(tweets::replies)
                    .default_service(not_allowed("GET")),
            )
            .service(
                web::resource("/tweets/{id}/like")
                    .put(tweets::like)
                    .delete(tweets::unlike)
                    .default_service(not_allowed("PUT, DELETE")),
            )
            .service(
                web::resource("/users/{username}")
                    .get(users::get)
                    .default_service(not_allowed("GET")),
            )
            .service(
                web::resource("/users/{username}/tweets")
                    .get(users::tweets)
                    .default_service(not_allowed("GET")),
            )
            .service(
                web::resource("/users/{username}/followers")
                    .get(users::followers)
                    .default_service(not_allowed("GET")),
            )
            .service(
                web::resource("/users/{username}/following")
                    .get(users::following)
                    .default_service(not_allowed("GET")),
            )
            .service(
                web::resource("/users/{username}/follow")
                    .put(users::follow)
                    .delete(users::unfollow)
                    .default_service(not_allowed("PUT, DELETE")),
            ),
    );
}

/// `GET /api/openapi.json`: the document `tweets openapi` prints.
async fn openapi_json(state: web::Data<crate::startup::AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi_json.clone())
}

/// `/api/docs` → `/api/docs/` (the interactive docs need the trailing slash).
async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/api/docs/"))
        .finish()
}

/// The default service of a resource: 405 with the methods it does support.
fn not_allowed(allow: &'static str) -> actix_web::Route {
    web::route()
        .to(move || async move { Err::<&'static str, _>(ApiError::MethodNotAllowed { allow }) })
}

/// Unknown routes.
pub async fn not_found() -> impl Responder {
    Err::<&'static str, _>(ApiError::NotFound("no such resource".into()))
}
