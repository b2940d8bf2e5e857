#!/usr/bin/env bash
# A local highly available PostgreSQL: one etcd, three Patroni nodes
# (PostgreSQL, synchronous replication, pg_rewind) and HAProxy in front, all on
# free loopback ports (scripts/ha/hacluster.py does the work; docs/ha.md).
#
#   scripts/ha.sh up              start it (make ha-up) and print its URLs
#   scripts/ha.sh down            stop exactly what `up` started, by PID, and remove its state (make ha-down)
#   scripts/ha.sh status          the URLs and the members, their roles and lag
#   scripts/ha.sh patronictl ARGS patronictl on this cluster: list, switchover, failover, reinit NODE…
#   scripts/ha.sh tools           install the pinned Patroni venv if needed; print its bin directory
#
# The state file is .data/ha/state.json ($TWEETS_DATA_DIR/ha/state.json); the
# cluster itself lives in a fresh temporary directory. PostgreSQL binaries:
# $PG_BIN, else /usr/lib/postgresql/15/bin, else the newest installed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_DIR=${TWEETS_DATA_DIR:-$ROOT/.data}
STATE=$DATA_DIR/ha/state.json

die() { echo "ha.sh: $*" >&2; exit 1; }

# The Patroni venv (scripts/requirements-ha.txt). As root, Patroni runs as the
# postgres user, which must be able to run the venv's interpreter and read its
# files: when the clone or python3 on PATH (pyenv in root's home) is out of
# that user's reach, the venv is built with the system interpreter, outside
# the clone.
ha_tools() {
  local venv=$ROOT/.tools/ha python=python3
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user (apt-get install postgresql)"
    local real
    real=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')
    if ! (cd / && runuser -u postgres -- test -x "$real"); then python=/usr/bin/python3; fi
    if ! (cd / && runuser -u postgres -- test -x "$ROOT"); then
      venv=/var/tmp/tweets-ha-tools-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
    fi
  fi
  mkdir -p "$(dirname "$venv")"
  TOOLS_VENV=$venv TOOLS_PYTHON=$(command -v "$python") "$ROOT/scripts/tools.sh" ha
}

need_bins() {
  command -v etcd >/dev/null 2>&1 || die "etcd not found: scripts/ensure-tools.sh ha (Debian: apt-get install etcd-server)"
  command -v haproxy >/dev/null 2>&1 || [[ -x /usr/sbin/haproxy ]] ||
    die "haproxy not found: scripts/ensure-tools.sh ha (Debian: apt-get install haproxy)"
}

cluster() {
  local bin
  bin=$(ha_tools)
  exec "$bin/python" "$ROOT/scripts/ha/hacluster.py" "$1" --state "$STATE" --patroni-bin "$bin" "${@:2}"
}

case "${1:-}" in
  up)
    "$ROOT/scripts/ensure-tools.sh" ha
    need_bins
    cluster up "${@:2}"
    ;;
  down) cluster down ;;
  status) cluster status ;;
  patronictl) shift; cluster patronictl "$@" ;;
  tools) ha_tools ;;
  *) die "usage: $0 up|down|status|patronictl ARGS...|tools" ;;
esac
