#!/usr/bin/env bash
# Creates a CA and a serving certificate for metrics-adapter, and a kustomize overlay that deploys
# the base with them, for clusters without cert-manager:
#
#   certs/generate.sh [options] && kubectl apply -k certs/out/overlay
#
# Run it again at any time: it keeps the CA (so the APIServices' caBundle never changes) and reissues
# the serving certificate only when it is missing, names other services, expires within 30 days,
# or --renew is given. Needs bash, openssl (1.1.1 or later) and coreutils.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  cat <<USAGE
Usage: certs/generate.sh [options]

  -o, --out DIR              CA and certificate files (default: certs/out)
      --overlay DIR          kustomize overlay to write (default: <out>/overlay)
  -s, --service NAME         Service name (default: metrics-adapter)
  -n, --namespace NS         namespace (default: monitoring)
      --base PATH|URL        kustomize base the overlay builds on (default: this repository's manifests/)
      --without-metrics-k8s-io
                             leave metrics.k8s.io to metrics-server (adds that component)
      --days N               serving certificate validity (default: 365)
      --ca-days N            CA validity (default: 3650)
      --renew                reissue the serving certificate even if it is still good
      --new-ca               replace an existing CA (every APIService's caBundle changes)
  -h, --help

Writes <out>/ca.crt, <out>/ca.key (the CA's key: keep it safe, it signs the next certificates),
<out>/tls.crt, <out>/tls.key, and in the overlay: kustomization.yaml, tls.crt, tls.key
(the Secret, via a secretGenerator) and ca-bundle.yaml (the APIServices' caBundle).
USAGE
}

die() {
  echo "generate.sh: $*" >&2
  exit 1
}

out="$here/out"
overlay=""
svc="metrics-adapter"
ns="monitoring"
base=""
without_metrics=false
days=365
ca_days=3650
renew=false
new_ca=false

while [ $# -gt 0 ]; do
  case "$1" in
    -o | --out) out="${2:?$1 needs a value}"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    --overlay) overlay="${2:?$1 needs a value}"; shift 2 ;;
    --overlay=*) overlay="${1#*=}"; shift ;;
    -s | --service) svc="${2:?$1 needs a value}"; shift 2 ;;
    --service=*) svc="${1#*=}"; shift ;;
    -n | --namespace) ns="${2:?$1 needs a value}"; shift 2 ;;
    --namespace=*) ns="${1#*=}"; shift ;;
    --base) base="${2:?$1 needs a value}"; shift 2 ;;
    --base=*) base="${1#*=}"; shift ;;
    --without-metrics-k8s-io) without_metrics=true; shift ;;
    --days) days="${2:?$1 needs a value}"; shift 2 ;;
    --days=*) days="${1#*=}"; shift ;;
    --ca-days) ca_days="${2:?$1 needs a value}"; shift 2 ;;
    --ca-days=*) ca_days="${1#*=}"; shift ;;
    --renew) renew=true; shift ;;
    --new-ca) new_ca=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

# DNS-1035 labels: what a Service name must be, and what a namespace (DNS-1123 label) is in practice.
label_re='^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$'
[[ "$svc" =~ $label_re ]] || die "--service: \"$svc\" is not a valid Service name"
[[ "$ns" =~ $label_re ]] || die "--namespace: \"$ns\" is not a valid namespace name"
[[ "$days" =~ ^[1-9][0-9]*$ ]] || die "--days: \"$days\" is not a positive number"
[[ "$ca_days" =~ ^[1-9][0-9]*$ ]] || die "--ca-days: \"$ca_days\" is not a positive number"
command -v openssl >/dev/null || die "openssl is required (apt-get install openssl)"
command -v realpath >/dev/null || die "realpath (coreutils) is required"

umask 077
mkdir -p "$out"
out="$(cd "$out" && pwd)"
overlay="${overlay:-$out/overlay}"
mkdir -p "$overlay"
overlay="$(cd "$overlay" && pwd)"

# A local base is named relative to the overlay: kustomize rejects absolute paths.
if [ -z "$base" ]; then
  base="$(realpath --relative-to="$overlay" "$here/../manifests")"
elif [[ "$base" != *://* && "$base" != github.com/* ]]; then
  [ -e "$base/kustomization.yaml" ] || die "--base: no kustomization.yaml in $base"
  base="$(realpath --relative-to="$overlay" "$base")"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The CA. Its key is never overwritten silently: every certificate it signed would stop being
# trusted by the APIServices' caBundle.
if [ "$new_ca" = true ] || { [ ! -e "$out/ca.key" ] && [ ! -e "$out/ca.crt" ]; }; then
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 \
    -keyout "$tmp/ca.key" -out "$tmp/ca.crt" -days "$ca_days" -subj "/CN=${svc}-ca" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  mv -f "$tmp/ca.key" "$out/ca.key"
  mv -f "$tmp/ca.crt" "$out/ca.crt"
  renew=true
  echo "Created a new CA in $out (ca.crt, ca.key)."
elif [ ! -s "$out/ca.key" ] || [ ! -s "$out/ca.crt" ]; then
  die "$out holds only half a CA (ca.crt or ca.key is missing); restore it, or pass --new-ca to replace it"
fi

sans="DNS:${svc}, DNS:${svc}.${ns}, DNS:${svc}.${ns}.svc, DNS:${svc}.${ns}.svc.cluster.local"

# Keep a serving certificate that is signed by this CA, names these DNS names and has 30 days left.
current_ok() {
  [ -s "$out/tls.crt" ] && [ -s "$out/tls.key" ] || return 1
  openssl verify -CAfile "$out/ca.crt" "$out/tls.crt" >/dev/null 2>&1 || return 1
  openssl x509 -in "$out/tls.crt" -noout -checkend $((30 * 86400)) >/dev/null 2>&1 || return 1
  local have
  have="$(openssl x509 -in "$out/tls.crt" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr -d ' \n')"
  [ "$have" = "$(printf '%s' "$sans" | tr -d ' ')" ] || return 1
  # The key must be the certificate's.
  [ "$(openssl x509 -in "$out/tls.crt" -noout -pubkey)" = "$(openssl pkey -in "$out/tls.key" -pubout 2>/dev/null)" ]
}

if [ "$renew" = true ] || ! current_ok; then
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -keyout "$tmp/tls.key" -out "$tmp/tls.csr" -subj "/CN=${svc}.${ns}.svc" 2>"$tmp/err" \
    || { cat "$tmp/err" >&2; exit 1; }
  cat >"$tmp/tls.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=${sans}
EXT
  openssl x509 -req -in "$tmp/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
    -CAcreateserial -CAserial "$tmp/ca.srl" -out "$tmp/tls.crt" -days "$days" -sha256 \
    -extfile "$tmp/tls.ext" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  mv -f "$tmp/tls.key" "$out/tls.key"
  mv -f "$tmp/tls.crt" "$out/tls.crt"
  echo "Issued a serving certificate for ${svc}.${ns}.svc (valid ${days} days)."
else
  echo "Kept the serving certificate in $out (still valid for ${svc}.${ns}.svc; --renew reissues it)."
fi
chmod 600 "$out/ca.key" "$out/tls.key"
chmod 644 "$out/ca.crt" "$out/tls.crt"

# The overlay. kustomize reads generator files only from inside the overlay, hence the copies.
if [ "$overlay" != "$out" ]; then
  cp -f "$out/tls.crt" "$overlay/tls.crt"
  cp -f "$out/tls.key" "$overlay/tls.key"
  chmod 600 "$overlay/tls.key"
  chmod 644 "$overlay/tls.crt"
fi
ca_bundle="$(base64 <"$out/ca.crt" | tr -d '\n')"

cat >"$overlay/ca-bundle.yaml" <<EOF
# Written by certs/generate.sh: the CA of ${out}/ca.crt, for every APIService of the base.
- op: add
  path: /spec/caBundle
  value: ${ca_bundle}
EOF

{
  cat <<EOF
# Written by certs/generate.sh; run it again rather than editing this file.
# Deploy: kubectl apply -k ${overlay}
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ${base}
EOF
  if [ "$without_metrics" = true ]; then
    # A remote base keeps its ?ref= after the component's path.
    base_path="${base%%\?*}"
    base_query="${base#"$base_path"}"
    cat <<EOF
components:
  - ${base_path%/}/components/without-metrics-k8s-io${base_query}
EOF
  fi
  cat <<EOF
secretGenerator:
  # A fixed name, so that a renewed certificate updates the mounted Secret in place and the adapter
  # reloads it without a restart.
  - name: metrics-adapter-serving-cert
    namespace: monitoring
    type: kubernetes.io/tls
    files:
      - tls.crt
      - tls.key
    options:
      disableNameSuffixHash: true
patches:
  - target:
      group: apiregistration.k8s.io
      kind: APIService
    path: ca-bundle.yaml
EOF
  if [ "$svc" != metrics-adapter ]; then
    cat <<EOF
  - target:
      kind: Service
      name: metrics-adapter
    patch: '[{"op": "replace", "path": "/metadata/name", "value": "${svc}"}]'
  - target:
      group: apiregistration.k8s.io
      kind: APIService
    patch: '[{"op": "replace", "path": "/spec/service/name", "value": "${svc}"}]'
EOF
  fi
  if [ "$ns" != monitoring ]; then
    # The namespace field would also move the kube-system RoleBinding: run the namespace change as a
    # transformer, then put that binding back (transformers run in the order listed).
    cat <<EOF
transformers:
  - |-
    apiVersion: builtin
    kind: NamespaceTransformer
    metadata:
      name: namespace
      namespace: ${ns}
    setRoleBindingSubjects: defaultOnly
  - |-
    apiVersion: builtin
    kind: PatchTransformer
    metadata:
      name: auth-reader-stays-in-kube-system
    target:
      kind: RoleBinding
      name: metrics-adapter-auth-reader
    patch: '[{"op": "replace", "path": "/metadata/namespace", "value": "kube-system"}, {"op": "replace", "path": "/subjects/0/namespace", "value": "${ns}"}]'
  - |-
    apiVersion: builtin
    kind: PatchTransformer
    metadata:
      name: rename-the-namespace
    target:
      kind: Namespace
      name: monitoring
    patch: '[{"op": "replace", "path": "/metadata/name", "value": "${ns}"}]'
  - |-
    apiVersion: builtin
    kind: PatchTransformer
    metadata:
      name: apiservices-name-the-namespace
    target:
      group: apiregistration.k8s.io
      kind: APIService
    patch: '[{"op": "replace", "path": "/spec/service/namespace", "value": "${ns}"}]'
EOF
  fi
} >"$overlay/kustomization.yaml"

cat <<MSG
Wrote the overlay $overlay (it holds the serving key: do not commit it).
Deploy:  kubectl apply -k $overlay
Check:   kubectl get apiservices | grep metrics.k8s.io
Rotate:  run this again with --renew (and the same options), then apply again; the adapter
         reloads the Secret without a restart.
MSG
