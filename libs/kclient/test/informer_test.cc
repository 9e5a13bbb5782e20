#include "korder/kclient/informer.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "korder/api/ticket.h"
#include "korder/kclient/informer_factory.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/testing/eventually.h"
#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/testing/scripted_api_server.h"
#include "korder/kclient/typed_resources.h"
#include "ticket_fixtures.h"

namespace korder::kclient {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::ExpectedRequest;
using testing::ScriptedApiServer;
using testing::ScriptedResponse;
using Names = std::vector<std::string>;
using test::bookmark_json;
using test::event_json;
using test::list_json;
using test::ticket_json;

const std::string kTickets = "/apis/core.korder.dev/v1alpha1/namespaces/ns/tickets";

const std::string kGoneEvent = event_json(
    "ERROR",
    R"json({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 10 (15)","reason":"Expired","code":410})json");

// A 200 chunked watch response that sends `events` and then breaks the connection without the
// terminating chunk (a server or proxy that went away mid-stream).
ScriptedResponse cut_stream(const std::vector<std::string>& events) {
  std::string bytes =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const std::string& e : events) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", e.size());
    bytes += size + e + "\r\n";
  }
  return ScriptedResponse::raw(bytes);
}

ExpectedRequest list_request(const std::string& query = "?limit=500") {
  return ExpectedRequest("GET", kTickets + query);
}

// timeoutSeconds is min_watch_timeout exactly, since the test randomness is 0.
ExpectedRequest watch_request(const std::string& rv) {
  return ExpectedRequest("GET", kTickets + "?allowWatchBookmarks=true&resourceVersion=" + rv +
                                    "&timeoutSeconds=60&watch=true");
}

// Short timings through the same options production sets.
InformerOptions test_options() {
  InformerOptions options;
  options.resource = resources::tickets();
  options.namespace_ = "ns";
  options.min_watch_timeout = 60s;
  options.backoff.initial_delay = 1ms;
  options.backoff.max_delay = 10ms;
  options.min_healthy_watch = 0ms;
  options.random = [] { return 0.0; };
  return options;
}

// Records what the handlers saw, as `add t1@5`, `update t1@5->12`, `delete t2@6 (tombstone)`.
struct Recorder {
  mutable std::mutex mu;
  Names log;

  void record(std::string line) {
    std::lock_guard lock(mu);
    log.push_back(std::move(line));
  }
  Names lines() const {
    std::lock_guard lock(mu);
    return log;
  }
  ResourceEventHandler<api::Ticket> handler() {
    using Ptr = std::shared_ptr<const api::Ticket>;
    auto at = [](const Ptr& t) { return t->metadata.name + "@" + t->metadata.resource_version; };
    return {[this, at](const Ptr& t) { record("add " + at(t)); },
            [this, at](const Ptr& o, const Ptr& n) {
              record("update " + at(o) + "->" + n->metadata.resource_version);
            },
            [this, at](const DeletedObject<api::Ticket>& d) {
              record("delete " + at(d.object) + (d.final_state_unknown ? " (tombstone)" : ""));
            }};
  }
};

// Server, io thread, transport, client, then informers: destroyed in reverse.
struct Fixture {
  Fixture() {
    auto made = Transport::create(io.io(), server.config(), clock);
    REQUIRE(made.has_value());
    transport = std::move(made).value();
    RestClientOptions client_options;
    client_options.retry.max_retries = 0;  // the informer's own backoff is under test
    client = std::make_unique<RestClient>(*transport, clock, nullptr, client_options);
  }

  std::unique_ptr<Informer<api::Ticket>> make_informer(InformerOptions options = test_options()) {
    auto informer =
        std::make_unique<Informer<api::Ticket>>(*client, io.io(), clock, std::move(options));
    informer->add_event_handler(recorder.handler());
    return informer;
  }

  void expect_no_server_failures() const {
    for (const auto& f : server.failures()) {
      FAIL_CHECK(f);
    }
  }

  ScriptedApiServer server;
  testing::IoThread io;
  SystemClock clock;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<RestClient> client;
  Recorder recorder;
};

TEST_CASE("an informer lists, watches from the list's version and applies the events",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(list_request(),
                  ScriptedResponse::json(200, list_json("10", {ticket_json("t1", "5")})));
  f.server.expect(watch_request("10"), ScriptedResponse::open_stream(
                                           {event_json("ADDED", ticket_json("t2", "11")) +
                                                event_json("MODIFIED", ticket_json("t1", "12")),
                                            event_json("DELETED", ticket_json("t2", "13"))}));
  auto informer = f.make_informer();
  informer->start();

  REQUIRE(eventually([&] { return informer->store().resource_version() == "13"; }));
  CHECK(f.recorder.lines() == Names{"add t1@5", "add t2@11", "update t1@5->12", "delete t2@13"});
  CHECK(informer->has_synced());
  REQUIRE(informer->store().size() == 1);
  CHECK(informer->store().get("ns/t1")->metadata.resource_version == "12");
  CHECK(informer->stop_and_wait(10s));
  f.expect_no_server_failures();
}

TEST_CASE("an informer has synced only once its whole initial list is delivered",
          "[integration][kclient]") {
  Fixture f;
  InformerOptions options = test_options();
  options.page_size = 2;
  f.server.expect(list_request("?limit=2"),
                  ScriptedResponse::json(
                      200, list_json("20", {ticket_json("a", "1"), ticket_json("b", "2")}, "c1")));
  f.server.expect(
      list_request("?continue=c1&limit=2"),
      ScriptedResponse::json(200, list_json("20", {ticket_json("c", "3")})).delayed(300ms));
  f.server.expect(watch_request("20"), ScriptedResponse::open_stream({}));
  auto informer = f.make_informer(options);
  informer->start();

  REQUIRE(f.server.wait_for_requests(2));
  // The second page is on its way: the first is buffered, not in the store.
  CHECK_FALSE(informer->has_synced());
  CHECK(informer->store().size() == 0);
  CHECK(f.recorder.lines().empty());

  CHECK(informer->wait_for_sync(10s));
  CHECK(informer->store().size() == 3);
  CHECK(informer->store().resource_version() == "20");
  CHECK(f.recorder.lines() == Names{"add a@1", "add b@2", "add c@3"});
  REQUIRE(f.server.wait_for_requests(3));
  CHECK(informer->stop_and_wait(10s));
  f.expect_no_server_failures();
}

TEST_CASE("a watch the server ends is resumed from the last bookmark without a relist",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(list_request(), ScriptedResponse::json(200, list_json("10", {})));
  // The server's timeoutSeconds elapsed: the stream ends cleanly after an event and a bookmark.
  f.server.expect(watch_request("10"),
                  ScriptedResponse::chunked(
                      200, {event_json("ADDED", ticket_json("t1", "11")), bookmark_json("15")}));
  f.server.expect(watch_request("15"), ScriptedResponse::open_stream({bookmark_json("42")}));
  auto informer = f.make_informer();
  informer->start();

  REQUIRE(eventually([&] { return informer->store().resource_version() == "42"; }));
  CHECK(f.recorder.lines() == Names{"add t1@11"});
  CHECK(informer->stats().list_calls == 1);
  CHECK(informer->stats().relists == 0);
  CHECK(informer->stop_and_wait(10s));
  f.expect_no_server_failures();
}

TEST_CASE("a watch connection that breaks mid-stream is resumed from the last version seen",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(list_request(), ScriptedResponse::json(200, list_json("10", {})));
  f.server.expect(watch_request("10"),
                  cut_stream({event_json("ADDED", ticket_json("t1", "11")),
                              event_json("MODIFIED", ticket_json("t1", "12"))}));
  f.server.expect(watch_request("12"),
                  ScriptedResponse::open_stream({event_json("DELETED", ticket_json("t1", "13"))}));
  auto informer = f.make_informer();
  informer->start();

  REQUIRE(eventually([&] { return informer->store().resource_version() == "13"; }));
  CHECK(f.recorder.lines() == Names{"add t1@11", "update t1@11->12", "delete t1@13"});
  CHECK(informer->stats().list_calls == 1);
  CHECK(informer->stats().errors == 1);
  CHECK(informer->stop_and_wait(10s));
  f.expect_no_server_failures();
}

TEST_CASE("410 Gone in the watch relists and an object deleted meanwhile is a tombstone delete",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(list_request(),
                  ScriptedResponse::json(
                      200, list_json("10", {ticket_json("t1", "5"), ticket_json("t2", "6")})));
  f.server.expect(watch_request("10"), ScriptedResponse::chunked(200, {kGoneEvent}));
  // While the watch was down t2 was deleted and t1 modified.
  f.server.expect(list_request(),
                  ScriptedResponse::json(200, list_json("30", {ticket_json("t1", "25")})));
  f.server.expect(watch_request("30"), ScriptedResponse::open_stream({}));
  auto informer = f.make_informer();
  informer->start();

  REQUIRE(f.server.wait_for_requests(4));
  REQUIRE(eventually([&] { return informer->store().resource_version() == "30"; }));
  CHECK(f.recorder.lines() ==
        Names{"add t1@5", "add t2@6", "delete t2@6 (tombstone)", "update t1@5->25"});
  CHECK(informer->store().size() == 1);
  CHECK(informer->stats().relists == 1);
  CHECK(informer->stop_and_wait(10s));
  f.expect_no_server_failures();
}

TEST_CASE("a failed list is retried after a backoff and the informer then syncs",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(list_request(), ScriptedResponse::json(503, "{}"));
  f.server.expect(list_request(), ScriptedResponse::json(500, "{}"));
  f.server.expect(list_request(),
                  ScriptedResponse::json(200, list_json("10", {ticket_json("t1", "5")})));
  f.server.expect(watch_request("10"), ScriptedResponse::open_stream({}));
  auto informer = f.make_informer();
  informer->start();

  CHECK(informer->wait_for_sync(10s));
  CHECK(informer->stats().errors == 2);
  CHECK(informer->stats().list_calls == 3);
  CHECK(f.recorder.lines() == Names{"add t1@5"});
  REQUIRE(f.server.wait_for_requests(4));
  CHECK(informer->stop_and_wait(10s));
  f.expect_no_server_failures();
}

TEST_CASE("an object that does not decode is skipped and counted", "[integration][kclient]") {
  Fixture f;
  const std::string bad =
      R"({"metadata":{"name":"bad","namespace":"ns","resourceVersion":"7"},"spec":{"duration":5}})";
  f.server.expect(list_request(),
                  ScriptedResponse::json(200, list_json("10", {bad, ticket_json("ok", "8")})));
  f.server.expect(watch_request("10"), ScriptedResponse::open_stream(
                                           {event_json("MODIFIED", bad) + bookmark_json("11")}));
  auto informer = f.make_informer();
  informer->start();

  REQUIRE(eventually([&] { return informer->store().resource_version() == "11"; }));
  CHECK(informer->stats().decode_failures == 2);
  CHECK(f.recorder.lines() == Names{"add ok@8"});
  CHECK(informer->stop_and_wait(10s));
  f.expect_no_server_failures();
}

TEST_CASE("a periodic resync re-delivers every cached object as an update",
          "[integration][kclient]") {
  Fixture f;
  InformerOptions options = test_options();
  options.resync_period = 20ms;
  f.server.expect(list_request(),
                  ScriptedResponse::json(200, list_json("10", {ticket_json("t1", "5")})));
  f.server.expect(watch_request("10"), ScriptedResponse::open_stream({}));
  auto informer = f.make_informer(options);
  informer->start();

  REQUIRE(eventually([&] { return f.recorder.lines().size() >= 3; }));
  const Names lines = f.recorder.lines();
  CHECK(lines[0] == "add t1@5");
  CHECK(lines[1] == "update t1@5->5");
  CHECK(lines[2] == "update t1@5->5");
  CHECK(informer->stop_and_wait(10s));
}

TEST_CASE("the factory shares one informer per resource and scope and waits for their caches",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(list_request("?labelSelector=app%3Dshop&limit=500"),
                  ScriptedResponse::json(200, list_json("10", {ticket_json("t1", "5")})));
  f.server.expect(
      ExpectedRequest("GET", kTickets + "?allowWatchBookmarks=true&labelSelector=app%3Dshop&"
                                        "resourceVersion=10&timeoutSeconds=60&watch=true"),
      ScriptedResponse::open_stream({}));
  InformerFactory factory(*f.client, f.io.io(), f.clock, test_options());
  const InformerScope shop{"ns", "app=shop", ""};
  Informer<api::Ticket>& tickets = factory.informer<api::Ticket>(shop);
  CHECK(&factory.informer<api::Ticket>(shop) == &tickets);
  tickets.add_event_handler(f.recorder.handler());

  factory.start();
  CHECK(factory.wait_for_cache_sync(10s));
  CHECK(tickets.has_synced());
  CHECK(tickets.store().get("ns/t1") != nullptr);
  CHECK(f.recorder.lines() == Names{"add t1@5"});

  // Another scope is another informer, idle until the next start().
  Informer<api::Ticket>& other = factory.informer<api::Ticket>(InformerScope{"other", "", ""});
  CHECK(&other != &tickets);
  CHECK_FALSE(other.has_synced());
  CHECK(factory.has_synced());  // only started informers count
  f.expect_no_server_failures();
  CHECK(factory.stop(10s));
}

}  // namespace
}  // namespace korder::kclient
