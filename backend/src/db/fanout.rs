//! The home timeline's fan-out on write (see the `home_timeline` migration).
//!
//! [`fan_out`] is what the API's background worker runs: it copies queued
//! tweets to their authors' followers and backfills new follows, in small
//! transactions that lock only what they take (`FOR UPDATE SKIP LOCKED`), so
//! any number of API replicas can run it at once. Nothing here runs inside a
//! request, and nothing a reader sees depends on it: until a tweet or a
//! follow is processed, [`super::tweets::timeline`] merges it at read time.

use diesel::{
    prelude::*,
    sql_types::{Array, BigInt},
};

use super::Result;

/// What one call did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FannedOut {
    /// Queued tweets processed (copied, or left to be read at read time).
    pub tweets: usize,
    /// Follows backfilled.
    pub follows: usize,
    /// Rows written to `home_timeline`.
    pub rows: usize,
}

impl FannedOut {
    pub fn is_idle(&self) -> bool {
        self.tweets == 0 && self.follows == 0
    }
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Processes up to `tweets` queued tweets and `follows` pending follows.
/// Authors with more than `max_followers` followers become read-at-read-time
/// accounts (`users.fanout_on_read`, which stays set): their tweets are not
/// copied.
pub fn fan_out(
    conn: &mut PgConnection,
    max_followers: i64,
    tweets: i64,
    follows: i64,
) -> Result<FannedOut> {
    let mut done = fan_out_tweets(conn, max_followers, tweets)?;
    let backfilled = backfill_follows(conn, max_followers, follows)?;
    done.follows = backfilled.follows;
    done.rows += backfilled.rows;
    Ok(done)
}

/// Runs [`fan_out`] until nothing is left (tests, `tweets seed`).
pub fn drain(conn: &mut PgConnection, max_followers: i64) -> Result<FannedOut> {
    let mut total = FannedOut::default();
    loop {
        let done = fan_out(conn, max_followers, 1000, 100)?;
        if done.is_idle() {
            return Ok(total);
        }
        total.tweets += done.tweets;
        total.follows += done.follows;
        total.rows += done.rows;
    }
}

fn fan_out_tweets(conn: &mut PgConnection, max_followers: i64, n: i64) -> Result<FannedOut> {
    conn.transaction(|conn| {
        let ids: Vec<i64> = diesel::sql_query(
            "SELECT tweet_id AS id FROM fanout_queue ORDER BY tweet_id LIMIT $1 FOR UPDATE SKIP LOCKED",
        )
        .bind::<BigInt, _>(n)
        .load::<Id>(conn)?
        .into_iter()
        .map(|r| r.id)
        .collect();
        if ids.is_empty() {
            return Ok(FannedOut::default());
        }
        mark_popular_authors(
            conn,
            max_followers,
            "SELECT author_id FROM tweets WHERE id = ANY($2)",
            &ids,
        )?;
        let rows = diesel::sql_query(
            "INSERT INTO home_timeline (user_id, tweet_id) \
             SELECT f.follower_id, t.id FROM tweets t \
             JOIN users u ON u.id = t.author_id AND NOT u.fanout_on_read \
             JOIN follows f ON f.followee_id = t.author_id \
             WHERE t.id = ANY($1) \
             ON CONFLICT DO NOTHING",
        )
        .bind::<Array<BigInt>, _>(&ids)
        .execute(conn)?;
        diesel::sql_query("DELETE FROM fanout_queue WHERE tweet_id = ANY($1)")
            .bind::<Array<BigInt>, _>(&ids)
            .execute(conn)?;
        Ok(FannedOut {
            tweets: ids.len(),
            follows: 0,
            rows,
        })
    })
}

fn backfill_follows(conn: &mut PgConnection, max_followers: i64, n: i64) -> Result<FannedOut> {
    conn.transaction(|conn| {
        let ids: Vec<i64> = diesel::sql_query(
            "SELECT id FROM follows WHERE NOT backfilled ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        )
        .bind::<BigInt, _>(n)
        .load::<Id>(conn)?
        .into_iter()
        .map(|r| r.id)
        .collect();
        if ids.is_empty() {
            return Ok(FannedOut::default());
        }
        mark_popular_authors(
            conn,
            max_followers,
            "SELECT followee_id FROM follows WHERE id = ANY($2)",
            &ids,
        )?;
        let rows = diesel::sql_query(
            "INSERT INTO home_timeline (user_id, tweet_id) \
             SELECT f.follower_id, t.id FROM follows f \
             JOIN users u ON u.id = f.followee_id AND NOT u.fanout_on_read \
             JOIN tweets t ON t.author_id = f.followee_id \
             WHERE f.id = ANY($1) \
             ON CONFLICT DO NOTHING",
        )
        .bind::<Array<BigInt>, _>(&ids)
        .execute(conn)?;
        diesel::sql_query("UPDATE follows SET backfilled = true WHERE id = ANY($1)")
            .bind::<Array<BigInt>, _>(&ids)
            .execute(conn)?;
        Ok(FannedOut {
            tweets: 0,
            follows: ids.len(),
            rows,
        })
    })
}

/// Sets `fanout_on_read` on the authors `authors_sql` names (with `$2` the
/// batch's ids) whose follower count is over the limit.
fn mark_popular_authors(
    conn: &mut PgConnection,
    max_followers: i64,
    authors_sql: &'static str,
    ids: &[i64],
) -> Result<()> {
    diesel::sql_query(format!(
        "UPDATE users SET fanout_on_read = true \
         WHERE NOT fanout_on_read AND followers_count > $1 AND id IN ({authors_sql})"
    ))
    .bind::<BigInt, _>(max_followers)
    .bind::<Array<BigInt>, _>(ids)
    .execute(conn)?;
    Ok(())
}

/// The fan-out worker of one API process: runs [`fan_out`] in batches while
/// there is work, and polls every `idle` when there is none. It stops when
/// the task is dropped (the server's shutdown).
pub async fn run_worker(pool: super::DbPool, max_followers: i64, idle: std::time::Duration) {
    loop {
        let result = super::run(&pool, move |conn| fan_out(conn, max_followers, 500, 50)).await;
        match result {
            Ok(done) if done.is_idle() => tokio::time::sleep(idle).await,
            Ok(done) => tracing::debug!(
                tweets = done.tweets,
                follows = done.follows,
                rows = done.rows,
                "home timelines fanned out"
            ),
            Err(e) => {
                let e: super::Error = e;
                tracing::warn!(error = %e, "fan-out failed; retrying");
                tokio::time::sleep(idle.max(std::time::Duration::from_secs(1))).await;
            }
        }
    }
}
