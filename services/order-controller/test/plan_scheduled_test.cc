// plan() for Scheduled orders: windows, catching up missed fires, time zones and DST.

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

World daily_nine(int replicas = 2, const char* refresh = "") {
  World w{make_order("db", replicas, "2h")};
  set_strategy(w.order, "Scheduled", "0 9 * * *", refresh);
  return w;
}

TEST_CASE("a Scheduled order holds no tickets outside its windows", "[unit]") {
  World w = daily_nine();
  const TimePoint before = utc("2026-05-01T08:00:00Z");
  const Plan p = plan_at(w, before);
  CHECK(p.creates.empty());
  CHECK(p.status.desired == 2);
  CHECK(str(p.status.next_schedule_time) == "2026-05-01T09:00:00Z");
  CHECK_FALSE(p.status.last_schedule_time.has_value());
  CHECK(condition(p.status, "Ready").reason == "OutsideWindow");
  CHECK(condition(p.status, "Ready").message ==
        "no period is open; the next fire is at 2026-05-01T09:00:00Z");
  CHECK(p.requeue_after == hours(1));
  apply(w, p, before);
  require_no_writes(w, before);
}

TEST_CASE("a fire opens a window of duration whose tickets start at the fire", "[unit]") {
  World w = daily_nine();
  const TimePoint fire = utc("2026-05-01T09:00:00Z");
  const Plan p = plan_at(w, fire);
  REQUIRE(create_slots(p) == std::vector<std::string>{"r0", "r1"});
  for (const TicketCreate& c : p.creates) {
    CHECK(c.ticket.spec.window->start_time == fire);
    CHECK(expiration_of(c.ticket, fire).value() == fire + hours(2));
    CHECK(c.ticket.metadata.name == ticket_name("db", {"uid-db", slot_of(c.ticket), 0, fire}));
  }
  CHECK(event_reasons(p) == std::vector<std::string>{"ScheduleFired"});
  CHECK(p.events[0].message ==
        "schedule fired at 2026-05-01T09:00:00Z; the period is open until 2026-05-01T11:00:00Z");
  CHECK(str(p.status.last_schedule_time) == "2026-05-01T09:00:00Z");
  CHECK(str(p.status.next_schedule_time) == "2026-05-02T09:00:00Z");
  CHECK(p.requeue_after == hours(2));  // the window's end
  apply(w, p, fire);
  set_pending_to(w, "Ready");
  const Plan settled = converge(w, fire + minutes(1));
  CHECK(condition(settled.status, "Ready").status == "True");
  require_no_writes(w, fire + minutes(30));
}

TEST_CASE("tickets end with the window and the next day's window gets new tickets", "[unit]") {
  World w = daily_nine();
  const TimePoint day1 = utc("2026-05-01T09:00:00Z");
  converge(w, day1);
  set_pending_to(w, "Ready");
  converge(w, day1);
  std::vector<std::string> day1_names;
  for (const auto& t : w.tickets) {
    day1_names.push_back(t.metadata.name);
  }

  const TimePoint end = utc("2026-05-01T11:00:00Z");
  const Plan closed = plan_at(w, end);
  CHECK(closed.creates.empty());
  CHECK(closed.deletes.empty());
  CHECK(closed.status.expired == 2);  // as of the window end, even before the ticket controller
  CHECK(condition(closed.status, "Ready").reason == "OutsideWindow");
  CHECK(closed.requeue_after == hours(22));
  apply(w, closed, end);
  require_no_writes(w, end);

  const TimePoint day2 = utc("2026-05-02T09:00:00Z");
  const Plan next = plan_at(w, day2);
  REQUIRE(next.creates.size() == 2);
  for (const TicketCreate& c : next.creates) {
    CHECK(incarnation_label(c.ticket) == "1");
    CHECK(c.ticket.spec.window->start_time == day2);
    CHECK(std::find(day1_names.begin(), day1_names.end(), c.ticket.metadata.name) ==
          day1_names.end());
    CHECK(c.event.reason == "TicketCreated");
  }
  CHECK(str(next.status.last_schedule_time) == "2026-05-02T09:00:00Z");
}

TEST_CASE("under Never a slot consumed in one window is filled again in the next", "[unit]") {
  World w = daily_nine(1, "Never");
  const TimePoint day1 = utc("2026-05-01T09:00:00Z");
  converge(w, day1);
  set_pending_to(w, "Ready");
  converge(w, day1);
  current(w, "r0").status.phase = "Claimed";
  const Plan consumed = converge(w, day1 + minutes(10));
  CHECK(consumed.creates.empty());
  remove_ticket(w, current(w, "r0").metadata.name);  // TTL
  CHECK(plan_at(w, day1 + minutes(20)).creates.empty());

  const Plan day2 = plan_at(w, utc("2026-05-02T09:00:00Z"));
  REQUIRE(day2.creates.size() == 1);
  CHECK(incarnation_label(day2.creates[0].ticket) == "1");
}

TEST_CASE("a replacement inside a window ends with the window", "[unit]") {
  World w = daily_nine(2, "OnClaim");
  const TimePoint fire = utc("2026-05-01T09:00:00Z");
  converge(w, fire);
  set_pending_to(w, "Ready");
  converge(w, fire);
  current(w, "r1").status.phase = "Claimed";
  const TimePoint claim_time = utc("2026-05-01T10:15:00Z");
  const Plan p = plan_at(w, claim_time);
  REQUIRE(p.creates.size() == 1);
  const api::Ticket& replacement = p.creates[0].ticket;
  CHECK(p.creates[0].event.reason == "TicketReplaced");
  CHECK(replacement.spec.window->start_time == fire);
  CHECK(expiration_of(replacement, claim_time).value() == utc("2026-05-01T11:00:00Z"));
  CHECK(replacement.metadata.name == ticket_name("db", {"uid-db", "r1", 1, fire}));
  CHECK(event_reasons(p) == std::vector<std::string>{});  // no new fire
}

TEST_CASE("a fire missed while the controller was down is caught up inside its window", "[unit]") {
  World w = daily_nine();
  const TimePoint late = utc("2026-05-01T10:30:00Z");
  const Plan p = plan_at(w, late);
  REQUIRE(p.creates.size() == 2);
  CHECK(p.creates[0].ticket.spec.window->start_time == utc("2026-05-01T09:00:00Z"));
  CHECK(expiration_of(p.creates[0].ticket, late).value() == utc("2026-05-01T11:00:00Z"));
  CHECK(str(p.status.last_schedule_time) == "2026-05-01T09:00:00Z");
  CHECK(p.requeue_after == minutes(30));
}

TEST_CASE("a fire missed while the controller was down is skipped once its window is over",
          "[unit]") {
  World w = daily_nine();
  const TimePoint too_late = utc("2026-05-01T11:00:00Z");
  const Plan p = plan_at(w, too_late);
  CHECK(p.creates.empty());
  CHECK(event_reasons(p).empty());
  CHECK_FALSE(p.status.last_schedule_time.has_value());
  CHECK(str(p.status.next_schedule_time) == "2026-05-02T09:00:00Z");
}

// The windows a Scheduled order opens between `from` and `to`, stepping through time the way a
// controller does: to each requeue deadline.
std::vector<std::string> windows_between(World& w, TimePoint from, TimePoint to) {
  std::vector<std::string> fires;
  TimePoint now = from;
  while (now < to) {
    const Plan p = plan_at(w, now);
    if (!p.creates.empty()) {
      fires.push_back(str(p.creates[0].ticket.spec.window->start_time));
    }
    apply(w, p, now);
    set_pending_to(w, "Ready");
    REQUIRE(p.requeue_after.has_value());
    now += *p.requeue_after;
  }
  return fires;
}

TEST_CASE("a window skipped by spring-forward in America/New_York opens at the change", "[unit]") {
  World w{make_order("db", 1, "1h")};
  set_strategy(w.order, "Scheduled", "30 2 * * *", "", "America/New_York");
  // 2026-03-08: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that day.
  CHECK(windows_between(w, utc("2026-03-06T12:00:00Z"), utc("2026-03-10T12:00:00Z")) ==
        std::vector<std::string>{"2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z",
                                 "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"});
}

TEST_CASE("a window in the repeated hour of fall-back in America/New_York opens once", "[unit]") {
  World w{make_order("db", 1, "30m")};
  set_strategy(w.order, "Scheduled", "30 1 * * *", "", "America/New_York");
  // 2026-11-01: 02:00 EDT falls back to 01:00 EST, so 01:30 happens twice; it fires once.
  CHECK(windows_between(w, utc("2026-10-31T12:00:00Z"), utc("2026-11-02T12:00:00Z")) ==
        std::vector<std::string>{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"});
  const Plan second_pass = plan_at(w, utc("2026-11-01T06:35:00Z"));  // 01:35 EST
  CHECK(second_pass.creates.empty());
}

TEST_CASE("an Asia/Shanghai schedule fires at local time, eight hours ahead of UTC", "[unit]") {
  World w{make_order("db", 1, "1h")};
  set_strategy(w.order, "Scheduled", "0 9 * * *", "", "Asia/Shanghai");
  const Plan before = plan_at(w, utc("2026-03-08T00:00:00Z"));
  CHECK(before.creates.empty());
  CHECK(str(before.status.next_schedule_time) == "2026-03-08T01:00:00Z");
  // China has no daylight saving time: the fire stays at 01:00Z across the US change.
  CHECK(windows_between(w, utc("2026-03-07T00:00:00Z"), utc("2026-03-10T00:00:00Z")) ==
        std::vector<std::string>{"2026-03-07T01:00:00Z", "2026-03-08T01:00:00Z",
                                 "2026-03-09T01:00:00Z"});
}

}  // namespace
}  // namespace korder::order
