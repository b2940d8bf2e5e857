#!/usr/bin/env python3
"""Proves the monitoring files work against the real thing.

1. Every metric the alert rules and the Grafana dashboard query is one the
   API exports (read from a live /metrics), or one of the few that come from
   elsewhere (listed below with their source).
2. Debian's real Prometheus scrapes a running API, loads the alert rules,
   and the series the API produced under load read back through
   Prometheus's HTTP API with the right values; every dashboard query runs.

Usage: check_monitoring.py  (needs DATABASE_URL to a server where it may
create a database, target/debug/tweets built, and `prometheus` on PATH).
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MON = os.path.join(ROOT, "docker", "monitoring")
BIN = os.path.join(ROOT, "target", "debug", "tweets")
# Metrics that other exporters provide.
EXTERNAL = {
    "up": "Prometheus itself, for every target",
    "pg_up": "postgres-exporter (compose.monitoring.yaml)",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_for(what, check, timeout=60):
    """Polls `check` until it returns a truthy value (no blind sleeps)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = check()
            if value:
                return value
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    sys.exit(f"check_monitoring: timed out waiting for {what}")


def metric_names(expr):
    return set(re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{", expr))


def rule_exprs():
    with open(os.path.join(MON, "alert_rules.yml")) as f:
        rules = yaml.safe_load(f)
    return {r["alert"]: r["expr"] for g in rules["groups"] for r in g["rules"]}


def dashboard_exprs():
    with open(os.path.join(MON, "grafana", "dashboards", "tweets.json")) as f:
        dash = json.load(f)
    return {f'{p["title"]} [{t["refId"]}]': t["expr"] for p in dash["panels"] for t in p["targets"]}


def exported_names(metrics_text):
    names = set()
    for line in metrics_text.splitlines():
        m = re.match(r"# TYPE (\S+) (\S+)", line)
        if m:
            name, kind = m.groups()
            names.add(name)
            if kind == "histogram":
                names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
    return names


def main():
    admin = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    db = f"tweets_monitoring_{os.getpid()}"
    subprocess.run(["psql", f"{admin}/postgres", "-XAqc", f"CREATE DATABASE {db}"], check=True)
    tmp = tempfile.mkdtemp(prefix="tweets-monitoring-")
    procs = []
    try:
        api_port, metrics_port = free_port(), free_port()
        # The primary named as a "replica" too: it is not in recovery, so it
        # takes no reads, but the replica metrics the rules query are exported.
        env = dict(os.environ, DATABASE_URL=f"{admin}/{db}", DATABASE_REPLICA_URLS=f"{admin}/{db}",
                   REPLICA_CHECK_INTERVAL="200ms", BIND_ADDR=f"127.0.0.1:{api_port}",
                   METRICS_ADDR=f"127.0.0.1:{metrics_port}",
                   JWT_SECRET="monitoring-check-secret-0123456789abcdef", RATE_LIMIT_AUTH_PER_MINUTE="0",
                   RATE_LIMIT_POSTS_PER_MINUTE="0", RUST_LOG="error", MEDIA_ROOT=os.path.join(tmp, "media"))
        procs.append(subprocess.Popen([BIN, "serve"], env=env))
        api = f"http://127.0.0.1:{api_port}"
        metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
        wait_for("the API", lambda: http("GET", f"{api}/healthz")[0] == 200)

        # Traffic: every kind of event the dashboard shows.
        status, body = http("POST", f"{api}/api/v1/auth/register", {"username": "watcher", "password": "watch-password"})
        assert status == 201, body
        token = json.loads(body)["access_token"]
        posts = 5
        for i in range(posts):
            assert http("POST", f"{api}/api/v1/tweets", {"text": f"observed {i}"}, token)[0] == 201
        for _ in range(3):
            assert http("GET", f"{api}/api/v1/timeline", token=token)[0] == 200
        assert http("GET", f"{api}/no/such/path")[0] == 404
        assert http("POST", f"{api}/api/v1/auth/login", {"username": "watcher", "password": "wrong-password"})[0] == 401

        # 1. Every queried metric exists.
        status, metrics = http("GET", metrics_url)
        assert status == 200
        # Never on the API's own port.
        assert http("GET", f"{api}/metrics")[0] == 404
        exported = exported_names(metrics)
        problems = []
        for source, exprs in (("alert", rule_exprs()), ("dashboard", dashboard_exprs())):
            for name, expr in exprs.items():
                for metric in metric_names(expr):
                    if metric not in exported and metric not in EXTERNAL:
                        problems.append(f"{source} {name!r} queries {metric}, which nothing exports")
        if problems:
            sys.exit("check_monitoring:\n  " + "\n  ".join(problems))
        print(f"check_monitoring: {len(rule_exprs())} alert and {len(dashboard_exprs())} dashboard queries use only exported metrics")

        # 2. A real Prometheus scrapes it.
        prom_port = free_port()
        shutil.copy(os.path.join(MON, "alert_rules.yml"), tmp)
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": ["alert_rules.yml"],
            "scrape_configs": [{"job_name": "api", "static_configs": [{"targets": [f"127.0.0.1:{metrics_port}"]}]}],
        }
        with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
            yaml.safe_dump(config, f)
        procs.append(subprocess.Popen(
            ["prometheus", f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/data",
             f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=error"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        prom = f"http://127.0.0.1:{prom_port}"
        wait_for("Prometheus", lambda: http("GET", f"{prom}/-/ready")[0] == 200)

        def query(q):
            status, body = http("GET", f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": q}))
            data = json.loads(body)
            if data.get("status") != "success":
                raise AssertionError(f"{q}: {body}")
            return data["data"]["result"]

        def scalar(q):
            result = query(q)
            return float(result[0]["value"][1]) if result else None

        posted = f'sum(http_requests_total{{job="api",method="POST",route="/api/v1/tweets",status="201"}})'
        wait_for("the request counters in Prometheus", lambda: scalar(posted) == posts)
        assert scalar('sum(tweets_created_total{job="api"})') == posts
        assert scalar('up{job="api"}') == 1
        # /no/such/path, and /metrics asked of the API port.
        assert scalar('sum(http_requests_total{job="api",route="unmatched",status="404"})') == 2
        assert scalar('auth_failures_total{job="api",reason="login"}') == 1
        assert scalar('db_pool_max_connections{job="api"}') > 0
        assert scalar('count(build_info{job="api"})') == 1
        print("check_monitoring: Prometheus scraped the API and read back the traffic it produced")

        rules = json.loads(http("GET", f"{prom}/api/v1/rules")[1])["data"]["groups"]
        loaded = {r["name"]: r for g in rules for r in g["rules"]}
        assert set(loaded) == set(rule_exprs()), loaded.keys()
        wait_for("a rule evaluation", lambda: all(r.get("lastEvaluation", "").startswith("20") for r in json.loads(
            http("GET", f"{prom}/api/v1/rules")[1])["data"]["groups"][0]["rules"]))
        rules = json.loads(http("GET", f"{prom}/api/v1/rules")[1])["data"]["groups"]
        for r in (r for g in rules for r in g["rules"]):
            assert r["health"] == "ok", r
        # All is well, so no alert condition holds now — but DatabaseDown,
        # whose postgres-exporter does not run here, and ReplicaDown: the
        # "replica" is the primary itself, which is not in recovery and so
        # takes no reads (the condition seen through real series).
        for name, expr in rule_exprs().items():
            holds = bool(query(expr))
            assert holds == (name in ("DatabaseDown", "ReplicaDown")), f"{name}: condition holds={holds}"
        # And with the API gone, ApiDown's condition does.
        procs[0].send_signal(signal.SIGTERM)
        procs[0].wait(timeout=30)
        wait_for("the API's scrapes to fail", lambda: scalar('up{job="api"}') == 0)
        assert query(rule_exprs()["ApiDown"]), "ApiDown does not see the API gone"
        for name, expr in dashboard_exprs().items():
            query(expr.replace("$__rate_interval", "1m"))
        print(f"check_monitoring: {len(loaded)} alert rules evaluate cleanly; every dashboard query runs")
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run(["psql", f"{admin}/postgres", "-XAqc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
