// QuotaEngine reads and notifications.

#include "quota_engine.h"

#include <catch2/catch.hpp>

#include "test_support.h"

namespace korder::quota {
namespace {

using testing::quota_from_yaml;
using testing::ticket;

struct CountingSubscriber final : UsageSubscriber {
  int calls = 0;
  void on_usage_changed() override { ++calls; }
};

std::vector<std::string> names(const std::vector<QuotaSnapshot>& snapshots) {
  std::vector<std::string> out;
  for (const QuotaSnapshot& s : snapshots) {
    out.push_back(s.name);
  }
  return out;
}

TEST_CASE("the quotas covering a namespace include every ObjectSelector quota", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: c-everything}
spec: {scope: {type: Cluster}, hard: {tickets: "1"}}
)"));
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: b-list}
spec: {scope: {type: NamespaceList, namespaces: [x]}, hard: {tickets: "1"}}
)"));
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: a-selector}
spec:
  scope: {type: NamespaceSelector, namespaceSelector: {matchLabels: {team: x}}}
  hard: {tickets: "1"}
)"));
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: d-objects}
spec:
  scope: {type: ObjectSelector, objectSelector: {matchLabels: {tier: gold}}}
  hard: {tickets: "1"}
)"));
  engine.upsert_namespace(testing::namespace_with("x", {{"team", "x"}}));
  CHECK(names(engine.usage_for_namespace("x")) ==
        std::vector<std::string>{"a-selector", "b-list", "c-everything", "d-objects"});
  CHECK(names(engine.usage_for_namespace("y")) ==
        std::vector<std::string>{"c-everything", "d-objects"});
  CHECK(names(engine.usage_all()) ==
        std::vector<std::string>{"a-selector", "b-list", "c-everything", "d-objects"});
  CHECK_FALSE(engine.usage("nope").has_value());
}

TEST_CASE("subscribers hear of every change to usage, holds and quotas", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  CountingSubscriber subscriber;
  engine.subscribe(subscriber);
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: q}
spec: {scope: {type: Cluster}, hard: {tickets: "1"}}
)"));
  CHECK(subscriber.calls == 1);
  const ObjectSummary t = ticket("a", "t1");
  CHECK(testing::reserve_ok(engine, testing::create(t)).allowed);
  CHECK(subscriber.calls == 2);
  // A denial changes nothing.
  CHECK_FALSE(testing::reserve_ok(engine, testing::create(ticket("a", "t2"))).allowed);
  CHECK(subscriber.calls == 2);
  engine.upsert_object(t);
  CHECK(subscriber.calls == 3);
  engine.unsubscribe(subscriber);
  engine.delete_object(t.key(), t.uid);
  CHECK(subscriber.calls == 3);
}

TEST_CASE("a quota update keeps its usage and pending holds", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock);
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: q}
spec: {scope: {type: Cluster}, hard: {tickets: "3"}}
)"));
  engine.upsert_object(ticket("a", "t1"));
  CHECK(testing::reserve_ok(engine, testing::create(ticket("a", "t2"))).allowed);
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: q}
spec: {scope: {type: Cluster}, hard: {tickets: "2"}}
)"));
  CHECK(testing::used(engine, "q") == "tickets=1");
  CHECK(testing::held(engine, "q") == "tickets=1");
  CHECK(testing::reserve_ok(engine, testing::create(ticket("a", "t3"))).message() ==
        "korder quota exceeded: quota \"q\": tickets: requested 1, used 2, limit 2");
}

}  // namespace
}  // namespace korder::quota
