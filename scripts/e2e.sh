#!/usr/bin/env bash
# End-to-end: the frontend's node unit tests, then real headless Chromium
# (Debian's, driven by playwright-core) through Debian's nginx running the
# project's own nginx config (docker/nginx, rendered as in the container) in
# front of the real API on a throwaway database. Screenshots go to
# test-artifacts/e2e/ (kept by CI, not committed).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
: "${DATABASE_URL:?}"

(cd frontend && node --test test/)

[[ -d frontend/node_modules/playwright-core ]] || (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
cargo build --locked --quiet --bin tweets

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
scratch_dir
tmp=$SCRATCH_DIR
scratch_db "tweets_e2e_$$"
mkdir -m 755 "$tmp/media"
api_port=$(free_port)
web_port=$(free_port)
secret=e2e-jwt-secret-0123456789-abcdefghijklmnop
JWT_SECRET=$secret start_api target/debug/tweets "$SCRATCH_DB_URL" "$api_port" "$tmp/media" \
  TRUST_FORWARDED_FOR=true

python3 scripts/render_nginx.py "$tmp/nginx" NGINX_PORT="$web_port" API_UPSTREAM="127.0.0.1:$api_port" \
  API_UPSTREAM_PARAMS= NGINX_RESOLVER=127.0.0.1 TWEETS_STATIC_ROOT="$ROOT/frontend" TWEETS_MEDIA_ROOT="$tmp/media"
nginx -t -q -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log"
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" -g 'daemon off;' >"$tmp/nginx/access.log" 2>&1 &
stop_on_exit $!
base=http://127.0.0.1:$web_port
wait_http "$base/healthz"

mkdir -p test-artifacts/e2e
(cd frontend && E2E_BASE_URL=$base E2E_JWT_SECRET=$secret E2E_ARTIFACTS="$ROOT/test-artifacts/e2e" \
  node --test --test-concurrency=1 e2e/)
