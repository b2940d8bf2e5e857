#!/usr/bin/env bash
# Failover under load (scripts/ha_failover.py; docs/ha.md): a local Patroni
# cluster behind HAProxy, the API on its primary port, writers posting; the
# primary node is killed with SIGKILL. Recovery under 30 s, no acknowledged
# write lost, only 201 or 503 + Retry-After, the old primary rejoins.
#
#   scripts/test-ha.sh [-v] [--keep] [--break nofailover|async|nocheck]
#
# Installs what it needs first (scripts/ensure-tools.sh ha: PostgreSQL, etcd,
# HAProxy; the pinned Patroni venv) and builds target/debug/tweets
# (TWEETS_BIN=PATH: use that binary, no build).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
scripts/ensure-tools.sh ha
bin=$(scripts/ha.sh tools)
if [[ -z "${TWEETS_BIN:-}" ]]; then
  cargo build --locked --quiet --bin tweets
  TWEETS_BIN=$ROOT/target/debug/tweets
fi
export TWEETS_BIN
exec "$bin/python" scripts/ha_failover.py --patroni-bin "$bin" "$@"
