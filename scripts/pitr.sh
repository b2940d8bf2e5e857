#!/usr/bin/env bash
# Point-in-time recovery: base backups of the whole cluster plus the WAL that
# PostgreSQL archives (archive_mode, see compose.prod.yaml) replay the
# database to any moment since the oldest kept base backup. See --help and
# docs/backup.md (the runbook); scripts/test-pitr.sh runs it for real.
set -euo pipefail
BK_NAME=pitr.sh
# shellcheck source=scripts/backup-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/backup-lib.sh"

# Where the db container's archive_command copies WAL (compose.prod.yaml).
COMPOSE_WAL_ARCHIVE=/var/lib/postgresql/wal-archive

usage() {
  cat <<EOF
Usage: scripts/pitr.sh [--compose] COMMAND [OPTIONS]

Commands:
  base-backup          pg_basebackup of the cluster (tar, gzip, the WAL it needs
                       included) to PITR_DIR/base-YYYYMMDDTHHMMSSZ.tar.gz; then keeps
                       the newest PITR_KEEP (default 2) and deletes archived WAL older
                       than the oldest kept one (pg_archivecleanup): recovery reaches
                       back to the start of the oldest kept base backup
  restore-point NAME   pg_create_restore_point(NAME), e.g. before a migration: a
                       named target to recover to; prints its LSN
  status               archiving settings and pg_stat_archiver (last archived WAL,
                       failures)
  restore --base FILE (--time TS | --name NAME | --lsn LSN | --latest) [--data DIR]
                       local: unpacks the base backup into DIR (new or empty), adds
                       recovery.signal, restore_command (copy from PITR_WAL_ARCHIVE)
                       and the target to postgresql.auto.conf; start DIR with pg_ctl
                       as the server's user, then run \`pitr.sh finish\` against it.
                       --compose: stops api and db, moves the db volume's contents to
                       .pre-pitr-<UTC>/ inside it, unpacks the base backup, starts db,
                       waits for recovery to reach the target (finish), starts api
  finish               waits (PITR_TIMEOUT, default 900 s) until the server being
                       recovered has reached its target and been promoted, then
                       removes the recovery settings from postgresql.auto.conf

Targets: --time '2026-12-01 08:30:00+00' (the last transaction committed at or
before it is kept), --name NAME (a restore point), --lsn 0/3000060, --latest
(everything archived: the state just before the loss).

Local target: DATABASE_URL (a superuser or replication role; its database
part is ignored by pg_basebackup), PITR_WAL_ARCHIVE (the folder
archive_command copies to; readable by the server's user). Running as root,
restore gives DIR to PITR_PG_USER (default postgres).
Compose: the variables of backup.sh --help; the archive is the wal-archive
volume at $COMPOSE_WAL_ARCHIVE in the db container.
PITR_DIR defaults to \$BACKUP_DIR/base (.data/backups/base).
EOF
}

BK_TARGET=${BACKUP_TARGET:-local}
args=()
while (($#)); do
  case "$1" in
    --compose) BK_TARGET=compose ;;
    --local) BK_TARGET=local ;;
    -h | --help) usage; exit 0 ;;
    *) args+=("$1") ;;
  esac
  shift
done
set -- "${args[@]}"
[[ $# -ge 1 ]] || { usage >&2; exit 2; }
cmd=$1
shift

pitr_dir=${PITR_DIR:-${BACKUP_DIR:-${TWEETS_DATA_DIR:-$BK_ROOT/.data}/backups}/base}
keep=${PITR_KEEP:-2}

# Connection checks, without needing MEDIA_ROOT (pitr.sh has no media step).
init() {
  if [[ "$BK_TARGET" == local ]]; then
    MEDIA_ROOT=${MEDIA_ROOT:-unused}
  fi
  bk_init_target
}

# A PostgreSQL program: on PATH, else in the server's bin directory.
pg_prog() {
  if command -v "$1" >/dev/null; then command -v "$1"; return; fi
  local d
  d=$(pg_config --bindir 2>/dev/null || true)
  [[ -n "$d" && -x "$d/$1" ]] || d=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$d" && -x "$d/$1" ]] || bk_die "$1 not found (install the PostgreSQL client/server tools)"
  echo "$d/$1"
}

sql() { pg_db "${BACKUP_MAINTENANCE_DB:-postgres}" psql -XAtq -v ON_ERROR_STOP=1 "$@"; }

no_quotes() { [[ "$2" != *"'"* && "$2" != *$'\n'* ]] || bk_die "$1 must not contain quotes or newlines"; }

cmd_base_backup() {
  init
  mkdir -p "$pitr_dir"
  local ts name started
  started=$(date +%s.%N)
  ts=$(date -u +%Y%m%dT%H%M%SZ)
  name=base-$ts.tar.gz
  [[ ! -e "$pitr_dir/$name" ]] || bk_die "$pitr_dir/$name already exists"
  # -D - with -Ft: one tar on stdout; -X fetch: the WAL written during the
  # backup is inside it, so the base backup is consistent on its own;
  # -c fast: checkpoint at once instead of spreading it.
  local opts=(-D - -Ft -X fetch -z -c fast -l "pitr.sh $ts")
  if [[ "$BK_TARGET" == compose ]]; then
    compose exec -T db pg_basebackup -U "$BK_DB_USER" "${opts[@]}" >"$pitr_dir/.$name.partial"
  else
    "$(pg_prog pg_basebackup)" -d "$DATABASE_URL" "${opts[@]}" >"$pitr_dir/.$name.partial"
  fi || { rm -f "$pitr_dir/.$name.partial"; bk_die "pg_basebackup failed"; }
  # backup_label names the first WAL segment this backup needs.
  tar -xzOf "$pitr_dir/.$name.partial" --occurrence=1 backup_label >"$pitr_dir/.$name.label" ||
    { rm -f "$pitr_dir/.$name.partial" "$pitr_dir/.$name.label"; bk_die "the base backup has no backup_label"; }
  sync "$pitr_dir/.$name.partial"
  mv -T "$pitr_dir/.$name.label" "$pitr_dir/$name.label"
  mv -T "$pitr_dir/.$name.partial" "$pitr_dir/$name"
  bk_log "wrote $pitr_dir/$name ($(du -h "$pitr_dir/$name" | cut -f1), $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s), $(grep '^START WAL LOCATION' "$pitr_dir/$name.label")"

  local bases seg
  mapfile -t bases < <(cd "$pitr_dir" && compgen -G 'base-[0-9]*T[0-9]*Z.tar.gz' | LC_ALL=C sort || true)
  while ((${#bases[@]} > keep)); do
    rm -f -- "${pitr_dir:?}/${bases[0]}" "$pitr_dir/${bases[0]}.label"
    bk_log "retention (keep $keep): removed ${bases[0]}"
    bases=("${bases[@]:1}")
  done
  seg=$(sed -n 's/^START WAL LOCATION: .* (file \([0-9A-F]\{24\}\))$/\1/p' "$pitr_dir/${bases[0]}.label")
  [[ -n "$seg" ]] || bk_die "no start segment in $pitr_dir/${bases[0]}.label"
  if [[ "$BK_TARGET" == compose ]]; then
    compose exec -T db pg_archivecleanup "$COMPOSE_WAL_ARCHIVE" "$seg"
  elif [[ -n "${PITR_WAL_ARCHIVE:-}" ]]; then
    "$(pg_prog pg_archivecleanup)" "$PITR_WAL_ARCHIVE" "$seg"
  else
    bk_log "PITR_WAL_ARCHIVE not set: archived WAL older than $seg was not deleted"
    echo "$pitr_dir/$name"
    return
  fi
  bk_log "archived WAL before $seg (start of the oldest kept base backup, ${bases[0]}) deleted"
  echo "$pitr_dir/$name"
}

cmd_restore_point() {
  [[ $# -eq 1 && -n "$1" ]] || bk_die "usage: pitr.sh restore-point NAME"
  init
  sql -v name="$1" <<<"SELECT pg_create_restore_point(:'name');"
}

cmd_status() {
  init
  sql <<'SQL'
SELECT format('archive_mode=%s archive_timeout=%s wal_level=%s', current_setting('archive_mode'),
              current_setting('archive_timeout'), current_setting('wal_level'));
SELECT format('archived %s WAL files, last %s at %s; %s failures%s', archived_count,
              coalesce(last_archived_wal, '-'), coalesce(last_archived_time::text, '-'), failed_count,
              CASE WHEN failed_count > 0 THEN format(', last %s at %s', last_failed_wal, last_failed_time) ELSE '' END)
  FROM pg_stat_archiver;
SQL
}

# finish: poll until recovery is over (the target reached and the server
# promoted), then drop the recovery settings from postgresql.auto.conf.
cmd_finish() {
  init
  local deadline=$((SECONDS + ${PITR_TIMEOUT:-900})) state=
  while ((SECONDS < deadline)); do
    state=$(sql <<<'SELECT pg_is_in_recovery();' 2>/dev/null || true)
    [[ "$state" == f ]] && break
    sleep 0.2
  done
  [[ "$state" == f ]] || bk_die "still in recovery (or not answering) after ${PITR_TIMEOUT:-900} s: see the server's log"
  sql >/dev/null <<'SQL'
ALTER SYSTEM RESET restore_command;
ALTER SYSTEM RESET recovery_target_time;
ALTER SYSTEM RESET recovery_target_name;
ALTER SYSTEM RESET recovery_target_lsn;
ALTER SYSTEM RESET recovery_target_action;
SELECT pg_reload_conf();
SQL
  bk_log "recovery finished: the server is promoted (writing WAL $(sql <<<'SELECT pg_walfile_name(pg_current_wal_lsn());'), a new timeline); the recovery settings are removed from postgresql.auto.conf"
}

# The swap inside the db volume (compose): the previous contents move into
# .pre-pitr-TS/ (renames, same filesystem), the base backup (stdin) is
# unpacked, recovery is configured. $2 is the configuration to append.
# shellcheck disable=SC2016 # expanded by the inner sh
PITR_SWAP_SH='set -eu
cd /data
mkdir ".pre-pitr-$1"
for e in * .[!.]* ..?*; do
  [ -e "$e" ] || [ -L "$e" ] || continue
  case "$e" in .pre-pitr-*) continue ;; esac
  mv "$e" ".pre-pitr-$1/"
done
tar -xzf - -C /data
printf "%s\n" "$2" >>postgresql.auto.conf
touch recovery.signal
chown -R postgres:postgres /data
chmod 700 /data'

cmd_restore() {
  local base='' data='' target='' kind=
  while (($#)); do
    case "$1" in
      --base) base=${2:?--base needs a file}; shift ;;
      --data) data=${2:?--data needs a directory}; shift ;;
      --time | --name | --lsn)
        [[ -z "$kind" ]] || bk_die "give one target"
        kind=${1#--}; target=${2:?$1 needs a value}; no_quotes "$1" "$target"; shift ;;
      --latest) [[ -z "$kind" ]] || bk_die "give one target"; kind=latest ;;
      *) bk_die "unknown restore option $1 (see --help)" ;;
    esac
    shift
  done
  [[ -f "$base" ]] || bk_die "--base FILE: a base backup (base-*.tar.gz) is required"
  [[ -n "$kind" ]] || bk_die "give a target: --time, --name, --lsn or --latest"
  # Local: no server to talk to yet (DATABASE_URL is for finish, once started).
  if [[ "$BK_TARGET" == compose ]]; then init; fi
  local ts archive conf
  ts=$(date -u +%Y%m%dT%H%M%SZ)
  if [[ "$BK_TARGET" == compose ]]; then archive=$COMPOSE_WAL_ARCHIVE; else archive=${PITR_WAL_ARCHIVE:?set PITR_WAL_ARCHIVE to the WAL archive folder}; fi
  no_quotes PITR_WAL_ARCHIVE "$archive"
  conf="# pitr.sh restore $ts ($(basename "$base"), target: $kind${target:+ $target}); removed by pitr.sh finish
restore_command = 'cp \"$archive/%f\" \"%p\"'"
  if [[ "$kind" != latest ]]; then
    conf+=$'\n'"recovery_target_$kind = '$target'"$'\n'"recovery_target_action = 'promote'"
  fi

  if [[ "$BK_TARGET" == local ]]; then
    [[ -n "$data" ]] || bk_die "--data DIR: where to build the recovered cluster"
    [[ -d "$archive" ]] || bk_die "PITR_WAL_ARCHIVE $archive is not a directory"
    if [[ -e "$data" ]] && [[ -n "$(ls -A "$data")" ]]; then bk_die "$data is not empty"; fi
    mkdir -p "$data"
    tar -xzf "$base" -C "$data"
    printf '%s\n' "$conf" >>"$data/postgresql.auto.conf"
    touch "$data/recovery.signal"
    chmod 700 "$data"
    if [[ $(id -u) -eq 0 ]]; then chown -R "${PITR_PG_USER:-postgres}": "$data"; fi
    bk_log "prepared $data for recovery from $archive (target: $kind${target:+ $target})"
    bk_log "next: pg_ctl -D $data -l $data/recovery.log start (as the server user), then DATABASE_URL=… scripts/pitr.sh finish"
    return
  fi

  [[ -z "$data" ]] || bk_die "--data is for the local target (compose restores into the db volume)"
  local img vol
  img=$(helper_image)
  vol=$(compose_volume db-data)
  compose stop api >/dev/null
  trap 'compose start api >/dev/null 2>&1 || bk_log "start the api service again: docker compose start api"' EXIT
  compose stop db >/dev/null
  docker run --rm -i --network none --entrypoint sh -v "$vol:/data" "$img" -c "$PITR_SWAP_SH" sh "$ts" "$conf" <"$base" ||
    bk_die "could not unpack the base backup into the db volume (the previous contents are in its .pre-pitr-$ts/)"
  compose start db >/dev/null
  cmd_finish
  bk_log "the previous database files are in the db volume's .pre-pitr-$ts/: once satisfied, delete them with"
  bk_log "  docker compose exec db rm -rf /var/lib/postgresql/data/.pre-pitr-$ts"
}

case "$cmd" in
  base-backup) cmd_base_backup "$@" ;;
  restore-point) cmd_restore_point "$@" ;;
  status) cmd_status "$@" ;;
  restore) cmd_restore "$@" ;;
  finish) cmd_finish "$@" ;;
  *) usage >&2; exit 2 ;;
esac
