#!/usr/bin/env bash
# Contract test: Schemathesis drives the live server from its own OpenAPI
# document (every operation, authenticated) and checks every response against
# it. Needs DATABASE_URL to a server where it may create a database
# (`make contract` provides a throwaway one). Excluded checks and operations
# (logout; the live streams, which never end) and why: docs/api.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
: "${DATABASE_URL:?}"
bin=$(scripts/tools.sh)
cargo build --locked --quiet --bin tweets

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
port=$(free_port)
scratch_db "tweets_contract_$$"
scratch_dir
start_api target/debug/tweets "$SCRATCH_DB_URL" "$port" "$SCRATCH_DIR"
base=http://127.0.0.1:$port
token=$(curl -fsS -X POST "$base/api/v1/auth/register" -H 'content-type: application/json' \
  -d '{"username":"contract","password":"contract-password"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

scratch_dir
cd "$SCRATCH_DIR" # Schemathesis writes its reports and example database to the working directory
"$bin/schemathesis" run "$base/api/openapi.json" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --exclude-operation-id logout \
  --exclude-operation-id streamNotifications \
  --exclude-operation-id streamHomeTimeline \
  --header "Authorization: Bearer $token" \
  --max-examples "${CONTRACT_MAX_EXAMPLES:-60}" \
  --seed "${CONTRACT_SEED:-20261125}" \
  --request-timeout 10 \
  --no-color
