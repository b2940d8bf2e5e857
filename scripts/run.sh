#!/usr/bin/env bash
# `make run`: the whole app (API + single-page app + media) in one process on
# http://localhost:8080, on $DATABASE_URL when it answers, else on a project
# PostgreSQL cluster under .data/ that this starts (stop it with `make stop-db`).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

DATABASE_URL=$(scripts/pg.sh url)
export DATABASE_URL
mkdir -p .data/media
# A development secret that survives restarts, so sessions do too; never used in production.
if [[ -z "${JWT_SECRET:-}" ]]; then
  if [[ ! -s .data/jwt_secret ]]; then
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >.data/jwt_secret)
  fi
  JWT_SECRET=$(cat .data/jwt_secret)
  export JWT_SECRET
fi
if [[ -z "${STATIC_DIR:-}" && -f "$ROOT/frontend/index.html" ]]; then
  export STATIC_DIR=$ROOT/frontend
fi
export MEDIA_ROOT=${MEDIA_ROOT:-$ROOT/.data/media}
export BIND_ADDR=${BIND_ADDR:-127.0.0.1:8080}
export RUST_LOG=${RUST_LOG:-info}

echo "Tweets on http://localhost:${BIND_ADDR##*:} (database: ${DATABASE_URL%%\?*})" >&2
exec cargo run ${CARGO_PROFILE:+--profile "$CARGO_PROFILE"} --locked --quiet --bin tweets -- serve
