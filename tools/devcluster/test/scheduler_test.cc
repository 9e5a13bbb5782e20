// The simulated scheduler: one test per predicate (resources with extended resources and the
// pods count, nodeSelector, required node affinity, taints and tolerations, cordon, Ready),
// priority, the Unschedulable condition and its retries, and scheduling gates.
#include "scheduler.h"

#include <catch2/catch.hpp>

#include "korder/api/json.h"
#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

const std::string kPods = "/api/v1/namespaces/default/pods";

std::string str(const JsonValue& v, std::initializer_list<std::string_view> path) {
  return std::string(string_at(v, path));
}

/// A Ready node with `allocatable` (a JSON object), optional labels (JSON object members) and
/// spec members.
std::string node(const std::string& name, const std::string& allocatable,
                 const std::string& labels = "", const std::string& spec = "",
                 const std::string& ready = "True") {
  return R"({"apiVersion":"v1","kind":"Node","metadata":{"name":")" + name +
         R"(","labels":{"kubernetes.io/hostname":")" + name + "\"" +
         (labels.empty() ? "" : "," + labels) + R"(}},"spec":{)" + spec +
         R"(},"status":{"allocatable":)" + allocatable + R"(,"capacity":)" + allocatable +
         R"(,"conditions":[{"type":"Ready","status":")" + ready + R"("}]}})";
}

const std::string kSmall = R"({"cpu":"2","memory":"4Gi","pods":"10"})";

/// A pod with one container requesting `requests` (a JSON object) and extra spec members.
std::string pod(const std::string& name, const std::string& requests = "{}",
                const std::string& spec = "") {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
         R"("},"spec":{"containers":[{"name":"c","image":"busybox:1.36","resources":{"requests":)" +
         requests + "}}]" + (spec.empty() ? "" : "," + spec) + "}}";
}

/// A cluster without the default nodes and with kubelets that never start pods (so the
/// assertions are about the scheduler alone).
DevClusterOptions no_nodes() {
  DevClusterOptions options;
  options.node_count = 0;
  options.kubelet_delay = std::chrono::hours(1);
  return options;
}

void create(HttpClient& c, const std::string& target, const std::string& body) {
  auto r = c.post(target, body);
  INFO(body << " -> " << r.body);
  REQUIRE(r.status == 201);
}

std::string node_name(HttpClient& c, const std::string& pod_name) {
  return str(c.get(kPods + "/" + pod_name).json(), {"spec", "nodeName"});
}

/// Waits until the pod is bound and returns its node ("" on timeout).
std::string bound_node(HttpClient& c, const std::string& pod_name) {
  std::string found;
  eventually([&] {
    found = node_name(c, pod_name);
    return !found.empty();
  });
  return found;
}

/// The PodScheduled condition's `reason: message` once its reason is `reason` ("" on timeout).
std::string condition_once(HttpClient& c, const std::string& pod_name, const std::string& reason) {
  std::string found;
  eventually([&] {
    JsonDocument p = c.get(kPods + "/" + pod_name).json();
    const JsonValue* conditions = find_path(p, {"status", "conditions"});
    if (conditions == nullptr || !conditions->IsArray()) {
      return false;
    }
    for (const auto& cond : conditions->GetArray()) {
      if (str(cond, {"type"}) == "PodScheduled" && str(cond, {"reason"}) == reason) {
        CHECK(str(cond, {"status"}) == "False");
        found = str(cond, {"message"});
        return true;
      }
    }
    return false;
  });
  return found;
}

std::string unschedulable(HttpClient& c, const std::string& pod_name) {
  return condition_once(c, pod_name, "Unschedulable");
}

}  // namespace

TEST_CASE("choose_node explains a misfit as kube-scheduler does and picks the least allocated",
          "[unit]") {
  auto make = [](const std::string& name, const std::string& json) {
    SchedulerNode n;
    JsonDocument doc;
    REQUIRE(api::parse_json(json, doc));
    REQUIRE(api::from_json_value(doc, n.node));
    n.node.metadata.name = name;
    n.node = with_lifecycle_taints(n.node);
    return n;
  };
  SchedulerNode a = make("a", node("a", kSmall));
  SchedulerNode b = make("b", node("b", kSmall));
  SchedulerNode tainted = make(
      "t",
      node("t", kSmall, "", R"("taints":[{"key":"gpu","value":"yes","effect":"NoSchedule"}])"));
  SchedulerNode not_ready = make("u", node("u", kSmall, "", "", "False"));
  api::ResourceList one_cpu;
  one_cpu["cpu"] = *api::Quantity::parse("1");
  a.usage.add_pod(one_cpu);  // a is busier than b

  api::PodSpec spec;
  auto chosen = choose_node(spec, one_cpu, {&a, &b, &tainted, &not_ready});
  REQUIRE(chosen);
  CHECK(*chosen == "b");

  api::ResourceList three_cpu;
  three_cpu["cpu"] = *api::Quantity::parse("3");
  auto none = choose_node(spec, three_cpu, {&a, &b, &tainted, &not_ready});
  REQUIRE(!none);
  CHECK(none.error() ==
        "0/4 nodes are available: 1 node(s) had untolerated taint {gpu: yes}, 1 node(s) had "
        "untolerated taint {node.kubernetes.io/not-ready: }, 2 Insufficient cpu.");
  CHECK(choose_node(spec, one_cpu, {}).error() == "no nodes available to schedule pods");
}

TEST_CASE("the scheduler fits cpu and memory against the requests of bound pods", "[integration]") {
  TestCluster tc(no_nodes());
  auto& c = tc.client();
  create(c, "/api/v1/nodes", node("n1", kSmall));
  create(c, kPods, pod("a", R"({"cpu":"1500m","memory":"1Gi"})"));
  CHECK(bound_node(c, "a") == "n1");
  create(c, kPods, pod("b", R"({"cpu":"1","memory":"1Gi"})"));
  CHECK(unschedulable(c, "b") == "0/1 nodes are available: 1 Insufficient cpu.");
  create(c, kPods, pod("m", R"({"cpu":"100m","memory":"8Gi"})"));
  CHECK(unschedulable(c, "m") == "0/1 nodes are available: 1 Insufficient memory.");
  create(c, kPods, pod("small", R"({"cpu":"500m","memory":"1Gi"})"));
  CHECK(bound_node(c, "small") == "n1");
  CHECK(node_name(c, "b").empty());
  CHECK(node_name(c, "m").empty());
}

TEST_CASE("the scheduler counts extended resources and the pods allocatable", "[integration]") {
  TestCluster tc(no_nodes());
  auto& c = tc.client();
  create(c, "/api/v1/nodes",
         node("gpu", R"({"cpu":"8","memory":"8Gi","pods":"2","example.com/gpu":"1"})"));
  create(c, kPods, pod("g1", R"({"example.com/gpu":"1"})"));
  CHECK(bound_node(c, "g1") == "gpu");
  create(c, kPods, pod("g2", R"({"example.com/gpu":"1"})"));
  CHECK(unschedulable(c, "g2") == "0/1 nodes are available: 1 Insufficient example.com/gpu.");
  create(c, kPods, pod("other", R"({"example.org/fpga":"1"})"));
  CHECK(unschedulable(c, "other") == "0/1 nodes are available: 1 Insufficient example.org/fpga.");
  create(c, kPods, pod("plain"));
  CHECK(bound_node(c, "plain") == "gpu");
  create(c, kPods, pod("third"));  // pods: 2 are bound already
  CHECK(unschedulable(c, "third") == "0/1 nodes are available: 1 Too many pods.");
}

TEST_CASE("the scheduler honours nodeSelector", "[integration]") {
  TestCluster tc(no_nodes());
  auto& c = tc.client();
  create(c, "/api/v1/nodes", node("compute", kSmall, R"("node-type":"compute")"));
  create(c, "/api/v1/nodes", node("general", kSmall, R"("node-type":"general")"));
  create(c, kPods, pod("p", "{}", R"("nodeSelector":{"node-type":"general"})"));
  CHECK(bound_node(c, "p") == "general");
  create(c, kPods, pod("q", "{}", R"("nodeSelector":{"node-type":"gpu"})"));
  CHECK(unschedulable(c, "q") ==
        "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.");
}

TEST_CASE("the scheduler honours required node affinity: matchExpressions and matchFields",
          "[integration]") {
  TestCluster tc(no_nodes());
  auto& c = tc.client();
  create(c, "/api/v1/nodes", node("n1", kSmall, R"("zone":"a","rank":"3")"));
  create(c, "/api/v1/nodes", node("n2", kSmall, R"("zone":"b","rank":"7")"));
  create(c, "/api/v1/nodes", node("n3", kSmall, R"("zone":"b")"));
  auto affinity = [](const std::string& term) {
    return R"("affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[)" +
           term + "]}}}";
  };
  create(
      c, kPods,
      pod("expr", "{}",
          affinity(
              R"({"matchExpressions":[{"key":"zone","operator":"In","values":["b"]},{"key":"rank","operator":"Gt","values":["5"]}]})")));
  CHECK(bound_node(c, "expr") == "n2");
  create(c, kPods,
         pod("fields", "{}",
             affinity(
                 R"({"matchFields":[{"key":"metadata.name","operator":"In","values":["n3"]}]})")));
  CHECK(bound_node(c, "fields") == "n3");
  create(
      c, kPods,
      pod("either", "{}",
          affinity(
              R"({"matchExpressions":[{"key":"zone","operator":"In","values":["x"]}]},{"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]})")));
  CHECK(bound_node(c, "either") == "n1");
  create(
      c, kPods,
      pod("none", "{}",
          affinity(
              R"({"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}],"matchFields":[{"key":"metadata.name","operator":"NotIn","values":["n1"]}]})")));
  CHECK(unschedulable(c, "none") ==
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
}

TEST_CASE("the scheduler honours taints and tolerations", "[integration]") {
  TestCluster tc(no_nodes());
  auto& c = tc.client();
  create(
      c, "/api/v1/nodes",
      node("gpu", kSmall, "", R"("taints":[{"key":"gpu","value":"true","effect":"NoSchedule"}])"));
  create(c, "/api/v1/nodes",
         node("drain", kSmall, "", R"("taints":[{"key":"drain","effect":"NoExecute"}])"));
  create(c, "/api/v1/nodes",
         node("soft", kSmall, "", R"("taints":[{"key":"soft","effect":"PreferNoSchedule"}])"));
  // Only the PreferNoSchedule node is open to a pod without tolerations.
  create(c, kPods, pod("plain"));
  CHECK(bound_node(c, "plain") == "soft");
  create(
      c, kPods,
      pod("tolerant", "{}",
          R"("nodeSelector":{"kubernetes.io/hostname":"gpu"},"tolerations":[{"key":"gpu","operator":"Equal","value":"true","effect":"NoSchedule"}])"));
  CHECK(bound_node(c, "tolerant") == "gpu");
  create(
      c, kPods,
      pod("exists", "{}",
          R"("nodeSelector":{"kubernetes.io/hostname":"drain"},"tolerations":[{"key":"drain","operator":"Exists"}])"));
  CHECK(bound_node(c, "exists") == "drain");
  create(
      c, kPods,
      pod("wrong-value", "{}",
          R"("nodeSelector":{"kubernetes.io/hostname":"gpu"},"tolerations":[{"key":"gpu","value":"false"}])"));
  CHECK(unschedulable(c, "wrong-value") ==
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 "
        "node(s) had untolerated taint {drain: }, 1 node(s) had untolerated taint {gpu: true}.");
}

TEST_CASE("the scheduler skips cordoned nodes and retries when a node is uncordoned",
          "[integration]") {
  TestCluster tc(no_nodes());
  auto& c = tc.client();
  create(c, "/api/v1/nodes", node("n1", kSmall, "", R"("unschedulable":true)"));
  create(c, kPods, pod("p"));
  CHECK(unschedulable(c, "p") == "0/1 nodes are available: 1 node(s) were unschedulable.");
  create(
      c, kPods,
      pod("tolerates-cordon", "{}",
          R"("tolerations":[{"key":"node.kubernetes.io/unschedulable","operator":"Exists","effect":"NoSchedule"}])"));
  CHECK(bound_node(c, "tolerates-cordon") == "n1");
  REQUIRE(c.patch("/api/v1/nodes/n1", R"({"spec":{"unschedulable":null}})").status == 200);
  CHECK(bound_node(c, "p") == "n1");
}

TEST_CASE("the scheduler skips nodes that are not Ready, as their lifecycle taint does",
          "[integration]") {
  TestCluster tc(no_nodes());
  auto& c = tc.client();
  create(c, "/api/v1/nodes", node("n1", kSmall, "", "", "False"));
  create(c, "/api/v1/nodes", node("n2", kSmall, "", "", "Unknown"));
  create(c, kPods, pod("p"));
  CHECK(unschedulable(c, "p") ==
        "0/2 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: "
        "}, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.");
  create(c, kPods,
         pod("daemon", "{}",
             R"("tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists"}])"));
  CHECK(bound_node(c, "daemon") == "n1");
  REQUIRE(c.patch("/api/v1/nodes/n2/status",
                  R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})")
              .status == 200);
  CHECK(bound_node(c, "p") == "n2");
}

TEST_CASE("pending pods are scheduled by priority when capacity is short", "[integration]") {
  TestCluster tc(no_nodes());
  auto& c = tc.client();
  create(c, "/api/v1/nodes", node("n1", R"({"cpu":"1","memory":"4Gi","pods":"10"})"));
  create(c, kPods, pod("filler", R"({"cpu":"1"})"));
  REQUIRE(bound_node(c, "filler") == "n1");
  create(c, kPods, pod("low", R"({"cpu":"1"})", R"("priority":10)"));
  create(c, kPods, pod("none", R"({"cpu":"1"})"));
  create(c, kPods, pod("high", R"({"cpu":"1"})", R"("priority":1000)"));
  for (const char* name : {"low", "none", "high"}) {
    REQUIRE(unschedulable(c, name) == "0/1 nodes are available: 1 Insufficient cpu.");
  }
  // One slot frees: the highest priority pending pod takes it, whatever the creation order.
  REQUIRE(c.del(kPods + "/filler", R"({"gracePeriodSeconds":0})").status == 200);
  CHECK(bound_node(c, "high") == "n1");
  CHECK(node_name(c, "low").empty());
  CHECK(node_name(c, "none").empty());
  REQUIRE(c.del(kPods + "/high", R"({"gracePeriodSeconds":0})").status == 200);
  CHECK(bound_node(c, "low") == "n1");
  CHECK(node_name(c, "none").empty());
}

TEST_CASE("an unschedulable pod is retried when a pod goes away and when a node is added",
          "[integration]") {
  TestCluster tc(no_nodes());
  auto& c = tc.client();
  SECTION("no node at all, then one is added") {
    create(c, kPods, pod("p", R"({"cpu":"1"})"));
    CHECK(unschedulable(c, "p") == "no nodes available to schedule pods");
    create(c, "/api/v1/nodes", node("late", kSmall));
    CHECK(bound_node(c, "p") == "late");
  }
  SECTION("a bound pod is deleted") {
    create(c, "/api/v1/nodes", node("n1", R"({"cpu":"1","memory":"4Gi","pods":"10"})"));
    create(c, kPods, pod("first", R"({"cpu":"1"})"));
    REQUIRE(bound_node(c, "first") == "n1");
    create(c, kPods, pod("second", R"({"cpu":"1"})"));
    REQUIRE(unschedulable(c, "second") == "0/1 nodes are available: 1 Insufficient cpu.");
    // A FailedScheduling event explains it (recorded just after the condition).
    std::string reason;
    CHECK(eventually([&] {
      JsonDocument events =
          c.get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dsecond")
              .json();
      const JsonValue* items = find_member(events, "items");
      if (items == nullptr || !items->IsArray() || items->Empty()) {
        return false;
      }
      reason = str((*items)[0], {"reason"});
      return true;
    }));
    CHECK(reason == "FailedScheduling");
    REQUIRE(c.del(kPods + "/first", R"({"gracePeriodSeconds":0})").status == 200);
    CHECK(bound_node(c, "second") == "n1");
  }
  SECTION("a bound pod terminates (Failed frees its requests)") {
    create(c, "/api/v1/nodes", node("n1", R"({"cpu":"1","memory":"4Gi","pods":"10"})"));
    create(c, kPods, pod("first", R"({"cpu":"1"})"));
    REQUIRE(bound_node(c, "first") == "n1");
    create(c, kPods, pod("second", R"({"cpu":"1"})"));
    REQUIRE(!unschedulable(c, "second").empty());
    REQUIRE(c.patch(kPods + "/first/status", R"({"status":{"phase":"Failed"}})").status == 200);
    CHECK(bound_node(c, "second") == "n1");
  }
}

TEST_CASE("a gated pod stays pending until its last gate is removed", "[integration]") {
  TestCluster tc(no_nodes());
  auto& c = tc.client();
  create(c, "/api/v1/nodes", node("n1", kSmall));
  create(c, kPods,
         pod("gated", "{}",
             R"("schedulingGates":[{"name":"example.com/one"},{"name":"example.com/two"}])"));
  CHECK(condition_once(c, "gated", "SchedulingGated") ==
        "Scheduling is blocked due to non-empty scheduling gates");
  REQUIRE(c.patch(kPods + "/gated", R"({"spec":{"schedulingGates":[{"name":"example.com/two"}]}})")
              .status == 200);
  // Still gated: a pod created after it (ungated) is scheduled, it is not.
  create(c, kPods, pod("marker"));
  REQUIRE(bound_node(c, "marker") == "n1");
  CHECK(node_name(c, "gated").empty());
  REQUIRE(c.patch(kPods + "/gated", R"({"spec":{"schedulingGates":null}})").status == 200);
  CHECK(bound_node(c, "gated") == "n1");
  JsonDocument bound = c.get(kPods + "/gated").json();
  const JsonValue* conditions = find_path(bound, {"status", "conditions"});
  REQUIRE(conditions != nullptr);
  bool scheduled = false;
  for (const auto& cond : conditions->GetArray()) {
    scheduled =
        scheduled || (str(cond, {"type"}) == "PodScheduled" && str(cond, {"status"}) == "True");
  }
  CHECK(scheduled);
}

TEST_CASE("the default nodes schedule the README's compute pods", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  create(
      c, kPods,
      pod("compute", R"({"cpu":"2","memory":"4Gi"})", R"("nodeSelector":{"node-type":"compute"})"));
  const std::string where = bound_node(c, "compute");
  CHECK((where == "dev-node-1" || where == "dev-node-2" || where == "dev-node-4"));
  create(c, kPods, pod("other-scheduler", "{}", R"("schedulerName":"my-scheduler")"));
  create(c, kPods, pod("after"));
  REQUIRE(!bound_node(c, "after").empty());
  CHECK(node_name(c, "other-scheduler").empty());
}

}  // namespace korder::devcluster::testing
