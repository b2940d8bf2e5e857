#!/usr/bin/env python3
"""Static checks of the log aggregation files (compose.logging.yaml, docker/logging/,
the Loki data source and the dashboards Grafana is provisioned with), and of how
they fit the services whose logs they read.

1. Loki (docker/logging/loki.yaml): yamllint; TSDB schema v13 with structured
   metadata allowed (request_id needs both); retention that the compactor
   enforces; everything written under the path a volume is mounted on (the
   root filesystem is read-only); the port that Alloy, Grafana and the health
   check use.
2. Alloy (docker/logging/config.alloy). The real check would be `alloy fmt`
   (it parses the file, and `alloy run` would type-check it), but Alloy is a Go
   binary published on GitHub releases and as a container image, neither of
   which this project's machines and CI can download (they reach only PyPI,
   crates.io, npm and Debian's archive, none of which packages Alloy). So this
   is a structural check in Python: comments, strings and brackets well formed;
   only known components and stages; every component reference resolves to a
   component defined here with that export; the Docker socket, the Compose
   project and the services it keeps match the Compose files; labels are
   low-cardinality (service, level) and request_id is structured metadata; the
   Loki URL is a Loki service Alloy shares a network with. The match stages'
   selectors and the JSON paths and regexes they extract with are run against
   sample lines in each service's real format (nginx's rendered from
   docker/nginx/nginx.conf's `log_format tweets`).
3. Grafana: every dashboard parses; every datasource uid a panel or query
   names is provisioned, with that type; the Tweets logs dashboard follows one
   request by its request_id variable, shows errors and log volume by service
   and level, and queries only labels Alloy sets; the files are where
   compose.monitoring.yaml mounts them.
"""
import glob
import json
import os
import re
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no scripts/__pycache__ left in the work tree
import check_compose  # noqa: E402  (the same Compose loading and merging)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOKI_CONFIG = "docker/logging/loki.yaml"
ALLOY_CONFIG = "docker/logging/config.alloy"
GRAFANA = "docker/monitoring/grafana"
LOGS_DASHBOARD = f"{GRAFANA}/dashboards/logs.json"
STACK = ["compose.yaml", "compose.override.yaml", "compose.monitoring.yaml", "compose.logging.yaml"]

# Loki labels: each a short, fixed set of values. Anything per request or per
# user (request_id, path, status, user) would make a stream of its own.
LABELS = {"service", "level"}
LEVELS = {"trace", "debug", "info", "warn", "error"}

# The components and stages this file may use, and what each exports
# (Alloy's reference documentation). Add to them when the pipeline grows.
COMPONENTS = {
    "discovery.docker": {"targets"},
    "discovery.relabel": {"output", "rules"},
    "loki.source.docker": set(),
    "loki.process": {"receiver"},
    "loki.relabel": {"receiver", "rules"},
    "loki.write": {"receiver"},
}
STAGES = {
    "cri", "decolorize", "docker", "drop", "eventlogmessage", "geoip", "json", "label_drop", "label_keep",
    "labels", "limit", "logfmt", "luhn", "match", "metrics", "multiline", "output", "pack", "pattern", "regex",
    "replace", "sampling", "static_labels", "structured_metadata", "structured_metadata_drop", "template",
    "tenant", "timestamp", "truncate", "windowsevent",
}

# One line of each kind the pipeline reads, in the services' real formats.
# The API's: `tweets serve` with LOG_FORMAT=json answering GET /readyz, as the
# release build printed it (tracing-subscriber's JSON with the current span,
# backend/src/telemetry.rs).
API_LINE = ('{"timestamp":"2026-12-01T17:06:20.389233Z","level":"INFO","fields":{"message":"request served",'
            '"method":"GET","path":"/readyz","status":200,"latency_ms":2.841284},"target":"tweets::telemetry",'
            '"span":{"request_id":"990e33ae-ffa1-45fb-8625-ce71706164dd","name":"request"}}')
# What telemetry.rs must still say for that shape to hold.
API_SHAPE = [r'info_span!\(\s*"request",\s*request_id', r"\.json\(\)", r"\.with_current_span\(true\)"]
# nginx's error log format is nginx's own: `YYYY/MM/DD HH:MM:SS [level] pid#tid: …`.
NGINX_ERROR_LINE = ("2025/07/01 12:00:00 [error] 29#29: *7 connect() failed (111: Connection refused) while "
                    'connecting to upstream, client: 172.18.0.1, server: _, request: "GET /api/v1/timeline HTTP/1.1"')


class Problems(list):
    def add(self, where, msg):
        self.append(f"{where}: {msg}")


def read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


def stack():
    """The Compose files as used with logging, merged (check_compose's rules)."""
    values = check_compose.env_example()
    merged = {}
    for name in STACK:
        doc = check_compose.interpolate(check_compose.load(name), values, set(), [], name)
        merged = check_compose.merge(merged, {k: v for k, v in doc.items() if not k.startswith("x-")})
    return merged


def mounts(svc):
    """(source, target, read_only) of a service's short-syntax volumes."""
    out = []
    for vol in svc.get("volumes", []):
        parts = vol.split(":")
        out.append((parts[0], parts[1], len(parts) > 2 and "ro" in parts[2].split(",")))
    return out


def url_host_port(url):
    m = re.match(r"^https?://([^/:]+):(\d+)(/.*)?$", url)
    return (m.group(1), int(m.group(2)), m.group(3) or "") if m else (None, None, None)


def duration_hours(text):
    m = re.fullmatch(r"(\d+)([hdw])", str(text))
    return int(m.group(1)) * {"h": 1, "d": 24, "w": 168}[m.group(2)] if m else None


# --- 1. Loki ---------------------------------------------------------------

def check_loki(p, compose):
    cfg = yaml.safe_load(read(LOKI_CONFIG))
    where = LOKI_CONFIG
    tsdb = [c for c in cfg.get("schema_config", {}).get("configs", [])
            if c.get("store") == "tsdb" and c.get("schema") == "v13"]
    if not tsdb:
        p.add(where, "no tsdb/v13 schema period: structured metadata (request_id) needs it")
    limits = cfg.get("limits_config", {})
    if limits.get("allow_structured_metadata") is False:
        p.add(where, "allow_structured_metadata is off: Alloy sends request_id as structured metadata")
    retention = duration_hours(limits.get("retention_period", ""))
    if not retention:
        p.add(where, "limits_config.retention_period is not a duration in h, d or w")
    compactor = cfg.get("compactor", {})
    if not compactor.get("retention_enabled"):
        p.add(where, "compactor.retention_enabled is off: retention_period would never delete anything")
    if not compactor.get("delete_request_store"):
        p.add(where, "compactor.delete_request_store is required when retention is enabled")

    loki = compose["services"].get("loki", {})
    prefix = cfg.get("common", {}).get("path_prefix", "")
    volume_targets = [t for s, t, _ in mounts(loki) if not s.startswith((".", "/"))]
    if not any(prefix == t or prefix.startswith(t + "/") for t in volume_targets):
        p.add(where, f"path_prefix {prefix!r} is not on a volume of the loki service (its root is read-only)")
    paths = [cfg.get("common", {}).get("storage", {}).get("filesystem", {}).get(k)
             for k in ("chunks_directory", "rules_directory")] + [compactor.get("working_directory")]
    for path in filter(None, paths):
        if not path.startswith(prefix + "/"):
            p.add(where, f"{path} is outside path_prefix {prefix}")

    config_arg = [a.split("=", 1)[1] for a in loki.get("command", []) if a.startswith("-config.file=")]
    if not config_arg or (f"./{LOKI_CONFIG}", config_arg[0], True) not in mounts(loki):
        p.add("compose.logging.yaml", f"loki does not read ./{LOKI_CONFIG} (mounted read-only at its -config.file)")
    port = cfg.get("server", {}).get("http_listen_port", 3100)
    if f"http://127.0.0.1:{port}/ready" not in " ".join(loki.get("healthcheck", {}).get("test", [])):
        p.add("compose.logging.yaml", f"loki's health check does not ask /ready on port {port}")
    return port, retention


# --- 2. Alloy --------------------------------------------------------------

ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}


def alloy_tokens(text, p):
    """Tokens of an Alloy file: (kind, value, line). Comments dropped, strings decoded."""
    tokens, i, line, stack = [], 0, 1, []
    while i < len(text):
        c = text[i]
        if c == "\n":
            tokens.append(("nl", "\n", line))
            line += 1
            i += 1
        elif c in " \t\r":
            i += 1
        elif text.startswith("//", i):
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                p.add(ALLOY_CONFIG, f"line {line}: unterminated /* comment")
                return tokens
            line += text.count("\n", i, end)
            i = end + 2
        elif c == '"':
            j, out = i + 1, []
            while j < len(text) and text[j] != '"':
                if text[j] == "\n":
                    p.add(ALLOY_CONFIG, f"line {line}: newline in a string")
                    return tokens
                if text[j] == "\\":
                    esc = text[j + 1:j + 2]
                    if esc in ESCAPES:
                        out.append(ESCAPES[esc])
                        j += 2
                        continue
                    m = re.match(r"x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}", text[j + 1:])
                    if not m:
                        p.add(ALLOY_CONFIG, f"line {line}: invalid escape \\{esc} in a string (a regex's \\d "
                                            "is written \\\\d)")
                        return tokens
                    out.append(chr(int(m.group(0)[1:], 16) if m.group(0)[0] in "xuU" else int(m.group(0), 8)))
                    j += 1 + len(m.group(0))
                    continue
                out.append(text[j])
                j += 1
            if j >= len(text):
                p.add(ALLOY_CONFIG, f"line {line}: unterminated string")
                return tokens
            tokens.append(("str", "".join(out), line))
            i = j + 1
        elif c == "`":
            end = text.find("`", i + 1)
            if end < 0:
                p.add(ALLOY_CONFIG, f"line {line}: unterminated raw string")
                return tokens
            tokens.append(("str", text[i + 1:end], line))
            line += text.count("\n", i, end)
            i = end + 1
        elif c in "{[(":
            stack.append((c, line))
            tokens.append(("op", c, line))
            i += 1
        elif c in "}])":
            if not stack or stack[-1][0] != {"}": "{", "]": "[", ")": "("}[c]:
                p.add(ALLOY_CONFIG, f"line {line}: unbalanced {c!r}")
                return tokens
            stack.pop()
            tokens.append(("op", c, line))
            i += 1
        else:
            m = re.match(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*|\d+(\.\d+)?|==|!=|<=|>=|&&|\|\||[=,.:+\-*/%!<>^?]",
                         text[i:])
            if not m:
                p.add(ALLOY_CONFIG, f"line {line}: unexpected character {c!r}")
                return tokens
            tokens.append(("ident" if m.group(0)[0].isalpha() or m.group(0)[0] == "_" else "op", m.group(0), line))
            i += len(m.group(0))
    for opener, at in stack:
        p.add(ALLOY_CONFIG, f"line {at}: {opener!r} is never closed")
    return tokens


class Ref(str):
    """A reference to another component's export, e.g. loki.write.loki.receiver."""


def parse_value(tokens, i, p):
    """A literal value (string, number, bool, list, object) or a reference; returns (value, next)."""
    kind, val, line = tokens[i]
    if kind == "str":
        return val, i + 1
    if kind == "ident":
        if i + 1 < len(tokens) and tokens[i + 1][1] == "(":
            p.add(ALLOY_CONFIG, f"line {line}: function call {val}(…): not used in this file so far; check it with alloy")
            return None, i + 1
        literals = {"true": True, "false": False, "null": None}
        return (literals[val] if val in literals else Ref(val)), i + 1
    if kind == "op" and re.fullmatch(r"\d+(\.\d+)?", val):
        return float(val), i + 1
    if val == "[":
        items, i = [], i + 1
        while True:
            while tokens[i][0] == "nl":
                i += 1
            if tokens[i][1] == "]":
                return items, i + 1
            item, i = parse_value(tokens, i, p)
            items.append(item)
            while tokens[i][0] == "nl":
                i += 1
            if tokens[i][1] == ",":
                i += 1
            elif tokens[i][1] != "]":
                p.add(ALLOY_CONFIG, f"line {tokens[i][2]}: expected , or ] in a list")
                return items, i
    if val == "{":
        obj, i = {}, i + 1
        while True:
            while tokens[i][0] == "nl":
                i += 1
            if tokens[i][1] == "}":
                return obj, i + 1
            key = tokens[i][1]
            if tokens[i][0] not in ("ident", "str") or tokens[i + 1][1] != "=":
                p.add(ALLOY_CONFIG, f"line {tokens[i][2]}: expected `key = value` in an object")
                return obj, i
            obj[key], i = parse_value(tokens, i + 2, p)
            while tokens[i][0] == "nl":
                i += 1
            if tokens[i][1] == ",":
                i += 1
            elif tokens[i][1] != "}":
                p.add(ALLOY_CONFIG, f"line {tokens[i][2]}: expected , or }} in an object (a newline needs a comma)")
                return obj, i
    p.add(ALLOY_CONFIG, f"line {line}: unexpected {val!r} in a value")
    return None, i + 1


def parse_body(tokens, i, p, end):
    """Attributes and blocks up to the closing token: (attrs, blocks, next); blocks are (name, label, attrs, blocks, line)."""
    attrs, blocks = {}, []
    while i < len(tokens) and tokens[i][1] != end:
        kind, val, line = tokens[i]
        if kind == "nl":
            i += 1
            continue
        if kind != "ident":
            p.add(ALLOY_CONFIG, f"line {line}: expected an attribute or a block, found {val!r}")
            return attrs, blocks, len(tokens)
        if tokens[i + 1][1] == "=":
            if val in attrs:
                p.add(ALLOY_CONFIG, f"line {line}: attribute {val} set twice")
            attrs[val], i = parse_value(tokens, i + 2, p)
            if i < len(tokens) and tokens[i][0] != "nl" and tokens[i][1] != end:
                p.add(ALLOY_CONFIG, f"line {line}: one attribute per line ({val} = … is followed by {tokens[i][1]!r})")
            continue
        label, j = None, i + 1
        if tokens[j][0] == "str":
            label, j = tokens[j][1], j + 1
        if tokens[j][1] != "{":
            p.add(ALLOY_CONFIG, f"line {line}: {val} is neither `{val} = …` nor a block")
            return attrs, blocks, len(tokens)
        sub_attrs, sub_blocks, j = parse_body(tokens, j + 1, p, "}")
        blocks.append((val, label, sub_attrs, sub_blocks, line))
        i = j + 1
    return attrs, blocks, i


def references(node):
    if isinstance(node, Ref):
        yield node
    elif isinstance(node, list):
        for x in node:
            yield from references(x)
    elif isinstance(node, dict):
        for x in node.values():
            yield from references(x)


def walk_refs(attrs, blocks):
    for v in attrs.values():
        yield from references(v)
    for _, _, a, b, _ in blocks:
        yield from walk_refs(a, b)


def logql_selector(expr):
    """A LogQL stream selector and its line filters: ({label: (op, value)}, [(op, text)]), or None."""
    m = re.match(r"\s*\{([^}]*)\}\s*(.*)$", expr, re.S)
    if not m:
        return None
    matchers = {}
    for part in filter(None, (x.strip() for x in m.group(1).split(","))):
        mm = re.fullmatch(r'([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', part)
        if not mm:
            return None
        matchers[mm.group(1)] = (mm.group(2), mm.group(3).encode().decode("unicode_escape"))
    filters, rest = [], m.group(2)
    while rest.strip():
        fm = re.match(r'\s*(\|=|!=|\|~|!~)\s*(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`)(.*)$', rest, re.S)
        if not fm:
            break
        text = fm.group(3) if fm.group(3) is not None else fm.group(2).encode().decode("unicode_escape")
        filters.append((fm.group(1), text))
        rest = fm.group(4)
    return matchers, filters, rest.strip()


def selector_matches(sel, labels, line):
    matchers, filters, _ = sel
    for name, (op, value) in matchers.items():
        have = labels.get(name, "")
        ok = {"=": have == value, "!=": have != value,
              "=~": re.fullmatch(value, have) is not None, "!~": re.fullmatch(value, have) is None}[op]
        if not ok:
            return False
    for op, text in filters:
        hit = text in line if op in ("|=", "!=") else re.search(text, line) is not None
        if hit != (op in ("|=", "|~")):
            return False
    return True


def json_path(doc, path):
    """A dotted JMESPath (the only kind this file uses) applied to a JSON document."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", path):
        return KeyError(path)
    for part in path.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def nginx_sample(p):
    """An access log line in nginx.conf's `log_format tweets`, every variable given a sample value."""
    conf = read("docker/nginx/nginx.conf")
    m = re.search(r"log_format\s+tweets\s+escape=json\s+((?:'[^']*'\s*)+);", conf)
    if not m:
        p.add("docker/nginx/nginx.conf", "no `log_format tweets escape=json '…';` for Alloy to parse")
        return None
    fmt = "".join(re.findall(r"'([^']*)'", m.group(1)))
    samples = {"tweets_request_id": "5b0c2f8e9a7d4e1f8c6b3a2d1e0f9a8b", "status": "502", "request_time": "0.004",
               "body_bytes_sent": "512", "upstream_response_time": "0.003"}
    line = re.sub(r"\$([a-z_]+)", lambda v: samples.get(v.group(1), "x"), fmt)
    try:
        json.loads(line)
    except ValueError as e:
        p.add("docker/nginx/nginx.conf", f"log_format tweets is not JSON ({e}): {line}")
        return None
    return line


def check_alloy(p, compose, loki_port):
    text = read(ALLOY_CONFIG)
    tokens = alloy_tokens(text, p)
    if p:
        return
    tokens.append(("nl", "\n", 0))
    attrs, blocks, _ = parse_body(tokens, 0, p, None)
    if attrs:
        p.add(ALLOY_CONFIG, f"attributes outside any block: {sorted(attrs)}")
    defined = {}
    for name, label, a, b, line in blocks:
        if name not in COMPONENTS:
            p.add(ALLOY_CONFIG, f"line {line}: {name} is not a component this check knows (COMPONENTS)")
        elif not label:
            p.add(ALLOY_CONFIG, f'line {line}: {name} needs a label: {name} "NAME" {{ … }}')
        elif f"{name}.{label}" in defined:
            p.add(ALLOY_CONFIG, f"line {line}: {name} {label!r} is defined twice")
        else:
            defined[f"{name}.{label}"] = (name, a, b)
    used = set()
    for ref in walk_refs(attrs, blocks):
        target = next((cid for cid in defined if ref.startswith(cid + ".")), None)
        if target is None:
            p.add(ALLOY_CONFIG, f"{ref} refers to no component defined in this file")
            continue
        export = ref[len(target) + 1:]
        if export not in COMPONENTS[defined[target][0]]:
            p.add(ALLOY_CONFIG, f"{ref}: {defined[target][0]} exports {sorted(COMPONENTS[defined[target][0]])}, "
                                f"not {export}")
        used.add(target)
    for cid, (name, _, _) in defined.items():
        if COMPONENTS[name] and cid not in used:
            p.add(ALLOY_CONFIG, f"{cid} is defined but nothing uses it")

    def one(kind):
        found = [(cid, a, b) for cid, (name, a, b) in defined.items() if name == kind]
        if len(found) != 1:
            p.add(ALLOY_CONFIG, f"expected one {kind}, found {len(found)}")
        return found[0] if found else (None, {}, [])

    services = compose["services"]
    alloy = services.get("alloy", {})
    # The Docker socket: the path Alloy dials is the one mounted, read-only.
    socket_targets = {t: ro for s, t, ro in mounts(alloy) if s.endswith("docker.sock")}
    for kind in ("discovery.docker", "loki.source.docker"):
        host = one(kind)[1].get("host", "")
        if not host.startswith("unix://") or host[len("unix://"):] not in socket_targets:
            p.add(ALLOY_CONFIG, f"{kind} dials {host!r}, but alloy mounts the socket at {sorted(socket_targets)}")
    if not all(socket_targets.values()):
        p.add("compose.logging.yaml", "mount the Docker socket read-only (:ro)")
    config_mounts = [t for s, t, ro in mounts(alloy) if s == f"./{ALLOY_CONFIG}" and ro]
    if not config_mounts or config_mounts[0] not in alloy.get("command", []):
        p.add("compose.logging.yaml", f"alloy does not run ./{ALLOY_CONFIG} (mounted read-only, named in its command)")

    # The containers: the Compose project's, and of it only api and web.
    project = check_compose.load("compose.yaml")["name"]
    filters = [b for b in one("discovery.docker")[2] if b[0] == "filter"]
    if not any(f[2].get("name") == "label" and f"com.docker.compose.project={project}" in f[2].get("values", [])
               for f in filters):
        p.add(ALLOY_CONFIG, f"discovery.docker does not filter on com.docker.compose.project={project}")
    relabel = one("discovery.relabel")
    kept, label_names = None, set()
    for name, _, a, _, line in relabel[2]:
        if name != "rule":
            continue
        if a.get("action") == "keep" and a.get("source_labels") == [
                "__meta_docker_container_label_com_docker_compose_service"]:
            kept = {s for s in check_compose.load("compose.yaml")["services"] if re.fullmatch(a.get("regex", ""), s)}
        if a.get("target_label"):
            label_names.add(a["target_label"])
    if kept != {"api", "web"}:
        p.add(ALLOY_CONFIG, f"discovery.relabel keeps the services {sorted(kept or [])}, not api and web")
    if label_names - LABELS or "service" not in label_names:
        p.add(ALLOY_CONFIG, f"discovery.relabel sets the labels {sorted(label_names)}: only service is expected")

    # The pipeline, against one line of each kind.
    cases = {("api", "json"): API_LINE, ("web", "access"): nginx_sample(p), ("web", "error"): NGINX_ERROR_LINE}
    telemetry = read("backend/src/telemetry.rs")
    for pattern in API_SHAPE:
        if not re.search(pattern, telemetry):
            p.add("backend/src/telemetry.rs", f"no longer matches /{pattern}/: update API_LINE and "
                                              f"{ALLOY_CONFIG}'s JSON paths to the API's log format")
    process = one("loki.process")
    matched = {key: [] for key in cases}
    extracted = {key: {} for key in cases}
    labels_set, metadata = set(), set()
    for name, _, a, b, line in process[2]:
        stage = name.split(".", 1)[1] if name.startswith("stage.") else None
        if stage not in STAGES:
            p.add(ALLOY_CONFIG, f"line {line}: {name} is not a loki.process stage")
            continue
        if stage == "labels":
            labels_set |= set(a.get("values", {}))
        if stage == "static_labels":
            labels_set |= set(a.get("values", {}))
        if stage == "structured_metadata":
            metadata |= set(a.get("values", {}))
        if stage != "match":
            continue
        sel = logql_selector(a.get("selector", ""))
        if sel is None or sel[2]:
            p.add(ALLOY_CONFIG, f"line {line}: selector {a.get('selector')!r} is not a stream selector and line filters")
            continue
        if set(sel[0]) - {"service"}:
            p.add(ALLOY_CONFIG, f"line {line}: selector uses labels {sorted(set(sel[0]) - {'service'})}, which are "
                                "not set yet (only service is, from discovery.relabel)")
        for (svc, kind), sample in cases.items():
            if sample is None or not selector_matches(sel, {"service": svc}, sample):
                continue
            matched[(svc, kind)].append(line)
            for sub, _, sa, _, sline in b:
                if not sub.startswith("stage.") or sub.split(".", 1)[1] not in STAGES - {"match"}:
                    p.add(ALLOY_CONFIG, f"line {sline}: {sub} is not a stage this check knows inside stage.match")
                if sub == "stage.json":
                    doc = json.loads(sample)
                    for key, path in sa.get("expressions", {}).items():
                        value = json_path(doc, path or key)
                        if isinstance(value, KeyError):
                            p.add(ALLOY_CONFIG, f"line {sline}: {path!r}: only dotted JSON paths are checked here")
                        elif value is None:
                            p.add(ALLOY_CONFIG, f"line {sline}: {path or key!r} finds nothing in a {svc} {kind} line: "
                                                f"{sample}")
                        else:
                            extracted[(svc, kind)][key] = value
                elif sub == "stage.regex":
                    m = re.search(sa.get("expression", ""), sample)
                    if not m:
                        p.add(ALLOY_CONFIG, f"line {sline}: the regex does not match a {svc} {kind} line: {sample}")
                    else:
                        extracted[(svc, kind)].update({k: v for k, v in m.groupdict().items() if v is not None})
                elif sub == "stage.template":
                    # Go templates are not run here; what they read must have been extracted before.
                    template = re.sub(r'"(?:[^"\\]|\\.)*"', "", sa.get("template", ""))
                    for field in re.findall(r"\.([A-Za-z_]\w*)", template):
                        if field not in extracted[(svc, kind)] and field not in ("Value", "Entry"):
                            p.add(ALLOY_CONFIG, f"line {sline}: the template reads .{field}, which no earlier stage "
                                                f"extracts from a {svc} {kind} line")
                    extracted[(svc, kind)][sa.get("source", "")] = "(template)"
    for key, lines in matched.items():
        if len(lines) != 1:
            p.add(ALLOY_CONFIG, f"a {key[0]} {key[1]} line goes through {len(lines)} match stages (lines {lines}), "
                                "expected exactly one")
        if "level" not in extracted[key]:
            p.add(ALLOY_CONFIG, f"no level is extracted from a {key[0]} {key[1]} line")
        if key[1] != "error" and "request_id" not in extracted[key]:
            p.add(ALLOY_CONFIG, f"no request_id is extracted from a {key[0]} {key[1]} line")
    if labels_set - LABELS:
        p.add(ALLOY_CONFIG, f"labels {sorted(labels_set - LABELS)} are not low-cardinality ones ({sorted(LABELS)}); "
                            "make them structured metadata")
    if "level" not in labels_set:
        p.add(ALLOY_CONFIG, "level is not made a label (stage.labels)")
    if "request_id" not in metadata:
        p.add(ALLOY_CONFIG, "request_id is not sent as structured metadata (stage.structured_metadata)")

    # Where the logs go: Loki's push API, on a network Alloy shares.
    write = one("loki.write")
    endpoints = [b for b in write[2] if b[0] == "endpoint"]
    if not endpoints:
        p.add(ALLOY_CONFIG, "loki.write has no endpoint")
    for _, _, a, _, line in endpoints:
        host, port, path = url_host_port(a.get("url", ""))
        target = services.get(host, {})
        if not str(target.get("image", "")).startswith("grafana/loki:"):
            p.add(ALLOY_CONFIG, f"line {line}: {a.get('url')!r}: {host} is not the Loki service of {' + '.join(STACK)}")
        elif not set(target.get("networks", [])) & set(alloy.get("networks", [])):
            p.add(ALLOY_CONFIG, f"line {line}: alloy and {host} share no network")
        if port != loki_port or path != "/loki/api/v1/push":
            p.add(ALLOY_CONFIG, f"line {line}: push to http://{host}:{loki_port}/loki/api/v1/push, not {a.get('url')}")


# --- 3. Grafana ------------------------------------------------------------

def check_grafana(p, compose, loki_port):
    datasources, default = {}, []
    for path in sorted(glob.glob(os.path.join(ROOT, GRAFANA, "provisioning", "datasources", "*.yml"))):
        for ds in yaml.safe_load(open(path)).get("datasources", []):
            if ds["uid"] in datasources:
                p.add(path, f"datasource uid {ds['uid']} is provisioned twice")
            datasources[ds["uid"]] = ds
            if ds.get("isDefault"):
                default.append(ds["uid"])
    if len(default) != 1:
        p.add(f"{GRAFANA}/provisioning/datasources", f"exactly one default datasource expected, found {default}")
    loki_ds = [ds for ds in datasources.values() if ds["type"] == "loki"]
    for ds in loki_ds:
        host, port, _ = url_host_port(ds.get("url", ""))
        if host not in compose["services"] or port != loki_port:
            p.add("datasources", f"{ds['name']}: {ds.get('url')} is not the loki service on port {loki_port}")
        for field in ds.get("jsonData", {}).get("derivedFields", []):
            try:
                re.compile(field["matcherRegex"])
            except re.error as e:
                p.add("datasources", f"derived field {field['name']}: {e}")
            if not re.search(r"\$\$\{__value\.raw\}", field.get("url", "")):
                p.add("datasources", f"derived field {field['name']}: write $${{__value.raw}} (Grafana expands $ "
                                     "in provisioning files)")
            if not re.search(r"[?&]var-request_id=", field.get("url", "")):
                p.add("datasources", f"derived field {field['name']}: its link does not set the request_id variable")
            for sample in (API_LINE, nginx_sample(Problems())):
                m = sample and re.search(field["matcherRegex"], sample)
                if sample and not (m and m.groups()):
                    p.add("datasources", f"derived field {field['name']} finds no id in {sample}")

    grafana = compose["services"]["grafana"]
    provider = yaml.safe_load(read(f"{GRAFANA}/provisioning/dashboards/tweets.yml"))["providers"][0]
    if (f"./{GRAFANA}/provisioning", "/etc/grafana/provisioning", True) not in mounts(grafana) or \
            (f"./{GRAFANA}/dashboards", provider["options"]["path"], True) not in mounts(grafana):
        p.add("compose.monitoring.yaml", f"grafana no longer mounts ./{GRAFANA}/provisioning and the dashboards "
                                         "folder its provider reads: these checks look in the wrong place")

    uids = {}
    for path in sorted(glob.glob(os.path.join(ROOT, GRAFANA, "dashboards", "*.json"))):
        rel = os.path.relpath(path, ROOT)
        try:
            dash = json.load(open(path))
        except ValueError as e:
            p.add(rel, f"not JSON: {e}")
            continue
        if dash.get("uid") in uids:
            p.add(rel, f"uid {dash.get('uid')} is also {uids[dash['uid']]}'s")
        uids[dash.get("uid")] = rel
        variables = {v["name"] for v in dash.get("templating", {}).get("list", [])}
        for panel in dash.get("panels", []):
            for ref in [panel.get("datasource")] + [t.get("datasource") for t in panel.get("targets", [])]:
                if ref is None:
                    continue
                ds = datasources.get(ref.get("uid"))
                if ds is None or ds["type"] != ref.get("type"):
                    p.add(rel, f"panel {panel.get('title')!r} uses datasource {ref}, which is not provisioned")
            for t in panel.get("targets", []):
                expr = t.get("expr", "")
                for var in re.findall(r"\$\{?(\w+)", expr):
                    if var not in variables and not var.startswith("__"):
                        p.add(rel, f"panel {panel.get('title')!r} uses ${var}, which is not a dashboard variable")
                if datasources.get((t.get("datasource") or {}).get("uid"), {}).get("type") == "loki":
                    for sel in re.findall(r"\{[^{}]*=[^{}]*\}", expr):
                        parsed = logql_selector(sel)
                        if parsed is None or set(parsed[0]) - LABELS:
                            p.add(rel, f"panel {panel.get('title')!r}: {sel} selects on labels Alloy does not set "
                                       f"(only {sorted(LABELS)})")
                        for name, (op, value) in (parsed or ({}, 0, 0))[0].items():
                            if name == "level" and op == "=" and value not in LEVELS:
                                p.add(rel, f"panel {panel.get('title')!r}: level={value!r} is never set")

    # The request view.
    rel = LOGS_DASHBOARD
    if rel not in uids.values():
        p.add(rel, "missing or not JSON")
        return
    dash = json.load(open(os.path.join(ROOT, rel)))
    var = [v for v in dash["templating"]["list"] if v["name"] == "request_id"]
    if not var or var[0]["type"] != "textbox":
        p.add(rel, "no textbox variable request_id")
    exprs = [(pl["type"], t["expr"]) for pl in dash["panels"] for t in pl.get("targets", [])]
    if not any(kind == "logs" and re.search(r'\|\s*request_id\s*=\s*"\$request_id"', e) for kind, e in exprs):
        p.add(rel, 'no logs panel filters | request_id="$request_id"')
    if not any(kind == "logs" and re.search(r'level\s*=\s*"error"', e) for kind, e in exprs):
        p.add(rel, "no logs panel of level=error")
    if not any(kind == "timeseries" and re.search(r"sum by \((service, level|level, service)\)", e) for kind, e in exprs):
        p.add(rel, "no log volume panel by service and level")
    if not any(f"/d/{dash['uid']}/" in f.get("url", "") for ds in loki_ds
               for f in ds.get("jsonData", {}).get("derivedFields", [])):
        p.add("datasources", f"no derived field links a request id to /d/{dash['uid']}/")


def main():
    p = Problems()
    yamllint = subprocess.run([sys.executable, "-m", "yamllint", "-s", LOKI_CONFIG], cwd=ROOT,
                              capture_output=True, text=True)
    if yamllint.returncode:
        p.add(LOKI_CONFIG, "yamllint:\n" + yamllint.stdout + yamllint.stderr)
    compose = stack()
    loki_port, retention = check_loki(p, compose)
    check_alloy(p, compose, loki_port)
    check_grafana(p, compose, loki_port)
    if p:
        sys.exit("check_logging:\n  " + "\n  ".join(p))
    print(f"check_logging: Loki (retention {retention} h), the Alloy pipeline (api and web lines parsed, labels "
          f"{'/'.join(sorted(LABELS))}, request_id as metadata) and the Grafana datasources and dashboards are consistent")


if __name__ == "__main__":
    main()
