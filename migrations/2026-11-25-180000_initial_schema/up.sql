-- Tweets: initial schema.
--
-- Counters (followers, following, tweets, likes, replies) are denormalised
-- onto their rows and maintained by statement-level triggers with transition
-- tables, so a single insert and a bulk seed of a million rows keep them right
-- with the same code, and a page of tweets never counts rows at read time.

CREATE TABLE users (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        TEXT        NOT NULL CHECK (username ~ '^[A-Za-z0-9_]{3,30}$'),
    password_hash   TEXT        NOT NULL,
    display_name    TEXT        NOT NULL DEFAULT '' CHECK (char_length(display_name) <= 50),
    bio             TEXT        NOT NULL DEFAULT '' CHECK (char_length(bio) <= 160),
    avatar_path     TEXT,
    followers_count BIGINT      NOT NULL DEFAULT 0,
    following_count BIGINT      NOT NULL DEFAULT 0,
    tweets_count    BIGINT      NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
) WITH (fillfactor = 85); -- room for HOT updates of the counters
-- Usernames are unique case-insensitively; every lookup goes through lower().
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));

CREATE TABLE tweets (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id   BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text        TEXT        NOT NULL CHECK (char_length(text) BETWEEN 1 AND 280),
    image_path  TEXT,
    reply_to_id BIGINT      REFERENCES tweets (id) ON DELETE SET NULL,
    like_count  BIGINT      NOT NULL DEFAULT 0,
    reply_count BIGINT      NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
) WITH (fillfactor = 85); -- room for HOT updates of the counters
-- A profile's tweets, newest first, and the home timeline's per-author scans.
CREATE INDEX tweets_author_id_id_idx ON tweets (author_id, id DESC);
-- A thread's replies, oldest first.
CREATE INDEX tweets_reply_to_id_id_idx ON tweets (reply_to_id, id) WHERE reply_to_id IS NOT NULL;

CREATE TABLE follows (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    follower_id BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    followee_id BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT follows_pair_key UNIQUE (follower_id, followee_id),
    CONSTRAINT follows_no_self_follow CHECK (follower_id <> followee_id)
);
-- Followers of a user and accounts a user follows, newest follow first.
CREATE INDEX follows_followee_id_id_idx ON follows (followee_id, id DESC);
CREATE INDEX follows_follower_id_id_idx ON follows (follower_id, id DESC);

CREATE TABLE likes (
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tweet_id   BIGINT      NOT NULL REFERENCES tweets (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, tweet_id)
);
-- Cascading deletes of a tweet's likes.
CREATE INDEX likes_tweet_id_idx ON likes (tweet_id);

CREATE TABLE idempotency_keys (
    user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT        NOT NULL,
    request_hash TEXT        NOT NULL,
    tweet_id     BIGINT      NOT NULL REFERENCES tweets (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
CREATE INDEX idempotency_keys_tweet_id_idx ON idempotency_keys (tweet_id);

-- Counter maintenance ------------------------------------------------------

CREATE FUNCTION tweets_counters_after_insert() RETURNS trigger
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

CREATE FUNCTION tweets_counters_after_delete() RETURNS trigger
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

CREATE TRIGGER tweets_counters_insert AFTER INSERT ON tweets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tweets_counters_after_insert();
CREATE TRIGGER tweets_counters_delete AFTER DELETE ON tweets
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tweets_counters_after_delete();

CREATE FUNCTION follows_counters_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users u SET following_count = u.following_count + n.c
    FROM (SELECT follower_id, count(*) AS c FROM new_rows GROUP BY follower_id) n
    WHERE u.id = n.follower_id;
    UPDATE users u SET followers_count = u.followers_count + n.c
    FROM (SELECT followee_id, count(*) AS c FROM new_rows GROUP BY followee_id) n
    WHERE u.id = n.followee_id;
    RETURN NULL;
END $$;

CREATE FUNCTION follows_counters_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users u SET following_count = u.following_count - o.c
    FROM (SELECT follower_id, count(*) AS c FROM old_rows GROUP BY follower_id) o
    WHERE u.id = o.follower_id;
    UPDATE users u SET followers_count = u.followers_count - o.c
    FROM (SELECT followee_id, count(*) AS c FROM old_rows GROUP BY followee_id) o
    WHERE u.id = o.followee_id;
    RETURN NULL;
END $$;

CREATE TRIGGER follows_counters_insert AFTER INSERT ON follows
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION follows_counters_after_insert();
CREATE TRIGGER follows_counters_delete AFTER DELETE ON follows
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION follows_counters_after_delete();

CREATE FUNCTION likes_counters_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tweets t SET like_count = t.like_count + n.c
    FROM (SELECT tweet_id, count(*) AS c FROM new_rows GROUP BY tweet_id) n
    WHERE t.id = n.tweet_id;
    RETURN NULL;
END $$;

CREATE FUNCTION likes_counters_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tweets t SET like_count = t.like_count - o.c
    FROM (SELECT tweet_id, count(*) AS c FROM old_rows GROUP BY tweet_id) o
    WHERE t.id = o.tweet_id;
    RETURN NULL;
END $$;

CREATE TRIGGER likes_counters_insert AFTER INSERT ON likes
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION likes_counters_after_insert();
CREATE TRIGGER likes_counters_delete AFTER DELETE ON likes
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION likes_counters_after_delete();
