#!/bin/sh
# Patroni's post_bootstrap hook (docker/ha/patroni.yml): runs once, on the node
# that initialised the cluster, with a connection string to it as $1.
set -eu
psql "$1" -XAtq -v ON_ERROR_STOP=1 -c 'CREATE DATABASE tweets'
