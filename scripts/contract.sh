#!/usr/bin/env bash
# Contract test: Schemathesis drives the live server from its own OpenAPI
# document (every operation, authenticated) and checks every response against
# it. Needs DATABASE_URL to a server where it may create a database
# (`make contract` provides a throwaway one). Excluded checks and why: docs/api.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
: "${DATABASE_URL:?}"
bin=$(scripts/tools.sh)
cargo build --locked --quiet --bin tweets

admin=${DATABASE_URL%/*}/postgres
db=tweets_contract_$$
psql "$admin" -XAqc "CREATE DATABASE $db"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
media=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  psql "$admin" -XAqc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$media"
}
trap cleanup EXIT
DATABASE_URL=${DATABASE_URL%/*}/$db BIND_ADDR=127.0.0.1:$port JWT_SECRET=contract-test-secret-0123456789abcdefghij \
  RATE_LIMIT_AUTH_PER_MINUTE=0 RATE_LIMIT_POSTS_PER_MINUTE=0 RUST_LOG=${RUST_LOG:-error} MEDIA_ROOT=$media \
  target/debug/tweets serve &
server_pid=$!
base=http://127.0.0.1:$port
for _ in $(seq 1 300); do
  target/debug/tweets healthcheck --url "$base/healthz" 2>/dev/null && break
  sleep 0.1
done
token=$(curl -fsS -X POST "$base/api/v1/auth/register" -H 'content-type: application/json' \
  -d '{"username":"contract","password":"contract-password"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

cd "$(mktemp -d)" # Schemathesis writes its reports and example database to the working directory
"$bin/schemathesis" run "$base/api/openapi.json" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --header "Authorization: Bearer $token" \
  --max-examples "${CONTRACT_MAX_EXAMPLES:-60}" \
  --seed "${CONTRACT_SEED:-20261125}" \
  --request-timeout 10 \
  --no-color
