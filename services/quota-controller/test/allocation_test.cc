// Hierarchical allocation: allocated namespaces are bounded by their allocation, the rest share
// the remainder (see quota_evaluator.h for the exact rule).

#include <catch2/catch.hpp>

#include "quota_engine.h"
#include "test_support.h"

namespace korder::quota {
namespace {

using testing::create;
using testing::quota_from_yaml;
using testing::reserve_ok;
using testing::ticket;

// tickets: a is bounded by 4, b by 3, c and d share 10 - 7 = 3.
// cpu: a is bounded by 6; b (no cpu allocation), c and d share 10 - 6 = 4.
constexpr char kQuota[] = R"(
metadata: {name: shared}
spec:
  scope: {type: NamespaceList, namespaces: [a, b, c, d]}
  hard: {tickets: "10", reserved.cpu: "10", max-duration: 24h}
  allocations:
  - namespace: a
    hard: {tickets: "4", reserved.cpu: "6", max-duration: 1h}
  - namespace: b
    hard: {tickets: "3"}
)";

struct Fixture {
  testing::ManualClock clock{testing::at("2024-05-06T12:00:00Z")};
  QuotaEngine engine{clock};
  int next = 0;

  Fixture() { engine.upsert_quota(quota_from_yaml(kQuota)); }

  void observe(const std::string& ns, const std::string& cpu = "0") {
    engine.upsert_object(ticket(ns, "seen-" + std::to_string(next++), {{"cpu", cpu}}));
  }
  std::string try_ticket(const std::string& ns, const std::string& cpu = "0") {
    const Decision d =
        reserve_ok(engine, create(ticket(ns, "new-" + std::to_string(next++), {{"cpu", cpu}})));
    return d.allowed ? "allowed" : d.message();
  }
};

TEST_CASE("a namespace with an allocation is bounded by it", "[unit]") {
  Fixture f;
  for (int i = 0; i < 4; ++i) {
    f.observe("a");
  }
  CHECK(f.try_ticket("a") ==
        "korder quota exceeded: quota \"shared\" (allocation of namespace \"a\"): tickets: "
        "requested 1, used 4, limit 4");
  // Other namespaces are not affected by a's allocation being full.
  CHECK(f.try_ticket("b") == "allowed");
  CHECK(f.try_ticket("c") == "allowed");
}

TEST_CASE("namespaces without an allocation share the unallocated remainder", "[unit]") {
  Fixture f;
  f.observe("c");
  f.observe("c");
  CHECK(f.try_ticket("d") == "allowed");  // held: c 2 + d 1 = 3 of 3
  CHECK(f.try_ticket("c") ==
        "korder quota exceeded: quota \"shared\" (unallocated remainder): tickets: requested 1, "
        "used 3, limit 3");
  // Allocated namespaces still have their own room.
  CHECK(f.try_ticket("a") == "allowed");
  CHECK(f.try_ticket("b") == "allowed");
}

TEST_CASE("a listed namespace without an allocation for a resource shares its remainder",
          "[unit]") {
  Fixture f;
  f.observe("b", "2");
  f.observe("c", "2");
  CHECK(f.try_ticket("b", "1") ==
        "korder quota exceeded: quota \"shared\" (unallocated remainder): reserved.cpu: requested "
        "1, used 4, limit 4");
  CHECK(f.try_ticket("a", "6") == "allowed");
}

TEST_CASE("the quota-wide limit bounds allocated namespaces too", "[unit]") {
  Fixture f;
  f.engine.upsert_quota(quota_from_yaml(std::string(kQuota) + R"(
  timeWindows:
  - {name: lunch, schedule: "0 12 * * *", duration: 1h, hard: {tickets: "5"}}
)"));
  for (int i = 0; i < 3; ++i) {
    f.observe("a");
  }
  f.observe("c");
  f.observe("c");
  // a: 3 + 1 fits its allocation of 4, but the quota is down to 5 while the window is open.
  CHECK(f.try_ticket("a") ==
        "korder quota exceeded: quota \"shared\": tickets: requested 1, used 5, limit 5");
  // The remainder is max(0, 5 - 7) = 0.
  CHECK(f.try_ticket("d") ==
        "korder quota exceeded: quota \"shared\": tickets: requested 1, used 5, limit 5; quota "
        "\"shared\" (unallocated remainder): tickets: requested 1, used 2, limit 0");
}

TEST_CASE("an allocation's max-duration bounds its namespace", "[unit]") {
  Fixture f;
  ObjectSummary two_hours = ticket("a", "t1");
  two_hours.duration = api::Duration(std::chrono::hours(2));
  CHECK(reserve_ok(f.engine, create(two_hours)).message() ==
        "korder quota exceeded: quota \"shared\" (allocation of namespace \"a\"): max-duration: "
        "requested 2h, limit 1h");
  two_hours.namespace_ = "c";
  CHECK(reserve_ok(f.engine, create(two_hours)).allowed);
}

TEST_CASE("allocation usage is tracked per namespace", "[unit]") {
  Fixture f;
  f.observe("a", "1");
  f.observe("a", "500m");
  f.observe("c", "2");
  CHECK(f.try_ticket("a", "1") == "allowed");
  auto snapshot = f.engine.usage("shared");
  REQUIRE(snapshot.has_value());
  REQUIRE(snapshot->allocations.size() == 2);
  CHECK(snapshot->allocations[0].namespace_ == "a");
  CHECK(testing::describe(snapshot->allocations[0].used) == "tickets=2 cpu=1500m");
  CHECK(testing::describe(snapshot->allocations[0].held) == "tickets=1 cpu=1");
  CHECK(snapshot->allocations[1].namespace_ == "b");
  CHECK(testing::describe(snapshot->allocations[1].used) == "-");
  CHECK(testing::describe(snapshot->used) == "tickets=3 cpu=3500m");
}

}  // namespace
}  // namespace korder::quota
