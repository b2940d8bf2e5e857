//! Error responses shared by many operations, as OpenAPI response
//! components (`#/components/responses/...`): each operation names them
//! instead of repeating the same description, body and headers.
#![allow(dead_code)] // documentation types: never built, only described

use utoipa::ToResponse;

use crate::error::Problem;

/// A page of tweets
#[derive(ToResponse)]
#[response(headers(("Link" = String, description = "`<…?cursor=…&limit=N>; rel=\"next\"` when there is a next page")))]
pub struct TweetList(crate::routes::views::TweetPage);

/// A page of users
#[derive(ToResponse)]
#[response(headers(("Link" = String, description = "`<…?cursor=…&limit=N>; rel=\"next\"` when there is a next page")))]
pub struct UserList(crate::routes::views::UserPage);

/// A page of notification groups
#[derive(ToResponse)]
#[response(headers(("Link" = String, description = "`<…?cursor=…&limit=N>; rel=\"next\"` when there is a next page")))]
pub struct NotificationList(crate::routes::views::NotificationPage);

/// A page of audit-log entries
#[derive(ToResponse)]
#[response(headers(("Link" = String, description = "`<…?cursor=…&limit=N>; rel=\"next\"` when there is a next page")))]
pub struct AuditList(crate::routes::views::AuditPage);

/// Malformed JSON or query string
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct MalformedBody(Problem<'static>);

/// Invalid `limit` or `cursor`
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct BadPage(Problem<'static>);

/// Missing, invalid or expired access token
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer`, with `error=\"invalid_token\"` when a token was sent"))
)]
pub struct Unauthorized(Problem<'static>);

/// An access token was sent but is invalid or expired (never silently anonymous)
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer error=\"invalid_token\"`"))
)]
pub struct InvalidToken(Problem<'static>);

/// No such user
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct UserNotFound(Problem<'static>);

/// No such tweet
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct TweetNotFound(Problem<'static>);

/// Body larger than 64 KiB
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct JsonTooLarge(Problem<'static>);

/// Body is not JSON
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotJson(Problem<'static>);

/// Well-formed but invalid fields; `errors` says which
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Invalid(Problem<'static>);

/// You cannot follow yourself
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct SelfFollow(Problem<'static>);

/// A block between the two accounts forbids it
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct BlockedBetween(Problem<'static>);

/// The account asked about itself (you cannot block or mute yourself)
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct SelfRelation(Problem<'static>);

/// Rate limited
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait"))
)]
pub struct RateLimited(Problem<'static>);

/// The database is unavailable
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait"))
)]
pub struct Unavailable(Problem<'static>);

/// The caller is not an administrator (`code: not_admin`)
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotAdmin(Problem<'static>);

/// An administrator cannot be deactivated; revoke the flag first (`code: conflict`)
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct AdminTarget(Problem<'static>);
