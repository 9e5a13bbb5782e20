#include "korder/kclient/transport.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "korder/kclient/testing/eventually.h"
#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/testing/scripted_api_server.h"

namespace korder::kclient {
namespace {

using namespace std::chrono_literals;
using testing::ExpectedRequest;
using testing::IoThread;
using testing::ScriptedApiServer;
using testing::ScriptedResponse;

const std::string kPod = R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p1"}})";

std::unique_ptr<Transport> make_transport(IoThread& io, const Config& config,
                                          TransportOptions options = {}) {
  static SystemClock clock;
  auto transport = Transport::create(io.io(), config, clock, std::move(options));
  REQUIRE(transport.has_value());
  return std::move(transport).value();
}

HttpRequest get(std::string target) {
  HttpRequest request;
  request.method = "GET";
  request.target = std::move(target);
  request.idempotent = true;
  return request;
}

Expected<HttpResponse, ApiError> send(IoThread& io, Transport& transport, HttpRequest request) {
  return io.run(transport.async_request(std::move(request)));
}

TEST_CASE("a GET sends korder's headers and returns the status, headers and body",
          "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(ExpectedRequest("GET", "/api/v1/namespaces/default/pods/p1")
                    .with_body("")
                    .with_header("Accept", "application/json")
                    .with_header("User-Agent", "korder/0.1")
                    .with_header("Host", "127.0.0.1:" + std::to_string(server.port()))
                    .without_header("Authorization")
                    .without_header("Content-Type")
                    .without_header("Accept-Encoding"),
                ScriptedResponse::json(200, kPod, {{"Audit-Id", "abc"}}));
  IoThread io;
  auto transport = make_transport(io, server.config());
  auto response = send(io, *transport, get("/api/v1/namespaces/default/pods/p1"));
  REQUIRE(response.has_value());
  CHECK(response->status == 200);
  CHECK(response->body == kPod);
  CHECK(response->header("audit-id") == "abc");
  CHECK(response->header("content-type") == "application/json");
  CHECK(server.failures() == std::vector<std::string>{});
}

TEST_CASE("a bearer token and a request body are sent with their headers",
          "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(ExpectedRequest("POST", "/api/v1/namespaces/default/pods")
                    .with_body(kPod)
                    .with_header("Authorization", "Bearer s3cr3t")
                    .with_header("Content-Type", "application/json")
                    .with_header("Content-Length", std::to_string(kPod.size())),
                ScriptedResponse::json(201, kPod));
  IoThread io;
  Config config = server.config();
  config.bearer_token = "s3cr3t";
  auto transport = make_transport(io, config);
  HttpRequest request;
  request.method = "POST";
  request.target = "/api/v1/namespaces/default/pods";
  request.content_type = "application/json";
  request.body = kPod;
  auto response = send(io, *transport, request);
  REQUIRE(response.has_value());
  CHECK(response->status == 201);
  CHECK(server.failures() == std::vector<std::string>{});
}

TEST_CASE("two requests in a row share one keep-alive connection", "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(ExpectedRequest("GET", "/a"), ScriptedResponse::json(200, "{}"));
  server.expect(ExpectedRequest("GET", "/b"), ScriptedResponse::json(404, "{}"));
  IoThread io;
  auto transport = make_transport(io, server.config());
  CHECK(send(io, *transport, get("/a"))->status == 200);
  CHECK(transport->idle_connections() == 1);
  CHECK(send(io, *transport, get("/b"))->status == 404);
  CHECK(server.connections_accepted() == 1);
  CHECK(transport->connections_opened() == 1);
  CHECK(server.failures() == std::vector<std::string>{});
}

TEST_CASE("a connection the server closed while idle is not reused", "[integration][kclient]") {
  ScriptedApiServer server;
  auto closing = ScriptedResponse::json(200, "{}");
  closing.after = ScriptedResponse::After::Close;
  server.expect(ExpectedRequest("GET", "/a"), closing);
  server.expect(ExpectedRequest("POST", "/b"), ScriptedResponse::json(201, "{}"));
  IoThread io;
  auto transport = make_transport(io, server.config());
  CHECK(send(io, *transport, get("/a"))->status == 200);
  REQUIRE(server.wait_for_closed_connections(1));
  // Not idempotent, so only the idle check (not a resend) can make this succeed.
  HttpRequest post;
  post.method = "POST";
  post.target = "/b";
  auto response = send(io, *transport, post);
  REQUIRE(response.has_value());
  CHECK(response->status == 201);
  CHECK(server.connections_accepted() == 2);
  CHECK(server.failures() == std::vector<std::string>{});
}

TEST_CASE("an idempotent request that a reused connection drops is resent once on a fresh one",
          "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(ExpectedRequest("GET", "/a"), ScriptedResponse::json(200, "{}"));
  server.expect(ExpectedRequest("GET", "/b"), ScriptedResponse::dropped());
  server.expect(ExpectedRequest("GET", "/b"), ScriptedResponse::json(200, R"({"ok":true})"));
  IoThread io;
  auto transport = make_transport(io, server.config());
  REQUIRE(send(io, *transport, get("/a")).has_value());
  auto response = send(io, *transport, get("/b"));
  REQUIRE(response.has_value());
  CHECK(response->body == R"({"ok":true})");
  CHECK(server.connections_accepted() == 2);
  CHECK(server.requests().size() == 3);
  CHECK(server.failures() == std::vector<std::string>{});
}

TEST_CASE("a POST that a reused connection drops after sending is not resent",
          "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(ExpectedRequest("GET", "/a"), ScriptedResponse::json(200, "{}"));
  server.expect(ExpectedRequest("POST", "/b"), ScriptedResponse::dropped());
  IoThread io;
  auto transport = make_transport(io, server.config());
  REQUIRE(send(io, *transport, get("/a")).has_value());
  HttpRequest post;
  post.method = "POST";
  post.target = "/b";
  post.content_type = "application/json";
  post.body = "{}";
  auto response = send(io, *transport, post);
  REQUIRE_FALSE(response.has_value());
  CHECK(response.error().is_transport());
  CHECK(server.requests().size() == 2);
  CHECK(server.failures() == std::vector<std::string>{});
}

TEST_CASE("a request that a fresh connection drops fails without a resend",
          "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(ExpectedRequest("GET", "/a"), ScriptedResponse::dropped());
  IoThread io;
  auto transport = make_transport(io, server.config());
  auto response = send(io, *transport, get("/a"));
  REQUIRE_FALSE(response.has_value());
  CHECK(response.error().is_transport());
  CHECK(response.error().message().rfind("reading the response from 127.0.0.1:", 0) == 0);
  CHECK(server.requests().size() == 1);
}

TEST_CASE("a response slower than the request timeout fails with Timeout",
          "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(ExpectedRequest("GET", "/slow"), ScriptedResponse::json(200, "{}").delayed(3s));
  server.expect(ExpectedRequest("GET", "/fast"), ScriptedResponse::json(200, "{}"));
  IoThread io;
  auto transport = make_transport(io, server.config());
  HttpRequest slow = get("/slow");
  slow.timeout = 100ms;
  const auto start = std::chrono::steady_clock::now();
  auto response = send(io, *transport, slow);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(response.has_value());
  CHECK(response.error().is_timeout());
  CHECK(response.error().message() ==
        "reading the response from 127.0.0.1:" + std::to_string(server.port()) +
            ": timed out after 100ms");
  CHECK(elapsed < 2s);
  // The timed-out connection is gone; the next request opens another.
  CHECK(send(io, *transport, get("/fast"))->status == 200);
  CHECK(server.connections_accepted() == 2);
}

TEST_CASE("a refused connection is a Transport error naming the server", "[integration][kclient]") {
  Config config;
  {
    ScriptedApiServer gone;
    config = gone.config();
  }
  IoThread io;
  auto transport = make_transport(io, config);
  auto response = send(io, *transport, get("/a"));
  REQUIRE_FALSE(response.has_value());
  CHECK(response.error().is_transport());
  CHECK(response.error().message() ==
        "connecting to " + config.url.authority() + ": Connection refused");
}

TEST_CASE("a chunked response split at awkward places is read whole", "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(
      ExpectedRequest("GET", "/list"),
      ScriptedResponse::chunked(200, {R"({"kind":"PodList",)", R"("items":[)", kPod, "]}"})
          .split_every(3, 1ms));
  IoThread io;
  auto transport = make_transport(io, server.config());
  auto response = send(io, *transport, get("/list"));
  REQUIRE(response.has_value());
  CHECK(response->body == R"({"kind":"PodList","items":[)" + kPod + "]}");
  CHECK(transport->idle_connections() == 1);
}

TEST_CASE("a body or header over its limit, or a malformed response, is a Transport error",
          "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(ExpectedRequest("GET", "/big"), ScriptedResponse::json(200, std::string(100, ' ')));
  server.expect(ExpectedRequest("GET", "/big-chunked"),
                ScriptedResponse::chunked(200, {std::string(8, ' '), std::string(8, ' ')}));
  server.expect(ExpectedRequest("GET", "/big-header"),
                ScriptedResponse::json(200, "{}", {{"X-Padding", std::string(2000, 'x')}}));
  server.expect(ExpectedRequest("GET", "/garbage"), ScriptedResponse::raw("SMTP ready\r\n\r\n"));
  IoThread io;
  TransportOptions options;
  options.max_header_bytes = 1024;
  auto transport = make_transport(io, server.config(), options);
  for (const char* target : {"/big", "/big-chunked"}) {
    INFO(target);
    HttpRequest big = get(target);
    big.max_body_bytes = 10;
    auto too_big = send(io, *transport, big);
    REQUIRE_FALSE(too_big.has_value());
    CHECK(too_big.error().is_transport());
    CHECK(too_big.error().message().find("the response body is larger than the limit") !=
          std::string::npos);
  }
  auto big_header = send(io, *transport, get("/big-header"));
  REQUIRE_FALSE(big_header.has_value());
  CHECK(big_header.error().message().find("the response header is larger than the limit") !=
        std::string::npos);
  auto garbage = send(io, *transport, get("/garbage"));
  REQUIRE_FALSE(garbage.has_value());
  CHECK(garbage.error().is_transport());
}

TEST_CASE("idle connections beyond the pool bound are closed", "[integration][kclient]") {
  ScriptedApiServer server;
  // Both answers wait, so the two requests overlap and need two connections.
  server.expect(ExpectedRequest("GET", "/a"), ScriptedResponse::json(200, "{}").delayed(200ms));
  server.expect(ExpectedRequest("GET", "/a"), ScriptedResponse::json(200, "{}").delayed(200ms));
  IoThread io;
  TransportOptions options;
  options.max_idle_connections = 1;
  auto transport = make_transport(io, server.config(), options);
  auto first =
      boost::asio::co_spawn(io.io(), transport->async_request(get("/a")), boost::asio::use_future);
  auto second =
      boost::asio::co_spawn(io.io(), transport->async_request(get("/a")), boost::asio::use_future);
  CHECK(first.get().has_value());
  CHECK(second.get().has_value());
  CHECK(server.connections_accepted() == 2);
  CHECK(transport->idle_connections() == 1);
  CHECK(server.wait_for_closed_connections(1));
}

TEST_CASE("a stream delivers the body as it arrives until the server ends it",
          "[integration][kclient]") {
  ScriptedApiServer server;
  const std::string e1 = R"({"type":"ADDED","object":{"kind":"Pod"}})"
                         "\n";
  const std::string e2 = R"({"type":"DELETED","object":{"kind":"Pod"}})"
                         "\n";
  server.expect(ExpectedRequest("GET", "/watch"),
                ScriptedResponse::chunked(200, {e1, e2}).split_every(5, 1ms));
  IoThread io;
  auto transport = make_transport(io, server.config());
  std::string received;
  int chunks = 0;
  auto result = io.run(transport->async_stream(
      get("/watch"),
      [&](std::string_view bytes) {
        received.append(bytes);
        ++chunks;
      },
      std::make_shared<StreamControl>()));
  REQUIRE(result.has_value());
  CHECK(received == e1 + e2);
  CHECK(chunks > 1);
}

TEST_CASE("a stream stopped from another thread ends without an error", "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(ExpectedRequest("GET", "/watch"), ScriptedResponse::open_stream({"first\n"}));
  IoThread io;
  auto transport = make_transport(io, server.config());
  auto control = std::make_shared<StreamControl>();
  std::atomic<bool> got_first{false};
  auto future = boost::asio::co_spawn(
      io.io(),
      transport->async_stream(
          get("/watch"), [&](std::string_view) { got_first = true; }, control),
      boost::asio::use_future);
  REQUIRE(testing::eventually([&] { return got_first.load(); }));
  control->stop();
  auto result = future.get();
  CHECK(result.has_value());
  CHECK(server.wait_for_closed_connections(1));
}

TEST_CASE("a stream stopped before it starts does not connect", "[integration][kclient]") {
  ScriptedApiServer server;
  IoThread io;
  auto transport = make_transport(io, server.config());
  auto control = std::make_shared<StreamControl>();
  control->stop();
  auto result = io.run(transport->async_stream(
      get("/watch"), [](std::string_view) {}, control));
  CHECK(result.has_value());
  CHECK(server.connections_accepted() == 0);
}

TEST_CASE("a stream answered with an error status returns its ApiError", "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(ExpectedRequest("GET", "/watch"),
                ScriptedResponse::json(
                    410, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                         R"("message":"too old","reason":"Expired","code":410})"));
  IoThread io;
  auto transport = make_transport(io, server.config());
  bool called = false;
  auto result = io.run(transport->async_stream(
      get("/watch"), [&](std::string_view) { called = true; }, std::make_shared<StreamControl>()));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().is_gone());
  CHECK(result.error().message() == "too old");
  CHECK_FALSE(called);
}

TEST_CASE("a stream the server cuts mid-body is a Transport error", "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(ExpectedRequest("GET", "/watch"),
                ScriptedResponse::raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                      "6\r\nfirst\n\r\n20\r\npartial"));
  IoThread io;
  auto transport = make_transport(io, server.config());
  std::string received;
  auto result = io.run(transport->async_stream(
      get("/watch"), [&](std::string_view bytes) { received.append(bytes); },
      std::make_shared<StreamControl>()));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().is_transport());
  CHECK(received.rfind("first\n", 0) == 0);
}

TEST_CASE("a silent stream times out after its idle timeout", "[integration][kclient]") {
  ScriptedApiServer server;
  server.expect(ExpectedRequest("GET", "/watch"), ScriptedResponse::open_stream({"first\n"}));
  IoThread io;
  auto transport = make_transport(io, server.config());
  HttpRequest watch = get("/watch");
  watch.timeout = 150ms;
  auto result = io.run(transport->async_stream(
      watch, [](std::string_view) {}, std::make_shared<StreamControl>()));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().is_timeout());
}

}  // namespace
}  // namespace korder::kclient
