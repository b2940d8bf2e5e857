//! Search (tweets by full text, accounts and hashtags by prefix) and whom
//! to follow. Ranked lists page with a [`RankCursor`]: `(rank, id)`, both
//! fixed for a row and a query, so a walk never repeats or skips.

use diesel::{
    prelude::*,
    sql_types::{BigInt, Text},
};

use super::models::{TweetWithAuthor, UserRow, UserWithRelation};
use super::viewer::{ViewerSql, Visible};
use super::Result;
use crate::{
    domain::{RankCursor, TweetId, UserId},
    schema::users,
};

/// A ranked page: the items and, when there are more, where the next starts.
#[derive(Debug)]
pub struct RankedPage<T> {
    pub items: Vec<T>,
    pub next: Option<RankCursor>,
}

#[derive(QueryableByName)]
struct Ranked {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    rank: i64,
}

/// `raw` (limit + 1 rows) cut to a page, and the cursor after its last row.
fn cut(mut raw: Vec<Ranked>, limit: i64) -> (Vec<Ranked>, Option<RankCursor>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = raw.len() > limit;
    raw.truncate(limit);
    let next = more
        .then(|| {
            raw.last().map(|r| RankCursor {
                rank: r.rank,
                after: r.id,
            })
        })
        .flatten();
    (raw, next)
}

/// The first page starts above every rank and id.
fn start(after: Option<RankCursor>) -> (i64, i64) {
    after.map_or((i64::MAX, i64::MAX), |c| (c.rank, c.after))
}

/// `%` and `_` match themselves: a prefix for `LIKE … ESCAPE '\'`.
fn like_prefix(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Tweets (reposts aside) matching `query` (web-search syntax: words,
/// `"a phrase"`, `-not`, `or`), best match first (`ts_rank_cd`, kept to six
/// decimals as an integer), then newest; none the reader may not see.
pub fn tweets(
    conn: &mut PgConnection,
    viewer: Option<UserId>,
    query: &str,
    after: Option<RankCursor>,
    limit: i64,
) -> Result<RankedPage<TweetWithAuthor>> {
    let (rank, id) = start(after);
    // The reader's checks are the timelines' own (`db::viewer::Visible`),
    // with the reader bound once as $4.
    let sql = format!(
        "SELECT tweets.id, r.rank FROM tweets, websearch_to_tsquery('english', $1) AS q, \
         LATERAL (SELECT round(ts_rank_cd(to_tsvector('english', tweets.text), q) * 1000000)::bigint AS rank) r \
         WHERE tweets.repost_of_id IS NULL AND to_tsvector('english', tweets.text) @@ q \
           AND (r.rank, tweets.id) < ($2, $3) AND {} \
         ORDER BY r.rank DESC, tweets.id DESC LIMIT $5",
        Visible::PARTS.join("$4")
    );
    let raw: Vec<Ranked> = diesel::sql_query(sql)
        .bind::<Text, _>(query)
        .bind::<BigInt, _>(rank)
        .bind::<BigInt, _>(id)
        .bind::<BigInt, _>(viewer.map_or(0, UserId::get))
        .bind::<BigInt, _>(limit + 1)
        .load(conn)?;
    let (page, next) = cut(raw, limit);
    let ids: Vec<TweetId> = page.iter().filter_map(|r| TweetId::new(r.id)).collect();
    let mut found = super::tweets::by_ids(conn, viewer, &ids)?;
    Ok(RankedPage {
        items: ids.iter().filter_map(|id| found.remove(id)).collect(),
        next,
    })
}

/// Accounts whose username or display name starts with `prefix` (compared
/// lower-cased): the exact username first, then username prefixes, then
/// display names, newest account first within each; none with a block
/// either way between it and the reader.
pub fn accounts(
    conn: &mut PgConnection,
    viewer: Option<UserId>,
    prefix: &str,
    after: Option<RankCursor>,
    limit: i64,
) -> Result<RankedPage<UserWithRelation>> {
    let (rank, id) = start(after);
    let lower = prefix.to_lowercase();
    let raw: Vec<Ranked> = diesel::sql_query(
        "SELECT m.id, m.rank FROM ( \
             SELECT u.id, CASE WHEN lower(u.username) = $1 THEN 2::bigint \
                               WHEN lower(u.username) LIKE $2 ESCAPE '\\' THEN 1 ELSE 0 END AS rank \
             FROM users u \
             WHERE lower(u.username) LIKE $2 ESCAPE '\\' OR lower(u.display_name) LIKE $2 ESCAPE '\\') m \
         WHERE (m.rank, m.id) < ($3, $4) \
           AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = m.id AND b.blocked_id = $5) \
                                                    OR (b.blocker_id = $5 AND b.blocked_id = m.id)) \
         ORDER BY m.rank DESC, m.id DESC LIMIT $6",
    )
    .bind::<Text, _>(&lower)
    .bind::<Text, _>(like_prefix(&lower))
    .bind::<BigInt, _>(rank)
    .bind::<BigInt, _>(id)
    .bind::<BigInt, _>(viewer.map_or(0, UserId::get))
    .bind::<BigInt, _>(limit + 1)
    .load(conn)?;
    let (page, next) = cut(raw, limit);
    let ids: Vec<UserId> = page.iter().filter_map(|r| UserId::new(r.id)).collect();
    Ok(RankedPage {
        items: users_in_order(conn, viewer, &ids)?,
        next,
    })
}

/// `ids`' users in that order, with the reader's relations.
fn users_in_order(
    conn: &mut PgConnection,
    viewer: Option<UserId>,
    ids: &[UserId],
) -> Result<Vec<UserWithRelation>> {
    let mut rows: Vec<UserRow> = users::table
        .filter(users::id.eq_any(ids))
        .select(UserRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|u| ids.iter().position(|id| *id == u.id));
    super::users::with_relation(conn, viewer, rows)
}

/// A hashtag and how many tweets carry it.
#[derive(Debug, QueryableByName)]
pub struct TagCount {
    #[diesel(sql_type = Text)]
    pub tag: String,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// Hashtags starting with `prefix` (lower-cased, without `#`), the most
/// used first.
pub fn tags(conn: &mut PgConnection, prefix: &str, limit: i64) -> Result<Vec<TagCount>> {
    Ok(diesel::sql_query(
        "SELECT tag, count(*) AS count FROM tweet_tags WHERE tag LIKE $1 ESCAPE '\\' \
         GROUP BY tag ORDER BY count(*) DESC, tag LIMIT $2",
    )
    .bind::<Text, _>(like_prefix(&prefix.to_lowercase()))
    .bind::<BigInt, _>(limit)
    .load(conn)?)
}

/// How many recent follows "most followed" looks at: a bounded scan,
/// whatever the size of the follow graph.
const RECENT_FOLLOWS: i64 = 10_000;
/// How many of the reader's newest follows "followed by those you follow"
/// starts from.
const FOLLOWS_SAMPLED: i64 = 200;

#[derive(QueryableByName)]
struct Suggested {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Whom `me` might follow: accounts followed by the accounts `me` follows
/// (the most shared first), else the most followed lately; never `me`, an
/// account `me` follows, mutes, or with a block either way.
pub fn suggestions(
    conn: &mut PgConnection,
    me: UserId,
    limit: i64,
) -> Result<Vec<UserWithRelation>> {
    let raw: Vec<Suggested> = diesel::sql_query(
        "WITH mine AS (SELECT followee_id FROM follows WHERE follower_id = $1 ORDER BY id DESC LIMIT $3), \
         near AS (SELECT f.followee_id AS id, count(*) AS n, 1 AS source FROM follows f \
                  JOIN mine ON f.follower_id = mine.followee_id GROUP BY f.followee_id), \
         popular AS (SELECT followee_id AS id, count(*) AS n, 0 AS source FROM \
                     (SELECT followee_id FROM follows ORDER BY id DESC LIMIT $4) recent GROUP BY followee_id), \
         candidates AS (SELECT DISTINCT ON (id) id, n, source FROM (SELECT * FROM near UNION ALL SELECT * FROM popular) c \
                        ORDER BY id, source DESC) \
         SELECT c.id FROM candidates c \
         WHERE c.id <> $1 \
           AND NOT EXISTS (SELECT 1 FROM follows x WHERE x.follower_id = $1 AND x.followee_id = c.id) \
           AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = $1 AND m.muted_id = c.id) \
           AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = c.id AND b.blocked_id = $1) \
                                                    OR (b.blocker_id = $1 AND b.blocked_id = c.id)) \
         ORDER BY c.source DESC, c.n DESC, c.id LIMIT $2",
    )
    .bind::<BigInt, _>(me)
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(FOLLOWS_SAMPLED)
    .bind::<BigInt, _>(RECENT_FOLLOWS)
    .load(conn)?;
    let ids: Vec<UserId> = raw.iter().filter_map(|s| UserId::new(s.id)).collect();
    users_in_order(conn, Some(me), &ids)
}

#[cfg(test)]
mod tests {
    use super::like_prefix;

    #[test]
    fn like_wildcards_in_a_prefix_match_themselves() {
        assert_eq!(like_prefix("ana"), "ana%");
        assert_eq!(like_prefix("a_b%c\\"), "a\\_b\\%c\\\\%");
    }
}
