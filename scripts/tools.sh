#!/usr/bin/env bash
# Installs the pinned Python test tools (scripts/requirements-tools.txt) into
# .tools/venv, once; reinstalls when the requirements change. Prints the
# venv's bin directory.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=$ROOT/.tools/venv
REQ=$ROOT/scripts/requirements-tools.txt
stamp=$VENV/.requirements
if [[ ! -x "$VENV/bin/python" ]] || ! cmp -s "$REQ" "$stamp"; then
  echo "tools.sh: installing $(grep -cv '^#' "$REQ") pinned tool(s) into .tools/venv" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2
  cp "$REQ" "$stamp"
fi
echo "$VENV/bin"
