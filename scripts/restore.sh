#!/usr/bin/env bash
# Restores an archive written by backup.sh into a fresh database, verifies it
# against its manifest, then switches the live database and media to it; see
# --help and docs/backup.md (the runbook).
set -euo pipefail
BK_NAME=restore.sh
# shellcheck source=scripts/backup-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/backup-lib.sh"

usage() {
  cat <<EOF
Usage: scripts/restore.sh [--compose] [--verify-only] [--drop-old] [--no-owner] ARCHIVE

 1. checks the archive: only manifest.json, db.dump and media/ files, no links
    or unsafe paths; the SHA-256 and size of the dump and of every media file
    match the manifest, and the media files are exactly the manifest's;
 2. restores the dump into a new database, NAME_restore_<timestamp>
    (pg_restore --single-transaction --exit-on-error), runs ANALYZE;
 3. counts the rows of every table there: they must equal the manifest's, and
    so must the migration version;
 4. switches: connections to the live database are refused and ended, then in
    one transaction the live database is renamed NAME_pre_restore_<timestamp>
    and the new one NAME; then the media folder is swapped for the archive's
    (the previous one kept as MEDIA_ROOT.pre-restore-<timestamp>, or, inside a
    Compose volume, as .pre-restore-<timestamp>/).
Any failure in 1-3 refuses the archive (exit status 3) and leaves the live
database and media untouched; the new database is dropped.

The previous database is kept, with connections disabled, until you drop it
(DROP DATABASE NAME_pre_restore_<timestamp>), and so is the previous media
folder; --drop-old deletes both once the switch has succeeded.

Options:
  --verify-only  steps 1-3 only, then drop the new database: a restore drill
                 that changes nothing
  --drop-old     delete the previous database and media after the switch
  --no-owner     restore objects owned by the connecting role instead of
                 their original owners (when those roles do not exist here)
  --compose      the Compose stack (BACKUP_TARGET=compose): pg_restore and psql
                 run in the db container, the api service is stopped during the
                 switch and started again, media goes to the media volume
                 (files owned by MEDIA_OWNER, default 10001:10001, the api
                 image's user). Same variables as backup.sh --help.
  -h, --help     this help

Local target: DATABASE_URL names the live database (which need not exist any
more) on a server where its role may create, rename and drop databases and end
other sessions (the owner with CREATEDB, or a superuser); MEDIA_ROOT the media
folder (need not exist any more). Stop or pause the API for the switch: its
connections are ended and it reconnects to the restored database.
RESTORE_MEDIA_SWAP=rename|in-place: how media is swapped (default: rename the
folder; in-place, moving entries inside it, when MEDIA_ROOT is a mount point).
EOF
}

BK_TARGET=${BACKUP_TARGET:-local}
verify_only=0 drop_old=0 no_owner=0 archive=
while (($#)); do
  case "$1" in
    --compose) BK_TARGET=compose ;;
    --local) BK_TARGET=local ;;
    --verify-only) verify_only=1 ;;
    --drop-old) drop_old=1 ;;
    --no-owner) no_owner=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
    *) [[ -z "$archive" ]] || { usage >&2; exit 2; }; archive=$1 ;;
  esac
  shift
done
[[ -n "$archive" ]] || { usage >&2; exit 2; }
[[ -f "$archive" ]] || bk_die "$archive: no such file"
archive=$(cd "$(dirname "$archive")" && pwd)/$(basename "$archive")
bk_init_target
[[ "$BK_DB" != "${BACKUP_MAINTENANCE_DB:-postgres}" ]] || bk_die "the live database cannot be the maintenance database"
if [[ "$BK_TARGET" == local ]]; then
  for tool in psql pg_restore; do command -v "$tool" >/dev/null || bk_die "$tool not found on PATH"; done
fi

started=$(date +%s.%N)
exists() { [[ "$(psql_maint -v db="$1" <<<"SELECT count(*) FROM pg_database WHERE datname = :'db';")" == 1 ]]; }
# Names of this run: NAME_restore_<utc>, NAME_pre_restore_<utc>, MEDIA_ROOT.pre-restore-<UTC>
# (with _2, _3… when a restore in the same second took them).
psql_maint <<<'SELECT 1' >/dev/null || bk_die "cannot connect to the database server (maintenance database ${BACKUP_MAINTENANCE_DB:-postgres})"
now=$(date -u +%Y%m%dT%H%M%SZ) ts=
for suffix in "" _2 _3 _4 _5 _6 _7 _8 _9; do
  tmp_db=${BK_DB}_restore_${now,,}$suffix
  old_db=${BK_DB}_pre_restore_${now,,}$suffix
  if ! exists "$tmp_db" && ! exists "$old_db" &&
    [[ "$BK_TARGET" == compose || ! -e "$MEDIA_ROOT.pre-restore-$now$suffix" && ! -e "$MEDIA_ROOT/.pre-restore-$now$suffix" ]]; then
    ts=$now$suffix
    break
  fi
done
[[ -n "$ts" ]] || bk_die "too many restores this second"
((${#old_db} <= 63)) || bk_die "database name $BK_DB is too long for the temporary names ($old_db)"
elapsed() { awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# The staging folder: for a local target next to MEDIA_ROOT, on the same
# filesystem, so the verified media folder is renamed into place as it is.
if [[ "$BK_TARGET" == local ]]; then
  media_parent=$(dirname "$MEDIA_ROOT")
  mkdir -p "$media_parent"
  work=$(mktemp -d "$media_parent/.tweets-restore-$ts.XXXXXX")
  swap=${RESTORE_MEDIA_SWAP:-}
  if [[ -z "$swap" ]]; then
    if [[ -d "$MEDIA_ROOT" ]] && mountpoint -q "$MEDIA_ROOT" 2>/dev/null; then swap=in-place; else swap=rename; fi
  fi
  [[ "$swap" == rename || "$swap" == in-place ]] || bk_die "RESTORE_MEDIA_SWAP must be rename or in-place"
  [[ "$swap" == rename || -d "$MEDIA_ROOT" ]] || swap=rename # nothing to swap inside
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/tweets-restore-$ts.XXXXXX")
  swap=in-place
fi

created_tmp=0 switched=0 api_stopped=0 media_staged=0
cleanup() {
  local status=$?
  if ((created_tmp && !switched)); then
    psql_maint -v db="$tmp_db" <<<'DROP DATABASE IF EXISTS :"db" WITH (FORCE);' >/dev/null 2>&1 ||
      bk_log "could not drop $tmp_db: drop it yourself"
  fi
  if ((media_staged && !switched)); then
    media_in_place "$BK_MEDIA_UNSTAGE_SH" "$ts" || bk_log "could not remove the staged media (.restore-$ts) from the media folder"
  fi
  if ((api_stopped)); then
    compose start api >/dev/null 2>&1 || bk_log "could not start the api service again: docker compose start api"
  fi
  rm -rf "$work"
  if ((status == 3)); then
    bk_log "REFUSED $archive: the live database and media were not touched"
  elif ((status != 0 && !switched)); then
    bk_log "failed before the switch: the live database and media were not touched"
  fi
}
trap cleanup EXIT

# --- Media inside the live folder or volume (compose, and local in-place) ----
# Staging: the archive's media/ and its checksum list arrive as a tar stream on
# stdin and land in ROOT/.restore-TS/, are checked again there with
# sha256sum -c (the copy into the volume is verified, not assumed) and given
# to the API's user. Swap: every entry of ROOT moves into .pre-restore-TS/,
# then every entry of .restore-TS/media/ moves up into ROOT: renames within one
# filesystem. The same scripts run in a container on the media volume
# (compose) or here on MEDIA_ROOT (local, in-place).
# shellcheck disable=SC2016 # expanded by the inner sh
BK_MEDIA_STAGE_SH='set -eu
root=$1 ts=$2 owner=$3
d="$root/.restore-$ts"
mkdir "$d"
tar -C "$d" -xof -
cd "$d/media"
if [ -s ../media.sha256 ]; then
  sha256sum -c ../media.sha256 >../check.out 2>&1 || { grep -v ": OK$" ../check.out >&2; exit 3; }
fi
if [ -n "$owner" ]; then chown -R "$owner" "$d"; fi
chmod 755 "$d/media"'
# shellcheck disable=SC2016
BK_MEDIA_SWAP_SH='set -eu
root=$1 ts=$2
cd "$root"
[ -d ".restore-$ts/media" ] || { echo "no staged media in $root/.restore-$ts" >&2; exit 1; }
mkdir ".pre-restore-$ts"
for e in * .[!.]* ..?*; do
  [ -e "$e" ] || [ -L "$e" ] || continue
  case "$e" in .restore-*|.pre-restore-*) continue ;; esac
  mv "$e" ".pre-restore-$ts/"
done
for e in ".restore-$ts/media"/* ".restore-$ts/media"/.[!.]* ".restore-$ts/media"/..?*; do
  [ -e "$e" ] || [ -L "$e" ] || continue
  mv "$e" .
done
rm -rf ".restore-$ts"'
# shellcheck disable=SC2016
BK_MEDIA_UNSTAGE_SH='set -eu
rm -rf "$1/.restore-$2"'
# shellcheck disable=SC2016
BK_MEDIA_DROP_OLD_SH='set -eu
rm -rf "$1/.pre-restore-$2"'

# media_in_place SCRIPT ARGS…: one of the scripts above on the live media root.
media_in_place() {
  local script=$1
  shift
  if [[ "$BK_TARGET" == compose ]]; then
    media_run "$script" /media "$@"
  else
    sh -c "$script" sh "$MEDIA_ROOT" "$@"
  fi
}

# --- 1. The archive against its manifest ---------------------------------------
"$BK_PYTHON" "$BK_PY" extract "$archive" "$work" >"$work/info" || exit $?
while IFS='=' read -r key value; do
  case "$key" in
    stage) stage=$value ;;
    encoding) encoding=$value ;;
    rows) rows=$value ;;
    tables) tables=$value ;;
    summary) summary=$value ;;
  esac
done <"$work/info"
manifest=$stage/manifest.json
bk_log "archive checked: $summary; every checksum matches"
pg_tool pg_restore --list <"$stage/db.dump" >"$work/toc" 2>"$work/pg_restore.err" || {
  bk_log "REFUSED: db.dump is not a readable pg_dump archive: $(cat "$work/pg_restore.err")"
  exit 3
}

# --- 2. A fresh database ---------------------------------------------------------
live_exists=0
if exists "$BK_DB"; then live_exists=1; fi
# Owned by the live database's owner when there is one, so the app's role
# keeps its rights; created from template0 so nothing of template1 collides.
created_tmp=1
psql_maint -v db="$tmp_db" -v live="$BK_DB" -v enc="$encoding" >/dev/null <<'SQL'
SELECT coalesce((SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :'live'), current_user) AS owner \gset
CREATE DATABASE :"db" OWNER :"owner" TEMPLATE template0 ENCODING :'enc';
SQL
restore_args=(--exit-on-error --single-transaction)
((no_owner == 0)) || restore_args+=(--no-owner)
pg_db "$tmp_db" pg_restore "${restore_args[@]}" <"$stage/db.dump" 2>"$work/pg_restore.err" ||
  bk_die "pg_restore into $tmp_db failed (nothing switched): $(cat "$work/pg_restore.err")"
pg_db "$tmp_db" psql -XAtq -v ON_ERROR_STOP=1 -c 'ANALYZE' >/dev/null

# --- 3. The restored copy against the manifest ------------------------------------
db_stats "$tmp_db" >"$work/restored.json"
"$BK_PYTHON" "$BK_PY" check-counts "$manifest" "$work/restored.json" || exit $?
bk_log "restored into $tmp_db: $tables tables, $rows rows, every count matches the manifest ($(elapsed) s)"

if ((verify_only)); then
  bk_log "verify-only: dropping $tmp_db; nothing was switched"
  exit 0
fi

# --- 4. The switch -------------------------------------------------------------------
if [[ "$BK_TARGET" == compose ]]; then
  compose stop api >/dev/null
  api_stopped=1
  owner=${MEDIA_OWNER:-10001:10001}
elif [[ $(id -u) -eq 0 && -d "$MEDIA_ROOT" ]]; then
  owner=$(stat -c %u:%g "$MEDIA_ROOT")
else
  owner=
fi
if [[ "$swap" == in-place ]]; then
  media_staged=1
  tar -C "$stage" -cf - media media.sha256 | media_in_place "$BK_MEDIA_STAGE_SH" "$ts" "$owner" ||
    bk_die "the media copied into the media folder does not match the manifest (nothing switched)"
elif [[ -n "$owner" ]]; then
  chown -R "$owner" "$stage/media"
fi

# Connections are refused first (ALLOW_CONNECTIONS false: the API cannot
# reconnect mid-switch), then ended; both renames commit together, so the
# live name always names one complete database. A session that has not
# ended yet makes the rename fail: retried a bounded number of times.
switch_sql=$(cat <<'SQL'
SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity
 WHERE datname = :'live' AND pid <> pg_backend_pid() \gset
BEGIN;
ALTER DATABASE :"live" RENAME TO :"old";
ALTER DATABASE :"db" RENAME TO :"live";
COMMIT;
SQL
)
if ((live_exists)); then
  psql_maint -v live="$BK_DB" <<<'ALTER DATABASE :"live" WITH ALLOW_CONNECTIONS false;' >/dev/null
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if psql_maint -v live="$BK_DB" -v old="$old_db" -v db="$tmp_db" <<<"$switch_sql" >/dev/null 2>"$work/switch.err"; then
      switched=1
      break
    fi
    bk_log "switch attempt $attempt failed: $(cat "$work/switch.err")"
  done
  if ((!switched)); then
    psql_maint -v live="$BK_DB" <<<'ALTER DATABASE :"live" WITH ALLOW_CONNECTIONS true;' >/dev/null || true
    bk_die "could not rename $BK_DB (sessions kept reconnecting?); nothing switched"
  fi
else
  psql_maint -v live="$BK_DB" -v db="$tmp_db" <<<'ALTER DATABASE :"db" RENAME TO :"live";' >/dev/null
  switched=1
fi
bk_log "database: $BK_DB is now the restored copy$( ((live_exists)) && echo "; the previous one is $old_db (connections disabled)")"

# Media: undo the database switch if the swap fails, so both stay as they were.
undo_db() {
  if ((live_exists)); then
    psql_maint -v live="$BK_DB" -v old="$old_db" -v db="$tmp_db" >/dev/null <<'SQL' || return 1
BEGIN;
ALTER DATABASE :"live" RENAME TO :"db";
ALTER DATABASE :"old" RENAME TO :"live";
COMMIT;
ALTER DATABASE :"live" WITH ALLOW_CONNECTIONS true;
SQL
  else
    psql_maint -v live="$BK_DB" -v db="$tmp_db" <<<'ALTER DATABASE :"live" RENAME TO :"db";' >/dev/null || return 1
  fi
  switched=0
}
media_failed() {
  if undo_db; then
    bk_die "swapping the media failed ($1); the database switch was undone, nothing changed"
  fi
  bk_die "swapping the media failed ($1) and undoing the database switch failed too: $BK_DB is the restored copy, $old_db the previous one"
}
old_media=
if [[ "$swap" == in-place ]]; then
  media_in_place "$BK_MEDIA_SWAP_SH" "$ts" || media_failed "in-place swap in the media folder"
  media_staged=0
  if [[ "$BK_TARGET" == compose ]]; then old_media="the media volume's .pre-restore-$ts/"; else old_media=$MEDIA_ROOT/.pre-restore-$ts; fi
else
  if [[ -e "$MEDIA_ROOT" ]]; then
    old_media=$MEDIA_ROOT.pre-restore-$ts
    mv -T "$MEDIA_ROOT" "$old_media" || media_failed "could not rename $MEDIA_ROOT"
  fi
  if ! mv -T "$stage/media" "$MEDIA_ROOT"; then
    [[ -z "$old_media" ]] || mv -T "$old_media" "$MEDIA_ROOT" || true
    media_failed "could not rename the restored media to $MEDIA_ROOT"
  fi
fi
bk_log "media: $( [[ "$BK_TARGET" == compose ]] && echo "the media volume" || echo "$MEDIA_ROOT") now holds the archive's files$( [[ -n "$old_media" ]] && echo "; the previous ones are in $old_media")"

if ((api_stopped)); then
  compose start api >/dev/null
  api_stopped=0
  bk_log "api service started again"
fi

if ((drop_old)); then
  if ((live_exists)); then
    psql_maint -v old="$old_db" <<<'DROP DATABASE :"old";' >/dev/null
    bk_log "--drop-old: dropped $old_db"
  fi
  if [[ -n "$old_media" ]]; then
    if [[ "$swap" == in-place ]]; then media_in_place "$BK_MEDIA_DROP_OLD_SH" "$ts"; else rm -rf -- "$old_media"; fi
    bk_log "--drop-old: deleted $old_media"
  fi
elif ((live_exists)) || [[ -n "$old_media" ]]; then
  bk_log "when satisfied, delete the previous copies:$( ((live_exists)) && echo " DROP DATABASE $old_db;")$( [[ -n "$old_media" ]] && echo " and $old_media")"
fi
bk_log "restored $(basename "$archive") in $(elapsed) s"
