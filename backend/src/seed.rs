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
    /// `FANOUT_MAX_FOLLOWERS`: the seed fills the home timelines the way the
    /// fan-out worker would, so the data set is ready to serve at once.
    pub fanout_max_followers: i64,
}

#[derive(Debug, Default)]
pub struct SeedReport {
    pub users: usize,
    pub tweets: usize,
    pub replies: usize,
    pub follows: usize,
    pub likes: usize,
    /// Rows copied into home timelines, and the accounts read at read time
    /// instead (more than `FANOUT_MAX_FOLLOWERS` followers).
    pub home_rows: usize,
    pub fanout_on_read: usize,
    /// Time spent inserting tweets and replies (counters included).
    pub tweet_seconds: f64,
    /// The closing `VACUUM ANALYZE`.
    pub vacuum_seconds: f64,
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
         WHERE c.contype = 'f' AND c.conrelid IN ('tweets'::regclass, 'likes'::regclass, 'follows'::regclass, \
                                                   'tweet_tags'::regclass, 'home_timeline'::regclass, 'fanout_queue'::regclass, \
                                                   'notifications'::regclass, 'notification_groups'::regclass) \
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

    let mut report = conn.transaction(|conn| {
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
        let before: Range = sql_query(
            "SELECT (SELECT max(id) FROM tweets) AS lo, (SELECT max(id) FROM follows) AS hi",
        )
        .get_result(conn)?;
        let newest_before = before.lo.unwrap_or(0);
        let follows_before = before.hi.unwrap_or(0);
        tracing::debug!(elapsed_s = started.elapsed().as_secs_f64(), "users inserted");
        // Spread over the last 90 days, oldest first (ids follow time); a
        // few accounts post much more than most (not the same accounts as
        // the most followed: rank times 7919, modulo the count, shuffles
        // them); varied text, with hashtags
        // (a few tags much more common than the rest) and @mentions.
        let inserted = sql_query(format!(
            "WITH words AS (SELECT ARRAY[{OPENERS}] AS openers, ARRAY[{MIDDLES}] AS middles, \
                                   ARRAY[{REPLIES}] AS replies, ARRAY[{TAGS}] AS tags) \
             INSERT INTO tweets (author_id, text, created_at) \
             SELECT su.id, \
                    CASE WHEN g % 10 = 0 THEN w.replies[1 + abs(hashint8(g * 3)) % cardinality(w.replies)] \
                         ELSE w.openers[1 + abs(hashint8(g * 5)) % cardinality(w.openers)] || ' ' || \
                              w.middles[1 + abs(hashint8(g * 19)) % cardinality(w.middles)] END \
                    || CASE WHEN abs(hashint8(g * 7)) % 3 = 0 THEN ' #' || w.tags[1 + floor(cardinality(w.tags) * power((abs(hashint8(g * 23)) % 1000000) / 1000000.0, 2))::int] ELSE '' END \
                    || CASE WHEN abs(hashint8(g * 11)) % 5 = 0 THEN ' @' || $2 || (1 + abs(hashint8(g * 13)) % $3) ELSE '' END, \
                    now() - interval '90 days' * (($1 - g)::float8 / $1) \
             FROM generate_series(1, $1) AS g \
             CROSS JOIN words w \
             JOIN seed_users su ON su.n = 1 + (floor($3 * power((abs(hashint8(g)) % 1000000) / 1000000.0, 1.5))::bigint * 7919) % $3 \
             ORDER BY g"
        ))
        .bind::<BigInt, _>(opts.tweets)
        .bind::<Text, _>(&opts.prefix)
        .bind::<BigInt, _>(opts.users)
        .execute(conn)
        .context("inserting tweets")?;
        // The new ids are consecutive (one statement, one sequence), but
        // they need not start right after the newest tweet before: deleted
        // tweets leave the sequence ahead of max(id).
        let new_range: Range =
            sql_query("SELECT min(id) AS lo, max(id) AS hi FROM tweets WHERE id > $1")
                .bind::<BigInt, _>(newest_before)
                .get_result(conn)?;
        let first_new = new_range.lo.map_or(newest_before, |lo| lo - 1);
        // One in ten answers one of the 200 tweets before it (a thread when
        // that one is a reply too); reply counters are set to match.
        report.replies = sql_query(
            "UPDATE tweets SET reply_to_id = id - 1 - abs(hashint8(id)) % LEAST(200, id - $1 - 1) \
             WHERE id > $1 AND (id - $1) % 10 = 0",
        )
        .bind::<BigInt, _>(first_new)
        .execute(conn)
        .context("making replies")?;
        sql_query(
            "UPDATE tweets r SET reply_to_username = u.username FROM tweets p JOIN users u ON u.id = p.author_id \
             WHERE r.id > $1 AND r.reply_to_id = p.id",
        )
        .bind::<BigInt, _>(first_new)
        .execute(conn)
        .context("naming the replies' parents")?;
        sql_query(
            "UPDATE tweets p SET reply_count = p.reply_count + c.n \
             FROM (SELECT reply_to_id AS id, count(*) AS n FROM tweets \
                   WHERE id > $1 AND reply_to_id IS NOT NULL GROUP BY 1) c \
             WHERE p.id = c.id",
        )
        .bind::<BigInt, _>(first_new)
        .execute(conn)?;
        report.tweets = inserted - report.replies;
        report.tweet_seconds = tweets_started.elapsed().as_secs_f64();
        tracing::debug!(elapsed_s = started.elapsed().as_secs_f64(), "tweets inserted");
        // Fresh statistics, or the planner joins a million new rows as if there were none.
        sql_query("ANALYZE tweets").execute(conn)?;
        let range: Range = sql_query("SELECT min(id) AS lo, max(id) AS hi FROM tweets WHERE id > $1")
            .bind::<BigInt, _>(first_new)
            .get_result(conn)?;
        if let (Some(lo), Some(hi)) = (range.lo, range.hi) {
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
        // Each account follows 1 to 2 × the mean; whom is drawn from a power
        // law, so a few accounts gather a large share of all follows (10,000+
        // followers in a large seed) and most have a few dozen.
        if opts.follows_per_user > 0 {
            report.follows = sql_query(
                "INSERT INTO follows (follower_id, followee_id) \
                 SELECT a.id, b.id FROM seed_users a \
                 CROSS JOIN LATERAL generate_series(1, 1 + abs(hashint8(a.n::bigint * 31)) % (2 * $1)) AS k \
                 JOIN seed_users b ON b.n = 1 + floor($2 * power((abs(hashint8(a.n::bigint * 7919 + k)) % 1000000) / 1000000.0, 3))::int \
                 WHERE a.id <> b.id \
                 ON CONFLICT DO NOTHING",
            )
            .bind::<BigInt, _>(opts.follows_per_user)
            .bind::<BigInt, _>(opts.users)
            .execute(conn)
            .context("inserting follows")?;
        }
        tracing::debug!(elapsed_s = started.elapsed().as_secs_f64(), "follows inserted");
        let fanned = fan_out_seeded(conn, opts.fanout_max_followers, first_new, follows_before)?;
        report.home_rows = fanned.0;
        report.fanout_on_read = fanned.1;
        tracing::debug!(elapsed_s = started.elapsed().as_secs_f64(), "home timelines filled");
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
        Ok::<_, anyhow::Error>(report)
    })?;
    // Bulk-loaded tables have no visibility map yet: without a vacuum every
    // index-only scan reads the heap, and the first hours of serving pay
    // for it (the manual's "Populating a Database").
    let vacuum = Instant::now();
    sql_query(
        "VACUUM (ANALYZE) users, tweets, likes, follows, tweet_tags, home_timeline, fanout_queue",
    )
    .execute(conn)
    .context("vacuuming")?;
    report.vacuum_seconds = vacuum.elapsed().as_secs_f64();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Does in bulk what the fan-out worker (`db::fanout`) would do for the
/// seeded rows: marks the accounts over the limit as read at read time,
/// copies the rest into home timelines, marks the new follows backfilled and
/// empties the queue of the seeded tweets. Returns (rows copied, accounts
/// read at read time).
fn fan_out_seeded(
    conn: &mut PgConnection,
    max_followers: i64,
    first_tweet: i64,
    first_follow: i64,
) -> anyhow::Result<(usize, usize)> {
    sql_query(
        "UPDATE users SET fanout_on_read = true WHERE NOT fanout_on_read AND followers_count > $1",
    )
    .bind::<BigInt, _>(max_followers)
    .execute(conn)?;
    // Everything the new follows should show (the seeded tweets of already
    // followed accounts are next).
    let mut rows = sql_query(
        "INSERT INTO home_timeline (user_id, tweet_id) \
         SELECT f.follower_id, t.id FROM follows f \
         JOIN users u ON u.id = f.followee_id AND NOT u.fanout_on_read \
         JOIN tweets t ON t.author_id = f.followee_id \
         WHERE f.id > $1 AND NOT f.backfilled \
         ON CONFLICT DO NOTHING",
    )
    .bind::<BigInt, _>(first_follow)
    .execute(conn)
    .context("filling home timelines")?;
    sql_query("UPDATE follows SET backfilled = true WHERE id > $1 AND NOT backfilled")
        .bind::<BigInt, _>(first_follow)
        .execute(conn)?;
    rows += sql_query(
        "INSERT INTO home_timeline (user_id, tweet_id) \
         SELECT f.follower_id, t.id FROM tweets t \
         JOIN users u ON u.id = t.author_id AND NOT u.fanout_on_read \
         JOIN follows f ON f.followee_id = t.author_id AND f.backfilled AND f.id <= $2 \
         WHERE t.id > $1 \
         ON CONFLICT DO NOTHING",
    )
    .bind::<BigInt, _>(first_tweet)
    .bind::<BigInt, _>(first_follow)
    .execute(conn)?;
    sql_query("DELETE FROM fanout_queue WHERE tweet_id > $1")
        .bind::<BigInt, _>(first_tweet)
        .execute(conn)?;
    let read_at_read_time: Count =
        sql_query("SELECT count(*) AS n FROM users WHERE fanout_on_read").get_result(conn)?;
    Ok((rows, usize::try_from(read_at_read_time.n).unwrap_or(0)))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

const OPENERS: &str =
    "'Shipping','Just deployed','Reading','Thinking about','Finally fixed','Trying out', \
    'Loving','Debugging','Benchmarking','Refactoring','Writing docs for','Reviewing','Learning', \
    'Migrating to','Rolling back','Monitoring','Coffee and','Pairing on','Sketching','Tuning'";
const MIDDLES: &str = "'the new release','our database indexes','a flaky test','the on-call runbook', \
    'connection pooling','the home timeline','keyset pagination','the Terraform modules','TLS everywhere', \
    'a backup restore drill','the Grafana dashboards','rate limits','zero-downtime deploys','query plans', \
    'the incident review','container image sizes','a tiny Rust service','log aggregation','alert fatigue', \
    'read replicas','the CI pipeline','a Friday deploy (never again)','the new office plants','my bike commute'";
const REPLIES: &str =
    "'Agreed!','Same here.','Could you share the details?','This is great, thanks.', \
    'Not sure about that one.','We hit this too last week.','Nice work!','How long did it take?', \
    'Ha, been there.','Bookmarking this.','What did the profile show?','+1'";
const TAGS: &str = "'rust','devops','postgres','sre','kubernetes','terraform','docker','linux','monitoring', \
    'security','ci','nginx','backups','performance','oncall','cloud','observability','databases', \
    'networking','testing','coffee','weekend','music','books','running','photography','food','travel'";
