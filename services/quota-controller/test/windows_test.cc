#include "windows.h"

#include <catch2/catch.hpp>
#include <string>

#include "korder/api/quota_limits.h"
#include "test_support.h"

namespace korder::quota {
namespace {

using testing::at;
using testing::qty;

TimeWindow window(std::string name, std::string_view schedule, std::string_view zone,
                  std::string_view duration) {
  auto cron = api::CronSchedule::parse(schedule, zone);
  REQUIRE(cron.has_value());
  auto d = api::Duration::parse(duration);
  REQUIRE(d.has_value());
  return TimeWindow{std::move(name), *cron, *d, std::nullopt, std::nullopt};
}

api::ParsedQuotaLimits limits(const api::QuotaLimits& text) {
  auto parsed = api::parse_quota_limits(text, "hard");
  REQUIRE(parsed.has_value());
  return *parsed;
}

TEST_CASE("a window is open from each fire until the fire plus its duration", "[unit]") {
  const TimeWindow w = window("office", "0 9 * * *", "", "2h");
  CHECK_FALSE(is_open(w, at("2024-05-06T08:59:59Z")));
  CHECK(is_open(w, at("2024-05-06T09:00:00Z")));
  CHECK(is_open(w, at("2024-05-06T10:59:59.999Z")));
  CHECK_FALSE(is_open(w, at("2024-05-06T11:00:00Z")));
}

TEST_CASE("a window follows its time zone's wall clock", "[unit]") {
  // 09:00 in Shanghai (UTC+8, no DST) is 01:00 UTC.
  const TimeWindow w = window("office", "0 9 * * *", "Asia/Shanghai", "1h");
  CHECK(is_open(w, at("2024-05-06T01:30:00Z")));
  CHECK_FALSE(is_open(w, at("2024-05-06T09:30:00Z")));
}

TEST_CASE("a window whose fire falls in a spring-forward gap opens at the change", "[unit]") {
  // Berlin skips 02:00-03:00 CET on 2024-03-31: the 02:30 fire happens at 03:00 CEST (01:00Z),
  // korder's rule for restricted hours (a missed window is worse than a late one).
  const TimeWindow w = window("night", "30 2 * * *", "Europe/Berlin", "1h");
  CHECK(is_open(w, at("2024-03-30T01:45:00Z")));  // the day before: 02:30 CET is 01:30Z
  CHECK_FALSE(is_open(w, at("2024-03-31T00:59:59Z")));
  CHECK(is_open(w, at("2024-03-31T01:00:00Z")));
  CHECK(is_open(w, at("2024-03-31T01:59:59Z")));
  CHECK_FALSE(is_open(w, at("2024-03-31T02:00:00Z")));
  CHECK(next_transition({w}, at("2024-03-30T23:00:00Z")) == at("2024-03-31T01:00:00Z"));
  CHECK(next_transition({w}, at("2024-03-31T01:00:00Z")) == at("2024-03-31T02:00:00Z"));
}

TEST_CASE("a window whose fire falls in a repeated hour opens once, at the first", "[unit]") {
  // Berlin repeats 02:00-03:00 on 2024-10-27: 02:30 CEST is 00:30Z, 02:30 CET is 01:30Z.
  const TimeWindow w = window("night", "30 2 * * *", "Europe/Berlin", "1h");
  CHECK(is_open(w, at("2024-10-27T00:30:00Z")));
  CHECK(is_open(w, at("2024-10-27T01:29:59Z")));
  CHECK_FALSE(is_open(w, at("2024-10-27T01:30:00Z")));
  CHECK_FALSE(is_open(w, at("2024-10-27T01:45:00Z")));
  CHECK(next_transition({w}, at("2024-10-27T01:30:00Z")) == at("2024-10-28T01:30:00Z"));
}

TEST_CASE("the next transition is the earliest opening or closing of any window", "[unit]") {
  const TimeWindow morning = window("morning", "0 9 * * *", "", "2h");
  const TimeWindow noon = window("noon", "0 12 * * *", "", "30m");
  const std::vector<TimeWindow> windows = {morning, noon};
  CHECK(next_transition(windows, at("2024-05-06T08:00:00Z")) == at("2024-05-06T09:00:00Z"));
  CHECK(next_transition(windows, at("2024-05-06T09:00:00Z")) == at("2024-05-06T11:00:00Z"));
  CHECK(next_transition(windows, at("2024-05-06T11:00:00Z")) == at("2024-05-06T12:00:00Z"));
  CHECK(next_transition(windows, at("2024-05-06T12:10:00Z")) == at("2024-05-06T12:30:00Z"));
  CHECK(next_transition(windows, at("2024-05-06T12:30:00Z")) == at("2024-05-07T09:00:00Z"));
  CHECK_FALSE(next_transition({}, at("2024-05-06T12:30:00Z")).has_value());
}

TEST_CASE("a window re-fired before it closes stays open until the last close", "[unit]") {
  // Fires at 09:00 and 10:00, 90 minutes each: one span from 09:00 to 11:30.
  const TimeWindow w = window("busy", "0 9,10 * * *", "", "90m");
  CHECK(is_open(w, at("2024-05-06T10:45:00Z")));
  CHECK(next_transition({w}, at("2024-05-06T09:15:00Z")) == at("2024-05-06T11:30:00Z"));
  // A window that never closes still yields a (late) instant to look again.
  const TimeWindow always = window("always", "0 * * * *", "", "2h");
  const auto next = next_transition({always}, at("2024-05-06T09:15:00Z"));
  REQUIRE(next.has_value());
  CHECK(*next > at("2024-05-06T09:15:00Z") + std::chrono::hours(24));
}

TEST_CASE("a multiplier scales quantities exactly, rounds counts down, keeps max-duration",
          "[unit]") {
  const api::ParsedQuotaLimits base = limits({{"orders", "3"},
                                              {"tickets", "5"},
                                              {"reserved.cpu", "500m"},
                                              {"reserved.memory", "1Gi"},
                                              {"max-duration", "24h"}});
  struct Case {
    const char* multiplier;
    const char* orders;
    const char* tickets;
    const char* cpu;
    const char* memory;
  };
  const Case cases[] = {
      {"1.5", "4", "7", "750m", "1536Mi"},
      {"0.5", "1", "2", "250m", "512Mi"},
      {"2", "6", "10", "1", "2Gi"},
      {"0.25", "0", "1", "125m", "256Mi"},
      {"0.333", "0", "1", "166500u", "357556027392m"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION("multiplier " << c.multiplier) {
      auto m = api::parse_multiplier(c.multiplier);
      REQUIRE(m.has_value());
      const api::QuotaLimits scaled = api::to_quota_limits(scale_limits(base, *m));
      CHECK(scaled.at("orders") == c.orders);
      CHECK(scaled.at("tickets") == c.tickets);
      CHECK(scaled.at("reserved.cpu") == c.cpu);
      CHECK(scaled.at("reserved.memory") == c.memory);
      CHECK(scaled.count("max-duration") == 0);
    }
  }
}

TEST_CASE("a window's hard replaces only the keys it lists", "[unit]") {
  TimeWindow night = window("night", "0 22 * * *", "", "8h");
  night.hard = limits({{"reserved.cpu", "40"}, {"max-duration", "12h"}});
  const api::ParsedQuotaLimits base =
      limits({{"tickets", "10"}, {"reserved.cpu", "20"}, {"max-duration", "24h"}});

  const EffectiveLimits day = effective_limits(base, {night}, at("2024-05-06T12:00:00Z"));
  CHECK(day.limits == base);
  CHECK(day.active_windows.empty());

  const EffectiveLimits open = effective_limits(base, {night}, at("2024-05-06T23:00:00Z"));
  CHECK(api::to_quota_limits(open.limits) ==
        api::QuotaLimits{{"tickets", "10"}, {"reserved.cpu", "40"}, {"max-duration", "12h0m0s"}});
  CHECK(open.active_windows == std::vector<std::string>{"night"});
}

TEST_CASE("overlapping windows take the most restrictive value per key", "[unit]") {
  TimeWindow maintenance = window("maintenance", "0 0 * * *", "", "4h");
  maintenance.hard = limits({{"reserved.cpu", "10"}, {"orders", "50"}});
  TimeWindow night = window("night", "0 22 * * *", "", "8h");
  night.multiplier = qty("0.5");
  const api::ParsedQuotaLimits base = limits(
      {{"orders", "20"}, {"tickets", "10"}, {"reserved.cpu", "30"}, {"max-duration", "24h"}});
  const EffectiveLimits both =
      effective_limits(base, {maintenance, night}, at("2024-05-07T01:00:00Z"));
  // cpu: min(10, 15); orders: min(50, 10); tickets: only the multiplier; max-duration: base.
  CHECK(api::to_quota_limits(both.limits) == api::QuotaLimits{{"orders", "10"},
                                                              {"tickets", "5"},
                                                              {"reserved.cpu", "10"},
                                                              {"max-duration", "24h0m0s"}});
  CHECK(both.active_windows == std::vector<std::string>{"maintenance", "night"});

  const EffectiveLimits only_night =
      effective_limits(base, {maintenance, night}, at("2024-05-06T23:00:00Z"));
  CHECK(api::to_quota_limits(only_night.limits).at("reserved.cpu") == "15");
  CHECK(api::to_quota_limits(only_night.limits).at("orders") == "10");
}

}  // namespace
}  // namespace korder::quota
