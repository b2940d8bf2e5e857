#!/usr/bin/env bash
# Rolling deploys, as a library: the algorithm (deploy_release, deploy_roll)
# and the Compose-over-SSH backend (compose_*). Sourced by scripts/deploy.sh
# (Compose backend) and scripts/test-deploy.sh (a local-process backend of
# its own), so the code that rolls, gates, smokes and rolls back is the
# same in both; a backend only implements the primitives below.
#
# The core never uses `set -e` semantics (it runs inside `if`/`||`, where
# bash ignores errexit): every step checks its own status.
#
# ---- Backend primitives ----------------------------------------------------
# DEPLOY_BACKEND=NAME selects the functions NAME_<primitive>:
#   prepare TAG          make release TAG available (pull its images); 0 = ok
#   migrate TAG          apply TAG's migrations, once per deploy (under the
#                        API's advisory lock); never run on rollback
#   list_replicas        print "ID TAG" per running API replica, oldest first
#   start_replica TAG    start ONE more replica of TAG, not yet in the load
#                        balancer; sets REPLICA_ID (a variable, not output:
#                        a backend may start child processes of this shell)
#   replica_ready ID     0 ready (GET /readyz is 200), 1 not yet, 2 gone for
#                        good (exited, crash-looping): stop waiting
#   replica_logs ID      print the replica's last log lines (diagnostics)
#   lb_add ID            route traffic to ID (it is ready)
#   lb_remove ID         stop routing new requests to ID and return once the
#                        requests it was sent have finished (drained)
#   stop_replica ID      stop ID gracefully and remove it
#   update_web TAG       bring the web tier (nginx + SPA) to TAG
#   current_tag          print the tag of the last successful deploy (may be
#                        empty: the core then uses the replicas' common tag)
#   set_current_tag TAG  record TAG as the last successful deploy
#
# ---- Settings (environment) ------------------------------------------------
#   DEPLOY_REPLICAS        replicas wanted (default: as many as are running)
#   DEPLOY_READY_TIMEOUT   seconds a new replica has to become ready (120)
#   DEPLOY_POLL_INTERVAL   seconds between readiness probes (2)
#   DEPLOY_SMOKE           smoke command, given DEPLOY_URL (scripts/smoke.sh)
#   DEPLOY_URL             base URL of the site, through nginx

DEPLOY_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

deploy_log() { printf 'deploy[%s]: %s\n' "${DEPLOY_ENV:-?}" "$*" >&2; }

# A Docker-style tag: what may safely travel in file names, sed and remote
# shell commands.
deploy_valid_tag() { [[ $1 =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; }

# be PRIMITIVE ARG…: the selected backend's implementation.
be() {
  local fn=${DEPLOY_BACKEND:?DEPLOY_BACKEND is not set}_$1
  shift
  "$fn" "$@"
}

# deploy_wait_ready ID: polls replica_ready until it answers 0 (ready), 2
# (gone) or DEPLOY_READY_TIMEOUT passes. A bounded poll, never a fixed sleep.
deploy_wait_ready() {
  local id=$1 rc
  local deadline=$((SECONDS + ${DEPLOY_READY_TIMEOUT:-120}))
  while :; do
    be replica_ready "$id"
    rc=$?
    case $rc in
      0) return 0 ;;
      2)
        deploy_log "replica $id exited before becoming ready"
        return 1
        ;;
    esac
    if ((SECONDS >= deadline)); then
      deploy_log "replica $id not ready (GET /readyz) within ${DEPLOY_READY_TIMEOUT:-120} s"
      return 1
    fi
    sleep "${DEPLOY_POLL_INTERVAL:-2}"
  done
}

# deploy_add_replica TAG: one new replica of TAG, through the health gate,
# then into the load balancer. A replica that fails the gate never received
# traffic: it is stopped (its last log lines shown) and this returns 1.
deploy_add_replica() {
  local tag=$1 id
  REPLICA_ID=
  if ! be start_replica "$tag" || [[ -z $REPLICA_ID ]]; then
    deploy_log "could not start a replica of $tag"
    if [[ -n $REPLICA_ID ]]; then
      be stop_replica "$REPLICA_ID" || deploy_log "could not stop $REPLICA_ID"
    fi
    return 1
  fi
  id=$REPLICA_ID
  deploy_log "started replica $id ($tag); waiting for /readyz"
  if ! deploy_wait_ready "$id"; then
    deploy_log "health gate failed for $id ($tag); its last log lines:"
    be replica_logs "$id" 2>&1 | tail -n 20 | sed 's/^/    /' >&2
    be stop_replica "$id" || deploy_log "could not stop the failed replica $id"
    return 1
  fi
  if ! be lb_add "$id"; then
    deploy_log "could not add $id to the load balancer"
    be stop_replica "$id" || deploy_log "could not stop replica $id"
    return 1
  fi
  deploy_log "replica $id ($tag) is ready and serving"
}

# deploy_retire_replica ID: out of the load balancer (drained), then stopped.
deploy_retire_replica() {
  local id=$1
  be lb_remove "$id" || {
    deploy_log "could not take $id out of the load balancer"
    return 1
  }
  be stop_replica "$id" || {
    deploy_log "could not stop replica $id"
    return 1
  }
  deploy_log "replica $id drained and stopped"
}

# deploy_roll TAG [COUNT]: brings every API replica to TAG, one at a time, never
# below the replica count it started with ("surge one"): start one TAG
# replica, wait until /readyz answers (bounded), add it to the load
# balancer; only then drain and stop the oldest replica of another tag.
# Repeat until none is left; then scale to COUNT (default: DEPLOY_REPLICAS,
# else as many as run now) if that differs.
# Replicas already on TAG are kept, so rolling to the tag that runs is a
# no-op and rolling back after a half-done roll replaces only what changed.
# Returns 1 at the first replica that fails its gate (after stopping it):
# the remaining replicas keep serving, whatever their tag.
deploy_roll() {
  local tag=$1 want=${2:-} listing id rtag n_tag=0
  local -a others=()
  listing=$(be list_replicas) || {
    deploy_log "could not list the replicas"
    return 1
  }
  while read -r id rtag; do
    [[ -n $id ]] || continue
    if [[ $rtag == "$tag" ]]; then
      n_tag=$((n_tag + 1))
    else
      others+=("$id")
    fi
  done <<<"$listing"
  [[ -n $want ]] || want=${DEPLOY_REPLICAS:-$((n_tag + ${#others[@]}))}
  if ! [[ $want =~ ^[0-9]+$ ]] || ((want < 1)); then
    deploy_log "no replica is running and DEPLOY_REPLICAS is not set: start the stack first"
    return 1
  fi
  deploy_log "rolling to $tag: $want replica(s) wanted; ${#others[@]} to replace, $n_tag already on $tag"
  while ((${#others[@]} > 0)); do
    if ((n_tag < want)); then
      deploy_add_replica "$tag" || return 1
      n_tag=$((n_tag + 1))
    fi
    deploy_retire_replica "${others[0]}" || return 1
    others=("${others[@]:1}")
  done
  while ((n_tag < want)); do
    deploy_add_replica "$tag" || return 1
    n_tag=$((n_tag + 1))
  done
  if ((n_tag > want)); then
    listing=$(be list_replicas) || return 1
    while read -r id rtag && ((n_tag > want)); do
      [[ -n $id ]] || continue
      deploy_retire_replica "$id" || return 1
      n_tag=$((n_tag - 1))
    done <<<"$listing"
  fi
  deploy_log "all $want replica(s) run $tag"
}

deploy_smoke() {
  local smoke=${DEPLOY_SMOKE:-$DEPLOY_LIB_DIR/smoke.sh}
  deploy_log "smoke test through ${DEPLOY_URL:?DEPLOY_URL is not set}"
  "$smoke" "$DEPLOY_URL"
}

# deploy_release ENV TAG: the whole deploy. 0 = TAG is live; 1 = it failed
# and the previous release is back (or nothing had changed yet); 2 = the
# rollback failed too (needs a person). Sets DEPLOY_FAILED_STAGE.
deploy_release() {
  DEPLOY_ENV=$1
  local tag=$2 prev listing tags stage want
  DEPLOY_FAILED_STAGE=
  deploy_valid_tag "$tag" || {
    deploy_log "invalid tag: '$tag'"
    return 1
  }
  # 1. Remember what runs: the last successful deploy, else the replicas'
  #    common tag.
  listing=$(be list_replicas) || {
    DEPLOY_FAILED_STAGE=preflight
    deploy_log "FAILED: could not list the running replicas; nothing was changed"
    return 1
  }
  if [[ -z $listing && -z ${DEPLOY_REPLICAS:-} ]]; then
    DEPLOY_FAILED_STAGE=preflight
    deploy_log "FAILED: no API replica is running (start the stack first, or set DEPLOY_REPLICAS)"
    return 1
  fi
  # The replica count to keep, through the roll and any rollback.
  want=${DEPLOY_REPLICAS:-$(grep -c . <<<"$listing")}
  prev=$(be current_tag) || prev=
  if [[ -z $prev ]]; then
    tags=$(awk 'NF >= 2 { print $2 }' <<<"$listing" | sort -u)
    [[ $tags == *$'\n'* ]] || prev=$tags
  fi
  deploy_log "deploying $tag (running: ${prev:-unknown})"
  # 2. Fetch the release and migrate once. Nothing runs differently yet,
  #    so a failure here needs no rollback. Migrations must stay compatible
  #    with the previous release (expand/contract): it keeps serving
  #    meanwhile, and it is what a rollback returns to.
  if ! be prepare "$tag"; then
    DEPLOY_FAILED_STAGE=prepare
    deploy_log "FAILED: could not fetch release $tag; nothing was changed"
    return 1
  fi
  if ! be migrate "$tag"; then
    DEPLOY_FAILED_STAGE=migrate
    deploy_log "FAILED: migrations of $tag failed; the replicas were not touched"
    return 1
  fi
  # 3. Roll the API behind the health gate, then the web tier, then smoke.
  stage=roll
  if deploy_roll "$tag" "$want"; then
    stage=web
    if be update_web "$tag"; then
      stage=smoke
      if deploy_smoke; then
        be set_current_tag "$tag" || deploy_log "warning: could not record $tag as the current release"
        deploy_log "OK: $tag is live"
        return 0
      fi
    fi
  fi
  # shellcheck disable=SC2034 # for callers (the test checks it)
  DEPLOY_FAILED_STAGE=$stage
  case $stage in
    roll) deploy_log "FAILED: rolling the API to $tag failed (see above)" ;;
    web) deploy_log "FAILED: could not bring the web tier to $tag" ;;
    smoke) deploy_log "FAILED: the smoke test failed on $tag" ;;
  esac
  # 4. Roll back: the same procedure, to the previous tag.
  if [[ -z $prev || $prev == "$tag" ]]; then
    deploy_log "no previous release to roll back to: check the service now"
    return 2
  fi
  deploy_log "rolling back to $prev"
  if deploy_roll "$prev" "$want" && be update_web "$prev" && deploy_smoke; then
    be set_current_tag "$prev" || deploy_log "warning: could not record $prev as the current release"
    deploy_log "ROLLED BACK: deploy of $tag failed ($stage); $prev is serving again"
    return 1
  fi
  deploy_log "ROLLBACK FAILED: deploy of $tag failed ($stage) and rolling back to $prev failed too: check the service now"
  return 2
}

# ---- Compose over SSH ------------------------------------------------------
# The stack as compose.yaml + compose.prod.yaml run it, on DEPLOY_HOST, in
# DEPLOY_PATH (which holds the compose files and .env). Each primitive is
# one or a few `ssh` commands (one multiplexed connection):
#
#   prepare        TWEETS_TAG=TAG docker compose pull api web
#   migrate        TWEETS_TAG=TAG docker compose run --rm -T api migrate
#                  (the image's ENTRYPOINT is `tweets`, so the arguments are
#                  `migrate`, not `tweets migrate`; the API takes an
#                  advisory lock, so concurrent runs are safe)
#   list_replicas  docker compose ps -q api + docker inspect (creation
#                  time, image tag), oldest first
#   start_replica  TWEETS_TAG=TAG docker compose up -d --no-deps
#                  --no-recreate --scale api=N+1 api: Compose adds one
#                  container with the new image and leaves the others as
#                  they are; the new ID is the one `ps -a -q` did not list
#                  before
#   replica_ready  docker inspect (running, never restarted), then
#                  docker exec ID tweets healthcheck --url …/readyz (the
#                  image has no curl; the container's own health check
#                  probes /healthz, liveness only)
#   lb_add         docker compose exec web nginx -s reload: nginx
#                  re-resolves `api` at once instead of within the
#                  resolver's valid=10s
#   lb_remove      nothing to do before the stop: Docker's DNS keeps a
#                  container under `api` until it stops, so the drain is
#                  the API's graceful shutdown — on SIGTERM it closes its
#                  listener (nginx's next connect is refused and passed to
#                  another server: proxy_next_upstream `error` applies to
#                  every method when nothing was sent yet) and finishes
#                  its in-flight requests within SHUTDOWN_TIMEOUT
#   stop_replica   docker stop --time DEPLOY_STOP_TIMEOUT ID, docker rm ID,
#                  then reload nginx so it forgets the address at once
#   update_web     TWEETS_TAG=TAG docker compose up -d --no-deps --wait web
#                  (one nginx container: recreating it is a short gap)
#   current_tag    DEPLOY_PATH/.deployed-tag
#   set_current_tag  writes .deployed-tag and TWEETS_TAG= in .env, so a
#                  later plain `docker compose up -d` keeps this release
#
# Known limit of DNS discovery: a new container is in `api`'s DNS answer
# as soon as it runs, before the gate passes. The API binds its port only
# after reaching the database and applying migrations, so until then
# nginx's connects are refused and retried elsewhere; a release that binds
# yet never turns ready can see some traffic for up to the resolver's 10 s
# before the gate fails and it is removed.
#
# Settings: DEPLOY_HOST, DEPLOY_USER, DEPLOY_PATH (required); DEPLOY_SSH_KEY
# (a key file, or the key itself), DEPLOY_SSH_PORT, DEPLOY_KNOWN_HOSTS (a
# known_hosts file; default: ssh's own), DEPLOY_COMPOSE_FILES (default
# "compose.yaml compose.prod.yaml"), DEPLOY_STOP_TIMEOUT (40 s: above the
# API's SHUTDOWN_TIMEOUT of 30 s).

_compose_ssh=()
_compose_files=()
_compose_tmp=
_compose_locked=

# compose_begin ENV: checks the settings, opens the SSH connection, checks
# the deploy folder and takes the deploy lock (one deploy at a time).
compose_begin() {
  local env=$1 key_file owner found
  : "${DEPLOY_HOST:?set DEPLOY_HOST}" "${DEPLOY_USER:?set DEPLOY_USER}" "${DEPLOY_PATH:?set DEPLOY_PATH}"
  _compose_tmp=$(mktemp -d) || return 1
  _compose_ssh=(ssh -n -o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=15
    -o ServerAliveInterval=15 -o ServerAliveCountMax=4
    -o ControlMaster=auto -o "ControlPath=$_compose_tmp/cm" -o ControlPersist=300)
  if [[ -n ${DEPLOY_SSH_KEY:-} ]]; then
    if [[ $DEPLOY_SSH_KEY == *"PRIVATE KEY"* ]]; then
      key_file=$_compose_tmp/key
      (umask 077 && printf '%s\n' "$DEPLOY_SSH_KEY" >"$key_file") || return 1
    else
      key_file=$DEPLOY_SSH_KEY
    fi
    _compose_ssh+=(-i "$key_file" -o IdentitiesOnly=yes)
  fi
  [[ -z ${DEPLOY_SSH_PORT:-} ]] || _compose_ssh+=(-p "$DEPLOY_SSH_PORT")
  [[ -z ${DEPLOY_KNOWN_HOSTS:-} ]] || _compose_ssh+=(-o "UserKnownHostsFile=$DEPLOY_KNOWN_HOSTS")
  _compose_ssh+=("$DEPLOY_USER@$DEPLOY_HOST")
  read -ra _compose_files <<<"${DEPLOY_COMPOSE_FILES:-compose.yaml compose.prod.yaml}"

  local file
  for file in "${_compose_files[@]}" .env; do
    compose_sh test -f "$file" || {
      deploy_log "$DEPLOY_HOST:$DEPLOY_PATH/$file is missing (or the host is not reachable)"
      return 1
    }
  done
  compose_sh docker compose version >/dev/null || {
    deploy_log "docker compose does not run on $DEPLOY_HOST"
    return 1
  }
  # A host may name its environment in .deploy-env: refuse the wrong one.
  found=$(compose_sh sh -c 'if [ -f .deploy-env ]; then cat .deploy-env; fi') || return 1
  if [[ -n $found && $found != "$env" ]]; then
    deploy_log "$DEPLOY_HOST:$DEPLOY_PATH is the '$found' environment, not '$env'"
    return 1
  fi
  owner="$env $(id -un 2>/dev/null)@$(hostname 2>/dev/null) pid $$ since $(date -u +%FT%TZ)"
  # shellcheck disable=SC2016 # expanded by the remote shell
  if ! compose_sh sh -c 'mkdir .deploy.lock 2>/dev/null && printf "%s\n" "$1" >.deploy.lock/owner' sh "$owner"; then
    deploy_log "another deploy holds $DEPLOY_PATH/.deploy.lock ($(compose_sh cat .deploy.lock/owner 2>/dev/null || echo '?'));" \
      "remove it if that deploy is dead"
    _compose_ssh_close
    return 3
  fi
  _compose_locked=1
}

# compose_end: releases the lock (when ours) and closes the SSH connection.
compose_end() {
  if [[ -n ${_compose_locked:-} ]]; then
    compose_sh sh -c 'rm -f .deploy.lock/owner && rmdir .deploy.lock' ||
      deploy_log "could not remove $DEPLOY_PATH/.deploy.lock: remove it by hand"
    _compose_locked=
  fi
  _compose_ssh_close
}

_compose_ssh_close() {
  if [[ -n $_compose_tmp ]]; then
    ssh -o "ControlPath=$_compose_tmp/cm" -O exit "${_compose_ssh[-1]}" 2>/dev/null || true
    rm -rf "$_compose_tmp"
    _compose_tmp=
  fi
}

# compose_sh COMMAND ARG…: runs COMMAND in DEPLOY_PATH on the host, each
# argument quoted for the remote shell.
compose_sh() {
  local cmd
  printf -v cmd ' %q' "$@"
  "${_compose_ssh[@]}" "cd $(printf %q "$DEPLOY_PATH") &&$cmd"
}

# compose_dc TAG ARG…: `docker compose` with the deploy's files; with
# TWEETS_TAG=TAG unless TAG is empty (then .env's).
compose_dc() {
  local tag=$1 file
  shift
  local -a args=(docker compose)
  for file in "${_compose_files[@]}"; do args+=(-f "$file"); done
  if [[ -n $tag ]]; then
    compose_sh env "TWEETS_TAG=$tag" "${args[@]}" "$@"
  else
    compose_sh "${args[@]}" "$@"
  fi
}

compose_prepare() { compose_dc "$1" pull --quiet api web; }

compose_migrate() { compose_dc "$1" run --rm -T api migrate; }

compose_list_replicas() {
  local ids created id image
  local -a all=()
  ids=$(compose_dc "" ps -q api) || return 1
  mapfile -t all < <(grep . <<<"$ids" | cut -c1-12)
  ((${#all[@]} > 0)) || return 0
  ids=$(compose_sh docker inspect --format '{{.Created}} {{.Id}} {{.Config.Image}}' "${all[@]}") || return 1
  while read -r created id image; do
    [[ -n $created ]] && printf '%s %s\n' "${id:0:12}" "${image##*:}"
  done < <(sort <<<"$ids")
}

compose_start_replica() {
  local tag=$1 before after n
  local -a new=()
  before=$(compose_dc "" ps -a -q api) || return 1
  n=$(grep -c . <<<"$before")
  compose_dc "$tag" up -d --no-deps --no-recreate --scale "api=$((n + 1))" api || return 1
  after=$(compose_dc "" ps -a -q api) || return 1
  mapfile -t new < <(grep -vxF -f <(printf '%s\n' "$before") <<<"$after" | grep . | cut -c1-12)
  if ((${#new[@]} != 1)); then
    deploy_log "expected one new api container, found ${#new[@]}: ${new[*]}"
    ((${#new[@]} == 0)) || REPLICA_ID=${new[0]}
    return 1
  fi
  # shellcheck disable=SC2034 # read by the core (deploy_add_replica)
  REPLICA_ID=${new[0]}
}

compose_replica_ready() {
  local id=$1 out status restarts
  out=$(compose_sh docker inspect --format '{{.State.Status}} {{.RestartCount}}' "$id" 2>/dev/null) || return 2
  read -r status restarts <<<"$out"
  [[ ${restarts:-0} == 0 ]] || return 2 # crashed once already (restart: always)
  case $status in
    running) ;;
    created | restarting) return 1 ;;
    *) return 2 ;;
  esac
  compose_sh docker exec "$id" tweets healthcheck --url http://127.0.0.1:8080/readyz --timeout-secs 3 \
    >/dev/null 2>&1 || return 1
}

compose_replica_logs() { compose_sh docker logs --tail 20 "$1"; }

compose_reload_web() { compose_dc "" exec -T web nginx -s reload >/dev/null; }

compose_lb_add() { compose_reload_web; }

compose_lb_remove() { :; } # see above: the drain is the API's graceful SIGTERM

compose_stop_replica() {
  local id=$1
  compose_sh docker stop --time "${DEPLOY_STOP_TIMEOUT:-40}" "$id" >/dev/null || return 1
  compose_sh docker rm "$id" >/dev/null || return 1
  compose_reload_web || deploy_log "warning: nginx reload failed; it re-resolves api within 10 s anyway"
}

compose_update_web() { compose_dc "$1" up -d --no-deps --wait --wait-timeout 120 web; }

compose_current_tag() { compose_sh sh -c 'if [ -f .deployed-tag ]; then cat .deployed-tag; fi'; }

compose_set_current_tag() {
  deploy_valid_tag "$1" || return 1
  # One line: compose_sh quotes it with %q, and a newline would need bash's
  # $'…' on the remote side. The tag is validated, so sed may carry it.
  # shellcheck disable=SC2016 # expanded by the remote shell
  compose_sh sh -c 'printf "%s\n" "$1" >.deployed-tag.new && mv .deployed-tag.new .deployed-tag && if grep -q "^TWEETS_TAG=" .env; then sed -i "s/^TWEETS_TAG=.*/TWEETS_TAG=$1/" .env; else printf "\nTWEETS_TAG=%s\n" "$1" >>.env; fi' sh "$1"
}
