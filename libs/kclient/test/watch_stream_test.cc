// A watch end to end: RestClient::async_watch feeding a WatchDecoder, against a scripted server
// that splits chunks awkwardly, ends with a 410, drops the connection, or never ends.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "korder/kclient/rest_client.h"
#include "korder/kclient/testing/eventually.h"
#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/testing/scripted_api_server.h"
#include "korder/kclient/watch_event.h"

namespace korder::kclient {
namespace {

using namespace std::chrono_literals;
using testing::ExpectedRequest;
using testing::ScriptedApiServer;
using testing::ScriptedResponse;

const std::string kWatchTarget =
    "/apis/core.korder.dev/v1alpha1/namespaces/default/tickets"
    "?allowWatchBookmarks=true&resourceVersion=100&timeoutSeconds=60&watch=true";

std::string event(const std::string& type, const std::string& name, int rv) {
  return R"({"type":")" + type + R"(","object":{"kind":"Ticket","metadata":{"name":")" + name +
         R"(","resourceVersion":")" + std::to_string(rv) + R"("}}})" + "\n";
}

// `data` framed as one HTTP/1.1 chunk.
std::string http_chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  return size + data + "\r\n";
}

// What a watch produced: the events in order, and the error that ended it, if any.
struct Collected {
  std::mutex mu;
  WatchDecoder decoder;
  std::vector<WatchEvent> events;
  std::vector<ApiError> errors;

  void feed(std::string_view bytes) {
    std::lock_guard lock(mu);
    decoder.feed(bytes);
    while (true) {
      auto next = decoder.next();
      if (!next) {
        errors.push_back(next.error());
        continue;
      }
      if (!next->has_value()) {
        return;
      }
      events.push_back(std::move(**next));
    }
  }
  std::size_t event_count() {
    std::lock_guard lock(mu);
    return events.size();
  }
};

struct Fixture {
  Fixture() {
    auto made = Transport::create(io.io(), server.config(), clock);
    REQUIRE(made.has_value());
    transport = std::move(made).value();
    client = std::make_unique<RestClient>(*transport, clock, nullptr);
    options.resource_version = "100";
    options.timeout_seconds = 60;
  }
  boost::asio::awaitable<Expected<void, ApiError>> watch(Collected& out,
                                                         std::shared_ptr<StreamControl> control) {
    return client->async_watch(
        resources::tickets(), "default", options, [&out](std::string_view b) { out.feed(b); },
        std::move(control));
  }
  ScriptedApiServer server;
  testing::IoThread io;
  SystemClock clock;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<RestClient> client;
  WatchOptions options;
};

TEST_CASE("a watch split at awkward places decodes every event, then the 410 that ends it",
          "[integration][kclient]") {
  Fixture f;
  const std::string gone =
      R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},)"
      R"j("status":"Failure","message":"too old resource version: 100 (150)",)j"
      R"("reason":"Expired","code":410}})"
      "\n";
  // Two events in one chunk, one event over three chunks, then the error.
  const std::string a = event("ADDED", "a", 101);
  const std::string b = event("MODIFIED", "a", 102);
  const std::string c = event("DELETED", "a", 103);
  f.server.expect(ExpectedRequest("GET", kWatchTarget),
                  ScriptedResponse::chunked(
                      200, {a + b, c.substr(0, 10), c.substr(10, 20), c.substr(30) + gone})
                      .split_every(7, 1ms));
  Collected out;
  auto result = f.io.run(f.watch(out, std::make_shared<StreamControl>()));
  REQUIRE(result.has_value());
  REQUIRE(out.events.size() == 3);
  CHECK(out.events[0].type == WatchEventType::Added);
  CHECK(out.events[1].type == WatchEventType::Modified);
  CHECK(out.events[2].type == WatchEventType::Deleted);
  CHECK(out.events[2].object ==
        R"({"kind":"Ticket","metadata":{"name":"a","resourceVersion":"103"}})");
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].is_gone());
  CHECK(f.server.failures() == std::vector<std::string>{});
}

TEST_CASE("a watch whose connection drops delivers what arrived and fails",
          "[integration][kclient]") {
  Fixture f;
  const std::string a = event("ADDED", "a", 101);
  f.server.expect(ExpectedRequest("GET", kWatchTarget),
                  ScriptedResponse::raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                        "Transfer-Encoding: chunked\r\n\r\n" +
                                        http_chunk(a) + "40\r\n{\"type\":\"ADD"));
  Collected out;
  auto result = f.io.run(f.watch(out, std::make_shared<StreamControl>()));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().is_transport());
  CHECK(result.error().context() == "watching tickets.core.korder.dev in default");
  CHECK(out.events.size() == 1);
  CHECK(out.decoder.buffered_bytes() > 0);  // the cut event stays incomplete
}

TEST_CASE("a watch is stopped from outside while the server keeps it open",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(ExpectedRequest("GET", kWatchTarget),
                  ScriptedResponse::open_stream({event("ADDED", "a", 101)}));
  Collected out;
  auto control = std::make_shared<StreamControl>();
  auto future = boost::asio::co_spawn(f.io.io(), f.watch(out, control), boost::asio::use_future);
  REQUIRE(testing::eventually([&] { return out.event_count() == 1; }));
  control->stop();
  CHECK(future.get().has_value());
  CHECK(f.server.wait_for_closed_connections(1));
}

TEST_CASE("a watch refused with a Status returns its error before any event",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(
      ExpectedRequest("GET", kWatchTarget),
      ScriptedResponse::json(403, R"({"kind":"Status","apiVersion":"v1","metadata":{},)"
                                  R"("status":"Failure","message":"tickets is forbidden",)"
                                  R"("reason":"Forbidden","code":403})"));
  Collected out;
  auto result = f.io.run(f.watch(out, std::make_shared<StreamControl>()));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().is_forbidden());
  CHECK(result.error().to_string() ==
        "watching tickets.core.korder.dev in default: tickets is forbidden");
  CHECK(out.events.empty());
}

}  // namespace
}  // namespace korder::kclient
