#!/usr/bin/env bash
# Smoke test of a running site, through nginx:
#
#   scripts/smoke.sh BASE_URL        e.g. http://127.0.0.1:8080, https://tweets.example.com
#
# /healthz and /readyz answer 200; the SPA's index (200, has a <title>);
# /api/openapi.json (200, an OpenAPI document); a throwaway account is
# registered (201), posts a tweet (201) that reads back (200, same text),
# then the account is deleted (204, which removes its tweet too); /metrics
# is 404 (it stays on the private network). Every request is bounded
# (SMOKE_TIMEOUT seconds, default 10); GETs are tried up to SMOKE_ATTEMPTS
# times (default 3, a second apart), requests that write exactly once.
# Exits non-zero naming the step that failed. Set CURL_CA_BUNDLE for a
# private CA.
set -euo pipefail
[[ $# -eq 1 ]] || {
  echo "usage: smoke.sh BASE_URL" >&2
  exit 64
}
base=${1%/}
timeout=${SMOKE_TIMEOUT:-10}
attempts=${SMOKE_ATTEMPTS:-3}
tmp=$(mktemp -d)
user=
password=
token=

say() { printf 'smoke: %s\n' "$*" >&2; }
cleanup() {
  # A step failed after the account was made: remove it, best effort.
  if [[ -n $token ]]; then
    curl -sS -o /dev/null --max-time "$timeout" -X DELETE "$base/api/v1/me" \
      -H "Authorization: Bearer $token" -H 'content-type: application/json' \
      -d "{\"password\":\"$password\"}" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  say "FAILED at step '$step': $*"
  if [[ -s $tmp/body ]]; then
    say "answer: $(head -c 300 "$tmp/body" | tr '\n' ' ')"
  fi
  exit 1
}

# request METHOD PATH [CURL_ARG…]: sets status (000: no answer) and
# $tmp/body. Never fails itself.
request() {
  local method=$1 path=$2
  shift 2
  : >"$tmp/body"
  status=$(curl -sS -o "$tmp/body" -w '%{http_code}' --max-time "$timeout" --connect-timeout 5 \
    -X "$method" "$base$path" "$@" 2>"$tmp/err") || status=000
}

# expect STATUS METHOD PATH [CURL_ARG…]: one request (GETs: up to
# SMOKE_ATTEMPTS) that must answer STATUS.
expect() {
  local want=$1 method=$2 path=$3 n=1
  shift 3
  local tries=1
  [[ $method == GET ]] && tries=$attempts
  while :; do
    request "$method" "$path" "$@"
    [[ $status == "$want" ]] && return 0
    ((n >= tries)) && break
    n=$((n + 1))
    sleep 1
  done
  if [[ $status == 000 ]]; then
    fail "$method $path: no answer ($(tr '\n' ' ' <"$tmp/err"))"
  fi
  fail "$method $path answered $status, expected $want"
}

# json EXPR: evaluates a Python expression on the body parsed as `j`.
json() {
  python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$tmp/body" "$1" 2>/dev/null
}

step=liveness
expect 200 GET /healthz

step=readiness
expect 200 GET /readyz

step="SPA index"
expect 200 GET / -H 'accept: text/html'
grep -qi '<title>[^<]' "$tmp/body" || fail "GET / has no <title>"

step="OpenAPI document"
expect 200 GET /api/openapi.json
[[ $(json '"openapi" in j and "paths" in j') == True ]] || fail "/api/openapi.json is not an OpenAPI document"

step="register a throwaway account"
suffix=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
user=smoke_$suffix
password=smoke-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
expect 201 POST /api/v1/auth/register -H 'content-type: application/json' \
  -d "{\"username\":\"$user\",\"password\":\"$password\"}"
token=$(json 'j["access_token"]') || true
[[ -n $token ]] || fail "the answer has no access_token"

step="post a tweet"
text="smoke test $suffix $(date -u +%FT%TZ)"
expect 201 POST /api/v1/tweets -H 'content-type: application/json' -H "Authorization: Bearer $token" \
  -H "Idempotency-Key: smoke-$suffix" -d "{\"text\":\"$text\"}"
id=$(json 'j["id"]') || true
[[ $id =~ ^[0-9]+$ ]] || fail "the answer has no tweet id"

step="read the tweet back"
expect 200 GET "/api/v1/tweets/$id"
[[ $(json 'j["text"]') == "$text" ]] || fail "tweet $id does not hold the text posted"

step="delete the throwaway account"
expect 204 DELETE /api/v1/me -H 'content-type: application/json' -H "Authorization: Bearer $token" \
  -d "{\"password\":\"$password\"}"
token=

step="metrics stay private"
expect 404 GET /metrics

say "OK: $base"
