//! The JSON shapes of the API (`docs/api.md`, "Objects").

use actix_web::{http::header, HttpRequest, HttpResponse};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use crate::{
    db::models::{AuthorRow, TweetWithAuthor, UserWithRelation},
    domain::{Cursor, CursorKind, PageLimit, TweetId, UserId},
};

pub fn rfc3339<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// [`rfc3339`] for an optional time (null when absent).
pub fn rfc3339_opt<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => rfc3339(t, s),
        None => s.serialize_none(),
    }
}

fn media(media_url: &str, path: Option<&str>) -> Option<String> {
    path.map(|p| format!("{media_url}{p}"))
}

/// A public profile.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = User, example = json!({"id": 1, "username": "alice", "display_name": "Alice", "bio": "Hello!",
    "avatar_url": null, "created_at": "2026-11-25T18:00:00.000000Z", "followers_count": 2,
    "following_count": 1, "tweets_count": 10, "followed_by_me": null, "blocked_by_me": null,
    "muted_by_me": null}))]
pub struct UserView {
    #[schema(minimum = 1, value_type = i64)]
    pub id: UserId,
    #[schema(min_length = 3, max_length = 30, pattern = "^[A-Za-z0-9_]{3,30}$")]
    pub username: String,
    #[schema(max_length = 50)]
    pub display_name: String,
    #[schema(max_length = 160)]
    pub bio: String,
    /// `MEDIA_URL` + the stored image name; null without an avatar.
    #[schema(required = true)]
    pub avatar_url: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    #[schema(minimum = 0)]
    pub followers_count: i64,
    #[schema(minimum = 0)]
    pub following_count: i64,
    #[schema(minimum = 0)]
    pub tweets_count: i64,
    /// Whether the signed-in reader follows this user; null when anonymous.
    #[schema(required = true)]
    pub followed_by_me: Option<bool>,
    /// Whether the signed-in reader blocks this user; null when anonymous.
    #[schema(required = true)]
    pub blocked_by_me: Option<bool>,
    /// Whether the signed-in reader mutes this user; null when anonymous.
    #[schema(required = true)]
    pub muted_by_me: Option<bool>,
    /// Only in the signed-in account's own view (`/me`, sessions): whether
    /// it is an administrator (the web app then shows moderation controls).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_admin: Option<bool>,
}

impl UserView {
    pub fn new(u: UserWithRelation, media_url: &str) -> Self {
        let UserWithRelation {
            user,
            followed_by_me,
            blocked_by_me,
            muted_by_me,
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
            blocked_by_me,
            muted_by_me,
            is_admin: None,
        }
    }

    /// The signed-in account as it sees itself (`/me`, sessions): it does
    /// not follow itself.
    pub fn me(user: crate::db::models::UserRow, media_url: &str) -> Self {
        let is_admin = Some(user.is_admin);
        let view = Self::new(
            UserWithRelation {
                user,
                followed_by_me: Some(false),
                blocked_by_me: Some(false),
                muted_by_me: Some(false),
            },
            media_url,
        );
        Self { is_admin, ..view }
    }
}

/// The author of a tweet.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Author)]
pub struct AuthorView {
    #[schema(minimum = 1, value_type = i64)]
    pub id: UserId,
    #[schema(min_length = 3, max_length = 30, pattern = "^[A-Za-z0-9_]{3,30}$")]
    pub username: String,
    #[schema(max_length = 50)]
    pub display_name: String,
    #[schema(required = true)]
    pub avatar_url: Option<String>,
}

impl AuthorView {
    pub fn new(a: AuthorRow, media_url: &str) -> Self {
        Self {
            avatar_url: media(media_url, a.avatar_path.as_deref()),
            id: a.id,
            username: a.username,
            display_name: a.display_name,
        }
    }
}

/// A tweet, as a reader sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Tweet, example = json!({"id": 42, "text": "Hello, world! #first @bob", "image_url": null,
    "image_alt": null, "created_at": "2026-11-25T18:00:00.000000Z",
    "author": {"id": 1, "username": "alice", "display_name": "Alice", "avatar_url": null},
    "reply_to_id": null, "reply_to_username": null, "mentions": ["bob"], "like_count": 3, "reply_count": 1, "repost_count": 0,
    "liked_by_me": false, "reposted_by_me": false, "reposted_by": null}))]
pub struct TweetView {
    #[schema(minimum = 1, value_type = i64)]
    pub id: TweetId,
    /// 1–280 Unicode scalar values, returned verbatim (not HTML-escaped).
    #[schema(min_length = 1, max_length = 280)]
    pub text: String,
    /// `MEDIA_URL` + the stored image name; null without an image.
    #[schema(required = true)]
    pub image_url: Option<String>,
    /// The image described for readers who cannot see it; null without.
    #[schema(required = true, max_length = 1500)]
    pub image_alt: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    pub author: AuthorView,
    /// The tweet this replies to; null for a top-level tweet or when the parent was deleted.
    #[schema(minimum = 1, required = true, value_type = Option<i64>)]
    pub reply_to_id: Option<TweetId>,
    /// Whom a reply answers: the parent's author, kept when the parent is
    /// deleted; null for a top-level tweet.
    #[schema(required = true)]
    pub reply_to_username: Option<String>,
    /// The accounts the text @mentions, as their usernames are spelled, in
    /// the order they first appear (a mention of no account is not listed).
    pub mentions: Vec<String>,
    #[schema(minimum = 0)]
    pub like_count: i64,
    #[schema(minimum = 0)]
    pub reply_count: i64,
    #[schema(minimum = 0)]
    pub repost_count: i64,
    /// Whether the signed-in reader likes it; false when anonymous.
    pub liked_by_me: bool,
    /// Whether the signed-in reader has reposted it; false when anonymous.
    pub reposted_by_me: bool,
    /// In a timeline, the account whose repost put the tweet there; null
    /// for the tweet itself (and always outside lists).
    #[schema(required = true)]
    pub reposted_by: Option<AuthorView>,
}

impl TweetView {
    pub fn new(t: TweetWithAuthor, media_url: &str) -> Self {
        let TweetWithAuthor {
            position: _,
            tweet,
            author,
            liked_by_me,
            reposted_by_me,
            reposted_by,
        } = t;
        Self {
            image_url: media(media_url, tweet.image_path.as_deref()),
            image_alt: tweet.image_alt,
            id: tweet.id,
            text: tweet.text,
            created_at: tweet.created_at,
            author: AuthorView::new(author, media_url),
            reply_to_id: tweet.reply_to_id,
            reply_to_username: tweet.reply_to_username,
            mentions: tweet.mentions.into_iter().flatten().collect(),
            like_count: tweet.like_count,
            reply_count: tweet.reply_count,
            repost_count: tweet.repost_count,
            liked_by_me,
            reposted_by_me,
            reposted_by: reposted_by.map(|a| AuthorView::new(a, media_url)),
        }
    }
}

/// What a notification group is about.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[allow(dead_code)] // describes `NotificationView::kind`
#[serde(rename_all = "lowercase")]
pub enum NotificationKind {
    /// `actors` liked `tweet` (mine).
    Like,
    /// `tweet` is a reply to mine, by `actors[0]`.
    Reply,
    /// `actors` reposted `tweet` (mine).
    Repost,
    /// `actors` followed me (on the day of `created_at`).
    Follow,
    /// `tweet`, by `actors[0]`, mentions me.
    Mention,
}

/// A group of notifications, as its recipient reads it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Notification, example = json!({"id": 812, "kind": "like", "count": 4,
    "actors": [{"id": 2, "username": "ana", "display_name": "Ana", "avatar_url": null}],
    "tweet": null, "created_at": "2026-11-25T18:00:00.000000Z", "unread": true}))]
pub struct NotificationView {
    /// The group's newest event: what `POST /notifications/read?up_to_id=` takes.
    #[schema(minimum = 1)]
    pub id: i64,
    /// As stored (the table's CHECK allows exactly these kinds); a client
    /// shows kinds it does not know as a plain count (new kinds may come).
    #[schema(value_type = NotificationKind)]
    pub kind: String,
    /// How many accounts (events) the group holds.
    #[schema(minimum = 1)]
    pub count: i64,
    /// The newest actors, newest first, at most 3.
    pub actors: Vec<AuthorView>,
    /// The tweet liked, reposted, replying or mentioning; null for follows
    /// (and for a tweet that has become hidden from me).
    #[schema(required = true)]
    pub tweet: Option<TweetView>,
    /// When the newest event happened.
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Whether the newest event is after my read marker.
    pub unread: bool,
}

impl NotificationView {
    pub fn new(g: crate::db::notifications::Group, media_url: &str) -> Self {
        Self {
            id: g.group.latest_id,
            kind: g.group.kind,
            count: g.group.count,
            actors: g
                .actors
                .into_iter()
                .map(|a| AuthorView::new(a, media_url))
                .collect(),
            tweet: g.tweet.map(|t| TweetView::new(t, media_url)),
            created_at: g.group.latest_at,
            unread: g.unread,
        }
    }
}

// PageView<NotificationView>, as TweetPage describes PageView<TweetView>.
/// One page of notification groups; follow `next_cursor` (or the `Link` header) for more.
#[derive(ToSchema)]
#[schema(as = PageView_Notification)]
#[allow(dead_code)] // describes PageView<NotificationView>, which is what is sent
pub struct NotificationPage {
    items: Vec<NotificationView>,
    /// Opaque (URL-safe base64); null on the last page.
    #[schema(required = true, pattern = "^[A-Za-z0-9_-]+$")]
    next_cursor: Option<String>,
}

/// The answer to registration and login.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Session)]
pub struct SessionView {
    pub user: UserView,
    /// A JWT (HS256) to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    #[schema(value_type = String, example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(minimum = 60)]
    pub expires_in: u64,
    /// Exchange it at `POST /api/v1/auth/refresh` for the next access token
    /// (and the next refresh token: each one works once). Absent when it was
    /// set as the `tweets_refresh` cookie instead (`"refresh_cookie": true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub refresh_token: Option<String>,
    /// Seconds the refresh token (and so the session, unless used) lives.
    pub refresh_expires_in: u64,
}

/// One page of a list; follow `next_cursor` (or the `Link` header) for more.
#[derive(Debug, Serialize)]
pub struct PageView<T> {
    pub items: Vec<T>,
    /// Opaque; null on the last page.
    pub next_cursor: Option<String>,
}

// How the OpenAPI document describes PageView<TweetView> (what is sent): a
// schema of its own, so its items reference `Tweet` instead of a copy.
/// One page of the audit log; follow `next_cursor` (or the `Link` header) for more.
#[derive(ToSchema)]
#[schema(as = PageView_AuditEntry)]
#[allow(dead_code)] // describes PageView<AuditView>, which is what is sent
pub struct AuditPage {
    items: Vec<crate::routes::admin::AuditView>,
    /// Opaque (URL-safe base64); null on the last page.
    #[schema(required = true, pattern = "^[A-Za-z0-9_-]+$")]
    next_cursor: Option<String>,
}

/// One page of tweets; follow `next_cursor` (or the `Link` header) for more.
#[derive(ToSchema)]
#[schema(as = PageView_Tweet)]
#[allow(dead_code)] // describes PageView<TweetView>, which is what is sent
pub struct TweetPage {
    items: Vec<TweetView>,
    /// Opaque (URL-safe base64); null on the last page.
    #[schema(required = true, pattern = "^[A-Za-z0-9_-]+$")]
    next_cursor: Option<String>,
}

// PageView<UserView>, as TweetPage describes PageView<TweetView>.
/// One page of users; follow `next_cursor` (or the `Link` header) for more.
#[derive(ToSchema)]
#[schema(as = PageView_User)]
#[allow(dead_code)] // describes PageView<UserView>, which is what is sent
pub struct UserPage {
    items: Vec<UserView>,
    /// Opaque (URL-safe base64); null on the last page.
    #[schema(required = true, pattern = "^[A-Za-z0-9_-]+$")]
    next_cursor: Option<String>,
}

/// A page of rows as a page of views: each row through `view`, then
/// [`page_response`]. Every list endpoint answers through this.
pub fn page_of<R, V: Serialize>(
    req: &HttpRequest,
    page: crate::db::models::Page<R>,
    kind: CursorKind,
    limit: PageLimit,
    view: impl FnMut(R) -> V,
) -> HttpResponse {
    let items = page.items.into_iter().map(view).collect();
    page_response(req, items, page.next_after, kind, limit)
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
