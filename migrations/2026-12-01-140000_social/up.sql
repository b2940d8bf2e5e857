-- What people expect of a microblog beyond posting and following: image alt
-- text, @mentions, reposts, blocks and mutes, and notifications of all of it.
-- Like the counters, the derived rows (mentions, notifications and their
-- groups) are kept by statement-level triggers with transition tables, so a
-- request and a bulk seed go through the same code.

-- Image alt text ------------------------------------------------------------

ALTER TABLE tweets ADD COLUMN image_alt TEXT
    CONSTRAINT tweets_image_alt_check CHECK (
        image_alt IS NULL OR (char_length(image_alt) BETWEEN 1 AND 1500 AND image_path IS NOT NULL));

-- Reposts -------------------------------------------------------------------
-- A repost is a row of `tweets` with `repost_of_id` set and no text of its
-- own, so it travels every path a tweet does: the fan-out to followers'
-- home timelines, the author's profile, keyset pagination by id. The API
-- shows it as the original tweet with `reposted_by`. `repost_of_author_id`
-- is the original's author, kept on the row so that a reader's blocks and
-- mutes can hide a repost of a hidden account without a join.

ALTER TABLE tweets
    ADD COLUMN repost_of_id BIGINT REFERENCES tweets (id) ON DELETE CASCADE,
    ADD COLUMN repost_of_author_id BIGINT,
    ADD COLUMN repost_count BIGINT NOT NULL DEFAULT 0,
    DROP CONSTRAINT tweets_text_check,
    ADD CONSTRAINT tweets_text_check CHECK (
        CASE WHEN repost_of_id IS NULL
             THEN char_length(text) BETWEEN 1 AND 280 AND repost_of_author_id IS NULL
             ELSE text = '' AND image_path IS NULL AND reply_to_id IS NULL
                  AND repost_of_author_id IS NOT NULL AND repost_of_author_id <> author_id
        END);
-- One repost per account and tweet; also the cascade from the original.
CREATE UNIQUE INDEX tweets_repost_key ON tweets (repost_of_id, author_id) WHERE repost_of_id IS NOT NULL;

-- Counters: reposts are counted on the original, and are not the author's
-- tweets (`tweets_count`).
CREATE OR REPLACE FUNCTION tweets_counters_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users u SET tweets_count = u.tweets_count + n.c
    FROM (SELECT author_id, count(*) AS c FROM new_rows WHERE repost_of_id IS NULL GROUP BY author_id) n
    WHERE u.id = n.author_id;
    UPDATE tweets t SET reply_count = t.reply_count + n.c
    FROM (SELECT reply_to_id, count(*) AS c FROM new_rows
          WHERE reply_to_id IS NOT NULL GROUP BY reply_to_id) n
    WHERE t.id = n.reply_to_id;
    UPDATE tweets t SET repost_count = t.repost_count + n.c
    FROM (SELECT repost_of_id, count(*) AS c FROM new_rows
          WHERE repost_of_id IS NOT NULL GROUP BY repost_of_id) n
    WHERE t.id = n.repost_of_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tweets_counters_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users u SET tweets_count = u.tweets_count - o.c
    FROM (SELECT author_id, count(*) AS c FROM old_rows WHERE repost_of_id IS NULL GROUP BY author_id) o
    WHERE u.id = o.author_id;
    UPDATE tweets t SET reply_count = t.reply_count - o.c
    FROM (SELECT reply_to_id, count(*) AS c FROM old_rows
          WHERE reply_to_id IS NOT NULL GROUP BY reply_to_id) o
    WHERE t.id = o.reply_to_id;
    UPDATE tweets t SET repost_count = t.repost_count - o.c
    FROM (SELECT repost_of_id, count(*) AS c FROM old_rows
          WHERE repost_of_id IS NOT NULL GROUP BY repost_of_id) o
    WHERE t.id = o.repost_of_id;
    RETURN NULL;
END $$;

-- Mentions ------------------------------------------------------------------
-- An @mention is what the web app links (frontend/js/text.js): `@` after the
-- start or a character that is not an ASCII letter, digit, `_` or `@`, then
-- a username (3–30 ASCII letters, digits or `_`) not followed by another
-- such character; inside a URL it is not one. `tweets.mentions` lists the
-- existing accounts a tweet mentions, as their usernames are spelled, in the
-- order they first appear (filled on insert; usernames never change).

CREATE FUNCTION tweet_mention_names(body TEXT) RETURNS SETOF TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT name FROM (
        SELECT lower(m[2]) AS name, min(pos) AS first
        FROM regexp_matches(
            regexp_replace(body, 'https?://[^[:space:]<>"'']+', ' ', 'g'),
            '(^|[^A-Za-z0-9_@])@([A-Za-z0-9_]{3,30})(?![A-Za-z0-9_])', 'g') WITH ORDINALITY AS r(m, pos)
        GROUP BY lower(m[2])
    ) names ORDER BY first
$$;

ALTER TABLE tweets ADD COLUMN mentions TEXT[] NOT NULL DEFAULT '{}';
-- Whom a reply answers ("Replying to @ana"), kept when the parent goes.
ALTER TABLE tweets ADD COLUMN reply_to_username TEXT;

CREATE FUNCTION tweets_fill_names() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF strpos(NEW.text, '@') > 0 THEN
        NEW.mentions := ARRAY(
            SELECT u.username FROM tweet_mention_names(NEW.text) WITH ORDINALITY AS m(name, pos)
            JOIN users u ON lower(u.username) = m.name ORDER BY m.pos);
    END IF;
    IF NEW.reply_to_id IS NOT NULL THEN
        NEW.reply_to_username := (SELECT u.username FROM tweets p JOIN users u ON u.id = p.author_id
                                  WHERE p.id = NEW.reply_to_id);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER tweets_fill_names BEFORE INSERT ON tweets
    FOR EACH ROW EXECUTE FUNCTION tweets_fill_names();

UPDATE tweets t SET mentions = ARRAY(
    SELECT u.username FROM tweet_mention_names(t.text) WITH ORDINALITY AS m(name, pos)
    JOIN users u ON lower(u.username) = m.name ORDER BY m.pos)
WHERE strpos(t.text, '@') > 0;
UPDATE tweets r SET reply_to_username = u.username
FROM tweets p JOIN users u ON u.id = p.author_id WHERE r.reply_to_id = p.id;

-- Blocks and mutes ----------------------------------------------------------
-- A block hides each account's tweets from the other, ends their follows
-- both ways and keeps the blocked account from following, replying to,
-- reposting, liking or notifying the blocker. A mute hides the muted
-- account's tweets and notifications from the muter only. Both are checked
-- per row by primary-key probes (`hidden_authors` below).

CREATE TABLE blocks (
    blocker_id BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id),
    CONSTRAINT blocks_no_self_block CHECK (blocker_id <> blocked_id)
);
-- "Who blocked me" probes, and the cascade from the blocked account.
CREATE UNIQUE INDEX blocks_blocked_blocker_key ON blocks (blocked_id, blocker_id);

CREATE TABLE mutes (
    muter_id   BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    muted_id   BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (muter_id, muted_id),
    CONSTRAINT mutes_no_self_mute CHECK (muter_id <> muted_id)
);
CREATE INDEX mutes_muted_id_idx ON mutes (muted_id);

-- Notifications -------------------------------------------------------------
-- One row per event (a like, a reply, a repost, a follow, a mention), made
-- by triggers on the tables where the events happen and removed when the
-- event is undone (an unlike, an unfollow, a deleted reply). Events are
-- grouped for reading: likes and reposts of one tweet, follows of one UTC
-- day; a reply or a mention is a group of its own. `notification_groups`
-- keeps each group's size and newest event, so a page of groups is one
-- backward scan of its index. An account that the recipient blocks or
-- mutes makes no notifications (and blocking or muting removes the ones it
-- made), and neither does an account that blocks the recipient.

CREATE TABLE notifications (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient_id BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    actor_id     BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT        NOT NULL CHECK (kind IN ('like', 'reply', 'repost', 'follow', 'mention')),
    -- The liked or reposted tweet, or the reply or the mentioning tweet.
    tweet_id     BIGINT      REFERENCES tweets (id) ON DELETE CASCADE,
    group_key    TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT notifications_not_to_self CHECK (recipient_id <> actor_id)
);
-- A group's newest actors; undoing an event.
CREATE INDEX notifications_group_idx ON notifications (recipient_id, group_key, id DESC);
CREATE INDEX notifications_actor_idx ON notifications (actor_id, recipient_id);
CREATE INDEX notifications_tweet_idx ON notifications (tweet_id) WHERE tweet_id IS NOT NULL;

CREATE TABLE notification_groups (
    recipient_id BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_key    TEXT        NOT NULL,
    kind         TEXT        NOT NULL,
    tweet_id     BIGINT      REFERENCES tweets (id) ON DELETE CASCADE,
    latest_id    BIGINT      NOT NULL,
    latest_at    TIMESTAMPTZ NOT NULL,
    count        BIGINT      NOT NULL,
    PRIMARY KEY (recipient_id, group_key)
);
CREATE INDEX notification_groups_latest_idx ON notification_groups (recipient_id, latest_id DESC);
CREATE INDEX notification_groups_tweet_idx ON notification_groups (tweet_id) WHERE tweet_id IS NOT NULL;

-- Notifications up to this id have been read (`POST /notifications/read`).
ALTER TABLE users ADD COLUMN notifications_read_id BIGINT NOT NULL DEFAULT 0;

-- Whether `recipient` hears nothing from `actor`: a block either way (the
-- blocked account learns nothing of the blocker either), or a mute.
CREATE FUNCTION notifications_silenced(recipient BIGINT, actor BIGINT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = recipient AND blocked_id = actor)
                                           OR (blocker_id = actor AND blocked_id = recipient))
        OR EXISTS (SELECT 1 FROM mutes WHERE muter_id = recipient AND muted_id = actor)
$$;

CREATE FUNCTION notification_groups_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notification_groups AS g (recipient_id, group_key, kind, tweet_id, latest_id, latest_at, count)
    SELECT DISTINCT ON (recipient_id, group_key) recipient_id, group_key, kind, tweet_id, id, created_at,
           count(*) OVER (PARTITION BY recipient_id, group_key)
    FROM new_rows ORDER BY recipient_id, group_key, id DESC
    ON CONFLICT (recipient_id, group_key) DO UPDATE
       SET latest_id = greatest(g.latest_id, EXCLUDED.latest_id),
           latest_at = CASE WHEN EXCLUDED.latest_id > g.latest_id THEN EXCLUDED.latest_at ELSE g.latest_at END,
           count = g.count + EXCLUDED.count;
    RETURN NULL;
END $$;

CREATE FUNCTION notification_groups_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH gone AS (
        SELECT recipient_id, group_key, count(*) AS c FROM old_rows GROUP BY recipient_id, group_key
    )
    UPDATE notification_groups g
       SET count = g.count - gone.c,
           latest_id = coalesce(newest.id, 0),
           latest_at = coalesce(newest.created_at, g.latest_at)
    FROM gone LEFT JOIN LATERAL (
        SELECT n.id, n.created_at FROM notifications n
        WHERE n.recipient_id = gone.recipient_id AND n.group_key = gone.group_key
        ORDER BY n.id DESC LIMIT 1) newest ON true
    WHERE g.recipient_id = gone.recipient_id AND g.group_key = gone.group_key;
    DELETE FROM notification_groups g USING (SELECT DISTINCT recipient_id, group_key FROM old_rows) o
    WHERE g.recipient_id = o.recipient_id AND g.group_key = o.group_key AND g.count <= 0;
    RETURN NULL;
END $$;

CREATE TRIGGER notification_groups_insert AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notification_groups_after_insert();
CREATE TRIGGER notification_groups_delete AFTER DELETE ON notifications
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notification_groups_after_delete();

-- Likes.
CREATE FUNCTION likes_notify_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notifications (recipient_id, actor_id, kind, tweet_id, group_key)
    SELECT t.author_id, n.user_id, 'like', t.id, 'like:' || t.id
    FROM new_rows n JOIN tweets t ON t.id = n.tweet_id
    WHERE t.author_id <> n.user_id AND NOT notifications_silenced(t.author_id, n.user_id);
    RETURN NULL;
END $$;

CREATE FUNCTION likes_notify_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM notifications x USING old_rows o
    WHERE x.tweet_id = o.tweet_id AND x.actor_id = o.user_id AND x.kind = 'like';
    RETURN NULL;
END $$;

CREATE TRIGGER likes_notify_insert AFTER INSERT ON likes
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION likes_notify_after_insert();
CREATE TRIGGER likes_notify_delete AFTER DELETE ON likes
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION likes_notify_after_delete();

-- Follows.
CREATE FUNCTION follows_notify_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notifications (recipient_id, actor_id, kind, group_key, created_at)
    SELECT n.followee_id, n.follower_id, 'follow',
           'follow:' || to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), n.created_at
    FROM new_rows n
    WHERE NOT notifications_silenced(n.followee_id, n.follower_id);
    RETURN NULL;
END $$;

CREATE FUNCTION follows_notify_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM notifications x USING old_rows o
    WHERE x.actor_id = o.follower_id AND x.recipient_id = o.followee_id AND x.kind = 'follow';
    RETURN NULL;
END $$;

CREATE TRIGGER follows_notify_insert AFTER INSERT ON follows
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION follows_notify_after_insert();
CREATE TRIGGER follows_notify_delete AFTER DELETE ON follows
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION follows_notify_after_delete();

-- Replies, reposts and mentions. A reply notifies the parent's author as a
-- reply, not also as a mention.
CREATE FUNCTION tweets_notify_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notifications (recipient_id, actor_id, kind, tweet_id, group_key, created_at)
    SELECT e.recipient_id, e.actor_id, e.kind, e.tweet_id, e.kind || ':' || e.tweet_id, e.created_at
    FROM (
        SELECT p.author_id AS recipient_id, n.author_id AS actor_id, 'reply' AS kind, n.id AS tweet_id, n.created_at
        FROM new_rows n JOIN tweets p ON p.id = n.reply_to_id
        UNION ALL
        SELECT n.repost_of_author_id, n.author_id, 'repost', n.repost_of_id, n.created_at
        FROM new_rows n WHERE n.repost_of_id IS NOT NULL
        UNION ALL
        SELECT u.id, n.author_id, 'mention', n.id, n.created_at
        FROM new_rows n CROSS JOIN LATERAL unnest(n.mentions) AS m(name)
        JOIN users u ON lower(u.username) = lower(m.name)
        WHERE cardinality(n.mentions) > 0
          AND u.id IS DISTINCT FROM (SELECT p.author_id FROM tweets p WHERE p.id = n.reply_to_id)
    ) e
    WHERE e.recipient_id <> e.actor_id AND NOT notifications_silenced(e.recipient_id, e.actor_id);
    RETURN NULL;
END $$;

-- Undoing a repost deletes its row; the notification names the original.
CREATE FUNCTION tweets_notify_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM notifications x USING old_rows o
    WHERE o.repost_of_id IS NOT NULL
      AND x.tweet_id = o.repost_of_id AND x.actor_id = o.author_id AND x.kind = 'repost';
    RETURN NULL;
END $$;

CREATE TRIGGER tweets_notify_insert AFTER INSERT ON tweets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tweets_notify_after_insert();
CREATE TRIGGER tweets_notify_delete AFTER DELETE ON tweets
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tweets_notify_after_delete();

-- The home timeline, with reposts, blocks and mutes --------------------------
-- `home_timeline_page` (previous migration) becomes two functions:
--   - `home_timeline_merge`: the same merge of the reader's copies with what
--     is not copied, now skipping accounts the reader mutes (a block ends
--     the follows, so the merge never meets a blocked account), returned as
--     an array so that the API's page query stays a static one
--     (`tweets.id = ANY(home_timeline_ids(…))`), prepared once per
--     connection;
--   - `home_timeline_ids`: drops from each merged page what the reader must
--     not see, and merges further down until the page is full or the merge
--     runs out, so a filtered row never shortens a page (which would end the
--     walk). What it drops: reposts of tweets by an account the reader
--     blocks, mutes or is blocked by (the merge only skips authors), and a
--     repost of a tweet the reader has already been shown: the original by
--     the reader or an account they follow, or an earlier repost by one of
--     them. So a tweet reposted by several followed accounts appears once,
--     at its first appearance, on every page walk.
DROP FUNCTION home_timeline_page(BIGINT, BIGINT, BIGINT);

CREATE FUNCTION home_timeline_merge(reader BIGINT, before BIGINT, n BIGINT)
RETURNS BIGINT[]
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    RETURN ARRAY(
    WITH ids AS (
        (SELECT h.tweet_id AS id FROM home_timeline h
         CROSS JOIN LATERAL (SELECT t.author_id FROM tweets t WHERE t.id = h.tweet_id OFFSET 0) a
         WHERE h.user_id = reader AND h.tweet_id < before
           AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = reader AND f.followee_id = a.author_id)
           AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = reader AND m.muted_id = a.author_id)
         ORDER BY h.tweet_id DESC LIMIT n)
        UNION ALL
        (SELECT t.id FROM tweets t WHERE t.author_id = reader AND t.id < before ORDER BY t.id DESC LIMIT n)
        UNION ALL
        (SELECT q.tweet_id FROM fanout_queue q
         WHERE q.tweet_id < before
           AND q.author_id IN (SELECT f.followee_id FROM follows f WHERE f.follower_id = reader
                               AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = reader AND m.muted_id = f.followee_id))
         ORDER BY q.tweet_id DESC LIMIT n)
        UNION ALL
        (SELECT c.id FROM follows f CROSS JOIN LATERAL (
             SELECT t.id FROM tweets t WHERE t.author_id = f.followee_id AND t.id < before
             ORDER BY t.id DESC LIMIT n) c
         WHERE f.follower_id = reader AND NOT f.backfilled
           AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = reader AND m.muted_id = f.followee_id))
        UNION ALL
        (SELECT c.id FROM users u JOIN follows f ON f.follower_id = reader AND f.followee_id = u.id
         CROSS JOIN LATERAL (
             SELECT t.id FROM tweets t WHERE t.author_id = u.id AND t.id < before
             ORDER BY t.id DESC LIMIT n) c
         WHERE u.fanout_on_read
           AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = reader AND m.muted_id = u.id))
    )
    SELECT DISTINCT ids.id FROM ids ORDER BY ids.id DESC LIMIT n);
END $$;

CREATE FUNCTION home_timeline_ids(reader BIGINT, before BIGINT, n BIGINT)
RETURNS BIGINT[]
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    merged BIGINT[];
    kept BIGINT[] := '{}';
    below BIGINT := before;
BEGIN
    LOOP
        merged := home_timeline_merge(reader, below, n);
        kept := kept || ARRAY(
            SELECT t.id FROM unnest(merged) AS m(id) JOIN tweets t ON t.id = m.id
            -- The authors are the reader and accounts they follow and do not
            -- mute (the merge's rule; a block ends the follows): only a
            -- repost needs a look, at its original.
            WHERE (t.repost_of_id IS NULL OR (
                  NOT EXISTS (SELECT 1 FROM blocks b
                              WHERE (b.blocker_id = t.repost_of_author_id AND b.blocked_id = reader)
                                 OR (b.blocker_id = reader AND b.blocked_id = t.repost_of_author_id))
                  AND NOT EXISTS (SELECT 1 FROM mutes x
                                  WHERE x.muter_id = reader AND x.muted_id = t.repost_of_author_id)
                  AND NOT EXISTS (
                      SELECT 1 FROM tweets e
                      WHERE (e.id = t.repost_of_id OR (e.repost_of_id = t.repost_of_id AND e.id < t.id))
                        AND (e.author_id = reader
                             OR EXISTS (SELECT 1 FROM follows f
                                        WHERE f.follower_id = reader AND f.followee_id = e.author_id))
                        AND NOT EXISTS (SELECT 1 FROM mutes x
                                        WHERE x.muter_id = reader AND x.muted_id = e.author_id))))
            ORDER BY t.id DESC);
        EXIT WHEN cardinality(kept) >= n OR cardinality(merged) < n;
        below := merged[cardinality(merged)];
    END LOOP;
    RETURN kept[1:n];
END $$;

-- Search ----------------------------------------------------------------------
-- Tweets by full text (English stemming: "running" finds "run"), ranked;
-- accounts and hashtags by prefix (text_pattern_ops: a LIKE 'ab%' range
-- scan whatever the database's collation).
CREATE INDEX tweets_search_idx ON tweets USING gin (to_tsvector('english', text)) WHERE repost_of_id IS NULL;
CREATE INDEX users_username_prefix_idx ON users (lower(username) text_pattern_ops);
CREATE INDEX users_display_name_prefix_idx ON users (lower(display_name) text_pattern_ops);
CREATE INDEX tweet_tags_tag_prefix_idx ON tweet_tags (tag text_pattern_ops);

-- Live events -----------------------------------------------------------------
-- Each API process LISTENs on `tweets_events` (db::events) and wakes the
-- streams of the accounts a statement concerns, whichever process made the
-- change: `n <ids>` new notifications for these recipients, `t <ids>` new
-- tweets or reposts by these authors, `f <ids>` follows changed for these
-- followers. One NOTIFY per statement; past 500 accounts (a bulk load) the
-- list is `*`: every stream looks.
CREATE FUNCTION tweets_events_notify(kind TEXT, ids BIGINT[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM pg_notify('tweets_events', kind || ' ' || CASE WHEN cardinality(ids) > 500 THEN '*'
                                                           ELSE array_to_string(ids, ' ') END);
END $$;

CREATE FUNCTION notifications_events_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tweets_events_notify('n', ARRAY(SELECT DISTINCT recipient_id FROM new_rows));
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_events AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_events_after_insert();

CREATE FUNCTION tweets_events_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tweets_events_notify('t', ARRAY(SELECT DISTINCT author_id FROM new_rows));
    RETURN NULL;
END $$;
CREATE TRIGGER tweets_events AFTER INSERT ON tweets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tweets_events_after_insert();

CREATE FUNCTION follows_events_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tweets_events_notify('f', ARRAY(SELECT DISTINCT follower_id FROM new_rows));
    RETURN NULL;
END $$;
CREATE FUNCTION follows_events_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tweets_events_notify('f', ARRAY(SELECT DISTINCT follower_id FROM old_rows));
    RETURN NULL;
END $$;
CREATE TRIGGER follows_events_insert AFTER INSERT ON follows
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION follows_events_after_insert();
CREATE TRIGGER follows_events_delete AFTER DELETE ON follows
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION follows_events_after_delete();
