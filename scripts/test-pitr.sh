#!/usr/bin/env bash
# Point-in-time recovery, for real (docs/backup.md): a throwaway cluster of
# its own (own port, own folder) archiving WAL the way compose.prod.yaml's db
# does (archive_mode=on, `test ! -f … && cp … .part && mv …`,
# archive_timeout), then with scripts/pitr.sh:
#   base backup; write A; restore point + timestamp; write B (adds a row,
#   deletes A's); wait until B's WAL is archived by archive_timeout alone
#   (the RPO); crash the cluster (immediate stop); recover new clusters from
#   the base backup and the archive to the restore point and to the
#   timestamp (A present, B absent) and to the end of the archive (B
#   present, A deleted), timing each (the RTO); then a second base backup
#   with PITR_KEEP=1 prunes the first and the WAL before it, and the pruned
#   archive still recovers.
# Needs the PostgreSQL server binaries (PG_BIN or /usr/lib/postgresql/*/bin);
# as root it runs them as the postgres user. Stops only the clusters it
# started and removes its folder. Quiet unless something fails.
# PITR_TEST_ROWS (default 20000) sizes write A; PITR_TEST_ARCHIVE_TIMEOUT (2).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
t_start=$(date +%s.%N)
archive_timeout=${PITR_TEST_ARCHIVE_TIMEOUT:-2}
bulk=${PITR_TEST_ROWS:-20000}

find_pg_bin() {
  if [[ -n "${PG_BIN:-}" && -x "$PG_BIN/initdb" ]]; then echo "$PG_BIN"; return; fi
  local d
  d=$(pg_config --bindir 2>/dev/null || true)
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return; fi
  d=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return; fi
  echo "test-pitr: PostgreSQL server binaries not found (set PG_BIN)" >&2
  exit 1
}
PGB=$(find_pg_bin)
# As root, server tools run as postgres, from / (it may not enter the checkout).
as_pg() { if [[ $(id -u) -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/tweets-pitr.XXXXXX")
chmod 755 "$dir"
[[ $(id -u) -ne 0 ]] || chown postgres: "$dir"
arch=$dir/wal-archive
started=()
cleanup() {
  local d
  for d in "${started[@]}"; do
    as_pg "$PGB/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
}
trap cleanup EXIT
log=$dir/step.log
fail() {
  echo "test-pitr: FAIL: $*" >&2
  local f
  for f in "$log" "$dir"/*.log; do
    [[ -s "$f" ]] || continue
    echo "--- $(basename "$f") (last lines):" >&2
    tail -n 15 "$f" >&2
  done
  exit 1
}
step() { "$@" >"$log" 2>&1 || fail "$* exited with status $?"; }

# start_pg DATA NAME [SERVER OPTIONS]: starts DATA on a free port, sets PORT.
start_pg() {
  local data=$1 name=$2 extra=${3:-} p
  for _ in 1 2 3 4 5; do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    port_free "$p" || continue
    if as_pg "$PGB/pg_ctl" -D "$data" -l "$dir/$name.log" -w -t 60 \
      -o "-p $p -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off $extra" start >/dev/null 2>&1; then
      started+=("$data")
      PORT=$p
      return
    fi
    # Only a port clash is worth another try.
    grep -q "could not bind\|already in use" "$dir/$name.log" 2>/dev/null || break
  done
  fail "could not start the cluster in $data"
}
url() { echo "postgres://postgres@127.0.0.1:$1/postgres"; }
q() { psql "$(url "$1")" -XAtq -v ON_ERROR_STOP=1 -c "$2"; }
pitr() { env PITR_DIR="$dir/base" PITR_WAL_ARCHIVE="$arch" scripts/pitr.sh "$@"; }

# --- The primary: WAL archived as in compose.prod.yaml ---------------------------
as_pg mkdir "$arch"
as_pg "$PGB/initdb" -D "$dir/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$log" 2>&1 || fail "initdb failed"
cat >>"$dir/primary/postgresql.conf" <<EOF
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $arch/%f && cp %p $arch/%f.part && mv $arch/%f.part $arch/%f'
archive_timeout = ${archive_timeout}s
EOF
start_pg "$dir/primary" primary
primary=$PORT
q "$primary" "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text NOT NULL)" >/dev/null

t=$(date +%s.%N)
base=$(DATABASE_URL=$(url "$primary") pitr base-backup 2>"$log") || fail "pitr.sh base-backup failed"
t_base=$(secs "$t")
base_size=$(du -h "$base" | cut -f1)

# Write A (and some bulk, so recovery has WAL to replay), then the targets.
q "$primary" "INSERT INTO t (v) VALUES ('A'); INSERT INTO t (v) SELECT 'bulk' FROM generate_series(1, $bulk)" >/dev/null
restore_point=before_b
point_lsn=$(DATABASE_URL=$(url "$primary") pitr restore-point "$restore_point" 2>"$log") || fail "pitr.sh restore-point failed"
target_time=$(q "$primary" "SELECT clock_timestamp()::text")
# Write B: a row added and A's deleted (the mistake to undo).
q "$primary" "BEGIN; INSERT INTO t (v) VALUES ('B'); DELETE FROM t WHERE v = 'A'; COMMIT;" >/dev/null
t_commit=$(date +%s.%N)
seg_b=$(q "$primary" "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")

# RPO: no pg_switch_wal here; archive_timeout alone must ship B's segment.
archived=0
for _ in $(seq 1 $((archive_timeout * 20 + 300))); do
  if [[ -f "$arch/$seg_b" ]]; then archived=1; break; fi
  sleep 0.1
done
((archived)) || fail "B's WAL segment $seg_b was not archived within $((archive_timeout * 2 + 30)) s"
rpo=$(secs "$t_commit")

# The loss: the primary dies without a clean shutdown.
as_pg "$PGB/pg_ctl" -D "$dir/primary" -m immediate -w stop >/dev/null

# recover NAME TARGET_OPTIONS…: a new cluster from the base backup and the
# archive; sets PORT and RTO (seconds from unpacking to promoted).
recover() {
  local name=$1 t0
  shift
  t0=$(date +%s.%N)
  step pitr restore --base "$base" --data "$dir/$name" "$@"
  # Not archiving: the recovered copies are throwaway here (in production the
  # recovered server archives its new timeline to the same archive).
  start_pg "$dir/$name" "$name" "-c archive_mode=off"
  step env DATABASE_URL="$(url "$PORT")" scripts/pitr.sh finish
  RTO=$(secs "$t0")
}
rows() { q "$1" "SELECT coalesce(string_agg(v, ',' ORDER BY v), '') FROM t WHERE v IN ('A', 'B')"; }

recover by-name --name "$restore_point"
[[ "$(rows "$PORT")" == A ]] || fail "recovered to restore point $restore_point: expected A only, found '$(rows "$PORT")'"
[[ "$(q "$PORT" "SELECT count(*) FROM t WHERE v = 'bulk'")" == "$bulk" ]] || fail "recovered to the restore point: bulk rows missing"
grep -q "recovery stopping at restore point \"$restore_point\"" "$dir/by-name.log" || fail "the log does not say recovery stopped at the restore point"
! grep -Eq "^(recovery_target|restore_command)" "$dir/by-name/postgresql.auto.conf" || fail "finish left recovery settings in postgresql.auto.conf"
rto_name=$RTO

recover by-time --time "$target_time"
[[ "$(rows "$PORT")" == A ]] || fail "recovered to $target_time: expected A only, found '$(rows "$PORT")'"
grep -q "recovery stopping before commit" "$dir/by-time.log" || fail "the log does not say recovery stopped before B's commit"
rto_time=$RTO

recover latest --latest
[[ "$(rows "$PORT")" == B ]] || fail "recovered to the end of the archive: expected B only (A deleted), found '$(rows "$PORT")'"
rto_latest=$RTO

# --- Retention: a second base backup, PITR_KEEP=1 --------------------------------------
start_pg "$dir/primary" primary-again
primary=$PORT
wal_before=$(find "$arch" -maxdepth 1 -regextype posix-extended -regex '.*/[0-9A-F]{24}' | wc -l)
base2=$(DATABASE_URL=$(url "$primary") PITR_KEEP=1 pitr base-backup 2>"$log") || fail "second base backup failed"
[[ ! -e "$base" && -f "$base2" ]] || fail "PITR_KEEP=1 did not remove the first base backup"
first_seg=$(sed -n 's/^START WAL LOCATION: .* (file \([0-9A-F]\{24\}\))$/\1/p' "$base2.label")
oldest=$(find "$arch" -maxdepth 1 -regextype posix-extended -regex '.*/[0-9A-F]{24}' -printf '%f\n' | LC_ALL=C sort | head -n 1)
[[ -z "$oldest" || "$oldest" > "$first_seg" || "$oldest" == "$first_seg" ]] ||
  fail "WAL older than the kept base backup ($first_seg) is still archived: $oldest"
wal_after=$(find "$arch" -maxdepth 1 -regextype posix-extended -regex '.*/[0-9A-F]{24}' | wc -l)
((wal_after < wal_before)) || fail "pg_archivecleanup removed nothing ($wal_before WAL files before, $wal_after after)"
as_pg "$PGB/pg_ctl" -D "$dir/primary" -m fast -w stop >/dev/null # its last segment is archived at shutdown
base=$base2
recover after-cleanup --latest
[[ "$(rows "$PORT")" == B ]] || fail "recovery from the pruned archive: expected B only, found '$(rows "$PORT")'"

echo "test-pitr: ok: base backup ${t_base} s ($base_size); RPO: write B archived ${rpo} s after its commit by archive_timeout=${archive_timeout}s alone;" \
  "RTO (unpack + replay + promote): restore point ($point_lsn) ${rto_name} s, timestamp ${rto_time} s, end of archive ${rto_latest} s;" \
  "retention: 1 base backup kept, WAL before $first_seg pruned ($wal_before -> $wal_after files), still recovers; total $(secs "$t_start") s"
