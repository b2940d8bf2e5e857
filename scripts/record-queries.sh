#!/usr/bin/env bash
# Records every SQL statement the application sends — the integration suite
# run against a throwaway cluster with pg_stat_statements — into
# backend/tests/compat/queries.sql. Run it when cutting a release (`make
# record-queries`) and commit the file: `make migrations` then proves
# that the NEXT release's migrations leave every one of these statements
# valid, so the previous release keeps working while a rolling deploy runs
# both (see docs/delivery.md, "Migrations").
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
out=backend/tests/compat/queries.sql
mkdir -p "${out%/*}"

if [[ "${1:-}" != --inside ]]; then
  unset DATABASE_URL
  PG_EXTRA_OPTS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=top -c pg_stat_statements.max=20000" \
    exec scripts/pg.sh with-throwaway "$0" --inside
fi

admin=${DATABASE_URL%/*}/postgres
psql "$admin" -XAqc 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
psql "$admin" -XAqc 'SELECT pg_stat_statements_reset()' >/dev/null
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked --quiet >"$log" 2>&1 || { tail -n 40 "$log" >&2; echo "record-queries: the test suite failed; fix it first" >&2; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$log" "$tmp"' EXIT
# The statements sent to the application's tables, normalised ($1, $2 … for
# values): the API's, and the few the tests send directly (which must keep
# working too); data statements only, no catalog or migration queries.
psql "$admin" -XAtq -o "$tmp" <<'SQL'
SELECT DISTINCT regexp_replace(s.query, '\s+', ' ', 'g') || ';'
FROM pg_stat_statements s
-- The per-test databases are dropped by now: whatever ran outside `postgres`.
WHERE s.dbid <> (SELECT oid FROM pg_database WHERE datname = 'postgres')
  AND s.query ~* '^\s*(select|insert|update|delete|with)\M'
  AND s.query ~* '\m(users|tweets|follows|likes|idempotency_keys|sessions|refresh_tokens)\M'
  AND s.query !~* '(pg_catalog|information_schema|pg_stat|pg_database|__diesel_schema_migrations|pg_advisory)'
ORDER BY 1;
SQL
# Keep what PostgreSQL can prepare on today's schema: normalising turns some
# literals into parameters where none may stand (`interval '1 hour'`), and
# those statements cannot be checked this way.
psql "$admin" -XAqc 'CREATE DATABASE tweets_record'
target/debug/tweets --version >/dev/null 2>&1 || cargo build --locked --quiet --bin tweets
env DATABASE_URL="${DATABASE_URL%/*}/tweets_record" RUST_LOG=error target/debug/tweets migrate >/dev/null
kept=$(mktemp)
trap 'rm -f "$log" "$tmp" "$kept"' EXIT
while IFS= read -r sql; do
  [[ -n $sql ]] || continue
  if printf 'BEGIN;\nPREPARE q AS %s\nROLLBACK;\n' "$sql" |
    psql "${DATABASE_URL%/*}/tweets_record" -Xq -v ON_ERROR_STOP=1 >/dev/null 2>&1; then
    printf '%s\n' "$sql" >>"$kept"
  fi
done <"$tmp"
echo "record-queries: $(wc -l <"$kept") of $(wc -l <"$tmp") statement(s) can be checked by PREPARE" >&2
mv "$kept" "$tmp"
{
  echo "-- Statements the application sent at $(git describe --always --dirty 2>/dev/null || echo unknown),"
  echo "-- recorded by scripts/record-queries.sh (pg_stat_statements over the test suite)."
  echo "-- make migrations prepares each against the migrated schema."
  cat "$tmp"
} >"$out"
echo "record-queries: $(grep -vc '^--' "$out") statement(s) in $out"
