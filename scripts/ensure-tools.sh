#!/usr/bin/env bash
# What `make test` needs on the machine, installed when it is missing: Debian
# or Ubuntu packages through apt-get (as root, or through sudo without a
# password), Terraform from HashiCorp's apt repository, rustup components.
# When something cannot be installed here, one message names all of it and
# the command to run, and the script fails. Python tools and playwright-core
# are installed by the targets that use them (scripts/tools.sh, npm ci).
#
#   scripts/ensure-tools.sh       what `make test` needs
#   scripts/ensure-tools.sh ha    what `make ha-up` and `make test-ha` need: PostgreSQL,
#                                 etcd, HAProxy, a venv-capable python3 the postgres user can run
set -euo pipefail
set_name=${1:-test}
case "$set_name" in
  test) target="make test" ;;
  ha) target="make test-ha" ;;
  *) echo "usage: $0 [test|ha]" >&2; exit 2 ;;
esac

packages=()
need() { command -v "$1" >/dev/null 2>&1 || packages+=("${@:2}"); }
need psql postgresql-client
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || packages+=(postgresql)
need make make
need curl curl
if [[ "$set_name" == ha ]]; then
  need etcd etcd-server
  need haproxy haproxy
  need python3 python3 python3-venv
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || packages+=(python3-venv)
  # As root, Patroni runs as `postgres`, with the system interpreter when
  # python3 on PATH lives where that user cannot go (pyenv in root's home).
  if [[ $(id -u) -eq 0 ]]; then
    /usr/bin/python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || packages+=(python3 python3-venv)
  fi
else
  need jq jq
  need promtool prometheus
  need amtool prometheus-alertmanager
  need python3 python3 python3-venv
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || packages+=(python3-venv)
  need nginx nginx
  need haproxy haproxy
  need redis-server redis-server
  need openssl openssl
  need certutil libnss3-tools
  [[ -x /usr/bin/chromium ]] || packages+=(chromium)
  need node nodejs
  need npm npm
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=(sudo); else as_root=(none); fi
fi
root() {
  if [[ ${as_root[0]:-} == none ]]; then return 1; fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive "$@"
}

missing=()
if ((${#packages[@]})); then
  mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
  echo "ensure-tools: installing ${packages[*]}" >&2
  if ! { command -v apt-get >/dev/null && root apt-get update -qq &&
    root apt-get install -y -qq --no-install-recommends "${packages[@]}"; }; then
    missing+=("apt-get install ${packages[*]}")
  fi
fi

if [[ "$set_name" == test ]] && ! command -v terraform >/dev/null 2>&1; then
  echo "ensure-tools: installing terraform 1.11 from HashiCorp's apt repository" >&2
  if ! { command -v apt-get >/dev/null &&
    root apt-get install -y -qq --no-install-recommends ca-certificates gnupg lsb-release &&
    curl -fsSL https://apt.releases.hashicorp.com/gpg | root gpg --dearmor --yes -o /usr/share/keyrings/hashicorp-archive-keyring.gpg &&
    echo "deb [signed-by=/usr/share/keyrings/hashicorp-archive-keyring.gpg] https://apt.releases.hashicorp.com $(lsb_release -cs) main" |
    root tee /etc/apt/sources.list.d/hashicorp.list >/dev/null &&
    root apt-get update -qq && root apt-get install -y -qq --no-install-recommends 'terraform=1.11.*'; }; then
    missing+=("terraform 1.11 (https://developer.hashicorp.com/terraform/install)")
  fi
fi

if ! command -v cargo >/dev/null 2>&1; then
  missing+=("the Rust toolchain (https://rustup.rs)")
elif [[ "$set_name" == test ]] && command -v rustup >/dev/null 2>&1; then
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt >&2 ||
    missing+=("rustup component add clippy rustfmt")
fi

if ((${#missing[@]})); then
  {
    echo "ensure-tools: $target needs tools this user cannot install. Install them, then run $target again:"
    printf '  - %s\n' "${missing[@]}"
    [[ ${as_root[0]:-} == none ]] && echo "  (as root or with sudo: sudo $target installs the packages itself)"
  } >&2
  exit 1
fi
