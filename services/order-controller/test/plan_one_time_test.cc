// plan() for OneTime orders: filling replicas, refresh policies, the slot memory.

#include <catch2/catch.hpp>

#include "plan.h"
#include "plan_test_support.h"
#include "ticket_builder.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

using namespace testing;  // NOLINT: test helpers

const TimePoint kT0 = utc("2026-05-01T12:00:00Z");

TEST_CASE("a OneTime order creates its replicas at once, then waits for them", "[unit]") {
  World w{make_order("db", 3, "24h")};
  const Plan first = plan_at(w, kT0);
  CHECK(create_slots(first) == std::vector<std::string>{"r0", "r1", "r2"});
  for (const TicketCreate& c : first.creates) {
    CHECK(incarnation_label(c.ticket) == "0");
    CHECK(c.ticket.metadata.name == ticket_name("db", {"uid-db", slot_of(c.ticket), 0, {}}));
    CHECK_FALSE(c.ticket.spec.window.has_value());  // lives 24h from its creation
    CHECK(c.event.reason == "TicketCreated");
    CHECK(c.event.type == "Normal");
  }
  CHECK(first.deletes.empty());
  CHECK(first.status.desired == 3);
  CHECK(first.status.observed_generation == 1);
  CHECK(first.status.slots ==
        std::vector<api::OrderSlotStatus>{{"r0", 0, "", {}}, {"r1", 0, "", {}}, {"r2", 0, "", {}}});
  CHECK_FALSE(first.status.last_schedule_time.has_value());
  CHECK_FALSE(first.status.next_schedule_time.has_value());
  CHECK(condition(first.status, "Ready").status == "False");
  CHECK(condition(first.status, "Ready").message == "0 of 3 tickets ready");
  CHECK(condition(first.status, "Progressing").reason == "CreatingTickets");
  CHECK(condition(first.status, "QuotaExceeded").status == "False");
  CHECK_FALSE(first.requeue_after.has_value());

  apply(w, first, kT0);
  const Plan second = plan_at(w, kT0);
  CHECK_FALSE(second.has_actions());
  CHECK(second.status.pending == 3);
  CHECK(second.status.slots[0].phase == "Pending");
  CHECK(condition(second.status, "Progressing").reason == "WaitingForTickets");
  // Each ticket expires 24h after its creation: that is the next deadline.
  REQUIRE(second.requeue_after.has_value());
  CHECK(*second.requeue_after == std::chrono::hours(24));
}

TEST_CASE("a converged OneTime order plans no writes", "[unit]") {
  World w{make_order("db", 3, "24h")};
  converge(w, kT0);
  set_pending_to(w, "Ready");
  const Plan ready = converge(w, kT0);
  CHECK(ready.status.ready == 3);
  CHECK(condition(ready.status, "Ready").status == "True");
  CHECK(condition(ready.status, "Ready").reason == "TicketsReady");
  CHECK(condition(ready.status, "Progressing").status == "False");
  CHECK(condition(ready.status, "Progressing").reason == "Stable");
  require_no_writes(w, kT0);
  require_no_writes(w, kT0 + std::chrono::hours(1));
}

TEST_CASE("conditions keep their transition time while their status holds", "[unit]") {
  World w{make_order("db", 1, "24h")};
  converge(w, kT0);
  set_pending_to(w, "Ready");
  converge(w, kT0 + std::chrono::minutes(1));
  const auto ready_since = condition(w.order.status, "Ready").last_transition_time;
  CHECK(ready_since == kT0 + std::chrono::minutes(1));
  const Plan later = plan_at(w, kT0 + std::chrono::hours(2));
  CHECK(condition(later.status, "Ready").last_transition_time == ready_since);
  CHECK(condition(later.status, "QuotaExceeded").last_transition_time == kT0);
}

struct RefreshCase {
  const char* policy;
  const char* phase;
  bool replaced;
};

TEST_CASE("OneTime refresh policies replace claimed and expired tickets as DESIGN says", "[unit]") {
  const RefreshCase cases[] = {
      {"Always", "Claimed", true},   {"Always", "Expired", true}, {"OnClaim", "Claimed", true},
      {"OnClaim", "Expired", false}, {"Never", "Claimed", false}, {"Never", "Expired", false},
      {"", "Claimed", true},  // the default is OnClaim
      {"", "Expired", false},
  };
  for (const RefreshCase& c : cases) {
    DYNAMIC_SECTION(c.policy << " with a " << c.phase << " ticket") {
      World w{make_order("db", 2, "24h")};
      set_strategy(w.order, "OneTime", "", c.policy);
      converge(w, kT0);
      set_pending_to(w, "Ready");
      converge(w, kT0);
      current(w, "r1").status.phase = c.phase;

      const TimePoint now = kT0 + std::chrono::hours(3);
      const Plan p = plan_at(w, now);
      CHECK(p.deletes.empty());
      if (c.replaced) {
        REQUIRE(p.creates.size() == 1);
        const api::Ticket& t = p.creates[0].ticket;
        CHECK(slot_of(t) == "r1");
        CHECK(incarnation_label(t) == "1");
        CHECK(p.creates[0].event.reason == "TicketReplaced");
        // A OneTime replacement lives `duration` from its creation.
        CHECK_FALSE(t.spec.window.has_value());
        CHECK(expiration_of(t, now).value() == now + std::chrono::hours(24));
        CHECK(p.status.slots[1] == api::OrderSlotStatus{"r1", 1, "", {}});
      } else {
        CHECK(p.creates.empty());
        CHECK(p.status.slots[1] == api::OrderSlotStatus{"r1", 0, c.phase, {}});
        CHECK(condition(p.status, "Ready").message == "1 of 1 tickets ready");
      }
      converge(w, now);
      require_no_writes(w, now);
    }
  }
}

TEST_CASE(
    "a ticket past its expiration is replaced under Always before the ticket controller "
    "marks it",
    "[unit]") {
  World w{make_order("db", 1, "1h")};
  set_strategy(w.order, "OneTime", "", "Always");
  converge(w, kT0);
  set_pending_to(w, "Ready");
  const Plan ready = converge(w, kT0);
  REQUIRE(ready.requeue_after == std::chrono::hours(1));
  const Plan at_expiry = plan_at(w, kT0 + std::chrono::hours(1));
  REQUIRE(at_expiry.creates.size() == 1);
  CHECK(incarnation_label(at_expiry.creates[0].ticket) == "1");
  CHECK(at_expiry.status.expired == 1);
}

TEST_CASE("under Never a consumed slot stays consumed after its ticket is TTL-deleted", "[unit]") {
  World w{make_order("db", 2, "24h")};
  set_strategy(w.order, "OneTime", "", "Never");
  converge(w, kT0);
  set_pending_to(w, "Ready");
  converge(w, kT0);
  current(w, "r0").status.phase = "Claimed";
  const Plan claimed = converge(w, kT0 + std::chrono::minutes(5));
  CHECK(claimed.status.slots[0] == api::OrderSlotStatus{"r0", 0, "Claimed", {}});
  CHECK(claimed.status.claimed == 1);

  // The ticket controller deletes the finished ticket (ttlSecondsAfterFinished).
  remove_ticket(w, current(w, "r0").metadata.name);
  const TimePoint later = kT0 + std::chrono::hours(1);
  const Plan after_ttl = plan_at(w, later);
  CHECK(after_ttl.creates.empty());
  CHECK(after_ttl.status.slots[0] == api::OrderSlotStatus{"r0", 0, "Claimed", {}});
  CHECK(after_ttl.status.claimed == 0);
  CHECK(after_ttl.status.desired == 2);
  CHECK(condition(after_ttl.status, "Ready").status == "True");
  apply(w, after_ttl, later);
  require_no_writes(w, later);

  // Once every slot is consumed the order wants nothing.
  current(w, "r1").status.phase = "Claimed";
  const Plan all = plan_at(w, later);
  CHECK(all.creates.empty());
  CHECK(condition(all.status, "Ready").reason == "AllSlotsConsumed");
}

TEST_CASE("under OnClaim a claimed slot is replaced even after its ticket is TTL-deleted",
          "[unit]") {
  World w{make_order("db", 1, "24h")};
  converge(w, kT0);
  current(w, "r0").status.phase = "Claimed";
  const Plan claimed = plan_at(w, kT0);
  REQUIRE(claimed.creates.size() == 1);
  // The replacement's create fails (say the API server is briefly down) and the old ticket is
  // deleted meanwhile: the memory still names incarnation 1, to be created under the same name.
  w.order.status = claimed.status;
  remove_ticket(w, w.tickets[0].metadata.name);
  const Plan retry = plan_at(w, kT0 + std::chrono::minutes(1));
  REQUIRE(retry.creates.size() == 1);
  CHECK(retry.creates[0].ticket.metadata.name == claimed.creates[0].ticket.metadata.name);
}

TEST_CASE("a ticket deleted while Ready is recreated under every refresh policy", "[unit]") {
  for (const char* policy : {"Always", "OnClaim", "Never"}) {
    DYNAMIC_SECTION("refreshPolicy " << policy) {
      World w{make_order("db", 1, "24h")};
      set_strategy(w.order, "OneTime", "", policy);
      w.deletions_linger = true;
      converge(w, kT0);
      set_pending_to(w, "Ready");
      converge(w, kT0);
      const std::string old = current(w, "r0").metadata.name;
      current(w, "r0").metadata.deletion_timestamp = kT0;  // kubectl delete ticket
      const Plan p = plan_at(w, kT0);
      REQUIRE(p.creates.size() == 1);
      CHECK(incarnation_label(p.creates[0].ticket) == "1");
      CHECK(p.creates[0].event.reason == "TicketReplaced");
      CHECK(p.creates[0].event.message.find(old + " was deleted while Ready") != std::string::npos);
      CHECK(p.status.ready == 0);  // a terminating ticket does not count
    }
  }
}

TEST_CASE("a OneTime template startTime is kept for first tickets only", "[unit]") {
  World w{make_order("db", 1, "2h")};
  w.order.spec.template_.spec.window.emplace().start_time = kT0 - std::chrono::minutes(30);
  const Plan first = plan_at(w, kT0);
  REQUIRE(first.creates.size() == 1);
  CHECK(first.creates[0].ticket.spec.window->start_time == kT0 - std::chrono::minutes(30));
  apply(w, first, kT0);
  current(w, "r0").status.phase = "Claimed";
  const TimePoint later = kT0 + std::chrono::minutes(10);
  const Plan replaced = plan_at(w, later);
  REQUIRE(replaced.creates.size() == 1);
  CHECK_FALSE(replaced.creates[0].ticket.spec.window.has_value());
  CHECK(expiration_of(replaced.creates[0].ticket, later).value() == later + std::chrono::hours(2));
}

}  // namespace
}  // namespace korder::order
