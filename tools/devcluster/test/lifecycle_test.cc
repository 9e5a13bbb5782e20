// Finalizers, deletionTimestamp, DeleteOptions, garbage collection, namespaces, pagination,
// selectors, pods/binding and pod update rules.
#include <catch2/catch.hpp>

#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

std::string str(const JsonValue& v, std::initializer_list<std::string_view> path) {
  return std::string(string_at(v, path));
}

const std::string kCms = "/api/v1/namespaces/default/configmaps";

std::string configmap(const std::string& name, const std::string& extra_metadata = "") {
  return R"({"metadata":{"name":")" + name + "\"" + extra_metadata + R"(},"data":{"k":"v"}})";
}

std::string owner_ref(const JsonValue& owner, bool block) {
  return R"(,"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":")" +
         str(owner, {"metadata", "name"}) + R"(","uid":")" + str(owner, {"metadata", "uid"}) +
         R"(","blockOwnerDeletion":)" + (block ? "true" : "false") + "}]";
}

std::size_t item_count(HttpClient& c, const std::string& target) {
  JsonDocument list = c.get(target).json();
  const JsonValue* items = find_member(list, "items");
  return items == nullptr ? 0 : items->Size();
}

// Left to another scheduler, so that the test binds it itself.
const char* kPod = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p1"},
  "spec":{"containers":[{"name":"c","image":"busybox:1.36"}],"schedulerName":"test-scheduler",
          "schedulingGates":[{"name":"korder.dev/ticket"}],
          "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"node-type","operator":"In","values":["compute"]}]}]}}}}})";

}  // namespace

TEST_CASE("a finalizer keeps a deleted object until the last one is removed", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  REQUIRE(c.post(kCms, configmap("f", R"(,"finalizers":["korder.dev/test"])")).status == 201);
  auto deleting = c.del(kCms + "/f");
  REQUIRE(deleting.status == 200);
  CHECK(!str(deleting.json(), {"metadata", "deletionTimestamp"}).empty());
  CHECK(c.get(kCms + "/f").status == 200);
  SECTION("a new finalizer cannot be added while deleting") {
    auto r =
        c.patch(kCms + "/f", R"({"metadata":{"finalizers":["korder.dev/test","other.dev/x"]}})");
    CHECK(r.status == 422);
  }
  SECTION("removing the last finalizer deletes the object") {
    auto r = c.patch(kCms + "/f", R"({"metadata":{"finalizers":null}})");
    CHECK(r.status == 200);
    CHECK(c.get(kCms + "/f").status == 404);
  }
}

TEST_CASE("delete preconditions on uid and resourceVersion answer 409", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  REQUIRE(c.post(kCms, configmap("p")).status == 201);
  auto r = c.del(kCms + "/p", R"({"preconditions":{"uid":"not-the-uid"}})");
  CHECK(r.status == 409);
  CHECK(str(r.json(), {"message"}).find("Precondition failed: UID in precondition: not-the-uid") !=
        std::string::npos);
  r = c.del(kCms + "/p", R"({"preconditions":{"resourceVersion":"1"}})");
  CHECK(r.status == 409);
  CHECK(c.del(kCms + "/p?dryRun=All").status == 200);
  CHECK(c.get(kCms + "/p").status == 200);
  CHECK(c.del(kCms + "/p").status == 200);
}

TEST_CASE("background deletion collects dependents of a deleted owner", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  JsonDocument owner = c.post(kCms, configmap("owner")).json();
  REQUIRE(c.post(kCms, configmap("dep1", owner_ref(owner, false))).status == 201);
  REQUIRE(c.post(kCms, configmap("dep2", owner_ref(owner, true))).status == 201);
  REQUIRE(c.del(kCms + "/owner", R"({"propagationPolicy":"Background"})").status == 200);
  CHECK(eventually(
      [&] { return c.get(kCms + "/dep1").status == 404 && c.get(kCms + "/dep2").status == 404; }));
}

TEST_CASE("foreground deletion waits for blocking dependents", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  JsonDocument owner = c.post(kCms, configmap("owner")).json();
  REQUIRE(c.post(kCms,
                 configmap("dep", owner_ref(owner, true) + R"(,"finalizers":["korder.dev/hold"])"))
              .status == 201);
  auto r = c.del(kCms + "/owner", R"({"propagationPolicy":"Foreground"})");
  REQUIRE(r.status == 200);
  CHECK(str(r.json(), {"metadata", "finalizers"}).empty());
  CHECK(r.body.find("foregroundDeletion") != std::string::npos);
  CHECK(eventually([&] {
    return !str(c.get(kCms + "/dep").json(), {"metadata", "deletionTimestamp"}).empty();
  }));
  CHECK(c.get(kCms + "/owner").status == 200);  // waits for the dependent
  REQUIRE(c.patch(kCms + "/dep", R"({"metadata":{"finalizers":null}})").status == 200);
  CHECK(eventually([&] { return c.get(kCms + "/owner").status == 404; }));
}

TEST_CASE("orphan deletion keeps dependents and removes their owner reference", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  JsonDocument owner = c.post(kCms, configmap("owner")).json();
  REQUIRE(c.post(kCms, configmap("dep", owner_ref(owner, true))).status == 201);
  REQUIRE(c.del(kCms + "/owner", R"({"propagationPolicy":"Orphan"})").status == 200);
  CHECK(eventually([&] { return c.get(kCms + "/owner").status == 404; }));
  auto dep = c.get(kCms + "/dep");
  REQUIRE(dep.status == 200);
  CHECK(find_path(dep.json(), {"metadata", "ownerReferences"}) == nullptr);
}

TEST_CASE("deleting a namespace empties it, then removes it", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  REQUIRE(c.post("/api/v1/namespaces", R"({"metadata":{"name":"team"}})").status == 201);
  REQUIRE(c.post("/api/v1/namespaces/team/configmaps", configmap("x")).status == 201);
  auto r = c.del("/api/v1/namespaces/team");
  REQUIRE(r.status == 200);
  CHECK(eventually([&] { return c.get("/api/v1/namespaces/team").status == 404; }));
  CHECK(c.get("/api/v1/namespaces/team/configmaps/x").status == 404);
}

TEST_CASE("lists page with limit and continue, and an old continue token is 410", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  for (int i = 0; i < 5; ++i) {
    REQUIRE(c.post(kCms, configmap("cm" + std::to_string(i))).status == 201);
  }
  std::vector<std::string> names;
  std::string token;
  std::string first_rv;
  do {
    JsonDocument page =
        c.get(kCms + "?limit=2" + (token.empty() ? "" : "&continue=" + token)).json();
    for (const auto& item : find_member(page, "items")->GetArray()) {
      names.push_back(str(item, {"metadata", "name"}));
    }
    if (first_rv.empty()) {
      first_rv = str(page, {"metadata", "resourceVersion"});
      CHECK(int_at(page, {"metadata", "remainingItemCount"}) == 3);
    } else {
      CHECK(str(page, {"metadata", "resourceVersion"}) == first_rv);
    }
    token = str(page, {"metadata", "continue"});
  } while (!token.empty());
  CHECK(names == std::vector<std::string>{"cm0", "cm1", "cm2", "cm3", "cm4"});

  token = str(c.get(kCms + "?limit=2").json(), {"metadata", "continue"});
  REQUIRE(c.post(kCms, configmap("later")).status == 201);
  REQUIRE(tc.admin("/admin/compact").status == 200);  // the token's revision is now gone
  auto expired = c.get(kCms + "?limit=2&continue=" + token);
  CHECK(expired.status == 410);
  CHECK(str(expired.json(), {"reason"}) == "Expired");
}

TEST_CASE("label and field selectors filter lists", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  REQUIRE(c.post(kCms, configmap("a", R"(,"labels":{"tier":"gold","app":"x"})")).status == 201);
  REQUIRE(c.post(kCms, configmap("b", R"(,"labels":{"tier":"silver"})")).status == 201);
  REQUIRE(c.post(kCms, configmap("c")).status == 201);
  CHECK(item_count(c, kCms + "?labelSelector=tier%3Dgold") == 1);
  CHECK(item_count(c, kCms + "?labelSelector=tier%20in%20(gold,silver)") == 2);
  CHECK(item_count(c, kCms + "?labelSelector=!tier") == 1);
  CHECK(item_count(c, kCms + "?fieldSelector=metadata.name%3Db") == 1);
  CHECK(item_count(c, kCms + "?fieldSelector=metadata.name!%3Db") == 2);
  CHECK(c.get(kCms + "?fieldSelector=spec.foo%3Db").status == 400);
  CHECK(item_count(c, "/api/v1/configmaps?fieldSelector=metadata.namespace%3Ddefault") == 3);
  CHECK(item_count(c, "/api/v1/nodes?labelSelector=node-type%3Dcompute") >= 2);
}

TEST_CASE("events are selected by involvedObject fields as kubectl describe asks",
          "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  REQUIRE(
      c.post(
           "/api/v1/namespaces/default/events",
           R"({"metadata":{"name":"e1"},"involvedObject":{"kind":"Order","name":"o1","namespace":"default","uid":"u1"},"reason":"Accepted","message":"ok","type":"Normal","source":{"component":"order-controller"}})")
          .status == 201);
  REQUIRE(
      c.post(
           "/api/v1/namespaces/default/events",
           R"({"metadata":{"name":"e2"},"involvedObject":{"kind":"Order","name":"o2","namespace":"default","uid":"u2"},"reason":"Other"})")
          .status == 201);
  CHECK(item_count(c,
                   "/api/v1/namespaces/default/"
                   "events?fieldSelector=involvedObject.name%3Do1%2CinvolvedObject.namespace%"
                   "3Ddefault%2CinvolvedObject.kind%3DOrder%2CinvolvedObject.uid%3Du1&limit=500") ==
        1);
  CHECK(item_count(
            c, "/api/v1/namespaces/default/events?fieldSelector=source%3Dorder-controller") == 1);
}

TEST_CASE("pods follow the binding and update rules of Kubernetes", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  const std::string pods = "/api/v1/namespaces/default/pods";
  auto created = c.post(pods, kPod);
  REQUIRE(created.status == 201);
  CHECK(str(created.json(), {"status", "phase"}) == "Pending");
  CHECK(str(created.json(), {"status", "qosClass"}) == "BestEffort");
  const std::string binding =
      R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"p1"},"target":{"kind":"Node","name":"dev-node-1"}})";

  auto gated = c.post(pods + "/p1/binding", binding);
  CHECK(gated.status == 409);
  CHECK(
      str(gated.json(), {"message"}) ==
      R"(Operation cannot be fulfilled on pods/binding "p1": pod p1 has non-empty .spec.schedulingGates)");

  SECTION("a gate cannot be added") {
    auto r =
        c.patch(pods + "/p1",
                R"({"spec":{"schedulingGates":[{"name":"korder.dev/ticket"},{"name":"other"}]}})");
    CHECK(r.status == 422);
  }
  SECTION("other spec fields are immutable") {
    auto r = c.patch(pods + "/p1", R"({"spec":{"restartPolicy":"Never"}})");
    CHECK(r.status == 422);
    CHECK(str(r.json(), {"message"}).find("pod updates may not change fields other than") !=
          std::string::npos);
  }
  SECTION("affinity may only be narrowed while gated") {
    auto widen = c.request(
        "PATCH", pods + "/p1",
        R"([{"op":"remove","path":"/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/0"}])",
        "application/json-patch+json");
    CHECK(widen.status == 422);
  }
  SECTION("one JSON patch pins the pod and removes the gate; then it binds") {
    auto handoff = c.request(
        "PATCH", pods + "/p1",
        R"([{"op":"add","path":"/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchFields","value":[{"key":"metadata.name","operator":"In","values":["dev-node-1"]}]},)"
        R"({"op":"remove","path":"/spec/schedulingGates"}])",
        "application/json-patch+json");
    INFO(handoff.body);
    REQUIRE(handoff.status == 200);
    auto bound = c.post(pods + "/p1/binding", binding);
    REQUIRE(bound.status == 201);
    CHECK(str(bound.json(), {"status"}) == "Success");
    JsonDocument pod = c.get(pods + "/p1").json();
    CHECK(str(pod, {"spec", "nodeName"}) == "dev-node-1");
    auto again = c.post(pods + "/p1/binding", binding);
    CHECK(again.status == 409);
    CHECK(str(again.json(), {"message"}).find(R"(is already assigned to node "dev-node-1")") !=
          std::string::npos);
  }
}

TEST_CASE("leases are updated with optimistic concurrency", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  const std::string leases = "/apis/coordination.k8s.io/v1/namespaces/korder-system/leases";
  auto created = c.post(
      leases,
      R"({"metadata":{"name":"korder-order-controller"},"spec":{"holderIdentity":"a","leaseDurationSeconds":15,"renewTime":"2026-01-01T00:00:12.345678Z"}})");
  REQUIRE(created.status == 201);
  CHECK(str(created.json(), {"spec", "renewTime"}) == "2026-01-01T00:00:12.345678Z");
  JsonDocument lease = created.json();
  set_string(*find_member(lease, "spec"), "holderIdentity", "b", lease.GetAllocator());
  auto renewed = c.put(leases + "/korder-order-controller", api::write_json(lease));
  CHECK(renewed.status == 200);
  auto stale = c.put(leases + "/korder-order-controller", api::write_json(lease));
  CHECK(stale.status == 409);
}

}  // namespace korder::devcluster::testing
