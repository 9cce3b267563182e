#!/usr/bin/env bash
# Creates a CA and a serving certificate for metrics-adapter (for clusters without cert-manager).
#
#   certs/generate.sh [output-dir] [service-name] [namespace]      (defaults: certs/out metrics-adapter monitoring)
#
# Writes <out>/ca.crt, ca.key (keep it safe, or delete it), tls.crt, tls.key, and prints the two
# commands that install them: the Secret the Deployment mounts, and the APIServices' caBundle.
# The certificate names <service>.<namespace>.svc, which is what the kube-aggregator verifies.
set -euo pipefail

out="${1:-$(dirname "$0")/out}"
svc="${2:-metrics-adapter}"
ns="${3:-monitoring}"
days="${DAYS:-365}"

command -v openssl >/dev/null || { echo "generate.sh: openssl is required" >&2; exit 1; }
mkdir -p "$out"
umask 077

# Keep an existing CA, so that rotating the serving certificate needs no caBundle change.
if [ ! -s "$out/ca.crt" ] || [ ! -s "$out/ca.key" ]; then
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 \
    -keyout "$out/ca.key" -out "$out/ca.crt" -days 3650 -subj "/CN=${svc}-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
  -keyout "$out/tls.key" -out "$out/tls.csr" -subj "/CN=${svc}.${ns}.svc" 2>/dev/null

cat > "$out/tls.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:${svc},DNS:${svc}.${ns},DNS:${svc}.${ns}.svc,DNS:${svc}.${ns}.svc.cluster.local
EXT
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
  -out "$out/tls.crt" -days "$days" -sha256 -extfile "$out/tls.ext" 2>/dev/null
rm -f "$out/tls.csr" "$out/tls.ext" "$out/ca.srl"
chmod 600 "$out/ca.key" "$out/tls.key"
chmod 644 "$out/ca.crt" "$out/tls.crt"

cabundle="$(base64 < "$out/ca.crt" | tr -d '\n')"
cat <<MSG
Wrote $out/ca.crt, $out/ca.key, $out/tls.crt, $out/tls.key (valid ${days} days).
Install them:
  kubectl -n ${ns} create secret tls ${svc}-serving-cert --cert=$out/tls.crt --key=$out/tls.key
  for v in v1beta1 v1beta2; do kubectl patch apiservice \$v.custom.metrics.k8s.io --type=merge -p '{"spec":{"caBundle":"${cabundle}"}}'; done
To rotate: run this again (it keeps $out/ca.*) and replace the Secret; the adapter reloads it without a restart.
MSG
