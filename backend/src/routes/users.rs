use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::views::{page_of, TweetView, UserView};
use crate::{
    auth::{AuthUser, OptionalAuth},
    db::{
        self, blocks,
        follows::{self, Direction},
        models::Page,
        tweets, users,
    },
    domain::{Cursor, CursorKind, PageLimit, Username},
    error::ApiError,
    state::AppState,
};

/// `?limit=&cursor=` of every list endpoint.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1–100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page (URL-safe base64; empty or
    /// absent: the first page).
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn parse(&self, kind: CursorKind) -> Result<(PageLimit, Option<i64>), ApiError> {
        let limit = PageLimit::parse(self.limit.as_deref()).map_err(ApiError::BadRequest)?;
        let after = match self.cursor.as_deref() {
            None | Some("") => None,
            Some(raw) => Some(
                Cursor::decode(kind, raw)
                    .map_err(ApiError::BadRequest)?
                    .after,
            ),
        };
        Ok((limit, after))
    }
}

/// A `{username}` path segment: one that cannot be a username names nobody.
pub fn username(raw: &str) -> Result<String, ApiError> {
    Username::parse(raw)
        .map(|u| u.as_ref().to_string())
        .map_err(|_| ApiError::NotFound(format!("no user named `{}`", crate::domain::excerpt(raw))))
}

#[utoipa::path(
    get,
    path = "/users/{username}",
    operation_id = "getUser",
    tag = "users",
    summary = "A profile",
    params(
        ("username" = String, Path, description = "Case-insensitive username"),
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The user", body = crate::routes::views::UserView),
        (status = 401, response = crate::routes::responses::InvalidToken),
        (status = 404, response = crate::routes::responses::UserNotFound),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    viewer: OptionalAuth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = username(&path)?;
    let user = state
        .read(viewer.user_id(), move |conn| {
            let user = users::get_by_username(conn, &name)?;
            users::one_with_relation(conn, viewer.user_id(), user)
        })
        .await?;
    Ok(HttpResponse::Ok().json(UserView::new(user, &state.settings.media_url)))
}

#[utoipa::path(
    get,
    path = "/users/{username}/tweets",
    operation_id = "listUserTweets",
    tag = "users",
    summary = "A user's tweets, newest first",
    params(
        ("username" = String, Path, description = "Case-insensitive username"),
        crate::routes::users::PageQuery,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, response = crate::routes::responses::TweetList),
        (status = 400, response = crate::routes::responses::BadPage),
        (status = 401, response = crate::routes::responses::InvalidToken),
        (status = 404, response = crate::routes::responses::UserNotFound),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn tweets(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: OptionalAuth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let name = username(&path)?;
    let (limit, after) = query.parse(CursorKind::Tweet)?;
    let page = state
        .read(viewer.user_id(), move |conn| {
            let user = users::get_by_username(conn, &name)?;
            tweets::timeline(
                conn,
                tweets::Timeline::Author(user.id),
                viewer.user_id(),
                after,
                limit.get(),
            )
        })
        .await?;
    let media_url = &state.settings.media_url;
    Ok(page_of(&req, page, CursorKind::Tweet, limit, |t| {
        TweetView::new(t, media_url)
    }))
}

async fn follow_list(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: OptionalAuth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
    direction: Direction,
) -> Result<HttpResponse, ApiError> {
    let name = username(&path)?;
    let (limit, after) = query.parse(CursorKind::Follow)?;
    let page = state
        .read(viewer.user_id(), move |conn| {
            let user = users::get_by_username(conn, &name)?;
            let page = follows::list(conn, user.id, direction, after, limit.get())?;
            Ok::<_, db::Error>(Page {
                items: users::with_relation(conn, viewer.user_id(), page.items)?,
                next_after: page.next_after,
            })
        })
        .await?;
    let media_url = &state.settings.media_url;
    Ok(page_of(&req, page, CursorKind::Follow, limit, |u| {
        UserView::new(u, media_url)
    }))
}

#[utoipa::path(
    get,
    path = "/users/{username}/followers",
    operation_id = "listFollowers",
    tag = "users",
    summary = "Who follows a user, newest follow first",
    params(
        ("username" = String, Path, description = "Case-insensitive username"),
        crate::routes::users::PageQuery,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, response = crate::routes::responses::UserList),
        (status = 400, response = crate::routes::responses::BadPage),
        (status = 401, response = crate::routes::responses::InvalidToken),
        (status = 404, response = crate::routes::responses::UserNotFound),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn followers(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: OptionalAuth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    follow_list(state, req, viewer, path, query, Direction::Followers).await
}

#[utoipa::path(
    get,
    path = "/users/{username}/following",
    operation_id = "listFollowing",
    tag = "users",
    summary = "Whom a user follows, newest follow first",
    params(
        ("username" = String, Path, description = "Case-insensitive username"),
        crate::routes::users::PageQuery,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, response = crate::routes::responses::UserList),
        (status = 400, response = crate::routes::responses::BadPage),
        (status = 401, response = crate::routes::responses::InvalidToken),
        (status = 404, response = crate::routes::responses::UserNotFound),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn following(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: OptionalAuth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    follow_list(state, req, viewer, path, query, Direction::Following).await
}

/// What one account can set about another, each idempotent both ways.
#[derive(Debug, Clone, Copy)]
enum Relation {
    Follow,
    Block,
    Mute,
}

async fn set_relation(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<String>,
    relation: Relation,
    on: bool,
) -> Result<HttpResponse, ApiError> {
    let name = username(&path)?;
    let user = db::run(&state.pool, move |conn| {
        let target = users::get_by_username(conn, &name)?;
        if target.id == me.id {
            let message = match relation {
                Relation::Follow => "you cannot follow yourself",
                Relation::Block => "you cannot block yourself",
                Relation::Mute => "you cannot mute yourself",
            };
            return Err(ApiError::field("username", message));
        }
        match (relation, on) {
            (Relation::Follow, true) => follows::follow(conn, me.id, target.id)?,
            (Relation::Follow, false) => follows::unfollow(conn, me.id, target.id)?,
            (Relation::Block, true) => blocks::block(conn, me.id, target.id)?,
            (Relation::Block, false) => blocks::unblock(conn, me.id, target.id)?,
            (Relation::Mute, true) => blocks::mute(conn, me.id, target.id)?,
            (Relation::Mute, false) => blocks::unmute(conn, me.id, target.id)?,
        }
        let fresh = users::get_by_username(conn, &name)?;
        Ok(users::one_with_relation(conn, Some(me.id), fresh)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserView::new(user, &state.settings.media_url)))
}

#[utoipa::path(
    put,
    path = "/users/{username}/follow",
    operation_id = "followUser",
    tag = "users",
    summary = "Follow a user (idempotent)",
    params(
        ("username" = String, Path, description = "Case-insensitive username"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The followed user", body = crate::routes::views::UserView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 403, response = crate::routes::responses::BlockedBetween),
        (status = 404, response = crate::routes::responses::UserNotFound),
        (status = 422, response = crate::routes::responses::SelfFollow),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn follow(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_relation(state, me, path, Relation::Follow, true).await
}

#[utoipa::path(
    delete,
    path = "/users/{username}/follow",
    operation_id = "unfollowUser",
    tag = "users",
    summary = "Unfollow a user (idempotent)",
    params(
        ("username" = String, Path, description = "Case-insensitive username"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The unfollowed user", body = crate::routes::views::UserView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 404, response = crate::routes::responses::UserNotFound),
        (status = 422, response = crate::routes::responses::SelfFollow),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn unfollow(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_relation(state, me, path, Relation::Follow, false).await
}

#[utoipa::path(
    put,
    path = "/users/{username}/block",
    operation_id = "blockUser",
    tag = "users",
    summary = "Block a user (idempotent): their follows of each other end, neither sees the other's tweets, and they cannot follow, reply to, repost, like or notify you",
    params(
        ("username" = String, Path, description = "Case-insensitive username"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The blocked user", body = crate::routes::views::UserView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 404, response = crate::routes::responses::UserNotFound),
        (status = 422, response = crate::routes::responses::SelfRelation),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn block(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_relation(state, me, path, Relation::Block, true).await
}

#[utoipa::path(
    delete,
    path = "/users/{username}/block",
    operation_id = "unblockUser",
    tag = "users",
    summary = "Unblock a user (idempotent; the follows it ended stay ended)",
    params(
        ("username" = String, Path, description = "Case-insensitive username"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The unblocked user", body = crate::routes::views::UserView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 404, response = crate::routes::responses::UserNotFound),
        (status = 422, response = crate::routes::responses::SelfRelation),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn unblock(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_relation(state, me, path, Relation::Block, false).await
}

#[utoipa::path(
    put,
    path = "/users/{username}/mute",
    operation_id = "muteUser",
    tag = "users",
    summary = "Mute a user (idempotent): their tweets leave your timelines and their notifications stop; they are not told",
    params(
        ("username" = String, Path, description = "Case-insensitive username"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The muted user", body = crate::routes::views::UserView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 404, response = crate::routes::responses::UserNotFound),
        (status = 422, response = crate::routes::responses::SelfRelation),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn mute(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_relation(state, me, path, Relation::Mute, true).await
}

#[utoipa::path(
    delete,
    path = "/users/{username}/mute",
    operation_id = "unmuteUser",
    tag = "users",
    summary = "Unmute a user (idempotent)",
    params(
        ("username" = String, Path, description = "Case-insensitive username"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The unmuted user", body = crate::routes::views::UserView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 404, response = crate::routes::responses::UserNotFound),
        (status = 422, response = crate::routes::responses::SelfRelation),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn unmute(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_relation(state, me, path, Relation::Mute, false).await
}
