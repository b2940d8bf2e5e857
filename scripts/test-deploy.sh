#!/usr/bin/env bash
# Rolling-deploy test: the deploy core of scripts/deploy_lib.sh (the same
# functions scripts/deploy.sh runs against Compose) driven against a
# local-process backend: API replicas are `tweets serve` processes on
# loopback ports behind Debian's nginx running the project's config
# (scripts/render_nginx.py, plain-HTTP templates), whose upstream lists the
# replicas that are in the load balancer; a change is a rewritten upstream
# and a graceful reload (SIGHUP to the master this script started), waited
# for until the old workers — and the requests they carried — are done.
# That is how this backend's "load balancer" follows the replicas, as
# Compose DNS + `resolve` does in the image.
#
# Releases (all the same binary; the tag only exists in the bookkeeping and
# as TWEETS_RELEASE in each replica's environment):
#   A   the starting release, 2 replicas
#   A2  a good release: the roll must succeed without one failed request
#   B   a wrong config: DATABASE_URL names a port where nothing listens, so
#       its replica never turns ready (`serve` waits for the database
#       before binding: /readyz is refused) — the gate times out, the
#       deploy rolls back (nothing had changed yet)
#   C   a wrong config that only breaks the second replica: a fixed
#       METRICS_ADDR (one process gets the port, the next exits "address in
#       use") — the first C replica serves, one A2 replica is retired, then
#       the gate fails: the rollback replaces C with A2 again
# During every roll, a traffic generator (GET and POST /api/v1/tweets
# through nginx, a new connection per request) must see only 200s and 201s:
# no 5xx, no connection error. nginx's access log (with the upstream
# address added to the scratch copy's log_format) must show every proxied
# request served by the first replica tried: a retry would mean traffic
# reached a replica that was not ready or no longer serving, which nginx's
# proxy_next_upstream can hide from the client (stopping before the drain
# does exactly that on loopback); it also counts requests per release.
#
# Needs DATABASE_URL to a server where it may create a database
# (scripts/pg.sh with-throwaway scripts/test-deploy.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
: "${DATABASE_URL:?}"
command -v nginx >/dev/null || {
  echo "test-deploy.sh: nginx is needed (apt-get install nginx)" >&2
  exit 1
}
started=$SECONDS
cargo build --locked --quiet --bin tweets
BIN=$ROOT/target/debug/tweets
build_s=$((SECONDS - started))

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
# shellcheck source=scripts/deploy_lib.sh
source scripts/deploy_lib.sh

die() {
  echo "test-deploy: FAIL: $*" >&2
  exit 1
}
note() { echo "test-deploy: $*" >&2; }

scratch_dir
tmp=$SCRATCH_DIR
scratch_db "tweets_deploy_$$"
DB_URL=$SCRATCH_DB_URL
JWT=deploy-test-secret-0123456789-abcdefghijklmnop
mkdir -m 755 "$tmp/media" "$tmp/www" "$tmp/replicas" "$tmp/logs"
# The SPA as the web image holds it (docker/web.Dockerfile).
cp frontend/index.html frontend/favicon.svg "$tmp/www/"
cp -r frontend/css frontend/js "$tmp/www/"
chmod -R a+rX "$tmp/www"
: >"$tmp/lb_members"

dead_port=$(free_port)    # nothing listens there
metrics_port=$(free_port) # release C pins every replica's metrics here
declare -A REL_ENV=(
  [A]="DATABASE_URL=$DB_URL"
  [A2]="DATABASE_URL=$DB_URL"
  [B]="DATABASE_URL=postgres://postgres@127.0.0.1:$dead_port/tweets"
  [C]="DATABASE_URL=$DB_URL METRICS_ADDR=127.0.0.1:$metrics_port"
)

# ---- processes: tracked by PID and start time, so a reused PID is never
# mistaken for ours ----------------------------------------------------------
# proc_stat PID: prints "STATE STARTTIME" (fields 3 and 22 of /proc/PID/stat).
proc_stat() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }
  local -a f
  read -ra f <<<"$s"
  echo "${f[0]} ${f[19]}"
}
proc_start() { local st; st=$(proc_stat "$1") || return 1; echo "${st#* }"; }
# proc_alive PID START: running (not a zombie) and still the same process.
proc_alive() {
  local st
  st=$(proc_stat "$1") || return 1
  [[ ${st%% *} != Z && ${st#* } == "$2" ]]
}
# proc_stop PID START SECONDS: SIGTERM, a bounded wait, SIGKILL if need be.
proc_stop() {
  local pid=$1 start=$2 deadline=$((SECONDS + $3))
  proc_alive "$pid" "$start" && kill -TERM "$pid" 2>/dev/null
  while proc_alive "$pid" "$start"; do
    if ((SECONDS >= deadline)); then
      note "pid $pid ignored SIGTERM for $3 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null
      deadline=$((SECONDS + 5))
    fi
    sleep 0.05
  done
  wait "$pid" 2>/dev/null || true
}

# ---- nginx ------------------------------------------------------------------
ngx=$tmp/nginx
web_port=$(free_port)
base=http://127.0.0.1:$web_port
python3 scripts/render_nginx.py "$ngx" NGINX_PORT="$web_port" API_UPSTREAM=@API_SERVERS@ API_UPSTREAM_PARAMS= \
  NGINX_RESOLVER=127.0.0.1 TWEETS_STATIC_ROOT="$tmp/www" TWEETS_MEDIA_ROOT="$tmp/media"
# The upstream's server list becomes the replicas in the load balancer.
mv "$ngx/conf.d/upstream.conf" "$tmp/upstream.conf.in"
grep -q 'server @API_SERVERS@' "$tmp/upstream.conf.in" || die "upstream template changed: no server line"
# Runtime files of this nginx in the scratch folder (nginx.conf puts them
# in /tmp, shared with every other nginx on the machine: a reload by pid
# file could signal another test's).
mkdir -m 755 "$ngx/run"
sed -i -e "s|^pid .*;|pid $ngx/run/nginx.pid;|" -e "s|/tmp/nginx-|$ngx/run/|" "$ngx/nginx.conf"
# The access log also names the upstream(s) each request went to: a request
# nginx had to pass to a second server ("A, B") means the first refused or
# failed it — traffic reaching a replica that was not (or no longer)
# serving, even when the retry hid it from the client.
# shellcheck disable=SC2016 # nginx variables, not the shell's
sed -i 's|"user_agent":"$http_user_agent"}'"'"';|"user_agent":"$http_user_agent","upstream":"$upstream_addr","upstream_status":"$upstream_status"}'"'"';|' "$ngx/nginx.conf"
# shellcheck disable=SC2016
grep -q '"upstream":"$upstream_addr"' "$ngx/nginx.conf" || die "nginx.conf's log_format changed: cannot log upstreams"
NGINX_PID=

# lb_render: conf.d/upstream.conf with one server per member, checked.
lb_render() {
  local servers="" id
  while read -r id; do
    [[ -n $id ]] && servers+="    server 127.0.0.1:$(<"$tmp/replicas/$id/port");"$'\n'
  done <"$tmp/lb_members"
  [[ -n $servers ]] || {
    deploy_log "refusing an upstream without servers"
    return 1
  }
  awk -v servers="$servers" '/server @API_SERVERS@/ { printf "%s", servers; next } { print }' \
    "$tmp/upstream.conf.in" >"$ngx/conf.d/upstream.conf.new" || return 1
  mv "$ngx/conf.d/upstream.conf.new" "$ngx/conf.d/upstream.conf" || return 1
  nginx -t -q -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" 2>>"$ngx/stderr.log" || {
    deploy_log "nginx rejects the new upstream: $(tail -n 3 "$ngx/stderr.log")"
    return 1
  }
}

nginx_workers() { ps -o pid= --ppid "$NGINX_PID" 2>/dev/null | tr -d ' ' | sort; }

# nginx_reload: SIGHUP (what `nginx -s reload` sends) to our master, then
# waits until every worker of the old configuration has exited: they
# finish the requests they hold first, so once they are gone no request is
# on its way to a server the new configuration dropped.
nginx_reload() {
  local old cur deadline=$((SECONDS + 20))
  old=$(nginx_workers)
  kill -HUP "$NGINX_PID" || return 1
  while :; do
    cur=$(nginx_workers)
    if [[ -n $cur && -z $(comm -12 <(printf '%s\n' "$old") <(printf '%s\n' "$cur")) ]]; then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      deploy_log "nginx did not finish reloading within 20 s"
      return 1
    fi
    sleep 0.02
  done
}

# ---- the local-process backend (primitives: see scripts/deploy_lib.sh) -----
_replica_seq=0

local_prepare() {
  [[ -n ${REL_ENV[$1]+set} ]] || {
    deploy_log "no release $1"
    return 1
  }
  [[ -x $BIN ]]
}

# The stack's migration job: the stack's database, whatever a release's
# replicas are (mis)configured with.
local_migrate() { env DATABASE_URL="$DB_URL" RUST_LOG=error "$BIN" migrate >>"$tmp/logs/migrate.log" 2>&1; }

local_start_replica() {
  local tag=$1 id port dir pid
  local -a rel=()
  [[ -n ${REL_ENV[$tag]+set} ]] || return 1
  read -ra rel <<<"${REL_ENV[$tag]}"
  _replica_seq=$((_replica_seq + 1))
  printf -v id 'r%03d' "$_replica_seq"
  port=$(free_port) || return 1
  dir=$tmp/replicas/$id
  mkdir "$dir" || return 1
  env BIND_ADDR="127.0.0.1:$port" MEDIA_ROOT="$tmp/media" JWT_SECRET="$JWT" METRICS_ADDR=off \
    RATE_LIMIT_AUTH_PER_MINUTE=0 RATE_LIMIT_POSTS_PER_MINUTE=0 DB_POOL_SIZE=4 SHUTDOWN_TIMEOUT=10s \
    TRUST_FORWARDED_FOR=true RUST_LOG=warn NO_COLOR=1 TWEETS_RELEASE="$tag" "${rel[@]}" \
    "$BIN" serve </dev/null >"$dir/log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/pid"
  proc_start "$pid" >"$dir/start" || echo gone >"$dir/start"
  echo "$port" >"$dir/port"
  echo "$tag" >"$dir/tag"
  echo "127.0.0.1:$port $tag $id" >>"$tmp/ports"
  # shellcheck disable=SC2034 # read by the core (deploy_add_replica)
  REPLICA_ID=$id
}

local_list_replicas() {
  local d
  for d in "$tmp"/replicas/r*; do
    [[ -d $d ]] && printf '%s %s\n' "${d##*/}" "$(<"$d/tag")"
  done
  return 0
}

local_replica_ready() {
  local d=$tmp/replicas/$1
  [[ -d $d ]] || return 2
  proc_alive "$(<"$d/pid")" "$(<"$d/start")" || return 2
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$(<"$d/port")/readyz" 2>/dev/null || return 1
}

local_replica_logs() { tail -n 20 "$tmp/replicas/$1/log"; }

local_lb_add() {
  grep -qxF "$1" "$tmp/lb_members" || echo "$1" >>"$tmp/lb_members"
  lb_render && nginx_reload
}

local_lb_remove() {
  grep -vxF "$1" "$tmp/lb_members" >"$tmp/lb_members.new"
  mv "$tmp/lb_members.new" "$tmp/lb_members"
  lb_render && nginx_reload
}

local_stop_replica() {
  local id=$1 d=$tmp/replicas/$1
  [[ -d $d ]] || return 0
  if grep -qxF "$id" "$tmp/lb_members"; then
    deploy_log "replica $id is still in the load balancer: not stopping it"
    return 1
  fi
  proc_stop "$(<"$d/pid")" "$(<"$d/start")" 15
  # Kept for the checks below and for diagnosis.
  mv "$d/log" "$tmp/logs/$id.log"
  printf '%s %s %s\n' "$(<"$d/pid")" "$(<"$d/start")" "$(<"$d/tag")" >"$tmp/logs/$id.stopped"
  rm -r "$d"
}

local_update_web() { :; } # nginx serves the SPA from $tmp/www: nothing per release

local_current_tag() { cat "$tmp/current_tag" 2>/dev/null || true; }
local_set_current_tag() { echo "$1" >"$tmp/current_tag"; }

# ---- traffic generator ------------------------------------------------------
cat >"$tmp/traffic.py" <<'PY'
"""GET and POST /api/v1/tweets through nginx until STOP_FILE appears (or
MAX_SECONDS pass), a new connection per request; writes the request count
to PROGRESS_FILE as it goes and a JSON summary to OUT_FILE at the end."""
import http.client, json, os, sys, threading, time

host, port, token, stop_file, progress_file, out_file, max_s = sys.argv[1:8]
port, deadline = int(port), time.monotonic() + float(max_s)
lock = threading.Lock()
state = {"total": 0, "unexpected": 0, "counts": {}, "bad": []}

def one(method, path, body, headers):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Connection": "close", **headers})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except Exception as e:  # connection refused/reset, timeout: all failures
        return f"{type(e).__name__}: {e}"
    finally:
        conn.close()

def worker(kind, n):
    i = 0
    while time.monotonic() < deadline and not os.path.exists(stop_file):
        i += 1
        if kind == "GET":
            r = one("GET", "/api/v1/tweets?limit=5", None, {})
            ok = r == 200
        else:
            body = json.dumps({"text": f"traffic {n}-{i}"})
            r = one("POST", "/api/v1/tweets", body,
                    {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
            ok = r == 201
        key = f"{kind} {r if isinstance(r, int) else 'error'}"
        with lock:
            state["total"] += 1
            state["counts"][key] = state["counts"].get(key, 0) + 1
            if not ok:
                state["unexpected"] += 1
                if len(state["bad"]) < 20:
                    state["bad"].append(f"{time.strftime('%H:%M:%S')} {kind}: {r}")

threads = [threading.Thread(target=worker, args=(k, n), daemon=True)
           for n, k in enumerate(["GET", "GET", "POST", "POST"])]
for t in threads:
    t.start()
while any(t.is_alive() for t in threads):
    with lock:
        total = state["total"]
    with open(progress_file + ".tmp", "w") as f:
        f.write(str(total))
    os.replace(progress_file + ".tmp", progress_file)
    time.sleep(0.1)
state["stopped_by"] = "stop file" if os.path.exists(stop_file) else "deadline"
with open(out_file + ".tmp", "w") as f:
    json.dump(state, f)
os.replace(out_file + ".tmp", out_file)
PY

traffic_pid=
traffic_start=
# traffic_begin NAME: starts the generator and returns once it has made 20
# requests (bounded).
traffic_begin() {
  local name=$1 deadline=$((SECONDS + 20)) n
  rm -f "$tmp/traffic.stop" "$tmp/traffic.progress"
  python3 "$tmp/traffic.py" 127.0.0.1 "$web_port" "$token" "$tmp/traffic.stop" "$tmp/traffic.progress" \
    "$tmp/traffic-$name.json" 120 </dev/null >>"$tmp/logs/traffic.log" 2>&1 &
  traffic_pid=$!
  traffic_start=$(proc_start "$traffic_pid") || die "the traffic generator did not start"
  while :; do
    n=$(cat "$tmp/traffic.progress" 2>/dev/null || echo 0)
    ((n >= 20)) && return 0
    ((SECONDS < deadline)) || die "the traffic generator made $n requests in 20 s"
    sleep 0.05
  done
}

# traffic_end NAME: stops the generator, checks it saw only 200/201.
traffic_end() {
  local name=$1 deadline=$((SECONDS + 20)) summary
  touch "$tmp/traffic.stop"
  while proc_alive "$traffic_pid" "$traffic_start"; do
    ((SECONDS < deadline)) || die "the traffic generator did not stop within 20 s"
    sleep 0.05
  done
  wait "$traffic_pid" 2>/dev/null || true
  traffic_pid=
  [[ -f $tmp/traffic-$name.json ]] || die "no traffic summary for $name (see logs/traffic.log)"
  summary=$(python3 - "$tmp/traffic-$name.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
counts = ", ".join(f"{k}: {v}" for k, v in sorted(s["counts"].items()))
print(f"{s['total']} requests ({counts}); unexpected: {s['unexpected']}; stopped by {s['stopped_by']}")
for b in s["bad"]:
    print("  " + b)
ok = (s["unexpected"] == 0 and s["stopped_by"] == "stop file"
      and s["counts"].get("GET 200", 0) >= 10 and s["counts"].get("POST 201", 0) >= 10)
sys.exit(0 if ok else 1)
PY
  ) || die "traffic during '$name': $summary"
  note "traffic during '$name': $summary"
}

# ---- checks -----------------------------------------------------------------
# expect_release TAG COUNT: COUNT replicas, all TAG (by the bookkeeping and
# by each process's environment), all of them and only them in nginx's
# upstream, TAG recorded as current; no other replica process alive.
expect_release() {
  local tag=$1 count=$2 id rtag n=0 d pid start
  while read -r id rtag; do
    [[ -n $id ]] || continue
    n=$((n + 1))
    [[ $rtag == "$tag" ]] || die "replica $id runs $rtag, expected $tag"
    d=$tmp/replicas/$id
    pid=$(<"$d/pid")
    proc_alive "$pid" "$(<"$d/start")" || die "replica $id ($tag) is not running"
    tr '\0' '\n' <"/proc/$pid/environ" | grep -qxF "TWEETS_RELEASE=$tag" ||
      die "replica $id's process does not carry TWEETS_RELEASE=$tag"
    grep -qxF "$id" "$tmp/lb_members" || die "replica $id is not in the load balancer"
    grep -qF "server 127.0.0.1:$(<"$d/port");" "$ngx/conf.d/upstream.conf" || die "replica $id is not in upstream.conf"
  done <<<"$(local_list_replicas)"
  ((n == count)) || die "$n replicas run, expected $count"
  [[ $(grep -c . "$tmp/lb_members") == "$count" ]] || die "the load balancer holds $(grep -c . "$tmp/lb_members") servers, expected $count"
  [[ $(grep -c 'server 127.0.0.1:' "$ngx/conf.d/upstream.conf") == "$count" ]] || die "upstream.conf lists other servers"
  [[ $(local_current_tag) == "$tag" ]] || die "current tag is '$(local_current_tag)', expected $tag"
  for d in "$tmp"/logs/*.stopped; do
    [[ -f $d ]] || continue
    read -r pid start rtag <"$d"
    ! proc_alive "$pid" "$start" || die "stopped replica ${d##*/} ($rtag, pid $pid) is still running"
  done
  [[ $(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$base/readyz") == 200 ]] || die "$base/readyz is not 200"
}

# ---- cleanup: the generator, then every replica, then lib.sh's list --------
test_cleanup() {
  local rc=$? d
  if [[ -n $traffic_pid ]]; then
    touch "$tmp/traffic.stop"
    proc_stop "$traffic_pid" "$traffic_start" 10
  fi
  for d in "$tmp"/replicas/r*; do
    [[ -f $d/pid && -f $d/start ]] && proc_stop "$(<"$d/pid")" "$(<"$d/start")" 15
  done
  if ((rc != 0)); then
    note "failed: nginx error log and replica logs follow"
    cat "$ngx/error.log" "$ngx/stderr.log" 2>/dev/null | tail -n 20 | sed 's/^/  nginx: /' >&2 || true
    for d in "$tmp"/replicas/r*/log "$tmp"/logs/*.log; do
      [[ -s $d ]] && tail -n 5 "$d" | sed "s|^|  ${d#"$tmp"/}: |" >&2
    done
  fi
  _lib_cleanup
}
trap test_cleanup EXIT

# ---- run --------------------------------------------------------------------
export DEPLOY_BACKEND=local DEPLOY_URL=$base DEPLOY_READY_TIMEOUT=6 DEPLOY_POLL_INTERVAL=0.1
export DEPLOY_SMOKE=$ROOT/scripts/smoke.sh SMOKE_TIMEOUT=10

# Release A: migrated, 2 replicas, nginx in front.
local_migrate A || die "migrations failed (see logs/migrate.log)"
for _ in 1 2; do
  local_start_replica A
  deploy_wait_ready "$REPLICA_ID" || die "release A does not start"
  echo "$REPLICA_ID" >>"$tmp/lb_members"
done
lb_render || die "the first nginx config does not pass nginx -t"
nginx -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" -g 'daemon off;' </dev/null >"$ngx/access.log" 2>>"$ngx/stderr.log" &
NGINX_PID=$!
stop_on_exit "$NGINX_PID"
wait_http "$base/readyz"
local_set_current_tag A
expect_release A 2
"$DEPLOY_SMOKE" "$base" || die "the smoke test fails on release A"

# One account for the traffic generator (nginx limits registrations to 10
# a minute per address: the smoke tests use one each).
token=$(curl -fsS --max-time 10 -X POST "$base/api/v1/auth/register" -H 'content-type: application/json' \
  -d '{"username":"traffic","password":"traffic-password"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])') || die "could not register the traffic account"

# phase NAME TAG WANT_RC: a deploy of TAG under traffic.
# access_check FROM_BYTE: nginx's access log from FROM_BYTE on: every API
# request went to one upstream at the first try and none answered 5xx.
# Writes a summary (requests per release) to $tmp/access-check.txt.
access_check() {
  python3 - "$ngx/access.log" "$1" "$tmp/ports" "$tmp/access-check.txt" <<'PY'
import json, sys
log, start, ports, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
release = {}
for line in open(ports):
    addr, tag, rid = line.split()
    release[addr] = tag
per, bad, n = {}, [], 0
with open(log, "rb") as f:
    f.seek(start)
    for raw in f:
        e = json.loads(raw)
        if not e["upstream"]:
            continue  # served by nginx itself (the SPA, /metrics)
        n += 1
        ups = [u.strip() for u in e["upstream"].split(",")]
        codes = [c.strip() for c in e["upstream_status"].split(",")]
        if len(ups) > 1 or any(c.startswith("5") or not c.isdigit() for c in codes) or e["status"] >= 500:
            if len(bad) < 10:
                bad.append(f'{e["method"]} {e["uri"]} -> {e["status"]} via {e["upstream"]} ({e["upstream_status"]})')
            continue
        tag = release.get(ups[0], "?")
        per[tag] = per.get(tag, 0) + 1
summary = f"{n} proxied requests; by release: " + ", ".join(f"{k}: {v}" for k, v in sorted(per.items()))
if bad:
    summary += "; retried or failed upstream: " + "; ".join(bad)
open(out, "w").write(summary)
sys.exit(1 if bad or "?" in per else 0)
PY
}

phase() {
  local name=$1 tag=$2 want=$3 rc=0 t0=$SECONDS from
  note "--- $name: deploy $tag (running: $(local_current_tag))"
  from=$(stat -c %s "$ngx/access.log")
  traffic_begin "$name"
  deploy_release test "$tag" 2>"$tmp/logs/deploy-$name.txt" || rc=$?
  traffic_end "$name"
  access_check "$from" || die "nginx access log during '$name': $(cat "$tmp/access-check.txt")"
  note "nginx during '$name': $(cat "$tmp/access-check.txt")"
  sed 's/^/    /' "$tmp/logs/deploy-$name.txt" >&2
  ((rc == want)) || die "$name: deploy_release returned $rc, expected $want"
  note "$name: deploy_release returned $rc as expected ($((SECONDS - t0)) s)"
}

phase "good roll A -> A2" A2 0
expect_release A2 2
grep -q 'OK: A2 is live' "$tmp/logs/deploy-good roll A -> A2.txt" || die "no success message"

phase "bad release B (never ready)" B 1
expect_release A2 2
[[ $DEPLOY_FAILED_STAGE == roll ]] || die "B failed at '$DEPLOY_FAILED_STAGE', expected the roll"
grep -q 'not ready (GET /readyz) within' "$tmp/logs/deploy-bad release B (never ready).txt" || die "no gate timeout message"
grep -q 'ROLLED BACK: deploy of B failed (roll); A2 is serving again' "$tmp/logs/deploy-bad release B (never ready).txt" ||
  die "no rollback message for B"

phase "bad release C (fails on its second replica)" C 1
expect_release A2 2
log_c="$tmp/logs/deploy-bad release C (fails on its second replica).txt"
grep -q 'replica r[0-9]* (C) is ready and serving' "$log_c" || die "no C replica served before the failure"
grep -q 'exited before becoming ready' "$log_c" || die "the second C replica did not fail fast"
grep -q 'ROLLED BACK: deploy of C failed (roll); A2 is serving again' "$log_c" || die "no rollback message for C"
[[ $(grep -c ' C$' "$tmp"/logs/*.stopped | awk -F: '{ s += $NF } END { print s }') == 2 ]] ||
  die "expected both C replicas stopped"

note "PASS in $((SECONDS - started)) s (build ${build_s} s): good roll, gate-timeout rollback and mid-roll rollback, no failed request"
