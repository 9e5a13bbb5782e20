// korder-order-controller end to end: the development cluster and the daemon as separate
// processes, checked through the API. No ticket controller runs: the tests play its part by
// writing ticket status and removing ticket finalizers themselves.

#include <algorithm>
#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "korder/api/order.h"
#include "korder/api/ticket.h"
#include "order_e2e_support.h"

namespace korder::order::e2e {
namespace {

using korder::testing::Process;
using std::chrono::seconds;

const api::Condition* condition(const api::Order& order, const std::string& type) {
  for (const api::Condition& c : order.status.conditions) {
    if (c.type == type) {
      return &c;
    }
  }
  return nullptr;
}

bool has_finalizer(const api::ObjectMeta& meta, const std::string& name) {
  return std::find(meta.finalizers.begin(), meta.finalizers.end(), name) != meta.finalizers.end();
}

// Waits until the controller has caught up with the order's current generation and its status
// shows `live` tickets (pending + ready).
bool settled(OrderE2e& env, const std::string& name, int desired) {
  return eventually([&] {
    auto order = env.order(name);
    return order && order->status.observed_generation == order->metadata.generation &&
           order->status.desired == desired &&
           static_cast<int>(env.live_tickets(name).size()) ==
               order->status.pending + order->status.ready;
  });
}

TEST_CASE(
    "an Order of 3 becomes 3 tickets with the order's labels, owner, finalizers and "
    "deterministic names, and its status counts them",
    "[e2e]") {
  OrderE2e env;
  Process& controller = env.start_controller("replica-a", {"--leader-elect=false"});
  env.apply(order_yaml("web", 3));
  REQUIRE(eventually([&] { return env.tickets("web").size() == 3; }));
  const api::Order order = *env.order("web");
  CHECK(has_finalizer(order.metadata, "korder.dev/order-protection"));

  const auto slots = by_slot(env.tickets("web"));
  CHECK(slots.size() == 3);
  for (const api::Ticket& t : env.tickets("web")) {
    INFO(t.metadata.name);
    CHECK(std::regex_match(t.metadata.name, std::regex("web-[0-9a-f]{12}")));
    CHECK(t.metadata.labels.at("korder.dev/order") == "web");
    CHECK(t.metadata.labels.at("app") == "web");
    CHECK(t.metadata.labels.at("korder.dev/incarnation") == "0");
    CHECK(t.metadata.labels.at("korder.dev/template-hash").size() == 10);
    REQUIRE(t.metadata.owner_references.size() == 1);
    const api::OwnerReference& owner = t.metadata.owner_references[0];
    CHECK(owner.kind == "Order");
    CHECK(owner.name == "web");
    CHECK(owner.uid == order.metadata.uid);
    CHECK(owner.controller == true);
    CHECK(owner.block_owner_deletion == true);
    CHECK(has_finalizer(t.metadata, "korder.dev/ticket-protection"));
    CHECK(t.spec.duration == "1h");
  }
  CHECK(slots.count("r0") == 1);
  CHECK(slots.count("r2") == 1);

  REQUIRE(settled(env, "web", 3));
  CHECK(env.order("web")->status.pending == 3);

  // Two tickets go Ready (the ticket controller's part): the counts and Ready condition follow.
  env.set_ticket_phase(slots.at("r0"), "Ready");
  env.set_ticket_phase(slots.at("r1"), "Ready");
  REQUIRE(eventually([&] { return env.order("web")->status.ready == 2; }));
  api::Order now = *env.order("web");
  CHECK(now.status.pending == 1);
  CHECK(now.status.observed_generation == now.metadata.generation);
  const api::Condition* ready = condition(now, "Ready");
  REQUIRE(ready != nullptr);
  CHECK(ready->status == "False");
  env.set_ticket_phase(slots.at("r2"), "Ready");
  REQUIRE(eventually([&] {
    auto o = env.order("web");
    const api::Condition* c = condition(*o, "Ready");
    return o->status.ready == 3 && c != nullptr && c->status == "True";
  }));

  // Converged: the status is not written again.
  const std::string rv = env.order("web")->metadata.resource_version;
  CHECK(env.tickets("web").size() == 3);
  CHECK(env.probe(controller, "health", "/readyz").status == 200);
  const std::string metrics = env.probe(controller, "metrics", "/metrics").body;
  CHECK_THAT(metrics,
             Catch::Contains("korder_reconcile_total{controller=\"order\",result=\"success\"}"));
  CHECK_THAT(metrics, Catch::Contains("korder_tickets{phase=\"Ready\"} 3"));
  CHECK_THAT(metrics,
             Catch::Contains(
                 "korder_order_ticket_writes_total{operation=\"create\",result=\"created\"} 3"));
  CHECK_THAT(metrics, Catch::Contains("korder_workqueue_depth{name=\"order\"}"));
  CHECK(env.order("web")->metadata.resource_version == rv);

  // Events for kubectl describe.
  CHECK(eventually([&] {
    const auto events = env.cluster().api("GET", "/api/v1/namespaces/default/events");
    return events.body.find("\"reason\":\"TicketCreated\"") != std::string::npos &&
           events.body.find("\"name\":\"web\"") != std::string::npos;
  }));

  CHECK(controller.terminate(seconds(10)) == 0);
}

TEST_CASE("scaling 3 to 5 to 2 adds the lowest free slots and removes Pending tickets first",
          "[e2e]") {
  OrderE2e env;
  env.start_controller("replica-a", {"--leader-elect=false"});
  env.apply(order_yaml("web", 3));
  REQUIRE(settled(env, "web", 3));
  env.patch_order_spec("web", "{\"replicas\":5}");
  REQUIRE(settled(env, "web", 5));
  auto slots = by_slot(env.live_tickets("web"));
  CHECK(slots.size() == 5);
  CHECK(slots.count("r3") == 1);
  CHECK(slots.count("r4") == 1);

  // r0 and r4 are Ready; the scale-down to 2 takes the Pending ones (r3, r2, r1).
  env.set_ticket_phase(slots.at("r0"), "Ready");
  env.set_ticket_phase(slots.at("r4"), "Ready");
  REQUIRE(eventually([&] { return env.order("web")->status.ready == 2; }));
  env.patch_order_spec("web", "{\"replicas\":2}");
  REQUIRE(eventually([&] { return env.live_tickets("web").size() == 2; }));
  const auto kept = by_slot(env.live_tickets("web"));
  CHECK(kept == std::map<std::string, std::string>{{"r0", slots.at("r0")}, {"r4", slots.at("r4")}});
  // The removed tickets wait for their finalizer (the ticket controller removes guardians).
  CHECK(env.tickets("web").size() == 5);
  env.finish_ticket_deletions("web");
  REQUIRE(eventually([&] { return env.tickets("web").size() == 2; }));
  REQUIRE(settled(env, "web", 2));
  CHECK(env.order("web")->status.ready == 2);
}

TEST_CASE(
    "after a simulated claim OnClaim and Always replace the ticket and Never keeps the slot "
    "consumed; an expiry is replaced only under Always",
    "[e2e]") {
  OrderE2e env;
  env.start_controller("replica-a", {"--leader-elect=false"});
  env.apply(order_yaml("onclaim", 1, "OnClaim") + "---\n" + order_yaml("always", 1, "Always") +
            "---\n" + order_yaml("never", 1, "Never"));
  for (const char* name : {"onclaim", "always", "never"}) {
    REQUIRE(settled(env, name, 1));
    env.set_ticket_phase(env.tickets(name).at(0).metadata.name, "Claimed");
  }
  const auto incarnations = [&](const std::string& name) {
    std::set<std::string> out;
    for (const api::Ticket& t : env.tickets(name)) {
      out.insert(t.metadata.labels.at("korder.dev/incarnation"));
    }
    return out;
  };
  REQUIRE(eventually([&] { return incarnations("onclaim") == std::set<std::string>{"0", "1"}; }));
  REQUIRE(eventually([&] { return incarnations("always") == std::set<std::string>{"0", "1"}; }));
  REQUIRE(eventually([&] { return env.order("never")->status.claimed == 1; }));
  CHECK(incarnations("never") == std::set<std::string>{"0"});
  const api::Order never = *env.order("never");
  REQUIRE(never.status.slots.size() == 1);
  CHECK(never.status.slots[0].phase == "Claimed");
  CHECK(env.order("onclaim")->status.claimed == 1);

  // The replacements expire: Always replaces again, OnClaim does not.
  for (const char* name : {"onclaim", "always"}) {
    for (const api::Ticket& t : env.tickets(name)) {
      if (t.metadata.labels.at("korder.dev/incarnation") == "1") {
        env.set_ticket_phase(t.metadata.name, "Expired");
      }
    }
  }
  REQUIRE(eventually([&] { return incarnations("always").count("2") == 1; }));
  REQUIRE(eventually([&] { return env.order("onclaim")->status.expired == 1; }));
  CHECK(incarnations("onclaim") == std::set<std::string>{"0", "1"});
  CHECK(incarnations("never") == std::set<std::string>{"0"});
}

TEST_CASE("a paused order neither creates nor deletes tickets until it is resumed", "[e2e]") {
  OrderE2e env;
  env.start_controller("replica-a", {"--leader-elect=false"});
  env.apply(order_yaml("web", 2, "OnClaim", "  paused: true\n"));
  REQUIRE(eventually([&] {
    auto o = env.order("web");
    return o && o->status.observed_generation == 1;
  }));
  CHECK(env.tickets("web").empty());
  env.patch_order_spec("web", "{\"paused\":false}");
  REQUIRE(settled(env, "web", 2));
  env.patch_order_spec("web", "{\"paused\":true,\"replicas\":0}");
  REQUIRE(eventually([&] {
    auto o = env.order("web");
    return o->status.observed_generation == o->metadata.generation;
  }));
  CHECK(env.live_tickets("web").size() == 2);
  const api::Condition* progressing = condition(*env.order("web"), "Progressing");
  REQUIRE(progressing != nullptr);
  CHECK(progressing->reason == "Paused");
  env.patch_order_spec("web", "{\"paused\":false}");
  REQUIRE(eventually([&] { return env.live_tickets("web").empty(); }));
}

TEST_CASE(
    "deleting an order deletes its tickets first and its finalizer lets it go once they are "
    "gone",
    "[e2e]") {
  OrderE2e env;
  env.start_controller("replica-a", {"--leader-elect=false"});
  env.apply(order_yaml("web", 3));
  REQUIRE(settled(env, "web", 3));
  const auto deleted =
      env.cluster().kubectl({"delete", "order", "web", "-n", "default", "--wait=false"});
  REQUIRE(deleted.exit_code == 0);
  REQUIRE(eventually([&] {
    const auto tickets = env.tickets("web");
    return tickets.size() == 3 && std::all_of(tickets.begin(), tickets.end(), [](const auto& t) {
             return t.metadata.deletion_timestamp.has_value();
           });
  }));
  auto order = env.order("web");
  REQUIRE(order.has_value());
  CHECK(order->metadata.deletion_timestamp.has_value());
  env.finish_ticket_deletions("web");
  REQUIRE(eventually([&] { return !env.order("web").has_value(); }));
  CHECK(env.tickets("web").empty());
}

TEST_CASE(
    "killing the controller with SIGKILL again and again while an order scales never "
    "duplicates a ticket",
    "[e2e]") {
  OrderE2e env;
  env.apply(order_yaml("web", 1));
  int replicas = 1;
  std::size_t seen = 0;
  for (int round = 0; round < 6; ++round) {
    Process& controller =
        env.start_controller("crashy", {"--leader-elect=false", "--concurrency=2"});
    replicas += 3;
    env.patch_order_spec("web", "{\"replicas\":" + std::to_string(replicas) + "}");
    // Kill it mid-scale: as soon as it has created one more ticket.
    REQUIRE(eventually([&] { return env.tickets("web").size() > seen; }));
    controller.kill();
    seen = env.tickets("web").size();
    INFO("round " << round << ": " << seen << " tickets after the kill");
    CHECK(static_cast<int>(seen) <= replicas);
  }
  env.start_controller("final", {"--leader-elect=false", "--concurrency=2"});
  REQUIRE(settled(env, "web", replicas));
  const auto tickets = env.tickets("web");
  CHECK(static_cast<int>(tickets.size()) == replicas);
  const auto slots = by_slot(tickets);
  CHECK(static_cast<int>(slots.size()) == replicas);
  for (int i = 0; i < replicas; ++i) {
    CHECK(slots.count("r" + std::to_string(i)) == 1);
  }
  for (const api::Ticket& t : tickets) {
    CHECK(t.metadata.labels.at("korder.dev/incarnation") == "0");
  }
}

TEST_CASE(
    "two replicas elect one leader that alone acts, and the other takes over when the leader "
    "is killed",
    "[e2e]") {
  OrderE2e env;
  Process& a = env.start_controller("replica-a", {"--leader-elect=true"});
  REQUIRE(eventually([&] { return env.lease_holder() == "replica-a"; }));
  Process& b = env.start_controller("replica-b", {"--leader-elect=true"});
  // Both are Ready (synced caches), only the leader reconciles.
  REQUIRE(eventually([&] { return env.probe(b, "health", "/readyz").status == 200; }));
  env.apply(order_yaml("web", 2));
  REQUIRE(settled(env, "web", 2));
  CHECK_THAT(a.output(), Catch::Contains("ticket created"));
  CHECK_THAT(b.output(), !Catch::Contains("ticket created"));
  CHECK(env.lease_holder() == "replica-a");

  a.kill();
  env.patch_order_spec("web", "{\"replicas\":4}");
  REQUIRE(eventually([&] { return env.lease_holder() == "replica-b"; }));
  REQUIRE(settled(env, "web", 4));
  CHECK_THAT(b.output(), Catch::Contains("ticket created"));
  CHECK(by_slot(env.tickets("web")).size() == 4);
  CHECK(env.tickets("web").size() == 4);

  // A graceful stop releases the Lease.
  CHECK(b.terminate(seconds(10)) == 0);
  CHECK(env.lease_holder().empty());
}

}  // namespace
}  // namespace korder::order::e2e
