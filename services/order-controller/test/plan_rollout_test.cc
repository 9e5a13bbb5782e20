// plan() when the template changes: new before old, and old before new one at a time once a
// quota has denied the extra ticket.

#include <catch2/catch.hpp>

#include "korder/api/quantity.h"
#include "plan.h"
#include "plan_test_support.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

using namespace testing;  // NOLINT: test helpers
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = utc("2026-05-01T12:00:00Z");

World ready_order(int replicas) {
  World w{make_order("db", replicas, "24h")};
  converge(w, kT0);
  set_pending_to(w, "Ready");
  converge(w, kT0);
  return w;
}

void change_template(World& w) {
  w.order.spec.template_.spec.resources.requests["cpu"] = api::Quantity::parse("1").value();
  w.order.metadata.generation = *w.order.metadata.generation + 1;
}

int ready_count(const World& w) {
  return static_cast<int>(std::count_if(w.tickets.begin(), w.tickets.end(), [](const auto& t) {
    return !t.metadata.deletion_timestamp && t.status.phase == "Ready";
  }));
}

TEST_CASE("a template change replaces tickets new before old, so held capacity never drops",
          "[unit]") {
  World w = ready_order(2);
  const std::string old_hash = hash_label(current(w, "r0"));
  change_template(w);
  const std::string new_hash = template_hash(w.order.spec.template_);
  REQUIRE(new_hash != old_hash);

  TimePoint now = kT0 + minutes(1);
  const Plan start = plan_at(w, now);
  CHECK(create_slots(start) == std::vector<std::string>{"r0", "r1"});
  CHECK(start.deletes.empty());
  for (const TicketCreate& c : start.creates) {
    CHECK(hash_label(c.ticket) == new_hash);
    CHECK(incarnation_label(c.ticket) == "1");
    CHECK(c.event.reason == "TicketReplaced");
  }
  CHECK(condition(start.status, "Progressing").reason == "ReplacingTickets");
  apply(w, start, now);

  // The new tickets are Pending: the old ones stay.
  const Plan waiting = plan_at(w, now);
  CHECK_FALSE(waiting.has_actions());
  CHECK(waiting.status.ready == 2);
  CHECK(waiting.status.pending == 2);
  apply(w, waiting, now);

  // r0's new ticket turns Ready: only r0's old one goes.
  for (api::Ticket* t : in_slot(w, "r0")) {
    t->status.phase = "Ready";
  }
  const Plan step = plan_at(w, now);
  REQUIRE(step.deletes.size() == 1);
  CHECK(step.deletes[0].name == in_slot(w, "r0")[0]->metadata.name);
  CHECK(hash_label(*in_slot(w, "r0")[0]) == old_hash);
  CHECK(step.deletes[0].event.message.find("superseded by") != std::string::npos);
  apply(w, step, now);
  CHECK(ready_count(w) >= 2);

  set_pending_to(w, "Ready");
  const Plan done = converge(w, now);
  CHECK(w.tickets.size() == 2);
  for (const auto& t : w.tickets) {
    CHECK(hash_label(t) == new_hash);
  }
  CHECK(condition(done.status, "Progressing").reason == "Stable");
  CHECK(done.status.observed_generation == 2);
  CHECK(done.status.slots ==
        std::vector<api::OrderSlotStatus>{{"r0", 1, "Ready", {}}, {"r1", 1, "Ready", {}}});
  require_no_writes(w, now);
}

TEST_CASE("claimed tickets are not replaced by a template change", "[unit]") {
  World w{make_order("db", 1, "24h")};
  set_strategy(w.order, "OneTime", "", "Never");
  converge(w, kT0);
  current(w, "r0").status.phase = "Claimed";
  converge(w, kT0);
  change_template(w);
  const Plan p = plan_at(w, kT0);
  CHECK_FALSE(p.has_actions());
}

TEST_CASE("a quota-denied template change proceeds one ticket at a time, old before new",
          "[unit]") {
  World w = ready_order(2);
  change_template(w);
  const std::string new_hash = template_hash(w.order.spec.template_);
  TimePoint now = kT0 + minutes(1);

  // The extra ticket of new-before-old is denied.
  const Plan first = plan_at(w, now);
  REQUIRE(first.creates.size() == 2);
  apply(w, first, now, /*deny_creates=*/true);
  REQUIRE(w.denial.has_value());
  CHECK(w.tickets.size() == 2);

  // Now one old ticket is deleted (only one), and nothing is created.
  const Plan step1 = plan_at(w, now);
  CHECK(step1.creates.empty());
  CHECK(delete_slots(w, step1) == std::vector<std::string>{"r0"});
  CHECK(condition(step1.status, "Progressing").reason == "RollingOutOneAtATime");
  CHECK(condition(step1.status, "QuotaExceeded").status == "True");
  CHECK(condition(step1.status, "QuotaExceeded").message.find("korder quota exceeded:") !=
        std::string::npos);
  CHECK(event_reasons(step1) == std::vector<std::string>{"QuotaExceeded", "RollingOutOneAtATime"});
  w.deletions_linger = true;
  apply(w, step1, now);

  // While the old ticket terminates, nothing more happens.
  const Plan terminating = plan_at(w, now + seconds(5));
  CHECK_FALSE(terminating.has_actions());
  apply(w, terminating, now + seconds(5));
  finish_deletions(w);

  // It is gone: its replacement is created once the quota retry interval has passed.
  const Plan held = plan_at(w, now + seconds(10));
  CHECK_FALSE(held.has_actions());
  CHECK(held.requeue_after == seconds(20));
  CHECK(condition(held.status, "Progressing").reason == "RollingOutOneAtATime");
  apply(w, held, now + seconds(10));
  now += seconds(30);
  const Plan create = plan_at(w, now);
  CHECK(create_slots(create) == std::vector<std::string>{"r0"});
  CHECK(hash_label(create.creates[0].ticket) == new_hash);
  apply(w, create, now);  // admitted: the denial is cleared
  CHECK_FALSE(w.denial.has_value());

  // Still one at a time: r1 waits until r0's new ticket is Ready.
  const Plan wait = plan_at(w, now);
  CHECK_FALSE(wait.has_actions());
  CHECK(condition(wait.status, "Progressing").reason == "RollingOutOneAtATime");
  CHECK(condition(wait.status, "QuotaExceeded").status == "False");
  CHECK(event_reasons(wait) == std::vector<std::string>{"QuotaAvailable"});
  apply(w, wait, now);
  current(w, "r0").status.phase = "Ready";
  const Plan step2 = plan_at(w, now);
  CHECK(delete_slots(w, step2) == std::vector<std::string>{"r1"});
  apply(w, step2, now);
  finish_deletions(w);
  const Plan create2 = plan_at(w, now);
  CHECK(create_slots(create2) == std::vector<std::string>{"r1"});
  apply(w, create2, now);
  set_pending_to(w, "Ready");
  const Plan done = converge(w, now);
  CHECK(condition(done.status, "Progressing").reason == "Stable");
  for (const auto& t : w.tickets) {
    CHECK(hash_label(t) == new_hash);
  }
  require_no_writes(w, now);
}

TEST_CASE("a Scheduled template change inside a window keeps the window's fire", "[unit]") {
  World w{make_order("db", 1, "2h")};
  set_strategy(w.order, "Scheduled", "0 9 * * *");
  const TimePoint fire = utc("2026-05-01T09:00:00Z");
  converge(w, fire);
  set_pending_to(w, "Ready");
  converge(w, fire);
  change_template(w);
  const Plan p = plan_at(w, fire + minutes(30));
  REQUIRE(p.creates.size() == 1);
  CHECK(p.creates[0].ticket.spec.window->start_time == fire);
  CHECK(incarnation_label(p.creates[0].ticket) == "1");
  CHECK(event_reasons(p).empty());
}

}  // namespace
}  // namespace korder::order
