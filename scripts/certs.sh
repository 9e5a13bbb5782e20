#!/usr/bin/env bash
# Certificates for clusters without cert-manager, and for the tests and the local demo:
#   scripts/certs.sh OUT_DIR
# writes into OUT_DIR (created if needed; an existing ca.crt/ca.key there is reused, so the CA
# stays stable across runs):
#   ca.crt, ca.key                  the korder CA
#   webhook.crt, webhook.key        serving certificate of korder-webhook.korder-system.svc
#   quota.crt, quota.key            serving certificate of korder-quota.korder-system.svc
#   webhook-client.crt, .key        the webhook's client certificate for mutual TLS to the quota
#                                   service (CN korder-admission-webhook)
#   webhook-configurations.yaml     deploy/webhook/webhook-configurations.yaml with caBundle set
# Environment: KORDER_CERT_DAYS (default 365).
set -euo pipefail

if [[ $# -ne 1 || "$1" == -* ]]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
out="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
configurations="${here}/../deploy/webhook/webhook-configurations.yaml"
days="${KORDER_CERT_DAYS:-365}"
command -v openssl >/dev/null || { echo "$0: openssl is required" >&2; exit 1; }
mkdir -p "${out}"
umask 077

if [[ ! -s "${out}/ca.crt" || ! -s "${out}/ca.key" ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "${days}" \
    -keyout "${out}/ca.key" -out "${out}/ca.crt" -subj "/CN=korder-ca" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

# issue NAME CN USAGE SAN
issue() {
  local name="$1" cn="$2" usage="$3" san="$4"
  local ext
  ext="$(mktemp)"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=${usage}"
    if [[ -n "${san}" ]]; then
      echo "subjectAltName=${san}"
    fi
  } >"${ext}"
  openssl req -new -newkey rsa:2048 -nodes -keyout "${out}/${name}.key" \
    -out "${out}/${name}.csr" -subj "/CN=${cn}" 2>/dev/null
  openssl x509 -req -in "${out}/${name}.csr" -CA "${out}/ca.crt" -CAkey "${out}/ca.key" \
    -CAcreateserial -out "${out}/${name}.crt" -days "${days}" -sha256 -extfile "${ext}" 2>/dev/null
  rm -f "${out}/${name}.csr" "${ext}"
}

service_sans() {
  local svc="$1"
  echo "DNS:${svc},DNS:${svc}.korder-system,DNS:${svc}.korder-system.svc,DNS:${svc}.korder-system.svc.cluster.local"
}

issue webhook korder-webhook.korder-system.svc serverAuth "$(service_sans korder-webhook)"
issue quota korder-quota.korder-system.svc serverAuth "$(service_sans korder-quota)"
issue webhook-client korder-admission-webhook clientAuth ""
rm -f "${out}/ca.srl"

# The webhook configurations with caBundle under every clientConfig.
ca_bundle="$(base64 -w0 <"${out}/ca.crt")"
awk -v bundle="${ca_bundle}" '
  { print }
  /^[[:space:]]*clientConfig:[[:space:]]*$/ {
    match($0, /^[[:space:]]*/)
    printf "%s  caBundle: %s\n", substr($0, 1, RLENGTH), bundle
  }
' "${configurations}" >"${out}/webhook-configurations.yaml"
chmod 0644 "${out}"/*.crt "${out}/webhook-configurations.yaml"
echo "certificates written to ${out}"
