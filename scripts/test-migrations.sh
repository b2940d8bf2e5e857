#!/usr/bin/env bash
# Migration compatibility: every statement the previous release sends
# (backend/tests/compat/queries.sql, recorded at release time by
# scripts/record-queries.sh) must still be valid once the current migrations
# are applied — PostgreSQL parses, resolves and plans each one (PREPARE) on
# a freshly migrated database. A migration that drops or renames what the
# previous release reads fails here, before a rolling deploy runs both.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
: "${DATABASE_URL:?}"
queries=backend/tests/compat/queries.sql
[[ -s $queries ]] || { echo "test-migrations: $queries is missing (scripts/record-queries.sh makes it)" >&2; exit 1; }
cargo build --locked --quiet --bin tweets

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
scratch_db "tweets_migrations_$$"
env DATABASE_URL="$SCRATCH_DB_URL" RUST_LOG=error target/debug/tweets migrate >/dev/null

# One PREPARE per statement, each in its own transaction so one failure does
# not hide the next; statements whose parameter types PostgreSQL cannot infer
# without the application's binds are prepared with `unknown` parameters.
python3 - "$SCRATCH_DB_URL" "$queries" <<'PY'
import subprocess, sys
url, path = sys.argv[1], sys.argv[2]
statements = [l.rstrip(";\n") for l in open(path) if l.strip() and not l.startswith("--")]
script = []
for i, sql in enumerate(statements):
    script.append(f"BEGIN;\nPREPARE compat_{i} AS {sql};\nROLLBACK;")
res = subprocess.run(["psql", url, "-Xq", "-v", "ON_ERROR_STOP=0"], input="\n".join(script),
                     text=True, capture_output=True)
errors = [l for l in res.stderr.splitlines() if l.startswith("ERROR:") or l.startswith("psql:")]
if errors:
    print("test-migrations: statements of the previous release no longer work on the migrated schema:", file=sys.stderr)
    for line in errors[:40]:
        print("  " + line, file=sys.stderr)
    sys.exit(1)
print(f"test-migrations: {len(statements)} statement(s) of the previous release prepare on the migrated schema")
PY
