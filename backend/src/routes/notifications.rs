//! `/notifications`: what happened to the signed-in account, grouped.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{
    users::PageQuery,
    views::{page_of, NotificationView},
};
use crate::{
    auth::AuthUser,
    db::{self, notifications},
    domain::CursorKind,
    error::ApiError,
    state::AppState,
};

#[utoipa::path(
    get,
    path = "/notifications",
    operation_id = "listNotifications",
    tag = "notifications",
    summary = "My notifications, grouped, the group with the newest event first",
    description = "Likes and reposts of one tweet form one group, and so do the follows of one UTC day; \
a reply and a mention are groups of their own. A group names its newest actors (up to 3) and counts them all. \
A group that grows while you page moves to the top of the list.",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, response = crate::routes::responses::NotificationList),
        (status = 400, response = crate::routes::responses::BadPage),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: AuthUser,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = query.parse(CursorKind::Notification)?;
    let page = db::run(&state.pool, move |conn| {
        notifications::page(conn, me.id, after, limit.get())
    })
    .await?;
    let media_url = &state.settings.media_url;
    Ok(page_of(&req, page, CursorKind::Notification, limit, |g| {
        NotificationView::new(g, media_url)
    }))
}

/// How many notification groups are unread.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"count": 2}))]
pub struct UnreadCount {
    #[schema(minimum = 0)]
    count: i64,
}

#[utoipa::path(
    get,
    path = "/notifications/unread_count",
    operation_id = "countUnreadNotifications",
    tag = "notifications",
    summary = "How many notification groups have an event I have not read",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The count", body = UnreadCount),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn unread_count(
    state: web::Data<AppState>,
    me: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let count = db::run(&state.pool, move |conn| {
        notifications::unread_count(conn, me.id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UnreadCount { count }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadQuery {
    /// Mark read up to this notification `id` (a group's newest event);
    /// absent: everything so far.
    #[param(value_type = Option<i64>, minimum = 1)]
    up_to_id: Option<String>,
}

/// Where the read marker stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"read_up_to_id": 812, "unread_count": 0}))]
pub struct ReadMarker {
    /// Notifications up to this id are read (0: none yet).
    #[schema(minimum = 0)]
    read_up_to_id: i64,
    #[schema(minimum = 0)]
    unread_count: i64,
}

#[utoipa::path(
    post,
    path = "/notifications/read",
    operation_id = "markNotificationsRead",
    tag = "notifications",
    summary = "Mark my notifications read (the marker never moves back)",
    params(ReadQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The read marker", body = ReadMarker),
        (status = 400, description = "`up_to_id` is not a positive integer", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn mark_read(
    state: web::Data<AppState>,
    me: AuthUser,
    query: web::Query<ReadQuery>,
) -> Result<HttpResponse, ApiError> {
    let up_to = match query.up_to_id.as_deref() {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| {
                    ApiError::BadRequest("up_to_id must be a positive integer".into())
                })?,
        ),
    };
    let marker = db::run(&state.pool, move |conn| {
        let read_up_to_id = notifications::mark_read(conn, me.id, up_to)?;
        let unread_count = notifications::unread_count(conn, me.id)?;
        Ok::<_, db::Error>(ReadMarker {
            read_up_to_id,
            unread_count,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(marker))
}
