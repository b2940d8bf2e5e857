//! HTTP routes: one module per resource, mounted by [`configure`].
//! Handlers are thin: parse input into domain types, call the store, map to views.

mod admin;
mod auth;
mod endpoints;
mod health;
mod json;
mod me;
mod new_tweet;
mod notifications;
pub mod openapi;
mod responses;
mod search;
mod spa;
mod streaming;
mod tweets;
pub mod upload;
mod users;
pub mod views;

use actix_web::{http::header, middleware::DefaultHeaders, web, HttpResponse, Responder};
use utoipa_actix_web::{scope, service_config::ServiceConfig};

use self::endpoints::{not_allowed, Endpoints};
use crate::error::ApiError;

pub use spa::{media_service, spa_service};

/// The route list: every documented endpoint, mounted from its own
/// `#[utoipa::path]` (see [`endpoints`]); the OpenAPI document is collected
/// from the same calls (`openapi::document`). Only the interactive docs
/// (HTML) are mounted beside it.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        Endpoints::new()
            .add(__path_openapi_json, openapi_json)
            .add(health::__path_healthz, health::healthz)
            .add(health::__path_readyz, health::readyz),
    )
    .service(
        scope("/api/v1")
            // Answers carry tokens and per-account data: no cache keeps them.
            .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store")))
            .service(
                Endpoints::new()
                    .add(auth::__path_register, auth::register)
                    .add(auth::__path_login, auth::login)
                    .add(auth::__path_refresh, auth::refresh)
                    .add(auth::__path_logout, auth::logout)
                    .add(me::__path_get, me::get)
                    .add(me::__path_update, me::update)
                    .add(me::__path_delete, me::delete)
                    .add(me::__path_change_password, me::change_password)
                    .add(me::__path_avatar, me::avatar)
                    .add(users::__path_get, users::get)
                    .add(users::__path_tweets, users::tweets)
                    .add(users::__path_followers, users::followers)
                    .add(users::__path_following, users::following)
                    .add(users::__path_follow, users::follow)
                    .add(users::__path_unfollow, users::unfollow)
                    .add(users::__path_block, users::block)
                    .add(users::__path_unblock, users::unblock)
                    .add(users::__path_mute, users::mute)
                    .add(users::__path_unmute, users::unmute)
                    .add(tweets::__path_public_timeline, tweets::public_timeline)
                    .add(tweets::__path_home_timeline, tweets::home_timeline)
                    .add(tweets::__path_tag_timeline, tweets::tag_timeline)
                    .add(tweets::__path_create, tweets::create)
                    .add(tweets::__path_get, tweets::get)
                    .add(tweets::__path_replies, tweets::replies)
                    .add(tweets::__path_ancestors, tweets::ancestors)
                    .add(tweets::__path_delete, tweets::delete)
                    .add(tweets::__path_like, tweets::like)
                    .add(tweets::__path_unlike, tweets::unlike)
                    .add(tweets::__path_repost, tweets::repost)
                    .add(tweets::__path_unrepost, tweets::unrepost)
                    .add(notifications::__path_list, notifications::list)
                    .add(
                        notifications::__path_unread_count,
                        notifications::unread_count,
                    )
                    .add(notifications::__path_mark_read, notifications::mark_read)
                    .add(search::__path_tweets, search::tweets)
                    .add(search::__path_accounts, search::accounts)
                    .add(search::__path_tags, search::tags)
                    .add(search::__path_suggestions, search::suggestions)
                    .add(streaming::__path_notifications, streaming::notifications)
                    .add(streaming::__path_home, streaming::home)
                    .add(admin::__path_account, admin::account)
                    .add(admin::__path_deactivate, admin::deactivate)
                    .add(admin::__path_reactivate, admin::reactivate)
                    .add(admin::__path_remove_tweet, admin::remove_tweet)
                    .add(admin::__path_audit, admin::audit),
            ),
    )
    .map(|cfg| {
        cfg.service(
            web::resource("/api/docs")
                .route(web::get().to(docs_redirect))
                .route(web::head().to(docs_redirect))
                .default_service(not_allowed("GET, HEAD".into())),
        )
        .service(
            utoipa_swagger_ui::SwaggerUi::new("/api/docs/{_:.*}").config(
                utoipa_swagger_ui::Config::new(["/api/openapi.json"]).try_it_out_enabled(true),
            ),
        )
    });
}

#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "getOpenApi",
    tag = "operations",
    summary = "This document",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = Object),
    )
)]
/// `GET /api/openapi.json`: the document `tweets openapi` prints.
pub async fn openapi_json(doc: web::Data<openapi::Document>) -> HttpResponse {
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

/// Unknown routes.
pub async fn not_found() -> impl Responder {
    Err::<&'static str, _>(ApiError::NotFound("no such resource".into()))
}
