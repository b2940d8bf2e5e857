#!/usr/bin/env bash
# shellcheck disable=SC2034 # the variables are read by the scripts that source this
# Shared by backup.sh, restore.sh and pitr.sh (sourced, not run): where the
# database and the media live, and how to reach them, for both targets:
#
#   local    DATABASE_URL names the live database (a URL, postgres://…/NAME);
#            MEDIA_ROOT is the media folder. Client tools run on this machine.
#   compose  the Compose stack: the client tools run inside the `db` container
#            (`docker compose exec -T db …`, so their version matches the
#            server's), as COMPOSE_DB_USER on database COMPOSE_DB_NAME; media
#            is the project's `media` volume, reached through a short-lived
#            container of the db service's image.
#
# Everything after this point (SQL, checks, archive layout) is the same code
# for both: only the prefix of a few commands differs (pg_db, pg_tool,
# media_pack, media_run).

BK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BK_PY=$BK_ROOT/scripts/backup_manifest.py
# The interpreter for it (BACKUP_PYTHON: e.g. a resolved path, skipping a shim).
BK_PYTHON=${BACKUP_PYTHON:-python3}
# Archive names: tweets-20261201T083000Z.tar (UTC). Retention and restore only
# ever consider names of exactly this shape.
BK_ARCHIVE_GLOB='tweets-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z.tar'

bk_log() { printf '%s: %s\n' "$BK_NAME" "$*" >&2; }
bk_die() { printf '%s: error: %s\n' "$BK_NAME" "$*" >&2; exit 1; }

# bk_init_target: checks the settings of the chosen target (BK_TARGET, from
# --compose or BACKUP_TARGET) and sets BK_DB (the live database's name).
bk_init_target() {
  case "$BK_TARGET" in
    local)
      [[ -n "${DATABASE_URL:-}" ]] || bk_die "DATABASE_URL is not set (the live database, postgres://USER@HOST:PORT/NAME)"
      [[ "$DATABASE_URL" =~ ^postgres(ql)?://[^/]*/([^/?]+)(\?.*)?$ ]] ||
        bk_die "DATABASE_URL must be a postgres:// URL that names a database (…/NAME)"
      BK_DB=${BASH_REMATCH[2]}
      [[ -n "${MEDIA_ROOT:-}" ]] || bk_die "MEDIA_ROOT is not set (the media folder the API writes to)"
      MEDIA_ROOT=${MEDIA_ROOT%/}
      ;;
    compose)
      read -ra BK_COMPOSE <<<"${BACKUP_COMPOSE:-docker compose}"
      BK_DB=${COMPOSE_DB_NAME:-tweets}
      BK_DB_USER=${COMPOSE_DB_USER:-tweets}
      command -v "${BK_COMPOSE[0]}" >/dev/null || bk_die "${BK_COMPOSE[0]} not found (BACKUP_COMPOSE=${BACKUP_COMPOSE:-docker compose})"
      ;;
    *) bk_die "unknown target '$BK_TARGET' (BACKUP_TARGET is local or compose)" ;;
  esac
  [[ "$BK_DB" =~ ^[a-z_][a-z0-9_]*$ ]] ||
    bk_die "database name '$BK_DB': these scripts handle lower-case names of letters, digits and _ only"
  command -v "$BK_PYTHON" >/dev/null || bk_die "$BK_PYTHON is needed (manifest and checksums)"
}

# The Compose command, run from the project directory (where compose.yaml is).
compose() { (cd "$BK_ROOT" && "${BK_COMPOSE[@]}" "$@"); }

# DATABASE_URL with its database replaced by $1 (query string kept).
url_for_db() {
  [[ "$DATABASE_URL" =~ ^(postgres(ql)?://[^/]*/)([^/?]+)(\?.*)?$ ]]
  printf '%s%s%s' "${BASH_REMATCH[1]}" "$1" "${BASH_REMATCH[4]}"
}

# pg_db DB TOOL [ARGS…]: psql, pg_dump or pg_restore connected to database DB.
pg_db() {
  local db=$1 tool=$2
  shift 2
  if [[ "$BK_TARGET" == compose ]]; then
    compose exec -T db "$tool" -U "$BK_DB_USER" -d "$db" "$@"
  else
    "$tool" -d "$(url_for_db "$db")" "$@"
  fi
}

# pg_tool TOOL [ARGS…]: a client tool that needs no connection (pg_restore -l).
pg_tool() {
  if [[ "$BK_TARGET" == compose ]]; then
    compose exec -T db "$@"
  else
    "$@"
  fi
}

# psql_maint: psql on the maintenance database (CREATE/ALTER/DROP DATABASE
# cannot run connected to the database they change), reading SQL on stdin,
# with the live and temporary names as psql variables.
psql_maint() {
  pg_db "${BACKUP_MAINTENANCE_DB:-postgres}" psql -XAtq -v ON_ERROR_STOP=1 "$@"
}

# One JSON line about the database it runs in: name, server version, app
# migration version (latest row of __diesel_schema_migrations), the rows of
# every ordinary table, and whether the app's media-referencing tables exist.
# Run inside the transaction whose snapshot pg_dump also uses (backup.sh), and
# on the restored copy (restore.sh): both sides count with this same
# statement. query_to_xml runs each count as a query of its own, in the
# caller's snapshot (only numbers travel through XML); keys are schema.table
# quoted as pg_dump quotes them, so they match its COPY lines.
BK_STATS_SQL=$(cat <<'SQL'
SELECT json_build_object(
  'database', current_database(),
  'encoding', pg_encoding_to_char((SELECT encoding FROM pg_database WHERE datname = current_database())),
  'server_version', current_setting('server_version'),
  'server_version_num', current_setting('server_version_num')::int,
  'migration_version', CASE WHEN to_regclass('public.__diesel_schema_migrations') IS NOT NULL THEN
      (xpath('/row/v/text()', query_to_xml(
        'SELECT max(version) AS v FROM public.__diesel_schema_migrations', false, true, '')))[1]::text END,
  'tables', (SELECT coalesce(json_object_agg(format('%I.%I', n.nspname, c.relname),
        (xpath('/row/c/text()', query_to_xml(
          format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint
        ORDER BY n.nspname, c.relname), '{}'::json)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'),
  'has_media_refs', to_regclass('public.tweets') IS NOT NULL AND to_regclass('public.users') IS NOT NULL
)::jsonb::text;
SQL
)
# The media files the data references (stored names, ab/<uuid>.<ext>), one
# JSON line; only when has_media_refs.
BK_REFS_SQL=$(cat <<'SQL'
SELECT coalesce(jsonb_agg(p ORDER BY p), '[]')::text FROM (
  SELECT image_path AS p FROM public.tweets WHERE image_path IS NOT NULL
  UNION SELECT avatar_path FROM public.users WHERE avatar_path IS NOT NULL) refs;
SQL
)

# The media folder as a tar stream on stdout: regular files only, without
# uploads still being written (.tmp) or what restore.sh leaves in a Compose
# volume (.restore-*, .pre-restore-*). The same shell snippet runs on this
# machine (local) and in a container with the volume mounted read-only
# (compose); an empty folder gives an empty archive (1024 zero bytes).
# shellcheck disable=SC2016 # expanded by the inner sh
BK_MEDIA_PACK_SH='set -eu
cd "$1"
files=$(find . \( -path ./.tmp -o -path "./.restore-*" -o -path "./.pre-restore-*" \) -prune -o -type f -print | LC_ALL=C sort)
if [ -n "$files" ]; then printf "%s\n" "$files" | tar -cf - -T -; else head -c 1024 /dev/zero; fi'

# compose_volume NAME: the Docker volume of the project's volume NAME (Compose
# labels its volumes with the project and volume names).
compose_volume() {
  local project=${COMPOSE_PROJECT_NAME:-tweets} vols
  vols=$(docker volume ls -q --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.volume=$1")
  [[ -n "$vols" && "$vols" != *$'\n'* ]] ||
    bk_die "expected one '$1' volume of Compose project '$project', found: ${vols:-none}"
  echo "$vols"
}
media_volume() {
  if [[ -n "${MEDIA_VOLUME:-}" ]]; then echo "$MEDIA_VOLUME"; else compose_volume media; fi
}

# The image short-lived helper containers run: the db service's own (already
# on the machine; has sh, tar, find and sha256sum), unless BACKUP_HELPER_IMAGE.
helper_image() {
  if [[ -n "${BACKUP_HELPER_IMAGE:-}" ]]; then echo "$BACKUP_HELPER_IMAGE"; return; fi
  local id
  id=$(compose ps -q db)
  [[ -n "$id" ]] || bk_die "the db service is not running (docker compose up -d db)"
  docker inspect --format '{{.Config.Image}}' "$id"
}

# media_pack: the media tar stream (see BK_MEDIA_PACK_SH) on stdout.
media_pack() {
  if [[ "$BK_TARGET" == compose ]]; then
    docker run --rm --network none --entrypoint sh -v "$(media_volume):/media:ro" "$(helper_image)" \
      -c "$BK_MEDIA_PACK_SH" sh /media
  else
    [[ -d "$MEDIA_ROOT" ]] || bk_die "MEDIA_ROOT $MEDIA_ROOT is not a directory"
    sh -c "$BK_MEDIA_PACK_SH" sh "$MEDIA_ROOT"
  fi
}

# media_run SCRIPT [ARGS…]: an sh script in a container with the media volume
# at /media (read-write), stdin passed through (compose only).
media_run() {
  local script=$1
  shift
  docker run --rm -i --network none --entrypoint sh -v "$(media_volume):/media" "$(helper_image)" -c "$script" sh "$@"
}

# Runs BK_STATS_SQL in database DB (a fresh connection: restore.sh's check).
db_stats() {
  pg_db "$1" psql -XAtq -v ON_ERROR_STOP=1 <<<"$BK_STATS_SQL"
}
