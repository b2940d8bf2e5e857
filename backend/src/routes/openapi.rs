//! The OpenAPI 3.1 document, generated from the handlers' annotations.
//! `tweets openapi` prints it; `openapi.json` at the repository root is that
//! output, and a test fails when they differ (`make openapi` regenerates).

use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

use utoipa_actix_web::AppExt;

use super::responses;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tweets API",
        version = "1",
        description = "A microblog: accounts, 280-character tweets, replies, likes, reposts, follows, blocks, mutes, \
notifications and timelines. \
Errors are RFC 9457 problem documents (`application/problem+json`). Lists are keyset-paginated: \
follow `next_cursor` or the `Link: rel=\"next\"` header. Every response carries `X-Request-Id`.",
        license(name = "MIT", identifier = "MIT")
    ),
    components(
        schemas(
            crate::error::Problem,
            crate::routes::views::TweetPage,
            crate::routes::views::UserPage,
            crate::routes::views::NotificationPage,
            crate::routes::views::AuditPage,
        ),
        responses(
            responses::TweetList,
            responses::UserList,
            responses::NotificationList,
            responses::AuditList,
            responses::MalformedBody,
            responses::BadPage,
            responses::Unauthorized,
            responses::InvalidToken,
            responses::UserNotFound,
            responses::TweetNotFound,
            responses::JsonTooLarge,
            responses::NotJson,
            responses::Invalid,
            responses::SelfFollow,
            responses::BlockedBetween,
            responses::SelfRelation,
            responses::RateLimited,
            responses::Unavailable,
            responses::NotAdmin,
            responses::AdminTarget,
        )
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Accounts and access tokens"),
        (name = "me", description = "The signed-in account"),
        (name = "users", description = "Profiles and the follow graph"),
        (name = "tweets", description = "Tweets, replies, likes, reposts and timelines"),
        (name = "search", description = "Tweets, accounts and hashtags; whom to follow"),
        (name = "notifications", description = "Likes, replies, reposts, follows and mentions of the signed-in account"),
        (name = "admin", description = "Moderation by administrators: account status, deactivation, removals, the audit log"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from /api/v1/auth/register or /api/v1/auth/login",
                    ))
                    .build(),
            ),
        );
    }
}

/// The rendered document, made once by the server and shared by its workers.
pub struct Document(pub String);

/// The whole document: [`ApiDoc`] (title, shared responses, security) with
/// the paths and schemas collected from the route list itself.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(super::configure)
        .split_for_parts();
    doc
}

/// The document as pretty JSON, with a trailing newline (what `openapi.json` holds).
pub fn json() -> String {
    let mut doc = document().to_pretty_json().unwrap_or_default();
    doc.push('\n');
    doc
}
