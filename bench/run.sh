#!/usr/bin/env bash
# `make bench`: seeds a million-tweet data set into a fresh database, runs the
# release build, loads it with wrk from a second process, and writes the
# figures to docs/benchmarks.md. Needs DATABASE_URL to a server where it may
# create a database (`make bench` provides a throwaway one) and `wrk`.
# Benchmarks are not tests: nothing here passes or fails on a number.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
: "${DATABASE_URL:?}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
USERS=${BENCH_USERS:-10000}
TWEETS=${BENCH_TWEETS:-1000000}

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
scratch_db "tweets_bench_$$"
export DATABASE_URL=$SCRATCH_DB_URL

cargo build --release --locked --quiet --bin tweets
bin=target/release/tweets
seed_out=$("$bin" seed --users "$USERS" --tweets "$TWEETS" --follows-per-user 50 --likes-per-user 20)
echo "$seed_out"

port=$(free_port)
scratch_dir
JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n') RUST_LOG=warn \
  start_api "$bin" "$DATABASE_URL" "$port" "$SCRATCH_DIR"
base=http://127.0.0.1:$port
token=$(curl -fsS -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"demo42","password":"demo-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
tweet_id=$(curl -fsS "$base/api/v1/tweets?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
deep=$(curl -fsS "$base/api/v1/tweets?limit=100" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')

rows=()
run() { # name, wrk args…
  local name=$1; shift
  local out rps p50 p99
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  rows+=("| $name | ${rps%.*} | $p50 | $p99 | ${errors:-0} |")
  echo "$name: $rps req/s, p50 $p50, p99 $p99" >&2
}
auth=(-H "Authorization: Bearer $token")
run "GET /healthz" "$base/healthz"
run "GET /api/v1/tweets (anonymous)" "$base/api/v1/tweets"
run "GET /api/v1/tweets (signed in)" "${auth[@]}" "$base/api/v1/tweets"
run "GET /api/v1/tweets?cursor=… (page 2 of 100)" "$base/api/v1/tweets?cursor=$deep"
run "GET /api/v1/timeline (following 50)" "${auth[@]}" "$base/api/v1/timeline"
run "GET /api/v1/users/demo7/tweets" "$base/api/v1/users/demo7/tweets"
run "GET /api/v1/tweets/{id}" "${auth[@]}" "$base/api/v1/tweets/$tweet_id"
run "POST /api/v1/tweets" "${auth[@]}" -s bench/post.lua "$base/api/v1/tweets"
run "POST /api/v1/auth/login (Argon2id)" -s bench/login.lua "$base/api/v1/auth/login"

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
pg=$(psql "$DATABASE_URL" -XAtc "SHOW server_version")
{
  cat <<MD
# Benchmarks

Figures from \`make bench\` (\`bench/run.sh\`). Benchmarks are not tests: they
are recorded here, never asserted. Re-run after changes that touch a hot path
and commit the new table with the change.

## Latest run

- Date: $(date -u +%Y-%m-%d), commit \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`
- Machine: $(nproc) vCPU ($cpu), $mem; PostgreSQL $pg on the same machine
  (fsync off: the throwaway cluster of \`scripts/pg.sh\`); API release build,
  one worker per core; load from \`wrk -t2 -c$CONNECTIONS -d$DURATION\` on the same machine,
  so client and server share the two cores.
- Data: \`tweets seed --users $USERS --tweets $TWEETS --follows-per-user 50 --likes-per-user 20\`:

\`\`\`
$seed_out
\`\`\`

| request | requests/s | p50 | p99 | non-2xx |
| --- | ---: | ---: | ---: | ---: |
MD
  printf '%s\n' "${rows[@]}"
  cat <<'MD'

Notes:
- Login is bound by Argon2id by design (19 MiB, 2 passes per verification);
  it runs on the blocking pool, so it does not stall other requests.
- `POST /api/v1/tweets` writes one row and updates the author's counter in
  the same statement-level trigger; rate limits were off for the run.
- Every list page costs a fixed number of queries (one, plus one for
  `liked_by_me`/`followed_by_me` when signed in); see `docs/database.md` for
  the plans.
MD
} > docs/benchmarks.md
echo "wrote docs/benchmarks.md" >&2
