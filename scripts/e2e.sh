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

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
admin=${DATABASE_URL%/*}/postgres
db=tweets_e2e_$$
tmp=$(mktemp -d)
chmod 755 "$tmp"
mkdir -m 755 "$tmp/media"
psql "$admin" -XAqc "CREATE DATABASE $db"
api_pid='' nginx_pid=''
cleanup() {
  [[ -n "$nginx_pid" ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  [[ -n "$api_pid" ]] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null
  psql "$admin" -XAqc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$tmp"
}
trap cleanup EXIT

api_port=$(free_port)
web_port=$(free_port)
secret=e2e-jwt-secret-0123456789-abcdefghijklmnop
DATABASE_URL=${DATABASE_URL%/*}/$db BIND_ADDR=127.0.0.1:$api_port JWT_SECRET=$secret MEDIA_ROOT=$tmp/media \
  RATE_LIMIT_AUTH_PER_MINUTE=0 RATE_LIMIT_POSTS_PER_MINUTE=0 TRUST_FORWARDED_FOR=true RUST_LOG=${RUST_LOG:-warn} \
  target/debug/tweets serve &
api_pid=$!

python3 scripts/render_nginx.py "$tmp/nginx" NGINX_PORT="$web_port" API_UPSTREAM="127.0.0.1:$api_port" \
  API_UPSTREAM_PARAMS= NGINX_RESOLVER=127.0.0.1 TWEETS_STATIC_ROOT="$ROOT/frontend" TWEETS_MEDIA_ROOT="$tmp/media"
nginx -t -q -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log"
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" -g 'daemon off;' >"$tmp/nginx/access.log" 2>&1 &
nginx_pid=$!

base=http://127.0.0.1:$web_port
for _ in $(seq 1 300); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null

mkdir -p test-artifacts/e2e
(cd frontend && E2E_BASE_URL=$base E2E_JWT_SECRET=$secret E2E_ARTIFACTS="$ROOT/test-artifacts/e2e" \
  node --test --test-concurrency=1 e2e/)
