use actix_web::{http::header, web, HttpRequest, HttpResponse};

use super::{
    new_tweet::NewTweetInput,
    users::PageQuery,
    views::{page_of, TweetView},
};
use crate::{
    auth::{AuthUser, OptionalUnconfirmed, Unconfirmed},
    db::{
        self,
        models::NewTweet,
        tweets::{self, Created, Timeline},
    },
    domain::{CursorKind, TweetId},
    error::ApiError,
    state::AppState,
};

async fn timeline_page(
    state: &AppState,
    req: &HttpRequest,
    which: Timeline,
    token: OptionalUnconfirmed,
    query: &PageQuery,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = query.parse(CursorKind::Tweet)?;
    // The session check and the page share one hand-off to the blocking
    // pool: the busiest signed-in reads pay for one, not two.
    let page = state
        .read(token.claimed(), move |conn| {
            let viewer = token.reader(conn)?;
            Ok::<_, ApiError>(tweets::timeline(
                conn,
                which.clone(),
                viewer,
                after,
                limit.get(),
            )?)
        })
        .await?;
    let media_url = &state.settings.media_url;
    Ok(page_of(req, page, CursorKind::Tweet, limit, |t| {
        TweetView::new(t, media_url)
    }))
}

#[utoipa::path(
    get,
    path = "/tweets",
    operation_id = "listPublicTimeline",
    tag = "tweets",
    summary = "The public timeline: every tweet, newest first",
    params(
        crate::routes::users::PageQuery,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, response = crate::routes::responses::TweetList),
        (status = 400, response = crate::routes::responses::BadPage),
        (status = 401, response = crate::routes::responses::InvalidToken),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn public_timeline(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: OptionalUnconfirmed,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    timeline_page(&state, &req, Timeline::Public, token, &query).await
}

#[utoipa::path(
    get,
    path = "/timeline",
    operation_id = "listHomeTimeline",
    tag = "tweets",
    summary = "The home timeline: my tweets and those of everyone I follow, newest first",
    params(
        crate::routes::users::PageQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, response = crate::routes::responses::TweetList),
        (status = 400, response = crate::routes::responses::BadPage),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn home_timeline(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Unconfirmed,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = query.parse(CursorKind::Tweet)?;
    // The session check is part of the page's own statement.
    let page = state
        .read(Some(me.claimed()), move |conn| {
            tweets::home_page(conn, me.claimed(), me.session_id(), after, limit.get())?
                .ok_or_else(|| me.not_open())
        })
        .await?;
    let media_url = &state.settings.media_url;
    Ok(page_of(&req, page, CursorKind::Tweet, limit, |t| {
        TweetView::new(t, media_url)
    }))
}

/// A `{tag}` path segment: 1–50 letters, digits or `_` (a leading `#` is
/// allowed), compared lower-cased; anything else names no hashtag.
fn hashtag(raw: &str) -> Result<String, ApiError> {
    let tag = raw.strip_prefix('#').unwrap_or(raw);
    let valid = (1..=50).contains(&tag.chars().count())
        && tag.chars().all(|c| c.is_alphanumeric() || c == '_');
    if valid {
        Ok(tag.to_lowercase())
    } else {
        Err(ApiError::NotFound(format!(
            "no hashtag `{}`",
            crate::domain::excerpt(raw)
        )))
    }
}

#[utoipa::path(
    get,
    path = "/tags/{tag}/tweets",
    operation_id = "listTagTweets",
    tag = "tweets",
    summary = "Tweets with a hashtag, newest first",
    description = "A hashtag is what the web app links: `#` then 1–50 letters, digits or `_`, not inside a word or a URL; compared case-insensitively.",
    params(
        ("tag" = String, Path, description = "The hashtag, without `#` (or with it, URL-encoded)", min_length = 1, max_length = 51),
        crate::routes::users::PageQuery,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, response = crate::routes::responses::TweetList),
        (status = 400, response = crate::routes::responses::BadPage),
        (status = 401, response = crate::routes::responses::InvalidToken),
        (status = 404, description = "Not a hashtag", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn tag_timeline(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: OptionalUnconfirmed,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let tag = hashtag(&path)?;
    timeline_page(&state, &req, Timeline::Tag(tag), token, &query).await
}

#[utoipa::path(
    post,
    path = "/tweets",
    operation_id = "createTweet",
    tag = "tweets",
    summary = "Post a tweet or a reply",
    request_body(content(
        (super::new_tweet::NewTweetRequest = "application/json"),
        (super::new_tweet::NewTweetForm = "multipart/form-data"),
    )),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters; a retry within 24 hours returns the first result", pattern = "^[!-~]{1,255}$", min_length = 1, max_length = 255),
    ),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new tweet", body = crate::routes::views::TweetView, headers(("Location" = String, description = "`/api/v1/tweets/{id}`"))),
        (status = 200, description = "A retry with the same Idempotency-Key: the first tweet", body = crate::routes::views::TweetView, headers(("Location" = String, description = "`/api/v1/tweets/{id}`"))),
        (status = 400, response = crate::routes::responses::MalformedBody),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 413, description = "JSON body over 64 KiB or image over 5 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body neither JSON nor multipart, or the image is not PNG, JPEG, GIF or WebP", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid text, a missing `reply_to_id` tweet, an image too large in pixels or damaged, or an Idempotency-Key reused with another body", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, response = crate::routes::responses::RateLimited),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
/// `POST /tweets`: JSON, or `multipart/form-data` when an image comes along.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: Unconfirmed,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let input = NewTweetInput::read(&req, payload).await?;
    let idempotency = input.idempotency(&req)?;
    // The session is confirmed with the request's first database work (one
    // hand-off to the blocking pool for a plain post), and before an image
    // is stored.
    let mut confirmed = None;
    // A replay of a stored key answers with the first tweet and costs
    // nothing: no limiter, no image stored. Every new request counts.
    if let Some(idem) = idempotency.clone() {
        let token = token.clone();
        let (me, replay) = db::run(&state.pool, move |conn| {
            let me = token.confirm(conn)?;
            Ok::<_, ApiError>((me, tweets::replay(conn, me.id, &idem)?))
        })
        .await?;
        if let Some(tweet) = replay {
            return Ok(created_response(&state, tweet, Created::Replayed));
        }
        confirmed = Some(me);
    }
    if confirmed.is_none() && input.image.is_some() {
        let token = token.clone();
        confirmed = Some(db::run(&state.pool, move |conn| token.confirm(conn)).await?);
    }
    let author = token.claimed();
    state.post_limiter.check(&format!("user:{author}")).await?;
    let stored = match input.image {
        Some(bytes) => Some(state.media.store(bytes).await?),
        None => None,
    };
    let image_path = stored.clone();
    let (text, reply_to_id, image_alt) = (input.text, input.reply_to, input.image_alt);
    let result = db::run(&state.pool, move |conn| {
        if confirmed.is_none() {
            token.confirm(conn)?;
        }
        let new = NewTweet {
            author_id: author,
            text: text.as_ref(),
            image_path: image_path.as_deref(),
            image_alt: image_alt.as_deref(),
            reply_to_id,
        };
        Ok::<_, ApiError>(tweets::create(conn, &new, idempotency.as_ref())?)
    })
    .await;
    // A failed or replayed request keeps no new file.
    if let Some(name) = stored.filter(|_| !matches!(result, Ok((_, Created::New)))) {
        state.media.remove(name).await;
    }
    let (tweet, created) = result?;
    if created == Created::New {
        state.metrics.tweets_created.inc();
    }
    Ok(created_response(&state, tweet, created))
}

/// 201 for a new tweet, 200 for a replay, both with `Location`.
fn created_response(
    state: &AppState,
    tweet: db::models::TweetWithAuthor,
    created: Created,
) -> HttpResponse {
    let location = format!("/api/v1/tweets/{}", tweet.tweet.id);
    let mut res = match created {
        Created::New => HttpResponse::Created(),
        Created::Replayed => HttpResponse::Ok(),
    };
    res.insert_header((header::LOCATION, location))
        .json(TweetView::new(tweet, &state.settings.media_url))
}

#[utoipa::path(
    get,
    path = "/tweets/{id}",
    operation_id = "getTweet",
    tag = "tweets",
    summary = "A tweet",
    params(
        ("id" = i64, Path, description = "Tweet id", minimum = 1),
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The tweet", body = crate::routes::views::TweetView),
        (status = 401, response = crate::routes::responses::InvalidToken),
        (status = 404, response = crate::routes::responses::TweetNotFound),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    token: OptionalUnconfirmed,
    path: web::Path<TweetId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    // One hand-off for the session check and the read.
    let tweet = state
        .read(token.claimed(), move |conn| {
            let viewer = token.reader(conn)?;
            Ok::<_, ApiError>(tweets::get(conn, id, viewer)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(TweetView::new(tweet, &state.settings.media_url)))
}

#[utoipa::path(
    get,
    path = "/tweets/{id}/replies",
    operation_id = "listReplies",
    tag = "tweets",
    summary = "Replies to a tweet, oldest first",
    params(
        ("id" = i64, Path, description = "Tweet id", minimum = 1),
        crate::routes::users::PageQuery,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, response = crate::routes::responses::TweetList),
        (status = 400, response = crate::routes::responses::BadPage),
        (status = 401, response = crate::routes::responses::InvalidToken),
        (status = 404, response = crate::routes::responses::TweetNotFound),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn replies(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: OptionalUnconfirmed,
    path: web::Path<TweetId>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (limit, after) = query.parse(CursorKind::Tweet)?;
    let page = state
        .read(token.claimed(), move |conn| {
            let viewer = token.reader(conn)?;
            Ok::<_, ApiError>(tweets::replies(conn, id, viewer, after, limit.get())?)
        })
        .await?;
    let media_url = &state.settings.media_url;
    Ok(page_of(&req, page, CursorKind::Tweet, limit, |t| {
        TweetView::new(t, media_url)
    }))
}

/// The tweets a reply answers, root first.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Ancestors {
    /// At most 50, nearest last; those hidden from me are left out.
    items: Vec<TweetView>,
}

#[utoipa::path(
    get,
    path = "/tweets/{id}/ancestors",
    operation_id = "listAncestors",
    tag = "tweets",
    summary = "The thread above a tweet: what it replies to, up to the root, root first",
    params(
        ("id" = i64, Path, description = "Tweet id", minimum = 1),
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The ancestors (empty for a top-level tweet)", body = Ancestors),
        (status = 401, response = crate::routes::responses::InvalidToken),
        (status = 404, response = crate::routes::responses::TweetNotFound),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn ancestors(
    state: web::Data<AppState>,
    token: OptionalUnconfirmed,
    path: web::Path<TweetId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let tweets = state
        .read(token.claimed(), move |conn| {
            let viewer = token.reader(conn)?;
            Ok::<_, ApiError>(tweets::ancestors(conn, id, viewer)?)
        })
        .await?;
    let media_url = &state.settings.media_url;
    let items = tweets
        .into_iter()
        .map(|t| TweetView::new(t, media_url))
        .collect();
    Ok(HttpResponse::Ok().json(Ancestors { items }))
}

#[utoipa::path(
    delete,
    path = "/tweets/{id}",
    operation_id = "deleteTweet",
    tag = "tweets",
    summary = "Delete my tweet",
    params(
        ("id" = i64, Path, description = "Tweet id", minimum = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted; its likes and image go with it, its replies stay"),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 403, description = "Authenticated but not allowed", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, response = crate::routes::responses::TweetNotFound),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn delete(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<TweetId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let image = db::run(&state.pool, move |conn| tweets::delete(conn, id, me.id)).await?;
    if let Some(image) = image {
        state.media.remove(image).await;
    }
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    put,
    path = "/tweets/{id}/like",
    operation_id = "likeTweet",
    tag = "tweets",
    summary = "Like a tweet (idempotent)",
    params(
        ("id" = i64, Path, description = "Tweet id", minimum = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tweet", body = crate::routes::views::TweetView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 404, response = crate::routes::responses::TweetNotFound),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn like(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<TweetId>,
) -> Result<HttpResponse, ApiError> {
    set_mark(state, me, path.into_inner(), Mark::Like, true).await
}

#[utoipa::path(
    delete,
    path = "/tweets/{id}/like",
    operation_id = "unlikeTweet",
    tag = "tweets",
    summary = "Remove a like (idempotent)",
    params(
        ("id" = i64, Path, description = "Tweet id", minimum = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tweet", body = crate::routes::views::TweetView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 404, response = crate::routes::responses::TweetNotFound),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn unlike(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<TweetId>,
) -> Result<HttpResponse, ApiError> {
    set_mark(state, me, path.into_inner(), Mark::Like, false).await
}

/// What a reader can put on a tweet, each idempotent both ways.
#[derive(Debug, Clone, Copy)]
enum Mark {
    Like,
    Repost,
}

/// Sets or removes a mark and answers with the tweet as the user now sees it.
async fn set_mark(
    state: web::Data<AppState>,
    me: AuthUser,
    id: TweetId,
    mark: Mark,
    on: bool,
) -> Result<HttpResponse, ApiError> {
    if let (Mark::Repost, true) = (mark, on) {
        // A repost reaches every follower like a tweet: it counts as a post.
        state.post_limiter.check(&format!("user:{}", me.id)).await?;
    }
    let tweet = db::run(&state.pool, move |conn| match (mark, on) {
        (Mark::Like, true) => tweets::like(conn, me.id, id),
        (Mark::Like, false) => tweets::unlike(conn, me.id, id),
        (Mark::Repost, true) => tweets::repost(conn, me.id, id),
        (Mark::Repost, false) => tweets::unrepost(conn, me.id, id),
    })
    .await?;
    Ok(HttpResponse::Ok().json(TweetView::new(tweet, &state.settings.media_url)))
}

#[utoipa::path(
    put,
    path = "/tweets/{id}/repost",
    operation_id = "repostTweet",
    tag = "tweets",
    summary = "Repost a tweet to my followers (idempotent; counted against the posting limit)",
    params(
        ("id" = i64, Path, description = "Tweet id", minimum = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tweet", body = crate::routes::views::TweetView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 404, response = crate::routes::responses::TweetNotFound),
        (status = 422, description = "My own tweet", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, response = crate::routes::responses::RateLimited),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn repost(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<TweetId>,
) -> Result<HttpResponse, ApiError> {
    set_mark(state, me, path.into_inner(), Mark::Repost, true).await
}

#[utoipa::path(
    delete,
    path = "/tweets/{id}/repost",
    operation_id = "unrepostTweet",
    tag = "tweets",
    summary = "Undo my repost (idempotent)",
    params(
        ("id" = i64, Path, description = "Tweet id", minimum = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tweet", body = crate::routes::views::TweetView),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 404, response = crate::routes::responses::TweetNotFound),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn unrepost(
    state: web::Data<AppState>,
    me: AuthUser,
    path: web::Path<TweetId>,
) -> Result<HttpResponse, ApiError> {
    set_mark(state, me, path.into_inner(), Mark::Repost, false).await
}
