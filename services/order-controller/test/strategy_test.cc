#include "strategy.h"

#include <catch2/catch.hpp>

#include "plan_test_support.h"

namespace korder::order {
namespace {

using testing::make_order;
using testing::set_strategy;
using testing::str;
using testing::utc;

TEST_CASE("parse_policy applies the defaults OneTime and OnClaim", "[unit]") {
  const api::Order order = make_order();
  auto policy = parse_policy(order.spec);
  REQUIRE(policy.has_value());
  CHECK(policy->strategy == Strategy::OneTime);
  CHECK(policy->refresh == Refresh::OnClaim);
  CHECK(policy->duration.to_string() == "1h0m0s");
  CHECK_FALSE(policy->schedule.has_value());
}

TEST_CASE("parse_policy reports what makes an order unplannable, by field", "[unit]") {
  struct Case {
    const char* type;
    const char* schedule;
    const char* refresh;
    const char* duration;
    const char* error;
  };
  const Case cases[] = {
      {"Weekly", "", "", "1h", "spec.strategy.type: unsupported value \"Weekly\""},
      {"OneTime", "", "Sometimes", "1h",
       "spec.strategy.refreshPolicy: unsupported value \"Sometimes\""},
      {"OneTime", "", "", "3x",
       "spec.template.spec.duration: time: unknown unit \"x\" in duration \"3x\""},
      {"OneTime", "", "", "0s", "spec.template.spec.duration: must be positive, got \"0s\""},
      {"Scheduled", "", "", "1h", "spec.strategy.schedule: required for strategy Scheduled"},
      {"Recurring", "61 * * * *", "", "1h", "spec.strategy.schedule: minute 61 out of range 0-59"},
  };
  for (const Case& c : cases) {
    api::Order order = make_order("db", 1, c.duration);
    set_strategy(order, c.type, c.schedule, c.refresh);
    const auto policy = parse_policy(order.spec);
    INFO(c.error);
    REQUIRE_FALSE(policy.has_value());
    CHECK(policy.error() == c.error);
  }
}

TEST_CASE("a scheduled period is open from its fire until fire plus duration", "[unit]") {
  api::Order order = make_order("db", 1, "2h");
  set_strategy(order, "Scheduled", "0 9 * * *");
  const auto policy = parse_policy(order.spec);
  REQUIRE(policy.has_value());
  struct Case {
    const char* now;
    bool open;
    const char* fire;
    const char* next;
  };
  const Case cases[] = {
      {"2026-05-01T08:59:59Z", false, "2026-04-30T09:00:00Z", "2026-05-01T09:00:00Z"},
      {"2026-05-01T09:00:00Z", true, "2026-05-01T09:00:00Z", "2026-05-02T09:00:00Z"},
      {"2026-05-01T10:59:59Z", true, "2026-05-01T09:00:00Z", "2026-05-02T09:00:00Z"},
      {"2026-05-01T11:00:00Z", false, "2026-05-01T09:00:00Z", "2026-05-02T09:00:00Z"},
  };
  for (const Case& c : cases) {
    INFO(c.now);
    const PeriodState state = evaluate_period(*policy, utc(c.now));
    CHECK(state.open == c.open);
    CHECK(str(state.fire) == c.fire);
    CHECK(str(state.next_fire) == c.next);
  }
}

TEST_CASE("a OneTime period is always open and has no fires", "[unit]") {
  const auto policy = parse_policy(make_order().spec);
  REQUIRE(policy.has_value());
  const PeriodState state = evaluate_period(*policy, utc("2026-05-01T09:00:00Z"));
  CHECK(state.open);
  CHECK_FALSE(state.fire.has_value());
  CHECK_FALSE(state.next_fire.has_value());
}

TEST_CASE("refresh policies replace exactly what DESIGN says", "[unit]") {
  CHECK(refresh_replaces(Refresh::Always, "Claimed"));
  CHECK(refresh_replaces(Refresh::Always, "Expired"));
  CHECK(refresh_replaces(Refresh::OnClaim, "Claimed"));
  CHECK_FALSE(refresh_replaces(Refresh::OnClaim, "Expired"));
  CHECK_FALSE(refresh_replaces(Refresh::Never, "Claimed"));
  CHECK_FALSE(refresh_replaces(Refresh::Never, "Expired"));
  for (const Refresh r : {Refresh::Always, Refresh::OnClaim, Refresh::Never}) {
    CHECK_FALSE(refresh_replaces(r, "Ready"));
    CHECK_FALSE(refresh_replaces(r, "Pending"));
  }
}

}  // namespace
}  // namespace korder::order
