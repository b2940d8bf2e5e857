#!/usr/bin/env bash
# Installs pinned Python-packaged tools into a venv under .tools/, once;
# reinstalls when the requirements change. Prints the venv's bin directory.
#
#   scripts/tools.sh        scripts/requirements-tools.txt  -> .tools/venv
#   scripts/tools.sh NAME   scripts/requirements-NAME.txt   -> .tools/NAME
#
# A tool whose dependencies clash with the others (checkov) gets its own
# requirements file and so its own venv.
#
# TOOLS_VENV=DIR puts the venv there instead, and TOOLS_PYTHON=PATH builds it
# with that interpreter (rebuilding a venv made with another): scripts/ha.sh
# needs a venv the postgres user can run, which a clone inside root's home
# (and a pyenv interpreter there) is not.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=${1:-tools}
if [[ ! "$name" =~ ^[a-z0-9][a-z0-9-]*$ ]]; then
  echo "tools.sh: bad tool set name: $name" >&2
  exit 2
fi
REQ=$ROOT/scripts/requirements-$name.txt
if [[ "$name" == tools ]]; then VENV=$ROOT/.tools/venv; else VENV=$ROOT/.tools/$name; fi
VENV=${TOOLS_VENV:-$VENV}
PYTHON=${TOOLS_PYTHON:-python3}
if [[ ! -f "$REQ" ]]; then
  echo "tools.sh: no such requirements file: scripts/requirements-$name.txt" >&2
  exit 2
fi
stamp=$VENV/.requirements
other_python() {
  [[ -n "${TOOLS_PYTHON:-}" && -x "$VENV/bin/python" && -f "$VENV/pyvenv.cfg" ]] &&
    [[ "$(readlink -f "$VENV/bin/python")" != "$(readlink -f "$TOOLS_PYTHON")" ]]
}
if [[ ! -x "$VENV/bin/python" ]] || ! cmp -s "$REQ" "$stamp" || other_python; then
  echo "tools.sh: installing $(grep -cv '^#' "$REQ") pinned tool(s) into ${VENV#"$ROOT"/}" >&2
  if other_python; then rm -rf "$VENV"; fi
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2
  cp "$REQ" "$stamp"
fi
echo "$VENV/bin"
