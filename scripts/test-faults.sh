#!/usr/bin/env bash
# Fault-injection suite (scripts/faults.py): PostgreSQL stopped, crashed and
# restarted, Redis killed and frozen, a table lock exhausting the pool — each
# under load, against processes of its own on loopback ports.
#
#   scripts/test-faults.sh [--only NAME]... [--keep] [--list]
#
# Builds target/debug/tweets first (FAULTS_RELEASE=1: target/release/tweets;
# TWEETS_BIN=PATH: use that binary, no build).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [[ -z "${TWEETS_BIN:-}" ]]; then
  if [[ "${FAULTS_RELEASE:-0}" == 1 ]]; then
    cargo build --locked --quiet --release --bin tweets
    TWEETS_BIN=$ROOT/target/release/tweets
  else
    cargo build --locked --quiet --bin tweets
    TWEETS_BIN=$ROOT/target/debug/tweets
  fi
fi
export TWEETS_BIN
exec python3 scripts/faults.py "$@"
