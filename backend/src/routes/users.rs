use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::views::{page_response, TweetView, UserView};
use crate::{
    auth::{AuthUser, OptionalAuth},
    db::{self, follows, tweets, users},
    domain::{Cursor, CursorKind, PageLimit, Username},
    error::ApiError,
    startup::AppState,
};

/// `?limit=&cursor=` of every list endpoint.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub limit: Option<String>,
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
fn username(raw: &str) -> Result<String, ApiError> {
    Username::parse(raw)
        .map(|u| u.as_ref().to_string())
        .map_err(|_| ApiError::NotFound(format!("no user named `{raw}`")))
}

pub async fn get(
    state: web::Data<AppState>,
    viewer: OptionalAuth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = username(&path)?;
    let user = db::run(&state.pool, move |conn| {
        let user = users::get_by_username(conn, &name)?;
        users::one_with_relation(conn, viewer.user_id(), user)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserView::new(user, &state.settings.media_url)))
}

pub async fn tweets(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: OptionalAuth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let name = username(&path)?;
    let (limit, after) = query.parse(CursorKind::Tweet)?;
    let page = db::run(&state.pool, move |conn| {
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
    let items = page
        .items
        .into_iter()
        .map(|t| TweetView::new(t, media_url))
        .collect::<Vec<_>>();
    Ok(page_response(
        &req,
        items,
        page.next_after,
        CursorKind::Tweet,
        limit,
    ))
}

#[derive(Clone, Copy)]
enum Direction {
    Followers,
    Following,
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
    let (items, next_after) = db::run(&state.pool, move |conn| {
        let user = users::get_by_username(conn, &name)?;
        let page = match direction {
            Direction::Followers => follows::followers(conn, user.id, after, limit.get())?,
            Direction::Following => follows::following(conn, user.id, after, limit.get())?,
        };
        let rows = page.items.into_iter().map(|(_, u)| u).collect();
        Ok((
            users::with_relation(conn, viewer.user_id(), rows)?,
            page.next_after,
        ))
    })
    .await?;
    let media_url = &state.settings.media_url;
    let items = items
        .into_iter()
        .map(|u| UserView::new(u, media_url))
        .collect::<Vec<_>>();
    Ok(page_response(
        &req,
        items,
        next_after,
        CursorKind::Follow,
        limit,
    ))
}

pub async fn followers(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: OptionalAuth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    follow_list(state, req, viewer, path, query, Direction::Followers).await
}

pub async fn following(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: OptionalAuth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    follow_list(state, req, viewer, path, query, Direction::Following).await
}

async fn set_follow(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<String>,
    on: bool,
) -> Result<HttpResponse, ApiError> {
    let name = username(&path)?;
    let user = db::run(&state.pool, move |conn| {
        let target = users::get_by_username(conn, &name)?;
        if target.id == me.id {
            return Err(ApiError::field("username", "you cannot follow yourself"));
        }
        if on {
            follows::follow(conn, me.id, target.id)?;
        } else {
            follows::unfollow(conn, me.id, target.id)?;
        }
        let fresh = users::get_by_username(conn, &name)?;
        users::one_with_relation(conn, Some(me.id), fresh)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserView::new(user, &state.settings.media_url)))
}

pub async fn follow(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_follow(state, me, path, true).await
}

pub async fn unfollow(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_follow(state, me, path, false).await
}
