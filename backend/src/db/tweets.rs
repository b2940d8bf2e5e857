//! Queries on tweets, likes and idempotency keys.

use std::collections::HashSet;

use diesel::{
    prelude::*,
    sql_types::{BigInt, Text},
};

use super::models::{AuthorRow, NewTweet, Page, TweetRow, TweetWithAuthor};
use super::{Error, Result};
use crate::{
    domain::{Idempotency, TweetId, UserId},
    schema::{idempotency_keys, likes, tweet_tags, tweets, users},
};

/// Which tweets a timeline shows; all of them are newest first.
#[derive(Debug, Clone)]
pub enum Timeline {
    /// Every tweet (served by the primary key).
    Public,
    /// The user's own tweets and those of everyone they follow.
    Home(UserId),
    /// One user's tweets (served by `tweets_author_id_id_idx`).
    Author(UserId),
    /// Tweets with a hashtag (lower-cased, without `#`): the page's ids come
    /// from the `tweet_tags` primary key, read backwards.
    Tag(String),
}

/// One page of a timeline: a single query for tweets and authors, and one
/// more for `liked_by_me` when a reader is signed in.
pub fn timeline(
    conn: &mut PgConnection,
    which: Timeline,
    viewer: Option<UserId>,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<TweetWithAuthor>> {
    // Static query shapes, not boxed ones: diesel keeps their prepared
    // statements per connection, so a page is not planned on every request.
    let before = after.unwrap_or(i64::MAX);
    let newest = || {
        tweets::table
            .inner_join(users::table)
            .select((TweetRow::as_select(), AuthorRow::as_select()))
            .filter(tweets::id.lt(before))
            .order(tweets::id.desc())
            .limit(limit + 1)
    };
    let rows: Vec<(TweetRow, AuthorRow)> = match which {
        // The reader's copies (`home_timeline`, fanned out on write by
        // `db::fanout`) merged with what is not copied (yet): queued tweets,
        // follows not backfilled, accounts read at read time, and the
        // reader's own tweets. Each part is a short backward index scan cut
        // to the page size, so the cost does not grow with the number of
        // accounts followed; copies of an account no longer followed are
        // skipped (an unfollow shows at once). The merge is the SQL function
        // `home_timeline_ids`, whose plan is kept per connection.
        Timeline::Home(me) => {
            // `= ANY(array)`: `eq_any` takes no array-valued expression, and
            // this keeps the plan a primary-key lookup of the listed ids.
            #[allow(deprecated)]
            let ids = diesel::dsl::any(home_timeline_ids(me, before, limit + 1));
            newest().filter(tweets::id.eq(ids)).load(conn)?
        }
        Timeline::Public => newest().load(conn)?,
        Timeline::Author(author) => newest().filter(tweets::author_id.eq(author)).load(conn)?,
        Timeline::Tag(tag) => {
            let ids = tweet_tags::table
                .filter(tweet_tags::tag.eq(tag))
                .filter(tweet_tags::tweet_id.lt(before))
                .order(tweet_tags::tweet_id.desc())
                .limit(limit + 1)
                .select(tweet_tags::tweet_id);
            newest().filter(tweets::id.eq_any(ids)).load(conn)?
        }
    };
    let page = Page::from_rows(rows, limit, |(t, _)| t.id.get());
    Ok(Page {
        items: personalise(conn, viewer, page.items)?,
        next_after: page.next_after,
    })
}

diesel::define_sql_function! {
    /// One page of a home timeline's tweet ids, newest first (see the
    /// migration `home_timeline`).
    fn home_timeline_ids(reader: BigInt, before: BigInt, n: BigInt) -> Array<BigInt>;
}

/// Replies to `parent`, oldest first; a 404 when the parent does not exist.
pub fn replies(
    conn: &mut PgConnection,
    parent: TweetId,
    viewer: Option<UserId>,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<TweetWithAuthor>> {
    exists_or_404(conn, parent)?;
    let mut q = tweets::table
        .inner_join(users::table)
        .select((TweetRow::as_select(), AuthorRow::as_select()))
        .filter(tweets::reply_to_id.eq(parent))
        .order(tweets::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(tweets::id.gt(after));
    }
    let rows = q.load::<(TweetRow, AuthorRow)>(conn)?;
    let page = Page::from_rows(rows, limit, |(t, _)| t.id.get());
    Ok(Page {
        items: personalise(conn, viewer, page.items)?,
        next_after: page.next_after,
    })
}

fn no_such_tweet(id: TweetId) -> Error {
    Error::NotFound(format!("no tweet with id {id}"))
}

fn exists_or_404(conn: &mut PgConnection, id: TweetId) -> Result<()> {
    let found: Option<TweetId> = tweets::table
        .find(id)
        .select(tweets::id)
        .first(conn)
        .optional()?;
    found.map(|_| ()).ok_or_else(|| no_such_tweet(id))
}

pub fn get(
    conn: &mut PgConnection,
    id: TweetId,
    viewer: Option<UserId>,
) -> Result<TweetWithAuthor> {
    let row = tweets::table
        .inner_join(users::table)
        .filter(tweets::id.eq(id))
        .select((TweetRow::as_select(), AuthorRow::as_select()))
        .first::<(TweetRow, AuthorRow)>(conn)
        .optional()?
        .ok_or_else(|| no_such_tweet(id))?;
    personalise(conn, viewer, vec![row])?
        .pop()
        .ok_or_else(|| no_such_tweet(id))
}

/// Which of `ids` the viewer likes: one primary-key lookup for a whole page.
fn liked_by(conn: &mut PgConnection, viewer: UserId, ids: &[TweetId]) -> Result<HashSet<TweetId>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(likes::table
        .filter(likes::user_id.eq(viewer))
        .filter(likes::tweet_id.eq_any(ids))
        .select(likes::tweet_id)
        .load::<TweetId>(conn)?
        .into_iter()
        .collect())
}

fn personalise(
    conn: &mut PgConnection,
    viewer: Option<UserId>,
    rows: Vec<(TweetRow, AuthorRow)>,
) -> Result<Vec<TweetWithAuthor>> {
    let liked = match viewer {
        Some(v) => liked_by(conn, v, &rows.iter().map(|(t, _)| t.id).collect::<Vec<_>>())?,
        None => HashSet::new(),
    };
    Ok(rows
        .into_iter()
        .map(|(tweet, author)| TweetWithAuthor {
            liked_by_me: liked.contains(&tweet.id),
            tweet,
            author,
        })
        .collect())
}

/// Whether `create` made a new tweet or replayed an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    New,
    Replayed,
}

enum TxError {
    Db(Error),
    /// Another request claimed the same idempotency key first.
    KeyTaken,
}

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        TxError::Db(e.into())
    }
}

#[derive(QueryableByName)]
struct ClaimedKey {
    #[diesel(sql_type = BigInt)]
    #[allow(dead_code)]
    tweet_id: i64,
}

/// Stores a tweet. With an idempotency key, a retry of the same request
/// within 24 hours returns the first tweet instead; concurrent retries are
/// serialised by the key's primary key, so exactly one tweet is made. (The
/// handler looks for a replay with [`replay`] first, before it counts the
/// request against the post limit or stores an image.)
pub fn create(
    conn: &mut PgConnection,
    new: &NewTweet<'_>,
    idempotency: Option<&Idempotency>,
) -> Result<(TweetWithAuthor, Created)> {
    // The answer is read inside the same transaction as the write: a failure
    // after the commit would otherwise answer 503 for a tweet that exists,
    // and a retry without a key would post it twice.
    let result = conn.transaction::<TweetWithAuthor, TxError, _>(|conn| {
        let id: TweetId = diesel::insert_into(tweets::table)
            .values(new)
            .returning(tweets::id)
            .get_result(conn)?;
        if let Some(idem) = idempotency {
            let claimed: Option<ClaimedKey> = diesel::sql_query(
                "INSERT INTO idempotency_keys (user_id, key, request_hash, tweet_id) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id, key) DO UPDATE \
                   SET request_hash = EXCLUDED.request_hash, tweet_id = EXCLUDED.tweet_id, created_at = now() \
                   WHERE idempotency_keys.created_at < now() - interval '24 hours' \
                 RETURNING tweet_id",
            )
            .bind::<BigInt, _>(new.author_id)
            .bind::<Text, _>(&idem.key)
            .bind::<Text, _>(&idem.request_hash)
            .bind::<BigInt, _>(id)
            .get_result(conn)
            .optional()?;
            if claimed.is_none() {
                return Err(TxError::KeyTaken);
            }
        }
        get(conn, id, Some(new.author_id)).map_err(TxError::Db)
    });
    match result {
        Ok(tweet) => Ok((tweet, Created::New)),
        Err(TxError::Db(e)) => Err(e),
        Err(TxError::KeyTaken) => {
            let idem = idempotency.ok_or_else(|| Error::other("key taken without a key"))?;
            let replayed = replay(conn, new.author_id, idem)?
                .ok_or_else(|| Error::other("idempotency key vanished during a retry"))?;
            Ok((replayed, Created::Replayed))
        }
    }
}

/// The tweet an unexpired key already made, if any; a 422 when the key was
/// used for a different request.
pub fn replay(
    conn: &mut PgConnection,
    author: UserId,
    idem: &Idempotency,
) -> Result<Option<TweetWithAuthor>> {
    let found: Option<(String, TweetId)> = idempotency_keys::table
        .filter(idempotency_keys::user_id.eq(author))
        .filter(idempotency_keys::key.eq(&idem.key))
        .filter(idempotency_keys::created_at.gt(chrono::Utc::now() - chrono::Duration::hours(24)))
        .select((idempotency_keys::request_hash, idempotency_keys::tweet_id))
        .first(conn)
        .optional()?;
    match found {
        None => Ok(None),
        Some((hash, _)) if hash != idem.request_hash => Err(Error::InvalidField {
            field: "idempotency_key",
            message: "was already used for a different request",
        }),
        Some((_, tweet_id)) => Ok(Some(get(conn, tweet_id, Some(author))?)),
    }
}

/// Deletes the author's tweet and returns its stored image path, if any.
/// Likes and idempotency keys go with it; replies stay, detached.
pub fn delete(conn: &mut PgConnection, id: TweetId, user: UserId) -> Result<Option<String>> {
    conn.transaction(|conn| {
        let (author, image): (UserId, Option<String>) = tweets::table
            .find(id)
            .select((tweets::author_id, tweets::image_path))
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| no_such_tweet(id))?;
        if author != user {
            return Err(Error::NotAuthor("only the author can delete a tweet"));
        }
        diesel::delete(tweets::table.find(id)).execute(conn)?;
        // Its copies in the followers' home timelines (see the migration).
        diesel::sql_query(
            "DELETE FROM home_timeline h USING follows f \
             WHERE f.followee_id = $1 AND h.user_id = f.follower_id AND h.tweet_id = $2",
        )
        .bind::<BigInt, _>(author)
        .bind::<BigInt, _>(id)
        .execute(conn)?;
        Ok(image)
    })
}

/// Likes a tweet (idempotent) and returns it as the liker sees it.
pub fn like(conn: &mut PgConnection, user: UserId, id: TweetId) -> Result<TweetWithAuthor> {
    diesel::insert_into(likes::table)
        .values((likes::user_id.eq(user), likes::tweet_id.eq(id)))
        .on_conflict_do_nothing()
        .execute(conn)?;
    get(conn, id, Some(user))
}

/// Removes a like (idempotent) and returns the tweet as the user sees it.
pub fn unlike(conn: &mut PgConnection, user: UserId, id: TweetId) -> Result<TweetWithAuthor> {
    diesel::delete(likes::table.find((user, id))).execute(conn)?;
    get(conn, id, Some(user))
}
