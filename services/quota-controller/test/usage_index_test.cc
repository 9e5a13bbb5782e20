// Usage accounting: every scope type, every counted kind and phase, exact after every change.

#include "usage_index.h"

#include <catch2/catch.hpp>

#include "quota_engine.h"
#include "test_support.h"

namespace korder::quota {
namespace {

using testing::describe;
using testing::namespace_with;
using testing::order;
using testing::quota_from_yaml;
using testing::ticket;
using testing::used;

constexpr char kClusterQuota[] = R"(
metadata: {name: everything}
spec:
  scope: {type: Cluster}
  hard: {orders: 100, tickets: 100, reserved.cpu: "100"}
)";

ObjectSummary with_phase(ObjectSummary object, std::string phase) {
  object.phase = std::move(phase);
  return object;
}

TEST_CASE("a quota counts live orders and pending and ready tickets with their requests",
          "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  engine.upsert_quota(quota_from_yaml(kClusterQuota));
  engine.upsert_object(order("a", "o1"));
  ObjectSummary deleting = order("b", "o2");
  deleting.deleting = true;
  engine.upsert_object(deleting);
  engine.upsert_object(with_phase(ticket("a", "t1", {{"cpu", "500m"}}), "Pending"));
  engine.upsert_object(
      with_phase(ticket("b", "t2", {{"cpu", "250m"}, {"memory", "1Gi"}}), "Ready"));
  engine.upsert_object(with_phase(ticket("a", "t3", {{"cpu", "4"}}), "Claimed"));
  engine.upsert_object(with_phase(ticket("a", "t4", {{"cpu", "4"}}), "Expired"));
  engine.upsert_object(with_phase(ticket("a", "t5", {{"cpu", "1"}}), ""));  // just created
  CHECK(used(engine, "everything") == "orders=1 tickets=3 cpu=1750m memory=1Gi");
}

TEST_CASE("usage follows ticket phase changes and deletes exactly", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  engine.upsert_quota(quota_from_yaml(kClusterQuota));
  ObjectSummary t = ticket("a", "t1", {{"cpu", "333m"}});
  engine.upsert_object(t);
  engine.upsert_object(ticket("a", "t2", {{"cpu", "333m"}}));
  engine.upsert_object(ticket("a", "t3", {{"cpu", "334m"}}));
  CHECK(used(engine, "everything") == "tickets=3 cpu=1");
  engine.upsert_object(with_phase(t, "Ready"));
  CHECK(used(engine, "everything") == "tickets=3 cpu=1");
  engine.upsert_object(with_phase(t, "Claimed"));
  CHECK(used(engine, "everything") == "tickets=2 cpu=667m");
  engine.delete_object(t.key(), t.uid);
  CHECK(used(engine, "everything") == "tickets=2 cpu=667m");
  engine.delete_object(ObjectKey{ObjectKind::Ticket, "a", "t2"}, "t2-uid");
  engine.delete_object(ObjectKey{ObjectKind::Ticket, "a", "t3"}, "t3-uid");
  CHECK(used(engine, "everything") == "-");
}

TEST_CASE("a delete of an older incarnation leaves the newer object counted", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  engine.upsert_quota(quota_from_yaml(kClusterQuota));
  ObjectSummary t = ticket("a", "t1", {{"cpu", "1"}});
  t.uid = "new-uid";
  engine.upsert_object(t);
  engine.delete_object(t.key(), "old-uid");
  CHECK(used(engine, "everything") == "tickets=1 cpu=1");
}

TEST_CASE("a NamespaceList quota counts only the listed namespaces", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  engine.upsert_object(ticket("a", "t1", {{"cpu", "1"}}));
  engine.upsert_object(ticket("b", "t2", {{"cpu", "2"}}));
  engine.upsert_object(ticket("c", "t3", {{"cpu", "4"}}));
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: listed}
spec:
  scope: {type: NamespaceList, namespaces: [a, c]}
  hard: {tickets: 10}
)"));
  CHECK(used(engine, "listed") == "tickets=2 cpu=5");
  engine.upsert_object(ticket("c", "t4", {{"cpu", "1"}}));
  engine.upsert_object(ticket("b", "t5", {{"cpu", "1"}}));
  CHECK(used(engine, "listed") == "tickets=3 cpu=6");
}

TEST_CASE("a NamespaceSelector quota follows namespace relabels", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: team-quota}
spec:
  scope:
    type: NamespaceSelector
    namespaceSelector: {matchLabels: {team: backend}}
  hard: {tickets: 50}
)"));
  engine.upsert_namespace(namespace_with("a", {{"team", "backend"}}));
  engine.upsert_namespace(namespace_with("b", {{"team", "frontend"}}));
  engine.upsert_object(ticket("a", "t1", {{"cpu", "1"}}));
  engine.upsert_object(ticket("b", "t2", {{"cpu", "2"}}));
  engine.upsert_object(ticket("unseen", "t3", {{"cpu", "4"}}));  // namespace not observed yet
  CHECK(used(engine, "team-quota") == "tickets=1 cpu=1");

  SECTION("a namespace relabelled into the scope brings its objects") {
    engine.upsert_namespace(namespace_with("b", {{"team", "backend"}}));
    CHECK(used(engine, "team-quota") == "tickets=2 cpu=3");
  }
  SECTION("a namespace relabelled out of the scope takes its objects away") {
    engine.upsert_namespace(namespace_with("a", {}));
    CHECK(used(engine, "team-quota") == "-");
    engine.upsert_object(ticket("a", "t4", {{"cpu", "1"}}));
    CHECK(used(engine, "team-quota") == "-");
  }
  SECTION("a namespace observed late is matched by its labels") {
    engine.upsert_namespace(namespace_with("unseen", {{"team", "backend"}}));
    CHECK(used(engine, "team-quota") == "tickets=2 cpu=5");
    engine.delete_namespace("unseen");
    CHECK(used(engine, "team-quota") == "tickets=1 cpu=1");
  }
  SECTION("a selector change recounts the quota") {
    engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: team-quota}
spec:
  scope:
    type: NamespaceSelector
    namespaceSelector: {matchExpressions: [{key: team, operator: Exists}]}
  hard: {tickets: 50}
)"));
    CHECK(used(engine, "team-quota") == "tickets=2 cpu=3");
  }
}

TEST_CASE("an ObjectSelector quota follows object labels across namespaces", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  engine.upsert_object(ticket("a", "t1", {{"cpu", "1"}}, {{"tier", "gold"}}));
  engine.upsert_object(ticket("b", "t2", {{"cpu", "2"}}, {{"tier", "gold"}}));
  engine.upsert_object(ticket("b", "t3", {{"cpu", "4"}}, {{"tier", "bronze"}}));
  engine.upsert_object(order("b", "o1", "1h", {{"tier", "gold"}}));
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: gold}
spec:
  scope:
    type: ObjectSelector
    objectSelector: {matchLabels: {tier: gold}}
  hard: {tickets: 10}
)"));
  CHECK(used(engine, "gold") == "orders=1 tickets=2 cpu=3");
  engine.upsert_object(ticket("b", "t3", {{"cpu", "4"}}, {{"tier", "gold"}}));
  CHECK(used(engine, "gold") == "orders=1 tickets=3 cpu=7");
  engine.upsert_object(ticket("a", "t1", {{"cpu", "1"}}, {}));
  CHECK(used(engine, "gold") == "orders=1 tickets=2 cpu=6");
}

TEST_CASE("an ObjectSelector quota with set-based requirements is matched too", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: not-bronze}
spec:
  scope:
    type: ObjectSelector
    objectSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [bronze]}]}
  hard: {tickets: 10}
)"));
  engine.upsert_object(ticket("a", "t1", {{"cpu", "1"}}, {{"tier", "gold"}}));
  engine.upsert_object(ticket("a", "t2", {{"cpu", "2"}}, {{"tier", "bronze"}}));
  engine.upsert_object(ticket("b", "t3", {{"cpu", "4"}}));
  CHECK(used(engine, "not-bronze") == "tickets=2 cpu=5");
}

TEST_CASE("an ObjectSelector quota stops covering what its new selector leaves out", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: gold}
spec:
  scope: {type: ObjectSelector, objectSelector: {matchLabels: {tier: gold}}}
  hard: {tickets: 10}
)"));
  engine.upsert_object(ticket("a", "t1", {{"cpu", "1"}}, {{"tier", "gold"}}));
  engine.upsert_object(ticket("a", "t2", {{"cpu", "2"}}, {{"tier", "silver"}}));
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: gold}
spec:
  scope: {type: ObjectSelector, objectSelector: {matchLabels: {tier: silver}}}
  hard: {tickets: 10}
)"));
  CHECK(used(engine, "gold") == "tickets=1 cpu=2");
  engine.upsert_object(ticket("a", "t3", {{"cpu", "4"}}, {{"tier", "gold"}}));
  engine.upsert_object(ticket("a", "t4", {{"cpu", "8"}}, {{"tier", "silver"}}));
  CHECK(used(engine, "gold") == "tickets=2 cpu=10");
  engine.delete_quota("gold");
  engine.upsert_object(ticket("a", "t5", {{"cpu", "1"}}, {{"tier", "silver"}}));
  CHECK_FALSE(engine.usage("gold").has_value());
}

TEST_CASE("an invalid quota counts and limits nothing", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: broken}
spec:
  scope: {type: Cluster}
  hard: {tickets: "1.5"}
)"));
  engine.upsert_object(ticket("a", "t1", {{"cpu", "1"}}));
  auto snapshot = engine.usage("broken");
  REQUIRE(snapshot.has_value());
  CHECK_FALSE(snapshot->valid());
  CHECK(describe(snapshot->used) == "-");
  CHECK(testing::reserve_ok(engine, testing::create(ticket("a", "t2"))).allowed);
}

TEST_CASE("a deleted quota is gone and a recreated one starts from the objects", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  engine.upsert_quota(quota_from_yaml(kClusterQuota));
  engine.upsert_object(ticket("a", "t1", {{"cpu", "1"}}));
  CHECK(testing::reserve_ok(engine, testing::create(ticket("a", "t2", {{"cpu", "1"}}))).allowed);
  engine.delete_quota("everything");
  CHECK_FALSE(engine.usage("everything").has_value());
  engine.upsert_quota(quota_from_yaml(kClusterQuota));
  CHECK(used(engine, "everything") == "tickets=1 cpu=1");
  CHECK(testing::held(engine, "everything") == "-");
}

}  // namespace
}  // namespace korder::quota
