#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "korder/api/event.h"
#include "korder/api/lease.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/rest_event_sink.h"
#include "korder/kclient/rest_lease_client.h"
#include "korder/kclient/testing/eventually.h"
#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/testing/scripted_api_server.h"

namespace korder::kclient {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::ExpectedRequest;
using testing::ScriptedApiServer;
using testing::ScriptedResponse;

const std::string kLeases = "/apis/coordination.k8s.io/v1/namespaces/korder-system/leases";
const std::string kLeaseJson =
    R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"korder-order-controller",)"
    R"("namespace":"korder-system","resourceVersion":"42"},"spec":{"holderIdentity":"a",)"
    R"("leaseDurationSeconds":15,"leaseTransitions":3}})";

struct Fixture {
  Fixture() {
    auto made = Transport::create(io.io(), server.config(), clock);
    REQUIRE(made.has_value());
    transport = std::move(made).value();
    RestClientOptions options;
    options.retry.max_retries = 0;
    client = std::make_unique<RestClient>(*transport, clock, nullptr, options);
  }
  ScriptedApiServer server;
  testing::IoThread io;
  SystemClock clock;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<RestClient> client;
};

TEST_CASE("the REST lease client gets, creates and updates Leases", "[integration][kclient]") {
  Fixture f;
  RestLeaseClient leases(*f.client, f.io.io());
  const api::Lease lease = api::parse_lease(kLeaseJson).value();
  f.server.expect(ExpectedRequest("GET", kLeases + "/korder-order-controller"),
                  ScriptedResponse::json(200, kLeaseJson));
  f.server.expect(ExpectedRequest("POST", kLeases).with_body(api::to_json(lease)),
                  ScriptedResponse::json(201, kLeaseJson));
  f.server.expect(
      ExpectedRequest("PUT", kLeases + "/korder-order-controller").with_body(api::to_json(lease)),
      ScriptedResponse::json(
          409, R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Conflict",)"
               R"("code":409,"message":"the object has been modified"})"));

  auto got = leases.get("korder-system", "korder-order-controller", seconds(5));
  REQUIRE(got);
  CHECK(got->spec.holder_identity == "a");
  CHECK(got->metadata.resource_version == "42");
  auto created = leases.create(lease, seconds(5));
  REQUIRE(created);
  auto updated = leases.update(lease, seconds(5));
  REQUIRE_FALSE(updated);
  CHECK(updated.error().is_conflict());
  CHECK(f.server.failures() == std::vector<std::string>{});
}

TEST_CASE("a lease call gives up at its timeout while the server is silent",
          "[integration][kclient]") {
  Fixture f;
  RestLeaseClient leases(*f.client, f.io.io());
  f.server.expect(ExpectedRequest("GET", kLeases + "/korder-order-controller"),
                  ScriptedResponse::json(200, kLeaseJson).delayed(milliseconds(1000)));
  const auto start = std::chrono::steady_clock::now();
  auto got = leases.get("korder-system", "korder-order-controller", milliseconds(100));
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(got);
  CHECK(got.error().is_timeout());
  CHECK(got.error().to_string() ==
        "getting lease korder-system/korder-order-controller: timed out after 100ms");
  CHECK(took < milliseconds(900));
  // The abandoned request still completes in the background (and its connection returns to
  // the pool) before the client goes away.
  CHECK(testing::eventually([&] { return f.transport->idle_connections() == 1; }));
}

TEST_CASE("the REST event sink creates Events and merge-patches their count",
          "[integration][kclient]") {
  Fixture f;
  RestEventSink events(*f.client, f.io.io());
  api::Event event;
  event.metadata.namespace_ = "team-a";
  event.metadata.name = "nightly.17a6101701650000";
  event.reason = "TicketCreated";
  event.count = 1;
  const std::string kEvents = "/api/v1/namespaces/team-a/events";
  f.server.expect(ExpectedRequest("POST", kEvents).with_body(api::to_json(event)),
                  ScriptedResponse::json(201, api::to_json(event)));
  const TimePoint at = TimePoint(seconds(1704067260));  // 2024-01-01T00:01:00Z
  f.server.expect(ExpectedRequest("PATCH", kEvents + "/nightly.17a6101701650000")
                      .with_header("Content-Type", "application/merge-patch+json")
                      .with_body(R"({"count":2,"lastTimestamp":"2024-01-01T00:01:00Z"})"),
                  ScriptedResponse::json(200, api::to_json(event)));
  REQUIRE(events.create(event));
  REQUIRE(events.patch_count("team-a", "nightly.17a6101701650000", 2, at));
  CHECK(f.server.failures() == std::vector<std::string>{});
}

}  // namespace
}  // namespace korder::kclient
