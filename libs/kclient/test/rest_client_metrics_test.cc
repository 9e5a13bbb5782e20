#include "korder/kclient/rest_client_metrics.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "korder/kclient/daemon_runtime.h"
#include "korder/kclient/manager.h"
#include "korder/kclient/metrics.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/testing/scripted_api_server.h"
#include "korder/kclient/testing/temp_dir.h"
#include "korder/kclient/typed_resources.h"

namespace korder::kclient {
namespace {

using namespace std::chrono_literals;
using testing::ExpectedRequest;
using testing::ScriptedApiServer;
using testing::ScriptedResponse;

const std::string kPods = "/api/v1/namespaces/ns/pods";
const std::string kStatus409 =
    R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"AlreadyExists","code":409})";

// The value of the sample line `series` (`name{labels}`) in `text`, or -1 when absent.
double sample(const std::string& text, const std::string& series) {
  const std::string prefix = series + " ";
  std::size_t at = 0;
  while ((at = text.find(prefix, at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') {
      return std::stod(text.substr(at + prefix.size()));
    }
    at += prefix.size();
  }
  return -1;
}

struct Fixture {
  Fixture() {
    RestClientOptions options;
    options.retry.initial_backoff = 1ms;
    options.retry.max_backoff = 2ms;
    options.random = [] { return 0.5; };
    options.metrics = &metrics;
    auto made = Transport::create(io.io(), server.config(), clock);
    REQUIRE(made.has_value());
    transport = std::move(made).value();
    client = std::make_unique<RestClient>(*transport, clock, nullptr, std::move(options));
  }

  ScriptedApiServer server;
  testing::IoThread io;
  SystemClock clock;
  MetricsRegistry registry;
  RestClientMetrics metrics{registry};
  std::unique_ptr<Transport> transport;
  std::unique_ptr<RestClient> client;
};

TEST_CASE("every request the REST client sends is counted by Kubernetes verb and HTTP status",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(ExpectedRequest("GET", kPods + "/p"), ScriptedResponse::json(200, "{}"));
  f.server.expect(ExpectedRequest("GET", kPods), ScriptedResponse::json(200, "{}"));
  f.server.expect(ExpectedRequest("POST", kPods), ScriptedResponse::json(409, kStatus409));
  f.server.expect(ExpectedRequest("PUT", kPods + "/p"), ScriptedResponse::json(200, "{}"));
  f.server.expect(ExpectedRequest("PUT", kPods + "/p/status"), ScriptedResponse::json(200, "{}"));
  f.server.expect(ExpectedRequest("PATCH", kPods + "/p"), ScriptedResponse::json(200, "{}"));
  f.server.expect(ExpectedRequest("DELETE", kPods + "/p"), ScriptedResponse::json(200, "{}"));

  const ResourceRef pods = resources::pods();
  CHECK(f.client->get(pods, "ns", "p").has_value());
  CHECK(f.client->list(pods, "ns").has_value());
  CHECK_FALSE(f.client->create(pods, "ns", R"({"metadata":{"name":"p"}})").has_value());
  CHECK(f.client->update(pods, "ns", "p", R"({"metadata":{"name":"p"}})").has_value());
  CHECK(f.client->update_status(pods, "ns", "p", R"({"metadata":{"name":"p"}})").has_value());
  CHECK(f.client->patch(pods, "ns", "p", PatchType::Merge, "{}").has_value());
  CHECK(f.client->remove(pods, "ns", "p").has_value());
  CHECK(f.server.failures() == std::vector<std::string>{});

  const std::string text = f.registry.expose();
  CHECK(sample(text, R"(korder_rest_client_requests_total{verb="GET",code="200"})") == 1);
  CHECK(sample(text, R"(korder_rest_client_requests_total{verb="LIST",code="200"})") == 1);
  CHECK(sample(text, R"(korder_rest_client_requests_total{verb="CREATE",code="409"})") == 1);
  CHECK(sample(text, R"(korder_rest_client_requests_total{verb="UPDATE",code="200"})") == 2);
  CHECK(sample(text, R"(korder_rest_client_requests_total{verb="PATCH",code="200"})") == 1);
  CHECK(sample(text, R"(korder_rest_client_requests_total{verb="DELETE",code="200"})") == 1);
  CHECK(sample(text, R"(korder_rest_client_request_duration_seconds_count{verb="UPDATE"})") == 2);
  CHECK(text.find(R"(verb="WATCH")") == std::string::npos);
}

TEST_CASE("each attempt of a retried call is counted, a lost connection as code error",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(ExpectedRequest("GET", "/api/v1/nodes"), ScriptedResponse::json(503, "busy"));
  // The first drop hits the reused keep-alive connection, which the transport silently retries
  // once on a fresh one (part of the same attempt); the second drop fails the attempt.
  f.server.expect(ExpectedRequest("GET", "/api/v1/nodes"), ScriptedResponse::dropped());
  f.server.expect(ExpectedRequest("GET", "/api/v1/nodes"), ScriptedResponse::dropped());
  f.server.expect(ExpectedRequest("GET", "/api/v1/nodes"), ScriptedResponse::json(200, "{}"));
  CHECK(f.client->list(resources::nodes(), "").has_value());
  CHECK(f.server.failures() == std::vector<std::string>{});

  const std::string text = f.registry.expose();
  CHECK(sample(text, R"(korder_rest_client_requests_total{verb="LIST",code="503"})") == 1);
  CHECK(sample(text, R"(korder_rest_client_requests_total{verb="LIST",code="error"})") == 1);
  CHECK(sample(text, R"(korder_rest_client_requests_total{verb="LIST",code="200"})") == 1);
  CHECK(sample(text, R"(korder_rest_client_request_duration_seconds_count{verb="LIST"})") == 3);
}

TEST_CASE("a watch is counted when its stream ends, with the status it got",
          "[integration][kclient]") {
  Fixture f;
  WatchOptions options;
  options.timeout_seconds = 5;
  const std::string target = f.client->watch_request(resources::pods(), "ns", options).target;
  f.server.expect(ExpectedRequest("GET", target), ScriptedResponse::chunked(200, {}));
  f.server.expect(ExpectedRequest("GET", target), ScriptedResponse::json(403, "{}"));
  for (int i = 0; i < 2; ++i) {
    (void)f.io.run(f.client->async_watch(
        resources::pods(), "ns", options, [](std::string_view) {},
        std::make_shared<StreamControl>()));
  }
  CHECK(f.server.failures() == std::vector<std::string>{});
  const std::string text = f.registry.expose();
  CHECK(sample(text, R"(korder_rest_client_requests_total{verb="WATCH",code="200"})") == 1);
  CHECK(sample(text, R"(korder_rest_client_requests_total{verb="WATCH",code="403"})") == 1);
  CHECK(text.find(R"(duration_seconds_count{verb="WATCH"})") == std::string::npos);
}

TEST_CASE("DaemonRuntime's REST client counts its requests in the daemon's registry",
          "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(ExpectedRequest("GET", kPods + "/p"), ScriptedResponse::json(404, "{}"));
  testing::TempDir dir;
  CommonOptions common;
  common.kubeconfig = dir.write("kubeconfig",
                                "current-context: c\n"
                                "clusters: [{name: c, cluster: {server: '" +
                                    server.url() +
                                    "'}}]\n"
                                    "contexts: [{name: c, context: {cluster: c}}]\n");
  SystemClock clock;
  MetricsRegistry registry;
  DaemonRuntimeOptions options;
  options.name = "korder-test-daemon";
  auto runtime = DaemonRuntime::create(common, std::move(options), clock, registry);
  REQUIRE(runtime.has_value());
  // The manager's io_context, run here instead of by Manager::run (no controllers to start).
  boost::asio::io_context& ctx = (*runtime)->manager().io();
  auto work = boost::asio::make_work_guard(ctx);
  std::thread runner([&] { ctx.run_for(std::chrono::seconds(5)); });
  const auto got = (*runtime)->client().get(resources::pods(), "ns", "p");
  work.reset();
  ctx.stop();
  runner.join();
  CHECK_FALSE(got.has_value());
  CHECK(sample(registry.expose(), R"(korder_rest_client_requests_total{verb="GET",code="404"})") ==
        1);
}

}  // namespace
}  // namespace korder::kclient
