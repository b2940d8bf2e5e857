//! Queries on tweets, likes, reposts and idempotency keys.

use std::collections::HashMap;

use diesel::{
    prelude::*,
    sql_types::{BigInt, Text},
};

use super::models::{AuthorRow, NewTweet, Page, TweetRow, TweetWithAuthor};
use super::viewer::{for_viewer, ForViewer, Liked, NotBlocked, Reposted, Visible};
use super::{Error, Result};
use crate::{
    domain::{Idempotency, TweetId, UserId},
    schema::{idempotency_keys, likes, tweet_tags, tweets, users},
};

/// Which tweets a timeline shows; all of them are newest first, and none by
/// an account the reader blocks, mutes or is blocked by (`db::viewer`;
/// a profile still shows a muted account's own tweets).
#[derive(Debug, Clone)]
pub enum Timeline {
    /// Every tweet, reposts aside (served by the primary key).
    Public,
    /// The user's own tweets and reposts and those of everyone they follow.
    Home(UserId),
    /// One user's tweets and reposts (served by `tweets_author_id_id_idx`).
    Author(UserId),
    /// Tweets with a hashtag (lower-cased, without `#`): the page's ids come
    /// from the `tweet_tags` primary key, read backwards.
    Tag(String),
}

/// A row of a tweet query: the tweet, its author, and whether the reader
/// likes and has reposted it.
type Row = (TweetRow, AuthorRow, bool, bool);

type RowsFor = diesel::dsl::Select<
    diesel::dsl::InnerJoin<tweets::table, users::table>,
    (
        diesel::dsl::AsSelect<TweetRow, diesel::pg::Pg>,
        diesel::dsl::AsSelect<AuthorRow, diesel::pg::Pg>,
        ForViewer<Liked>,
        ForViewer<Reposted>,
    ),
>;

/// Tweets with their authors and the reader's like and repost: the start of
/// every tweet query ([`Row`]).
fn rows_for(viewer: Option<UserId>) -> RowsFor {
    tweets::table.inner_join(users::table).select((
        TweetRow::as_select(),
        AuthorRow::as_select(),
        for_viewer::<Liked>(viewer),
        for_viewer::<Reposted>(viewer),
    ))
}

/// One page of a timeline: one query for the tweets, their authors and the
/// reader's likes and reposts, and one more for the originals when the page
/// holds reposts.
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
        rows_for(viewer)
            .filter(tweets::id.lt(before))
            .order(tweets::id.desc())
            .limit(limit + 1)
    };
    let visible = for_viewer::<Visible>(viewer);
    let rows: Vec<Row> = match which {
        // The reader's copies (`home_timeline`, fanned out on write by
        // `db::fanout`) merged with what is not copied (yet): queued tweets,
        // follows not backfilled, accounts read at read time, and the
        // reader's own tweets. Each part is a short backward index scan cut
        // to the page size, so the cost does not grow with the number of
        // accounts followed; copies of an account no longer followed are
        // skipped (an unfollow shows at once), and so are repeated reposts.
        // The merge is the SQL function `home_timeline_ids`, whose plan is
        // kept per connection.
        Timeline::Home(me) => home_rows(conn, me, None, before, limit)?,
        Timeline::Public => newest()
            .filter(tweets::repost_of_id.is_null())
            .filter(visible)
            .load(conn)?,
        // A profile shows a muted account's tweets (a mute quiets
        // timelines); a block hides them.
        Timeline::Author(author) => newest()
            .filter(tweets::author_id.eq(author))
            .filter(for_viewer::<NotBlocked>(viewer))
            .load(conn)?,
        Timeline::Tag(tag) => {
            let ids = tweet_tags::table
                .filter(tweet_tags::tag.eq(tag))
                .filter(tweet_tags::tweet_id.lt(before))
                .order(tweet_tags::tweet_id.desc())
                .limit(limit + 1)
                .select(tweet_tags::tweet_id);
            newest()
                .filter(tweets::id.eq_any(ids))
                .filter(visible)
                .load(conn)?
        }
    };
    // A page's position is the row's own id, a repost's included.
    let page = Page::from_rows(rows, limit, |(t, ..)| t.id.get());
    Ok(Page {
        items: with_originals(conn, viewer, page.items)?,
        next_after: page.next_after,
    })
}

/// The rows of a home timeline page (`limit + 1` of them at most), and
/// none unless the session `session` is open, when given.
///
/// The reader's copies (`home_timeline`, fanned out on write by
/// `db::fanout`) merged with what is not copied (yet): queued tweets,
/// follows not backfilled, accounts read at read time, and the reader's own
/// tweets. Each part is a short backward index scan cut to the page size,
/// so the cost does not grow with the number of accounts followed; copies
/// of an account no longer followed are skipped (an unfollow shows at
/// once), and so are repeated reposts. The merge is the SQL function
/// `home_timeline_ids`, whose plan is kept per connection. It also decides
/// what the reader may see (the authors are accounts they follow and do not
/// mute, a block ends the follows, and it looks at a repost's original), so
/// the page needs no per-row [`Visible`] check of its own.
fn home_rows(
    conn: &mut PgConnection,
    me: UserId,
    session: Option<i64>,
    before: i64,
    limit: i64,
) -> Result<Vec<Row>> {
    // `= ANY(array)`: `eq_any` takes no array-valued expression, and this
    // keeps the plan a primary-key lookup of the listed ids.
    #[allow(deprecated)]
    let ids = diesel::dsl::any(home_timeline_ids(me, before, limit + 1));
    let page = rows_for(Some(me))
        .filter(tweets::id.eq(ids))
        .order(tweets::id.desc())
        .limit(limit + 1);
    Ok(match session {
        // Two static shapes, each prepared once per connection.
        Some(session) => page
            .filter(super::sessions::still_open(session, me))
            .load(conn)?,
        None => page.load(conn)?,
    })
}

/// A page of `me`'s home timeline read with the session check in the same
/// statement (the busiest signed-in read pays one round trip, not two):
/// `None` when the session `session` is not open for `me`. An empty page
/// is told apart from a closed session by one more lookup.
pub fn home_page(
    conn: &mut PgConnection,
    me: UserId,
    session: i64,
    after: Option<i64>,
    limit: i64,
) -> Result<Option<Page<TweetWithAuthor>>> {
    let rows = home_rows(conn, me, Some(session), after.unwrap_or(i64::MAX), limit)?;
    if rows.is_empty() && !super::sessions::is_open(conn, session, me)? {
        return Ok(None);
    }
    let page = Page::from_rows(rows, limit, |(t, ..)| t.id.get());
    Ok(Some(Page {
        items: with_originals(conn, Some(me), page.items)?,
        next_after: page.next_after,
    }))
}

/// The home timeline's items above `after` (positions), oldest first: what a
/// live stream sends next; at most `limit`, the newest ones when more came.
pub fn home_since(
    conn: &mut PgConnection,
    me: UserId,
    after: i64,
    limit: i64,
) -> Result<Vec<TweetWithAuthor>> {
    let page = timeline(conn, Timeline::Home(me), Some(me), None, limit)?;
    let mut items: Vec<TweetWithAuthor> = page
        .items
        .into_iter()
        .filter(|t| t.position.get() > after)
        .collect();
    items.reverse();
    Ok(items)
}

/// The newest row of `tweets`: every later tweet or repost is above it.
pub fn newest_position(conn: &mut PgConnection) -> Result<i64> {
    let newest: Option<TweetId> = tweets::table
        .select(diesel::dsl::max(tweets::id))
        .first(conn)?;
    Ok(newest.map_or(0, TweetId::get))
}

diesel::define_sql_function! {
    /// One page of a home timeline's tweet ids, newest first (see the
    /// migrations `home_timeline` and `social`).
    fn home_timeline_ids(reader: BigInt, before: BigInt, n: BigInt) -> Array<BigInt>;
}

/// Replies to `parent`, oldest first; a 404 when the parent does not exist
/// or a block stands between it and the reader.
pub fn replies(
    conn: &mut PgConnection,
    parent: TweetId,
    viewer: Option<UserId>,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<TweetWithAuthor>> {
    visible_or_404(conn, parent, viewer)?;
    let rows: Vec<Row> = rows_for(viewer)
        .filter(tweets::reply_to_id.eq(parent))
        .filter(tweets::id.gt(after.unwrap_or(0)))
        .filter(for_viewer::<Visible>(viewer))
        .order(tweets::id.asc())
        .limit(limit + 1)
        .load(conn)?;
    let page = Page::from_rows(rows, limit, |(t, ..)| t.id.get());
    Ok(Page {
        items: with_originals(conn, viewer, page.items)?,
        next_after: page.next_after,
    })
}

/// Most ancestors a thread shows above a tweet.
pub const MAX_ANCESTORS: i64 = 50;

#[derive(QueryableByName)]
struct AncestorId {
    #[diesel(sql_type = BigInt)]
    id: TweetId,
}

/// The tweets `id` answers, up its reply chain to the root (or the nearest
/// [`MAX_ANCESTORS`]), root first; those the reader may not see are left
/// out. A 404 when the tweet itself is hidden or does not exist.
pub fn ancestors(
    conn: &mut PgConnection,
    id: TweetId,
    viewer: Option<UserId>,
) -> Result<Vec<TweetWithAuthor>> {
    visible_or_404(conn, id, viewer)?;
    let chain: Vec<AncestorId> = diesel::sql_query(
        "WITH RECURSIVE up (id, parent, depth) AS ( \
             SELECT t.id, t.reply_to_id, 0 FROM tweets t WHERE t.id = $1 \
             UNION ALL \
             SELECT p.id, p.reply_to_id, up.depth + 1 FROM up JOIN tweets p ON p.id = up.parent \
             WHERE up.depth < $2) \
         SELECT id FROM up WHERE depth > 0",
    )
    .bind::<BigInt, _>(id)
    .bind::<BigInt, _>(MAX_ANCESTORS)
    .load(conn)?;
    let ids: Vec<TweetId> = chain.into_iter().map(|a| a.id).collect();
    let rows: Vec<Row> = rows_for(viewer)
        .filter(tweets::id.eq_any(&ids))
        .filter(for_viewer::<Visible>(viewer))
        .order(tweets::id.asc())
        .load(conn)?;
    Ok(rows.into_iter().map(|row| item(row, None)).collect())
}

fn no_such_tweet(id: TweetId) -> Error {
    Error::NotFound(format!("no tweet with id {id}"))
}

/// A tweet as the reader sees it when they open it by its id: a repost is
/// not a tweet of its own, and a block either way hides it (a 404, as if it
/// did not exist).
pub fn get(
    conn: &mut PgConnection,
    id: TweetId,
    viewer: Option<UserId>,
) -> Result<TweetWithAuthor> {
    let row: Row = rows_for(viewer)
        .filter(tweets::id.eq(id))
        .filter(tweets::repost_of_id.is_null())
        .filter(for_viewer::<NotBlocked>(viewer))
        .first(conn)
        .optional()?
        .ok_or_else(|| no_such_tweet(id))?;
    Ok(item(row, None))
}

/// The author of the tweet `id` if the reader may open it (see [`get`]).
fn visible_or_404(conn: &mut PgConnection, id: TweetId, viewer: Option<UserId>) -> Result<UserId> {
    tweets::table
        .filter(tweets::id.eq(id))
        .filter(tweets::repost_of_id.is_null())
        .filter(for_viewer::<NotBlocked>(viewer))
        .select(tweets::author_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| no_such_tweet(id))
}

fn item(
    (tweet, author, liked_by_me, reposted_by_me): Row,
    reposted_by: Option<AuthorRow>,
) -> TweetWithAuthor {
    TweetWithAuthor {
        position: tweet.id,
        tweet,
        author,
        liked_by_me,
        reposted_by_me,
        reposted_by,
    }
}

/// The rows as the reader sees them: a repost becomes its original (with
/// the reader's like and repost of the original), named `reposted_by` its
/// author. The originals of a page's reposts come in one query; a page
/// without reposts costs none.
fn with_originals(
    conn: &mut PgConnection,
    viewer: Option<UserId>,
    rows: Vec<Row>,
) -> Result<Vec<TweetWithAuthor>> {
    let wanted: Vec<TweetId> = rows.iter().filter_map(|(t, ..)| t.repost_of_id).collect();
    if wanted.is_empty() {
        return Ok(rows.into_iter().map(|row| item(row, None)).collect());
    }
    let originals = by_ids(conn, viewer, &wanted)?;
    Ok(rows
        .into_iter()
        .filter_map(|row| match row.0.repost_of_id {
            None => Some(item(row, None)),
            Some(original) => originals.get(&original).cloned().map(|mut o| {
                o.position = row.0.id;
                o.reposted_by = Some(row.1);
                o
            }),
        })
        .collect())
}

/// The tweets `ids` (reposts aside) the reader may open, by id, in one query.
pub fn by_ids(
    conn: &mut PgConnection,
    viewer: Option<UserId>,
    ids: &[TweetId],
) -> Result<HashMap<TweetId, TweetWithAuthor>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(rows_for(viewer)
        .filter(tweets::id.eq_any(ids))
        .filter(tweets::repost_of_id.is_null())
        .filter(for_viewer::<NotBlocked>(viewer))
        .load::<Row>(conn)?
        .into_iter()
        .map(|row| (row.0.id, item(row, None)))
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
        if let Some(parent) = new.reply_to_id {
            may_reply(conn, parent, new.author_id).map_err(TxError::Db)?;
        }
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

/// A reply to `parent` needs a tweet (not a repost) with no block between
/// its author and the replier.
fn may_reply(conn: &mut PgConnection, parent: TweetId, replier: UserId) -> Result<()> {
    let author: Option<UserId> = tweets::table
        .filter(tweets::id.eq(parent))
        .filter(tweets::repost_of_id.is_null())
        .select(tweets::author_id)
        .first(conn)
        .optional()?;
    let author = author.ok_or(Error::InvalidField {
        field: "reply_to_id",
        message: "refers to a tweet that does not exist",
    })?;
    if super::blocks::between(conn, author, replier)? {
        return Err(Error::Blocked(
            "you cannot reply to an account that blocks you or that you block",
        ));
    }
    Ok(())
}

/// Removes the copies of tweets `ids` by `author` from the home timelines
/// of the author's followers (the copies have no foreign key: see the
/// migration `home_timeline`).
fn remove_copies(conn: &mut PgConnection, author: UserId, ids: &[TweetId]) -> Result<()> {
    diesel::sql_query(
        "DELETE FROM home_timeline h USING follows f \
         WHERE f.followee_id = $1 AND h.user_id = f.follower_id AND h.tweet_id = ANY($2)",
    )
    .bind::<BigInt, _>(author)
    .bind::<diesel::sql_types::Array<BigInt>, _>(ids.iter().map(|id| id.get()).collect::<Vec<_>>())
    .execute(conn)?;
    Ok(())
}

/// Deletes the author's tweet and returns its stored image path, if any.
/// Its likes, reposts and idempotency keys go with it; replies stay, detached.
pub fn delete(conn: &mut PgConnection, id: TweetId, user: UserId) -> Result<Option<String>> {
    conn.transaction(|conn| {
        let (author, image): (UserId, Option<String>) = tweets::table
            .filter(tweets::id.eq(id))
            .filter(tweets::repost_of_id.is_null())
            .select((tweets::author_id, tweets::image_path))
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| no_such_tweet(id))?;
        if author != user {
            return Err(Error::NotAuthor("only the author can delete a tweet"));
        }
        // The copies of its reposts, then the reposts (by cascade) and it.
        let reposts: Vec<(TweetId, UserId)> = tweets::table
            .filter(tweets::repost_of_id.eq(id))
            .select((tweets::id, tweets::author_id))
            .load(conn)?;
        for (repost, reposter) in reposts {
            remove_copies(conn, reposter, &[repost])?;
        }
        diesel::delete(tweets::table.find(id)).execute(conn)?;
        remove_copies(conn, author, &[id])?;
        Ok(image)
    })
}

/// Likes a tweet (idempotent) and returns it as the liker sees it.
pub fn like(conn: &mut PgConnection, user: UserId, id: TweetId) -> Result<TweetWithAuthor> {
    visible_or_404(conn, id, Some(user))?;
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

/// Reposts a tweet (idempotent: one repost per account and tweet) and
/// returns it as the reposter sees it. The repost is a row of its own that
/// the fan-out copies to the reposter's followers like a tweet.
pub fn repost(conn: &mut PgConnection, user: UserId, id: TweetId) -> Result<TweetWithAuthor> {
    let author = visible_or_404(conn, id, Some(user))?;
    if author == user {
        return Err(Error::InvalidField {
            field: "id",
            message: "is your own tweet: reposting your own tweets is not supported",
        });
    }
    diesel::sql_query(
        "INSERT INTO tweets (author_id, text, repost_of_id, repost_of_author_id) VALUES ($1, '', $2, $3) \
         ON CONFLICT (repost_of_id, author_id) WHERE repost_of_id IS NOT NULL DO NOTHING",
    )
    .bind::<BigInt, _>(user)
    .bind::<BigInt, _>(id)
    .bind::<BigInt, _>(author)
    .execute(conn)?;
    get(conn, id, Some(user))
}

/// Undoes a repost (idempotent) and returns the tweet as the user sees it.
pub fn unrepost(conn: &mut PgConnection, user: UserId, id: TweetId) -> Result<TweetWithAuthor> {
    conn.transaction(|conn| {
        let gone: Vec<TweetId> = diesel::delete(
            tweets::table
                .filter(tweets::repost_of_id.eq(id))
                .filter(tweets::author_id.eq(user)),
        )
        .returning(tweets::id)
        .get_results(conn)?;
        if !gone.is_empty() {
            remove_copies(conn, user, &gone)?;
        }
        get(conn, id, Some(user))
    })
}
