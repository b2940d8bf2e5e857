//! HTTP routes: one module per resource, mounted by [`configure`].
//! Handlers are thin: parse input into domain types, call the store, map to views.

mod auth;
mod health;
mod json;
mod me;
mod new_tweet;
pub mod openapi;
mod responses;
mod spa;
mod tweets;
pub mod upload;
mod users;
pub mod views;

use actix_web::{guard, http::header, middleware::DefaultHeaders, web, HttpResponse, Responder};

use crate::error::ApiError;

pub use spa::{media_service, spa_service};

/// Mounts the operations endpoints, the API description and the `/api/v1` API.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/openapi.json")
            .route(read().to(openapi_json))
            .default_service(not_allowed("GET, HEAD")),
    )
    .service(
        web::resource("/api/docs")
            .route(read().to(docs_redirect))
            .default_service(not_allowed("GET, HEAD")),
    )
    .service(
        utoipa_swagger_ui::SwaggerUi::new("/api/docs/{_:.*}")
            .config(utoipa_swagger_ui::Config::new(["/api/openapi.json"]).try_it_out_enabled(true)),
    )
    .service(
        web::resource("/healthz")
            .route(read().to(health::healthz))
            .default_service(not_allowed("GET, HEAD")),
    )
    .service(
        web::resource("/readyz")
            .route(read().to(health::readyz))
            .default_service(not_allowed("GET, HEAD")),
    )
    .service(
        web::scope("/api/v1")
            // Answers carry tokens and per-account data: no cache keeps them.
            .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store")))
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
                web::resource("/auth/refresh")
                    .post(auth::refresh)
                    .default_service(not_allowed("POST")),
            )
            .service(
                web::resource("/auth/logout")
                    .post(auth::logout)
                    .default_service(not_allowed("POST")),
            )
            .service(
                web::resource("/me")
                    .route(read().to(me::get))
                    .patch(me::update)
                    .delete(me::delete)
                    .default_service(not_allowed("GET, HEAD, PATCH, DELETE")),
            )
            .service(
                web::resource("/me/password")
                    .post(me::change_password)
                    .default_service(not_allowed("POST")),
            )
            .service(
                web::resource("/me/avatar")
                    .put(me::avatar)
                    .default_service(not_allowed("PUT")),
            )
            .service(
                web::resource("/timeline")
                    .route(read().to(tweets::home_timeline))
                    .default_service(not_allowed("GET, HEAD")),
            )
            .service(
                web::resource("/tweets")
                    .route(read().to(tweets::public_timeline))
                    .post(tweets::create)
                    .default_service(not_allowed("GET, HEAD, POST")),
            )
            .service(
                web::resource("/tweets/{id}")
                    .route(read().to(tweets::get))
                    .delete(tweets::delete)
                    .default_service(not_allowed("GET, HEAD, DELETE")),
            )
            .service(
                web::resource("/tweets/{id}/replies")
                    .route(read().to(tweets::replies))
                    .default_service(not_allowed("GET, HEAD")),
            )
            .service(
                web::resource("/tweets/{id}/like")
                    .put(tweets::like)
                    .delete(tweets::unlike)
                    .default_service(not_allowed("PUT, DELETE")),
            )
            .service(
                web::resource("/tags/{tag}/tweets")
                    .route(read().to(tweets::tag_timeline))
                    .default_service(not_allowed("GET, HEAD")),
            )
            .service(
                web::resource("/users/{username}")
                    .route(read().to(users::get))
                    .default_service(not_allowed("GET, HEAD")),
            )
            .service(
                web::resource("/users/{username}/tweets")
                    .route(read().to(users::tweets))
                    .default_service(not_allowed("GET, HEAD")),
            )
            .service(
                web::resource("/users/{username}/followers")
                    .route(read().to(users::followers))
                    .default_service(not_allowed("GET, HEAD")),
            )
            .service(
                web::resource("/users/{username}/following")
                    .route(read().to(users::following))
                    .default_service(not_allowed("GET, HEAD")),
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
async fn openapi_json(doc: web::Data<openapi::Document>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}

/// `/api/docs` → `/api/docs/` (the interactive docs need the trailing slash).
async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/api/docs/"))
        .finish()
}

/// GET, and HEAD served by the same handler: actix sends the headers
/// (Content-Length included) and no body.
fn read() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
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
