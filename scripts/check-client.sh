#!/usr/bin/env bash
# The OpenAPI document as API consumers use it: generate a Python client from
# openapi.json with a maintained generator (openapi-python-client, pinned in
# scripts/requirements-client.txt), warnings fatal, then run a short story
# through it against a live server (scripts/client_story.py). Needs
# DATABASE_URL to a server where it may create a database (`make client`).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
: "${DATABASE_URL:?}"
bin=$(scripts/tools.sh client)
cargo build --locked --quiet --bin tweets

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
scratch_dir
gen=$SCRATCH_DIR
(cd "$gen" && PATH="$bin:$PATH" "$bin/openapi-python-client" generate --path "$ROOT/openapi.json" \
  --meta none --fail-on-warning >"$gen/generate.log" 2>&1) || { cat "$gen/generate.log" >&2; exit 1; }

scratch_dir
port=$(free_port)
scratch_db "tweets_client_$$"
start_api target/debug/tweets "$SCRATCH_DB_URL" "$port" "$SCRATCH_DIR"
API_URL=http://127.0.0.1:$port PYTHONPATH=$gen "$bin/python" scripts/client_story.py
