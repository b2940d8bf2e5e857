#!/usr/bin/env bash
# Prints the plan of every hot query the API runs, with real timings, against
# $DATABASE_URL (seed it first: `tweets seed --users 10000 --tweets 1000000`).
# The SQL is what the store layer (backend/src/db/) sends, with literal values.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to a seeded database}"
q() { psql "$DATABASE_URL" -XAtqc "$1"; }
psql "$DATABASE_URL" -Xqc "VACUUM ANALYZE" >/dev/null

me=$(q "SELECT id FROM users WHERE lower(username) = 'demo42'")
heavy=$(q "SELECT id FROM users ORDER BY following_count DESC LIMIT 1")
author=$(q "SELECT id FROM users WHERE lower(username) = 'demo7'")
# Half a million tweets deep, or halfway down a smaller data set.
mid=$(q "SELECT id FROM tweets ORDER BY id DESC OFFSET LEAST(500000, (SELECT count(*) / 2 FROM tweets)) LIMIT 1")
mid=${mid:-0}
parent=$(q "SELECT reply_to_id FROM tweets WHERE reply_to_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
popular=$(q "SELECT followee_id FROM follows GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
page=$(q "SELECT string_agg(id::text, ',') FROM (SELECT id FROM tweets ORDER BY id DESC LIMIT 20) t")
cols="tweets.id, tweets.author_id, tweets.text, tweets.image_path, tweets.reply_to_id, tweets.like_count, tweets.reply_count, tweets.created_at, users.id, users.username, users.display_name, users.avatar_path"

explain() {
  # shellcheck disable=SC2016 # the backticks are Markdown, not expansions
  printf '### %s\n\n```sql\n%s\n```\n\n```\n' "$1" "$2"
  psql "$DATABASE_URL" -XAtqc "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $2"
  printf '```\n\n'
}

explain "Public timeline, first page" \
  "SELECT $cols FROM tweets INNER JOIN users ON tweets.author_id = users.id ORDER BY tweets.id DESC LIMIT 21"
explain "Public timeline, a page half a million tweets deep" \
  "SELECT $cols FROM tweets INNER JOIN users ON tweets.author_id = users.id WHERE tweets.id < $mid ORDER BY tweets.id DESC LIMIT 21"
explain "A user's tweets" \
  "SELECT $cols FROM tweets INNER JOIN users ON tweets.author_id = users.id WHERE tweets.author_id = $author ORDER BY tweets.id DESC LIMIT 21"
home_sql="WITH ids AS ((SELECT h.tweet_id AS id FROM home_timeline h JOIN tweets t ON t.id = h.tweet_id WHERE h.user_id = $U AND h.tweet_id < 9223372036854775807 AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $U AND f.followee_id = t.author_id) ORDER BY h.tweet_id DESC LIMIT 21) UNION ALL (SELECT id FROM tweets WHERE author_id = $U AND id < 9223372036854775807 ORDER BY id DESC LIMIT 21) UNION ALL (SELECT q.tweet_id FROM fanout_queue q JOIN tweets t ON t.id = q.tweet_id JOIN follows f ON f.follower_id = $U AND f.followee_id = t.author_id WHERE q.tweet_id < 9223372036854775807 ORDER BY q.tweet_id DESC LIMIT 21) UNION ALL (SELECT c.id FROM follows f CROSS JOIN LATERAL (SELECT id FROM tweets WHERE author_id = f.followee_id AND id < 9223372036854775807 ORDER BY id DESC LIMIT 21) c WHERE f.follower_id = $U AND NOT f.backfilled) UNION ALL (SELECT c.id FROM users u JOIN follows f ON f.follower_id = $U AND f.followee_id = u.id CROSS JOIN LATERAL (SELECT id FROM tweets WHERE author_id = u.id AND id < 9223372036854775807 ORDER BY id DESC LIMIT 21) c WHERE u.fanout_on_read)), page AS (SELECT DISTINCT id FROM ids ORDER BY id DESC LIMIT 21) SELECT t.id, t.author_id, t.text, t.image_path, t.reply_to_id, t.like_count, t.reply_count, t.created_at, u.username, u.display_name, u.avatar_path FROM page JOIN tweets t ON t.id = page.id JOIN users u ON u.id = t.author_id ORDER BY t.id DESC"
home() { printf '%s' "${home_sql//\$U/$1}"; }
explain "Home timeline (following $(q "SELECT following_count FROM users WHERE id = $me") accounts)" "$(home "$me")"
explain "Home timeline (following $(q "SELECT following_count FROM users WHERE id = $heavy") accounts)" "$(home "$heavy")"
explain "Replies to the most replied-to tweet" \
  "SELECT $cols FROM tweets INNER JOIN users ON tweets.author_id = users.id WHERE tweets.reply_to_id = $parent ORDER BY tweets.id ASC LIMIT 21"
explain "liked_by_me for a page of 20 tweets" \
  "SELECT likes.tweet_id FROM likes WHERE likes.user_id = $me AND likes.tweet_id = ANY('{$page}'::bigint[])"
explain "Followers of the most followed account" \
  "SELECT follows.id, users.id, users.username, users.display_name, users.bio, users.avatar_path, users.followers_count, users.following_count, users.tweets_count, users.created_at FROM follows INNER JOIN users ON users.id = follows.follower_id WHERE follows.followee_id = $popular ORDER BY follows.id DESC LIMIT 21"
explain "followed_by_me for a page of users" \
  "SELECT follows.followee_id FROM follows WHERE follows.follower_id = $me AND follows.followee_id = ANY(ARRAY[$popular, $author]::bigint[])"
explain "Profile by username (case-insensitive)" \
  "SELECT id, username, display_name, bio, avatar_path, followers_count, following_count, tweets_count, created_at FROM users WHERE lower(username) = lower('Demo42') LIMIT 1"
