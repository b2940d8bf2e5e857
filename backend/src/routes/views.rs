//! The JSON shapes of the API (`docs/api.md`, "Objects").

use actix_web::{http::header, HttpRequest, HttpResponse};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

use crate::{
    db::models::{AuthorRow, TweetWithAuthor, UserWithRelation},
    domain::{Cursor, CursorKind, PageLimit},
};

fn rfc3339<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Micros, true))
}

fn media(media_url: &str, path: Option<&str>) -> Option<String> {
    path.map(|p| format!("{media_url}{p}"))
}

#[derive(Debug, Serialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub bio: String,
    pub avatar_url: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    pub followers_count: i64,
    pub following_count: i64,
    pub tweets_count: i64,
    pub followed_by_me: Option<bool>,
}

impl UserView {
    pub fn new(u: UserWithRelation, media_url: &str) -> Self {
        let UserWithRelation {
            user,
            followed_by_me,
        } = u;
        Self {
            avatar_url: media(media_url, user.avatar_path.as_deref()),
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            bio: user.bio,
            created_at: user.created_at,
            followers_count: user.followers_count,
            following_count: user.following_count,
            tweets_count: user.tweets_count,
            followed_by_me,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AuthorView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
}

impl AuthorView {
    fn new(a: AuthorRow, media_url: &str) -> Self {
        Self {
            avatar_url: media(media_url, a.avatar_path.as_deref()),
            id: a.id,
            username: a.username,
            display_name: a.display_name,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TweetView {
    pub id: i64,
    pub text: String,
    pub image_url: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    pub author: AuthorView,
    pub reply_to_id: Option<i64>,
    pub like_count: i64,
    pub reply_count: i64,
    pub liked_by_me: bool,
}

impl TweetView {
    pub fn new(t: TweetWithAuthor, media_url: &str) -> Self {
        let TweetWithAuthor {
            tweet,
            author,
            liked_by_me,
        } = t;
        Self {
            image_url: media(media_url, tweet.image_path.as_deref()),
            id: tweet.id,
            text: tweet.text,
            created_at: tweet.created_at,
            author: AuthorView::new(author, media_url),
            reply_to_id: tweet.reply_to_id,
            like_count: tweet.like_count,
            reply_count: tweet.reply_count,
            liked_by_me,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SessionView {
    pub user: UserView,
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
}

#[derive(Debug, Serialize)]
pub struct PageView<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// A page as JSON, with `Link: <…?cursor=…&limit=N>; rel="next"` when there is more.
pub fn page_response<T: Serialize>(
    req: &HttpRequest,
    items: Vec<T>,
    next_after: Option<i64>,
    kind: CursorKind,
    limit: PageLimit,
) -> HttpResponse {
    let next_cursor = next_after.map(|after| Cursor::new(kind, after).encode());
    let mut res = HttpResponse::Ok();
    if let Some(cursor) = &next_cursor {
        let link = format!(
            "<{}?cursor={cursor}&limit={}>; rel=\"next\"",
            req.path(),
            limit.get()
        );
        res.insert_header((header::LINK, link));
    }
    res.json(PageView { items, next_cursor })
}
