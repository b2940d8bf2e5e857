#!/usr/bin/env bash
# `make run`: the whole app (API + single-page app + media) in one process on
# http://localhost:8080. `make dev` (`run.sh --watch`): the same, rebuilt and
# restarted whenever the Rust code, the migrations or Cargo files change
# (watchexec, installed from crates.io into .tools/ on first use); the
# single-page app is served from frontend/ on disk, so a reload shows an edit.
#
# Settings come from the environment, then `.env` (which the server reads
# itself), then the local defaults below — a default is applied only to a
# variable that neither sets. Without a DATABASE_URL, a project PostgreSQL
# cluster is started under .data/ (stop it with `make stop-db`).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# Whether NAME is set in the environment or defined in .env. Only the names
# are read here: the values are dotenvy's to parse, in the server.
configured() {
  [[ -n "${!1:-}" ]] && return 0
  [[ -f .env ]] && grep -Eq "^[[:space:]]*(export[[:space:]]+)?$1=." .env
}

mkdir -p .data/media
if ! configured DATABASE_URL && ! configured POSTGRES_HOST; then
  DATABASE_URL=$(scripts/pg.sh start-url)
  export DATABASE_URL
fi
# A development secret that survives restarts, so sessions do too; never used in production.
if ! configured JWT_SECRET && ! configured JWT_SECRET_FILE; then
  if [[ ! -s .data/jwt_secret ]]; then
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >.data/jwt_secret)
  fi
  JWT_SECRET=$(cat .data/jwt_secret)
  export JWT_SECRET
fi
if ! configured STATIC_DIR && [[ -f "$ROOT/frontend/index.html" ]]; then
  export STATIC_DIR=$ROOT/frontend
fi
configured MEDIA_ROOT || export MEDIA_ROOT=$ROOT/.data/media
configured BIND_ADDR || export BIND_ADDR=127.0.0.1:8080
configured RUST_LOG || export RUST_LOG=info

# A taken port is the most common first-run failure: say so before building.
bind=${BIND_ADDR:-$(grep -E '^[[:space:]]*(export[[:space:]]+)?BIND_ADDR=' .env | tail -n 1 | cut -d= -f2- | tr -d "\"' ")}
port=${bind##*:}
host=${bind%:*}
[[ $host == 0.0.0.0 || -z $host ]] && host=127.0.0.1
if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  echo "run.sh: $host:$port is already in use: stop what listens there, or run with BIND_ADDR=127.0.0.1:8081 (also settable in .env)" >&2
  exit 1
fi

run=(cargo run ${CARGO_PROFILE:+--profile "$CARGO_PROFILE"} --locked --bin tweets -- serve)
if [[ ${1:-} == --watch ]]; then
  watchexec=$(command -v watchexec || true)
  if [[ -z $watchexec ]]; then
    watchexec=$ROOT/.tools/watchexec/bin/watchexec
    if [[ ! -x $watchexec ]]; then
      echo "run.sh: installing watchexec-cli from crates.io into .tools/watchexec (once; a few minutes)" >&2
      cargo install --quiet --locked --root "$ROOT/.tools/watchexec" watchexec-cli@2.8.0
    fi
  fi
  echo "Tweets on http://localhost:$port — rebuilt and restarted on every change to backend/, migrations/ or Cargo files" >&2
  exec "$watchexec" --restart --stop-signal SIGTERM --stop-timeout 10s \
    --watch backend/src --watch migrations --watch Cargo.toml --watch Cargo.lock --watch backend/Cargo.toml \
    --exts rs,sql,toml,lock -- "${run[@]}"
fi
echo "Tweets on http://localhost:$port — building first (cargo shows its progress)" >&2
exec "${run[@]}"
