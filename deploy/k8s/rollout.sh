#!/usr/bin/env bash
# Deploys one overlay in the order migrations need (docs/kubernetes.md#deploy-migrations-first):
#
#   1. render it (kubectl kustomize);
#   2. apply what the migration Job needs and the Job itself: every object
#      not labelled app.kubernetes.io/component=api or =web (the namespace,
#      the NetworkPolicies, the ServiceAccount, the database Service, the
#      dev Secret, the Job tweets-migrate-<tag>);
#   3. wait until that Job has completed (a failed Job stops here: its logs
#      are printed and nothing else changes);
#   4. apply everything: the Deployments roll, each new pod Ready (/readyz)
#      before an old one stops;
#   5. wait for both rollouts.
#
# Usage: deploy/k8s/rollout.sh dev|prod|PATH-TO-OVERLAY
# Environment: KUBECTL (default kubectl, 1.27 or later for kustomize 5),
# MIGRATE_TIMEOUT and ROLLOUT_TIMEOUT in seconds (default 900 and 600), and
# whatever kubectl reads (KUBECONFIG, the current context).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kubectl=${KUBECTL:-kubectl}
overlay=${1:?usage: rollout.sh dev|prod|PATH-TO-OVERLAY}
[[ -d $overlay ]] || overlay=$here/overlays/$overlay
[[ -f $overlay/kustomization.yaml ]] || { echo "rollout: no kustomization.yaml in $overlay" >&2; exit 2; }
migrate_timeout=${MIGRATE_TIMEOUT:-900}
rollout_timeout=${ROLLOUT_TIMEOUT:-600}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
manifest=$tmp/manifest.yaml
"$kubectl" kustomize "$overlay" >"$manifest"

# The Job's name and namespace, from the rendered document whose kind is Job.
read -r job ns < <(awk '
  /^---/ { if (kind == "Job") exit; kind = name = ns = ""; next }
  /^kind: / { kind = $2 }
  /^  name: / && name == "" { name = $2 }
  /^  namespace: / { ns = $2 }
  END { if (kind == "Job") print name, ns }' "$manifest") || true
if [[ -z ${job:-} || -z ${ns:-} ]]; then
  echo "rollout: $overlay renders no migration Job (with a namespace)" >&2
  exit 1
fi

echo "rollout: migrations first: job/$job in $ns" >&2
"$kubectl" apply -f "$manifest" -l 'app.kubernetes.io/component notin (api,web)'

deadline=$((SECONDS + migrate_timeout))
while :; do
  state=$("$kubectl" -n "$ns" get "job/$job" \
    -o 'jsonpath={range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')
  case " $state " in
    *" Complete "*) break ;;
    *" Failed "*)
      echo "rollout: job/$job failed; the Deployments were not changed. Its logs:" >&2
      "$kubectl" -n "$ns" logs "job/$job" --all-containers --tail=100 >&2 || true
      exit 1
      ;;
  esac
  if ((SECONDS >= deadline)); then
    echo "rollout: job/$job not complete after ${migrate_timeout}s; the Deployments were not changed" >&2
    exit 1
  fi
  sleep 2
done
echo "rollout: job/$job complete; rolling the Deployments" >&2

"$kubectl" apply -f "$manifest"
for deployment in tweets-api tweets-web; do
  "$kubectl" -n "$ns" rollout status "deployment/$deployment" --timeout="${rollout_timeout}s"
done
echo "rollout: done" >&2
