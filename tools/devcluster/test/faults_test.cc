// The fault-injection routes of the admin endpoint: 429/500 faults, stalls, restart with the
// state kept or lost, and 400s naming the field of a bad body.
#include <catch2/catch.hpp>
#include <thread>

#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

const std::string kCms = "/api/v1/namespaces/default/configmaps";

std::string str(const JsonValue& v, std::initializer_list<std::string_view> path) {
  return std::string(string_at(v, path));
}

std::string configmap(const std::string& name) {
  return R"({"metadata":{"name":")" + name + R"("},"data":{"k":"v"}})";
}

const char* kCrd = R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
  "metadata":{"name":"widgets.example.com"},
  "spec":{"group":"example.com","scope":"Namespaced",
    "names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
    "versions":[{"name":"v1","served":true,"storage":true,
      "schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}})";

}  // namespace

TEST_CASE("admin faults answer 429 with Retry-After for a path prefix, then clear",
          "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  auto set = tc.admin(
      "/admin/faults",
      R"({"fraction":1.0,"code":429,"retryAfter":7,"pathPrefix":"/api/v1/namespaces/default/configmaps"})");
  INFO(set.body);
  REQUIRE(set.status == 200);
  auto r = c.get(kCms);
  CHECK(r.status == 429);
  CHECK(r.headers["retry-after"] == "7");
  JsonDocument status = r.json();
  CHECK(str(status, {"kind"}) == "Status");
  CHECK(str(status, {"reason"}) == "TooManyRequests");
  CHECK(int_at(status, {"code"}) == 429);
  CHECK(int_at(status, {"details", "retryAfterSeconds"}) == 7);
  CHECK(c.post(kCms, configmap("x")).status == 429);
  // Other paths are served.
  CHECK(c.get("/api/v1/namespaces/default/secrets").status == 200);
  // fraction 0 for the prefix clears it.
  REQUIRE(tc.admin("/admin/faults",
                   R"({"fraction":0,"pathPrefix":"/api/v1/namespaces/default/configmaps"})")
              .status == 200);
  CHECK(c.get(kCms).status == 200);
  CHECK(c.post(kCms, configmap("x")).status == 201);
}

TEST_CASE("admin faults answer 500 for every request, or an exact fraction of them",
          "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  REQUIRE(tc.admin("/admin/faults", R"({"fraction":1,"code":500})").status == 200);
  auto r = c.get(kCms);
  CHECK(r.status == 500);
  CHECK(str(r.json(), {"reason"}) == "InternalError");
  CHECK(str(r.json(), {"message"}).rfind("Internal error occurred: injected fault", 0) == 0);
  CHECK(c.get("/version").status == 500);
  // No pathPrefix with fraction 0 clears every rule.
  REQUIRE(tc.admin("/admin/faults", R"({"fraction":0})").status == 200);
  CHECK(c.get(kCms).status == 200);

  REQUIRE(tc.admin("/admin/faults", R"({"fraction":0.25,"code":500,"pathPrefix":"/api"})").status ==
          200);
  int failed = 0;
  for (int i = 0; i < 40; ++i) {
    failed += c.get(kCms).status == 500 ? 1 : 0;
  }
  CHECK(failed == 10);
  CHECK(c.get("/version").status == 200);  // not under /api
  // The longest prefix wins.
  REQUIRE(tc.admin("/admin/faults", R"({"fraction":1,"code":429,"pathPrefix":"/api/v1/nodes"})")
              .status == 200);
  CHECK(c.get("/api/v1/nodes").status == 429);
}

TEST_CASE("admin routes reject bad bodies with a 400 naming the field", "[integration]") {
  TestCluster tc;
  auto message = [&](const std::string& path, const std::string& body) {
    auto r = tc.admin(path, body);
    CHECK(r.status == 400);
    return str(r.json(), {"message"});
  };
  CHECK(message("/admin/faults", "{}").find("fraction") != std::string::npos);
  CHECK(message("/admin/faults", R"({"fraction":1.5,"code":500})").find("fraction") !=
        std::string::npos);
  CHECK(message("/admin/faults", R"({"fraction":0.5,"code":404})").find("code") !=
        std::string::npos);
  CHECK(message("/admin/faults", R"({"fraction":0.5,"code":429,"retryAfter":"soon"})")
            .find("retryAfter") != std::string::npos);
  CHECK(message("/admin/faults", R"({"fraction":0.5,"code":500,"pathPrefix":"api"})")
            .find("pathPrefix") != std::string::npos);
  CHECK(message("/admin/faults", R"({"fraction":0.5,"code":500,"retry_after":1})")
            .find("unknown field \"retry_after\"") != std::string::npos);
  CHECK(message("/admin/faults", "not json").find("not valid JSON") != std::string::npos);
  CHECK(message("/admin/stall", R"({"pathPrefix":"/api"})").find("seconds") != std::string::npos);
  CHECK(message("/admin/stall", R"({"seconds":-1})").find("seconds") != std::string::npos);
  CHECK(message("/admin/restart", "{}").find("keepState") != std::string::npos);
  CHECK(message("/admin/restart", R"({"keepState":"yes"})").find("keepState") != std::string::npos);
  CHECK(message("/admin/evict", R"({"namespace":3,"name":"x"})").find("namespace") !=
        std::string::npos);
}

TEST_CASE("admin stall delays matching requests without blocking others", "[integration]") {
  DevClusterOptions options;
  options.io_threads = 1;  // a stalled request must not hold the only io thread
  TestCluster tc(options);
  auto& c = tc.client();
  REQUIRE(tc.admin("/admin/stall",
                   R"({"pathPrefix":"/api/v1/namespaces/default/configmaps","seconds":1.0})")
              .status == 200);
  int stalled_status = 0;
  milliseconds stalled_for{0};
  std::thread slow([&] {
    HttpClient other(tc.port());
    const auto start = SteadyClock::now();
    stalled_status = other.get(kCms).status;
    stalled_for = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
  });
  // While it is held, other paths answer at once (on the same, only io thread).
  REQUIRE(eventually([&] { return tc.cluster().faults().stalled() == 1; }));
  const auto start = SteadyClock::now();
  CHECK(c.get("/api/v1/nodes").status == 200);
  CHECK(SteadyClock::now() - start < milliseconds(700));
  slow.join();
  CHECK(stalled_status == 200);
  CHECK(stalled_for >= milliseconds(1000));

  // Clearing the stall releases the requests it holds.
  REQUIRE(tc.admin("/admin/stall",
                   R"({"pathPrefix":"/api/v1/namespaces/default/configmaps","seconds":30})")
              .status == 200);
  int status = 0;
  std::thread held([&] {
    HttpClient other(tc.port());
    status = other.get(kCms).status;
  });
  REQUIRE(eventually([&] { return tc.cluster().faults().stalled() == 1; }));
  // The answer says how many requests are held (setting the same rule again changes nothing).
  CHECK(tc.admin("/admin/stall",
                 R"({"pathPrefix":"/api/v1/namespaces/default/configmaps","seconds":30})")
            .body.find(R"("stalled":1)") != std::string::npos);
  const auto released_at = SteadyClock::now();
  REQUIRE(tc.admin("/admin/stall", R"({"seconds":0})").status == 200);
  held.join();
  CHECK(status == 200);
  CHECK(SteadyClock::now() - released_at < milliseconds(5000));
  CHECK(tc.cluster().faults().stalled() == 0);
}

TEST_CASE("admin restart with keepState drops watches and forces a relist", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  const std::string before = std::to_string(tc.cluster().store().current_rv());
  REQUIRE(c.post(kCms, configmap("kept")).status == 201);
  const std::string rv = std::to_string(tc.cluster().store().current_rv());
  WatchStream w(tc.port(), kCms + "?watch=true&resourceVersion=" + rv);
  REQUIRE(w.status() == 200);
  auto restarted = tc.admin("/admin/restart", R"({"keepState":true})");
  INFO(restarted.body);
  REQUIRE(restarted.status == 200);
  CHECK(!w.next_line(std::chrono::seconds(2)));
  CHECK(w.ended());
  // A new connection sees the objects; a watch from before the restart gets 410.
  HttpClient fresh(tc.port());
  CHECK(fresh.get(kCms + "/kept").status == 200);
  WatchStream old(tc.port(), kCms + "?watch=true&resourceVersion=" + before);
  auto e = old.next_event();
  REQUIRE(e);
  CHECK(str(*e, {"type"}) == "ERROR");
  CHECK(int_at(*e, {"object", "code"}) == 410);
  CHECK(fresh.get("/api/v1/nodes/dev-node-1").status == 200);
}

TEST_CASE("admin restart without keepState loses every object and recreates the startup ones",
          "[integration]") {
  TestCluster tc;
  {
    auto& c = tc.client();
    REQUIRE(c.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", kCrd).status == 201);
    REQUIRE(eventually([&] {
      return c.post("/apis/example.com/v1/namespaces/default/widgets",
                    R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}})")
                 .status == 201;
    }));
    REQUIRE(c.post(kCms, configmap("lost")).status == 201);
    REQUIRE(c.post("/api/v1/namespaces", R"({"metadata":{"name":"team-a"}})").status == 201);
    REQUIRE(c.del("/api/v1/nodes/dev-node-2").status == 200);
  }
  auto restarted = tc.admin("/admin/restart", R"({"keepState":false})");
  INFO(restarted.body);
  REQUIRE(restarted.status == 200);
  HttpClient c(tc.port());
  CHECK(c.get(kCms + "/lost").status == 404);
  CHECK(c.get("/api/v1/namespaces/team-a").status == 404);
  CHECK(
      c.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com").status ==
      404);
  CHECK(c.get("/apis/example.com/v1/namespaces/default/widgets").status == 404);
  // The startup objects are back: namespaces and nodes (dev-node-2 too).
  for (const char* ns : {"default", "kube-system", "korder-system"}) {
    CHECK(c.get(std::string("/api/v1/namespaces/") + ns).status == 200);
  }
  CHECK(c.get("/api/v1/nodes/dev-node-2").status == 200);
  // The cluster works on: the simulation schedules and runs new pods.
  REQUIRE(
      c.post("/api/v1/namespaces/default/pods",
             R"({"metadata":{"name":"after"},"spec":{"containers":[{"name":"c","image":"i"}]}})")
          .status == 201);
  CHECK(eventually([&] {
    return str(c.get("/api/v1/namespaces/default/pods/after").json(), {"status", "phase"}) ==
           "Running";
  }));
}

}  // namespace korder::devcluster::testing
