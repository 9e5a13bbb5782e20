// Codecs of the core/v1 kinds korder uses: Pod, Node, Namespace, Event, Lease, Status, lists.

#include <catch2/catch.hpp>
#include <string>

#include "json_test_support.h"
#include "korder/api/event.h"
#include "korder/api/lease.h"
#include "korder/api/list.h"
#include "korder/api/namespace.h"
#include "korder/api/node.h"
#include "korder/api/pod.h"
#include "korder/api/status.h"
#include "korder/api/ticket.h"
#include "korder/api/time.h"

namespace korder::api {
namespace {

using testing::round_trip;
using testing::same_json;

// The README's business pod, as JSON.
constexpr const char* kBusinessPod = R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "my-business-pod",
               "annotations": {"korder.dev/required": "true", "korder.dev/order": "my-order"}},
  "spec": {"containers": [{"name": "app", "image": "nginx:latest",
                           "resources": {"requests": {"cpu": "500m", "memory": "1Gi"},
                                         "limits": {"cpu": "1", "memory": "2Gi"}}}]}})";

// A pod as the API server returns it, with many fields korder does not model.
constexpr const char* kServerPod = R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "web-7d9f", "generateName": "web-", "namespace": "shop",
    "uid": "0b6f4e2c-8d1a-4c52-9f3e-2a1b3c4d5e6f", "resourceVersion": "123456",
    "creationTimestamp": "2026-01-01T00:00:00Z",
    "labels": {"app": "web", "korder.dev/ticket": "my-order-0123456789ab"},
    "annotations": {"korder.dev/claim-token": "c0ffee"},
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5f",
                         "uid": "rs-uid", "controller": true, "blockOwnerDeletion": true}],
    "managedFields": [{"manager": "kube-controller-manager", "operation": "Update",
                       "apiVersion": "v1", "time": "2026-01-01T00:00:00Z",
                       "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {}}}]},
  "spec": {
    "volumes": [{"name": "kube-api-access", "projected": {"sources": [
      {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}],
    "initContainers": [{"name": "log-shipper", "image": "fluent-bit:3", "restartPolicy": "Always",
                        "resources": {"requests": {"cpu": "50m"}}}],
    "containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
                    "env": [{"name": "MODE", "value": "prod"}],
                    "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}},
                    "volumeMounts": [{"name": "kube-api-access", "readOnly": true,
                                      "mountPath": "/var/run/secrets"}],
                    "terminationMessagePath": "/dev/termination-log",
                    "imagePullPolicy": "IfNotPresent"}],
    "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
    "nodeSelector": {"node-type": "compute"}, "serviceAccountName": "default",
    "automountServiceAccountToken": false, "securityContext": {"runAsNonRoot": true},
    "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
      "nodeSelectorTerms": [{"matchFields": [
        {"key": "metadata.name", "operator": "In", "values": ["node-1"]}]}]}}},
    "schedulerName": "default-scheduler",
    "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                     "effect": "NoExecute", "tolerationSeconds": 300}],
    "priorityClassName": "business", "priority": 1000, "preemptionPolicy": "PreemptLowerPriority",
    "enableServiceLinks": true, "overhead": {"cpu": "10m"},
    "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                   "whenUnsatisfiable": "ScheduleAnyway"}],
    "schedulingGates": [{"name": "korder.dev/ticket"}]},
  "status": {"phase": "Pending",
    "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated",
                    "message": "Scheduling is blocked due to non-empty scheduling gates",
                    "lastTransitionTime": "2026-01-01T00:00:00Z"}],
    "nominatedNodeName": "node-1", "qosClass": "Burstable"}})";

TimePoint at(const char* rfc3339) { return parse_rfc3339(rfc3339).value(); }

TEST_CASE("the README's business pod decodes and round-trips", "[unit][json]") {
  auto pod = parse_pod(kBusinessPod);
  REQUIRE(pod.has_value());
  CHECK(pod->metadata.annotations.at("korder.dev/required") == "true");
  REQUIRE(pod->spec.containers.size() == 1);
  CHECK(pod->spec.containers[0].resources.requests.at("memory") == Quantity::from_int(1LL << 30));
  CHECK(same_json(to_json(*pod), kBusinessPod));
}

TEST_CASE("a server pod keeps every field korder does not model", "[unit][json]") {
  auto pod = parse_pod(kServerPod);
  REQUIRE(pod.has_value());
  CHECK(same_json(to_json(*pod), kServerPod));
  const PodSpec& spec = pod->spec;
  CHECK(spec.init_containers[0].restart_policy == "Always");  // a sidecar
  CHECK(spec.scheduling_gates[0].name == "korder.dev/ticket");
  CHECK(spec.priority == 1000);
  CHECK(spec.automount_service_account_token == false);
  CHECK(spec.overhead.at("cpu") == Quantity::from_milli(10));
  CHECK(spec.extras.keys() ==
        std::vector<std::string>{"volumes", "dnsPolicy", "securityContext", "enableServiceLinks"});
  CHECK(pod->status.phase == PodPhase::Pending);
  CHECK(pod->status.conditions[0].reason == "SchedulingGated");
  CHECK(pod->status.extras.keys() == std::vector<std::string>{"qosClass"});
  CHECK(pod->metadata.extras.keys() == std::vector<std::string>{"managedFields"});
}

TEST_CASE("a read-modify-write of a pod changes only what was modified", "[unit][json]") {
  Pod pod = parse_pod(kServerPod).value();
  pod.spec.scheduling_gates.clear();
  pod.metadata.labels["extra"] = "1";
  Pod again = parse_pod(to_json(pod)).value();
  CHECK(again.spec.scheduling_gates.empty());
  CHECK(again.metadata.labels.at("extra") == "1");
  CHECK(again.spec.extras == pod.spec.extras);
  CHECK(again.spec.containers == pod.spec.containers);
  CHECK(again.metadata.extras == pod.metadata.extras);
}

TEST_CASE("a node decodes its taints, resources and conditions", "[unit][json]") {
  const char* json = R"({"apiVersion":"v1","kind":"Node",
    "metadata":{"name":"node-1","labels":{"kubernetes.io/hostname":"node-1","node-type":"compute"}},
    "spec":{"podCIDR":"10.0.1.0/24","unschedulable":true,
            "taints":[{"key":"gpu","value":"true","effect":"NoSchedule"},
                      {"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule",
                       "timeAdded":"2026-01-01T00:00:00Z"}]},
    "status":{"capacity":{"cpu":"8","memory":"32Gi","pods":"110"},
              "allocatable":{"cpu":"7800m","memory":"31Gi","pods":"110"},
              "conditions":[{"type":"Ready","status":"True","reason":"KubeletReady",
                             "message":"kubelet is posting ready status",
                             "lastHeartbeatTime":"2026-01-01T00:00:10Z",
                             "lastTransitionTime":"2026-01-01T00:00:00Z"}],
              "nodeInfo":{"kubeletVersion":"v1.32.0"}}})";
  auto node = parse_node(json);
  REQUIRE(node.has_value());
  CHECK(same_json(to_json(*node), json));
  CHECK(node->spec.unschedulable == true);
  CHECK(node->spec.taints[1].time_added == at("2026-01-01T00:00:00Z"));
  CHECK(node->status.allocatable.at("cpu") == Quantity::from_milli(7800));
  CHECK(node->status.conditions[0].last_heartbeat_time == at("2026-01-01T00:00:10Z"));
  CHECK(node->spec.extras.keys() == std::vector<std::string>{"podCIDR"});
}

TEST_CASE("a namespace round-trips", "[unit][json]") {
  const char* json = R"({"apiVersion":"v1","kind":"Namespace",
    "metadata":{"name":"team-a","labels":{"team":"backend"}},
    "spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})";
  auto ns = parse_namespace(json);
  REQUIRE(ns.has_value());
  CHECK(ns->status.phase == "Active");
  CHECK(same_json(to_json(*ns), json));
}

TEST_CASE("an event writes eventTime as MicroTime and the other times to the second",
          "[unit][json]") {
  const char* json = R"({"apiVersion":"v1","kind":"Event",
    "metadata":{"name":"my-order.17a","namespace":"default"},
    "involvedObject":{"kind":"Order","namespace":"default","name":"my-order","uid":"o-uid",
                      "apiVersion":"core.korder.dev/v1alpha1","resourceVersion":"5"},
    "reason":"QuotaExceeded","message":"korder quota exceeded: quota \"team-quota\"",
    "source":{"component":"korder-order-controller"},
    "firstTimestamp":"2026-01-01T00:00:00Z","lastTimestamp":"2026-01-01T00:05:00Z","count":3,
    "type":"Warning","eventTime":"2026-01-01T00:00:00.123456Z","action":"CreateTicket",
    "reportingComponent":"korder-order-controller","reportingInstance":"pod-a",
    "series":{"count":2,"lastObservedTime":"2026-01-01T00:05:00.000000Z"}})";
  auto event = parse_event(json);
  REQUIRE(event.has_value());
  CHECK(same_json(to_json(*event), json));
  CHECK(event->type == EventType::Warning);
  CHECK(event->count == 3);
  CHECK(event->involved_object.kind == "Order");
  CHECK(event->event_time == at("2026-01-01T00:00:00.123456Z"));
  CHECK(event->extras.keys() == std::vector<std::string>{"series"});
}

TEST_CASE("a lease writes its times as MicroTime", "[unit][json]") {
  const char* json = R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
    "metadata":{"name":"korder-order-controller","namespace":"korder-system",
                "resourceVersion":"8"},
    "spec":{"holderIdentity":"pod-a_7c0e","leaseDurationSeconds":15,
            "acquireTime":"2026-01-01T00:00:00.000000Z","renewTime":"2026-01-01T00:00:12.345678Z",
            "leaseTransitions":3}})";
  auto lease = parse_lease(json);
  REQUIRE(lease.has_value());
  CHECK(to_json(*lease).find(R"("renewTime":"2026-01-01T00:00:12.345678Z")") != std::string::npos);
  CHECK(same_json(to_json(*lease), json));
  CHECK(lease->spec.lease_duration_seconds == 15);

  // A released lease keeps its empty holder (present, unlike an absent one).
  const char* released =
      R"({"metadata":{"name":"l"},"spec":{"holderIdentity":"","leaseDurationSeconds":1}})";
  auto r = parse_lease(released).value();
  CHECK(r.spec.holder_identity == std::string());
  CHECK(same_json(to_json(r), released));
}

TEST_CASE("an API error status decodes with its details", "[unit][json]") {
  const char* json = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
    "message":"Order.core.korder.dev \"o\" is invalid: spec.replicas: Invalid value: -1",
    "reason":"Invalid","details":{"name":"o","group":"core.korder.dev","kind":"orders",
    "causes":[{"reason":"FieldValueInvalid","message":"Invalid value: -1","field":"spec.replicas"}]},
    "code":422})";
  auto status = parse_status(json);
  REQUIRE(status.has_value());
  CHECK(status->code == 422);
  CHECK(status->details->causes[0].field == "spec.replicas");
  // An empty `metadata: {}` is not written back (same meaning).
  std::string expected = json;
  expected.erase(expected.find(R"("metadata":{},)"), 14);
  CHECK(same_json(to_json(*status), expected));
}

TEST_CASE("lists decode their items and metadata and always write items", "[unit][json]") {
  const char* json = R"({"apiVersion":"v1","kind":"PodList",
    "metadata":{"resourceVersion":"99","continue":"abc","remainingItemCount":5},
    "items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"},"spec":{"nodeName":"n"}}]})";
  auto list = parse_list<Pod>(json);
  REQUIRE(list.has_value());
  CHECK(list->metadata.continue_ == "abc");
  CHECK(list->metadata.remaining_item_count == 5);
  REQUIRE(list->items.size() == 2);
  CHECK(list->items[1].spec.node_name == "n");
  CHECK(same_json(to_json(*list), json));

  TicketList empty;
  empty.api_version = kKorderApiVersion;
  empty.kind = kTicketListKind;
  CHECK(
      to_json(empty) ==
      R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"TicketList","metadata":{},"items":[]})");
}

TEST_CASE("a bad list item is an error naming the item", "[unit][json]") {
  auto list = parse_list<Ticket>(
      R"({"items":[{"metadata":{"name":"a"}},{"spec":{"lifecycle":{"ttlSecondsAfterFinished":"1h"}}}]})");
  REQUIRE_FALSE(list.has_value());
  CHECK(list.error().to_string() ==
        "items[1].spec.lifecycle.ttlSecondsAfterFinished: expected integer, got string");
}

TEST_CASE("a 1,000,000-element array decodes or errors without crashing", "[unit][json]") {
  std::string items = R"({"items":[)";
  for (int i = 0; i < 1000000; ++i) {
    items += i == 0 ? "{}" : ",{}";
  }
  items += "]}";
  auto pods = parse_list<Pod>(items);
  REQUIRE(pods.has_value());
  CHECK(pods->items.size() == 1000000);

  std::string numbers = R"({"spec":{"containers":[)";
  for (int i = 0; i < 1000000; ++i) {
    numbers += i == 0 ? "1" : ",1";
  }
  numbers += "]}}";
  auto pod = parse_pod(numbers);
  REQUIRE_FALSE(pod.has_value());
  CHECK(pod.error().to_string() == "spec.containers[0]: expected object, got number");
}

}  // namespace
}  // namespace korder::api
