#include "korder/kclient/watches.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "absl/synchronization/mutex.h"
#include "korder/api/ticket.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/testing/eventually.h"
#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/testing/scripted_api_server.h"
#include "korder/kclient/typed_resources.h"
#include "ticket_fixtures.h"

namespace korder::kclient {
namespace {

using namespace std::chrono_literals;
using testing::ExpectedRequest;
using testing::ScriptedApiServer;
using testing::ScriptedResponse;

const std::string kTickets = "/apis/core.korder.dev/v1alpha1/namespaces/ns/tickets";

// A ticket owned by Order `order` (the controller reference), as the API server sends it.
std::string owned_ticket_json(const std::string& name, const std::string& rv,
                              const std::string& order) {
  return R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Ticket","metadata":{"name":")" + name +
         R"(","namespace":"ns","uid":"uid-)" + name + R"(","resourceVersion":")" + rv +
         R"(","ownerReferences":[{"apiVersion":"core.korder.dev/v1alpha1","kind":"Order",)"
         R"("name":")" +
         order + R"(","uid":"uid-)" + order + R"(","controller":true}]},"spec":{"duration":"1h"}})";
}

TEST_CASE("an informer wired with watches wakes its controller for each object and its owner",
          "[integration][kclient]") {
  ScriptedApiServer server;
  testing::IoThread io;
  SystemClock clock;
  auto transport = Transport::create(io.io(), server.config(), clock);
  REQUIRE(transport.has_value());
  RestClientOptions client_options;
  client_options.retry.max_retries = 0;
  RestClient client(**transport, clock, nullptr, client_options);

  server.expect(
      ExpectedRequest("GET", kTickets + "?limit=500"),
      ScriptedResponse::json(200, test::list_json("10", {owned_ticket_json("t1", "5", "o1")})));
  server.expect(
      ExpectedRequest("GET", kTickets + "?allowWatchBookmarks=true&resourceVersion=10&"
                                        "timeoutSeconds=60&watch=true"),
      ScriptedResponse::open_stream({test::event_json("ADDED", test::ticket_json("t2", "11"))}));

  InformerOptions options;
  options.resource = resources::tickets();
  options.namespace_ = "ns";
  options.min_watch_timeout = 60s;
  options.random = [] { return 0.0; };
  Informer<api::Ticket> informer(client, io.io(), clock, options);

  absl::Mutex mu;
  std::set<std::string> reconciled;
  ReconcilerFunc reconciler([&](const Request& r) -> Expected<ReconcileResult, ReconcileError> {
    absl::MutexLock lock(&mu);
    reconciled.insert(r.to_string());
    return ReconcileResult::done();
  });
  MetricsRegistry metrics;
  ControllerOptions controller_options;
  controller_options.name = "test";
  controller_options.sync_poll_interval = 1ms;
  Controller controller(std::move(controller_options), reconciler, clock, metrics);
  watches(controller, informer, enqueue_self<api::Ticket>(controller));
  watches(controller, informer,
          enqueue_owner<api::Ticket>(controller, OwnerKind{"core.korder.dev", "Order", false}));

  controller.start();
  informer.start();
  REQUIRE(testing::eventually([&] {
    absl::MutexLock lock(&mu);
    return reconciled == std::set<std::string>{"ns/t1", "ns/o1", "ns/t2"};
  }));
  CHECK(controller.synced());
  controller.shutdown();
  CHECK(informer.stop_and_wait(10s));
  CHECK(server.failures() == std::vector<std::string>{});
}

}  // namespace
}  // namespace korder::kclient
