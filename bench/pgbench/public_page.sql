-- The public timeline's first page, as the API sends it (db::tweets::timeline).
\set lim 21
\set before 9223372036854775807
SELECT tweets.id, tweets.author_id, tweets.text, tweets.image_path, tweets.reply_to_id,
       tweets.like_count, tweets.reply_count, tweets.created_at,
       users.id, users.username, users.display_name, users.avatar_path
FROM tweets INNER JOIN users ON tweets.author_id = users.id
WHERE tweets.id < :before
ORDER BY tweets.id DESC LIMIT :lim;
