//! Rows as diesel reads and writes them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::{
    domain::{TweetId, UserId},
    schema::{tweets, users},
};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Identifiable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub bio: String,
    pub avatar_path: Option<String>,
    pub followers_count: i64,
    pub following_count: i64,
    pub tweets_count: i64,
    pub created_at: DateTime<Utc>,
    pub is_admin: bool,
}

/// The part of a user embedded in every tweet.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct AuthorRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub avatar_path: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = tweets, check_for_backend(diesel::pg::Pg))]
pub struct TweetRow {
    pub id: TweetId,
    pub author_id: UserId,
    pub text: String,
    pub image_path: Option<String>,
    pub reply_to_id: Option<TweetId>,
    pub like_count: i64,
    pub reply_count: i64,
    pub created_at: DateTime<Utc>,
    pub image_alt: Option<String>,
    pub repost_of_id: Option<TweetId>,
    pub repost_count: i64,
    /// Usernames of the accounts mentioned, in order (never NULL elements).
    pub mentions: Vec<Option<String>>,
    pub reply_to_username: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = tweets)]
pub struct NewTweet<'a> {
    pub author_id: UserId,
    pub text: &'a str,
    pub image_path: Option<&'a str>,
    pub image_alt: Option<&'a str>,
    pub reply_to_id: Option<TweetId>,
}

/// A tweet with its author and, for a signed-in reader, whether they like
/// and have reposted it; in a list, `reposted_by` names the account whose
/// repost put it there.
#[derive(Debug, Clone)]
pub struct TweetWithAuthor {
    /// The row's place in its list: the tweet's id, or the repost's own.
    pub position: TweetId,
    pub tweet: TweetRow,
    pub author: AuthorRow,
    pub liked_by_me: bool,
    pub reposted_by_me: bool,
    pub reposted_by: Option<AuthorRow>,
}

/// A user and, for a signed-in reader, whether they follow, block and mute
/// that user.
#[derive(Debug, Clone)]
pub struct UserWithRelation {
    pub user: UserRow,
    pub followed_by_me: Option<bool>,
    pub blocked_by_me: Option<bool>,
    pub muted_by_me: Option<bool>,
}

/// One page of a keyset-paginated list: the items and, when there are more,
/// the sort key of the last one.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<i64>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only tells
    /// that there is a next page.
    pub fn from_rows(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> i64) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_after = if more { rows.last().map(key) } else { None };
        Page {
            items: rows,
            next_after,
        }
    }
}
