#!/usr/bin/env bash
# `make run`: the korder suite on this machine, on the development cluster.
#   1. starts korder-devcluster (loopback only; kubeconfig in the work directory),
#   2. installs the CRDs from deploy/crds and makes certificates with scripts/certs.sh,
#   3. starts the four daemons (order, ticket, quota controllers, admission webhook) and
#      registers the webhook configurations from deploy/webhook,
#   4. applies examples/order.yaml, waits for its tickets to be Ready, creates
#      examples/business-pod.yaml (which claims one) and shows
#      `kubectl get orders,tickets,pods -o wide`,
#   5. keeps everything running until Ctrl-C, then stops it all and removes the work directory.
# Logs are in the work directory it prints; KORDER_RUN_DIR chooses it.
set -euo pipefail
build_dir="${1:-build}"
cd "$(dirname "$0")/.."
root="$PWD"

binary() {
  local path
  path="$(find "${build_dir}" -type f -name "$1" -perm -u+x 2>/dev/null | head -n1)"
  if [[ -z "${path}" ]]; then
    echo "run.sh: $1 is not built in ${build_dir} (run: make build)" >&2
    exit 1
  fi
  echo "${root}/${path#./}"
}

# A loopback port nothing listens on now, below the kernel's ephemeral range (so an outgoing
# connection cannot take it between this check and the daemon's bind).
free_port() {
  local port low
  low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
  for _ in $(seq 1 100); do
    port=$((10000 + RANDOM % (low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
      echo "${port}"
      return
    fi
  done
  echo "run.sh: no free port found" >&2
  exit 1
}

command -v kubectl >/dev/null || { echo "run.sh: kubectl is required on PATH" >&2; exit 1; }

devcluster="$(binary korder-devcluster)"
order_controller="$(binary korder-order-controller)"
ticket_controller="$(binary korder-ticket-controller)"
quota_controller="$(binary korder-quota-controller)"
webhook="$(binary korder-admission-webhook)"
binary korderctl >/dev/null

work="${KORDER_RUN_DIR:-$(mktemp -d /tmp/korder-run-XXXXXX)}"
mkdir -p "${work}"
pids=()
cleanup() {
  trap - EXIT INT TERM
  echo
  echo "stopping korder..."
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [[ -z "${KORDER_RUN_DIR:-}" ]]; then
    rm -rf "${work}"
  fi
  echo "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export KUBECONFIG="${work}/kubeconfig"
export KUBECACHEDIR="${work}/kube-cache"
webhook_port="$(free_port)"
quota_port="$(free_port)"

echo "korder: work directory ${work} (logs: *.log)"
"${devcluster}" --port 0 --https-port 0 --admin-port 0 --kubeconfig-out "${KUBECONFIG}" \
  --kubelet-delay 500ms \
  --webhook-service-map "korder-system/korder-webhook=127.0.0.1:${webhook_port}" \
  >"${work}/devcluster.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do
  grep -q '^ready$' "${work}/devcluster.log" 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "${work}/devcluster.log"; exit 1; }
  sleep 0.05
done
grep -q '^ready$' "${work}/devcluster.log" || { echo "run.sh: devcluster did not start" >&2; exit 1; }
grep -E '^(https?-url|admin-url):' "${work}/devcluster.log"

kubectl apply -k deploy/crds/
kubectl wait --for condition=established --timeout=30s \
  crd/orders.core.korder.dev crd/tickets.core.korder.dev crd/quotas.core.korder.dev >/dev/null

bash scripts/certs.sh "${work}/certs" >/dev/null
certs="${work}/certs"

common=(--kubeconfig "${KUBECONFIG}" --leader-elect=true --leader-election-namespace korder-system)
start() {
  local name="$1"
  shift
  "$@" >"${work}/${name}.log" 2>&1 &
  pids+=($!)
}
start quota-controller "${quota_controller}" "${common[@]}" \
  --metrics-bind-address "127.0.0.1:$(free_port)" --health-probe-bind-address "127.0.0.1:$(free_port)" \
  --grpc-bind-address "127.0.0.1:${quota_port}" \
  --tls-cert-file "${certs}/quota.crt" --tls-key-file "${certs}/quota.key" \
  --client-ca-file "${certs}/ca.crt"
start order-controller "${order_controller}" "${common[@]}" \
  --metrics-bind-address "127.0.0.1:$(free_port)" --health-probe-bind-address "127.0.0.1:$(free_port)"
start ticket-controller "${ticket_controller}" "${common[@]}" \
  --metrics-bind-address "127.0.0.1:$(free_port)" --health-probe-bind-address "127.0.0.1:$(free_port)"
start admission-webhook "${webhook}" --kubeconfig "${KUBECONFIG}" \
  --bind-address "127.0.0.1:${webhook_port}" \
  --metrics-bind-address "127.0.0.1:$(free_port)" --health-probe-bind-address "127.0.0.1:$(free_port)" \
  --tls-cert-file "${certs}/webhook.crt" --tls-key-file "${certs}/webhook.key" \
  --quota-address "127.0.0.1:${quota_port}" --quota-server-name korder-quota.korder-system.svc \
  --quota-ca-file "${certs}/ca.crt" \
  --quota-client-cert-file "${certs}/webhook-client.crt" \
  --quota-client-key-file "${certs}/webhook-client.key"
sleep 1
for i in "${!pids[@]}"; do
  if ! kill -0 "${pids[i]}" 2>/dev/null; then
    echo "run.sh: a daemon exited at start; its log:" >&2
    tail -n 20 "${work}"/*.log >&2
    exit 1
  fi
done
kubectl apply -f "${certs}/webhook-configurations.yaml"

echo
echo "== kubectl apply -f examples/order.yaml"
kubectl apply -f examples/order.yaml
kubectl wait --for=jsonpath='{.status.ready}'=3 --timeout=60s order/my-order >/dev/null ||
  echo "(the order is not fully Ready yet; see ${work}/*.log)"
echo
echo "== kubectl apply -f examples/business-pod.yaml (claims one of the tickets)"
kubectl apply -f examples/business-pod.yaml
kubectl wait --for=condition=Ready --timeout=60s pod/my-business-pod >/dev/null ||
  echo "(the business pod is not Running yet; see ${work}/*.log)"
echo
echo "== kubectl get orders,tickets,pods -o wide"
kubectl get orders,tickets,pods -o wide
echo
echo "korder is running. In another shell:"
echo "  export KUBECONFIG=${KUBECONFIG}"
echo "  kubectl get orders,tickets,pods -o wide"
echo "  export KORDER_QUOTA_ADDRESS=ipv4:127.0.0.1:${quota_port}"
echo "  alias korderctl='$(binary korderctl) --quota-server-name korder-quota.korder-system.svc" \
  "--quota-ca-file ${certs}/ca.crt --quota-client-cert-file ${certs}/webhook-client.crt" \
  "--quota-client-key-file ${certs}/webhook-client.key'"
echo "Press Ctrl-C to stop and clean up."
while :; do
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[i]}" 2>/dev/null; then
      echo "run.sh: a process exited unexpectedly; last log lines:" >&2
      tail -n 20 "${work}"/*.log >&2
      exit 1
    fi
  done
  sleep 2
done
