#!/usr/bin/env bash
# The admission webhook benchmark (bench/README.md):
#   services/admission-webhook/bench/webhook_bench.sh [BUILD_DIR]
#
# 1. throughput: AdmissionReviews per second and p50/p99 latency of /mutate-pods with a 3.9 KB
#    pod (bench/pod.json) over keep-alive TLS, at 1 and 16 connections, for
#      nginx           nginx (Debian package) answering a fixed 200 over the same TLS settings
#      webhook-optout  the pod without korder.dev/required (the fast path)
#      webhook-dryrun  the pod opted in, as a dryRun review: full candidate selection over 100
#                      Ready tickets, no claim write
#    server pinned to one core, korder-tls-load to another, runs interleaved
#    (nginx, webhook, webhook, nginx, ...), BENCH_ROUNDS rounds; the table shows medians.
# 2. claims: BENCH_CLAIMS real claims in sequence (review + the ticket status write), p50/p99.
# 3. running: the whole suite (development cluster + the four daemons + the webhook
#    configurations); BENCH_RUNNING_PODS business pods created one after another through the
#    API, each timed from create until it is Running on its ticket's node.
#
# Environment: BENCH_PARTS ("throughput claims running"), BENCH_ROUNDS (3), BENCH_DURATION (5s),
# BENCH_WARMUP (1s), BENCH_SERVER_CPU (0), BENCH_CLIENT_CPU (1), BENCH_TICKETS (100),
# BENCH_CLAIMS (100), BENCH_RUNNING_PODS (20), BENCH_KUBELET_DELAY (100ms), BENCH_WEBHOOK_QPS
# (1000: --qps and --burst of the measured webhook), BENCH_DIR (work
# directory, kept when set; else a temporary one, removed). Needs nginx, taskset, jq, curl,
# openssl and kubectl (scripts/install-deps.sh installs all but kubectl).
set -euo pipefail

build_dir="${1:-build}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../../.." && pwd)"
cd "${root}"

parts="${BENCH_PARTS:-throughput claims running}"
rounds="${BENCH_ROUNDS:-3}"
duration="${BENCH_DURATION:-5s}"
warmup="${BENCH_WARMUP:-1s}"
server_cpu="${BENCH_SERVER_CPU:-0}"
client_cpu="${BENCH_CLIENT_CPU:-1}"
ticket_count="${BENCH_TICKETS:-100}"
claims="${BENCH_CLAIMS:-100}"
running_pods="${BENCH_RUNNING_PODS:-20}"
kubelet_delay="${BENCH_KUBELET_DELAY:-100ms}"
# The webhook's client-side API rate limit for the benchmark's webhook. The default (--qps 20,
# --burst 30, client-go's) spaces sequential claims 50 ms apart after the first 30, which would
# measure the limiter instead of the claim.
webhook_qps="${BENCH_WEBHOOK_QPS:-1000}"

die() {
  echo "webhook_bench: $*" >&2
  exit 1
}

for tool in nginx taskset jq curl openssl kubectl; do
  command -v "${tool}" >/dev/null || die "${tool} is required (scripts/install-deps.sh; kubectl comes with the machine)"
done

binary() {
  local path
  path="$(find "${build_dir}" -type f -name "$1" -perm -u+x 2>/dev/null | head -n1)"
  [[ -n "${path}" ]] || die "$1 is not built in ${build_dir}"
  echo "$(cd "$(dirname "${path}")" && pwd)/$(basename "${path}")"
}
devcluster="$(binary korder-devcluster)"
webhook="$(binary korder-admission-webhook)"
load="$(binary korder-tls-load)"

work="${BENCH_DIR:-$(mktemp -d /tmp/webhook-bench-XXXXXX)}"
mkdir -p "${work}"
export KUBECONFIG="${work}/kubeconfig"
export KUBECACHEDIR="${work}/kube-cache"
export HOME="${work}/home"
mkdir -p "${HOME}"
pids=()
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [[ -z "${BENCH_DIR:-}" ]]; then
    rm -rf "${work}"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
      echo "${port}"
      return
    fi
  done
  die "no free port found"
}

# Stops the process started last (by its pid).
stop_last() {
  local last=$((${#pids[@]} - 1))
  kill -TERM "${pids[last]}" 2>/dev/null || true
  wait "${pids[last]}" 2>/dev/null || true
  unset "pids[last]"
  pids=("${pids[@]}")
}

# wait_for CONDITION_COMMAND... : polls up to 30 s.
wait_for() {
  for _ in $(seq 1 300); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# --- certificates, the development cluster, CRDs ------------------------------------------------

bash scripts/certs.sh "${work}/certs" >/dev/null
certs="${work}/certs"

api="" # plain HTTP URL of the development cluster
start_devcluster() {
  local webhook_port="$1"
  rm -f "${work}/devcluster.log"
  "${devcluster}" --port 0 --https-port 0 --admin-port 0 --kubeconfig-out "${KUBECONFIG}" \
    --kubelet-delay "${kubelet_delay}" \
    --webhook-service-map "korder-system/korder-webhook=127.0.0.1:${webhook_port}" \
    >"${work}/devcluster.log" 2>&1 &
  pids+=($!)
  wait_for grep -q '^ready$' "${work}/devcluster.log" || die "the devcluster did not start: $(cat "${work}/devcluster.log")"
  api="$(sed -n 's/^http-url: //p' "${work}/devcluster.log")"
  kubectl apply -k deploy/crds/ >/dev/null
  kubectl wait --for condition=established --timeout=30s \
    crd/orders.core.korder.dev crd/tickets.core.korder.dev crd/quotas.core.korder.dev >/dev/null
}

# api_call METHOD PATH [BODY]: the answer body; fails on an HTTP error.
api_call() {
  curl -sS --fail-with-body -X "$1" -H 'Content-Type: application/json' \
    ${3:+--data-binary "$3"} "${api}$2"
}

# make_ready_tickets NAMESPACE COUNT: Ready, unclaimed tickets spread over the four nodes, of
# three sizes (so best fit has work to do), written straight through the API.
make_ready_tickets() {
  local ns="$1" count="$2" expires
  api_call POST /api/v1/namespaces "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"${ns}\"}}" >/dev/null
  expires="$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)"
  local sizes=('1:1Gi' '2:2Gi' '1500m:4Gi')
  for i in $(seq 1 "${count}"); do
    local size="${sizes[$((i % 3))]}" node="dev-node-$((i % 4 + 1))" created
    created="$(api_call POST "/apis/core.korder.dev/v1alpha1/namespaces/${ns}/tickets" \
      "{\"apiVersion\":\"core.korder.dev/v1alpha1\",\"kind\":\"Ticket\",\"metadata\":{\"name\":\"bench-$i\",\"namespace\":\"${ns}\",\"labels\":{\"korder.dev/order\":\"bench\"}},\"spec\":{\"duration\":\"2h\",\"resources\":{\"requests\":{\"cpu\":\"${size%%:*}\",\"memory\":\"${size##*:}\"}}}}")"
    api_call PUT "/apis/core.korder.dev/v1alpha1/namespaces/${ns}/tickets/bench-$i/status" \
      "$(jq -c --arg node "${node}" --arg exp "${expires}" --arg i "$i" \
        '.status = {phase: "Ready", nodeName: $node, guardianPod: ("bench-" + $i + "-guardian"), activationTime: .metadata.creationTimestamp, expirationTime: $exp}' \
        <<<"${created}")" >/dev/null
  done
}

# review DRY_RUN OPT_IN: an AdmissionReview of bench/pod.json as kube-apiserver sends it.
review() {
  jq -c --argjson dry "$1" --argjson optin "$2" '
    (if $optin then .metadata.annotations["korder.dev/required"] = "true" else . end) as $pod
    | {apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
       request: {uid: "5b0c7f4e-2a9d-4c1b-8e3f-6d7a8b9c0d1e",
                 kind: {group: "", version: "v1", kind: "Pod"},
                 resource: {group: "", version: "v1", resource: "pods"},
                 requestKind: {group: "", version: "v1", kind: "Pod"},
                 requestResource: {group: "", version: "v1", resource: "pods"},
                 namespace: "bench", operation: "CREATE",
                 userInfo: {username: "system:serviceaccount:kube-system:replicaset-controller",
                            uid: "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b",
                            groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system",
                                     "system:authenticated"]},
                 object: $pod, oldObject: null, dryRun: $dry,
                 options: {kind: "CreateOptions", apiVersion: "meta.k8s.io/v1"}}}' \
    "${here}/pod.json"
}

start_webhook() {
  local port="$1" metrics_port="$2"
  shift 2
  taskset -c "${server_cpu}" "${webhook}" --kubeconfig "${KUBECONFIG}" \
    --bind-address "127.0.0.1:${port}" --metrics-bind-address "127.0.0.1:${metrics_port}" \
    --health-probe-bind-address "127.0.0.1:$(free_port)" \
    --tls-cert-file "${certs}/webhook.crt" --tls-key-file "${certs}/webhook.key" "$@" \
    >"${work}/webhook.log" 2>&1 &
  pids+=($!)
}

# dry_run_patched PORT: whether a dry-run review gets the claim patch (caches synced, tickets seen).
dry_run_patched() {
  curl -sk --max-time 2 -H 'Content-Type: application/json' \
    --data-binary "@${work}/review-dryrun.json" "https://127.0.0.1:$1/mutate-pods" |
    jq -e '.response.patch | @base64d | contains("korder.dev/ticket")' >/dev/null
}

# run_load LABEL PORT BODY CONNS EXPECT: one pinned load run; appends its line to results.
run_load() {
  local label="$1" port="$2" body="$3" conns="$4" expect="$5" line
  line="$(taskset -c "${client_cpu}" "${load}" --label "${label}" --port "${port}" \
    --path /mutate-pods --body "${body}" --connections "${conns}" --duration "${duration}" \
    --warmup "${warmup}" --expect "${expect}")" || die "load run ${label}/${conns} failed: ${line}"
  echo "round=${round} ${line}" | tee -a "${work}/results.txt"
}

# field NAME LINE
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# start_nginx PORT: the baseline. One process (master_process off), same certificate and TLS
# versions, OpenSSL's default cipher list like the webhook; answers every POST with a fixed
# AdmissionReview. Needs ${work}/review-optout.json.
start_nginx() {
  local nginx_port="$1"
  mkdir -p "${work}/nginx"
  local answer='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"5b0c7f4e-2a9d-4c1b-8e3f-6d7a8b9c0d1e","allowed":true}}'
  cat >"${work}/nginx/nginx.conf" <<EOF
worker_processes 1;
master_process off;
daemon off;
pid ${work}/nginx/nginx.pid;
error_log ${work}/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${work}/nginx/body;
  proxy_temp_path ${work}/nginx/proxy;
  fastcgi_temp_path ${work}/nginx/fastcgi;
  uwsgi_temp_path ${work}/nginx/uwsgi;
  scgi_temp_path ${work}/nginx/scgi;
  client_max_body_size 4m;
  client_body_buffer_size 64k;
  keepalive_requests 1000000000;
  keepalive_timeout 90s;
  server {
    listen 127.0.0.1:${nginx_port} ssl;
    ssl_certificate ${certs}/webhook.crt;
    ssl_certificate_key ${certs}/webhook.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers DEFAULT;
    location / {
      default_type application/json;
      return 200 '${answer}';
    }
  }
}
EOF
  taskset -c "${server_cpu}" nginx -p "${work}/nginx" -e "${work}/nginx/error.log" \
    -c "${work}/nginx/nginx.conf" >"${work}/nginx/stdout.log" 2>&1 &
  pids+=($!)
  wait_for curl -skf -o /dev/null --data-binary @"${work}/review-optout.json" \
    "https://127.0.0.1:${nginx_port}/mutate-pods" || die "nginx did not start: $(cat "${work}/nginx/error.log")"

}

# --- 1. throughput ------------------------------------------------------------------------------

throughput() {
  local webhook_port nginx_port
  webhook_port="$(free_port)"
  start_devcluster "${webhook_port}"
  make_ready_tickets bench "${ticket_count}"
  review false false >"${work}/review-optout.json"
  review true true >"${work}/review-dryrun.json"
  echo "pod $(jq -c . "${here}/pod.json" | wc -c) bytes; reviews: opt-out $(wc -c <"${work}/review-optout.json") bytes, dry run $(wc -c <"${work}/review-dryrun.json") bytes"
  start_webhook "${webhook_port}" "$(free_port)" --quota-address= --qps "${webhook_qps}" \
    --burst "${webhook_qps}"
  wait_for dry_run_patched "${webhook_port}" || die "the webhook does not claim in dry runs: $(tail -5 "${work}/webhook.log")"

  nginx_port="$(free_port)"
  start_nginx "${nginx_port}"

  : >"${work}/results.txt"
  for round in $(seq 1 "${rounds}"); do
    for conns in 1 16; do
      run_load nginx "${nginx_port}" "${work}/review-optout.json" "${conns}" '"allowed":true'
      run_load webhook-optout "${webhook_port}" "${work}/review-optout.json" "${conns}" '"allowed":true}'
      run_load webhook-dryrun "${webhook_port}" "${work}/review-dryrun.json" "${conns}" '"patchType":"JSONPatch"'
    done
  done

  echo
  echo "== /mutate-pods throughput, median of ${rounds} interleaved rounds (${duration} each after ${warmup} warm-up;"
  echo "   server on cpu ${server_cpu}, korder-tls-load on cpu ${client_cpu}; TLS $(field tls "$(head -n1 "${work}/results.txt")"))"
  awk '
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    {
      for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      key = v["target"] " " v["conns"]
      if (!(key in seen)) { seen[key] = 1; order[++n] = key }
      rps[key] = rps[key] " " v["rps"]; p50[key] = p50[key] " " v["p50_us"]; p99[key] = p99[key] " " v["p99_us"]
      round_rps[key, v["round"]] = v["rps"]; rounds_seen[v["round"]] = 1
    }
    END {
      printf "%-16s %5s %9s %9s %9s %10s %10s\n", "target", "conns", "rps", "p50_us", "p99_us", "rps/nginx", "p99/nginx"
      for (k = 1; k <= n; k++) {
        key = order[k]; split(key, tc, " ")
        r = median(rps[key]); a = median(p50[key]); b = median(p99[key])
        base = "nginx " tc[2]; br = median(rps[base]); bp = median(p99[base])
        printf "%-16s %5s %9.0f %9.1f %9.1f %10.2f %10.2f\n", tc[1], tc[2], r, a, b, r / br, b / bp
        if (tc[1] != "nginx" && tc[2] == 16) {
          # Paired: each round against the nginx run next to it, so a change of the machine
          # speed between rounds (this machine has slow and fast phases) cancels out.
          paired = ""; lo = 1e9; hi = 0
          for (rd in rounds_seen) {
            q = round_rps[key, rd] / round_rps[base, rd]; paired = paired " " q
            if (q < lo) lo = q; if (q > hi) hi = q
          }
          pr = median(paired)
          verdict = verdict sprintf("  %s: rps at 16 connections %.2fx nginx (medians), %.2fx (median of per-round ratios, range %.2f-%.2f) (target >= 0.5x): %s\n", tc[1], r / br, pr, lo, hi, (r / br >= 0.5 && pr >= 0.5) ? "met" : "MISSED")
        }
        if (tc[1] != "nginx" && tc[2] == 1) verdict = verdict sprintf("  %s: p99 at 1 connection %.2fx nginx (target <= 2x): %s\n", tc[1], b / bp, (b / bp <= 2) ? "met" : "MISSED")
      }
      printf "%s", verdict
    }' "${work}/results.txt"
  echo "(raw runs: ${work}/results.txt)"
  echo "${webhook_port}" >"${work}/webhook.port"
}

# --- 2. real claims -----------------------------------------------------------------------------

claim_latency() {
  local port claimed line
  port="$(cat "${work}/webhook.port")"
  review false true >"${work}/review-claim.json"
  line="$(taskset -c "${client_cpu}" "${load}" --label claim --port "${port}" --path /mutate-pods \
    --body "${work}/review-claim.json" --connections 1 --requests "${claims}" \
    --expect '"patchType":"JSONPatch"')" || die "claim run failed: ${line}"
  claimed="$(api_call GET /apis/core.korder.dev/v1alpha1/namespaces/bench/tickets |
    jq '[.items[] | select(.status.claim.token != null and .status.claim.token != "dry-run")] | length')"
  echo
  echo "== real claims: ${claims} reviews in sequence over 1 connection, each with its ticket status write"
  echo "   (webhook on cpu ${server_cpu} with --qps/--burst ${webhook_qps}, devcluster unpinned, HTTPS between them)"
  echo "   p50 $(field p50_us "${line}") us, p99 $(field p99_us "${line}") us, max $(field max_us "${line}") us; tickets claimed: ${claimed}/${ticket_count}"
  [[ "${claimed}" -eq "${claims}" ]] || die "expected ${claims} claimed tickets, found ${claimed}"
}

# --- 3. claim to Running ------------------------------------------------------------------------

# pod_running NAME: prints the pod's node when it is Running.
pod_running() {
  api_call GET "/api/v1/namespaces/default/pods/$1" |
    jq -er 'select(.status.phase == "Running") | .spec.nodeName'
}

claim_to_running() {
  local order_controller ticket_controller quota_controller webhook_port quota_port
  order_controller="$(binary korder-order-controller)"
  ticket_controller="$(binary korder-ticket-controller)"
  quota_controller="$(binary korder-quota-controller)"
  webhook_port="$(free_port)"
  quota_port="$(free_port)"
  start_devcluster "${webhook_port}"
  local common=(--kubeconfig "${KUBECONFIG}" --leader-elect=true --leader-election-namespace korder-system)
  "${quota_controller}" "${common[@]}" --metrics-bind-address "127.0.0.1:$(free_port)" \
    --health-probe-bind-address "127.0.0.1:$(free_port)" --grpc-bind-address "127.0.0.1:${quota_port}" \
    --tls-cert-file "${certs}/quota.crt" --tls-key-file "${certs}/quota.key" \
    --client-ca-file "${certs}/ca.crt" >"${work}/quota-controller.log" 2>&1 &
  pids+=($!)
  "${order_controller}" "${common[@]}" --metrics-bind-address "127.0.0.1:$(free_port)" \
    --health-probe-bind-address "127.0.0.1:$(free_port)" >"${work}/order-controller.log" 2>&1 &
  pids+=($!)
  "${ticket_controller}" "${common[@]}" --metrics-bind-address "127.0.0.1:$(free_port)" \
    --health-probe-bind-address "127.0.0.1:$(free_port)" >"${work}/ticket-controller.log" 2>&1 &
  pids+=($!)
  "${webhook}" --kubeconfig "${KUBECONFIG}" --bind-address "127.0.0.1:${webhook_port}" \
    --metrics-bind-address "127.0.0.1:$(free_port)" --health-probe-bind-address "127.0.0.1:$(free_port)" \
    --tls-cert-file "${certs}/webhook.crt" --tls-key-file "${certs}/webhook.key" \
    --quota-address "127.0.0.1:${quota_port}" --quota-server-name korder-quota.korder-system.svc \
    --quota-ca-file "${certs}/ca.crt" --quota-client-cert-file "${certs}/webhook-client.crt" \
    --quota-client-key-file "${certs}/webhook-client.key" >"${work}/suite-webhook.log" 2>&1 &
  pids+=($!)
  wait_for grep -q "webhook serving" "${work}/suite-webhook.log" || die "the webhook did not start: $(tail -5 "${work}/suite-webhook.log")"
  kubectl apply -f "${certs}/webhook-configurations.yaml" >/dev/null

  # An order of small tickets on every node; no replacements, so the measurement is alone.
  kubectl apply -f - >/dev/null <<EOF
apiVersion: core.korder.dev/v1alpha1
kind: Order
metadata: {name: bench, namespace: default}
spec:
  replicas: ${running_pods}
  strategy: {type: OneTime, refreshPolicy: Never}
  template:
    spec:
      duration: 2h
      resources: {requests: {cpu: "1", memory: 1Gi}}
EOF
  kubectl wait --for=jsonpath="{.status.ready}=${running_pods}" --timeout=120s order/bench >/dev/null ||
    die "the order's tickets did not become Ready: $(kubectl get tickets 2>&1 | tail -5)"

  local samples=() create_samples=() i
  for i in $(seq 1 "${running_pods}"); do
    local name="business-${i}" body start created node ticket ticket_node
    body="$(jq -c --arg name "${name}" \
      '.metadata.name = $name | del(.metadata.generateName) | .metadata.namespace = "default"
       | .metadata.annotations["korder.dev/required"] = "true" | .metadata.annotations["korder.dev/order"] = "bench"
       | del(.metadata.ownerReferences) | del(.spec.priorityClassName)' "${here}/pod.json")"
    start="$(now_ms)"
    # The answer, then a line with curl's clock: request sent, first byte of the answer back.
    created="$(curl -sS --fail-with-body -X POST -H 'Content-Type: application/json' \
      --data-binary "${body}" -w '\n%{time_pretransfer} %{time_starttransfer}' \
      "${api}/api/v1/namespaces/default/pods")" || die "creating pod ${name} failed: ${created}"
    ticket="$(sed '$d' <<<"${created}" | jq -r '.metadata.labels["korder.dev/ticket"] // ""')"
    create_samples+=($(tail -n1 <<<"${created}" | awk '{ printf "%d", ($2 - $1) * 1e6 }'))
    [[ -n "${ticket}" ]] || die "pod ${name} got no ticket: $(api_call GET "/api/v1/namespaces/default/pods/${name}" | jq -c .metadata.annotations)"
    node=""
    for _ in $(seq 1 3000); do
      node="$(pod_running "${name}" 2>/dev/null)" && break
      sleep 0.01
    done
    [[ -n "${node}" ]] || die "pod ${name} is not Running after 30 s"
    samples+=($(($(now_ms) - start)))
    ticket_node="$(api_call GET "/apis/core.korder.dev/v1alpha1/namespaces/default/tickets/${ticket}" | jq -r .status.nodeName)"
    [[ "${node}" == "${ticket_node}" ]] || die "pod ${name} runs on ${node}, its ticket ${ticket} on ${ticket_node}"
  done
  echo
  echo "== claim to Running: ${running_pods} business pods created one after another through the API (POST /pods),"
  echo "   whole suite running, devcluster --kubelet-delay ${kubelet_delay}; each on its ticket's node"
  printf '%s\n' "${samples[@]}" | sort -n | awk -v n="${running_pods}" '
    { a[NR] = $1 } END { printf "   create->Running: p50 %d ms, p90 %d ms, max %d ms\n", a[int((n + 1) / 2)], a[int(0.9 * n + 0.5)], a[n] }'
  printf '%s\n' "${create_samples[@]}" | sort -n | awk -v n="${running_pods}" '
    { a[NR] = $1 } END { printf "   the create call in the API server (request sent to answer back, curl'"'"'s clock; admission incl. the claim): p50 %.1f ms, max %.1f ms\n", a[int((n + 1) / 2)] / 1000, a[n] / 1000 }'
}

# --- cpu: CPU time per review ----------------------------------------------------------------------

# cpu_of PID: the process's user + system CPU time so far, in clock ticks.
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# The server's CPU time (user + system, from /proc/PID/stat) per request over
# BENCH_CPU_REQUESTS (40000) requests at 16 connections: nginx, the webhook on opt-out reviews
# and on dry-run reviews, BENCH_ROUNDS rounds. Far steadier than requests per second on a shared
# machine, since a neighbour's load slows the client and the server alike but adds little to the
# server's own CPU time per request.
cpu_per_review() {
  local webhook_port nginx_port requests="${BENCH_CPU_REQUESTS:-40000}" ticks
  ticks="$(getconf CLK_TCK)"
  webhook_port="$(free_port)"
  start_devcluster "${webhook_port}"
  make_ready_tickets bench "${ticket_count}"
  review false false >"${work}/review-optout.json"
  review true true >"${work}/review-dryrun.json"
  start_webhook "${webhook_port}" "$(free_port)" --quota-address=
  local webhook_pid=$!
  wait_for dry_run_patched "${webhook_port}" || die "the webhook does not claim in dry runs: $(tail -5 "${work}/webhook.log")"
  nginx_port="$(free_port)"
  start_nginx "${nginx_port}"
  local nginx_pid=$!
  echo
  echo "== CPU time per request of the server (user + system), ${requests} requests at 16 connections"
  : >"${work}/cpu.txt"
  for round in $(seq 1 "${rounds}"); do
    for target in nginx webhook-optout webhook-dryrun; do
      local port="${webhook_port}" pid="${webhook_pid}" body="${work}/review-optout.json" before after
      case "${target}" in
        nginx) port="${nginx_port}" pid="${nginx_pid}" ;;
        webhook-dryrun) body="${work}/review-dryrun.json" ;;
      esac
      taskset -c "${client_cpu}" "${load}" --label warm --port "${port}" --path /mutate-pods \
        --body "${body}" --connections 16 --requests 2000 >/dev/null || die "warm-up of ${target} failed"
      before="$(cpu_of "${pid}")"
      taskset -c "${client_cpu}" "${load}" --label "${target}" --port "${port}" --path /mutate-pods \
        --body "${body}" --connections 16 --requests "${requests}" >/dev/null || die "cpu run of ${target} failed"
      after="$(cpu_of "${pid}")"
      echo "round=${round} target=${target} cpu_us=$(awk -v t="$((after - before))" -v n="${requests}" -v hz="${ticks}" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')" |
        tee -a "${work}/cpu.txt"
    done
  done
  awk '
    { split($2, t, "="); split($3, c, "="); sum[t[2]] += c[2]; n[t[2]]++ }
    END {
      base = sum["nginx"] / n["nginx"]
      printf "   mean CPU us per request: nginx %.1f, webhook-optout %.1f (%.2fx nginx), webhook-dryrun %.1f (%.2fx nginx)\n",
        base, sum["webhook-optout"] / n["webhook-optout"], sum["webhook-optout"] / n["webhook-optout"] / base,
        sum["webhook-dryrun"] / n["webhook-dryrun"], sum["webhook-dryrun"] / n["webhook-dryrun"] / base
    }' "${work}/cpu.txt"
}

# --- profile: instructions per review under callgrind ------------------------------------------

# The webhook under callgrind, instrumented only while BENCH_PROFILE_REQUESTS reviews of each
# kind (opt-out, dry run) go over one connection; prints the instructions per review and keeps
# the annotated profiles (callgrind_annotate --inclusive=yes) in the work directory.
profile() {
  command -v valgrind >/dev/null || die "valgrind is required for the profile part"
  local port requests="${BENCH_PROFILE_REQUESTS:-2000}" kind
  port="$(free_port)"
  start_devcluster "${port}"
  make_ready_tickets bench "${ticket_count}"
  review false false >"${work}/review-optout.json"
  review true true >"${work}/review-dryrun.json"
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="${work}/callgrind.out" \
    "${webhook}" --kubeconfig "${KUBECONFIG}" --bind-address "127.0.0.1:${port}" \
    --metrics-bind-address "127.0.0.1:$(free_port)" --health-probe-bind-address "127.0.0.1:$(free_port)" \
    --tls-cert-file "${certs}/webhook.crt" --tls-key-file "${certs}/webhook.key" --quota-address= \
    >"${work}/webhook.log" 2>&1 &
  pids+=($!)
  local pid=$!
  wait_for dry_run_patched "${port}" || die "the webhook does not claim in dry runs: $(tail -5 "${work}/webhook.log")"
  echo
  echo "== instructions per /mutate-pods review under callgrind (${requests} reviews over 1 connection, TLS included)"
  for kind in optout dryrun; do
    # Warm (connection pools, caches) before counting.
    "${load}" --label warm --port "${port}" --path /mutate-pods --body "${work}/review-${kind}.json" \
      --connections 1 --requests 200 >/dev/null
    callgrind_control -z "${pid}" >/dev/null 2>&1
    callgrind_control -i on "${pid}" >/dev/null 2>&1
    "${load}" --label "${kind}" --port "${port}" --path /mutate-pods --body "${work}/review-${kind}.json" \
      --connections 1 --requests "${requests}" >/dev/null || die "profile run ${kind} failed"
    callgrind_control -i off "${pid}" >/dev/null 2>&1
    callgrind_control -d "${kind}" "${pid}" >/dev/null 2>&1
    local dump
    dump="$(ls -t "${work}"/callgrind.out.* | head -n1)"
    callgrind_annotate --inclusive=yes "${dump}" >"${work}/profile-${kind}.txt" 2>/dev/null
    awk -v n="${requests}" -v kind="${kind}" '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "   %-7s %9.0f instructions per review\n", kind, $1 / n }' "${work}/profile-${kind}.txt"
  done
  echo "   (annotated: ${work}/profile-optout.txt, ${work}/profile-dryrun.txt)"
}

for part in ${parts}; do
  case "${part}" in
    throughput) throughput ;;
    profile) profile ;;
    cpu) cpu_per_review ;;
    claims)
      [[ -f "${work}/webhook.port" ]] || die "claims runs after throughput (same webhook and tickets)"
      claim_latency
      ;;
    running)
      # A fresh cluster for the whole suite: stop what the earlier parts started.
      while [[ ${#pids[@]} -gt 0 ]]; do stop_last; done
      claim_to_running
      ;;
    *) die "unknown part ${part} (throughput, claims, running, cpu, profile)" ;;
  esac
done
