//! The OpenAPI 3.1 document, generated from the handlers' annotations.
//! `tweets openapi` prints it; `openapi.json` at the repository root is that
//! output, and a test fails when they differ (`make openapi` regenerates).

use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

use super::{auth, health, me, responses, tweets, users};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tweets API",
        version = "1",
        description = "A microblog: accounts, 280-character tweets, replies, likes, follows and timelines. \
Errors are RFC 9457 problem documents (`application/problem+json`). Lists are keyset-paginated: \
follow `next_cursor` or the `Link: rel=\"next\"` header. Every response carries `X-Request-Id`.",
        license(name = "MIT", identifier = "MIT")
    ),
    paths(
        auth::register,
        auth::login,
        auth::refresh,
        auth::logout,
        me::get,
        me::update,
        me::delete,
        me::change_password,
        me::avatar,
        users::get,
        users::tweets,
        users::followers,
        users::following,
        users::follow,
        users::unfollow,
        tweets::public_timeline,
        tweets::home_timeline,
        tweets::tag_timeline,
        tweets::create,
        tweets::get,
        tweets::replies,
        tweets::delete,
        tweets::like,
        tweets::unlike,
        health::healthz,
        health::readyz,
    ),
    components(
        schemas(crate::error::Problem),
        responses(
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
            responses::RateLimited,
            responses::Unavailable,
        )
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Accounts and access tokens"),
        (name = "me", description = "The signed-in account"),
        (name = "users", description = "Profiles and the follow graph"),
        (name = "tweets", description = "Tweets, replies, likes and timelines"),
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

/// The document as pretty JSON, with a trailing newline (what `openapi.json` holds).
/// The rendered document, made once by the server and shared by its workers.
pub struct Document(pub String);

pub fn json() -> String {
    let mut doc = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    doc.push('\n');
    doc
}
