// The order reconciler against a recording fake API and hand-fed caches (the sample-controller
// fixture): run one reconcile, assert the exact writes, run again and assert none.

#include "order_reconciler.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "fake_order_api.h"
#include "korder/kclient/store.h"
#include "korder/kclient/testing/fake_clock.h"
#include "plan_test_support.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

using kclient::ReconcileResult;
using testing::api_error;
using testing::FakeOrderApi;
using testing::make_node;
using testing::make_order;
using testing::quota_denied_error;
using testing::utc;

const TimePoint kStart = utc("2026-03-02T10:00:00Z");

std::string name_of(const std::string& slot, std::int64_t incarnation = 0,
                    std::optional<TimePoint> fire = std::nullopt) {
  return ticket_name("db", TicketIdentity{"uid-db", slot, incarnation, fire});
}

// The caches, the fake API server and the reconciler of one test.
struct Fixture {
  Fixture() {
    options.quota_retry_interval = std::chrono::seconds(30);
    restart();
  }

  // A new reconciler with empty in-memory state, as after a crash or a failover.
  void restart() {
    reconciler = std::make_unique<OrderReconciler>(
        OrderCache{orders, tickets, nodes}, api,
        [this](const api::Order&, const PlannedEvent& e) { events.push_back(e); }, clock, metrics,
        options);
  }

  // The informers catch up with the server.
  void sync_cache() {
    std::vector<std::shared_ptr<const api::Order>> o;
    for (const api::Order& order : api.orders()) {
      o.push_back(std::make_shared<const api::Order>(order));
    }
    orders.replace(o, "");
    std::vector<std::shared_ptr<const api::Ticket>> t;
    for (const api::Ticket& ticket : api.tickets()) {
      t.push_back(std::make_shared<const api::Ticket>(ticket));
    }
    tickets.replace(t, "");
  }

  void add_order(api::Order order) {
    api.put_order(std::move(order));
    sync_cache();
  }

  Expected<ReconcileResult, kclient::ReconcileError> reconcile() {
    return reconciler->reconcile(kclient::Request{"team-a", "db"});
  }

  // One reconcile that must succeed; returns the writes it made.
  std::vector<std::string> reconcile_ok() {
    auto result = reconcile();
    INFO((result ? std::string("ok") : result.error().message));
    REQUIRE(result.has_value());
    return api.take_writes();
  }

  api::Order stored() {
    auto order = api.order("team-a", "db");
    REQUIRE(order.has_value());
    return *order;
  }

  // Sets the phase of a stored ticket, as the ticket controller would.
  void set_phase(const std::string& name, std::string_view phase) {
    for (api::Ticket t : api.tickets()) {
      if (t.metadata.name == name) {
        t.status.phase = std::string(phase);
        api.put_ticket(t);
      }
    }
  }

  std::vector<std::string> event_reasons() const {
    std::vector<std::string> out;
    for (const PlannedEvent& e : events) {
      out.push_back(e.reason);
    }
    return out;
  }

  kclient::testing::FakeClock clock{kStart};
  kclient::MetricsRegistry registry;
  OrderMetrics metrics{registry};
  kclient::Store<api::Order> orders;
  kclient::Store<api::Ticket> tickets{ticket_indexers()};
  kclient::Store<api::Node> nodes;
  FakeOrderApi api{clock};
  std::vector<PlannedEvent> events;
  OrderReconcilerOptions options;
  std::unique_ptr<OrderReconciler> reconciler;
};

const api::Condition* condition(const api::Order& order, std::string_view type) {
  return find_condition(order.status.conditions, type);
}

TEST_CASE("a new order gets the finalizer, its tickets and its status in one reconcile", "[unit]") {
  Fixture f;
  f.add_order(make_order("db", 3));
  const std::string patch_key = "finalizers team-a/db";
  CHECK(f.reconcile_ok() == std::vector<std::string>{patch_key, "create team-a/" + name_of("r0"),
                                                     "create team-a/" + name_of("r1"),
                                                     "create team-a/" + name_of("r2"),
                                                     "status team-a/db"});
  CHECK(f.event_reasons() ==
        std::vector<std::string>{"TicketCreated", "TicketCreated", "TicketCreated"});
  const api::Order order = f.stored();
  CHECK(order.metadata.finalizers == std::vector<std::string>{"korder.dev/order-protection"});
  CHECK(order.status.desired == 3);
  CHECK(order.status.observed_generation == 1);
  REQUIRE(order.status.slots.size() == 3);
  CHECK(order.status.slots[0].slot == "r0");

  // The tickets carry the order's label, owner (controller, blockOwnerDeletion) and finalizer.
  const auto tickets = f.api.tickets();
  REQUIRE(tickets.size() == 3);
  for (const api::Ticket& t : tickets) {
    CHECK(t.metadata.labels.at("korder.dev/order") == "db");
    CHECK(t.metadata.labels.at("app") == "db");
    REQUIRE(t.metadata.owner_references.size() == 1);
    CHECK(t.metadata.owner_references[0].uid == "uid-db");
    CHECK(t.metadata.owner_references[0].controller == true);
    CHECK(t.metadata.owner_references[0].block_owner_deletion == true);
    CHECK(t.metadata.finalizers == std::vector<std::string>{"korder.dev/ticket-protection"});
  }
}

TEST_CASE(
    "a reconcile woken by our own writes before the cache shows them creates nothing again, "
    "and a converged order makes no writes",
    "[unit]") {
  Fixture f;
  f.add_order(make_order("db", 3));
  REQUIRE(f.reconcile_ok().size() == 5);
  // The cache still shows the order without finalizer and status, and no tickets: our own
  // writes are overlaid, so only the counts (now 3 pending) change.
  CHECK(f.reconcile_ok() == std::vector<std::string>{"status team-a/db"});
  CHECK(f.stored().status.pending == 3);
  CHECK(f.reconcile_ok().empty());
  f.sync_cache();
  CHECK(f.reconcile_ok().empty());
  CHECK(f.api.tickets().size() == 3);
}

TEST_CASE(
    "after a crash between the creates and the status write the same names are computed and "
    "AlreadyExists is checked to be the same ticket",
    "[unit]") {
  Fixture f;
  f.add_order(make_order("db", 2));
  f.api.set_failure(
      [](const std::string& op, const std::string&) -> std::optional<kclient::ApiError> {
        if (op == "status") {
          return kclient::ApiError::transport("connection reset");
        }
        return std::nullopt;
      });
  CHECK_FALSE(f.reconcile().has_value());
  REQUIRE(f.api.tickets().size() == 2);
  f.api.set_failure(nullptr);
  f.api.take_writes();
  // Restart with a cache that has not seen the tickets yet.
  f.restart();
  f.orders.replace({std::make_shared<const api::Order>(f.stored())}, "");
  REQUIRE(f.reconcile().has_value());
  const auto calls = f.api.calls();
  CHECK(std::count(calls.begin(), calls.end(), "get team-a/" + name_of("r0")) == 1);
  CHECK(f.api.take_writes() == std::vector<std::string>{"create team-a/" + name_of("r0"),
                                                        "create team-a/" + name_of("r1"),
                                                        "status team-a/db"});
  CHECK(f.api.tickets().size() == 2);
  // The reconcile after that, still before the cache shows the tickets, creates nothing: it
  // only counts the two tickets (now seen through our own writes) as pending.
  CHECK(f.reconcile_ok() == std::vector<std::string>{"status team-a/db"});
  CHECK(f.stored().status.pending == 2);
  CHECK(f.reconcile_ok().empty());
}

TEST_CASE("a ticket name held by an object of another owner is reported as a collision", "[unit]") {
  Fixture f;
  f.add_order(make_order("db", 1));
  api::Ticket stranger;
  stranger.metadata.namespace_ = "team-a";
  stranger.metadata.name = name_of("r0");
  stranger.metadata.uid = "someone-else";
  f.api.put_ticket(stranger);
  auto result = f.reconcile();
  REQUIRE_FALSE(result.has_value());
  CHECK_THAT(result.error().message, Catch::Contains("not this order's"));
  CHECK(f.event_reasons() == std::vector<std::string>{"TicketNameCollision"});
  CHECK(f.api.tickets().size() == 1);
}

TEST_CASE(
    "a quota denial stops the creates, sets QuotaExceeded with the message on the next "
    "reconcile, and creations retry after the interval",
    "[unit]") {
  Fixture f;
  f.add_order(make_order("db", 3));
  int creates = 0;
  bool deny = true;
  f.api.set_failure(
      [&](const std::string& op, const std::string&) -> std::optional<kclient::ApiError> {
        if (op == "create" && deny && ++creates > 1) {
          return quota_denied_error();
        }
        return std::nullopt;
      });
  auto first = f.reconcile();
  REQUIRE(first.has_value());
  CHECK(first->kind() == ReconcileResult::Kind::RequeueAfter);
  CHECK(first->after() == std::chrono::nanoseconds::zero());
  CHECK(f.api.tickets().size() == 1);
  CHECK(f.reconciler->quota_denial("team-a/db", "uid-db").has_value());
  f.api.take_writes();

  auto second = f.reconcile();
  REQUIRE(second.has_value());
  CHECK(f.api.take_writes() == std::vector<std::string>{"status team-a/db"});
  const api::Condition* quota = condition(f.stored(), "QuotaExceeded");
  REQUIRE(quota != nullptr);
  CHECK(quota->status == "True");
  CHECK_THAT(quota->message, Catch::Contains("korder quota exceeded: quota \"team-quota\""));
  CHECK(second->kind() == ReconcileResult::Kind::RequeueAfter);
  CHECK(second->after() <= std::chrono::seconds(30));
  CHECK(second->after() > std::chrono::seconds(29));
  CHECK(std::count_if(f.events.begin(), f.events.end(), [](const PlannedEvent& e) {
          return e.reason == "QuotaExceeded" && e.type == "Warning";
        }) == 1);

  // Before the interval nothing is tried; after it the creates go through and the condition
  // clears.
  f.clock.advance(std::chrono::seconds(10));
  CHECK(f.reconcile_ok().empty());
  deny = false;
  f.clock.advance(std::chrono::seconds(21));
  const auto writes = f.reconcile_ok();
  CHECK(std::count_if(writes.begin(), writes.end(),
                      [](const std::string& w) { return w.rfind("create ", 0) == 0; }) == 2);
  CHECK(f.api.tickets().size() == 3);
  CHECK_FALSE(f.reconciler->quota_denial("team-a/db", "uid-db").has_value());
  f.reconcile_ok();
  quota = condition(f.stored(), "QuotaExceeded");
  REQUIRE(quota != nullptr);
  CHECK(quota->status == "False");
}

TEST_CASE("an RBAC 403 is an error, never a quota denial", "[unit]") {
  CHECK(is_quota_denial(quota_denied_error()));
  CHECK_FALSE(is_quota_denial(api_error(403, "Forbidden",
                                        "tickets.core.korder.dev is forbidden: User \"x\" cannot "
                                        "create resource \"tickets\"")));
  CHECK_FALSE(is_quota_denial(api_error(422, "Invalid", "korder quota exceeded: no")));

  Fixture f;
  f.add_order(make_order("db", 1));
  f.api.set_failure(
      [](const std::string& op, const std::string&) -> std::optional<kclient::ApiError> {
        if (op == "create") {
          return api_error(403, "Forbidden", "tickets.core.korder.dev is forbidden");
        }
        return std::nullopt;
      });
  auto result = f.reconcile();
  REQUIRE_FALSE(result.has_value());
  CHECK_THAT(result.error().message, Catch::Contains("forbidden"));
  CHECK_FALSE(f.reconciler->quota_denial("team-a/db", "uid-db").has_value());
}

TEST_CASE(
    "scaling down deletes Pending tickets before Ready ones with uid and resourceVersion "
    "preconditions, and a changed ticket is planned again",
    "[unit]") {
  Fixture f;
  f.add_order(make_order("db", 3));
  f.reconcile_ok();
  f.set_phase(name_of("r0"), api::TicketPhase::Ready);
  f.set_phase(name_of("r2"), api::TicketPhase::Ready);
  f.sync_cache();
  f.reconcile_ok();
  api::Order order = f.stored();
  order.spec.replicas = 1;
  order.metadata.generation = 2;
  f.api.put_order(order);
  f.sync_cache();
  // r1 (Pending) goes first, then r2 (Ready, highest index); r0 stays.
  CHECK(f.reconcile_ok() == std::vector<std::string>{"delete team-a/" + name_of("r1"),
                                                     "delete team-a/" + name_of("r2"),
                                                     "status team-a/db"});
  CHECK(f.stored().status.desired == 1);

  // A ticket that changed since the cache saw it is not deleted: Conflict, planned again.
  Fixture g;
  g.add_order(make_order("db", 2));
  g.reconcile_ok();
  g.sync_cache();
  g.reconcile_ok();
  api::Order o = g.stored();
  o.spec.replicas = 1;
  g.api.put_order(o);
  g.sync_cache();
  g.set_phase(name_of("r1"), api::TicketPhase::Claimed);  // the cache has not seen it
  auto result = g.reconcile();
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().conflict);
  CHECK(g.api.tickets().size() == 2);
}

TEST_CASE(
    "a deleted order has its tickets deleted and keeps its finalizer until a live list finds "
    "none",
    "[unit]") {
  Fixture f;
  f.add_order(make_order("db", 2));
  f.reconcile_ok();
  f.sync_cache();
  f.reconcile_ok();
  api::Order order = f.stored();
  order.metadata.deletion_timestamp = f.clock.now();
  f.api.put_order(order);
  f.sync_cache();
  f.events.clear();
  auto result = f.reconcile();
  REQUIRE(result.has_value());
  CHECK(result->kind() == ReconcileResult::Kind::RequeueAfter);
  CHECK(f.api.take_writes() == std::vector<std::string>{"delete team-a/" + name_of("r0"),
                                                        "delete team-a/" + name_of("r1")});
  CHECK(f.event_reasons() == std::vector<std::string>{"TicketDeleted", "TicketDeleted"});
  // The tickets are terminating (their own finalizer): nothing more until they are gone.
  CHECK(f.reconcile_ok().empty());
  REQUIRE(f.api.order("team-a", "db").has_value());
  for (const api::Ticket& t : f.api.tickets()) {
    f.api.erase_ticket(t.metadata.namespace_, t.metadata.name);
  }
  CHECK(f.reconcile_ok() == std::vector<std::string>{"finalizers team-a/db"});
  CHECK_FALSE(f.api.order("team-a", "db").has_value());
  f.sync_cache();
  CHECK(f.reconcile_ok().empty());
}

TEST_CASE("a Scheduled order outside its window holds nothing and requeues at the next fire",
          "[unit]") {
  Fixture f;
  api::Order order = make_order("db", 2, "1h");
  testing::set_strategy(order, "Scheduled", "0 14 * * *");
  f.add_order(order);
  auto result = f.reconcile();
  REQUIRE(result.has_value());
  CHECK(result->kind() == ReconcileResult::Kind::RequeueAfter);
  CHECK(result->after() == std::chrono::hours(4));
  CHECK(f.api.tickets().empty());
  const api::Order stored = f.stored();
  REQUIRE(stored.status.next_schedule_time.has_value());
  CHECK(*stored.status.next_schedule_time == utc("2026-03-02T14:00:00Z"));

  // At the fire the window opens: tickets named after the fire, ScheduleFired, and a requeue
  // at the window's end.
  f.sync_cache();
  f.clock.set(utc("2026-03-02T14:00:00Z"));
  f.api.take_writes();
  f.events.clear();
  auto fired = f.reconcile();
  REQUIRE(fired.has_value());
  const auto writes = f.api.take_writes();
  const TimePoint fire = utc("2026-03-02T14:00:00Z");
  CHECK(writes == std::vector<std::string>{"create team-a/" + name_of("r0", 0, fire),
                                           "create team-a/" + name_of("r1", 0, fire),
                                           "status team-a/db"});
  CHECK(std::find(f.event_reasons().begin(), f.event_reasons().end(), "ScheduleFired") !=
        f.event_reasons().end());
  CHECK(fired->after() == std::chrono::hours(1));
  CHECK(f.stored().status.last_schedule_time == fire);
}

TEST_CASE("a daemonSet order follows the nodes in the cache", "[unit]") {
  Fixture f;
  api::Order order = make_order("db", 1);
  order.spec.daemon_set = true;
  f.add_order(order);
  f.nodes.upsert(std::make_shared<const api::Node>(make_node("n1")));
  f.nodes.upsert(std::make_shared<const api::Node>(make_node("n2")));
  f.reconcile_ok();
  f.sync_cache();
  f.reconcile_ok();
  REQUIRE(f.api.tickets().size() == 2);
  CHECK(f.stored().status.desired == 2);
  f.nodes.remove("n2");
  const auto writes = f.reconcile_ok();
  REQUIRE(writes.size() == 2);
  CHECK(writes[0].rfind("delete team-a/db-", 0) == 0);
  CHECK(f.stored().status.desired == 1);
  CHECK(OrderCache{f.orders, f.tickets, f.nodes}.daemon_set_orders() ==
        std::vector<kclient::Request>{kclient::Request{"team-a", "db"}});
}

}  // namespace
}  // namespace korder::order
