//! `/admin`: moderation by administrators (accounts with the admin flag,
//! granted only on the command line). Every action is recorded in the audit
//! log; anyone else gets a 403.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    users::{username, PageQuery},
    views::{page_of, rfc3339, rfc3339_opt},
};
use crate::{
    auth::Unconfirmed,
    db::{self, admin, models::Page},
    domain::{CursorKind, TweetId, UserId},
    error::ApiError,
    state::AppState,
};

/// An account as administration sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AccountStatus, example = json!({
    "id": 42, "username": "spammer", "display_name": "Spammer", "is_admin": false,
    "deactivated_at": "2026-12-01T17:00:00Z", "created_at": "2026-11-30T09:00:00Z",
    "followers_count": 3, "tweets_count": 120
}))]
pub struct AccountView {
    #[schema(minimum = 1, value_type = i64)]
    id: UserId,
    #[schema(min_length = 3, max_length = 30, pattern = "^[A-Za-z0-9_]{3,30}$")]
    username: String,
    #[schema(max_length = 50)]
    display_name: String,
    is_admin: bool,
    /// When the account was deactivated; null while it is active.
    #[schema(required = true, value_type = Option<String>, format = DateTime)]
    #[serde(serialize_with = "rfc3339_opt")]
    deactivated_at: Option<DateTime<Utc>>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
    #[schema(minimum = 0)]
    followers_count: i64,
    #[schema(minimum = 0)]
    tweets_count: i64,
}

impl From<admin::Account> for AccountView {
    fn from(a: admin::Account) -> Self {
        Self {
            id: a.id,
            username: a.username,
            display_name: a.display_name,
            is_admin: a.is_admin,
            deactivated_at: a.deactivated_at,
            created_at: a.created_at,
            followers_count: a.followers_count,
            tweets_count: a.tweets_count,
        }
    }
}

/// `?reason=`: why, for the audit log.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReasonQuery {
    /// Why (recorded in the audit log), 0–500 characters.
    #[param(max_length = 500)]
    reason: Option<String>,
}

impl ReasonQuery {
    fn parse(&self) -> Result<String, ApiError> {
        let reason = self.reason.as_deref().unwrap_or("").trim();
        if reason.chars().count() > 500 {
            return Err(ApiError::field("reason", "must be at most 500 characters"));
        }
        if reason.chars().any(|c| c.is_control()) {
            return Err(ApiError::field(
                "reason",
                "must not contain control characters",
            ));
        }
        Ok(reason.to_string())
    }
}

#[utoipa::path(
    get,
    path = "/admin/users/{username}",
    operation_id = "getAccountStatus",
    tag = "admin",
    summary = "An account's status: admin flag, deactivation (administrators only)",
    params(("username" = String, Path, description = "Username (case-insensitive)")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = AccountView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 403, response = crate::routes::responses::NotAdmin),
        (status = 404, response = crate::routes::responses::UserNotFound),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn account(
    state: web::Data<AppState>,
    token: Unconfirmed,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = username(&path)?;
    let account = db::run(&state.pool, move |conn| {
        token.confirm_admin(conn)?;
        Ok::<_, ApiError>(admin::account(conn, &name)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AccountView::from(account)))
}

#[utoipa::path(
    post,
    path = "/admin/users/{username}/deactivate",
    operation_id = "deactivateAccount",
    tag = "admin",
    summary = "Deactivate an account (administrators only)",
    description = "The account can no longer sign in and every session it has ends at once; its tweets stay \
until they are removed. Idempotent. An administrator cannot be deactivated (409): the flag is revoked on the command line first.",
    params(
        ("username" = String, Path, description = "Username (case-insensitive)"),
        ReasonQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account, deactivated", body = AccountView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 403, response = crate::routes::responses::NotAdmin),
        (status = 404, response = crate::routes::responses::UserNotFound),
        (status = 409, response = crate::routes::responses::AdminTarget),
        (status = 422, response = crate::routes::responses::Invalid),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn deactivate(
    state: web::Data<AppState>,
    token: Unconfirmed,
    path: web::Path<String>,
    query: web::Query<ReasonQuery>,
) -> Result<HttpResponse, ApiError> {
    set_active(&state, token, &path, &query, false).await
}

/// Deactivates or reactivates the account a path names.
async fn set_active(
    state: &AppState,
    token: Unconfirmed,
    path: &str,
    query: &ReasonQuery,
    active: bool,
) -> Result<HttpResponse, ApiError> {
    let name = username(path)?;
    let reason = query.parse()?;
    let account = db::run(&state.pool, move |conn| {
        let actor = token.confirm_admin(conn)?;
        Ok::<_, ApiError>(admin::set_active(conn, &actor, &name, active, &reason)?)
    })
    .await?;
    tracing::info!(account = %account.username, active, "account activity changed");
    Ok(HttpResponse::Ok().json(AccountView::from(account)))
}

#[utoipa::path(
    post,
    path = "/admin/users/{username}/reactivate",
    operation_id = "reactivateAccount",
    tag = "admin",
    summary = "Let a deactivated account sign in again (administrators only)",
    description = "Idempotent. The sessions that deactivation ended stay ended.",
    params(
        ("username" = String, Path, description = "Username (case-insensitive)"),
        ReasonQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account, active", body = AccountView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 403, response = crate::routes::responses::NotAdmin),
        (status = 404, response = crate::routes::responses::UserNotFound),
        (status = 422, response = crate::routes::responses::Invalid),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn reactivate(
    state: web::Data<AppState>,
    token: Unconfirmed,
    path: web::Path<String>,
    query: web::Query<ReasonQuery>,
) -> Result<HttpResponse, ApiError> {
    set_active(&state, token, &path, &query, true).await
}

#[utoipa::path(
    delete,
    path = "/admin/tweets/{id}",
    operation_id = "removeTweet",
    tag = "admin",
    summary = "Remove anyone's tweet (administrators only)",
    description = "Removes the tweet with its reposts and image, as its author's delete does; the audit log keeps its text. \
A repost is not removed on its own (404).",
    params(
        ("id" = i64, Path, description = "Tweet id", minimum = 1),
        ReasonQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 403, response = crate::routes::responses::NotAdmin),
        (status = 404, response = crate::routes::responses::TweetNotFound),
        (status = 422, response = crate::routes::responses::Invalid),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn remove_tweet(
    state: web::Data<AppState>,
    token: Unconfirmed,
    path: web::Path<TweetId>,
    query: web::Query<ReasonQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = query.parse()?;
    let removed = db::run(&state.pool, move |conn| {
        let actor = token.confirm_admin(conn)?;
        Ok::<_, ApiError>(admin::remove_tweet(conn, &actor, id, &reason)?)
    })
    .await?;
    tracing::info!(tweet = %id, author = %removed.author, "tweet removed by an administrator");
    if let Some(image) = removed.image {
        state.media.remove(image).await;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// One entry of the audit log.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AuditEntry, example = json!({
    "id": 7, "at": "2026-12-01T17:00:00Z", "actor": "alice", "action": "remove_tweet",
    "target_username": "spammer", "tweet_id": 1234, "tweet_text": "buy now", "reason": "spam"
}))]
pub struct AuditView {
    #[schema(minimum = 1)]
    id: i64,
    #[schema(value_type = String, format = DateTime)]
    #[serde(serialize_with = "rfc3339")]
    at: DateTime<Utc>,
    /// The administrator's username, or `cli:<operating-system user>`.
    actor: String,
    #[schema(value_type = String, example = "deactivate_user")]
    action: String,
    #[schema(required = true)]
    target_username: Option<String>,
    #[schema(required = true)]
    tweet_id: Option<i64>,
    /// A removed tweet's text.
    #[schema(required = true)]
    tweet_text: Option<String>,
    reason: String,
}

impl From<admin::Entry> for AuditView {
    fn from(e: admin::Entry) -> Self {
        Self {
            id: e.id,
            at: e.at,
            actor: e.actor,
            action: e.action,
            target_username: e.target_username,
            tweet_id: e.tweet_id,
            tweet_text: e.tweet_text,
            reason: e.reason,
        }
    }
}

#[utoipa::path(
    get,
    path = "/admin/audit",
    operation_id = "listAuditLog",
    tag = "admin",
    summary = "The audit log, newest first (administrators only)",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, response = crate::routes::responses::AuditList),
        (status = 400, response = crate::routes::responses::BadPage),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 403, response = crate::routes::responses::NotAdmin),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn audit(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: Unconfirmed,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = query.parse(CursorKind::Audit)?;
    let page = db::run(&state.pool, move |conn| {
        token.confirm_admin(conn)?;
        let rows = admin::entries(conn, after, limit.get() + 1)?;
        Ok::<_, ApiError>(Page::from_rows(rows, limit.get(), |e| e.id))
    })
    .await?;
    Ok(page_of(
        &req,
        page,
        CursorKind::Audit,
        limit,
        AuditView::from,
    ))
}
