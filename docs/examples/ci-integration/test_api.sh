#!/usr/bin/env bash
# shellcheck disable=SC2016  # $names in single quotes are jq variables (--arg)
# A consumer's tests against a running Tweets API seeded with
# `tweets seed --users 20 --tweets 200` (docs/ci-integration.md): register an
# account, log in as the seeded demo1, post, follow and read both home
# timelines. Needs curl and jq; every request is bounded by REQUEST_TIMEOUT.
#
#   API_URL=http://localhost:8080 docs/examples/ci-integration/test_api.sh
#
# DEMO_USER / DEMO_PASSWORD name the seeded account (demo1 / demo-password).
set -euo pipefail

API_URL=${API_URL:-http://localhost:8080}
API=${API_URL%/}/api/v1
DEMO_USER=${DEMO_USER:-demo1}
DEMO_PASSWORD=${DEMO_PASSWORD:-demo-password}
REQUEST_TIMEOUT=${REQUEST_TIMEOUT:-10}

body=$(mktemp)
trap 'rm -f "$body"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# call METHOD PATH EXPECTED_STATUS [TOKEN] [JSON]: prints the response body.
call() {
  local method=$1 path=$2 expected=$3 token=${4:-} json=${5:-} status
  local args=(--silent --show-error --max-time "$REQUEST_TIMEOUT" -o "$body" -w '%{http_code}'
    -X "$method" -H 'Accept: application/json')
  if [[ -n "$token" ]]; then args+=(-H "Authorization: Bearer $token"); fi
  if [[ -n "$json" ]]; then args+=(-H 'Content-Type: application/json' --data "$json"); fi
  status=$(curl "${args[@]}" "$API$path") || fail "$method $path: no answer"
  if [[ "$status" != "$expected" ]]; then
    fail "$method $path: HTTP $status, expected $expected: $(head -c 500 "$body")"
  fi
  cat "$body"
}

# check JSON DESCRIPTION JQ_FILTER [JQ_ARGS...]: the filter must yield true.
check() {
  local json=$1 what=$2
  shift 2
  jq -e "$@" >/dev/null <<<"$json" || fail "$what (jq ${*}) in: $(head -c 500 <<<"$json")"
}

echo "1. register a new account"
me="ci_$(date +%s)_$RANDOM"
session=$(call POST /auth/register 201 "" "$(jq -nc --arg u "$me" '{username: $u, password: "ci-password-123"}')")
check "$session" "register answers an access token" '.access_token | type == "string" and length > 0'
check "$session" "register answers the new user" --arg u "$me" '.user.username == $u'
my_token=$(jq -r .access_token <<<"$session")

echo "2. log in as the seeded $DEMO_USER"
session=$(call POST /auth/login 200 "" "$(jq -nc --arg u "$DEMO_USER" --arg p "$DEMO_PASSWORD" '{username: $u, password: $p}')")
check "$session" "login answers a bearer token" '.token_type == "Bearer" and (.access_token | length > 0)'
demo_token=$(jq -r .access_token <<<"$session")
demo=$(call GET "/users/$DEMO_USER" 200)
check "$demo" "the seed gave $DEMO_USER tweets and follows" '.tweets_count > 0 and .following_count > 0'

echo "3. $DEMO_USER posts a tweet"
text="posted by the CI integration example at $(date -u +%FT%TZ)"
tweet=$(call POST /tweets 201 "$demo_token" "$(jq -nc --arg t "$text" '{text: $t}')")
check "$tweet" "the new tweet comes back" --arg t "$text" --arg u "$DEMO_USER" '.text == $t and .author.username == $u'
tweet_id=$(jq -r .id <<<"$tweet")
call GET "/tweets/$tweet_id" 200 >/dev/null

echo "4. $DEMO_USER's home timeline starts with it"
page=$(call GET "/timeline?limit=5" 200 "$demo_token")
check "$page" "the home timeline starts with the tweet just posted" --argjson id "$tweet_id" '.items[0].id == $id'
check "$page" "the seeded timeline fills a page of 5" '.items | length == 5'

echo "5. the new account follows $DEMO_USER and sees the tweet"
call PUT "/users/$DEMO_USER/follow" 200 "$my_token" >/dev/null
page=$(call GET "/timeline?limit=20" 200 "$my_token")
check "$page" "a follower's timeline holds the tweet" --argjson id "$tweet_id" 'any(.items[]; .id == $id)'

echo "6. the API refuses what it should"
call GET /timeline 401 >/dev/null
call POST /tweets 422 "$demo_token" '{"text": "   "}' >/dev/null

echo "all API checks passed against $API_URL"
