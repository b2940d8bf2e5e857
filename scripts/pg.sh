#!/usr/bin/env bash
# PostgreSQL for local runs and tests, without relying on any server being there.
#
#   scripts/pg.sh url                 print a DATABASE_URL that answers: $DATABASE_URL when it
#                                     does, else the project cluster under .data/ (started if needed)
#   scripts/pg.sh start | stop | status   the project cluster under .data/pg
#   scripts/pg.sh start-url           start it if needed and print its DATABASE_URL
#   scripts/pg.sh with-throwaway CMD…    run CMD with DATABASE_URL set: $DATABASE_URL when it
#                                     answers, else a fresh cluster in a temp dir, removed afterwards
#                                     (started with the server options in $PG_EXTRA_OPTS)
#   scripts/pg.sh with-throwaway-tls CERT_DIR CMD…
#                                     run CMD against a fresh cluster that accepts TLS connections
#                                     only, with CERT_DIR/fullchain.pem and privkey.pem (certs.sh);
#                                     DATABASE_URL names it by `localhost` (the certificate's name)
#
# Works as an ordinary user and as root (initdb refuses root: it then runs as
# the `postgres` user through runuser). PostgreSQL binaries are found through
# $PG_BIN, pg_config, /usr/lib/postgresql/*/bin or PATH.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_DIR=${TWEETS_DATA_DIR:-$ROOT/.data}
PG_DIR=$DATA_DIR/pg
# As root the cluster runs as `postgres`, which cannot reach a checkout inside
# a directory other users cannot enter (root's home, a `mktemp -d` folder):
# the cluster then lives outside it, under a name derived from the checkout.
if [[ $(id -u) -eq 0 ]] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
  PG_DIR=/var/tmp/tweets-pg-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
fi

log() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

find_pg_bin() {
  if [[ -n "${PG_BIN:-}" && -x "$PG_BIN/initdb" ]]; then echo "$PG_BIN"; return; fi
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir 2>/dev/null || true)
    if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return; fi
  fi
  d=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  die "PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL or set PG_BIN"
}

# Runs a PostgreSQL server binary as the right user.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    # From /: postgres may not be allowed into the current directory.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

answers() {
  local url=$1
  if command -v psql >/dev/null 2>&1; then
    PGCONNECT_TIMEOUT=3 psql "$url" -XAtqc 'SELECT 1' >/dev/null 2>&1
  else
    "$(find_pg_bin)/pg_isready" -q -d "$url" -t 3
  fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if port_free "$p"; then echo "$p"; return; fi
  done
  die "no free port found"
}

# init_and_start DIR [SERVER OPTIONS]: initdb (when new) and start a cluster
# in DIR, on a free port; prints the port.
init_and_start() {
  local dir=$1 extra=${2:-} bin port
  bin=$(find_pg_bin)
  mkdir -p "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user"
    chown postgres: "$dir"
  fi
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  for _ in 1 2 3 4 5; do
    port=$(pick_port)
    if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 $extra" \
        start >/dev/null 2>&1; then
      echo "$port" >"$dir/port"
      [[ $(id -u) -eq 0 ]] && chown postgres: "$dir/port"
      echo "$port"
      return
    fi
  done
  tail -n 20 "$dir/postgres.log" >&2 || true
  die "could not start PostgreSQL in $dir"
}

running() {
  local dir=$1
  [[ -f "$dir/data/postmaster.pid" ]] && as_pg "$(find_pg_bin)/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

stop_cluster() {
  local dir=$1
  if running "$dir"; then
    as_pg "$(find_pg_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  fi
}

ensure_db() {
  local port=$1 db=$2
  local url="postgres://postgres@127.0.0.1:$port/postgres"
  if ! psql "$url" -XAtqc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    psql "$url" -XAtqc "CREATE DATABASE \"$db\"" >/dev/null
  fi
}

cmd_start() {
  local port
  if running "$PG_DIR"; then
    port=$(cat "$PG_DIR/port")
  else
    port=$(init_and_start "$PG_DIR")
    log "started PostgreSQL in $PG_DIR on port $port (stop it with: make stop-db)"
  fi
  ensure_db "$port" tweets
  echo "postgres://postgres@127.0.0.1:$port/tweets"
}

cmd_url() {
  if [[ -n "${DATABASE_URL:-}" ]]; then
    if answers "$DATABASE_URL"; then echo "$DATABASE_URL"; return; fi
    log "DATABASE_URL does not answer; using the project cluster under .data/ instead"
  fi
  cmd_start
}

cmd_with_throwaway() {
  if [[ -n "${DATABASE_URL:-}" ]] && answers "$DATABASE_URL"; then
    "$@"
    return
  fi
  local dir port status=0
  dir=$(mktemp -d "${TMPDIR:-/tmp}/tweets-pg.XXXXXX")
  # shellcheck disable=SC2064 # expand now: the trap must remove this very directory
  trap "stop_cluster '$dir'; rm -rf '$dir'" EXIT
  port=$(init_and_start "$dir" "${PG_EXTRA_OPTS:-}")
  log "throwaway PostgreSQL on port $port"
  DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres" "$@" || status=$?
  return "$status"
}

cmd_with_throwaway_tls() {
  local certs=$1 dir port status=0
  shift
  [[ -s "$certs/fullchain.pem" && -s "$certs/privkey.pem" ]] || die "no fullchain.pem/privkey.pem in $certs (scripts/certs.sh makes them)"
  dir=$(mktemp -d "${TMPDIR:-/tmp}/tweets-pg-tls.XXXXXX")
  # shellcheck disable=SC2064 # expand now: the trap must remove this very directory
  trap "stop_cluster '$dir'; rm -rf '$dir'" EXIT
  mkdir -p "$dir/tls"
  cp "$certs/fullchain.pem" "$certs/privkey.pem" "$dir/tls/"
  chmod 600 "$dir/tls/privkey.pem"
  [[ $(id -u) -eq 0 ]] && chown -R postgres: "$dir"
  as_pg "$(find_pg_bin)/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # TCP connections without TLS are refused: a client that connects proves it used TLS.
  printf '%s\n' 'local all all trust' 'hostssl all all 127.0.0.1/32 trust' 'hostssl all all ::1/128 trust' \
    'hostnossl all all all reject' >"$dir/data/pg_hba.conf"
  port=$(init_and_start "$dir" "-c ssl=on -c ssl_cert_file=$dir/tls/fullchain.pem -c ssl_key_file=$dir/tls/privkey.pem -c ssl_min_protocol_version=TLSv1.2")
  log "throwaway PostgreSQL (TLS only) on port $port"
  DATABASE_URL="postgres://postgres@localhost:$port/postgres" "$@" || status=$?
  return "$status"
}

case "${1:-}" in
  url) cmd_url ;;
  start) cmd_start >/dev/null; log "running: $(cat "$PG_DIR/port" 2>/dev/null)" ;;
  start-url) cmd_start ;;
  stop) stop_cluster "$PG_DIR"; log "stopped" ;;
  status) if running "$PG_DIR"; then echo "running on port $(cat "$PG_DIR/port")"; else echo "stopped"; fi ;;
  with-throwaway) shift; cmd_with_throwaway "$@" ;;
  with-throwaway-tls) shift; cmd_with_throwaway_tls "$@" ;;
  *) die "usage: $0 url|start|start-url|stop|status|with-throwaway CMD...|with-throwaway-tls CERT_DIR CMD..." ;;
esac
