#include <catch2/catch.hpp>
#include <string>

#include "json_test_support.h"
#include "korder/api/order.h"
#include "korder/api/ticket.h"
#include "korder/api/time.h"

namespace korder::api {
namespace {

using testing::round_trip;
using testing::same_json;

// The README's first example ("Create a simple resource order"), as JSON.
constexpr const char* kSimpleOrder = R"({
  "apiVersion": "core.korder.dev/v1alpha1", "kind": "Order",
  "metadata": {"name": "my-order", "namespace": "default"},
  "spec": {
    "replicas": 3,
    "strategy": {"type": "OneTime", "refreshPolicy": "OnClaim"},
    "template": {
      "metadata": {"labels": {"app": "my-application"}},
      "spec": {
        "duration": "24h",
        "resources": {"requests": {"cpu": "500m", "memory": "1Gi"},
                      "limits": {"cpu": "1000m", "memory": "2Gi"}},
        "nodeSelector": {"node-type": "compute"}}}}})";

// The README's "Scheduled resource order".
constexpr const char* kScheduledOrder = R"({
  "apiVersion": "core.korder.dev/v1alpha1", "kind": "Order",
  "metadata": {"name": "scheduled-order", "namespace": "default"},
  "spec": {
    "replicas": 2,
    "strategy": {"type": "Scheduled", "schedule": "0 2 * * *", "refreshPolicy": "Always"},
    "template": {"spec": {"duration": "8h",
                          "resources": {"requests": {"cpu": "200m", "memory": "512Mi"}}}}}})";

// The README's "DaemonSet mode for node-level reservations".
constexpr const char* kDaemonSetOrder = R"({
  "apiVersion": "core.korder.dev/v1alpha1", "kind": "Order",
  "metadata": {"name": "monitoring-agent-reservation", "namespace": "korder-system"},
  "spec": {
    "daemonSet": true,
    "strategy": {"type": "Recurring", "schedule": "0 */6 * * *", "refreshPolicy": "OnClaim"},
    "template": {
      "metadata": {"labels": {"app": "monitoring-agent", "tier": "infrastructure"}},
      "spec": {
        "duration": "24h",
        "resources": {"requests": {"cpu": "100m", "memory": "200Mi"},
                      "limits": {"cpu": "200m", "memory": "400Mi"}},
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"operator": "Exists", "effect": "NoSchedule"}]}}}})";

// Every field of DESIGN.md §2 for an Order, with status: the maximal example.
constexpr const char* kFullOrder = R"({
  "apiVersion": "core.korder.dev/v1alpha1", "kind": "Order",
  "metadata": {
    "name": "full", "namespace": "team-a", "uid": "7c0e5f9a-1111-2222-3333-444455556666",
    "resourceVersion": "42", "generation": 3, "creationTimestamp": "2026-01-01T00:00:00Z",
    "labels": {"team": "a"}, "annotations": {"note": "x"},
    "finalizers": ["korder.dev/order-protection"]},
  "spec": {
    "replicas": 2, "paused": false, "daemonSet": false,
    "strategy": {"type": "Recurring", "schedule": "30 1 * * 1-5",
                 "timeZone": "Europe/Paris", "refreshPolicy": "Never"},
    "template": {
      "metadata": {"labels": {"korder.dev/group": "batch"}, "annotations": {"a": "b"}},
      "spec": {
        "duration": "1h30m",
        "window": {"startTime": "2026-01-02T01:30:00Z"},
        "resources": {"requests": {"cpu": "250m", "memory": "64Mi", "nvidia.com/gpu": "1"},
                      "limits": {"memory": "128Mi"}},
        "nodeSelector": {"node-type": "compute"},
        "affinity": {
          "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
              {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]},
                                    {"key": "cores", "operator": "Gt", "values": ["8"]}],
               "matchFields": [{"key": "metadata.name", "operator": "In",
                                "values": ["node-1"]}]}]},
            "preferredDuringSchedulingIgnoredDuringExecution": [
              {"weight": 10, "preference": {"matchExpressions": [
                {"key": "disk", "operator": "Exists"}]}}]},
          "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"topologyKey": "kubernetes.io/hostname",
             "labelSelector": {"matchLabels": {"app": "x"}}}]}},
        "tolerations": [
          {"key": "dedicated", "operator": "Equal", "value": "batch", "effect": "NoExecute",
           "tolerationSeconds": 300}],
        "topologySpreadConstraints": [
          {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
           "whenUnsatisfiable": "DoNotSchedule",
           "labelSelector": {"matchExpressions": [{"key": "app", "operator": "NotIn",
                                                   "values": ["y"]}]},
           "minDomains": 2, "nodeAffinityPolicy": "Honor", "nodeTaintsPolicy": "Ignore",
           "matchLabelKeys": ["pod-template-hash"]}],
        "priorityClassName": "korder-guardian", "schedulerName": "default-scheduler",
        "nodeName": "node-1",
        "lifecycle": {"ttlSecondsAfterFinished": 600, "cleanupPolicy": "Retain"}}}},
  "status": {
    "desired": 2, "pending": 0, "ready": 1, "claimed": 1, "expired": 0,
    "lastScheduleTime": "2026-01-02T01:30:00Z", "nextScheduleTime": "2026-01-05T00:30:00Z",
    "slots": [{"slot": "r0", "incarnation": 2, "phase": "Claimed"},
              {"slot": "r1", "incarnation": 0, "phase": "Ready"}],
    "observedGeneration": 3,
    "conditions": [
      {"type": "Ready", "status": "True", "observedGeneration": 3,
       "lastTransitionTime": "2026-01-02T01:31:00Z", "reason": "TicketsReady",
       "message": "2 of 2 tickets held"}]}})";

TimePoint at(const char* rfc3339) { return parse_rfc3339(rfc3339).value(); }

TEST_CASE("the README's simple order decodes and round-trips", "[unit][json]") {
  auto order = parse_order(kSimpleOrder);
  REQUIRE(order.has_value());
  CHECK(order->api_version == kKorderApiVersion);
  CHECK(order->kind == kOrderKind);
  CHECK(order->metadata.name == "my-order");
  CHECK(order->metadata.namespace_ == "default");
  CHECK(order->spec.replicas == 3);
  CHECK(order->spec.strategy.type == StrategyType::OneTime);
  CHECK(order->spec.strategy.refresh_policy == RefreshPolicy::OnClaim);
  const TicketSpec& spec = order->spec.template_.spec;
  CHECK(order->spec.template_.metadata.labels.at("app") == "my-application");
  CHECK(spec.duration == "24h");
  CHECK(spec.resources.requests.at("cpu") == Quantity::from_milli(500));
  CHECK(spec.resources.limits.at("memory") == Quantity::from_int(2LL << 30));
  CHECK(spec.node_selector.at("node-type") == "compute");
  // 1000m is written back in canonical form, as the API server does.
  std::string expected = kSimpleOrder;
  expected.replace(expected.find("\"1000m\""), 7, "\"1\"");
  CHECK(same_json(to_json(*order), expected));
}

TEST_CASE("the README's scheduled and daemonSet orders round-trip unchanged", "[unit][json]") {
  for (const char* json : {kScheduledOrder, kDaemonSetOrder}) {
    INFO(json);
    CHECK(same_json(round_trip<Order>(json), json));
  }
  auto daemon = parse_order(kDaemonSetOrder).value();
  CHECK(daemon.spec.daemon_set == true);
  CHECK_FALSE(daemon.spec.replicas.has_value());
  REQUIRE(daemon.spec.template_.spec.tolerations.size() == 1);
  CHECK(daemon.spec.template_.spec.tolerations[0].op == "Exists");
  CHECK(daemon.spec.template_.spec.tolerations[0].effect == "NoSchedule");
  CHECK(daemon.spec.template_.spec.tolerations[0].key.empty());
}

TEST_CASE("a maximal order round-trips exactly and has no unknown fields", "[unit][json]") {
  auto order = parse_order(kFullOrder);
  REQUIRE(order.has_value());
  CHECK(same_json(to_json(*order), kFullOrder));
  CHECK(unknown_field_paths(*order).empty());
  CHECK(parse_order(to_json(*order)).value() == *order);

  const auto& spec = order->spec.template_.spec;
  CHECK(spec.window->start_time == at("2026-01-02T01:30:00Z"));
  const auto& required =
      spec.affinity->node_affinity->required_during_scheduling_ignored_during_execution;
  REQUIRE(required.has_value());
  CHECK(required->node_selector_terms[0].match_fields[0].key == "metadata.name");
  CHECK(spec.affinity->pod_anti_affinity.has_value());
  CHECK(spec.lifecycle->ttl_seconds_after_finished == 600);
  CHECK(spec.lifecycle->cleanup_policy == CleanupPolicy::Retain);
  CHECK(spec.topology_spread_constraints[0].min_domains == 2);
  CHECK(order->status.slots[0].incarnation == 2);
  CHECK(order->status.conditions[0].status == ConditionStatus::True);
  CHECK(order->status.next_schedule_time == at("2026-01-05T00:30:00Z"));
  CHECK(order->metadata.generation == 3);
}

TEST_CASE("replicas 0 survives and an absent replicas stays absent", "[unit][json]") {
  const char* zero = R"({"metadata":{"name":"o"},"spec":{"replicas":0}})";
  auto order = parse_order(zero).value();
  CHECK(order.spec.replicas == 0);
  CHECK(order.spec.effective_replicas() == 0);
  CHECK(same_json(to_json(order), zero));

  const char* absent = R"({"metadata":{"name":"o"},"spec":{"paused":true}})";
  auto defaulted = parse_order(absent).value();
  CHECK_FALSE(defaulted.spec.replicas.has_value());
  CHECK(defaulted.spec.effective_replicas() == 1);
  CHECK(defaulted.spec.strategy.effective_refresh_policy() == RefreshPolicy::OnClaim);
  CHECK(same_json(to_json(defaulted), absent));  // defaults are not written back
}

TEST_CASE("absent fields stay absent when an order is written back", "[unit][json]") {
  const char* cases[] = {
      R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Order","metadata":{"name":"x"}})",
      R"({"metadata":{"name":"x"},"spec":{"template":{"spec":{"duration":"1h"}}}})",
      R"({"metadata":{"name":"x"},"spec":{"strategy":{"type":"OneTime"}},"status":{"desired":0,"pending":0,"ready":0,"claimed":0,"expired":0,"observedGeneration":1}})",
      R"({"metadata":{"name":"x"},"spec":{"template":{"spec":{"affinity":{},"window":{},"lifecycle":{}}}}})",
  };
  for (const char* json : cases) {
    INFO(json);
    CHECK(same_json(round_trip<Order>(json), json));
  }
}

TEST_CASE("unknown fields survive in metadata, spec and status", "[unit][json]") {
  const char* json = R"({
    "apiVersion": "core.korder.dev/v1alpha1", "kind": "Order", "topLevelExtra": 1,
    "metadata": {"name": "o", "managedFields": [{"manager": "kubectl", "operation": "Apply",
                                                 "fieldsV1": {"f:spec": {}}}],
                 "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "n",
                                      "uid": "u", "futureRef": true}]},
    "spec": {"replicas": 1, "priority": "high",
             "strategy": {"type": "OneTime", "jitter": "5m"},
             "template": {"metadata": {"labels": {"a": "b"}, "name": "ignored"},
                          "spec": {"duration": "1h", "futureField": {"x": [1, 2]},
                                   "tolerations": [{"key": "k", "operator": "Exists",
                                                    "vendorHint": "x"}],
                                   "resources": {"requests": {"cpu": "1"},
                                                 "claims": [{"name": "gpu"}]}}}},
    "status": {"desired": 1, "pending": 1, "ready": 0, "claimed": 0, "expired": 0,
               "observedGeneration": 1, "futureStatus": "x",
               "slots": [{"slot": "r0", "incarnation": 0, "phase": "Pending", "note": 1}],
               "conditions": [{"type": "Ready", "status": "False", "message": "", "severity": "Info"}]}})";
  auto order = parse_order(json);
  REQUIRE(order.has_value());
  CHECK(same_json(to_json(*order), json));
  CHECK(order->metadata.extras.keys() == std::vector<std::string>{"managedFields"});
  CHECK(unknown_field_paths(*order) ==
        std::vector<std::string>{"spec.strategy.jitter", "spec.template.metadata.name",
                                 "spec.template.spec.tolerations[0].vendorHint",
                                 "spec.template.spec.futureField", "spec.priority",
                                 "status.slots[0].note", "status.conditions[0].severity",
                                 "status.futureStatus", "topLevelExtra"});
}

TEST_CASE("unknown enum values round-trip as written", "[unit][json]") {
  const char* json =
      R"({"metadata":{"name":"o"},"spec":{"strategy":{"type":"Weekly","refreshPolicy":"Sometimes"},)"
      R"("template":{"spec":{"lifecycle":{"cleanupPolicy":"Archive"}}}}})";
  auto order = parse_order(json).value();
  CHECK(order.spec.strategy.type == "Weekly");
  CHECK(order.spec.strategy.effective_refresh_policy() == "Sometimes");
  CHECK(same_json(to_json(order), json));
}

TEST_CASE("an order built in code encodes with the wire names", "[unit][json]") {
  Order order;
  order.api_version = kKorderApiVersion;
  order.kind = kOrderKind;
  order.metadata.name = "o";
  order.spec.replicas = 1;
  order.spec.strategy.type = StrategyType::Scheduled;
  order.spec.strategy.schedule = "0 2 * * *";
  order.spec.strategy.time_zone = "UTC";
  order.spec.template_.spec.duration = "8h";
  order.spec.template_.spec.lifecycle = TicketLifecycle{30, std::string(CleanupPolicy::Delete), {}};
  order.status.desired = 1;
  order.status.last_schedule_time = at("2026-03-01T02:00:00.750Z");  // written to the second
  CHECK(to_json(order) ==
        R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Order","metadata":{"name":"o"},)"
        R"("spec":{"replicas":1,"strategy":{"type":"Scheduled","schedule":"0 2 * * *",)"
        R"("timeZone":"UTC"},"template":{"spec":{"duration":"8h","lifecycle":)"
        R"({"ttlSecondsAfterFinished":30,"cleanupPolicy":"Delete"}}}},)"
        R"("status":{"desired":1,"pending":0,"ready":0,"claimed":0,"expired":0,)"
        R"("lastScheduleTime":"2026-03-01T02:00:00Z","observedGeneration":0}})");
}

// A ticket as the controllers write it, with a claim in flight.
constexpr const char* kClaimedTicket = R"({
  "apiVersion": "core.korder.dev/v1alpha1", "kind": "Ticket",
  "metadata": {"name": "my-order-0123456789ab", "namespace": "default", "uid": "t-uid",
               "resourceVersion": "77", "generation": 1,
               "labels": {"korder.dev/order": "my-order", "korder.dev/slot": "r0",
                          "korder.dev/incarnation": "0", "korder.dev/template-hash": "abc"},
               "finalizers": ["korder.dev/ticket-protection"],
               "ownerReferences": [{"apiVersion": "core.korder.dev/v1alpha1", "kind": "Order",
                                    "name": "my-order", "uid": "o-uid", "controller": true,
                                    "blockOwnerDeletion": true}]},
  "spec": {"duration": "24h", "window": {"startTime": "2026-01-01T00:00:00Z"},
           "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}},
           "nodeSelector": {"node-type": "compute"},
           "lifecycle": {"ttlSecondsAfterFinished": 300, "cleanupPolicy": "Delete"}},
  "status": {"phase": "Ready", "nodeName": "node-1",
             "guardianPod": "my-order-0123456789ab-guardian",
             "activationTime": "2026-01-01T00:00:05Z", "expirationTime": "2026-01-02T00:00:00Z",
             "claim": {"token": "c0ffee", "podNamespace": "default", "podName": "",
                       "podGenerateName": "web-", "podUID": "",
                       "claimedAt": "2026-01-01T01:00:00Z", "deadline": "2026-01-01T01:00:30Z"},
             "conditions": [{"type": "HandOffLost", "status": "False", "reason": "Pending",
                             "message": "", "lastTransitionTime": "2026-01-01T01:00:00Z"}],
             "observedGeneration": 1}})";

TEST_CASE("a claimed ticket round-trips and exposes its claim", "[unit][json]") {
  auto ticket = parse_ticket(kClaimedTicket);
  REQUIRE(ticket.has_value());
  CHECK(ticket->status.phase == TicketPhase::Ready);
  REQUIRE(ticket->status.claim.has_value());
  CHECK(ticket->status.claim->token == "c0ffee");
  CHECK(ticket->status.claim->pod_generate_name == "web-");
  CHECK(ticket->status.claim->deadline == at("2026-01-01T01:00:30Z"));
  CHECK(ticket->metadata.owner_references[0].controller == true);
  CHECK(unknown_field_paths(*ticket).empty());
  // Empty podName/podUID are not written back (same meaning as absent).
  std::string expected = kClaimedTicket;
  for (const char* drop : {R"("podName": "",)", R"("podUID": "",)"}) {
    expected.erase(expected.find(drop), std::string(drop).size());
  }
  CHECK(same_json(to_json(*ticket), expected));
}

TEST_CASE("unknown fields of a ticket are reported by path", "[unit][json]") {
  auto ticket = parse_ticket(
      R"({"metadata":{"name":"t","managedFields":[]},"spec":{"duration":"1h","window":{"startTime":"2026-01-01T00:00:00Z","slack":"1m"},"lifecycle":{"keep":1}},)"
      R"("status":{"phase":"Claimed","claim":{"token":"x","source":"webhook"},"claimedPod":"default/web-1"}})");
  REQUIRE(ticket.has_value());
  CHECK(ticket->status.claimed_pod == "default/web-1");
  CHECK(unknown_field_paths(*ticket) == std::vector<std::string>{"spec.window.slack",
                                                                 "spec.lifecycle.keep",
                                                                 "status.claim.source"});
}

TEST_CASE("a bad ticket field is an error with its path", "[unit][json]") {
  auto ticket = parse_ticket(R"({"status":{"claim":{"deadline":"soon"}}})");
  REQUIRE_FALSE(ticket.has_value());
  CHECK(ticket.error().where == "status.claim.deadline");
  auto phase = parse_ticket(R"({"status":{"phase":["Ready"]}})");
  REQUIRE_FALSE(phase.has_value());
  CHECK(phase.error().to_string() == "status.phase: expected string, got array");
}

}  // namespace
}  // namespace korder::api

namespace korder::api {
namespace {

TEST_CASE("a condition with an empty message still writes the message the CRD requires",
          "[unit][json]") {
  Order order;
  order.metadata.name = "a";
  Condition ready;
  ready.type = "Ready";
  ready.status = "True";
  ready.reason = "AllTicketsReady";
  order.status.conditions.push_back(ready);
  const std::string json = to_json(order);
  INFO(json);
  CHECK(json.find(R"("reason":"AllTicketsReady","message":"")") != std::string::npos);
}

}  // namespace
}  // namespace korder::api
