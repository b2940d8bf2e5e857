-- The public timeline's first page for an anonymous reader, as the API
-- sends it (db::tweets::timeline with db::viewer's checks, reader 0).
\set lim 21
\set before 9223372036854775807
\set viewer 0
SELECT tweets.id, tweets.author_id, tweets.text, tweets.image_path, tweets.reply_to_id,
       tweets.like_count, tweets.reply_count, tweets.created_at, tweets.image_alt,
       tweets.repost_of_id, tweets.repost_count, tweets.mentions, tweets.reply_to_username,
       users.id, users.username, users.display_name, users.avatar_path,
       (:viewer <> 0 AND EXISTS (SELECT 1 FROM likes l WHERE l.user_id = :viewer AND l.tweet_id = tweets.id)),
       (:viewer <> 0 AND EXISTS (SELECT 1 FROM tweets r WHERE r.repost_of_id = tweets.id AND r.author_id = :viewer))
FROM tweets INNER JOIN users ON tweets.author_id = users.id
WHERE tweets.id < :before AND tweets.repost_of_id IS NULL
  AND (:viewer = 0 OR (NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = tweets.author_id AND b.blocked_id = :viewer)
                                                          OR (b.blocker_id = :viewer AND b.blocked_id = tweets.author_id))
       AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = :viewer AND m.muted_id = tweets.author_id)))
ORDER BY tweets.id DESC LIMIT :lim;
