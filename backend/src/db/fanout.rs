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

/// What the worker reports: copies made, tweets processed, and how far
/// behind it is (`fanout_lag_seconds`: the age of the oldest tweet of its last
/// batch, 0 when the queue is empty). Registered by [`crate::metrics::Metrics`].
#[derive(Debug, Clone)]
pub struct FanoutMetrics {
    pub copies: prometheus::IntCounter,
    pub tweets: prometheus::IntCounter,
    pub lag: prometheus::Gauge,
}

impl Default for FanoutMetrics {
    fn default() -> Self {
        // Constant, valid names: these constructors cannot fail.
        #[allow(clippy::expect_used)]
        Self {
            copies: prometheus::IntCounter::new(
                "fanout_copies_total",
                "Tweets copied into home timelines (one per follower)",
            )
            .expect("valid metric"),
            tweets: prometheus::IntCounter::new(
                "fanout_tweets_total",
                "Queued tweets the fan-out worker processed",
            )
            .expect("valid metric"),
            lag: prometheus::Gauge::new(
                "fanout_lag_seconds",
                "Age of the oldest tweet in the fan-out worker's last batch (0: nothing queued)",
            )
            .expect("valid metric"),
        }
    }
}

/// What one call did.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct FannedOut {
    /// Queued tweets processed (copied, or left to be read at read time).
    pub tweets: usize,
    /// Follows backfilled.
    pub follows: usize,
    /// Rows written to `home_timeline`.
    pub rows: usize,
    /// Seconds since the oldest processed tweet was posted.
    pub oldest_secs: f64,
}

impl FannedOut {
    pub fn is_idle(&self) -> bool {
        self.tweets == 0 && self.follows == 0
    }
}

#[derive(QueryableByName)]
struct Age {
    #[diesel(sql_type = diesel::sql_types::Double)]
    secs: f64,
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

/// Copies made per transaction, about: a batch of tweets stops once the
/// followers of its authors add up to this (a batch is at least one tweet).
const COPY_BUDGET: i64 = 20_000;

#[derive(QueryableByName)]
struct Queued {
    #[diesel(sql_type = BigInt)]
    id: i64,
    /// The copies it will make (0 for an account read at read time).
    #[diesel(sql_type = BigInt)]
    cost: i64,
}

/// The ids of `rows` up to [`COPY_BUDGET`] copies in all (at least one).
fn within_budget(rows: Vec<Queued>) -> Vec<i64> {
    let mut spent = 0;
    let mut ids = Vec::new();
    for row in rows {
        if !ids.is_empty() && spent + row.cost > COPY_BUDGET {
            break;
        }
        spent += row.cost;
        ids.push(row.id);
    }
    ids
}

/// The worker's statements copy many rows: they get a longer statement
/// timeout than requests (`DB_STATEMENT_TIMEOUT`), within their transaction.
fn worker_timeout(conn: &mut PgConnection) -> Result<()> {
    diesel::sql_query("SET LOCAL statement_timeout = '120s'").execute(conn)?;
    Ok(())
}

/// One kind of batch: the SQL that picks its items (with `$1` the batch size
/// and `$2` the follower limit, returning `id` and `cost`), names their
/// authors, copies them and marks them done (each with `$1` the ids, the
/// authors' query with `$2`).
struct Batch {
    pick: &'static str,
    authors: &'static str,
    copy: &'static str,
    done: &'static str,
}

const TWEETS: Batch = Batch {
    pick: "SELECT q.tweet_id AS id, \
                  CASE WHEN u.fanout_on_read OR u.followers_count > $2 THEN 0 ELSE u.followers_count END AS cost \
           FROM fanout_queue q JOIN users u ON u.id = q.author_id \
           ORDER BY q.tweet_id LIMIT $1 FOR UPDATE OF q SKIP LOCKED",
    authors: "SELECT author_id FROM tweets WHERE id = ANY($2)",
    copy: "INSERT INTO home_timeline (user_id, tweet_id) \
           SELECT f.follower_id, t.id FROM tweets t \
           JOIN users u ON u.id = t.author_id AND NOT u.fanout_on_read \
           JOIN follows f ON f.followee_id = t.author_id \
           WHERE t.id = ANY($1) \
           ON CONFLICT DO NOTHING",
    done: "DELETE FROM fanout_queue WHERE tweet_id = ANY($1)",
};

const FOLLOWS: Batch = Batch {
    pick: "SELECT f.id, \
                  CASE WHEN u.fanout_on_read OR u.followers_count > $2 THEN 0 ELSE u.tweets_count END AS cost \
           FROM follows f JOIN users u ON u.id = f.followee_id \
           WHERE NOT f.backfilled ORDER BY f.id LIMIT $1 FOR UPDATE OF f SKIP LOCKED",
    authors: "SELECT followee_id FROM follows WHERE id = ANY($2)",
    copy: "INSERT INTO home_timeline (user_id, tweet_id) \
           SELECT f.follower_id, t.id FROM follows f \
           JOIN users u ON u.id = f.followee_id AND NOT u.fanout_on_read \
           JOIN tweets t ON t.author_id = f.followee_id \
           WHERE f.id = ANY($1) \
           ON CONFLICT DO NOTHING",
    done: "UPDATE follows SET backfilled = true WHERE id = ANY($1)",
};

/// Runs one batch in its own transaction: (ids processed, rows copied).
/// `before_copy` runs on the batch's ids first (the tweets' age).
fn run_batch<T: Default>(
    conn: &mut PgConnection,
    batch: &Batch,
    max_followers: i64,
    n: i64,
    before_copy: impl FnOnce(&mut PgConnection, &[i64]) -> Result<T>,
) -> Result<(usize, usize, T)> {
    conn.transaction(|conn| {
        worker_timeout(conn)?;
        let picked: Vec<Queued> = diesel::sql_query(batch.pick)
            .bind::<BigInt, _>(n)
            .bind::<BigInt, _>(max_followers)
            .load(conn)?;
        let ids = within_budget(picked);
        if ids.is_empty() {
            return Ok((0, 0, T::default()));
        }
        let extra = before_copy(conn, &ids)?;
        mark_popular_authors(conn, max_followers, batch.authors, &ids)?;
        let rows = diesel::sql_query(batch.copy)
            .bind::<Array<BigInt>, _>(&ids)
            .execute(conn)?;
        diesel::sql_query(batch.done)
            .bind::<Array<BigInt>, _>(&ids)
            .execute(conn)?;
        Ok((ids.len(), rows, extra))
    })
}

fn fan_out_tweets(conn: &mut PgConnection, max_followers: i64, n: i64) -> Result<FannedOut> {
    let (tweets, rows, oldest_secs) = run_batch(conn, &TWEETS, max_followers, n, |conn, ids| {
        let age: Age = diesel::sql_query(
            "SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS secs \
             FROM tweets WHERE id = ANY($1)",
        )
        .bind::<Array<BigInt>, _>(ids)
        .get_result(conn)?;
        Ok(age.secs.max(0.0))
    })?;
    Ok(FannedOut {
        tweets,
        follows: 0,
        rows,
        oldest_secs,
    })
}

fn backfill_follows(conn: &mut PgConnection, max_followers: i64, n: i64) -> Result<FannedOut> {
    let (follows, rows, ()) = run_batch(conn, &FOLLOWS, max_followers, n, |_, _| Ok(()))?;
    Ok(FannedOut {
        tweets: 0,
        follows,
        rows,
        oldest_secs: 0.0,
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
pub async fn run_worker(
    pool: super::DbPool,
    max_followers: i64,
    idle: std::time::Duration,
    metrics: FanoutMetrics,
) {
    loop {
        let result = super::run(&pool, move |conn| fan_out(conn, max_followers, 500, 50)).await;
        if let Ok(done) = &result {
            metrics.copies.inc_by(done.rows as u64);
            metrics.tweets.inc_by(done.tweets as u64);
            metrics.lag.set(done.oldest_secs);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: i64, cost: i64) -> Queued {
        Queued { id, cost }
    }

    #[test]
    fn a_batch_stops_at_the_copy_budget_but_never_comes_out_empty() {
        assert_eq!(within_budget(vec![q(1, 30_000), q(2, 1)]), vec![1]);
        assert_eq!(
            within_budget(vec![q(1, 10_000), q(2, 10_000), q(3, 1)]),
            vec![1, 2]
        );
        assert_eq!(
            within_budget(vec![q(1, 0), q(2, 0), q(3, 0)]),
            vec![1, 2, 3]
        );
        assert!(within_budget(Vec::new()).is_empty());
    }
}
