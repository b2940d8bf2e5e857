#!/usr/bin/env bash
# A local certificate authority and a certificate for localhost signed by it,
# for HTTPS in development and in the end-to-end tests (`make certs`).
#
#   scripts/certs.sh [DIR] [NAME...]   DIR defaults to .certs; the names (DNS
#                                      names or IP addresses) default to
#                                      localhost 127.0.0.1 ::1
#
# Writes DIR/ca.pem (trust this one), DIR/ca-key.pem, and DIR/fullchain.pem +
# DIR/privkey.pem (what nginx serves: the names compose.tls.yaml and certbot
# use). An existing CA is reused, so a browser that trusts it keeps trusting
# new certificates. Keys are ECDSA P-256; the CA key is 0600, the server key
# 0644 so the web image's unprivileged nginx can read it from a bind mount
# (a development key: production keys come from the ACME client).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$ROOT/.certs}
shift || true
names=("$@")
((${#names[@]})) || names=(localhost 127.0.0.1 ::1)
command -v openssl >/dev/null || { echo "certs.sh: openssl is needed (apt-get install openssl)" >&2; exit 1; }

mkdir -p "$dir"
chmod 700 "$dir"
umask 077

if [[ ! -s "$dir/ca.pem" || ! -s "$dir/ca-key.pem" ]]; then
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca-key.pem"
  openssl req -x509 -new -key "$dir/ca-key.pem" -sha256 -days 825 \
    -subj "/O=Tweets development/CN=Tweets local CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca.pem"
  echo "certs.sh: new local CA in $dir/ca.pem"
fi

san=()
for n in "${names[@]}"; do
  if [[ $n =~ ^[0-9.]+$ || $n == *:* ]]; then san+=("IP:$n"); else san+=("DNS:$n"); fi
done
san_list=$(IFS=,; echo "${san[*]}")

openssl ecparam -name prime256v1 -genkey -noout -out "$dir/privkey.pem"
openssl req -new -key "$dir/privkey.pem" -subj "/CN=${names[0]}" -out "$dir/server.csr"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" \
  -CAcreateserial -CAserial "$dir/ca.srl" -sha256 -days 397 -out "$dir/server.pem" 2>/dev/null \
  -extfile <(printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$san_list")
cat "$dir/server.pem" "$dir/ca.pem" >"$dir/fullchain.pem"
rm -f "$dir/server.csr" "$dir/server.pem"
# nginx (and the web image's user 101) reads the pair; the CA key stays private.
chmod 644 "$dir/fullchain.pem" "$dir/privkey.pem" "$dir/ca.pem"
chmod 755 "$dir"
openssl verify -CAfile "$dir/ca.pem" "$dir/fullchain.pem" >/dev/null
echo "certs.sh: $dir/fullchain.pem for ${names[*]} (valid 397 days), signed by $dir/ca.pem"
