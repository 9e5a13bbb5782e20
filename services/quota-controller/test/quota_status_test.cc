#include "quota_status.h"

#include <catch2/catch.hpp>

#include "quota_engine.h"
#include "test_support.h"

namespace korder::quota {
namespace {

using testing::at;
using testing::quota_from_yaml;
using testing::ticket;

constexpr char kQuota[] = R"(
metadata: {name: team-quota, generation: 3}
spec:
  scope: {type: NamespaceList, namespaces: [a, b]}
  hard: {orders: 10, tickets: "4", reserved.cpu: "20", max-duration: 24h}
  timeWindows:
  - {name: night, schedule: "0 22 * * *", duration: 8h, multiplier: "0.5"}
  allocations:
  - namespace: a
    hard: {tickets: "2"}
)";

const api::Condition& condition(const api::QuotaStatus& status, std::string_view type) {
  for (const api::Condition& c : status.conditions) {
    if (c.type == type) {
      return c;
    }
  }
  FAIL("no condition " << type);
  return status.conditions.front();
}

TEST_CASE("a quota's status shows effective limits, use, allocations and conditions", "[unit]") {
  testing::ManualClock clock(at("2024-05-06T12:00:00Z"));
  QuotaEngine engine(clock);
  engine.upsert_quota(quota_from_yaml(kQuota));
  engine.upsert_object(ticket("a", "t1", {{"cpu", "1500m"}}));
  engine.upsert_object(ticket("a", "t2", {{"cpu", "1500m"}}));
  engine.upsert_object(ticket("b", "t3", {{"cpu", "1"}}));
  CHECK(engine.reserve(testing::create(ticket("b", "t4", {{"cpu", "7"}})))->allowed);

  const api::QuotaStatus day = compute_quota_status(*engine.usage("team-quota"), {}, clock.now());
  CHECK(day.hard == api::QuotaLimits{{"orders", "10"},
                                     {"tickets", "4"},
                                     {"reserved.cpu", "20"},
                                     {"max-duration", "24h0m0s"}});
  // Holds are not usage.
  CHECK(day.used == api::QuotaLimits{{"orders", "0"}, {"tickets", "3"}, {"reserved.cpu", "4"}});
  CHECK(day.active_time_window.empty());
  REQUIRE(day.allocations.size() == 1);
  CHECK(day.allocations[0].namespace_ == "a");
  CHECK(day.allocations[0].hard == api::QuotaLimits{{"tickets", "2"}});
  CHECK(day.allocations[0].used == api::QuotaLimits{{"tickets", "2"}});
  CHECK(day.observed_generation == 3);
  CHECK(condition(day, "Ready").status == "True");
  CHECK(condition(day, "Exceeded").status == "False");
  CHECK(condition(day, "Exceeded").reason == "WithinLimits");
  CHECK(condition(day, "Exceeded").observed_generation == 3);
  CHECK(condition(day, "Exceeded").last_transition_time == clock.now());

  SECTION("limits that shrink below use mark the quota exceeded, naming each resource") {
    clock.set(at("2024-05-06T22:30:00Z"));
    const api::QuotaStatus night =
        compute_quota_status(*engine.usage("team-quota"), day, clock.now());
    CHECK(night.hard == api::QuotaLimits{{"orders", "5"},
                                         {"tickets", "2"},
                                         {"reserved.cpu", "10"},
                                         {"max-duration", "24h0m0s"}});
    CHECK(night.active_time_window == "night");
    const api::Condition& exceeded = condition(night, "Exceeded");
    CHECK(exceeded.status == "True");
    CHECK(exceeded.reason == "LimitExceeded");
    CHECK(exceeded.message == "tickets: used 3, limit 2");
    CHECK(exceeded.last_transition_time == clock.now());
    // Ready did not change: its transition time stays.
    CHECK(condition(night, "Ready").last_transition_time == at("2024-05-06T12:00:00Z"));
    CHECK(status_events(day, night) ==
          std::vector<QuotaEvent>{
              {"Normal", "TimeWindowOpened", "time window \"night\" opened"},
              {"Warning", "QuotaExceeded", "usage is above a limit: tickets: used 3, limit 2"}});
    // Back to day: within limits again.
    clock.set(at("2024-05-07T06:00:00Z"));
    const api::QuotaStatus morning =
        compute_quota_status(*engine.usage("team-quota"), night, clock.now());
    CHECK(condition(morning, "Exceeded").status == "False");
    CHECK(status_events(night, morning) ==
          std::vector<QuotaEvent>{
              {"Normal", "TimeWindowClosed", "time window \"night\" closed"},
              {"Normal", "QuotaWithinLimits", "usage is within every limit again"}});
  }
  SECTION("an allocation above its limit is named with its namespace") {
    engine.upsert_object(ticket("a", "t5"));
    const api::QuotaStatus over =
        compute_quota_status(*engine.usage("team-quota"), day, clock.now());
    CHECK(condition(over, "Exceeded").message ==
          "allocation of namespace \"a\": tickets: used 3, limit 2");
  }
  SECTION("the same state computed twice keeps every transition time") {
    clock.advance(std::chrono::minutes(5));
    const api::QuotaStatus again =
        compute_quota_status(*engine.usage("team-quota"), day, clock.now());
    CHECK(again == day);
    CHECK(status_events(day, again).empty());
  }
}

TEST_CASE("an invalid quota is not Ready and says why", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: broken}
spec:
  scope: {type: Cluster}
  hard: {tickets: "1.5"}
)"));
  const api::QuotaStatus status = compute_quota_status(*engine.usage("broken"), {}, clock.now());
  const api::Condition& ready = condition(status, "Ready");
  CHECK(ready.status == "False");
  CHECK(ready.reason == "InvalidSpec");
  CHECK(
      ready.message ==
      "the quota is not enforced: spec.hard[tickets]: Invalid value: \"1.5\": must be an integer");
}

}  // namespace
}  // namespace korder::quota
