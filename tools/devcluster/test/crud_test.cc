// CRUD through the HTTP API and every Status error of kube-protocol.md §8.
#include <catch2/catch.hpp>

#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

const char* kConfigMap =
    R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm1","labels":{"app":"x"}},"data":{"a":"1"}})";

std::string str(const JsonValue& v, std::initializer_list<std::string_view> path) {
  return std::string(string_at(v, path));
}

}  // namespace

TEST_CASE("a configmap is created, read, replaced, patched and deleted", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  auto created = c.post("/api/v1/namespaces/default/configmaps", kConfigMap);
  REQUIRE(created.status == 201);
  JsonDocument obj = created.json();
  CHECK(str(obj, {"metadata", "name"}) == "cm1");
  CHECK(str(obj, {"metadata", "namespace"}) == "default");
  CHECK(str(obj, {"metadata", "uid"}).size() == 36);
  CHECK(!str(obj, {"metadata", "resourceVersion"}).empty());
  CHECK(str(obj, {"metadata", "creationTimestamp"}).back() == 'Z');
  const std::string rv1 = str(obj, {"metadata", "resourceVersion"});

  auto got = c.get("/api/v1/namespaces/default/configmaps/cm1");
  REQUIRE(got.status == 200);
  CHECK(str(got.json(), {"data", "a"}) == "1");

  std::string replaced =
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm1","resourceVersion":")" +
      rv1 + R"("},"data":{"a":"2"}})";
  auto put = c.put("/api/v1/namespaces/default/configmaps/cm1", replaced);
  REQUIRE(put.status == 200);
  const std::string rv2 = str(put.json(), {"metadata", "resourceVersion"});
  CHECK(rv2 != rv1);
  CHECK(str(put.json(), {"metadata", "uid"}) == str(obj, {"metadata", "uid"}));

  auto patched = c.patch("/api/v1/namespaces/default/configmaps/cm1", R"({"data":{"b":"3"}})");
  REQUIRE(patched.status == 200);
  CHECK(str(patched.json(), {"data", "a"}) == "2");
  CHECK(str(patched.json(), {"data", "b"}) == "3");

  auto deleted = c.del("/api/v1/namespaces/default/configmaps/cm1");
  REQUIRE(deleted.status == 200);
  CHECK(c.get("/api/v1/namespaces/default/configmaps/cm1").status == 404);
}

TEST_CASE("errors are Status objects with Kubernetes' reasons and messages", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  REQUIRE(c.post("/api/v1/namespaces/default/configmaps", kConfigMap).status == 201);

  SECTION("404 NotFound for a missing object") {
    auto r = c.get("/api/v1/namespaces/default/configmaps/nope");
    CHECK(r.status == 404);
    JsonDocument s = r.json();
    CHECK(str(s, {"kind"}) == "Status");
    CHECK(str(s, {"status"}) == "Failure");
    CHECK(str(s, {"reason"}) == "NotFound");
    CHECK(str(s, {"message"}) == R"(configmaps "nope" not found)");
    CHECK(str(s, {"details", "kind"}) == "configmaps");
    CHECK(int_at(s, {"code"}) == 404);
  }
  SECTION("404 for an unknown resource") {
    auto r = c.get("/api/v1/namespaces/default/widgets");
    CHECK(r.status == 404);
    CHECK(str(r.json(), {"message"}) == "the server could not find the requested resource");
  }
  SECTION("404 for a namespace that does not exist") {
    auto r = c.post("/api/v1/namespaces/nowhere/configmaps", kConfigMap);
    CHECK(r.status == 404);
    CHECK(str(r.json(), {"message"}) == R"(namespaces "nowhere" not found)");
  }
  SECTION("409 AlreadyExists") {
    auto r = c.post("/api/v1/namespaces/default/configmaps", kConfigMap);
    CHECK(r.status == 409);
    CHECK(str(r.json(), {"reason"}) == "AlreadyExists");
    CHECK(str(r.json(), {"message"}) == R"(configmaps "cm1" already exists)");
  }
  SECTION("409 Conflict on a stale resourceVersion") {
    auto r = c.put("/api/v1/namespaces/default/configmaps/cm1",
                   R"({"metadata":{"name":"cm1","resourceVersion":"1"},"data":{}})");
    CHECK(r.status == 409);
    CHECK(str(r.json(), {"reason"}) == "Conflict");
    CHECK(
        str(r.json(), {"message"}) ==
        R"(Operation cannot be fulfilled on configmaps "cm1": the object has been modified; please apply your changes to the latest version and try again)");
  }
  SECTION("422 Invalid for bad names and labels, with causes") {
    auto r = c.post("/api/v1/namespaces/default/configmaps",
                    R"({"metadata":{"name":"Bad_Name","labels":{"k":"has space"}}})");
    CHECK(r.status == 422);
    JsonDocument s = r.json();
    CHECK(str(s, {"reason"}) == "Invalid");
    CHECK(
        str(s, {"message"})
            .rfind(
                R"(ConfigMap "Bad_Name" is invalid: [metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain)",
                0) == 0);
    REQUIRE(find_path(s, {"details", "causes"}) != nullptr);
    CHECK(find_path(s, {"details", "causes"})->Size() == 2);
    CHECK(str((*find_path(s, {"details", "causes"}))[0], {"field"}) == "metadata.name");
    CHECK(str((*find_path(s, {"details", "causes"}))[0], {"reason"}) == "FieldValueInvalid");
  }
  SECTION("422 when neither name nor generateName is given") {
    auto r = c.post("/api/v1/namespaces/default/configmaps", R"({"metadata":{}})");
    CHECK(r.status == 422);
    CHECK(
        str(r.json(), {"message"}) ==
        R"(ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required)");
  }
  SECTION("400 for a body that is not JSON") {
    auto r = c.post("/api/v1/namespaces/default/configmaps", "{not json");
    CHECK(r.status == 400);
    CHECK(str(r.json(), {"reason"}) == "BadRequest");
  }
  SECTION("400 for a name that differs from the URL") {
    auto r = c.put("/api/v1/namespaces/default/configmaps/cm1", R"({"metadata":{"name":"other"}})");
    CHECK(r.status == 400);
    CHECK(str(r.json(), {"message"}) ==
          "the name of the object (other) does not match the name on the URL (cm1)");
  }
  SECTION("405 for a method a path does not serve") {
    CHECK(c.request("POST", "/api/v1/namespaces/default/configmaps/cm1", "{}").status == 405);
  }
  SECTION("413 for a body over the 3 MiB limit") {
    std::string big = R"({"metadata":{"name":"big"},"data":{"a":")" +
                      std::string(3 * 1024 * 1024 + 10, 'x') + "\"}}";
    auto r = c.post("/api/v1/namespaces/default/configmaps", big);
    CHECK(r.status == 413);
  }
}

TEST_CASE("generateName appends five characters of Kubernetes' alphabet", "[integration]") {
  TestCluster tc;
  auto r = tc.client().post("/api/v1/namespaces/default/configmaps",
                            R"({"metadata":{"generateName":"gen-"}})");
  REQUIRE(r.status == 201);
  const std::string name = str(r.json(), {"metadata", "name"});
  REQUIRE(name.size() == 9);
  CHECK(name.rfind("gen-", 0) == 0);
  for (char ch : name.substr(4)) {
    CHECK(std::string("bcdfghjklmnpqrstvwxz2456789").find(ch) != std::string::npos);
  }
}

TEST_CASE("a write that changes nothing keeps the resourceVersion", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  auto created = c.post("/api/v1/namespaces/default/configmaps", kConfigMap);
  const std::string rv = str(created.json(), {"metadata", "resourceVersion"});
  auto same = c.patch("/api/v1/namespaces/default/configmaps/cm1", R"({"data":{"a":"1"}})");
  REQUIRE(same.status == 200);
  CHECK(str(same.json(), {"metadata", "resourceVersion"}) == rv);
}

TEST_CASE("the startup objects exist: namespaces and labelled Ready nodes", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  for (const char* ns : {"default", "kube-system", "korder-system"}) {
    auto r = c.get(std::string("/api/v1/namespaces/") + ns);
    REQUIRE(r.status == 200);
    CHECK(str(r.json(), {"status", "phase"}) == "Active");
  }
  JsonDocument nodes = c.get("/api/v1/nodes").json();
  REQUIRE(find_member(nodes, "items")->Size() == 4);
  int compute = 0;
  for (const auto& node : find_member(nodes, "items")->GetArray()) {
    CHECK(str(node, {"metadata", "labels", "kubernetes.io/os"}) == "linux");
    CHECK(str(node, {"metadata", "labels", "kubernetes.io/hostname"}) ==
          str(node, {"metadata", "name"}));
    compute += str(node, {"metadata", "labels", "node-type"}) == "compute" ? 1 : 0;
    CHECK(!str(node, {"status", "allocatable", "cpu"}).empty());
    bool ready = false;
    for (const auto& condition : find_path(node, {"status", "conditions"})->GetArray()) {
      ready =
          ready || (str(condition, {"type"}) == "Ready" && str(condition, {"status"}) == "True");
    }
    CHECK(ready);
  }
  CHECK(compute >= 2);
}

TEST_CASE("discovery serves version, aggregated and legacy documents", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  JsonDocument version = c.get("/version").json();
  CHECK(str(version, {"major"}) == "1");
  CHECK(str(version, {"minor"}) == "32");
  CHECK(str(version, {"gitVersion"}) == "v1.32.0-korder");
  auto aggregated = c.get(
      "/apis",
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
  CHECK(aggregated.headers["content-type"] ==
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  CHECK(str(aggregated.json(), {"kind"}) == "APIGroupDiscoveryList");
  auto core = c.get("/api", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  CHECK(core.body.find(R"("resource":"pods")") != std::string::npos);
  CHECK(core.body.find(R"("subresource":"binding")") != std::string::npos);
  CHECK(str(c.get("/api").json(), {"kind"}) == "APIVersions");
  CHECK(str(c.get("/apis").json(), {"kind"}) == "APIGroupList");
  auto v1 = c.get("/api/v1");
  CHECK(v1.body.find(R"("name":"pods/status")") != std::string::npos);
  CHECK(v1.body.find(R"("shortNames":["po"])") != std::string::npos);
  CHECK(c.get("/apis/coordination.k8s.io/v1").status == 200);
  CHECK(c.get("/healthz").body == "ok");
}

}  // namespace korder::devcluster::testing

namespace korder::devcluster::testing {

TEST_CASE("dry runs answer the would-be object and store nothing", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  const std::uint64_t rv = tc.cluster().store().current_rv();
  auto created = c.post("/api/v1/namespaces/default/configmaps?dryRun=All", kConfigMap);
  CHECK(created.status == 201);
  CHECK(str(created.json(), {"metadata", "name"}) == "cm1");
  CHECK(str(created.json(), {"metadata", "uid"}).size() == 36);
  CHECK(c.get("/api/v1/namespaces/default/configmaps/cm1").status == 404);
  CHECK(tc.cluster().store().current_rv() == rv);
  CHECK(c.get("/api/v1/namespaces/default/configmaps?dryRun=Sometimes").status == 200);
  CHECK(c.post("/api/v1/namespaces/default/configmaps?dryRun=Sometimes", kConfigMap).status == 400);
}

TEST_CASE("a collection delete removes what the selector matches", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  REQUIRE(c.post("/api/v1/namespaces/default/configmaps", kConfigMap).status == 201);
  REQUIRE(
      c.post("/api/v1/namespaces/default/configmaps", R"({"metadata":{"name":"keep"}})").status ==
      201);
  auto r = c.del("/api/v1/namespaces/default/configmaps?labelSelector=app%3Dx");
  CHECK(r.status == 200);
  CHECK(find_member(r.json(), "items")->Size() == 1);
  CHECK(c.get("/api/v1/namespaces/default/configmaps/cm1").status == 404);
  CHECK(c.get("/api/v1/namespaces/default/configmaps/keep").status == 200);
}

TEST_CASE("tables use kubectl's columns: a gated pod is SchedulingGated, nodes are Ready",
          "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  const std::string table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
  REQUIRE(
      c.post(
           "/api/v1/namespaces/default/pods",
           R"({"metadata":{"name":"g"},"spec":{"containers":[{"name":"c","image":"i"}],"schedulingGates":[{"name":"korder.dev/ticket"}]}})")
          .status == 201);
  JsonDocument pods = c.get("/api/v1/namespaces/default/pods?limit=500", table).json();
  REQUIRE(str(pods, {"kind"}) == "Table");
  const JsonValue& columns = *find_member(pods, "columnDefinitions");
  CHECK(str(columns[0], {"name"}) == "Name");
  CHECK(str(columns[2], {"name"}) == "Status");
  const JsonValue& cells = *find_member((*find_member(pods, "rows"))[0], "cells");
  CHECK(str(cells[0], {}) == "g");
  CHECK(str(cells[1], {}) == "0/1");
  CHECK(str(cells[2], {}) == "SchedulingGated");
  CHECK(str((*find_member(pods, "rows"))[0], {"object", "metadata", "namespace"}) == "default");

  JsonDocument node = c.get("/api/v1/nodes/dev-node-1", table).json();
  const JsonValue& node_cells = *find_member((*find_member(node, "rows"))[0], "cells");
  CHECK(str(node_cells[1], {}) == "Ready");
  CHECK(str(node_cells[4], {}) == "v1.32.0-korder");
  CHECK(str(node_cells[3], {}).back() == 's');  // an age such as "0s"
}

}  // namespace korder::devcluster::testing
