//! `tweets seed`: demo users, tweets, replies, follows and likes, inserted in
//! bulk by PostgreSQL itself (`INSERT … SELECT generate_series`), so a
//! million-tweet data set for benchmarks takes seconds. Counters are kept
//! right by the same statement-level triggers as ordinary writes.

use std::time::Instant;

use anyhow::Context;
use diesel::{
    prelude::*,
    sql_query,
    sql_types::{BigInt, Text},
};

use crate::{auth::hash_password, domain::Password};

#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub prefix: String,
    pub users: i64,
    pub tweets: i64,
    pub follows_per_user: i64,
    pub likes_per_user: i64,
    pub password: String,
}

#[derive(Debug, Default)]
pub struct SeedReport {
    pub users: usize,
    pub tweets: usize,
    pub replies: usize,
    pub follows: usize,
    pub likes: usize,
    /// Time spent inserting tweets and replies (counters included).
    pub tweet_seconds: f64,
    pub seconds: f64,
}

#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

/// The foreign keys of the tables the seed fills. Checking them row by row
/// is half the cost of a bulk insert, so the seed drops them and adds them
/// back at the end, which validates every row in one join (the approach of
/// the PostgreSQL manual's "Populating a Database"). All in the seed's
/// transaction: a failure restores them untouched.
fn foreign_keys(conn: &mut PgConnection) -> QueryResult<Vec<ForeignKey>> {
    sql_query(
        "SELECT c.conrelid::regclass::text AS table_name, c.conname::text AS name, \
                pg_get_constraintdef(c.oid) AS definition \
         FROM pg_constraint c \
         WHERE c.contype = 'f' AND c.conrelid IN ('tweets'::regclass, 'likes'::regclass, 'follows'::regclass, 'tweet_tags'::regclass) \
         ORDER BY 1, 2",
    )
    .load(conn)
}

fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[derive(QueryableByName)]
struct Range {
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    lo: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    hi: Option<i64>,
}

pub fn seed(conn: &mut PgConnection, opts: &SeedOptions) -> anyhow::Result<SeedReport> {
    if opts.prefix.is_empty()
        || opts.prefix.len() > 20
        || !opts
            .prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        anyhow::bail!("--prefix must be 1 to 20 characters of [A-Za-z0-9_]");
    }
    if opts.users < 1 || opts.users > 1_000_000_000 {
        anyhow::bail!("--users must be from 1 to 1000000000");
    }
    if opts.tweets < 0 || opts.follows_per_user < 0 || opts.likes_per_user < 0 {
        anyhow::bail!("counts must not be negative");
    }
    let password =
        Password::parse(&opts.password).map_err(|e| anyhow::anyhow!("--password {e}"))?;
    let hash = hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let pattern = format!("^{}[0-9]+$", opts.prefix.to_lowercase());
    let replies = opts.tweets / 10;
    let top_level = opts.tweets - replies;

    conn.transaction(|conn| {
        // Room to sort a million generated rows in memory.
        sql_query("SET LOCAL work_mem = '256MB'").execute(conn)?;
        let mut report = SeedReport {
            users: sql_query(
                "INSERT INTO users (username, password_hash, display_name, bio) \
                 SELECT $1 || i, $2, 'Demo user ' || i, 'A seeded account for demos and benchmarks.' \
                 FROM generate_series(1, $3) AS i \
                 ON CONFLICT ((lower(username))) DO NOTHING",
            )
            .bind::<Text, _>(&opts.prefix)
            .bind::<Text, _>(&hash)
            .bind::<BigInt, _>(opts.users)
            .execute(conn)
            .context("inserting users")?,
            ..SeedReport::default()
        };

        let fks = foreign_keys(conn)?;
        for fk in &fks {
            sql_query(format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                quote_ident(&fk.table_name),
                quote_ident(&fk.name)
            ))
            .execute(conn)?;
        }

        sql_query(
            "CREATE TEMP TABLE seed_users ON COMMIT DROP AS \
             SELECT (row_number() OVER (ORDER BY id))::int AS n, id FROM users WHERE lower(username) ~ $1",
        )
        .bind::<Text, _>(&pattern)
        .execute(conn)?;
        sql_query("CREATE UNIQUE INDEX ON seed_users (n)").execute(conn)?;
        sql_query("ANALYZE seed_users").execute(conn)?;

        let tweets_started = Instant::now();
        let before: Range = sql_query("SELECT max(id) AS lo, NULL::bigint AS hi FROM tweets").get_result(conn)?;
        let first_new = before.lo.unwrap_or(0);
        tracing::debug!(elapsed_s = started.elapsed().as_secs_f64(), "users inserted");
        report.tweets = sql_query(
            "INSERT INTO tweets (author_id, text, created_at) \
             SELECT su.id, \
                    'Tweet ' || g || ' from a seeded account. ' || (ARRAY['Hello #demo','Shipping today','@' || $2 || '1 look at this','Coffee first','Benchmarks are not tests'])[1 + g % 5], \
                    now() - make_interval(secs => ($1 - g)::double precision) \
             FROM generate_series(1, $1) AS g \
             JOIN seed_users su ON su.n = 1 + abs(hashint8(g)) % (SELECT count(*) FROM seed_users) \
             ORDER BY g",
        )
        .bind::<BigInt, _>(top_level)
        .bind::<Text, _>(&opts.prefix)
        .execute(conn)
        .context("inserting tweets")?;

        tracing::debug!(elapsed_s = started.elapsed().as_secs_f64(), "tweets inserted");
        // Fresh statistics, or the planner joins a million new rows as if there were none.
        sql_query("ANALYZE tweets").execute(conn)?;
        let range: Range = sql_query("SELECT min(id) AS lo, max(id) AS hi FROM tweets WHERE id > $1")
            .bind::<BigInt, _>(first_new)
            .get_result(conn)?;
        if let (Some(lo), Some(hi)) = (range.lo, range.hi) {
            report.replies = sql_query(
                "INSERT INTO tweets (author_id, text, reply_to_id) \
                 SELECT su.id, 'A seeded reply, number ' || g, t.id \
                 FROM generate_series(1, $1) AS g \
                 JOIN seed_users su ON su.n = 1 + abs(hashint8(g + 7)) % (SELECT count(*) FROM seed_users) \
                 JOIN tweets t ON t.id = $2 + (abs(hashint8(g + 13)) % (($3 - $2) / 50 + 1)) * 50",
            )
            .bind::<BigInt, _>(replies)
            .bind::<BigInt, _>(lo)
            .bind::<BigInt, _>(hi)
            .execute(conn)
            .context("inserting replies")?;

            tracing::debug!(elapsed_s = started.elapsed().as_secs_f64(), "replies inserted");
            report.tweet_seconds = tweets_started.elapsed().as_secs_f64();
            report.likes = sql_query(
                "INSERT INTO likes (user_id, tweet_id) \
                 SELECT su.id, t.id FROM seed_users su \
                 CROSS JOIN generate_series(1, $1) AS k \
                 JOIN tweets t ON t.id = $3 - floor(power((abs(hashint8(su.n::bigint * 1000003 + k)) % 1000000) / 1000000.0, 3) * ($3 - $2))::bigint \
                 ON CONFLICT DO NOTHING",
            )
            .bind::<BigInt, _>(opts.likes_per_user)
            .bind::<BigInt, _>(lo)
            .bind::<BigInt, _>(hi)
            .execute(conn)
            .context("inserting likes")?;
        }

        tracing::debug!(elapsed_s = started.elapsed().as_secs_f64(), "likes inserted");
        report.follows = sql_query(
            "INSERT INTO follows (follower_id, followee_id) \
             SELECT a.id, b.id FROM seed_users a \
             CROSS JOIN generate_series(1, $1) AS k \
             JOIN seed_users b ON b.n = 1 + abs(hashint8(a.n::bigint * 7919 + k)) % (SELECT count(*) FROM seed_users) \
             WHERE a.id <> b.id \
             ON CONFLICT DO NOTHING",
        )
        .bind::<BigInt, _>(opts.follows_per_user)
        .execute(conn)
        .context("inserting follows")?;
        for fk in &fks {
            sql_query(format!(
                "ALTER TABLE {} ADD CONSTRAINT {} {}",
                quote_ident(&fk.table_name),
                quote_ident(&fk.name),
                fk.definition
            ))
            .execute(conn)
            .with_context(|| format!("restoring the foreign key {}", fk.name))?;
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok::<_, anyhow::Error>(report)
    })
}
