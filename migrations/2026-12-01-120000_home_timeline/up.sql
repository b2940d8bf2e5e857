-- The home timeline, fanned out on write: a row per (reader, tweet) for the
-- tweets of the accounts each user follows, so reading it costs the same
-- whether a user follows 50 accounts or 5,000 (one backward scan of the
-- primary key). The fan-out never runs inside a request: a new tweet is
-- queued here by a trigger and the API's fan-out worker (db/timeline.rs)
-- copies it to its author's followers afterwards. Until then, and for what
-- is never copied, the read merges the rest at read time:
--   - queued tweets not fanned out yet (fanout_queue);
--   - follows not backfilled yet (follows.backfilled = false: a new follow,
--     or every follow that existed before this migration);
--   - accounts with too many followers to copy to (users.fanout_on_read,
--     set by the worker when an author passes FANOUT_MAX_FOLLOWERS; sticky);
--   - the reader's own tweets.
-- So a new tweet, a new follow and an unfollow show on the next read,
-- whatever the worker's lag.

--
-- One index only, the primary key: every copy is an index entry, and the
-- copies are most of the writes (one per follower per tweet). So there is no
-- foreign key to tweets (its cascade would need a second index on
-- tweet_id): deleting a tweet removes its copies through the author's
-- followers (db::tweets::delete), and the read joins `tweets`, so a copy of
-- a deleted tweet (left behind for someone who unfollowed in between) is
-- never shown.
CREATE TABLE home_timeline (
    user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tweet_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, tweet_id)
);

-- Tweets waiting to be fanned out, oldest first, with their author: a
-- reader finds the queued tweets of the accounts they follow by matching
-- authors against their follows, without reading the tweets.
CREATE TABLE fanout_queue (
    tweet_id  BIGINT PRIMARY KEY REFERENCES tweets (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL
);

CREATE FUNCTION tweets_queue_fanout() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fanout_queue (tweet_id, author_id) SELECT id, author_id FROM new_rows;
    RETURN NULL;
END $$;

CREATE TRIGGER tweets_queue_fanout AFTER INSERT ON tweets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tweets_queue_fanout();

-- Whether the followee's existing tweets have been copied to the follower's
-- timeline. Existing follows start pending: the worker backfills them.
ALTER TABLE follows ADD COLUMN backfilled BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX follows_pending_backfill_idx ON follows (follower_id) WHERE NOT backfilled;
CREATE INDEX follows_pending_backfill_id_idx ON follows (id) WHERE NOT backfilled;

-- Accounts read at read time instead of being copied to every follower.
ALTER TABLE users ADD COLUMN fanout_on_read BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX users_fanout_on_read_idx ON users (id) WHERE fanout_on_read;

-- One page of a home timeline's tweet ids, newest first, below `before`:
-- the reader's copies merged with what is not copied (see above). Each part
-- walks its own index backwards and stops after `n` rows; the `OFFSET 0`
-- subqueries keep the planner from flattening the author lookups into a
-- join of every followed account's tweets. A function so that its plan is
-- made once per connection (a generic plan: the query costs ~1 ms to run but
-- several to plan), where the API's ad-hoc SQL would be planned each time.
CREATE FUNCTION home_timeline_page(reader BIGINT, before BIGINT, n BIGINT)
RETURNS TABLE (id BIGINT)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    RETURN QUERY
    WITH ids AS (
        (SELECT h.tweet_id AS id FROM home_timeline h
         CROSS JOIN LATERAL (SELECT t.author_id FROM tweets t WHERE t.id = h.tweet_id OFFSET 0) a
         WHERE h.user_id = reader AND h.tweet_id < before
           AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = reader AND f.followee_id = a.author_id)
         ORDER BY h.tweet_id DESC LIMIT n)
        UNION ALL
        (SELECT t.id FROM tweets t WHERE t.author_id = reader AND t.id < before ORDER BY t.id DESC LIMIT n)
        UNION ALL
        (SELECT q.tweet_id FROM fanout_queue q
         WHERE q.tweet_id < before
           AND q.author_id IN (SELECT f.followee_id FROM follows f WHERE f.follower_id = reader)
         ORDER BY q.tweet_id DESC LIMIT n)
        UNION ALL
        (SELECT c.id FROM follows f CROSS JOIN LATERAL (
             SELECT t.id FROM tweets t WHERE t.author_id = f.followee_id AND t.id < before
             ORDER BY t.id DESC LIMIT n) c
         WHERE f.follower_id = reader AND NOT f.backfilled)
        UNION ALL
        (SELECT c.id FROM users u JOIN follows f ON f.follower_id = reader AND f.followee_id = u.id
         CROSS JOIN LATERAL (
             SELECT t.id FROM tweets t WHERE t.author_id = u.id AND t.id < before
             ORDER BY t.id DESC LIMIT n) c
         WHERE u.fanout_on_read)
    )
    SELECT DISTINCT ids.id FROM ids ORDER BY ids.id DESC LIMIT n;
END $$;
