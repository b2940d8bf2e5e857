#!/usr/bin/env bash
# End-to-end: the frontend's node unit tests, then real headless Chromium
# (Debian's, driven by playwright-core) through Debian's nginx running the
# project's own nginx config (docker/nginx with templates-tls/, rendered as
# in the container) over HTTPS — a certificate from a local CA made for the
# run (scripts/certs.sh), trusted by the browser through its own NSS
# database — in front of the real API on a throwaway database. Screenshots
# go to test-artifacts/e2e/ (kept by CI, not committed). The tests get the
# database and the binary too, to run the command line (administrators are
# made only there).
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
# nginx's workers run as another user, which may not be able to enter the
# checkout (a clone under root's home or a `mktemp -d` folder): serve a copy.
mkdir -m 755 "$tmp/static"
cp -R frontend/index.html frontend/favicon.svg frontend/css frontend/js "$tmp/static/"
chmod -R a+rX "$tmp/static"
api_port=$(free_port)
web_port=$(free_port)
tls_port=$(free_port)
scripts/certs.sh "$tmp/certs" 127.0.0.1 localhost >/dev/null
mkdir -m 755 "$tmp/acme"
# The browser trusts the run's CA the way a person's would: in its NSS database.
command -v certutil >/dev/null || { echo "e2e.sh: certutil is needed (apt-get install libnss3-tools)" >&2; exit 1; }
mkdir -p "$tmp/home/.pki/nssdb"
certutil -d "sql:$tmp/home/.pki/nssdb" -N --empty-password
certutil -d "sql:$tmp/home/.pki/nssdb" -A -t "C,," -n "tweets e2e CA" -i "$tmp/certs/ca.pem"
secret=e2e-jwt-secret-0123456789-abcdefghijklmnop
JWT_SECRET=$secret start_api target/debug/tweets "$SCRATCH_DB_URL" "$api_port" "$tmp/media" \
  TRUST_FORWARDED_FOR=true

python3 scripts/render_nginx.py --tls "$tmp/nginx" NGINX_PORT="$web_port" API_UPSTREAM="127.0.0.1:$api_port" \
  API_UPSTREAM_PARAMS= NGINX_RESOLVER=127.0.0.1 TWEETS_STATIC_ROOT="$tmp/static" TWEETS_MEDIA_ROOT="$tmp/media" \
  NGINX_TLS_PORT="$tls_port" NGINX_PUBLIC_TLS_PORT="$tls_port" TLS_CERTIFICATE="$tmp/certs/fullchain.pem" \
  TLS_CERTIFICATE_KEY="$tmp/certs/privkey.pem" NGINX_OCSP_STAPLING=off ACME_WEBROOT="$tmp/acme"
nginx -t -q -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log"
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" -g 'daemon off;' >"$tmp/nginx/access.log" 2>&1 &
stop_on_exit $!
base=https://127.0.0.1:$tls_port
CURL_CA_BUNDLE=$tmp/certs/ca.pem wait_http "$base/healthz"

mkdir -p test-artifacts/e2e
(cd frontend && HOME=$tmp/home NODE_EXTRA_CA_CERTS=$tmp/certs/ca.pem E2E_BASE_URL=$base \
  E2E_HTTP_URL=http://127.0.0.1:$web_port E2E_JWT_SECRET=$secret E2E_ARTIFACTS="$ROOT/test-artifacts/e2e" \
  E2E_DATABASE_URL="$SCRATCH_DB_URL" E2E_TWEETS_BIN="$ROOT/target/debug/tweets" \
  node --test --test-concurrency=1 e2e/)
