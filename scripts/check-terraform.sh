#!/usr/bin/env bash
# Checks of the Terraform under terraform/ that need no provider download:
#   1. terraform fmt -check (formatting, and syntax);
#   2. scripts/check_terraform.py --self-test, then scripts/check_terraform.py
#      (references, module calls, README tables, dev == prod, the modules'
#      `validation` blocks against terraform/validation/*.json by
#      `terraform plan` on each module's variables.tf);
#   3. checkov, with no failed check and at least one check run.
# `terraform validate` and tflint need the providers: CI's `terraform` job
# runs them (.github/workflows/ci.yml).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if ! command -v terraform >/dev/null 2>&1; then
  echo "check-terraform: terraform is not on PATH. Install Terraform 1.11 from HashiCorp's apt repository" >&2
  echo "  (https://developer.hashicorp.com/terraform/install#linux: add apt.releases.hashicorp.com, then" >&2
  echo "  apt-get install terraform), or put the terraform binary on PATH." >&2
  exit 1
fi
if [[ ! -d terraform ]]; then
  echo "check-terraform: no terraform/ directory" >&2
  exit 1
fi

# A CLI configuration file that does not exist only adds a warning to every command.
if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -f "$TF_CLI_CONFIG_FILE" ]]; then unset TF_CLI_CONFIG_FILE; fi

# Every stage runs; the script fails at the end if any did.
failed=()
start=$SECONDS
bin=$(scripts/tools.sh)
checkov_bin=$(scripts/tools.sh checkov)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "terraform fmt"
if ! terraform fmt -check -recursive -diff -no-color terraform/; then
  echo "check-terraform: unformatted files: run \`make tf-fmt\`" >&2
  failed+=("terraform fmt")
fi

echo "check_terraform.py"
# The self-test first: a checker that no longer finds planted mistakes fails here.
"$bin/python" scripts/check_terraform.py --self-test || failed+=("check_terraform.py --self-test")
"$bin/python" scripts/check_terraform.py --root terraform --jobs 4 || failed+=("check_terraform.py")

echo "checkov"
# The JSON report decides: checkov exits 0 on an empty scan too.
status=0
"$checkov_bin/checkov" -d terraform --framework terraform --skip-download --quiet --compact \
  -o cli -o json --output-file-path "console,$tmp/checkov.json" || status=$?
if "$bin/python" - "$tmp/checkov.json" "$status" <<'PY'
import json, sys
path, status = sys.argv[1], int(sys.argv[2])
try:
    with open(path) as f:
        doc = json.load(f)
except (OSError, ValueError) as e:
    sys.exit(f"checkov: no JSON report ({e}); exit status {status}")
reports = doc if isinstance(doc, list) else [doc]
summary = {k: sum(int((r.get("summary", r) or {}).get(k, 0)) for r in reports)
           for k in ("passed", "failed", "skipped", "parsing_errors", "resource_count")}
print("checkov: {passed} passed, {failed} failed, {skipped} skipped, "
      "{parsing_errors} parsing error(s), {resource_count} resource(s)".format(**summary))
problems = []
if summary["failed"]:
    problems.append(f"{summary['failed']} failed check(s) (fix, or skip one with a reasoned `#checkov:skip=ID:why` in the resource)")
if summary["parsing_errors"]:
    problems.append(f"{summary['parsing_errors']} file(s) checkov could not parse")
if summary["passed"] + summary["failed"] == 0:
    problems.append("no check ran: checkov found nothing to scan under terraform/")
if status not in (0, 1) or (status == 1 and not summary["failed"]):
    problems.append(f"checkov exited with status {status}")
if problems:
    sys.exit("checkov: " + "; ".join(problems))
PY
then :; else failed+=(checkov); fi

if ((${#failed[@]})); then
  echo "check-terraform: FAILED: ${failed[*]} ($((SECONDS - start)) s)" >&2
  exit 1
fi
echo "check-terraform: all clean ($((SECONDS - start)) s)"
