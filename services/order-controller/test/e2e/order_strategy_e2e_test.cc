// korder-order-controller's Scheduled and Recurring strategies end to end (DESIGN.md §2): the
// development cluster and the daemons as separate processes, checked through the API.
//
// Cron fires fall on minute boundaries, so waiting for "the next fire" could take a minute. The
// schedules are built from the wall clock instead (strategy_e2e_support.h): a daily fire at the
// current minute is a window open now (a missed fire still inside its window, caught up at
// creation), one minutes back whose window has passed is a missed fire that is not caught up,
// and changing a Recurring order's schedule to the current minute makes a newer fire the latest
// one, which the controller handles as it handles any fire. Window ends and ticket expiries are
// real timed events inside the test.

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "korder/api/duration.h"
#include "korder/api/order.h"
#include "korder/api/ticket.h"
#include "korder/api/time.h"
#include "strategy_e2e_support.h"

namespace korder::order::e2e {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

const api::Condition* condition(const api::Order& order, const std::string& type) {
  for (const api::Condition& c : order.status.conditions) {
    if (c.type == type) {
      return &c;
    }
  }
  return nullptr;
}

int count_reason(const std::vector<api::Event>& events, const std::string& reason) {
  int n = 0;
  for (const api::Event& e : events) {
    n += e.reason == reason ? e.count.value_or(1) : 0;
  }
  return n;
}

bool all_in_phase(const std::vector<api::Ticket>& tickets, std::size_t count,
                  const std::string& phase) {
  return tickets.size() == count && std::all_of(tickets.begin(), tickets.end(),
                                                [&](auto& t) { return t.status.phase == phase; });
}

// The order's tickets that hold capacity now: not being deleted, Pending or Ready, and not past
// their window (the order controller's view; no ticket controller marks them Expired here).
std::vector<api::Ticket> holding(StrategyE2e& env, const std::string& order) {
  const TimePoint now = system_clock::now();
  std::vector<api::Ticket> out;
  for (api::Ticket& t : env.live_tickets(order)) {
    if (t.status.phase == "Claimed" || t.status.phase == "Expired") {
      continue;
    }
    const auto duration = api::Duration::parse(t.spec.duration);
    REQUIRE(duration.has_value());
    const auto start = window_start(t);
    if (start &&
        *start + std::chrono::duration_cast<TimePoint::duration>(duration->nanoseconds()) <= now) {
      continue;
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::set<std::string> names_of(const std::vector<api::Ticket>& tickets) {
  std::set<std::string> out;
  for (const api::Ticket& t : tickets) {
    out.insert(t.metadata.name);
  }
  return out;
}

TEST_CASE(
    "a Scheduled order created inside an open window catches its fire up: its tickets hold "
    "capacity exactly until the window ends, Delete and Retain clean them up, and no ticket "
    "follows the window",
    "[e2e]") {
  StrategyE2e env;
  env.start_controller("order-controller", {"--leader-elect=false"});
  env.start_ticket_controller();

  // The every-minute order's window has to close before the next minute opens another one.
  REQUIRE(eventually([] { return second_of_minute(system_clock::now()) <= 44s; }, 20s));
  const TimePoint created = system_clock::now();
  const TimePoint fire = minute_of(created);
  // The window [fire, fire + duration) is open for another 15 s and closes by second 59.
  const std::chrono::seconds duration = second_of_minute(created) + 15s;
  const TimePoint window_end = fire + duration;
  const StrategyOrder daily{.name = "daily",
                            .type = "Scheduled",
                            .schedule = daily_cron(fire),
                            .refresh = "Always",
                            .duration = go_seconds(duration),
                            .cleanup_policy = "Retain"};
  const StrategyOrder minutely{.name = "minutely",
                               .type = "Scheduled",
                               .schedule = "* * * * *",
                               .duration = go_seconds(duration),
                               .cleanup_policy = "Retain"};
  const StrategyOrder drop{.name = "drop",
                           .type = "Scheduled",
                           .schedule = daily_cron(fire),
                           .duration = go_seconds(duration),
                           .cleanup_policy = "Delete",
                           .ttl_seconds_after_finished = 1};
  env.apply(strategy_yaml(daily) + "---\n" + strategy_yaml(minutely) + "---\n" +
            strategy_yaml(drop));

  const std::vector<std::string> orders = {"daily", "minutely", "drop"};
  // Every order holds 2 Ready tickets (guardians placed by the scheduler) inside the window.
  REQUIRE(eventually([&] {
    return std::all_of(orders.begin(), orders.end(), [&](const std::string& name) {
      return all_in_phase(env.tickets(name), 2, "Ready") && env.order(name)->status.ready == 2;
    });
  }));
  REQUIRE(system_clock::now() < window_end);
  for (const std::string& name : orders) {
    INFO("order " << name);
    const api::Order order = *env.order(name);
    CHECK(order.status.last_schedule_time == fire);
    CHECK(by_slot(env.tickets(name)).size() == 2);
    for (const api::Ticket& t : env.tickets(name)) {
      INFO("ticket " << t.metadata.name);
      CHECK(window_start(t) == fire);
      CHECK(t.spec.duration == go_seconds(duration));
      // The ticket ends with the window: fire + duration, to the second.
      CHECK(t.status.expiration_time == window_end);
      const auto guardian = env.pod(t.status.guardian_pod);
      REQUIRE(guardian.has_value());
      CHECK(is_running_and_ready(*guardian));
      CHECK(guardian->spec.node_name == t.status.node_name);
    }
  }
  CHECK(env.order("daily")->status.next_schedule_time == fire + 24h);
  CHECK(env.order("minutely")->status.next_schedule_time == fire + 60s);
  const std::vector<api::Event> fired = env.order_events("daily");
  CHECK(count_reason(fired, "ScheduleFired") == 1);
  CHECK(std::any_of(fired.begin(), fired.end(), [&](const api::Event& e) {
    return e.reason == "ScheduleFired" &&
           e.message.find(api::format_rfc3339(fire)) != std::string::npos &&
           e.message.find(api::format_rfc3339(window_end)) != std::string::npos;
  }));
  const std::set<std::string> minutely_tickets = names_of(env.tickets("minutely"));

  // The window closes: every ticket expires at its expirationTime and its guardian goes.
  REQUIRE(eventually(
      [&] {
        std::vector<api::Ticket> first_window;
        for (const api::Ticket& t : env.tickets("minutely")) {
          if (minutely_tickets.count(t.metadata.name) != 0) {
            first_window.push_back(t);
          }
        }
        return all_in_phase(env.tickets("daily"), 2, "Expired") &&
               all_in_phase(first_window, 2, "Expired");
      },
      30s));
  CHECK(system_clock::now() >= window_end);
  REQUIRE(eventually([&] {
    return env.pods("korder.dev/role=guardian,korder.dev/order=daily").empty() &&
           env.pods("korder.dev/role=guardian,korder.dev/order=drop").empty();
  }));

  // The order sees the window closed: counts, the Ready condition, the next fire.
  REQUIRE(eventually([&] {
    const api::Order o = *env.order("daily");
    return o.status.expired == 2 && o.status.pending == 0 && o.status.ready == 0;
  }));
  const api::Order after = *env.order("daily");
  CHECK(after.status.last_schedule_time == fire);
  CHECK(after.status.next_schedule_time == fire + 24h);
  const api::Condition* ready = condition(after, "Ready");
  REQUIRE(ready != nullptr);
  CHECK(ready->status == "False");
  CHECK(ready->reason == "OutsideWindow");
  CHECK_THAT(ready->message, Catch::Contains(api::format_rfc3339(fire + 24h)));

  // Delete removes the finished tickets a second later; the order remembers its slots as
  // Expired. Retain keeps them.
  REQUIRE(eventually([&] { return env.tickets("drop").empty(); }));
  const api::Order dropped = *env.order("drop");
  REQUIRE(dropped.status.slots.size() == 2);
  for (const api::OrderSlotStatus& slot : dropped.status.slots) {
    CHECK(slot.phase == "Expired");
  }
  // Outside the window nothing replaces them, although "daily" refreshes Always.
  CHECK_FALSE(eventually(
      [&] {
        return !all_in_phase(env.tickets("daily"), 2, "Expired") || !env.tickets("drop").empty();
      },
      2s));
}

TEST_CASE(
    "a Scheduled order with no open window holds nothing: a missed fire whose window has "
    "passed is not caught up, and nextScheduleTime is the next fire in the order's time zone",
    "[e2e]") {
  StrategyE2e env;
  env.start_controller("order-controller", {"--leader-elect=false"});
  const TimePoint now = system_clock::now();
  const TimePoint missed_fire = minute_of(now) - 2min;  // its 30 s window ended 90 s ago
  const TimePoint next_fire = minute_of(now) + 5min;
  const StrategyOrder missed{.name = "missed",
                             .type = "Scheduled",
                             .schedule = daily_cron(missed_fire),
                             .duration = "30s"};
  // Asia/Tokyo is UTC+9 all year: "M H" read there fires at next_fire.
  const StrategyOrder tokyo{.name = "tokyo",
                            .type = "Scheduled",
                            .schedule = daily_cron(next_fire, 9h),
                            .time_zone = "Asia/Tokyo",
                            .duration = "1m"};
  env.apply(strategy_yaml(missed) + "---\n" + strategy_yaml(tokyo));

  REQUIRE(eventually([&] {
    for (const char* name : {"missed", "tokyo"}) {
      const auto o = env.order(name);
      if (!o || o->status.observed_generation != o->metadata.generation ||
          !o->status.next_schedule_time) {
        return false;
      }
    }
    return true;
  }));
  const api::Order m = *env.order("missed");
  CHECK(m.status.next_schedule_time == missed_fire + 24h);
  CHECK_FALSE(m.status.last_schedule_time.has_value());
  CHECK(m.status.desired == 2);
  CHECK(m.status.pending + m.status.ready + m.status.claimed + m.status.expired == 0);
  const api::Condition* ready = condition(m, "Ready");
  REQUIRE(ready != nullptr);
  CHECK(ready->reason == "OutsideWindow");
  CHECK_THAT(ready->message, Catch::Contains(api::format_rfc3339(missed_fire + 24h)));

  const api::Order t = *env.order("tokyo");
  CHECK(t.status.next_schedule_time == next_fire);
  CHECK_FALSE(t.status.last_schedule_time.has_value());

  CHECK(env.all_tickets().empty());
  CHECK_FALSE(eventually([&] { return !env.all_tickets().empty(); }, 2s));
  CHECK(count_reason(env.order_events("missed"), "ScheduleFired") == 0);
  CHECK(count_reason(env.order_events("tokyo"), "ScheduleFired") == 0);
}

TEST_CASE(
    "a Recurring order tops up at each fire without stacking: a consumed slot waits for the "
    "next fire under Never, a live ticket carried over from the last fire is kept until it "
    "expires, and then topped up for the current period",
    "[e2e]") {
  // Only the order controller runs: the test plays the ticket controller's part (phases).
  StrategyE2e env;
  env.start_controller("order-controller", {"--leader-elect=false"});
  const TimePoint start = system_clock::now();
  const TimePoint first_fire = minute_of(start) - 2min;
  // The first period ends 15 s from now.
  const std::chrono::seconds duration =
      std::chrono::ceil<std::chrono::seconds>(start - first_fire) + 15s;
  const TimePoint first_end = first_fire + duration;
  StrategyOrder spec{.name = "batch",
                     .type = "Recurring",
                     .schedule = daily_cron(first_fire),
                     .refresh = "Never",
                     .duration = go_seconds(duration)};
  env.apply(strategy_yaml(spec));

  // The fire 2 minutes ago is caught up: its period is still open.
  REQUIRE(eventually([&] {
    const auto o = env.order("batch");
    return env.tickets("batch").size() == 2 && o->status.pending == 2 &&
           o->status.last_schedule_time == first_fire;
  }));
  CHECK(env.order("batch")->status.next_schedule_time == first_fire + 24h);
  const auto first = by_slot(env.tickets("batch"));
  for (const api::Ticket& t : env.tickets("batch")) {
    CHECK(window_start(t) == first_fire);
    CHECK(label(t.metadata, "korder.dev/incarnation") == "0");
  }

  // r0 is claimed, r1 goes Ready. Never: nothing replaces r0 between fires.
  env.set_ticket_phase(first.at("r0"), "Claimed");
  env.set_ticket_phase(first.at("r1"), "Ready");
  REQUIRE(eventually([&] {
    const auto o = env.order("batch");
    return o->status.claimed == 1 && o->status.ready == 1;
  }));
  CHECK_FALSE(eventually([&] { return env.tickets("batch").size() != 2; }, 1s));

  // The next fire: the schedule now fires at the current minute, a newer fire than the first.
  const TimePoint second_fire = minute_of(system_clock::now());
  REQUIRE(system_clock::now() + 3s < first_end);  // r1 is still live at that fire
  spec.schedule = daily_cron(second_fire);
  env.patch_order_spec("batch", R"({"strategy":{"schedule":")" + spec.schedule + R"("}})");
  REQUIRE(eventually([&] {
    const auto o = env.order("batch");
    return o->status.last_schedule_time == second_fire && env.tickets("batch").size() == 3;
  }));
  const api::Order fired = *env.order("batch");
  CHECK(fired.status.next_schedule_time == second_fire + 24h);
  // The consumed slot is topped up for the new period; r1's live ticket stands in for it (no
  // stacking: 2 live tickets for 2 replicas).
  const auto live = by_slot(holding(env, "batch"));
  std::map<std::string, api::Ticket> by_name;
  for (const api::Ticket& t : env.tickets("batch")) {
    by_name.emplace(t.metadata.name, t);
  }
  REQUIRE(live.size() == 2);
  const api::Ticket& topped = by_name.at(live.at("r0"));
  CHECK(topped.metadata.name != first.at("r0"));
  CHECK(label(topped.metadata, "korder.dev/incarnation") == "1");
  CHECK(window_start(topped) == second_fire);
  CHECK(topped.spec.duration == go_seconds(duration));
  CHECK(live.at("r1") == first.at("r1"));
  CHECK(eventually([&] {
    const auto o = env.order("batch");
    return o->status.pending + o->status.ready == 2 && o->status.claimed == 1;
  }));

  // r1's ticket expires with the first period (the controller's own timer: nothing else
  // changes), and only then is its slot topped up for the current period.
  REQUIRE(eventually([&] { return env.tickets("batch").size() == 4; }, 25s));
  CHECK(system_clock::now() >= first_end);
  const auto final_live = by_slot(holding(env, "batch"));
  REQUIRE(final_live.size() == 2);
  for (const api::Ticket& t : env.tickets("batch")) {
    if (t.metadata.name == final_live.at("r1")) {
      CHECK(label(t.metadata, "korder.dev/incarnation") == "1");
      CHECK(window_start(t) == second_fire);
    }
  }
  REQUIRE(eventually([&] {
    const auto o = env.order("batch");
    return o->status.expired == 1 && o->status.claimed == 1 && o->status.pending == 2;
  }));
  CHECK(count_reason(env.order_events("batch"), "ScheduleFired") == 2);
  // Never more than 2 live tickets, and nothing more to create.
  CHECK_FALSE(eventually([&] { return env.tickets("batch").size() != 4; }, 1s));
}

}  // namespace
}  // namespace korder::order::e2e
