// Watch streams: initial state, resume, bookmarks, selectors, 410 after compaction, dropped
// watches, timeouts, Table events, fan-out.
#include <catch2/catch.hpp>
#include <thread>

#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

std::string str(const JsonValue& v, std::initializer_list<std::string_view> path) {
  return std::string(string_at(v, path));
}

const std::string kCms = "/api/v1/namespaces/default/configmaps";

std::string configmap(const std::string& name, const std::string& labels = "{}") {
  return R"({"metadata":{"name":")" + name + R"(","labels":)" + labels + R"(},"data":{"k":"v"}})";
}

std::string event_type(const std::optional<JsonDocument>& e) {
  return e ? str(*e, {"type"}) : "<none>";
}

}  // namespace

TEST_CASE("a watch without resourceVersion starts with ADDED for the current state",
          "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  REQUIRE(c.post(kCms, configmap("before")).status == 201);
  WatchStream w(tc.port(), kCms + "?watch=true");
  REQUIRE(w.status() == 200);
  auto first = w.next_event();
  CHECK(event_type(first) == "ADDED");
  CHECK(str(*first, {"object", "metadata", "name"}) == "before");
  REQUIRE(c.post(kCms, configmap("after")).status == 201);
  auto second = w.next_event();
  CHECK(event_type(second) == "ADDED");
  CHECK(str(*second, {"object", "metadata", "name"}) == "after");
  REQUIRE(c.patch(kCms + "/after", R"({"data":{"k":"w"}})").status == 200);
  CHECK(event_type(w.next_event()) == "MODIFIED");
  REQUIRE(c.del(kCms + "/after").status == 200);
  auto deleted = w.next_event();
  CHECK(event_type(deleted) == "DELETED");
  CHECK(str(*deleted, {"object", "data", "k"}) == "w");
}

TEST_CASE("a watch from a list resourceVersion sends only later changes, in order",
          "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  REQUIRE(c.post(kCms, configmap("a")).status == 201);
  const std::string rv = str(c.get(kCms).json(), {"metadata", "resourceVersion"});
  REQUIRE(c.post(kCms, configmap("b")).status == 201);
  REQUIRE(c.post(kCms, configmap("c")).status == 201);
  WatchStream w(tc.port(), kCms + "?watch=1&resourceVersion=" + rv);
  CHECK(str(*w.next_event(), {"object", "metadata", "name"}) == "b");
  CHECK(str(*w.next_event(), {"object", "metadata", "name"}) == "c");
  CHECK(!w.next_event(std::chrono::milliseconds(200)));
}

TEST_CASE("bookmarks come at the start and periodically when allowed", "[integration]") {
  DevClusterOptions options;
  options.bookmark_interval = std::chrono::milliseconds(200);
  TestCluster tc(options);
  WatchStream w(tc.port(), kCms + "?watch=True&allowWatchBookmarks=True&resourceVersion=0");
  auto first = w.next_event();
  CHECK(event_type(first) == "BOOKMARK");
  CHECK(str(*first, {"object", "kind"}) == "ConfigMap");
  CHECK(!str(*first, {"object", "metadata", "resourceVersion"}).empty());
  REQUIRE(tc.client().post(kCms, configmap("x")).status == 201);
  CHECK(event_type(w.next_event()) == "ADDED");
  auto later = w.next_event(std::chrono::seconds(2));
  CHECK(event_type(later) == "BOOKMARK");
  CHECK(str(*later, {"object", "metadata", "resourceVersion"}) ==
        std::to_string(tc.cluster().store().current_rv()));
}

TEST_CASE("a streaming list sends the state, then a bookmark marking the initial events' end",
          "[integration]") {
  TestCluster tc;
  REQUIRE(tc.client().post(kCms, configmap("a")).status == 201);
  WatchStream w(tc.port(), kCms +
                               "?watch=true&sendInitialEvents=true&allowWatchBookmarks=true"
                               "&resourceVersionMatch=NotOlderThan&resourceVersion=1");
  CHECK(event_type(w.next_event()) == "ADDED");
  auto end = w.next_event();
  CHECK(event_type(end) == "BOOKMARK");
  CHECK(str(*end, {"object", "metadata", "annotations", "k8s.io/initial-events-end"}) == "true");
}

TEST_CASE("an object that stops matching the selector is sent as DELETED", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  WatchStream w(tc.port(), kCms + "?watch=true&labelSelector=tier%3Dgold&resourceVersion=" +
                               std::to_string(tc.cluster().store().current_rv()));
  REQUIRE(c.post(kCms, configmap("x", R"({"tier":"silver"})")).status == 201);
  REQUIRE(c.patch(kCms + "/x", R"({"metadata":{"labels":{"tier":"gold"}}})").status == 200);
  CHECK(event_type(w.next_event()) == "ADDED");
  REQUIRE(c.patch(kCms + "/x", R"({"data":{"k":"2"}})").status == 200);
  CHECK(event_type(w.next_event()) == "MODIFIED");
  REQUIRE(c.patch(kCms + "/x", R"({"metadata":{"labels":{"tier":"bronze"}}})").status == 200);
  CHECK(event_type(w.next_event()) == "DELETED");
  REQUIRE(c.del(kCms + "/x").status == 200);
  CHECK(!w.next_event(std::chrono::milliseconds(200)));
}

TEST_CASE("a compacted resourceVersion gives an ERROR event with a 410 Status", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  const std::string rv = std::to_string(tc.cluster().store().current_rv());
  REQUIRE(c.post(kCms, configmap("x")).status == 201);
  REQUIRE(tc.admin("/admin/compact").status == 200);
  WatchStream w(tc.port(), kCms + "?watch=true&resourceVersion=" + rv);
  CHECK(w.status() == 200);
  auto e = w.next_event();
  REQUIRE(event_type(e) == "ERROR");
  CHECK(str(*e, {"object", "kind"}) == "Status");
  CHECK(str(*e, {"object", "reason"}) == "Expired");
  CHECK(int_at(*e, {"object", "code"}) == 410);
  CHECK(str(*e, {"object", "message"}) == "too old resource version: " + rv + " (" +
                                              std::to_string(tc.cluster().store().compacted_rv()) +
                                              ")");
  CHECK(!w.next_line(std::chrono::milliseconds(500)));
  CHECK(w.ended());
}

TEST_CASE("the history window decides when a resume gets 410", "[integration]") {
  DevClusterOptions options;
  options.history = 3;
  TestCluster tc(options);
  auto& c = tc.client();
  const std::string rv = std::to_string(tc.cluster().store().current_rv());
  for (int i = 0; i < 5; ++i) {
    REQUIRE(c.post(kCms, configmap("x" + std::to_string(i))).status == 201);
  }
  WatchStream w(tc.port(), kCms + "?watch=true&resourceVersion=" + rv);
  CHECK(event_type(w.next_event()) == "ERROR");
}

TEST_CASE("admin drop-watches ends open watches cleanly so clients re-watch", "[integration]") {
  TestCluster tc;
  WatchStream w(tc.port(), kCms + "?watch=true&resourceVersion=" +
                               std::to_string(tc.cluster().store().current_rv()));
  REQUIRE(tc.admin("/admin/drop-watches").status == 200);
  CHECK(!w.next_line(std::chrono::seconds(2)));
  CHECK(w.ended());
  CHECK(tc.admin("/admin/faults").status == 400);  // the body needs a fraction
}

TEST_CASE("timeoutSeconds ends a watch", "[integration]") {
  TestCluster tc;
  WatchStream w(tc.port(), kCms + "?watch=true&timeoutSeconds=1&resourceVersion=" +
                               std::to_string(tc.cluster().store().current_rv()));
  const auto start = std::chrono::steady_clock::now();
  CHECK(!w.next_line(std::chrono::seconds(3)));
  CHECK(w.ended());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(2500));
}

TEST_CASE("Table watches carry column definitions in the first event only", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  const std::string accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
  WatchStream w(
      tc.port(),
      kCms + "?watch=true&resourceVersion=" + std::to_string(tc.cluster().store().current_rv()),
      accept);
  REQUIRE(c.post(kCms, configmap("t1")).status == 201);
  REQUIRE(c.post(kCms, configmap("t2")).status == 201);
  auto first = w.next_event();
  REQUIRE(first);
  CHECK(str(*first, {"object", "kind"}) == "Table");
  CHECK(find_path(*first, {"object", "columnDefinitions"})->IsArray());
  CHECK(str((*find_path(*first, {"object", "rows"}))[0], {"object", "kind"}) ==
        "PartialObjectMetadata");
  auto second = w.next_event();
  REQUIRE(second);
  CHECK(find_path(*second, {"object", "columnDefinitions"})->IsNull());
}

TEST_CASE("ten watchers of ten thousand objects all see every event", "[integration]") {
  DevClusterOptions options;
  options.history = 20000;
  options.watch_queue_limit = 20000;
  TestCluster tc(options);
  auto& store = tc.cluster().store();
  const std::string rv = std::to_string(store.current_rv());
  std::vector<std::unique_ptr<WatchStream>> watchers;
  for (int i = 0; i < 10; ++i) {
    watchers.push_back(
        std::make_unique<WatchStream>(tc.port(), kCms + "?watch=true&resourceVersion=" + rv));
  }
  // Writes go straight to the store (the HTTP path is benchmarked separately).
  for (int i = 0; i < 10000; ++i) {
    JsonDocument doc = parse(
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"namespace":"default","name":"o)" +
        std::to_string(i) + R"("},"data":{"k":"v"}})");
    REQUIRE(store.create("/configmaps", std::move(doc)));
  }
  for (auto& w : watchers) {
    int seen = 0;
    while (seen < 10000) {
      auto line = w->next_line(std::chrono::seconds(10));
      if (!line) {
        break;
      }
      ++seen;
    }
    CHECK(seen == 10000);
  }
}

}  // namespace korder::devcluster::testing
