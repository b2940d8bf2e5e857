#!/usr/bin/env bash
# Backup and restore, for real (docs/backup.md): a scratch database seeded by
# `tweets seed` plus tweets with images uploaded through a running
# `tweets serve`, so media files exist. Then:
#   - backup; drop the database and delete the media folder; restore; every
#     table's rows (count and content) and every media file's SHA-256 equal
#     the originals; the API, still running, serves the restored data;
#   - a backup taken while rows are being written is consistent (backup.sh
#     checks the dump against the snapshot's counts, restore.sh the restored
#     copy against the manifest) and restores over a live database, in place;
#   - a restore over a live database that has changed since: the change is
#     gone, the previous database and media are kept under their new names;
#   - damaged or altered archives (a byte of the dump, a media file deleted or
#     altered, a row count in the manifest, a link member, a truncated file)
#     are refused with exit status 3 and leave the live database and media
#     untouched; --verify-only changes nothing; retention keeps the newest N.
# Needs DATABASE_URL to a server where it may create databases
# (`scripts/pg.sh with-throwaway scripts/test-backup.sh`). Quiet unless
# something fails; BACKUP_TEST_USERS / BACKUP_TEST_TWEETS scale the seed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
: "${DATABASE_URL:?set DATABASE_URL to a server where this may create databases (or run it under scripts/pg.sh with-throwaway)}"
cargo build --locked --quiet --bin tweets
bin=$ROOT/target/debug/tweets
t_start=$(date +%s.%N)
# The interpreter itself, once (a version-manager shim costs ~0.2 s a call);
# the scripts under test use it too.
py=$(python3 -c 'import sys; print(sys.executable)')
export BACKUP_PYTHON=$py

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
live=tweets_bt_$$
scratch_db "$live"
url=$SCRATCH_DB_URL
server=${DATABASE_URL%/*}/postgres
scratch_dir
tmp=$SCRATCH_DIR
media=$tmp/srv/media
mkdir -p "$media" "$tmp/out"
log=$tmp/out/step.log
# restore.sh renames and creates databases named after the live one: drop
# whatever of ours is left, then let lib.sh clean up the rest.
drop_ours() {
  psql "$server" -XAtq -v ON_ERROR_STOP=1 -v prefix="${live}_" >/dev/null 2>&1 <<'SQL' || true
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database WHERE starts_with(datname, :'prefix') \gexec
SQL
}
trap 'drop_ours; _lib_cleanup' EXIT

fail() {
  echo "test-backup: FAIL: $*" >&2
  if [[ -s "$log" ]]; then
    echo "--- output of the last step:" >&2
    cat "$log" >&2
  fi
  exit 1
}
# step CMD…: runs CMD with its output in $log; fails the test if CMD fails.
step() { "$@" >"$log" 2>&1 || fail "$* exited with status $?"; }
secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }
tool_env=(env DATABASE_URL="$url" MEDIA_ROOT="$media")
backup() { "${tool_env[@]}" BACKUP_DIR="$1" scripts/backup.sh; }
restore() { "${tool_env[@]}" scripts/restore.sh "$@"; }

# Every table of the live database: rows and an MD5 over their sorted text.
fingerprint() {
  psql "$url" -XAtq -v ON_ERROR_STOP=1 <<'SQL'
SELECT format($$SELECT %L || ' ' || count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\n' ORDER BY t::text)), '-') FROM %I.%I t$$,
              schemaname || '.' || tablename, schemaname, tablename)
  FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename \gexec
SQL
}
# Every media file (the .tmp upload folder aside): SHA-256 and name.
media_sums() {
  [[ -d "$media" ]] || return 0
  (cd "$media" && find . -path ./.tmp -prune -o -type f -print | LC_ALL=C sort | xargs -r sha256sum)
}
# What a refused restore must not change: our databases on the server, the
# live database's content, the media folder (its inode: not swapped), and
# no staging folders left behind.
live_state() {
  psql "$server" -XAtqc "SELECT datname, datallowconn FROM pg_database WHERE starts_with(datname, '$live') ORDER BY 1"
  fingerprint
  stat -c '%i' "$media"
  media_sums
  find "$tmp/srv" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort
  find "$media" -mindepth 1 -maxdepth 1 -name '.*restore*' -printf '%f\n'
}
manifest_of() { tar -xOf "$1" --wildcards '*/manifest.json'; }

# --- Data: seed, then tweets with images through the API ---------------------------
step env DATABASE_URL="$url" "$bin" migrate
step env DATABASE_URL="$url" "$bin" seed --users "${BACKUP_TEST_USERS:-20}" --tweets "${BACKUP_TEST_TWEETS:-200}" \
  --follows-per-user 5 --likes-per-user 5
port=$(free_port)
# No fan-out worker: it would copy the tweets posted below while the rows are
# being compared with the backup's (reads merge what is not copied anyway).
start_api "$bin" "$url" "$port" "$media" FANOUT_WORKER=false >"$tmp/out/api.log" 2>&1
api=http://127.0.0.1:$port/api/v1
token=$(curl -fsS -X POST "$api/auth/register" -H 'content-type: application/json' \
  -d '{"username":"backup_test","password":"backup-test-password"}' |
  "$py" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])') || fail "could not register"
# png N FILE: a small valid PNG, a different one for each N.
png() {
  "$py" - "$1" "$2" <<'PY'
import struct, sys, zlib
n, path = int(sys.argv[1]), sys.argv[2]
w = h = 8
raw = b"".join(b"\x00" + bytes((n * 40 % 256, n * 90 % 256, 200)) * w for _ in range(h))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
with open(path, "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
}
# post TEXT [N]: a tweet (with image N); prints the response.
post() {
  local args=(-F "text=$1")
  if [[ -n "${2:-}" ]]; then
    png "$2" "$tmp/out/img$2.png"
    args+=(-F "image=@$tmp/out/img$2.png;type=image/png")
  fi
  curl -fsS -X POST "$api/tweets" -H "authorization: Bearer $token" "${args[@]}"
}
for i in 1 2 3 4 5; do
  post "picture $i" "$i" >/dev/null || fail "could not post tweet $i with an image"
done
# Text COPY must escape (newline, tab, backslash): the dump's rows are counted by line.
post $'two\nlines\tand a \\ backslash' >/dev/null || fail "could not post a multi-line tweet"
png 9 "$tmp/out/avatar.png"
curl -fsS -X PUT "$api/me/avatar" -H "authorization: Bearer $token" -F "image=@$tmp/out/avatar.png;type=image/png" \
  >/dev/null || fail "could not upload an avatar"
first_image=$(psql "$url" -XAtqc 'SELECT image_path FROM tweets WHERE image_path IS NOT NULL ORDER BY id LIMIT 1')
first_tweet=$(psql "$url" -XAtqc 'SELECT id FROM tweets WHERE image_path IS NOT NULL ORDER BY id LIMIT 1')

fingerprint >"$tmp/out/orig.rows"
media_sums >"$tmp/out/orig.media"
rows=$(awk '{ n += $2 } END { print n }' "$tmp/out/orig.rows")
tables=$(wc -l <"$tmp/out/orig.rows")
files=$(wc -l <"$tmp/out/orig.media")
((files == 6)) || fail "expected 6 media files (5 images, 1 avatar), found $files"

# --- 1. Back up, lose everything, restore -------------------------------------------
t=$(date +%s.%N)
archive=$(backup "$tmp/backups" 2>"$log") || fail "backup.sh failed"
t_backup=$(secs "$t")
size=$(du -h "$archive" | cut -f1)
[[ "$archive" =~ /tweets-[0-9]{8}T[0-9]{6}Z\.tar$ ]] || fail "unexpected archive name: $archive"
manifest_of "$archive" >"$tmp/out/manifest.json"
"$py" - "$tmp/out/manifest.json" "$tmp/out/orig.rows" "$tmp/out/orig.media" "$live" >"$log" 2>&1 <<'PY' || fail "the manifest does not describe the data"
import json, sys
m = json.load(open(sys.argv[1]))
rows = {l.split()[0]: int(l.split()[1]) for l in open(sys.argv[2])}
media = {l.split()[1][2:]: l.split()[0] for l in open(sys.argv[3])}
assert m["database"] == sys.argv[4], m["database"]
assert m["migration_version"] == "20261201080000" or m["migration_version"] >= "20261201080000", m["migration_version"]
assert m["tables"] == rows, (m["tables"], rows)
assert {e["path"]: e["sha256"] for e in m["media"]["entries"]} == media
assert m["media"]["files"] == len(media) and m["media"]["referenced"] == 6 and not m["media"]["referenced_missing"]
assert m["dump"]["rows_checked_against_snapshot"] and m["server_version"] and m["created_at"].endswith("Z")
PY

psql "$server" -XAtq -v ON_ERROR_STOP=1 -c "DROP DATABASE $live WITH (FORCE)"
rm -rf "$media"
t=$(date +%s.%N)
step restore "$archive"
t_restore=$(secs "$t")
fingerprint >"$tmp/out/after.rows"
media_sums >"$tmp/out/after.media"
diff "$tmp/out/orig.rows" "$tmp/out/after.rows" >"$log" || fail "restored rows differ from the originals"
diff "$tmp/out/orig.media" "$tmp/out/after.media" >"$log" || fail "restored media differ from the originals"
# The API kept running: its pool reconnects to the restored database, and the
# restored folder serves the images.
curl -fsS "$api/tweets/$first_tweet" -o /dev/null || fail "the API does not serve a restored tweet"
curl -fsS "http://127.0.0.1:$port/media/$first_image" -o "$tmp/out/served" || fail "the API does not serve a restored image"
grep -q "$(sha256sum <"$tmp/out/served" | cut -d' ' -f1)  ./$first_image" "$tmp/out/orig.media" ||
  fail "the served image differs from the original"

# --- 2. Damaged archives are refused; nothing changes --------------------------------
# damage MODE IN OUT: a copy of the archive, damaged one way.
damage() {
  "$py" - "$@" <<'PY'
import io, json, sys, tarfile
mode, src, dst = sys.argv[1:]
if mode == "truncate":
    data = open(src, "rb").read()
    open(dst, "wb").write(data[: len(data) * 2 // 3])
    sys.exit()
with tarfile.open(src) as tin, tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as tout:
    members = tin.getmembers()
    medias = [m for m in members if m.isfile() and "/media/" in m.name]
    for m in members:
        data = tin.extractfile(m).read() if m.isfile() else None
        if mode == "flip-dump" and m.name.endswith("/db.dump"):
            data = bytearray(data); data[len(data) // 2] ^= 0x01; data = bytes(data)
        if mode == "drop-media" and m.name == medias[0].name:
            continue
        if mode == "alter-media" and m.name == medias[-1].name:
            data = bytearray(data); data[-5] ^= 0xFF; data = bytes(data)
        if mode == "bump-count" and m.name.endswith("/manifest.json"):
            j = json.loads(data); j["tables"]["public.users"] += 1; j["rows_total"] += 1
            data = json.dumps(j).encode(); m.size = len(data)
        tout.addfile(m, io.BytesIO(data) if data is not None else None)
    if mode == "add-link":
        link = tarfile.TarInfo(members[0].name + "/media/zz/evil.png")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tout.addfile(link)
PY
}
live_state >"$tmp/out/state.before"
refused=0
for case in "flip-dump|db.dump: .* SHA-256" "drop-media|missing from the archive" "alter-media|media/.* SHA-256" \
  "bump-count|public.users: the manifest says" "add-link|not a regular file" "truncate|truncated"; do
  mode=${case%%|*} expect=${case#*|}
  damage "$mode" "$archive" "$tmp/out/damaged-$mode.tar" || fail "could not make the $mode archive"
  status=0
  restore "$tmp/out/damaged-$mode.tar" >"$log" 2>&1 || status=$?
  ((status == 3)) || fail "restore of a $mode archive: exit status $status, expected 3 (refused)"
  grep -Eq "$expect" "$log" || fail "restore of a $mode archive: no message matching /$expect/"
  grep -q "REFUSED" "$log" || fail "restore of a $mode archive: does not say REFUSED"
  live_state >"$tmp/out/state.after"
  diff "$tmp/out/state.before" "$tmp/out/state.after" >"$log" ||
    fail "a refused restore ($mode) changed the live database, the media or left something behind"
  refused=$((refused + 1))
done

# --verify-only: a drill that changes nothing.
step restore --verify-only "$archive"
grep -q "verify-only" "$log" || fail "--verify-only did not say so"
live_state >"$tmp/out/state.after"
diff "$tmp/out/state.before" "$tmp/out/state.after" >"$log" || fail "--verify-only changed something"

# --- 3. Restore over a live database that changed since --------------------------------
post "after the backup" 7 >/dev/null || fail "could not post after the backup"
new_image=$(psql "$url" -XAtqc "SELECT image_path FROM tweets WHERE text = 'after the backup'")
step restore "$archive"
fingerprint >"$tmp/out/after.rows"
media_sums >"$tmp/out/after.media"
diff "$tmp/out/orig.rows" "$tmp/out/after.rows" >"$log" || fail "rows after restoring over a changed database differ"
diff "$tmp/out/orig.media" "$tmp/out/after.media" >"$log" || fail "media after restoring over a changed database differ"
old_db=$(psql "$server" -XAtqc "SELECT datname FROM pg_database WHERE starts_with(datname, '${live}_pre_restore_')")
[[ -n "$old_db" && "$old_db" != *$'\n'* ]] || fail "expected one ${live}_pre_restore_* database, found: ${old_db:-none}"
[[ "$(psql "$server" -XAtqc "SELECT datallowconn FROM pg_database WHERE datname = '$old_db'")" == f ]] ||
  fail "the previous database should refuse connections"
psql "$server" -XAtqc "ALTER DATABASE $old_db WITH ALLOW_CONNECTIONS true"
[[ "$(psql "${DATABASE_URL%/*}/$old_db" -XAtqc "SELECT count(*) FROM tweets WHERE text = 'after the backup'")" == 1 ]] ||
  fail "the previous database does not hold the write made after the backup"
old_media=$(compgen -G "$media.pre-restore-*") || fail "the previous media folder was not kept"
[[ -f "$old_media/$new_image" ]] || fail "the previous media folder does not hold the image uploaded after the backup"
curl -fsS "$api/tweets/$first_tweet" -o /dev/null || fail "the API does not serve after a restore over a live database"

# --- 4. A backup under concurrent writes; restored in place, old copies dropped ---------
before=$(psql "$url" -XAtqc 'SELECT count(*) FROM tweets')
(
  while :; do
    psql "$url" -XAtqc "INSERT INTO tweets (author_id, text) SELECT id, 'concurrent' FROM users ORDER BY id LIMIT 3" >/dev/null || exit 0
  done
) &
writer=$!
stop_on_exit "$writer"
# Until the writer has committed a few rows (bounded).
for _ in $(seq 1 200); do
  (($(psql "$url" -XAtqc 'SELECT count(*) FROM tweets') > before)) && break
  sleep 0.05
done
archive2=$(backup "$tmp/backups2" 2>"$log") || fail "backup.sh under concurrent writes failed"
kill "$writer"
wait "$writer" 2>/dev/null || true
after=$(psql "$url" -XAtqc 'SELECT count(*) FROM tweets')
in_backup=$(manifest_of "$archive2" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["tables"]["public.tweets"])')
((before < in_backup && in_backup <= after)) ||
  fail "tweets in the concurrent backup: $in_backup, expected in ($before, $after]"
step env RESTORE_MEDIA_SWAP=in-place "${tool_env[@]}" scripts/restore.sh --drop-old "$archive2"
[[ "$(psql "$url" -XAtqc 'SELECT count(*) FROM tweets')" == "$in_backup" ]] || fail "in-place restore: wrong tweet count"
manifest_of "$archive2" | "$py" -c 'import json,sys; [print(e["sha256"] + "  ./" + e["path"]) for e in json.load(sys.stdin)["media"]["entries"]]' \
  >"$tmp/out/m2.media"
media_sums >"$tmp/out/after.media"
diff "$tmp/out/m2.media" "$tmp/out/after.media" >"$log" || fail "in-place restore: media differ from the manifest"
[[ -z "$(find "$media" -mindepth 1 -maxdepth 1 -name '.*restore*')" ]] || fail "in-place restore left .restore/.pre-restore folders"
[[ "$(psql "$server" -XAtqc "SELECT count(*) FROM pg_database WHERE starts_with(datname, '${live}_') AND datname LIKE '%restore%'")" == 1 ]] ||
  fail "--drop-old: expected only the earlier ${live}_pre_restore_* database to remain"

# --- 5. Retention, and --help ---------------------------------------------------------
mkdir -p "$tmp/backups3"
touch "$tmp/backups3/tweets-20200101T000000Z.tar" "$tmp/backups3/tweets-20200102T000000Z.tar" \
  "$tmp/backups3/tweets-20200103T000000Z.tar" "$tmp/backups3/notes.txt"
archive3=$("${tool_env[@]}" BACKUP_DIR="$tmp/backups3" BACKUP_KEEP=2 scripts/backup.sh 2>"$log") || fail "backup.sh --keep 2 failed"
left=$(find "$tmp/backups3" -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ')
[[ "$left" == "notes.txt tweets-20200103T000000Z.tar $(basename "$archive3") " ]] || fail "retention: left $left"
step scripts/backup.sh --help
step scripts/restore.sh --help

echo "test-backup: ok: $rows rows in $tables tables and $files media files restored with 0 lost (archive $size: backup ${t_backup} s, restore ${t_restore} s);" \
  "$refused damaged archives refused with the live data untouched; concurrent-write backup consistent; total $(secs "$t_start") s"
