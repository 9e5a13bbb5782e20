#include "korder/kclient/rest_client.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/testing/scripted_api_server.h"

namespace korder::kclient {
namespace {

using namespace std::chrono_literals;
using testing::ExpectedRequest;
using testing::ScriptedApiServer;
using testing::ScriptedResponse;

const std::string kOrders = "/apis/core.korder.dev/v1alpha1/namespaces/default/orders";
const std::string kOrder = R"({"kind":"Order","metadata":{"name":"my-order"}})";

std::string status_body(int code, const std::string& reason, const std::string& message) {
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")" +
         message + R"(","reason":")" + reason + R"(","code":)" + std::to_string(code) + "}";
}

// Fast retries with a fixed jitter, so retry tests take milliseconds.
RestClientOptions fast_retries() {
  RestClientOptions options;
  options.retry.initial_backoff = 1ms;
  options.retry.max_backoff = 4ms;
  options.random = [] { return 0.5; };
  return options;
}

WriteOptions write_options(std::string manager, std::string validation = "") {
  WriteOptions options;
  options.field_manager = std::move(manager);
  options.field_validation = std::move(validation);
  return options;
}

PatchOptions patch_options(std::string manager, std::string subresource = "",
                           std::optional<bool> force = std::nullopt) {
  PatchOptions options;
  options.field_manager = std::move(manager);
  options.subresource = std::move(subresource);
  options.force = force;
  return options;
}

// A scripted server, the io thread, a transport and a client, torn down in the right order.
struct Fixture {
  explicit Fixture(RestClientOptions options = fast_retries(), RateLimiter* limiter = nullptr) {
    auto made = Transport::create(io.io(), server.config(), clock);
    REQUIRE(made.has_value());
    transport = std::move(made).value();
    client = std::make_unique<RestClient>(*transport, clock, limiter, std::move(options));
  }

  ScriptedApiServer server;
  testing::IoThread io;
  SystemClock clock;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<RestClient> client;
};

TEST_CASE("every verb sends the method, path, query, content type and body of the API",
          "[integration][kclient]") {
  struct Case {
    const char* what;
    std::function<RestClient::Result<std::string>(RestClient&)> call;
    ExpectedRequest expect;
  };
  const std::string merge = "application/merge-patch+json";
  const std::vector<Case> cases = {
      {"get of a namespaced custom resource",
       [](RestClient& c) { return c.get(resources::orders(), "default", "my-order"); },
       ExpectedRequest("GET", kOrders + "/my-order").with_body("").without_header("Content-Type")},
      {"get of a cluster-scoped core resource from the cache",
       [](RestClient& c) {
         return c.get(resources::nodes(), "", "n1", [] {
           GetOptions options;
           options.resource_version = "0";
           return options;
         }());
       },
       ExpectedRequest("GET", "/api/v1/nodes/n1?resourceVersion=0")},
      {"list across all namespaces with a label selector",
       [](RestClient& c) {
         ListOptions options;
         options.label_selector = "korder.dev/role=guardian";
         return c.list(resources::pods(), "", options);
       },
       ExpectedRequest("GET", "/api/v1/pods?labelSelector=korder.dev%2Frole%3Dguardian")},
      {"create with a field manager",
       [&](RestClient& c) {
         return c.create(resources::orders(), "default", kOrder,
                         write_options("korder-order-controller"));
       },
       ExpectedRequest("POST", kOrders + "?fieldManager=korder-order-controller")
           .with_body(kOrder)
           .with_header("Content-Type", "application/json")},
      {"update (kubectl replace)",
       [&](RestClient& c) {
         return c.update(resources::orders(), "default", "my-order", kOrder,
                         write_options("kubectl-replace", "Strict"));
       },
       ExpectedRequest("PUT",
                       kOrders + "/my-order?fieldManager=kubectl-replace&fieldValidation=Strict")
           .with_body(kOrder)
           .with_header("Content-Type", "application/json")},
      {"update of the status subresource",
       [&](RestClient& c) {
         return c.update_status(resources::orders(), "default", "my-order", kOrder);
       },
       ExpectedRequest("PUT", kOrders + "/my-order/status")
           .with_body(kOrder)
           .with_header("Content-Type", "application/json")},
      {"merge patch (kubectl patch --type merge)",
       [](RestClient& c) {
         return c.patch(resources::orders(), "default", "my-order", PatchType::Merge,
                        R"({"spec":{"quantity":11}})", patch_options("kubectl-patch"));
       },
       ExpectedRequest("PATCH", kOrders + "/my-order?fieldManager=kubectl-patch")
           .with_body(R"({"spec":{"quantity":11}})")
           .with_header("Content-Type", merge)},
      {"JSON patch (kubectl patch --type json)",
       [](RestClient& c) {
         return c.patch(resources::orders(), "default", "my-order", PatchType::Json,
                        R"([{"op":"replace","path":"/spec/item","value":"gizmo"}])",
                        patch_options("kubectl-patch"));
       },
       ExpectedRequest("PATCH", kOrders + "/my-order?fieldManager=kubectl-patch")
           .with_body(R"([{"op":"replace","path":"/spec/item","value":"gizmo"}])")
           .with_header("Content-Type", "application/json-patch+json")},
      {"merge patch of the status subresource",
       [](RestClient& c) {
         return c.patch(resources::orders(), "default", "my-order", PatchType::Merge,
                        R"({"status":{"phase":"Shipped"}})",
                        patch_options("kubectl-patch", "status"));
       },
       ExpectedRequest("PATCH", kOrders + "/my-order/status?fieldManager=kubectl-patch")
           .with_body(R"({"status":{"phase":"Shipped"}})")
           .with_header("Content-Type", merge)},
      {"server-side apply",
       [](RestClient& c) {
         return c.patch(resources::tickets(), "default", "t1", PatchType::Apply,
                        R"({"metadata":{"name":"t1"}})", patch_options("kubectl", "", false));
       },
       ExpectedRequest("PATCH",
                       "/apis/core.korder.dev/v1alpha1/namespaces/default/tickets/t1"
                       "?fieldManager=kubectl&force=false")
           .with_body(R"({"metadata":{"name":"t1"}})")
           .with_header("Content-Type", "application/apply-patch+yaml")},
      {"delete with a propagation policy (kubectl delete)",
       [](RestClient& c) {
         DeleteOptions options;
         options.propagation_policy = PropagationPolicy::Background;
         return c.remove(resources::orders(), "default", "my-order", options);
       },
       ExpectedRequest("DELETE", kOrders + "/my-order")
           .with_body(R"({"propagationPolicy":"Background"})")
           .with_header("Content-Type", "application/json")},
      {"delete without options sends no body",
       [](RestClient& c) { return c.remove(resources::pods(), "default", "p1"); },
       ExpectedRequest("DELETE", "/api/v1/namespaces/default/pods/p1")
           .with_body("")
           .without_header("Content-Type")},
      {"delete of a cluster-scoped object with preconditions",
       [](RestClient& c) {
         DeleteOptions options;
         options.preconditions = Preconditions("u1", "5");
         return c.remove(resources::quotas(), "", "team-a", options);
       },
       ExpectedRequest("DELETE", "/apis/core.korder.dev/v1alpha1/quotas/team-a")
           .with_body(R"({"preconditions":{"uid":"u1","resourceVersion":"5"}})")},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.what) {
      Fixture f;
      f.server.expect(c.expect, ScriptedResponse::json(200, R"({"answer":1})"));
      auto result = c.call(*f.client);
      REQUIRE(result.has_value());
      CHECK(*result == R"({"answer":1})");
      CHECK(f.server.failures() == std::vector<std::string>{});
    }
  }
}

TEST_CASE("an error answer becomes an ApiError with the call as context",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(
      ExpectedRequest("GET", kOrders + "/nope"),
      ScriptedResponse::json(
          404, status_body(404, "NotFound", R"(orders.core.korder.dev \"nope\" not found)")));
  f.server.expect(ExpectedRequest("POST", kOrders),
                  ScriptedResponse::json(
                      409, status_body(409, "AlreadyExists",
                                       R"(orders.core.korder.dev \"my-order\" already exists)")));
  f.server.expect(ExpectedRequest("GET", "/api/v1/namespaces/ns/pods"),
                  ScriptedResponse::json(403, status_body(403, "Forbidden", "pods is forbidden")));
  auto missing = f.client->get(resources::orders(), "default", "nope");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().is_not_found());
  CHECK(missing.error().to_string() ==
        R"(getting orders.core.korder.dev default/nope: orders.core.korder.dev "nope" not found)");
  auto exists = f.client->create(resources::orders(), "default", kOrder);
  REQUIRE_FALSE(exists.has_value());
  CHECK(exists.error().is_already_exists());
  CHECK(exists.error().context() == "creating orders.core.korder.dev default/my-order");
  auto forbidden = f.client->list(resources::pods(), "ns");
  REQUIRE_FALSE(forbidden.has_value());
  CHECK(forbidden.error().to_string() == "listing pods in ns: pods is forbidden");
  CHECK(f.server.requests().size() == 3);
}

TEST_CASE("list_all follows continue tokens to the last page", "[integration][kclient]") {
  Fixture f;
  const std::string page1 =
      R"({"kind":"PodList","metadata":{"resourceVersion":"9","continue":"c1"},"items":[]})";
  const std::string page2 =
      R"({"kind":"PodList","metadata":{"resourceVersion":"9","continue":"c2"},"items":[]})";
  const std::string page3 = R"({"kind":"PodList","metadata":{"resourceVersion":"9"},"items":[]})";
  f.server.expect(ExpectedRequest("GET", "/api/v1/namespaces/ns/pods?limit=2&resourceVersion=0"),
                  ScriptedResponse::json(200, page1));
  // Later pages drop resourceVersion: the token names the snapshot.
  f.server.expect(ExpectedRequest("GET", "/api/v1/namespaces/ns/pods?continue=c1&limit=2"),
                  ScriptedResponse::json(200, page2));
  f.server.expect(ExpectedRequest("GET", "/api/v1/namespaces/ns/pods?continue=c2&limit=2"),
                  ScriptedResponse::json(200, page3));
  ListOptions options;
  options.limit = 2;
  options.resource_version = "0";
  auto pages = f.client->list_all(resources::pods(), "ns", options);
  REQUIRE(pages.has_value());
  CHECK(*pages == std::vector<std::string>{page1, page2, page3});
  CHECK(f.server.failures() == std::vector<std::string>{});
}

TEST_CASE("an expired continue token falls back to one full list", "[integration][kclient]") {
  Fixture f;
  const std::string page1 = R"({"metadata":{"continue":"c1"},"items":[]})";
  const std::string full = R"({"metadata":{"resourceVersion":"20"},"items":[]})";
  f.server.expect(ExpectedRequest("GET", "/api/v1/pods?limit=1"),
                  ScriptedResponse::json(200, page1));
  f.server.expect(ExpectedRequest("GET", "/api/v1/pods?continue=c1&limit=1"),
                  ScriptedResponse::json(410, status_body(410, "Expired", "continue expired")));
  f.server.expect(ExpectedRequest("GET", "/api/v1/pods"), ScriptedResponse::json(200, full));
  ListOptions options;
  options.limit = 1;
  auto pages = f.client->list_all(resources::pods(), "", options);
  REQUIRE(pages.has_value());
  CHECK(*pages == std::vector<std::string>{full});
  CHECK(f.server.failures() == std::vector<std::string>{});
}

TEST_CASE("a 429 is retried after the server's Retry-After", "[integration][kclient]") {
  Fixture f;
  f.server.expect(ExpectedRequest("GET", kOrders + "/my-order"),
                  ScriptedResponse::json(429, status_body(429, "TooManyRequests", "slow down"),
                                         {{"Retry-After", "1"}}));
  f.server.expect(ExpectedRequest("GET", kOrders + "/my-order"),
                  ScriptedResponse::json(200, kOrder));
  const auto start = std::chrono::steady_clock::now();
  auto result = f.client->get(resources::orders(), "default", "my-order");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(result.has_value());
  CHECK(*result == kOrder);
  CHECK(elapsed >= 1s);
  CHECK(elapsed < 5s);
  CHECK(f.server.requests().size() == 2);
}

TEST_CASE("server errors on idempotent calls are retried with backoff until success",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(ExpectedRequest("GET", "/api/v1/nodes"),
                  ScriptedResponse::json(500, status_body(500, "InternalError", "etcd hiccup")));
  f.server.expect(ExpectedRequest("GET", "/api/v1/nodes"),
                  ScriptedResponse::json(503, "service unavailable"));
  f.server.expect(ExpectedRequest("GET", "/api/v1/nodes"), ScriptedResponse::dropped());
  f.server.expect(ExpectedRequest("GET", "/api/v1/nodes"), ScriptedResponse::json(200, "{}"));
  auto result = f.client->list(resources::nodes(), "");
  REQUIRE(result.has_value());
  CHECK(f.server.requests().size() == 4);
}

TEST_CASE("retries stop after max_retries with the last error", "[integration][kclient]") {
  RestClientOptions options = fast_retries();
  options.retry.max_retries = 2;
  Fixture f(options);
  for (int i = 0; i < 3; ++i) {
    f.server.expect(ExpectedRequest("GET", "/api/v1/nodes/n1"),
                    ScriptedResponse::json(503, status_body(503, "ServiceUnavailable", "down")));
  }
  auto result = f.client->get(resources::nodes(), "", "n1");
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().is_service_unavailable());
  CHECK(f.server.requests().size() == 3);
  CHECK(f.server.remaining() == 0);
}

TEST_CASE("creates and patches are never retried", "[integration][kclient]") {
  Fixture f;
  f.server.expect(ExpectedRequest("POST", kOrders),
                  ScriptedResponse::json(500, status_body(500, "InternalError", "webhook failed")));
  f.server.expect(ExpectedRequest("POST", kOrders),
                  ScriptedResponse::json(429, status_body(429, "TooManyRequests", "later"),
                                         {{"Retry-After", "0"}}));
  f.server.expect(ExpectedRequest("PATCH", kOrders + "/my-order"),
                  ScriptedResponse::json(503, status_body(503, "ServiceUnavailable", "down")));
  auto first = f.client->create(resources::orders(), "default", kOrder);
  REQUIRE_FALSE(first.has_value());
  CHECK(first.error().is_internal_error());
  auto second = f.client->create(resources::orders(), "default", kOrder);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().is_too_many_requests());
  auto patched =
      f.client->patch(resources::orders(), "default", "my-order", PatchType::Merge, "{}");
  REQUIRE_FALSE(patched.has_value());
  CHECK(f.server.requests().size() == 3);
}

TEST_CASE("a PUT is retried only when it carries a resourceVersion precondition",
          "[integration][kclient]") {
  Fixture f;
  const std::string conditional = R"({"metadata":{"name":"my-order","resourceVersion":"7"}})";
  f.server.expect(ExpectedRequest("PUT", kOrders + "/my-order"),
                  ScriptedResponse::json(503, status_body(503, "ServiceUnavailable", "down")));
  f.server.expect(ExpectedRequest("PUT", kOrders + "/my-order").with_body(conditional),
                  ScriptedResponse::json(200, conditional));
  f.server.expect(ExpectedRequest("PUT", kOrders + "/my-order"),
                  ScriptedResponse::json(503, status_body(503, "ServiceUnavailable", "down")));
  CHECK(f.client->update(resources::orders(), "default", "my-order", conditional).has_value());
  auto unconditional = f.client->update(resources::orders(), "default", "my-order", kOrder);
  REQUIRE_FALSE(unconditional.has_value());
  CHECK(f.server.requests().size() == 3);
  CHECK(f.server.failures() == std::vector<std::string>{});
}

TEST_CASE("a DELETE with preconditions is retried on 5xx, one without is not",
          "[integration][kclient]") {
  Fixture f;
  const std::string path = "/api/v1/namespaces/default/pods/p1";
  f.server.expect(ExpectedRequest("DELETE", path), ScriptedResponse::json(500, "oops"));
  f.server.expect(ExpectedRequest("DELETE", path), ScriptedResponse::json(200, "{}"));
  f.server.expect(ExpectedRequest("DELETE", path), ScriptedResponse::json(500, "oops"));
  DeleteOptions guarded;
  guarded.preconditions = Preconditions("uid-1", std::nullopt);
  CHECK(f.client->remove(resources::pods(), "default", "p1", guarded).has_value());
  CHECK_FALSE(f.client->remove(resources::pods(), "default", "p1").has_value());
  CHECK(f.server.requests().size() == 3);
}

TEST_CASE("a blocking call from an io thread fails instead of deadlocking",
          "[integration][kclient]") {
  Fixture f;
  std::promise<RestClient::Result<std::string>> promise;
  boost::asio::post(f.io.io(), [&] {
    promise.set_value(f.client->get(resources::orders(), "default", "my-order"));
  });
  auto result = promise.get_future().get();
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message() ==
        "blocking RestClient call on an io thread: use the async_ form (this is a bug)");
  CHECK(f.server.requests().empty());
}

TEST_CASE("the async form runs on the io thread and returns the same result",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(ExpectedRequest("GET", kOrders + "/my-order"),
                  ScriptedResponse::json(200, kOrder));
  auto result = f.io.run(f.client->async_get(resources::orders(), "default", "my-order"));
  REQUIRE(result.has_value());
  CHECK(*result == kOrder);
}

TEST_CASE("the rate limiter spaces requests beyond the burst", "[integration][kclient]") {
  SystemClock clock;
  RateLimiter limiter(clock, 20.0, 1);  // one at once, then one every 50 ms
  Fixture f(fast_retries(), &limiter);
  for (int i = 0; i < 3; ++i) {
    f.server.expect(ExpectedRequest("GET", "/api/v1/nodes"), ScriptedResponse::json(200, "{}"));
  }
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    REQUIRE(f.client->list(resources::nodes(), "").has_value());
  }
  CHECK(std::chrono::steady_clock::now() - start >= 95ms);
}

TEST_CASE("a watch request asks for bookmarks, a resourceVersion and a timeout",
          "[integration][kclient]") {
  Fixture f;
  WatchOptions options;
  options.resource_version = "1014";
  options.timeout_seconds = 300;
  const HttpRequest request = f.client->watch_request(resources::orders(), "default", options);
  CHECK(request.method == "GET");
  CHECK(request.target ==
        kOrders + "?allowWatchBookmarks=true&resourceVersion=1014&timeoutSeconds=300&watch=true");
  CHECK(request.timeout == std::chrono::nanoseconds(330s));
  f.server.expect(ExpectedRequest("GET", request.target),
                  ScriptedResponse::chunked(200, {R"({"type":"ADDED","object":{}})"
                                                  "\n"})
                      .split_every(4, 1ms));
  std::string received;
  auto result = f.io.run(f.client->async_watch(
      resources::orders(), "default", options,
      [&](std::string_view bytes) { received.append(bytes); }, std::make_shared<StreamControl>()));
  REQUIRE(result.has_value());
  CHECK(received == R"({"type":"ADDED","object":{}})"
                    "\n");
  CHECK(f.server.failures() == std::vector<std::string>{});
}

}  // namespace
}  // namespace korder::kclient
