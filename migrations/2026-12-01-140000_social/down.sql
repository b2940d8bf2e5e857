DROP TRIGGER follows_events_delete ON follows;
DROP TRIGGER follows_events_insert ON follows;
DROP FUNCTION follows_events_after_delete();
DROP FUNCTION follows_events_after_insert();
DROP TRIGGER tweets_events ON tweets;
DROP FUNCTION tweets_events_after_insert();
DROP TRIGGER notifications_events ON notifications;
DROP FUNCTION notifications_events_after_insert();
DROP FUNCTION tweets_events_notify(TEXT, BIGINT[]);

DROP INDEX tweet_tags_tag_prefix_idx;
DROP INDEX users_display_name_prefix_idx;
DROP INDEX users_username_prefix_idx;
DROP INDEX tweets_search_idx;

DROP FUNCTION home_timeline_ids(BIGINT, BIGINT, BIGINT);
DROP FUNCTION home_timeline_merge(BIGINT, BIGINT, BIGINT);
-- As the migration `home_timeline` made it.
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

DROP TRIGGER tweets_notify_delete ON tweets;
DROP TRIGGER tweets_notify_insert ON tweets;
DROP FUNCTION tweets_notify_after_delete();
DROP FUNCTION tweets_notify_after_insert();
DROP TRIGGER follows_notify_delete ON follows;
DROP TRIGGER follows_notify_insert ON follows;
DROP FUNCTION follows_notify_after_delete();
DROP FUNCTION follows_notify_after_insert();
DROP TRIGGER likes_notify_delete ON likes;
DROP TRIGGER likes_notify_insert ON likes;
DROP FUNCTION likes_notify_after_delete();
DROP FUNCTION likes_notify_after_insert();
DROP TABLE notifications;
DROP TABLE notification_groups;
DROP FUNCTION notification_groups_after_delete();
DROP FUNCTION notification_groups_after_insert();
DROP FUNCTION notifications_silenced(BIGINT, BIGINT);
ALTER TABLE users DROP COLUMN notifications_read_id;

DROP TABLE mutes;
DROP TABLE blocks;

DROP TRIGGER tweets_fill_names ON tweets;
DROP FUNCTION tweets_fill_names();
ALTER TABLE tweets DROP COLUMN reply_to_username;
ALTER TABLE tweets DROP COLUMN mentions;
DROP FUNCTION tweet_mention_names(TEXT);

-- Reposts go with their column (and the counters forget them).
DELETE FROM tweets WHERE repost_of_id IS NOT NULL;
CREATE OR REPLACE FUNCTION tweets_counters_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users u SET tweets_count = u.tweets_count + n.c
    FROM (SELECT author_id, count(*) AS c FROM new_rows GROUP BY author_id) n
    WHERE u.id = n.author_id;
    UPDATE tweets t SET reply_count = t.reply_count + n.c
    FROM (SELECT reply_to_id, count(*) AS c FROM new_rows
          WHERE reply_to_id IS NOT NULL GROUP BY reply_to_id) n
    WHERE t.id = n.reply_to_id;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION tweets_counters_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users u SET tweets_count = u.tweets_count - o.c
    FROM (SELECT author_id, count(*) AS c FROM old_rows GROUP BY author_id) o
    WHERE u.id = o.author_id;
    UPDATE tweets t SET reply_count = t.reply_count - o.c
    FROM (SELECT reply_to_id, count(*) AS c FROM old_rows
          WHERE reply_to_id IS NOT NULL GROUP BY reply_to_id) o
    WHERE t.id = o.reply_to_id;
    RETURN NULL;
END $$;
DROP INDEX tweets_repost_key;
ALTER TABLE tweets
    DROP CONSTRAINT tweets_text_check,
    DROP COLUMN repost_count,
    DROP COLUMN repost_of_author_id,
    DROP COLUMN repost_of_id,
    ADD CONSTRAINT tweets_text_check CHECK (char_length(text) BETWEEN 1 AND 280);

ALTER TABLE tweets DROP COLUMN image_alt;
