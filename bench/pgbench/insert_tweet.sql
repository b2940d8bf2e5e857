-- A tweet's INSERT alone (its triggers included: counters, hashtags, the
-- fan-out queue), by one of the 16 authors the API benchmark posts as.
\set author random(:first_author, :first_author + 15)
INSERT INTO tweets (author_id, text) VALUES (:author, 'pgbench tweet #bench') RETURNING id;
