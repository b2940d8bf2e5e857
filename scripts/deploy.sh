#!/usr/bin/env bash
# Rolling deploy of the Compose stack on a host reached over SSH.
#
#   scripts/deploy.sh ENV TAG
#
# ENV names the environment (staging, production…): it labels the log and
# the deploy lock, and must match DEPLOY_PATH/.deploy-env when the host has
# one. TAG is the image tag to run (tweets-api:TAG, tweets-web:TAG).
#
# What happens (scripts/deploy_lib.sh has the algorithm and the Compose
# backend's commands):
#   1. take the host's deploy lock; remember the running tag
#      (DEPLOY_PATH/.deployed-tag, else the replicas' common image tag)
#   2. TWEETS_TAG=TAG docker compose -f compose.yaml -f compose.prod.yaml pull
#   3. migrations, once: docker compose run --rm api migrate (advisory lock)
#   4. the API replicas one at a time: one new container, health gate on
#      /readyz (bounded), then the oldest old container stopped (SIGTERM:
#      the API drains); repeat; then the web tier (nginx + SPA)
#   5. scripts/smoke.sh DEPLOY_URL (the API and the SPA through nginx)
#   6. on a failed gate or smoke test: the same roll back to the previous
#      tag, and exit 1; exit 2 when even that fails
#
# Environment:
#   DEPLOY_HOST, DEPLOY_USER    the host, reached with ssh (BatchMode; the
#                               host key must be in known_hosts)
#   DEPLOY_PATH                 folder on the host with the compose files and .env
#   DEPLOY_SSH_KEY              optional: a private key file, or the key itself
#   DEPLOY_SSH_PORT, DEPLOY_KNOWN_HOSTS   optional
#   DEPLOY_URL                  the site as users reach it (default
#                               http://DEPLOY_HOST:8080, WEB_PORT's default)
#   DEPLOY_COMPOSE_FILES        default "compose.yaml compose.prod.yaml"
#   DEPLOY_REPLICAS             default: as many API replicas as run now
#   DEPLOY_READY_TIMEOUT        seconds for a new replica's /readyz (120)
#   DEPLOY_POLL_INTERVAL        seconds between probes (2)
#   DEPLOY_STOP_TIMEOUT         seconds `docker stop` waits (40)
#
# Exit status: 0 deployed; 1 failed, previous release serving (or nothing
# changed); 2 failed and the rollback failed too; 3 another deploy is
# running; 64 usage.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 64
}
[[ $# -eq 2 ]] || usage
env_name=$1
tag=$2
[[ $env_name =~ ^[a-z][a-z0-9_-]{0,31}$ ]] || {
  echo "deploy.sh: invalid ENV '$env_name' (lower-case letters, digits, - and _)" >&2
  exit 64
}

# shellcheck source=scripts/deploy_lib.sh
source "$ROOT/scripts/deploy_lib.sh"
deploy_valid_tag "$tag" || {
  echo "deploy.sh: invalid TAG '$tag' (an image tag: letters, digits, _ . -)" >&2
  exit 64
}
: "${DEPLOY_HOST:?set DEPLOY_HOST}" "${DEPLOY_USER:?set DEPLOY_USER}" "${DEPLOY_PATH:?set DEPLOY_PATH}"
export DEPLOY_URL=${DEPLOY_URL:-http://$DEPLOY_HOST:8080}
export DEPLOY_BACKEND=compose
DEPLOY_ENV=$env_name

trap 'compose_end' EXIT
trap 'deploy_log "interrupted: replicas may run mixed tags; run deploy.sh again (with the previous tag to go back)"; exit 130' INT TERM

rc=0
compose_begin "$env_name" || rc=$?
if ((rc != 0)); then
  exit $((rc == 3 ? 3 : 1))
fi
deploy_release "$env_name" "$tag" || rc=$?
exit "$rc"
