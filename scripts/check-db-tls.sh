#!/usr/bin/env bash
# TLS to PostgreSQL, for real: a throwaway cluster that accepts only TLS
# connections, with a certificate for `localhost` from a CA made for the run
# (scripts/certs.sh). The API must connect with sslmode=verify-full (the
# CA checked and the server's name matched), serve through that pool, and
# refuse a server it cannot verify; check --deploy passes only with TLS.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if [[ "${1:-}" != --inside ]]; then
  cargo build --locked --quiet --bin tweets
  # shellcheck source=scripts/lib.sh
  source scripts/lib.sh
  scratch_dir
  scripts/certs.sh "$SCRATCH_DIR/certs" localhost >/dev/null
  scripts/certs.sh "$SCRATCH_DIR/other-ca" localhost >/dev/null
  # Readable by the server's user: pg.sh copies the pair into the cluster.
  chmod 755 "$SCRATCH_DIR"
  scripts/pg.sh with-throwaway-tls "$SCRATCH_DIR/certs" "$0" --inside "$SCRATCH_DIR"
  exit
fi

dir=$2
bin=target/debug/tweets
ca=$dir/certs/ca.pem
fail() { echo "check-db-tls: $*" >&2; exit 1; }
tweets() { env -i PATH="$PATH" RUST_LOG=error "$@"; }

# DATABASE_URL is postgres://postgres@localhost:PORT/postgres (from pg.sh).
server=${DATABASE_URL%/*}
port=${server##*:}
psql "$DATABASE_URL?sslmode=verify-full&sslrootcert=$ca" -XAqc 'CREATE DATABASE tweets_tls'
url="$server/tweets_tls?sslmode=verify-full&sslrootcert=$ca"

tweets DATABASE_URL="$url" "$bin" migrate >/dev/null || fail "migrate over verify-full failed"
echo "check-db-tls: migrate over sslmode=verify-full"

# The server really refuses plain connections, and a client refuses a server it cannot verify.
if tweets DATABASE_URL="$server/tweets_tls?sslmode=disable" "$bin" check >/dev/null 2>&1; then
  fail "a connection without TLS was accepted"
fi
out=$(tweets DATABASE_URL="$server/tweets_tls?sslmode=verify-full&sslrootcert=$dir/other-ca/ca.pem" "$bin" check 2>&1 || true)
grep -q "certificate verify failed" <<<"$out" || fail "a certificate from another CA was not refused: $out"
out=$(tweets DATABASE_URL="postgres://postgres@127.0.0.1:$port/tweets_tls?sslmode=verify-full&sslrootcert=$ca" "$bin" check 2>&1 || true)
grep -q 'does not match host name' <<<"$out" || fail "a server name mismatch was not refused: $out"
echo "check-db-tls: plain connections, an unknown CA and a wrong host name are refused"

# check --deploy: a clean pass with verify-full, a complaint without.
secret="db-tls-check-secret-q8Zt3kP0vW9xYb2Lm5Nc7Rd1"
tweets DATABASE_URL="$url" APP_ENV=production JWT_SECRET=$secret "$bin" check --deploy >/dev/null ||
  fail "check --deploy does not pass with verify-full: $(tweets DATABASE_URL="$url" APP_ENV=production JWT_SECRET=$secret "$bin" check --deploy)"
out=$(tweets DATABASE_URL="$server/tweets_tls?sslmode=require" PGSSLMODE=disable APP_ENV=production JWT_SECRET=$secret "$bin" check --deploy || true)
grep -q "no problems found" <<<"$out" || fail "sslmode=require in the URL should satisfy check --deploy: $out"
echo "check-db-tls: check --deploy passes with TLS to the database"

# The server's pool: readiness and a write through verify-full connections.
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
api_port=$(free_port)
scratch_dir
start_api "$bin" "$url" "$api_port" "$SCRATCH_DIR"
curl -fsS "http://127.0.0.1:$api_port/readyz" >/dev/null || fail "/readyz is not 200 over TLS"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$api_port/api/v1/auth/register" \
  -H 'Content-Type: application/json' -d '{"username":"tls_user","password":"tls-password-1"}')
[[ $code == 201 ]] || fail "registration through the TLS pool answered $code"
ssl=$(psql "$url" -XAtqc "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = 'tweets_tls' AND s.ssl AND a.pid <> pg_backend_pid()")
[[ $ssl -ge 1 ]] || fail "no TLS connection of the API's pool in pg_stat_ssl"
echo "check-db-tls: the API serves over $ssl TLS pool connection(s) with verify-full"
