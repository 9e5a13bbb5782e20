// RestClientOptions::request_timeout: one deadline for a whole call, its retries included,
// against the scripted API server (the development cluster's version of these checks is in
// test/integration/request_timeout_integration_test.cc).

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "korder/kclient/rest_client.h"
#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/testing/scripted_api_server.h"

namespace korder::kclient {
namespace {

using namespace std::chrono_literals;
using testing::ExpectedRequest;
using testing::ScriptedApiServer;
using testing::ScriptedResponse;
using Steady = std::chrono::steady_clock;

const std::string kNode = "/api/v1/nodes/n1";

std::string status_body(int code, const std::string& reason) {
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"no",)"
         R"("reason":")" +
         reason + R"(","code":)" + std::to_string(code) + "}";
}

struct Fixture {
  explicit Fixture(RestClientOptions options, TransportOptions transport_options = {}) {
    auto made = Transport::create(io.io(), server.config(), clock, transport_options);
    REQUIRE(made.has_value());
    transport = std::move(made).value();
    client = std::make_unique<RestClient>(*transport, clock, nullptr, std::move(options));
  }

  ScriptedApiServer server;
  testing::IoThread io;
  SystemClock clock;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<RestClient> client;
};

TEST_CASE("calls are bounded by a 30 second request timeout by default", "[unit]") {
  CHECK(RestClientOptions().request_timeout == 30s);
}

TEST_CASE("an answer slower than the request timeout is a Timeout and is not retried", "[unit]") {
  RestClientOptions options;
  options.request_timeout = 300ms;
  Fixture f(options);
  f.server.expect(ExpectedRequest("GET", kNode),
                  ScriptedResponse::json(200, R"({"kind":"Node"})").delayed(3000ms));
  const auto start = Steady::now();
  auto result = f.client->get(resources::nodes(), "", "n1");
  const auto elapsed = Steady::now() - start;
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().is_timeout());
  CHECK(result.error().to_string().find("getting nodes n1") == 0);
  CHECK(elapsed >= 250ms);
  CHECK(elapsed < 2s);
  CHECK(f.server.requests().size() == 1);
}

TEST_CASE("retries stop when the next one could not start before the request timeout", "[unit]") {
  RestClientOptions options;
  options.request_timeout = 700ms;
  options.retry.max_retries = 20;
  options.retry.initial_backoff = 200ms;
  options.retry.max_backoff = 200ms;
  options.random = [] { return 0.99; };  // every backoff is ~198 ms
  Fixture f(options);
  constexpr std::size_t kScripted = 20;
  for (std::size_t i = 0; i < kScripted; ++i) {
    f.server.expect(ExpectedRequest("GET", kNode),
                    ScriptedResponse::json(503, status_body(503, "ServiceUnavailable")));
  }
  const auto start = Steady::now();
  auto result = f.client->get(resources::nodes(), "", "n1");
  const auto elapsed = Steady::now() - start;
  REQUIRE_FALSE(result.has_value());
  // The last answer is reported, not a vaguer timeout.
  CHECK(result.error().is_service_unavailable());
  CHECK(elapsed < 1500ms);
  const auto attempts = kScripted - f.server.remaining();
  CHECK(attempts >= 2);
  CHECK(attempts <= 4);
}

TEST_CASE("a Retry-After that ends past the request timeout is not waited for", "[unit]") {
  RestClientOptions options;
  options.request_timeout = 1s;
  Fixture f(options);
  f.server.expect(
      ExpectedRequest("GET", kNode),
      ScriptedResponse::json(429, status_body(429, "TooManyRequests"), {{"Retry-After", "5"}}));
  const auto start = Steady::now();
  auto result = f.client->get(resources::nodes(), "", "n1");
  const auto elapsed = Steady::now() - start;
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().is_too_many_requests());
  CHECK(result.error().retry_after() == 5s);
  CHECK(elapsed < 1s);
  CHECK(f.server.requests().size() == 1);
}

TEST_CASE("a zero request timeout leaves each attempt to the transport's own timeout", "[unit]") {
  RestClientOptions options;
  options.request_timeout = 0s;
  options.retry.max_retries = 0;
  TransportOptions transport_options;
  transport_options.request_timeout = 300ms;
  Fixture f(options, transport_options);
  f.server.expect(ExpectedRequest("GET", kNode),
                  ScriptedResponse::json(200, R"({"kind":"Node"})").delayed(3000ms));
  const auto start = Steady::now();
  auto result = f.client->get(resources::nodes(), "", "n1");
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().is_timeout());
  CHECK(Steady::now() - start < 2s);
}

}  // namespace
}  // namespace korder::kclient
