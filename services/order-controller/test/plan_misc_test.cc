// plan(): pause, quota denials, name collisions, crash recovery, determinism, invalid specs.

#include <algorithm>
#include <catch2/catch.hpp>

#include "plan.h"
#include "plan_test_support.h"
#include "ticket_builder.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

using namespace testing;  // NOLINT: test helpers
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = utc("2026-05-01T12:00:00Z");

TEST_CASE("a paused order creates and deletes nothing but still reports its status", "[unit]") {
  World w{make_order("db", 3, "24h")};
  converge(w, kT0);
  set_pending_to(w, "Ready");
  converge(w, kT0);
  w.order.spec.paused = true;
  w.order.spec.replicas = 5;
  current(w, "r0").status.phase = "Claimed";
  const Plan p = plan_at(w, kT0);
  CHECK_FALSE(p.has_actions());
  CHECK(p.status.desired == 5);
  CHECK(p.status.claimed == 1);
  CHECK(p.status.ready == 2);
  CHECK(p.status.slots.size() == 5);
  CHECK(p.status.slots[0] == api::OrderSlotStatus{"r0", 0, "Claimed", {}});
  CHECK(condition(p.status, "Progressing").status == "Unknown");
  CHECK(condition(p.status, "Progressing").reason == "Paused");
  apply(w, p, kT0);
  require_no_writes(w, kT0);

  w.order.spec.paused = false;
  const Plan resumed = plan_at(w, kT0);
  CHECK(create_slots(resumed) == std::vector<std::string>{"r0", "r3", "r4"});
}

TEST_CASE("a paused Scheduled order does not fire, and catches up inside the window on resume",
          "[unit]") {
  World w{make_order("db", 1, "2h")};
  set_strategy(w.order, "Scheduled", "0 9 * * *");
  w.order.spec.paused = true;
  const Plan paused = plan_at(w, utc("2026-05-01T09:00:00Z"));
  CHECK_FALSE(paused.has_actions());
  CHECK(event_reasons(paused).empty());
  CHECK_FALSE(paused.status.last_schedule_time.has_value());
  apply(w, paused, utc("2026-05-01T09:00:00Z"));
  w.order.spec.paused = false;
  const Plan resumed = plan_at(w, utc("2026-05-01T10:00:00Z"));
  CHECK(resumed.creates.size() == 1);
  CHECK(event_reasons(resumed) == std::vector<std::string>{"ScheduleFired"});
}

TEST_CASE("a quota-denied creation is retried after the backoff and QuotaExceeded clears",
          "[unit]") {
  World w{make_order("db", 2, "24h")};
  const Plan first = plan_at(w, kT0);
  apply(w, first, kT0, /*deny_creates=*/true);
  REQUIRE(w.denial.has_value());

  const Plan held = plan_at(w, kT0 + seconds(10));
  CHECK(held.creates.empty());
  CHECK(held.requeue_after == seconds(20));
  CHECK(condition(held.status, "QuotaExceeded").status == "True");
  CHECK(condition(held.status, "QuotaExceeded").reason == "TicketCreationDenied");
  CHECK(condition(held.status, "QuotaExceeded").message == w.denial->message);
  CHECK(condition(held.status, "Progressing").reason == "WaitingForQuota");
  CHECK(condition(held.status, "Progressing").message ==
        "a quota denied a ticket creation; retrying at 2026-05-01T12:00:30Z");
  CHECK(event_reasons(held) == std::vector<std::string>{"QuotaExceeded"});
  apply(w, held, kT0 + seconds(10));
  require_no_writes(w, kT0 + seconds(15));  // the event is not repeated

  // After 30 s the same tickets (same names) are tried again.
  const Plan retry = plan_at(w, kT0 + seconds(30));
  REQUIRE(retry.creates.size() == 2);
  CHECK(retry.creates[0].ticket.metadata.name == first.creates[0].ticket.metadata.name);
  apply(w, retry, kT0 + seconds(30));
  CHECK_FALSE(w.denial.has_value());
  const Plan after = plan_at(w, kT0 + seconds(31));
  CHECK(condition(after.status, "QuotaExceeded").status == "False");
  CHECK(event_reasons(after) == std::vector<std::string>{"QuotaAvailable"});
}

TEST_CASE("a recorded quota denial stops mattering once no ticket needs creating", "[unit]") {
  World w{make_order("db", 2, "24h")};
  converge(w, kT0);
  w.denial = QuotaDenial{kT0, "korder quota exceeded: quota \"q\": tickets: limit 2"};
  const Plan p = plan_at(w, kT0 + seconds(1));
  CHECK(condition(p.status, "QuotaExceeded").status == "False");
}

TEST_CASE("a ticket of another owner under a computed name is a collision, not a filled slot",
          "[unit]") {
  World w{make_order("db", 2, "24h")};
  api::Ticket squatter = build_ticket(w.order, {"r1", "", 0, {}, {}, "x"});
  squatter.metadata.owner_references[0].uid = "uid-someone-else";
  squatter.metadata.labels["korder.dev/slot"] = "r9";
  w.tickets.push_back(squatter);

  const Plan p = plan_at(w, kT0);
  CHECK(create_slots(p) == std::vector<std::string>{"r0"});
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0].find("slot r1:") == 0);
  CHECK(p.errors[0].find("belongs to another owner") != std::string::npos);
  CHECK(event_reasons(p) == std::vector<std::string>{"TicketNameCollision"});
  CHECK(condition(p.status, "Progressing").status == "False");
  CHECK(condition(p.status, "Progressing").reason == "TicketNameCollision");
  // The slot is not dropped: it stays desired and remembered.
  CHECK(p.status.desired == 2);
  CHECK(p.status.slots[1] == api::OrderSlotStatus{"r1", 0, "", {}});
}

TEST_CASE("an own ticket with a different slot label under a computed name is a collision",
          "[unit]") {
  World w{make_order("db", 1, "24h")};
  api::Ticket clash = build_ticket(w.order, {"r0", "", 0, {}, {}, "x"});
  clash.metadata.labels["korder.dev/slot"] = "r7";
  clash.status.phase = "Claimed";
  w.tickets.push_back(clash);
  const Plan p = plan_at(w, kT0);
  CHECK(p.creates.empty());
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0].find("korder.dev/slot=r7, not r0 (ticket name hash collision)") !=
        std::string::npos);
}

TEST_CASE("a crash between creating tickets and writing status creates no duplicates", "[unit]") {
  World w{make_order("db", 3, "24h")};
  const Plan first = plan_at(w, kT0);
  REQUIRE(first.creates.size() == 3);

  SECTION("the cache shows the tickets, the status was never written") {
    const api::OrderStatus unwritten = w.order.status;
    apply(w, first, kT0);
    w.order.status = unwritten;
    const Plan again = plan_at(w, kT0 + seconds(5));
    CHECK_FALSE(again.has_actions());
  }
  SECTION("the status was written, the cache does not show the tickets yet") {
    w.order.status = first.status;
    const Plan again = plan_at(w, kT0 + seconds(5));
    REQUIRE(again.creates.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(again.creates[i].ticket.metadata.name == first.creates[i].ticket.metadata.name);
    }
  }
}

TEST_CASE("plans are deterministic whatever order the tickets come in", "[unit]") {
  World w{make_order("db", 4, "24h")};
  converge(w, kT0);
  current(w, "r1").status.phase = "Ready";
  current(w, "r2").status.phase = "Claimed";
  w.order.spec.replicas = 2;
  const Plan a = plan_at(w, kT0);
  std::reverse(w.tickets.begin(), w.tickets.end());
  const Plan b = plan_at(w, kT0);
  REQUIRE(a.creates.size() == b.creates.size());
  for (std::size_t i = 0; i < a.creates.size(); ++i) {
    CHECK(a.creates[i].ticket == b.creates[i].ticket);
  }
  REQUIRE(a.deletes.size() == b.deletes.size());
  for (std::size_t i = 0; i < a.deletes.size(); ++i) {
    CHECK(a.deletes[i].name == b.deletes[i].name);
  }
  CHECK(a.status == b.status);
}

TEST_CASE("tickets being deleted count neither as live nor in the status", "[unit]") {
  World w{make_order("db", 2, "24h")};
  w.deletions_linger = true;
  converge(w, kT0);
  set_pending_to(w, "Ready");
  converge(w, kT0);
  w.order.spec.replicas = 1;
  const Plan down = plan_at(w, kT0);
  apply(w, down, kT0);
  const Plan p = plan_at(w, kT0);
  CHECK_FALSE(p.has_actions());
  CHECK(p.status.ready == 1);
  CHECK(w.tickets.size() == 2);  // one still terminating
}

TEST_CASE("tickets of other orders are ignored", "[unit]") {
  World w{make_order("db", 1, "24h")};
  World other{make_order("cache", 2, "24h")};
  converge(other, kT0);
  w.tickets = other.tickets;
  const Plan p = plan_at(w, kT0);
  CHECK(p.creates.size() == 1);
  CHECK(p.deletes.empty());
  CHECK(p.status.pending == 0);
}

TEST_CASE("an order whose spec cannot be planned gets conditions and no actions", "[unit]") {
  World w{make_order("db", 2, "24h")};
  converge(w, kT0);
  w.order.spec.template_.spec.duration = "forever";
  w.order.metadata.generation = 2;
  const Plan p = plan_at(w, kT0);
  CHECK_FALSE(p.has_actions());
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0] == "spec.template.spec.duration: time: invalid duration \"forever\"");
  CHECK(condition(p.status, "Ready").reason == "InvalidSpec");
  CHECK(condition(p.status, "Progressing").reason == "InvalidSpec");
  CHECK(p.status.observed_generation == 2);
  CHECK(p.status.pending == 2);
  CHECK(p.status.slots == w.order.status.slots);
}

}  // namespace
}  // namespace korder::order
