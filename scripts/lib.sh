#!/usr/bin/env bash
# Shared by the scripts that run the API for a check (contract.sh, e2e.sh,
# bench/run.sh): a scratch database, a server on a free port, and cleanup of
# both when the script exits. Source it; needs DATABASE_URL to a server where
# it may create databases.

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

_lib_pids=()
_lib_dbs=()
_lib_dirs=()
_lib_cleanup() {
  local pid db dir
  for pid in "${_lib_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for db in "${_lib_dbs[@]}"; do
    psql "${DATABASE_URL%/*}/postgres" -XAqc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  done
  for dir in "${_lib_dirs[@]}"; do rm -rf "$dir"; done
}
trap _lib_cleanup EXIT

# Stops a background process started by the caller when the script exits.
stop_on_exit() { _lib_pids+=("$1"); }

# Sets SCRATCH_DIR to a new temporary directory (mode 755, so nginx workers
# can read it), removed on exit. (Not for $(…): the cleanup list would be lost.)
scratch_dir() {
  SCRATCH_DIR=$(mktemp -d)
  chmod 755 "$SCRATCH_DIR"
  _lib_dirs+=("$SCRATCH_DIR")
}

# Creates a database named NAME, dropped on exit, and sets SCRATCH_DB_URL.
scratch_db() {
  psql "${DATABASE_URL%/*}/postgres" -XAqc "CREATE DATABASE $1"
  _lib_dbs+=("$1")
  # shellcheck disable=SC2034 # read by the script that sources this
  SCRATCH_DB_URL=${DATABASE_URL%/*}/$1
}

# start_api BINARY DB_URL PORT MEDIA_ROOT [NAME=VALUE…]: `tweets serve` with
# rate limits off, no metrics listener and a fixed test secret (override with
# NAME=VALUE), stopped on exit; returns once /healthz answers. Sets API_PID.
start_api() {
  local bin=$1 url=$2 port=$3 media=$4
  shift 4
  env DATABASE_URL="$url" BIND_ADDR="127.0.0.1:$port" MEDIA_ROOT="$media" \
    JWT_SECRET="${JWT_SECRET:-check-scripts-secret-0123456789abcdefgh}" \
    RATE_LIMIT_AUTH_PER_MINUTE=0 RATE_LIMIT_POSTS_PER_MINUTE=0 RUST_LOG="${RUST_LOG:-error}" METRICS_ADDR=off \
    "$@" "$bin" serve &
  # shellcheck disable=SC2034 # read by the script that sources this
  API_PID=$!
  stop_on_exit $!
  wait_http "http://127.0.0.1:$port/healthz"
}

# Polls URL until it answers 2xx (60 s at most).
wait_http() {
  local _
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2
  return 1
}
