#!/usr/bin/env bash
# Backs up the database and the media files into one archive; see --help and
# docs/backup.md (the runbook).
set -euo pipefail
BK_NAME=backup.sh
# shellcheck source=scripts/backup-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/backup-lib.sh"

usage() {
  cat <<EOF
Usage: scripts/backup.sh [--compose] [--dir DIR] [--keep N]

Writes DIR/tweets-YYYYMMDDTHHMMSSZ.tar (UTC) holding
  manifest.json  database, server and migration versions, rows per table,
                 SHA-256 and size of the dump and of every media file
  db.dump        pg_dump --format=custom of the live database
  media/         the media files (ab/<uuid>.<ext>; not .tmp/)
then deletes all but the newest N archives of DIR. Prints the archive's path.

The dump and the row counts come from one snapshot (exported by a held
transaction and imported by pg_dump --snapshot); the dump's rows are counted
again from the file and must equal the snapshot's counts.

Target (BACKUP_TARGET=local|compose, default local):
  local      DATABASE_URL (postgres://USER@HOST:PORT/NAME) and MEDIA_ROOT;
             psql, pg_dump and pg_restore on PATH (same major as the server)
  --compose  the Compose stack: pg_dump runs in the db container; media is read
             from the project's media volume. BACKUP_COMPOSE (default
             "docker compose"; e.g. "docker compose -f compose.yaml -f compose.prod.yaml"),
             COMPOSE_DB_NAME / COMPOSE_DB_USER (default tweets), MEDIA_VOLUME,
             COMPOSE_PROJECT_NAME (default tweets), BACKUP_HELPER_IMAGE

Options:
  --dir DIR   where archives go (BACKUP_DIR, default .data/backups)
  --keep N    archives to keep (BACKUP_KEEP, default 7)
  -h, --help  this help
EOF
}

BK_TARGET=${BACKUP_TARGET:-local}
dir=${BACKUP_DIR:-${TWEETS_DATA_DIR:-$BK_ROOT/.data}/backups}
keep=${BACKUP_KEEP:-7}
while (($#)); do
  case "$1" in
    --compose) BK_TARGET=compose ;;
    --local) BK_TARGET=local ;;
    --dir) [[ $# -ge 2 ]] || bk_die "--dir needs a value"; dir=$2; shift ;;
    --keep) [[ $# -ge 2 ]] || bk_die "--keep needs a value"; keep=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
[[ "$keep" =~ ^[1-9][0-9]*$ ]] || bk_die "--keep/BACKUP_KEEP must be a whole number of at least 1 (got '$keep')"
bk_init_target
if [[ "$BK_TARGET" == local ]]; then
  for tool in psql pg_dump pg_restore; do command -v "$tool" >/dev/null || bk_die "$tool not found on PATH"; done
  [[ -d "$MEDIA_ROOT" ]] || bk_die "MEDIA_ROOT $MEDIA_ROOT is not a directory"
fi

started=$(date +%s.%N)
ts=$(date -u +%Y%m%dT%H%M%SZ)
name=tweets-$ts
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
final=$dir/$name.tar
[[ ! -e "$final" ]] || bk_die "$final already exists (two backups in the same second?)"

# Everything is built in a hidden folder of DIR (same filesystem: the finished
# archive is renamed into place, so DIR never holds half an archive, and
# retention never counts one).
work=$(mktemp -d "$dir/.partial-$ts.XXXXXX")
stage=$work/$name
mkdir -p "$stage/media"
psql_pid=
cleanup() {
  local status=$?
  if [[ -n "$psql_pid" ]] && kill -0 "$psql_pid" 2>/dev/null; then
    kill "$psql_pid" 2>/dev/null || true
    wait "$psql_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  ((status == 0)) || bk_log "failed; nothing was written to $dir"
}
trap cleanup EXIT

# --- 1. One snapshot for the dump and for the counts -------------------------
# A psql session (coprocess) opens a REPEATABLE READ transaction and exports
# its snapshot; pg_dump imports it with --snapshot, so the dump sees exactly
# the data this transaction sees. The counts run in the same transaction,
# hence on the same snapshot: rows committed while the backup runs are in
# neither. The counts also take ACCESS SHARE locks on every table, held until
# COMMIT, so no table can be dropped or rewritten between the snapshot and
# pg_dump's own locks. The transaction stays open until pg_dump has finished
# (a snapshot can only be imported while its exporting transaction lives).
# READ ONLY: nothing here writes. No SERIALIZABLE DEFERRABLE: that only
# matters for serializable-transaction anomalies, which the app does not use.
coproc PSQL { pg_db "$BK_DB" psql -XAtq -v ON_ERROR_STOP=1 2>"$work/psql.err"; }
# shellcheck disable=SC2153 # set by coproc
psql_pid=$PSQL_PID
to_psql() { printf '%s\n' "$@" >&"${PSQL[1]}"; }
# One line of output into $line (coprocess descriptors do not reach $(…) subshells).
from_psql() {
  IFS= read -r -t "${BACKUP_QUERY_TIMEOUT:-3600}" line <&"${PSQL[0]}" ||
    bk_die "the database session ended or did not answer: $(cat "$work/psql.err")"
}
to_psql "SET statement_timeout = 0;" "SET idle_in_transaction_session_timeout = 0;" \
  "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;" "SELECT pg_export_snapshot();"
from_psql
snapshot=$line
[[ "$snapshot" =~ ^[0-9A-F-]+$ ]] || bk_die "unexpected snapshot id from the server: $snapshot"
to_psql "$BK_STATS_SQL"
from_psql
stats=$line
printf '%s\n' "$stats" >"$work/stats.json"
: >"$work/refs.json"
# jsonb's text form is canonical ("key": value).
if [[ "$stats" == *'"has_media_refs": true'* ]]; then
  to_psql "$BK_REFS_SQL"
  from_psql
  printf '%s\n' "$line" >"$work/refs.json"
fi

pg_db "$BK_DB" pg_dump --format=custom --snapshot="$snapshot" >"$stage/db.dump" 2>"$work/pg_dump.err" ||
  bk_die "pg_dump failed: $(cat "$work/pg_dump.err")"
to_psql "COMMIT;" '\q'
wait "$psql_pid" || bk_die "the snapshot session failed: $(cat "$work/psql.err")"
psql_pid=

# --- 2. Media, after the snapshot --------------------------------------------
# Files are written to .tmp/, renamed into place, then referenced by a row;
# they are never rewritten. Copied after the snapshot, the folder holds every
# file the snapshot references, unless one was deleted in between (its tweet
# deleted meanwhile): the manifest lists such files (referenced_missing) and
# a warning says so. Files uploaded after the snapshot are harmless extras.
media_pack | tar -C "$stage/media" --no-same-owner -xf - ||
  bk_die "could not copy the media files"

# --- 3. The dump holds what was counted ---------------------------------------
# pg_restore renders the dump's data as COPY blocks, one line per row (COPY
# escapes newlines), ended by \. ; backup_manifest.py fails the backup when
# any table's lines differ from its count in the snapshot.
# shellcheck disable=SC2016 # awk program
pg_tool pg_restore --data-only -f - <"$stage/db.dump" 2>"$work/pg_restore.err" | awk '
  /^COPY .* FROM stdin;$/ { t = $0; sub(/^COPY /, "", t); sub(/ (\(.*\) )?FROM stdin;$/, "", t); n = 0; inside = 1; next }
  inside && $0 == "\\." { print t, n; inside = 0; next }
  inside { n++ }' >"$work/dump-counts" || bk_die "could not read the dump back: $(cat "$work/pg_restore.err")"

# --- 4. Manifest, archive, retention -------------------------------------------
summary=$("$BK_PYTHON" "$BK_PY" write "$stage" "$work/stats.json" "$work/refs.json" "$work/dump-counts" "$BK_TARGET" "$snapshot")
tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner -cf "$work/archive.tar" "$name"
sync "$work/archive.tar"
mv -T "$work/archive.tar" "$final"
sync "$dir"

removed=()
mapfile -t archives < <(cd "$dir" && compgen -G "$BK_ARCHIVE_GLOB" | LC_ALL=C sort || true)
while ((${#archives[@]} > keep)); do
  rm -f -- "${dir:?}/${archives[0]}"
  removed+=("${archives[0]}")
  archives=("${archives[@]:1}")
done

elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
bk_log "wrote $final ($(du -h "$final" | cut -f1), ${elapsed} s): $summary"
((${#removed[@]} == 0)) || bk_log "retention (keep $keep): removed ${removed[*]}"
echo "$final"
