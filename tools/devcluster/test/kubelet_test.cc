// The simulated kubelets: Running/Ready after the delay, graceful deletion, pods of a deleted
// node, eviction (POST /admin/evict).
#include "kubelet.h"

#include <catch2/catch.hpp>

#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

const std::string kPods = "/api/v1/namespaces/default/pods";

std::string str(const JsonValue& v, std::initializer_list<std::string_view> path) {
  return std::string(string_at(v, path));
}

std::string pod(const std::string& name, const std::string& extra_metadata = "",
                const std::string& spec = "") {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + "\"" + extra_metadata +
         R"(},"spec":{"containers":[{"name":"app","image":"busybox:1.36"},{"name":"side","image":"nginx:1.25"}])" +
         (spec.empty() ? "" : "," + spec) + "}}";
}

DevClusterOptions with_delay(milliseconds delay) {
  DevClusterOptions options;
  options.kubelet_delay = delay;
  return options;
}

void create(HttpClient& c, const std::string& body) {
  auto r = c.post(kPods, body);
  INFO(r.body);
  REQUIRE(r.status == 201);
}

std::string phase(HttpClient& c, const std::string& name) {
  return str(c.get(kPods + "/" + name).json(), {"status", "phase"});
}

bool reaches_phase(HttpClient& c, const std::string& name, const std::string& want) {
  return eventually([&] { return phase(c, name) == want; });
}

std::string condition(const JsonValue& pod, const std::string& type) {
  const JsonValue* conditions = find_path(pod, {"status", "conditions"});
  if (conditions == nullptr || !conditions->IsArray()) {
    return "";
  }
  for (const auto& cond : conditions->GetArray()) {
    if (str(cond, {"type"}) == type) {
      return str(cond, {"status"});
    }
  }
  return "";
}

}  // namespace

TEST_CASE("a bound pod runs and is Ready after the kubelet delay", "[integration]") {
  const milliseconds delay(300);
  TestCluster tc(with_delay(delay));
  auto& c = tc.client();
  const auto created_at = SteadyClock::now();
  create(c, pod("web", "", R"("initContainers":[{"name":"init","image":"busybox:1.36"}])"));
  REQUIRE(reaches_phase(c, "web", "Running"));
  CHECK(SteadyClock::now() - created_at >= delay);
  JsonDocument p = c.get(kPods + "/web").json();
  for (const char* type :
       {"PodScheduled", "Initialized", "ContainersReady", "Ready", "PodReadyToStartContainers"}) {
    INFO(type);
    CHECK(condition(p, type) == "True");
  }
  CHECK(!str(p, {"spec", "nodeName"}).empty());
  CHECK(str(p, {"status", "podIP"}).rfind("10.244.", 0) == 0);
  CHECK(str(p, {"status", "hostIP"}).rfind("10.0.", 0) == 0);
  CHECK(!str(p, {"status", "startTime"}).empty());
  const JsonValue* statuses = find_path(p, {"status", "containerStatuses"});
  REQUIRE(statuses != nullptr);
  REQUIRE(statuses->Size() == 2);
  CHECK(str((*statuses)[0], {"name"}) == "app");
  CHECK((*statuses)[0]["ready"].GetBool());
  CHECK(find_path((*statuses)[1], {"state", "running", "startedAt"}) != nullptr);
  const JsonValue* init = find_path(p, {"status", "initContainerStatuses"});
  REQUIRE(init != nullptr);
  CHECK(str((*init)[0], {"state", "terminated", "reason"}) == "Completed");
  // The table kubectl prints: 2/2 Running.
  JsonDocument table =
      c.get(kPods + "/web", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json").json();
  const JsonValue& cells = *find_member((*find_member(table, "rows"))[0], "cells");
  CHECK(str(cells[1], {}) == "2/2");
  CHECK(str(cells[2], {}) == "Running");
}

TEST_CASE("with a zero kubelet delay a pod runs at once", "[integration]") {
  TestCluster tc(with_delay(milliseconds(0)));
  auto& c = tc.client();
  create(c, pod("now"));
  CHECK(reaches_phase(c, "now", "Running"));
}

TEST_CASE("deleted pods terminate gracefully and disappear", "[integration]") {
  TestCluster tc(with_delay(milliseconds(0)));
  auto& c = tc.client();
  SECTION("a container ignoring SIGTERM keeps the pod for its whole grace period") {
    create(c, pod("slow", R"(,"annotations":{"devcluster.korder.dev/ignore-sigterm":"true"})"));
    REQUIRE(reaches_phase(c, "slow", "Running"));
    const auto deleted_at = SteadyClock::now();
    auto r = c.del(kPods + "/slow", R"({"gracePeriodSeconds":1})");
    REQUIRE(r.status == 200);
    JsonDocument terminating = c.get(kPods + "/slow").json();
    CHECK(!str(terminating, {"metadata", "deletionTimestamp"}).empty());
    CHECK(int_at(terminating, {"metadata", "deletionGracePeriodSeconds"}) == 1);
    REQUIRE(
        eventually([&] { return c.get(kPods + "/slow").status == 404; }, std::chrono::seconds(5)));
    CHECK(SteadyClock::now() - deleted_at >= milliseconds(1000));
  }
  SECTION("a grace period of 0 removes the pod at once") {
    create(c, pod("fast"));
    REQUIRE(reaches_phase(c, "fast", "Running"));
    REQUIRE(c.del(kPods + "/fast", R"({"gracePeriodSeconds":0})").status == 200);
    CHECK(c.get(kPods + "/fast").status == 404);
  }
  SECTION("a second delete shortens the grace period") {
    create(c, pod("shorter", R"(,"annotations":{"devcluster.korder.dev/ignore-sigterm":"true"})"));
    REQUIRE(reaches_phase(c, "shorter", "Running"));
    REQUIRE(c.del(kPods + "/shorter", R"({"gracePeriodSeconds":30})").status == 200);
    REQUIRE(c.get(kPods + "/shorter").status == 200);
    // Status writes to a terminating pod do not finish its deletion.
    REQUIRE(c.patch(kPods + "/shorter/status", R"({"status":{"message":"stopping"}})").status ==
            200);
    REQUIRE(c.get(kPods + "/shorter").status == 200);
    REQUIRE(c.del(kPods + "/shorter", R"({"gracePeriodSeconds":0})").status == 200);
    CHECK(eventually([&] { return c.get(kPods + "/shorter").status == 404; }));
  }
  SECTION("containers that stop on SIGTERM end the pod within the kubelet delay") {
    create(c, pod("default-grace"));
    REQUIRE(reaches_phase(c, "default-grace", "Running"));
    REQUIRE(c.del(kPods + "/default-grace").status == 200);
    CHECK(eventually([&] { return c.get(kPods + "/default-grace").status == 404; }));
  }
  SECTION("a finalizer keeps a terminated pod until it is removed") {
    create(c, pod("held", R"(,"finalizers":["example.com/hold"])"));
    REQUIRE(reaches_phase(c, "held", "Running"));
    REQUIRE(c.del(kPods + "/held", R"({"gracePeriodSeconds":0})").status == 200);
    REQUIRE(c.get(kPods + "/held").status == 200);
    REQUIRE(c.patch(kPods + "/held", R"({"metadata":{"finalizers":null}})").status == 200);
    CHECK(c.get(kPods + "/held").status == 404);
  }
}

TEST_CASE("pods of a deleted node fail with NodeLost", "[integration]") {
  TestCluster tc(with_delay(milliseconds(0)));
  auto& c = tc.client();
  create(c, pod("p", "", R"("nodeSelector":{"kubernetes.io/hostname":"dev-node-3"})"));
  REQUIRE(reaches_phase(c, "p", "Running"));
  REQUIRE(c.del("/api/v1/nodes/dev-node-3").status == 200);
  REQUIRE(reaches_phase(c, "p", "Failed"));
  JsonDocument failed = c.get(kPods + "/p").json();
  CHECK(str(failed, {"status", "reason"}) == "NodeLost");
  CHECK(str(failed, {"status", "message"}) ==
        "Node dev-node-3 which was running pod p is unresponsive");
  CHECK(condition(failed, "Ready") == "False");
  // A Failed pod is deleted at once.
  REQUIRE(c.del(kPods + "/p").status == 200);
  CHECK(c.get(kPods + "/p").status == 404);
}

TEST_CASE("a pod bound to a node that does not exist yet starts when the node registers",
          "[integration]") {
  TestCluster tc(with_delay(milliseconds(0)));
  auto& c = tc.client();
  create(c, pod("early", "", R"("nodeName":"dev-node-9")"));
  auto node = c.get("/api/v1/nodes/dev-node-1").json();
  set_string(*find_member(node, "metadata"), "name", "dev-node-9", node.GetAllocator());
  remove_member(*find_member(node, "metadata"), "resourceVersion");
  remove_member(*find_member(node, "metadata"), "uid");
  CHECK(phase(c, "early") == "Pending");
  REQUIRE(c.post("/api/v1/nodes", api::write_json(node)).status == 201);
  CHECK(reaches_phase(c, "early", "Running"));
}

TEST_CASE("admin evict fails a pod as the kubelet's eviction does", "[integration]") {
  DevClusterOptions options = with_delay(milliseconds(0));
  options.node_count = 1;
  TestCluster tc(options);
  auto& c = tc.client();
  create(c, pod("victim"));
  REQUIRE(reaches_phase(c, "victim", "Running"));
  auto evicted = tc.admin("/admin/evict", R"({"namespace":"default","name":"victim"})");
  INFO(evicted.body);
  REQUIRE(evicted.status == 200);
  CHECK(str(evicted.json(), {"status", "phase"}) == "Failed");
  JsonDocument p = c.get(kPods + "/victim").json();
  CHECK(str(p, {"status", "phase"}) == "Failed");
  CHECK(str(p, {"status", "reason"}) == "Evicted");
  CHECK(str(p, {"status", "message"}).rfind("The node was low on resource: memory.", 0) == 0);
  CHECK(condition(p, "DisruptionTarget") == "True");
  CHECK(condition(p, "Ready") == "False");
  CHECK(find_path((*find_path(p, {"status", "containerStatuses"}))[0], {"state", "terminated"}) !=
        nullptr);
  // It stays until deleted.
  CHECK(c.get(kPods + "/victim").status == 200);
  CHECK(tc.admin("/admin/evict", R"({"namespace":"default","name":"victim"})").status == 409);
  CHECK(tc.admin("/admin/evict", R"({"namespace":"default","name":"ghost"})").status == 404);
  auto bad = tc.admin("/admin/evict", R"({"namespace":"default"})");
  CHECK(bad.status == 400);
  CHECK(str(bad.json(), {"message"}).find("name") != std::string::npos);
  auto gated = c.post(kPods, pod("gated", "", R"("schedulingGates":[{"name":"x"}])"));
  REQUIRE(gated.status == 201);
  CHECK(tc.admin("/admin/evict", R"({"name":"gated"})").status == 409);
}

}  // namespace korder::devcluster::testing

namespace korder::devcluster::testing {

TEST_CASE("the kubelet rejects a pod bound past the scheduler that does not fit (OutOfcpu)",
          "[integration]") {
  DevClusterOptions options;
  options.kubelet_delay = milliseconds(0);
  options.node_count = 1;  // dev-node-1: 8 cpu
  TestCluster tc(options);
  auto& c = tc.client();
  auto direct = [](const std::string& name, const std::string& cpu) {
    return R"({"metadata":{"name":")" + name +
           R"("},"spec":{"nodeName":"dev-node-1","containers":[{"name":"c","image":"i","resources":{"requests":{"cpu":")" +
           cpu + R"("}}}]}})";
  };
  create(c, direct("first", "6"));
  REQUIRE(reaches_phase(c, "first", "Running"));
  create(c, direct("second", "4"));
  REQUIRE(reaches_phase(c, "second", "Failed"));
  JsonDocument rejected = c.get(kPods + "/second").json();
  CHECK(str(rejected, {"status", "reason"}) == "OutOfcpu");
  CHECK(str(rejected, {"status", "message"}) ==
        "Pod was rejected: Node didn't have enough resource: cpu, requested: 4000, used: 6000, "
        "capacity: 8000");
  create(c, direct("third", "2"));
  CHECK(reaches_phase(c, "third", "Running"));
}

}  // namespace korder::devcluster::testing
