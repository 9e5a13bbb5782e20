// The reservation algorithm: holds, their keys, their end, updates, deletes, max-duration.

#include <catch2/catch.hpp>

#include "quota_engine.h"
#include "test_support.h"

namespace korder::quota {
namespace {

using testing::create;
using testing::held;
using testing::order;
using testing::quota_from_yaml;
using testing::reserve_ok;
using testing::ticket;
using testing::update;
using testing::used;

constexpr char kTeamQuota[] = R"(
metadata: {name: team-quota}
spec:
  scope: {type: NamespaceList, namespaces: [team-a]}
  hard: {orders: "10", tickets: "50", reserved.cpu: "20", reserved.memory: 40Gi, max-duration: 24h}
)";

constexpr char kGoldQuota[] = R"(
metadata: {name: gold}
spec:
  scope:
    type: ObjectSelector
    objectSelector: {matchLabels: {tier: gold}}
  hard: {tickets: "1", reserved.cpu: "1"}
)";

struct Fixture {
  testing::ManualClock clock;
  QuotaEngine engine{clock};

  Fixture() { engine.upsert_quota(quota_from_yaml(kTeamQuota)); }

  // Fills team-a with `n` observed tickets of `cpu` each.
  void fill(int n, const std::string& cpu) {
    for (int i = 0; i < n; ++i) {
      engine.upsert_object(ticket("team-a", "filler-" + std::to_string(i), {{"cpu", cpu}}));
    }
  }
};

TEST_CASE("an admitted ticket is held until its ticket is observed", "[unit]") {
  Fixture f;
  const ObjectSummary t = ticket("team-a", "t1", {{"cpu", "500m"}, {"memory", "1Gi"}});
  const Decision decision = reserve_ok(f.engine, create(t));
  CHECK(decision.allowed);
  CHECK(decision.violations.empty());
  REQUIRE(decision.hold.has_value());
  CHECK(decision.hold->to_string() == "Ticket/team-a/t1");
  CHECK(held(f.engine, "team-quota") == "tickets=1 cpu=500m memory=1Gi");
  CHECK(used(f.engine, "team-quota") == "-");

  f.engine.upsert_object(t);
  CHECK(held(f.engine, "team-quota") == "-");
  CHECK(used(f.engine, "team-quota") == "tickets=1 cpu=500m memory=1Gi");
  CHECK(f.engine.hold_count() == 0);
}

TEST_CASE("a ticket that does not fit is denied with DESIGN's message", "[unit]") {
  Fixture f;
  f.fill(33, "600m");  // 19800m of 20
  const Decision decision = reserve_ok(f.engine, create(ticket("team-a", "t1", {{"cpu", "500m"}})));
  CHECK_FALSE(decision.allowed);
  CHECK_FALSE(decision.hold.has_value());
  REQUIRE(decision.violations.size() == 1);
  CHECK(decision.violations[0] ==
        Violation{"team-quota", "reserved.cpu", "500m", "19800m", "20", LimitScope::Quota, ""});
  CHECK(decision.message() ==
        "korder quota exceeded: quota \"team-quota\": reserved.cpu: requested 500m, used 19800m, "
        "limit 20");
  CHECK(held(f.engine, "team-quota") == "-");
  // What still fits is admitted, and the hold counts for the next decision.
  CHECK(reserve_ok(f.engine, create(ticket("team-a", "t2", {{"cpu", "200m"}}))).allowed);
  const Decision next = reserve_ok(f.engine, create(ticket("team-a", "t3", {{"cpu", "1m"}})));
  REQUIRE(next.violations.size() == 1);
  CHECK(next.violations[0].used == "20");
}

TEST_CASE("a retried create replaces its hold instead of holding twice", "[unit]") {
  Fixture f;
  ObjectSummary t = ticket("team-a", "t1", {{"cpu", "1"}});
  CHECK(reserve_ok(f.engine, create(t)).allowed);
  t.uid = "second-attempt";
  CHECK(reserve_ok(f.engine, create(t)).allowed);
  CHECK(held(f.engine, "team-quota") == "tickets=1 cpu=1");
  // The first attempt's object never appears; the retried one does.
  f.engine.upsert_object(t);
  CHECK(held(f.engine, "team-quota") == "-");
  CHECK(used(f.engine, "team-quota") == "tickets=1 cpu=1");
}

TEST_CASE("a hold expires after its TTL when its object never appears", "[unit]") {
  testing::ManualClock clock;
  QuotaEngine engine(clock, QuotaEngineOptions{std::chrono::seconds(30)});
  engine.upsert_quota(quota_from_yaml(kTeamQuota));
  CHECK(reserve_ok(engine, create(ticket("team-a", "t1", {{"cpu", "1"}}))).allowed);
  clock.advance(std::chrono::seconds(29));
  CHECK(held(engine, "team-quota") == "tickets=1 cpu=1");
  clock.advance(std::chrono::seconds(1));
  CHECK(engine.expire_holds() == 1);
  CHECK(held(engine, "team-quota") == "-");
}

TEST_CASE("release drops a hold, only for the uid it was recorded for", "[unit]") {
  Fixture f;
  const ObjectSummary t = ticket("team-a", "t1", {{"cpu", "1"}});
  CHECK(reserve_ok(f.engine, create(t)).allowed);
  CHECK_FALSE(f.engine.release(t.key(), "someone-else"));
  CHECK(held(f.engine, "team-quota") == "tickets=1 cpu=1");
  CHECK(f.engine.release(t.key(), t.uid));
  CHECK(held(f.engine, "team-quota") == "-");
  CHECK_FALSE(f.engine.release(t.key(), ""));
}

TEST_CASE("a hold for a new incarnation survives the delete of the old one", "[unit]") {
  Fixture f;
  ObjectSummary old = ticket("team-a", "t1", {{"cpu", "1"}});
  f.engine.upsert_object(old);
  ObjectSummary fresh = old;
  fresh.uid = "fresh-uid";
  CHECK(reserve_ok(f.engine, create(fresh)).allowed);
  f.engine.upsert_object(old);  // a late event about the old incarnation
  CHECK(held(f.engine, "team-quota") == "tickets=1 cpu=1");
  f.engine.delete_object(old.key(), old.uid);
  CHECK(held(f.engine, "team-quota") == "tickets=1 cpu=1");
  f.engine.upsert_object(fresh);
  CHECK(held(f.engine, "team-quota") == "-");
  CHECK(used(f.engine, "team-quota") == "tickets=1 cpu=1");
}

TEST_CASE("an update holds only what it adds", "[unit]") {
  Fixture f;
  f.engine.upsert_quota(quota_from_yaml(kGoldQuota));
  const ObjectSummary before = ticket("team-a", "t1", {{"cpu", "500m"}});
  f.engine.upsert_object(before);

  SECTION("more requests hold the difference") {
    const ObjectSummary after = ticket("team-a", "t1", {{"cpu", "800m"}});
    CHECK(reserve_ok(f.engine, update(before, after)).allowed);
    CHECK(held(f.engine, "team-quota") == "cpu=300m");
  }
  SECTION("a relabel into a quota's scope counts fully there and nowhere else") {
    const ObjectSummary after = ticket("team-a", "t1", {{"cpu", "500m"}}, {{"tier", "gold"}});
    CHECK(reserve_ok(f.engine, update(before, after)).allowed);
    CHECK(held(f.engine, "gold") == "tickets=1 cpu=500m");
    CHECK(held(f.engine, "team-quota") == "-");
    // The hold ends when the relabelled ticket is observed.
    f.engine.upsert_object(after);
    CHECK(held(f.engine, "gold") == "-");
    CHECK(used(f.engine, "gold") == "tickets=1 cpu=500m");
  }
  SECTION("fewer requests hold nothing") {
    const ObjectSummary after = ticket("team-a", "t1", {{"cpu", "100m"}});
    const Decision decision = reserve_ok(f.engine, update(before, after));
    CHECK(decision.allowed);
    CHECK_FALSE(decision.hold.has_value());
  }
}

TEST_CASE("updates that add nothing pass even when limits shrank below use", "[unit]") {
  Fixture f;
  f.fill(3, "10");  // 30 of 20: over the limit
  const ObjectSummary before = ticket("team-a", "filler-0", {{"cpu", "10"}});
  ObjectSummary annotated = before;
  annotated.phase = "Ready";  // a status-only difference
  CHECK(reserve_ok(f.engine, update(before, annotated)).allowed);
  const ObjectSummary smaller = ticket("team-a", "filler-0", {{"cpu", "5"}});
  CHECK(reserve_ok(f.engine, update(before, smaller)).allowed);
  const ObjectSummary bigger = ticket("team-a", "filler-0", {{"cpu", "11"}});
  CHECK(
      reserve_ok(f.engine, update(before, bigger)).message() ==
      "korder quota exceeded: quota \"team-quota\": reserved.cpu: requested 1, used 30, limit 20");
}

TEST_CASE("deletes and objects being deleted are never checked", "[unit]") {
  Fixture f;
  f.fill(101, "200m");  // over the cpu limit
  ObjectSummary t = ticket("team-a", "t1", {{"cpu", "1"}});
  const Decision del = reserve_ok(f.engine, QuotaRequest{Operation::Delete, t, std::nullopt});
  CHECK(del.allowed);
  CHECK_FALSE(del.hold.has_value());
  t.deleting = true;
  const Decision deleting = reserve_ok(f.engine, create(t));
  CHECK(deleting.allowed);
  CHECK_FALSE(deleting.hold.has_value());
  CHECK(held(f.engine, "team-quota") == "-");
}

TEST_CASE("an order create holds one order and respects max-duration", "[unit]") {
  Fixture f;
  const Decision ok = reserve_ok(f.engine, create(order("team-a", "o1", "24h")));
  CHECK(ok.allowed);
  CHECK(held(f.engine, "team-quota") == "orders=1");
  const Decision too_long = reserve_ok(f.engine, create(order("team-a", "o2", "48h")));
  CHECK_FALSE(too_long.allowed);
  CHECK(too_long.message() ==
        "korder quota exceeded: quota \"team-quota\": max-duration: requested 48h, limit 24h");
  ObjectSummary long_ticket = ticket("team-a", "t1", {{"cpu", "1"}});
  long_ticket.duration = api::Duration(std::chrono::minutes(24 * 60 + 30));
  CHECK(reserve_ok(f.engine, create(long_ticket)).message() ==
        "korder quota exceeded: quota \"team-quota\": max-duration: requested 24h30m, limit 24h");
}

TEST_CASE("every covering quota must admit, and a denial holds nothing anywhere", "[unit]") {
  Fixture f;
  f.engine.upsert_quota(quota_from_yaml(kGoldQuota));
  const ObjectSummary big = ticket("team-a", "t1", {{"cpu", "2"}}, {{"tier", "gold"}});
  const Decision decision = reserve_ok(f.engine, create(big));
  CHECK_FALSE(decision.allowed);
  CHECK(decision.message() ==
        "korder quota exceeded: quota \"gold\": reserved.cpu: requested 2, used 0, limit 1");
  CHECK(held(f.engine, "team-quota") == "-");
  CHECK(held(f.engine, "gold") == "-");
  const ObjectSummary two =
      ticket("team-a", "t2", {{"cpu", "2"}, {"memory", "50Gi"}}, {{"tier", "gold"}});
  CHECK(reserve_ok(f.engine, create(two)).message() ==
        "korder quota exceeded: quota \"gold\": reserved.cpu: requested 2, used 0, limit 1; "
        "quota \"team-quota\": reserved.memory: requested 50Gi, used 0, limit 40Gi");
}

TEST_CASE("check decides like reserve and holds nothing", "[unit]") {
  Fixture f;
  f.fill(33, "600m");
  const auto fits = f.engine.check(create(ticket("team-a", "t1", {{"cpu", "200m"}})));
  REQUIRE(fits.has_value());
  CHECK(fits->allowed);
  CHECK_FALSE(fits->hold.has_value());
  const auto too_big = f.engine.check(create(ticket("team-a", "t1", {{"cpu", "201m"}})));
  REQUIRE(too_big.has_value());
  CHECK_FALSE(too_big->allowed);
  CHECK(held(f.engine, "team-quota") == "-");
}

TEST_CASE("an update of an admitted but unobserved object builds on its hold", "[unit]") {
  Fixture f;
  f.engine.upsert_quota(quota_from_yaml(kGoldQuota));
  const ObjectSummary created = ticket("team-a", "t1", {{"cpu", "500m"}});
  CHECK(reserve_ok(f.engine, create(created)).allowed);
  const ObjectSummary relabelled = ticket("team-a", "t1", {{"cpu", "500m"}}, {{"tier", "gold"}});
  CHECK(reserve_ok(f.engine, update(created, relabelled)).allowed);
  // Still one ticket for team-quota (from before both requests), plus its place in gold.
  CHECK(held(f.engine, "team-quota") == "tickets=1 cpu=500m");
  CHECK(held(f.engine, "gold") == "tickets=1 cpu=500m");
  // The informer first sees the created state: the hold keeps only what is still missing.
  f.engine.upsert_object(created);
  CHECK(held(f.engine, "team-quota") == "-");
  CHECK(held(f.engine, "gold") == "tickets=1 cpu=500m");
  f.engine.upsert_object(relabelled);
  CHECK(held(f.engine, "gold") == "-");
  CHECK(used(f.engine, "gold") == "tickets=1 cpu=500m");
}

TEST_CASE("an order whose replicas would not all fit is admitted with a warning", "[unit]") {
  Fixture f;
  f.fill(18, "1");
  ObjectSummary o = order("team-a", "o1", "1h");
  o.requests.emplace("cpu", testing::qty("1"));
  o.count = 3;
  const Decision decision = reserve_ok(f.engine, create(o));
  CHECK(decision.allowed);
  CHECK(decision.warnings ==
        std::vector<std::string>{"3 tickets of this order would not fit now: quota "
                                 "\"team-quota\": reserved.cpu: requested 3, used 18, limit 20"});
  ObjectSummary more = o;
  more.count = 4;
  f.engine.upsert_object(o);
  const Decision scaled = reserve_ok(f.engine, update(o, more));
  CHECK(scaled.warnings.empty());  // one more ticket still fits
}

TEST_CASE("malformed requests are errors naming the field", "[unit]") {
  Fixture f;
  ObjectSummary nameless = ticket("team-a", "");
  CHECK(f.engine.reserve(create(nameless)).error().to_string() == "object.name: required");
  CHECK(f.engine.reserve(QuotaRequest{Operation::Update, ticket("team-a", "t1"), std::nullopt})
            .error()
            .to_string() == "old_object: required for UPDATE");
  CHECK(f.engine.reserve(update(ticket("team-a", "t2"), ticket("team-a", "t1")))
            .error()
            .to_string() ==
        "old_object: must name the same object as object (Ticket/team-a/t1), not "
        "Ticket/team-a/t2");
  ObjectSummary negative = ticket("team-a", "t1");
  negative.requests.emplace("cpu", testing::qty("-1"));
  CHECK(f.engine.reserve(create(negative)).error().to_string() ==
        "object.requests[cpu]: must be greater than or equal to 0");
}

TEST_CASE("an open time window changes what is admitted", "[unit]") {
  testing::ManualClock clock(testing::at("2024-05-06T12:00:00Z"));
  QuotaEngine engine(clock);
  engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: windowed}
spec:
  scope: {type: Cluster}
  hard: {tickets: "2"}
  timeWindows:
  - {name: night, schedule: "0 22 * * *", duration: 8h, multiplier: "0.5"}
)"));
  engine.upsert_object(ticket("a", "t1"));
  CHECK(
      reserve_ok(engine, QuotaRequest{Operation::Create, ticket("a", "t2"), std::nullopt}).allowed);
  CHECK(engine.release(ObjectKey{ObjectKind::Ticket, "a", "t2"}, ""));
  CHECK(engine.next_transition() == testing::at("2024-05-06T22:00:00Z"));
  clock.set(testing::at("2024-05-06T23:00:00Z"));
  CHECK(reserve_ok(engine, create(ticket("a", "t2"))).message() ==
        "korder quota exceeded: quota \"windowed\": tickets: requested 1, used 1, limit 1");
  CHECK(engine.next_transition() == testing::at("2024-05-07T06:00:00Z"));
}

}  // namespace
}  // namespace korder::quota
