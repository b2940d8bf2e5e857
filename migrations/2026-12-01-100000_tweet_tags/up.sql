-- Hashtags, indexed: `GET /api/v1/tags/{tag}/tweets` reads one tag's tweets
-- newest first from the primary key (tag, tweet_id), keyset-paginated.
--
-- A hashtag is what the web app links (frontend/js/text.js): `#` after the
-- start or a character that is not an ASCII letter, digit, `_`, `#` or `&`,
-- then 1–50 letters, digits or `_`; inside a URL it is not one. Tags are
-- compared lower-cased.

CREATE FUNCTION tweet_hashtags(body TEXT) RETURNS SETOF TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT DISTINCT lower(m[2])
    FROM regexp_matches(
        regexp_replace(body, 'https?://[^[:space:]<>"'']+', ' ', 'g'),
        '(^|[^A-Za-z0-9_#&])#([[:alnum:]_]{1,50})', 'g') AS m
$$;

CREATE TABLE tweet_tags (
    tag      TEXT   NOT NULL,
    tweet_id BIGINT NOT NULL REFERENCES tweets (id) ON DELETE CASCADE,
    PRIMARY KEY (tag, tweet_id)
);
-- Cascading deletes of a tweet's tags.
CREATE INDEX tweet_tags_tweet_id_idx ON tweet_tags (tweet_id);

CREATE FUNCTION tweets_tags_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tweet_tags (tag, tweet_id)
    SELECT t.tag, n.id FROM new_rows n CROSS JOIN LATERAL tweet_hashtags(n.text) AS t(tag)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER tweets_tags_after_insert AFTER INSERT ON tweets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tweets_tags_after_insert();

INSERT INTO tweet_tags (tag, tweet_id)
SELECT t.tag, tw.id FROM tweets tw CROSS JOIN LATERAL tweet_hashtags(tw.text) AS t(tag)
ON CONFLICT DO NOTHING;
