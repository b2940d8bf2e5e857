#!/usr/bin/env bash
# Static checks of everything that is not Rust, by the tools of each
# ecosystem: hadolint (Dockerfiles), the Compose Specification schema and
# cross-references (compose files, alone and merged; the logging pipeline's
# configs; the exercises' broken-on-purpose overlays), nginx -t (the rendered
# nginx config, with Debian's nginx), haproxy -c (the HA stack's), shellcheck,
# yamllint, actionlint.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bin=$(scripts/tools.sh)

echo "hadolint"
"$bin/hadolint" docker/*.Dockerfile

echo "compose"
"$bin/python" scripts/check_compose.py

echo "logging: Loki, the Alloy pipeline, Grafana datasources and dashboards"
"$bin/python" scripts/check_logging.py

echo "exercises: the broken-on-purpose overlays (docs/exercises/broken)"
"$bin/python" scripts/check_broken.py

echo "nginx -t"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/static" "$tmp/media"
cp frontend/index.html "$tmp/static/" 2>/dev/null || echo '<!doctype html><title>Tweets</title>' >"$tmp/static/index.html"
# Debian's nginx (1.22) predates `resolve` on upstream servers (1.27.3);
# check the config with a fixed address, as the end-to-end tests run it.
"$bin/python" scripts/render_nginx.py "$tmp/conf" NGINX_PORT=8080 API_UPSTREAM=127.0.0.1:8081 \
  API_UPSTREAM_PARAMS= NGINX_RESOLVER=127.0.0.1 TWEETS_STATIC_ROOT="$tmp/static" TWEETS_MEDIA_ROOT="$tmp/media"
nginx -t -q -p "$tmp/conf" -c "$tmp/conf/nginx.conf" -e "$tmp/conf/error.log"
echo "nginx -t (HTTPS: templates-tls/)"
scripts/certs.sh "$tmp/certs" >/dev/null
"$bin/python" scripts/render_nginx.py --tls "$tmp/conf-tls" NGINX_PORT=8080 API_UPSTREAM=127.0.0.1:8081 \
  API_UPSTREAM_PARAMS= NGINX_RESOLVER=127.0.0.1 TWEETS_STATIC_ROOT="$tmp/static" TWEETS_MEDIA_ROOT="$tmp/media" \
  NGINX_TLS_PORT=8443 NGINX_PUBLIC_TLS_PORT=443 TLS_CERTIFICATE="$tmp/certs/fullchain.pem" \
  TLS_CERTIFICATE_KEY="$tmp/certs/privkey.pem" NGINX_OCSP_STAPLING=off ACME_WEBROOT="$tmp/static"
nginx -t -q -p "$tmp/conf-tls" -c "$tmp/conf-tls/nginx.conf" -e "$tmp/conf-tls/error.log"

echo "haproxy -c (the HA stack's HAProxy, compose.ha.yaml)"
# Its servers are resolved through Docker's DNS at run time: unresolvable here
# (a warning, not an error).
haproxy -c -q -f docker/ha/haproxy.cfg

echo "shellcheck"
"$bin/shellcheck" -x scripts/*.sh bench/*.sh deploy/k8s/*.sh docs/examples/ci-integration/*.sh docker/ha/*.sh .ci/run

echo "docs/ci-integration.md embeds the example it documents"
"$bin/python" docs/examples/ci-integration/check_doc_sync.py

echo "yamllint"
"$bin/yamllint" -s compose*.yaml docker/monitoring/*.yml docker/monitoring/grafana/provisioning/*/*.yml \
  docker/logging/*.yaml docker/ha/*.yml docs/exercises/broken/*.yaml \
  .github/workflows/*.yml .yamllint.yaml .hadolint.yaml .pre-commit-config.yaml

echo "actionlint"
"$bin/actionlint" -shellcheck "$bin/shellcheck" .github/workflows/*.yml

echo "check-infra: all clean"
