#!/usr/bin/env bash
# The monitoring files, checked by the tools of their ecosystem and against a
# running API: promtool (config, rules, rule unit tests), amtool, and
# scripts/check_monitoring.py (real Prometheus scraping the real API).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bin=$(scripts/tools.sh)
mon=docker/monitoring
promtool check config "$mon/prometheus.yml"
promtool check rules "$mon/alert_rules.yml"
(cd "$mon" && promtool test rules alert_rules_test.yml)
amtool check-config "$mon/alertmanager.yml"
"$bin/python" -c 'import json,sys; json.load(open(sys.argv[1]))' "$mon/grafana/dashboards/tweets.json"
cargo build --locked --quiet --bin tweets
"$bin/python" scripts/check_monitoring.py
