#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "korder/kclient/rest_client.h"
#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/testing/scripted_api_server.h"
#include "korder/kclient/typed_resources.h"

namespace korder::kclient {
namespace {

using testing::ExpectedRequest;
using testing::ScriptedApiServer;
using testing::ScriptedResponse;

const std::string kOrders = "/apis/core.korder.dev/v1alpha1/namespaces/default/orders";
const std::string kTickets = "/apis/core.korder.dev/v1alpha1/namespaces/default/tickets";
const std::string kOrderJson =
    R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Order","metadata":{"name":"my-order",)"
    R"("namespace":"default","resourceVersion":"7"},"spec":{"replicas":2}})";

std::string ticket_json(const std::string& name) {
  return R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Ticket","metadata":{"name":")" + name +
         R"(","namespace":"default"}})";
}

struct Fixture {
  Fixture() {
    auto made = Transport::create(io.io(), server.config(), clock);
    REQUIRE(made.has_value());
    transport = std::move(made).value();
    client = std::make_unique<RestClient>(*transport, clock, nullptr);
  }
  ScriptedApiServer server;
  testing::IoThread io;
  SystemClock clock;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<RestClient> client;
};

TEST_CASE("get<Order> decodes the object", "[integration][kclient]") {
  Fixture f;
  f.server.expect(ExpectedRequest("GET", kOrders + "/my-order"),
                  ScriptedResponse::json(200, kOrderJson));
  auto order = f.client->get<api::Order>("default", "my-order");
  REQUIRE(order.has_value());
  CHECK(order->metadata.name == "my-order");
  CHECK(order->metadata.resource_version == "7");
  CHECK(order->spec.replicas == 2);
}

TEST_CASE("get<Quota> addresses the cluster-scoped collection", "[integration][kclient]") {
  Fixture f;
  f.server.expect(ExpectedRequest("GET", "/apis/core.korder.dev/v1alpha1/quotas/team-a"),
                  ScriptedResponse::json(200, R"({"kind":"Quota","metadata":{"name":"team-a"}})"));
  auto quota = f.client->get<api::Quota>("", "team-a");
  REQUIRE(quota.has_value());
  CHECK(quota->metadata.name == "team-a");
}

TEST_CASE("create<Order> posts the encoded object to its namespace", "[integration][kclient]") {
  Fixture f;
  api::Order order = api::parse_order(kOrderJson).value();
  order.metadata.resource_version.clear();
  f.server.expect(ExpectedRequest("POST", kOrders + "?fieldManager=korder-order-controller")
                      .with_body(api::to_json(order)),
                  ScriptedResponse::json(201, kOrderJson));
  CreateOptions options;
  options.field_manager = "korder-order-controller";
  auto created = f.client->create(order, options);
  REQUIRE(created.has_value());
  CHECK(created->metadata.resource_version == "7");
  CHECK(f.server.failures() == std::vector<std::string>{});
}

TEST_CASE("update_status<Ticket> puts the status subresource", "[integration][kclient]") {
  Fixture f;
  api::Ticket ticket = api::parse_ticket(ticket_json("t1")).value();
  ticket.status.phase = "Ready";
  f.server.expect(ExpectedRequest("PUT", kTickets + "/t1/status").with_body(api::to_json(ticket)),
                  ScriptedResponse::json(200, api::to_json(ticket)));
  auto updated = f.client->update_status(ticket);
  REQUIRE(updated.has_value());
  CHECK(updated->status.phase == "Ready");
  CHECK(f.server.failures() == std::vector<std::string>{});
}

TEST_CASE("list_all<Ticket> merges every page into one list", "[integration][kclient]") {
  Fixture f;
  f.server.expect(
      ExpectedRequest("GET", kTickets + "?limit=2"),
      ScriptedResponse::json(200, R"({"kind":"TicketList","metadata":{"resourceVersion":"50",)"
                                  R"("continue":"c1","remainingItemCount":1},"items":[)" +
                                      ticket_json("a") + "," + ticket_json("b") + "]}"));
  f.server.expect(
      ExpectedRequest("GET", kTickets + "?continue=c1&limit=2"),
      ScriptedResponse::json(200, R"({"kind":"TicketList","metadata":{"resourceVersion":"50"},)"
                                  R"("items":[)" +
                                      ticket_json("c") + "]}"));
  ListOptions options;
  options.limit = 2;
  auto list = f.client->list_all<api::Ticket>("default", options);
  REQUIRE(list.has_value());
  REQUIRE(list->items.size() == 3);
  CHECK(list->items[2].metadata.name == "c");
  CHECK(list->metadata.resource_version == "50");
  CHECK(list->metadata.continue_.empty());
  CHECK_FALSE(list->metadata.remaining_item_count.has_value());
}

TEST_CASE("patch<Order> and remove<Pod> return the decoded object and nothing",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(ExpectedRequest("PATCH", kOrders + "/my-order")
                      .with_header("Content-Type", "application/json-patch+json"),
                  ScriptedResponse::json(200, kOrderJson));
  f.server.expect(ExpectedRequest("DELETE", "/api/v1/namespaces/default/pods/p1"),
                  ScriptedResponse::json(200, R"({"kind":"Status","status":"Success"})"));
  auto patched = f.client->patch<api::Order>(
      "default", "my-order", PatchType::Json,
      R"([{"op":"test","path":"/metadata/resourceVersion","value":"6"}])");
  REQUIRE(patched.has_value());
  CHECK(patched->metadata.name == "my-order");
  CHECK(f.client->remove<api::Pod>("default", "p1").has_value());
  CHECK(f.server.failures() == std::vector<std::string>{});
}

TEST_CASE("a response that does not decode is an Unknown error naming the field",
          "[integration][kclient]") {
  Fixture f;
  f.server.expect(ExpectedRequest("GET", "/api/v1/nodes/n1"),
                  ScriptedResponse::json(200, R"({"kind":"Node","spec":{"unschedulable":"yes"}})"));
  auto node = f.client->get<api::Node>("", "n1");
  REQUIRE_FALSE(node.has_value());
  CHECK(node.error().reason() == ApiError::Reason::Unknown);
  CHECK(node.error().message().rfind("decoding nodes: spec.unschedulable: ", 0) == 0);
}

}  // namespace
}  // namespace korder::kclient
