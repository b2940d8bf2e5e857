#!/usr/bin/env python3
"""Validates the Compose files against the Compose Specification's JSON
schema (vendored in docker/schema/), alone and merged as they are used, and
checks what the schema cannot: overlays only touch services that exist,
every service, network, volume and secret referenced is defined, every
required variable (${VAR:?}) is documented in .env.example, and with
compose.ha.yaml the API goes through HAProxy to the Patroni nodes (each named
in docker/ha/haproxy.cfg) while nothing starts or waits for the single `db`.
"""
import copy
import json
import os
import re
import sys

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = "compose.yaml"
# overlay -> the services it may add (any other service it names must exist in compose.yaml)
OVERLAYS = {
    "compose.override.yaml": set(),
    "compose.prod.yaml": {"redis"},
    "compose.monitoring.yaml": {"prometheus", "alertmanager", "postgres-exporter", "grafana"},
    "compose.tls.yaml": {"certbot"},
    "compose.debug.yaml": {"tools", "tools-db"},
    "compose.logging.yaml": {"loki", "alloy"},
    "compose.ha.yaml": {"etcd", "patroni1", "patroni2", "patroni3", "haproxy"},
}
# overlay -> the overlays it is only used with (it may amend their services)
REQUIRES = {
    "compose.logging.yaml": ["compose.monitoring.yaml"],
}
STANDALONE = ["compose.test.yaml"]
USED_AS = [
    [BASE, "compose.override.yaml"],
    [BASE, "compose.prod.yaml"],
    [BASE, "compose.override.yaml", "compose.monitoring.yaml"],
    [BASE, "compose.prod.yaml", "compose.monitoring.yaml"],
    [BASE, "compose.prod.yaml", "compose.tls.yaml"],
    [BASE, "compose.override.yaml", "compose.tls.yaml"],
    [BASE, "compose.override.yaml", "compose.debug.yaml"],
    [BASE, "compose.override.yaml", "compose.monitoring.yaml", "compose.logging.yaml"],
    [BASE, "compose.prod.yaml", "compose.monitoring.yaml", "compose.logging.yaml"],
    [BASE, "compose.override.yaml", "compose.monitoring.yaml", "compose.debug.yaml", "compose.logging.yaml"],
    [BASE, "compose.override.yaml", "compose.ha.yaml"],
    [BASE, "compose.prod.yaml", "compose.ha.yaml"],
]
HA = "compose.ha.yaml"
HAPROXY_CFG = os.path.join("docker", "ha", "haproxy.cfg")
VAR = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def env_example():
    values = {}
    with open(os.path.join(ROOT, ".env.example")) as f:
        for line in f:
            m = re.match(r"^\s*#?\s*([A-Z_][A-Z0-9_]*)=(.*)$", line)
            if m:
                values[m.group(1)] = m.group(2)
    return values


def interpolate(node, values, required, problems, where):
    """Compose-style ${VAR}, ${VAR:-default}, ${VAR:?message} substitution."""
    if isinstance(node, dict):
        return {k: interpolate(v, values, required, problems, where) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v, values, required, problems, where) for v in node]
    if not isinstance(node, str):
        return node

    def sub(m):
        name, op, arg = m.group(1), m.group(2), m.group(3)
        if op in (":?", "?"):
            required.add(name)
            return values.get(name) or "set-in-env"
        if op in (":-", "-"):
            return values.get(name) or arg
        return values.get(name, "")

    return VAR.sub(sub, node)


def load(name):
    with open(os.path.join(ROOT, name)) as f:
        return yaml.safe_load(f)


def merge(a, b):
    out = copy.deepcopy(a)
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        elif isinstance(v, list) and isinstance(out.get(k), list):
            out[k] = out[k] + [x for x in v if x not in out[k]]
        else:
            out[k] = copy.deepcopy(v)
    return out


def references(doc, label, problems):
    services = doc.get("services", {})
    networks = set((doc.get("networks") or {}).keys())
    volumes = set((doc.get("volumes") or {}).keys())
    for name, svc in services.items():
        deps = svc.get("depends_on", [])
        for dep in deps if isinstance(deps, list) else deps.keys():
            if dep not in services:
                problems.append(f"{label}: {name} depends on {dep}, which is not a service")
        for net in svc.get("networks", []) or []:
            if net not in networks:
                problems.append(f"{label}: {name} joins network {net}, which is not defined")
        for vol in svc.get("volumes", []) or []:
            source = vol.split(":")[0] if isinstance(vol, str) else vol.get("source", "")
            if source and not source.startswith((".", "/")) and source not in volumes:
                problems.append(f"{label}: {name} mounts volume {source}, which is not defined")
        for secret in svc.get("secrets", []) or []:
            source = secret if isinstance(secret, str) else secret.get("source", "")
            if source not in (doc.get("secrets") or {}):
                problems.append(f"{label}: {name} uses secret {source}, which is not defined")
        if "image" not in svc and "build" not in svc:
            problems.append(f"{label}: {name} has neither image nor build")
        mode = svc.get("network_mode", "")
        if mode.startswith("service:"):
            if mode.split(":", 1)[1] not in services:
                problems.append(f"{label}: {name} shares the network of {mode}, which is not a service")
            if svc.get("networks"):
                problems.append(f"{label}: {name} has both network_mode and networks")


def ha_invariants(doc, label, problems):
    """With compose.ha.yaml, the API uses the Patroni cluster through HAProxy and nothing
    starts or waits for the single `db`; HAProxy's config names every Patroni node."""
    services = doc.get("services", {})
    if "single-db" not in (services.get("db", {}).get("profiles") or []):
        problems.append(f"{label}: db is started (it must be behind the single-db profile)")
    for name, svc in services.items():
        deps = svc.get("depends_on", {})
        if name != "db" and isinstance(deps, dict) and "db" in deps and deps["db"].get("required", True):
            problems.append(f"{label}: {name} requires db, which this overlay does not start")
        if name != "db" and isinstance(deps, list) and "db" in deps:
            problems.append(f"{label}: {name} depends on db, which this overlay does not start")
    env = services.get("api", {}).get("environment", {})
    if env.get("POSTGRES_HOST") == "db" or "@db" in str(env.get("DATABASE_URL", "")):
        problems.append(f"{label}: the api still points at db")
    for var in ("DATABASE_URL_FILE", "DATABASE_REPLICA_URLS_FILE"):
        if not env.get(var):
            problems.append(f"{label}: the api has no {var}")
    patroni = sorted(n for n in services if n.startswith("patroni"))
    with open(os.path.join(ROOT, HAPROXY_CFG)) as f:
        cfg = f.read()
    for section in ("primary", "replicas"):
        m = re.search(rf"^listen {section}\n(.*?)(?=^\S|\Z)", cfg, re.M | re.S)
        named = sorted(re.findall(r"^\s+server (\S+) (\S+):5432 check port 8008$", m.group(1), re.M)) if m else []
        if [n for n, _ in named] != patroni or any(n != host for n, host in named):
            problems.append(f"{HAPROXY_CFG}: listen {section} names {named}, not the services {patroni}")


def main():
    with open(os.path.join(ROOT, "docker", "schema", "compose-spec.json")) as f:
        schema = json.load(f)
    # The spec declares draft-07 under an address jsonschema does not know.
    validator = jsonschema.Draft7Validator(schema)
    values = env_example()
    required, problems = set(), []

    def validate(doc, label):
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
            path = "/".join(str(p) for p in err.path)
            problems.append(f"{label}: {path}: {err.message}")

    raw = {name: load(name) for name in [BASE, *OVERLAYS, *STANDALONE]}
    docs = {name: interpolate(doc, values, required, problems, name) for name, doc in raw.items()}
    for name, doc in docs.items():
        validate(doc, name)
    base_services = set(docs[BASE]["services"])
    for name, adds in OVERLAYS.items():
        known = base_services | adds
        for req in REQUIRES.get(name, []):
            known |= OVERLAYS[req]
        for svc in docs[name].get("services", {}):
            if svc not in known:
                problems.append(f"{name}: names service {svc!r}, which neither {BASE} nor "
                                f"{' nor '.join(REQUIRES.get(name, [])) or 'the overlay itself'} defines")
    for combo in USED_AS:
        for i, name in enumerate(combo):
            for req in REQUIRES.get(name, []):
                if req not in combo[:i]:
                    problems.append(f"{' + '.join(combo)}: {name} is used without {req} before it")
        merged = {}
        for name in combo:
            merged = merge(merged, {k: v for k, v in docs[name].items() if not k.startswith("x-")})
        label = " + ".join(combo)
        validate(merged, label)
        references(merged, label, problems)
        if HA in combo:
            ha_invariants(merged, label, problems)
    for name in STANDALONE:
        references(docs[name], name, problems)
    for var in sorted(required):
        if var not in values:
            problems.append(f"required variable {var} is not documented in .env.example")
    if problems:
        sys.exit("check_compose:\n  " + "\n  ".join(problems))
    print(f"check_compose: {len(docs)} files and {len(USED_AS)} combinations valid; "
          f"{len(required)} required variables documented")


if __name__ == "__main__":
    main()
