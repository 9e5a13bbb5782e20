// JSON decode/encode throughput of the object model: a 10,000-item TicketList (~1 KB per
// ticket, with metadata and status, as a controller's initial LIST sees it) and a ~3 KB Pod
// (what the pod webhook decodes per review). A raw DOM parse and a raw DOM write of the same
// list are the baselines for decoding and encoding.

#include <benchmark/benchmark.h>

#include <string>

#include "korder/api/json.h"
#include "korder/api/list.h"
#include "korder/api/pod.h"
#include "korder/api/ticket.h"
#include "korder/api/time.h"

namespace korder::api {
namespace {

constexpr int kTickets = 10000;

Ticket make_ticket(int i) {
  const std::string name = "order-" + std::to_string(i / 10) + "-" + std::to_string(100000 + i);
  Ticket t;
  t.api_version = kKorderApiVersion;
  t.kind = kTicketKind;
  t.metadata.name = name;
  t.metadata.namespace_ = "team-" + std::to_string(i % 20);
  t.metadata.uid = "5f0c8a3e-1b2d-4c5e-8f9a-" + std::to_string(100000000000 + i);
  t.metadata.resource_version = std::to_string(1000000 + i);
  t.metadata.generation = 1;
  t.metadata.creation_timestamp = parse_rfc3339("2026-01-01T00:00:00Z").value();
  t.metadata.labels = {{"korder.dev/order", "order-" + std::to_string(i / 10)},
                       {"korder.dev/slot", "r" + std::to_string(i % 10)},
                       {"korder.dev/incarnation", "0"},
                       {"korder.dev/template-hash", "7d9f5c6b8a"},
                       {"app", "batch"}};
  t.metadata.finalizers = {"korder.dev/ticket-protection"};
  t.metadata.owner_references.push_back({std::string(kKorderApiVersion),
                                         "Order",
                                         "order-" + std::to_string(i / 10),
                                         "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
                                         true,
                                         true,
                                         {}});
  t.metadata.extras =
      Extras::parse(R"({"managedFields":[{"manager":"korder-ticket-controller",)"
                    R"("operation":"Update","apiVersion":"core.korder.dev/v1alpha1",)"
                    R"("time":"2026-01-01T00:00:05Z","fieldsType":"FieldsV1",)"
                    R"("fieldsV1":{"f:status":{".":{},"f:phase":{},"f:nodeName":{}}},)"
                    R"("subresource":"status"}]})")
          .value();
  t.spec.duration = "24h";
  t.spec.window = TicketWindow{parse_rfc3339("2026-01-01T00:00:00Z").value(), {}};
  t.spec.resources.requests = {{"cpu", Quantity::parse("500m").value()},
                               {"memory", Quantity::parse("1Gi").value()}};
  t.spec.resources.limits = {{"cpu", Quantity::parse("1").value()},
                             {"memory", Quantity::parse("2Gi").value()}};
  t.spec.node_selector = {{"node-type", "compute"}};
  t.spec.tolerations.push_back({"dedicated", "Equal", "batch", "NoSchedule", std::nullopt, {}});
  t.spec.lifecycle = TicketLifecycle{300, "Delete", {}};
  t.status.phase = "Ready";
  t.status.node_name = "node-" + std::to_string(i % 100);
  t.status.guardian_pod = name + "-guardian";
  t.status.activation_time = parse_rfc3339("2026-01-01T00:00:05Z").value();
  t.status.expiration_time = parse_rfc3339("2026-01-02T00:00:00Z").value();
  t.status.conditions.push_back({"Ready",
                                 "True",
                                 1,
                                 parse_rfc3339("2026-01-01T00:00:05Z").value(),
                                 "GuardianRunning",
                                 "guardian pod is running",
                                 {}});
  t.status.observed_generation = 1;
  return t;
}

const TicketList& ticket_list() {
  static const TicketList list = [] {
    TicketList l;
    l.api_version = kKorderApiVersion;
    l.kind = kTicketListKind;
    l.metadata.resource_version = "2000000";
    for (int i = 0; i < kTickets; ++i) {
      l.items.push_back(make_ticket(i));
    }
    return l;
  }();
  return list;
}

const std::string& ticket_list_json() {
  static const std::string json = to_json(ticket_list());
  return json;
}

const std::string& pod_json() {
  static const std::string json = [] {
    std::string env;
    for (int i = 0; i < 30; ++i) {
      env += (i == 0 ? "" : ",") + std::string(R"({"name":"SETTING_)") + std::to_string(i) +
             R"(","value":"some-configuration-value-)" + std::to_string(i) + R"("})";
    }
    return std::string(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-7d9f",)") +
           R"("generateName":"web-","namespace":"shop","uid":"0b6f4e2c-8d1a-4c52-9f3e-2a1b3c4d5e6f",)"
           R"("resourceVersion":"123456","creationTimestamp":"2026-01-01T00:00:00Z",)"
           R"("labels":{"app":"web","pod-template-hash":"7d9f"},)"
           R"("annotations":{"korder.dev/required":"true","korder.dev/order":"my-order"},)"
           R"("ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d9f",)"
           R"("uid":"rs-uid","controller":true,"blockOwnerDeletion":true}]},)"
           R"("spec":{"volumes":[{"name":"kube-api-access","projected":{"sources":[)"
           R"({"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}}]}}],)"
           R"("containers":[{"name":"web","image":"nginx:1.27","ports":[{"containerPort":80}],)"
           R"("env":[)" +
           env +
           R"(],"resources":{"requests":{"cpu":"500m","memory":"1Gi"},)"
           R"("limits":{"cpu":"1","memory":"2Gi"}},"volumeMounts":[{"name":"kube-api-access",)"
           R"("readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],)"
           R"("imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always",)"
           R"("terminationGracePeriodSeconds":30,"nodeSelector":{"node-type":"compute"},)"
           R"("serviceAccountName":"default","schedulerName":"default-scheduler",)"
           R"("tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists",)"
           R"("effect":"NoExecute","tolerationSeconds":300}],"priority":0,)"
           R"("schedulingGates":[{"name":"korder.dev/ticket"}]},)"
           R"("status":{"phase":"Pending","conditions":[{"type":"PodScheduled",)"
           R"("status":"False","reason":"SchedulingGated","lastTransitionTime":)"
           R"("2026-01-01T00:00:00Z"}],"qosClass":"Burstable"}})";
  }();
  return json;
}

void set_counters(benchmark::State& state, std::size_t items, std::size_t bytes) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * items));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

void BM_ParseTicketListDomOnly(benchmark::State& state) {
  const std::string& json = ticket_list_json();
  for (auto _ : state) {
    JsonDocument doc;
    benchmark::DoNotOptimize(parse_json(json, doc).has_value());
  }
  set_counters(state, kTickets, json.size());
}
BENCHMARK(BM_ParseTicketListDomOnly)->Unit(benchmark::kMillisecond);

void BM_WriteTicketListDomOnly(benchmark::State& state) {
  const std::string& json = ticket_list_json();
  JsonDocument doc;
  if (!parse_json(json, doc)) {
    state.SkipWithError("the generated list does not parse");
    return;
  }
  for (auto _ : state) {
    std::string out = write_json(doc);
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, kTickets, json.size());
}
BENCHMARK(BM_WriteTicketListDomOnly)->Unit(benchmark::kMillisecond);

void BM_DecodeTicketList(benchmark::State& state) {
  const std::string& json = ticket_list_json();
  state.counters["bytes_per_ticket"] = static_cast<double>(json.size()) / kTickets;
  for (auto _ : state) {
    auto list = parse_list<Ticket>(json);
    benchmark::DoNotOptimize(list.has_value());
  }
  set_counters(state, kTickets, json.size());
}
BENCHMARK(BM_DecodeTicketList)->Unit(benchmark::kMillisecond);

void BM_EncodeTicketList(benchmark::State& state) {
  const TicketList& list = ticket_list();
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string json = to_json(list);
    bytes = json.size();
    benchmark::DoNotOptimize(json.data());
  }
  set_counters(state, kTickets, bytes);
}
BENCHMARK(BM_EncodeTicketList)->Unit(benchmark::kMillisecond);

void BM_DecodePod(benchmark::State& state) {
  const std::string& json = pod_json();
  state.counters["pod_bytes"] = static_cast<double>(json.size());
  for (auto _ : state) {
    auto pod = parse_pod(json);
    benchmark::DoNotOptimize(pod.has_value());
  }
  set_counters(state, 1, json.size());
}
BENCHMARK(BM_DecodePod)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace korder::api
