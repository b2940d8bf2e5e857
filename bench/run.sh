#!/usr/bin/env bash
# `make bench`: seeds a million-tweet data set into a fresh database, runs the
# release build, loads it with wrk from a second process, measures the
# ceiling of the same SQL with pgbench in the same run, profiles the public
# timeline with perf, and writes the figures to docs/benchmarks.md. Needs
# DATABASE_URL to a server where it may create a database (`make bench`
# provides a throwaway one), `wrk` and `pgbench`; `perf` when present.
# Benchmarks are not tests: nothing here passes or fails on a number.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
: "${DATABASE_URL:?}"
for tool in wrk pgbench psql; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install wrk postgresql-client)" >&2; exit 1; }
done
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
USERS=${BENCH_USERS:-100000}
TWEETS=${BENCH_TWEETS:-1000000}
FOLLOWS=${BENCH_FOLLOWS:-20}
SOAK=${BENCH_SOAK:-60s}

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
scratch_db "tweets_bench_$$"
export DATABASE_URL=$SCRATCH_DB_URL
q() { psql "$DATABASE_URL" -XAtqc "$1"; }

cargo build --release --locked --quiet --bin tweets
bin=target/release/tweets
seed_cmd="tweets seed --users $USERS --tweets $TWEETS --follows-per-user $FOLLOWS --likes-per-user 10"
seed_out=$("$bin" seed --users "$USERS" --tweets "$TWEETS" --follows-per-user "$FOLLOWS" --likes-per-user 10)
echo "$seed_out"

# The accounts the figures speak of: demo1 follows exactly 5,000 accounts and
# demo2 exactly 50; demo3 is followed by every account, demo4 by exactly 10.
id() { q "SELECT id FROM users WHERE lower(username) = 'demo$1'"; }
heavy=$(id 1) light=$(id 2) star=$(id 3) small=$(id 4)
q "DELETE FROM follows WHERE follower_id IN ($heavy, $light) OR followee_id = $small" >/dev/null
q "INSERT INTO follows (follower_id, followee_id)
   SELECT $heavy, id FROM users WHERE id <> $heavy ORDER BY hashint8(id) LIMIT 5000" >/dev/null
q "INSERT INTO follows (follower_id, followee_id)
   SELECT $light, id FROM users WHERE id <> $light ORDER BY hashint8(id + 1) LIMIT 50" >/dev/null
q "INSERT INTO follows (follower_id, followee_id)
   SELECT id, $star FROM users WHERE id <> $star ON CONFLICT DO NOTHING" >/dev/null
q "INSERT INTO follows (follower_id, followee_id)
   SELECT id, $small FROM users WHERE id NOT IN ($small, $star) ORDER BY hashint8(id + 2) LIMIT 10" >/dev/null
fanout_out=$("$bin" fanout)
echo "$fanout_out"
q "VACUUM ANALYZE" >/dev/null
accounts=$(q "SELECT string_agg(format('demo%s follows %s and has %s followers%s', substr(username, 5),
               following_count, followers_count, CASE WHEN fanout_on_read THEN ' (read at read time)' ELSE '' END), '; ')
              FROM users WHERE id IN ($heavy, $light, $star, $small)")

port=$(free_port)
scratch_dir
JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n') RUST_LOG=warn \
  start_api "$bin" "$DATABASE_URL" "$port" "$SCRATCH_DIR"
base=http://127.0.0.1:$port
token() {
  curl -fsS -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"demo$1\",\"password\":\"demo-password\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
heavy_token=$(token 1) light_token=$(token 2) star_token=$(token 3) small_token=$(token 4)
authors=""
# Sixteen ordinary accounts (mid-ranked: a few dozen followers each).
for n in $(seq 50001 50016); do authors+="$(token "$n") "; done
tweet_id=$(curl -fsS "$base/api/v1/tweets?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
deep=$(curl -fsS "$base/api/v1/tweets?limit=100" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')

rows=()
run() { # name, wrk args…
  local name=$1 out rps p50 p99 errors
  shift
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  rows+=("| $name | ${rps%.*} | $p50 | $p99 | ${errors:-0} |")
  echo "$name: $rps req/s, p50 $p50, p99 $p99" >&2
  LAST_RPS=${rps%.*}
}
# pgbench's transactions per second for FILE, prepared, same clients.
ceiling() {
  pgbench -n -M prepared -c"$CONNECTIONS" -j2 -T"${DURATION%s}" -D first_author="$1" -f "$2" "$DATABASE_URL" 2>/dev/null |
    awk '/^tps/ {print int($3)}'
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d %%", (b > 0 ? 100 * a / b : 0) }'; }

auth() { echo "Authorization: Bearer $1"; }
run "GET /healthz" "$base/healthz"
run "GET /api/v1/tweets (anonymous)" "$base/api/v1/tweets"
public_rps=$LAST_RPS
public_ceiling=$(ceiling 0 bench/pgbench/public_page.sql)
run "GET /api/v1/tweets (signed in)" -H "$(auth "$light_token")" "$base/api/v1/tweets"
run "GET /api/v1/tweets?cursor=… (page 2 of 100)" "$base/api/v1/tweets?cursor=$deep"
run "GET /api/v1/timeline (following 50)" -H "$(auth "$light_token")" "$base/api/v1/timeline"
run "GET /api/v1/timeline (following 5,000)" -H "$(auth "$heavy_token")" "$base/api/v1/timeline"
run "GET /api/v1/users/demo7/tweets" "$base/api/v1/users/demo7/tweets"
run "GET /api/v1/tweets/{id}" -H "$(auth "$light_token")" "$base/api/v1/tweets/$tweet_id"
BENCH_TOKENS=$small_token run "POST /api/v1/tweets (an account with 10 followers)" -s bench/post.lua "$base/api/v1/tweets"
BENCH_TOKENS=$star_token run "POST /api/v1/tweets (an account with $((USERS - 1)) followers)" -s bench/post.lua "$base/api/v1/tweets"
BENCH_TOKENS=$authors run "POST /api/v1/tweets (16 authors)" -s bench/post.lua "$base/api/v1/tweets"
post_rps=$LAST_RPS
insert_ceiling=$(ceiling "$(id 50001)" bench/pgbench/insert_tweet.sql)
# The copies the posts above queued (the server's worker is copying too).
copies_out=$("$bin" fanout)
copies_total=$(q "SELECT count(*) FROM home_timeline")
run "POST /api/v1/auth/login (Argon2id)" -s bench/login.lua "$base/api/v1/auth/login"

# Where the public timeline's time goes: a CPU profile of the API under load.
profile="perf was not available"
if command -v perf >/dev/null && perf record -o /dev/null -- true >/dev/null 2>&1; then
  perf_data=$SCRATCH_DIR/perf.data
  wrk -t2 -c"$CONNECTIONS" -d12s "$base/api/v1/tweets" >/dev/null &
  wrk_pid=$!
  sleep 1
  perf record -q -g -o "$perf_data" -p "$API_PID" -- sleep 10 >/dev/null 2>&1 || true
  wait "$wrk_pid" || true
  profile=$(perf report -i "$perf_data" --stdio --no-children --sort dso 2>/dev/null |
    awk '/^ +[0-9.]+%/ && n++ < 12 {printf "%s %s\n", $1, $2}')
  profile_syms=$(perf report -i "$perf_data" --stdio --no-children --sort sym 2>/dev/null |
    awk '/^ +[0-9.]+%/ && n++ < 25 {pct=$1; $1=""; $2=""; sub(/^ +/, ""); printf "%s %s\n", pct, substr($0, 1, 90)}')
  profile="$profile"$'\n\n'"$profile_syms"
fi

# Soak: many connections, mixed reads and writes; resident memory before and after.
rss() { awk '/VmRSS/ {print $2 " " $3}' "/proc/$API_PID/status"; }
rss_before=$(rss)
soak_out=$(BENCH_TOKENS="$authors$light_token $heavy_token" wrk -t2 -c64 -d"$SOAK" --latency -s bench/mixed.lua "$base")
rss_after=$(rss)
soak_rps=$(awk '/^Requests\/sec/ {print int($2)}' <<<"$soak_out")
soak_p99=$(awk '$1=="99%" {print $2}' <<<"$soak_out")
soak_errors=$(awk '/Non-2xx/ {print $4} /Socket errors/ {print}' <<<"$soak_out")
soak_total=$(awk '/requests in/ {print $1}' <<<"$soak_out")

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
pg=$(q "SHOW server_version")
sizes=$(q "SELECT string_agg(format('%s %s', relname, pg_size_pretty(pg_total_relation_size(relid))), ', ' ORDER BY pg_total_relation_size(relid) DESC)
           FROM pg_stat_user_tables WHERE relname IN ('tweets', 'home_timeline', 'follows', 'likes', 'tweet_tags', 'users', 'notifications', 'notification_groups')")
{
  cat <<MD
# Benchmarks

Figures from \`make bench\` (\`bench/run.sh\`). Benchmarks are not tests: they
are recorded here, never asserted. Re-run after changes that touch a hot path
and commit the new table with the change. What the figures mean for a larger
service is in [\`scaling.md\`](scaling.md).

## Latest run

- Date: $(date -u +%Y-%m-%d), commit \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`
- Machine: $(nproc) vCPU ($cpu), $mem; PostgreSQL $pg on the same machine
  (fsync off: the throwaway cluster of \`scripts/pg.sh\`); API release build,
  one worker per core; load from \`wrk -t2 -c$CONNECTIONS -d$DURATION\` on the same machine,
  so client, server and database share the two cores.
- Data: \`$seed_cmd\`, then demo1 made to follow 5,000 accounts, demo2 50,
  demo3 followed by every account and demo4 by 10 (\`tweets fanout\`, VACUUM ANALYZE):

\`\`\`
$seed_out
$fanout_out
$accounts
sizes: $sizes
\`\`\`

| request | requests/s | p50 | p99 | non-2xx |
| --- | ---: | ---: | ---: | ---: |
MD
  printf '%s\n' "${rows[@]}"
  cat <<MD

### Against the database's ceiling

The same SQL run by \`pgbench -M prepared -c$CONNECTIONS -j2 -T${DURATION%s}\` in the same
run (\`bench/pgbench/\`): what PostgreSQL alone serves on this machine.

| request | API | pgbench, its SQL alone | API / ceiling |
| --- | ---: | ---: | ---: |
| GET /api/v1/tweets (anonymous) | $public_rps req/s | $public_ceiling tx/s | $(pct "$public_rps" "$public_ceiling") |
| POST /api/v1/tweets (16 authors) | $post_rps req/s | $insert_ceiling tx/s (INSERT) | $(pct "$post_rps" "$insert_ceiling") |

### Fan-out

After the posting runs, \`tweets fanout\` drained what the server's worker had
not copied yet: $copies_out ($copies_total copies in all). Posting never waits for
this: the requests above only queued their tweet.

### Soak: 64 connections, $SOAK of mixed reads and writes

\`wrk -t2 -c64 -d$SOAK -s bench/mixed.lua\` (60 % public timeline, 25 % home
timeline, 10 % a profile, 5 % posts, as 18 accounts): $soak_total requests,
$soak_rps req/s, p99 $soak_p99, errors: ${soak_errors:-none}. Resident memory
of the API: $rss_before before, $rss_after after.

### Profile of the public timeline

\`perf record -g\` of the API for 10 s under \`wrk -c$CONNECTIONS\` on
\`GET /api/v1/tweets\` (share of the API's samples, by library, then by symbol):

\`\`\`
$profile
\`\`\`
MD
  cat bench/notes.md
} > docs/benchmarks.md
echo "wrote docs/benchmarks.md" >&2
