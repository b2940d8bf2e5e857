#!/usr/bin/env bash
# `make exercises`: the practice track (docs/exercises/README.md). Every
# command block of docs/exercises/*.md is checked, and every ```sh run```
# block is run by scripts/exercises.py against a live API. Needs
# DATABASE_URL to a server where it may create databases (`make exercises`
# provides a throwaway one). Arguments go to exercises.py (--only 03, -v,
# --keep, --list). TWEETS_BIN=path uses that binary instead of building one.
#
# Each exercise file gets a database and an API server of its own (this
# script, called back by exercises.py as `--serve-one … CMD`), rather than
# one server for all. A file may seed, deactivate accounts, write the audit
# log, list "every user" or start a second server with other settings;
# with its own database nothing it does is seen by another file, so each
# file runs alone, in any order, in parallel and as often as wanted, exactly
# as the README promises the learner. It costs little: an empty database
# plus `tweets serve` (which migrates it) is ready in well under a second.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL server (make exercises provides one)}"

# shellcheck source=scripts/lib.sh
source scripts/lib.sh

if [[ ${1:-} == --serve-one ]]; then
  # One file's world: its database, its server (rate limits off, metrics on
  # a port of their own, the SPA from frontend/), its PATH; then CMD (the
  # file's bash), after which lib.sh's trap stops the server and drops the
  # database. exercises.py sets EXERCISE_ID, EXERCISE_WORK and TWEETS_EXERCISE_TMP.
  shift
  : "${EXERCISE_ID:?}" "${EXERCISE_WORK:?}" "${TWEETS_EXERCISE_TMP:?}" "${TWEETS_BIN:?}"
  port=$(free_port)
  metrics_port=$(free_port)
  while [[ $metrics_port == "$port" ]]; do metrics_port=$(free_port); done
  scratch_db "tweets_exercise_${EXERCISE_ID}_$$"
  scratch_dir
  mkdir -p "$EXERCISE_WORK/bin"
  ln -s "$TWEETS_BIN" "$EXERCISE_WORK/bin/tweets"
  # From a folder without a .env: a developer's .env must not change the server.
  cd "$SCRATCH_DIR"
  start_api "$TWEETS_BIN" "$SCRATCH_DB_URL" "$port" "$SCRATCH_DIR" \
    METRICS_ADDR="127.0.0.1:$metrics_port" STATIC_DIR="$ROOT/frontend" RUST_LOG=info \
    >"$EXERCISE_WORK/server.log" 2>&1
  cd "$ROOT"
  export BASE=http://127.0.0.1:$port METRICS_BASE=http://127.0.0.1:$metrics_port \
    DATABASE_URL=$SCRATCH_DB_URL PATH=$EXERCISE_WORK/bin:$PATH
  status=0
  "$@" || status=$?
  exit "$status"
fi

for tool in curl jq psql python3; do
  command -v "$tool" >/dev/null || { echo "test-exercises: the exercises need $tool (make deps installs it)" >&2; exit 1; }
done
if [[ -z ${TWEETS_BIN:-} ]]; then
  cargo build --locked --quiet --bin tweets
  TWEETS_BIN=$ROOT/target/debug/tweets
fi
TWEETS_BIN=$(realpath "$TWEETS_BIN")
export TWEETS_BIN
# Install the pinned Python tools once, before files run in parallel.
scripts/tools.sh >/dev/null
if grep -qs 'tools.sh checkov' docs/exercises/*.md; then scripts/tools.sh checkov >/dev/null; fi

# The runner's own tests first: a runner that cannot fail proves nothing.
python3 scripts/exercises.py --self-test
python3 scripts/exercises.py --jobs "${EXERCISES_JOBS:-4}" \
  --provision "$ROOT/scripts/test-exercises.sh --serve-one" "$@"
