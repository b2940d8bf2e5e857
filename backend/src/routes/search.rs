//! `/search/…` (tweets, accounts, hashtags) and `/suggestions` (whom to follow).

use actix_web::{http::header, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::views::{PageView, TweetView, UserView};
use crate::{
    auth::{AuthUser, OptionalUnconfirmed},
    db::search,
    domain::{PageLimit, RankCursor},
    error::ApiError,
    state::AppState,
};

/// Most characters in a search query.
const MAX_QUERY: usize = 200;

/// `?q=&limit=&cursor=` of the searches.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What to look for: 1–200 characters, trimmed.
    #[param(min_length = 1, max_length = 200)]
    q: Option<String>,
    /// Items per page, 1–100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page of the same search.
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
}

impl SearchQuery {
    fn parse(&self) -> Result<(String, PageLimit, Option<RankCursor>), ApiError> {
        let q = self.q.as_deref().map(str::trim).unwrap_or_default();
        let length = q.chars().count();
        if length == 0 || length > MAX_QUERY {
            return Err(ApiError::BadRequest(format!(
                "q must be 1 to {MAX_QUERY} characters (after trimming)"
            )));
        }
        let limit = PageLimit::parse(self.limit.as_deref()).map_err(ApiError::BadRequest)?;
        let cursor = match self.cursor.as_deref() {
            None | Some("") => None,
            Some(raw) => Some(RankCursor::decode(raw).map_err(ApiError::BadRequest)?),
        };
        Ok((q.to_string(), limit, cursor))
    }
}

/// A ranked page, with `Link: <…?q=…&cursor=…&limit=N>; rel="next"`.
fn ranked<T: Serialize>(
    req: &HttpRequest,
    q: &str,
    limit: PageLimit,
    items: Vec<T>,
    next: Option<RankCursor>,
) -> HttpResponse {
    let next_cursor = next.map(|c| c.encode());
    let mut res = HttpResponse::Ok();
    if let Some(cursor) = &next_cursor {
        let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
        let link = format!(
            "<{}?q={q}&cursor={cursor}&limit={}>; rel=\"next\"",
            req.path(),
            limit.get()
        );
        res.insert_header((header::LINK, link));
    }
    res.json(PageView { items, next_cursor })
}

#[utoipa::path(
    get,
    path = "/search/tweets",
    operation_id = "searchTweets",
    tag = "search",
    summary = "Tweets matching words, best match first",
    description = "Full-text search with English stemming (`running` finds `run`) in web-search syntax: \
words, `\"a phrase\"`, `-excluded`, `or`. Reposts are not listed (their originals are). \
Tweets hidden from me by a block or a mute are left out.",
    params(SearchQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, response = crate::routes::responses::TweetList),
        (status = 400, description = "`q` missing, blank or too long; invalid `limit` or `cursor`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, response = crate::routes::responses::InvalidToken),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn tweets(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: OptionalUnconfirmed,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let (q, limit, after) = query.parse()?;
    let words = q.clone();
    let page = state
        .read(token.claimed(), move |conn| {
            let viewer = token.reader(conn)?;
            Ok::<_, ApiError>(search::tweets(conn, viewer, &words, after, limit.get())?)
        })
        .await?;
    let media_url = &state.settings.media_url;
    let items = page
        .items
        .into_iter()
        .map(|t| TweetView::new(t, media_url))
        .collect();
    Ok(ranked(&req, &q, limit, items, page.next))
}

#[utoipa::path(
    get,
    path = "/search/accounts",
    operation_id = "searchAccounts",
    tag = "search",
    summary = "Accounts whose username or display name starts with the query",
    description = "Compared case-insensitively: the exact username first, then usernames, then display names \
starting with `q`, the newest account first within each.",
    params(SearchQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, response = crate::routes::responses::UserList),
        (status = 400, description = "`q` missing, blank or too long; invalid `limit` or `cursor`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, response = crate::routes::responses::InvalidToken),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn accounts(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: OptionalUnconfirmed,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let (q, limit, after) = query.parse()?;
    let prefix = q.strip_prefix('@').unwrap_or(&q).to_string();
    let page = state
        .read(token.claimed(), move |conn| {
            let viewer = token.reader(conn)?;
            Ok::<_, ApiError>(search::accounts(conn, viewer, &prefix, after, limit.get())?)
        })
        .await?;
    let media_url = &state.settings.media_url;
    let items = page
        .items
        .into_iter()
        .map(|u| UserView::new(u, media_url))
        .collect();
    Ok(ranked(&req, &q, limit, items, page.next))
}

/// A hashtag and how many tweets carry it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"tag": "rust", "count": 1204}))]
pub struct TagView {
    /// Lower-cased, without `#`.
    tag: String,
    #[schema(minimum = 1)]
    count: i64,
}

/// Hashtags, the most used first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TagList {
    items: Vec<TagView>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagQuery {
    /// The start of the hashtag (a leading `#` is allowed): 1–50 letters, digits or `_`.
    #[param(min_length = 1, max_length = 51)]
    q: Option<String>,
    /// How many, 1–100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
}

#[utoipa::path(
    get,
    path = "/search/tags",
    operation_id = "searchTags",
    tag = "search",
    summary = "Hashtags starting with the query, with how many tweets carry each, the most used first",
    params(TagQuery),
    responses(
        (status = 200, description = "The hashtags", body = TagList),
        (status = 400, description = "`q` is not the start of a hashtag, or an invalid `limit`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn tags(
    state: web::Data<AppState>,
    query: web::Query<TagQuery>,
) -> Result<HttpResponse, ApiError> {
    let raw = query.q.as_deref().map(str::trim).unwrap_or_default();
    let prefix = raw.strip_prefix('#').unwrap_or(raw).to_lowercase();
    let valid = (1..=50).contains(&prefix.chars().count())
        && prefix.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !valid {
        return Err(ApiError::BadRequest(
            "q must be the start of a hashtag: 1 to 50 letters, digits or _".into(),
        ));
    }
    let limit = PageLimit::parse(query.limit.as_deref()).map_err(ApiError::BadRequest)?;
    let found = state
        .read(None, move |conn| search::tags(conn, &prefix, limit.get()))
        .await?;
    let items = found
        .into_iter()
        .map(|t| TagView {
            tag: t.tag,
            count: t.count,
        })
        .collect();
    Ok(HttpResponse::Ok().json(TagList { items }))
}

/// Accounts to follow.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Suggestions {
    items: Vec<UserView>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestionQuery {
    /// How many, 1–100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
}

#[utoipa::path(
    get,
    path = "/suggestions",
    operation_id = "listSuggestions",
    tag = "search",
    summary = "Whom I might follow",
    description = "Accounts followed by the accounts I follow (those most of them follow first), then the accounts \
most followed lately; never me, an account I follow or mute, or one with a block between us.",
    params(SuggestionQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The accounts", body = Suggestions),
        (status = 400, response = crate::routes::responses::BadPage),
        (status = 401, response = crate::routes::responses::Unauthorized),
        (status = 503, response = crate::routes::responses::Unavailable),
    )
)]
pub async fn suggestions(
    state: web::Data<AppState>,
    me: AuthUser,
    query: web::Query<SuggestionQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = PageLimit::parse(query.limit.as_deref()).map_err(ApiError::BadRequest)?;
    let found = state
        .read(Some(me.id), move |conn| {
            search::suggestions(conn, me.id, limit.get())
        })
        .await?;
    let media_url = &state.settings.media_url;
    let items = found
        .into_iter()
        .map(|u| UserView::new(u, media_url))
        .collect();
    Ok(HttpResponse::Ok().json(Suggestions { items }))
}
