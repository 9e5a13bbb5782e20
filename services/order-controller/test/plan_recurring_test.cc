// plan() for Recurring orders: top-ups at each fire that never stack, replacements that end
// with the current period.

#include <catch2/catch.hpp>

#include "plan.h"
#include "plan_test_support.h"
#include "ticket_builder.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

using namespace testing;  // NOLINT: test helpers
using std::chrono::hours;
using std::chrono::minutes;

TEST_CASE("a Recurring fire tops up to replicas and never stacks live tickets", "[unit]") {
  // Every 6 hours, each ticket valid 12 hours: periods overlap.
  World w{make_order("db", 2, "12h")};
  set_strategy(w.order, "Recurring", "0 */6 * * *", "OnClaim");
  const TimePoint f0 = utc("2026-05-01T00:00:00Z");
  const Plan first = plan_at(w, f0);
  CHECK(create_slots(first) == std::vector<std::string>{"r0", "r1"});
  apply(w, first, f0);
  set_pending_to(w, "Ready");
  converge(w, f0);

  // 06:00: both tickets still live until 12:00: the fire is recorded, nothing is added.
  const TimePoint f1 = utc("2026-05-01T06:00:00Z");
  const Plan second = plan_at(w, f1);
  CHECK(second.creates.empty());
  CHECK(event_reasons(second) == std::vector<std::string>{"ScheduleFired"});
  CHECK(str(second.status.last_schedule_time) == "2026-05-01T06:00:00Z");
  apply(w, second, f1);
  CHECK(live_count(w, f1) == 2);
  require_no_writes(w, f1);

  // 07:00: r0 is claimed; its replacement belongs to the 06:00 period and ends at 18:00.
  current(w, "r0").status.phase = "Claimed";
  const TimePoint t = utc("2026-05-01T07:00:00Z");
  const Plan replaced = plan_at(w, t);
  REQUIRE(replaced.creates.size() == 1);
  CHECK(replaced.creates[0].ticket.spec.window->start_time == f1);
  CHECK(expiration_of(replaced.creates[0].ticket, t).value() == utc("2026-05-01T18:00:00Z"));
  apply(w, replaced, t);
  set_pending_to(w, "Ready");
  converge(w, t);
  CHECK(live_count(w, t) == 2);

  // 12:00: the 00:00 ticket of r1 expires exactly as the next fire tops r1 up; r0's 06:00
  // replacement is still live and is kept.
  const TimePoint f2 = utc("2026-05-01T12:00:00Z");
  const Plan third = plan_at(w, f2);
  CHECK(create_slots(third) == std::vector<std::string>{"r1"});
  CHECK(third.creates[0].ticket.spec.window->start_time == f2);
  apply(w, third, f2);
  CHECK(live_count(w, f2) == 2);
}

TEST_CASE("a daily Recurring order with a 24h duration hands over without a gap", "[unit]") {
  for (const char* policy : {"Always", "OnClaim", "Never"}) {
    DYNAMIC_SECTION("refreshPolicy " << policy) {
      World w{make_order("db", 3, "24h")};
      set_strategy(w.order, "Recurring", "@daily", policy);
      const TimePoint day1 = utc("2026-05-01T00:00:00Z");
      converge(w, day1);
      set_pending_to(w, "Ready");
      converge(w, day1);
      const Plan day2 = plan_at(w, utc("2026-05-02T00:00:00Z"));
      CHECK(day2.creates.size() == 3);
      CHECK(day2.status.expired == 3);
      for (const TicketCreate& c : day2.creates) {
        CHECK(c.event.reason == "TicketCreated");
        CHECK(incarnation_label(c.ticket) == "1");
      }
    }
  }
}

TEST_CASE("no Recurring replacement is made once the current period has passed", "[unit]") {
  World w{make_order("db", 1, "2h")};
  set_strategy(w.order, "Recurring", "0 9 * * *", "Always");
  const TimePoint fire = utc("2026-05-01T09:00:00Z");
  converge(w, fire);
  set_pending_to(w, "Ready");
  converge(w, fire);

  current(w, "r0").status.phase = "Claimed";
  const Plan inside = plan_at(w, utc("2026-05-01T10:59:00Z"));
  REQUIRE(inside.creates.size() == 1);
  CHECK(expiration_of(inside.creates[0].ticket, utc("2026-05-01T10:59:00Z")).value() ==
        utc("2026-05-01T11:00:00Z"));

  const Plan after = plan_at(w, utc("2026-05-01T11:00:00Z"));
  CHECK(after.creates.empty());
  CHECK(condition(after.status, "Ready").reason == "OutsideWindow");
}

TEST_CASE("under Never a Recurring slot claimed between fires waits for the next fire", "[unit]") {
  World w{make_order("db", 2, "6h")};
  set_strategy(w.order, "Recurring", "0 */6 * * *", "Never");
  const TimePoint f0 = utc("2026-05-01T00:00:00Z");
  converge(w, f0);
  set_pending_to(w, "Ready");
  converge(w, f0);
  current(w, "r0").status.phase = "Claimed";
  const Plan between = converge(w, utc("2026-05-01T01:00:00Z"));
  CHECK(between.status.slots[0] == api::OrderSlotStatus{"r0", 0, "Claimed", {}});
  CHECK(condition(between.status, "Ready").message == "1 of 1 tickets ready");
  remove_ticket(w, current(w, "r0").metadata.name);  // TTL
  CHECK(plan_at(w, utc("2026-05-01T03:00:00Z")).creates.empty());

  const Plan next = plan_at(w, utc("2026-05-01T06:00:00Z"));
  CHECK(create_slots(next) == std::vector<std::string>{"r0", "r1"});
}

TEST_CASE("a Recurring top-up replanned after a lost status write creates no second ticket",
          "[unit]") {
  World w{make_order("db", 2, "6h")};
  set_strategy(w.order, "Recurring", "0 */6 * * *", "Never");
  const TimePoint f0 = utc("2026-05-01T00:00:00Z");
  converge(w, f0);
  set_pending_to(w, "Ready");
  converge(w, f0);

  // At 06:00 the top-up creates succeed but the status write is lost, and r0's new ticket is
  // claimed before the controller plans again.
  const TimePoint f1 = utc("2026-05-01T06:00:00Z");
  const Plan topup = plan_at(w, f1);
  REQUIRE(topup.creates.size() == 2);
  const api::OrderStatus before = w.order.status;
  apply(w, topup, f1);
  w.order.status = before;
  current(w, "r0").status.phase = "Claimed";
  set_pending_to(w, "Ready");

  const Plan again = plan_at(w, f1 + minutes(1));
  CHECK(again.creates.empty());  // r0's ticket for this fire exists: Never keeps it consumed
  CHECK(event_reasons(again) == std::vector<std::string>{"ScheduleFired"});
  CHECK(str(again.status.last_schedule_time) == "2026-05-01T06:00:00Z");
  CHECK(again.status.slots[0] == api::OrderSlotStatus{"r0", 1, "Claimed", {}});
  CHECK(again.status.slots[1] == api::OrderSlotStatus{"r1", 1, "Ready", {}});
}

TEST_CASE("Scheduled and Recurring refresh policies apply inside the open period", "[unit]") {
  struct Case {
    const char* strategy;
    const char* policy;
    bool replaced;
  };
  const Case cases[] = {
      {"Scheduled", "Always", true}, {"Scheduled", "OnClaim", true}, {"Scheduled", "Never", false},
      {"Recurring", "Always", true}, {"Recurring", "OnClaim", true}, {"Recurring", "Never", false},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.strategy << " with refreshPolicy " << c.policy) {
      World w{make_order("db", 2, "4h")};
      set_strategy(w.order, c.strategy, "0 8 * * *", c.policy);
      const TimePoint fire = utc("2026-05-01T08:00:00Z");
      converge(w, fire);
      set_pending_to(w, "Ready");
      converge(w, fire);
      current(w, "r0").status.phase = "Claimed";
      const TimePoint t = utc("2026-05-01T09:30:00Z");
      const Plan p = plan_at(w, t);
      if (c.replaced) {
        REQUIRE(p.creates.size() == 1);
        CHECK(slot_of(p.creates[0].ticket) == "r0");
        CHECK(p.creates[0].ticket.spec.window->start_time == fire);
        CHECK(expiration_of(p.creates[0].ticket, t).value() == utc("2026-05-01T12:00:00Z"));
      } else {
        CHECK(p.creates.empty());
        CHECK(p.status.slots[0] == api::OrderSlotStatus{"r0", 0, "Claimed", {}});
      }
      converge(w, t);
      require_no_writes(w, t);
      // Whatever the policy, the next fire gives the slot a new ticket.
      const Plan next = plan_at(w, utc("2026-05-02T08:00:00Z"));
      CHECK(create_slots(next) == std::vector<std::string>{"r0", "r1"});
    }
  }
}

TEST_CASE("a ticket carried over from an earlier period is topped up when it expires", "[unit]") {
  // Hourly fires, tickets valid 90 minutes: at each fire the previous ticket is still live.
  World w{make_order("db", 1, "90m")};
  set_strategy(w.order, "Recurring", "0 * * * *", "OnClaim");
  const TimePoint f0 = utc("2026-05-01T10:00:00Z");
  converge(w, f0);
  set_pending_to(w, "Ready");
  converge(w, f0);
  const TimePoint f1 = utc("2026-05-01T11:00:00Z");
  CHECK(plan_at(w, f1).creates.empty());  // carried over into the 11:00 period: no stacking
  converge(w, f1);
  CHECK(w.tickets.size() == 1);

  // At 11:30 the 10:00 ticket ends; under OnClaim an expiry is not replaced, but this ticket
  // only stood in for the 11:00 top-up, which now happens.
  const TimePoint expiry = utc("2026-05-01T11:30:00Z");
  const Plan topup = plan_at(w, expiry);
  REQUIRE(topup.creates.size() == 1);
  CHECK(topup.creates[0].event.reason == "TicketCreated");
  CHECK(topup.creates[0].ticket.spec.window->start_time == f1);
  CHECK(expiration_of(topup.creates[0].ticket, expiry).value() == utc("2026-05-01T12:30:00Z"));
  apply(w, topup, expiry);
  CHECK(live_count(w, expiry) == 1);
}

}  // namespace
}  // namespace korder::order
