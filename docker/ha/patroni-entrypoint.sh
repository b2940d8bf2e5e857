#!/bin/sh
# Entrypoint of the Patroni image: Compose and Kubernetes secrets are files,
# Patroni reads passwords from PATRONI_*_PASSWORD variables. For each
# PATRONI_X_FILE=/path, PATRONI_X is set to the file's contents (the _FILE
# variable is dropped), then Patroni replaces this shell.
set -eu
for var in $(env | sed -n 's/^\(PATRONI_[A-Z0-9_]*\)_FILE=.*$/\1/p'); do
  file=$(printenv "${var}_FILE")
  [ -r "$file" ] || { echo "patroni-entrypoint: ${var}_FILE: cannot read $file" >&2; exit 1; }
  value=$(cat "$file")
  export "$var=$value"
  unset "${var}_FILE"
done
exec patroni "$@"
