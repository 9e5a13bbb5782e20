#include "object_summary.h"

#include <catch2/catch.hpp>

#include "korder/api/order.h"
#include "korder/api/ticket.h"
#include "test_support.h"

namespace korder::quota {
namespace {

TEST_CASE("hold ids print and parse as Kind/namespace/name", "[unit]") {
  const ObjectKey key{ObjectKind::Ticket, "team-a", "o-1a2b"};
  CHECK(key.to_string() == "Ticket/team-a/o-1a2b");
  auto parsed = parse_object_key("Order/team-a/nightly");
  REQUIRE(parsed.has_value());
  CHECK(*parsed == ObjectKey{ObjectKind::Order, "team-a", "nightly"});
  for (const char* bad :
       {"", "Ticket", "Ticket/a", "Pod/a/b", "Ticket//b", "Ticket/a/", "T/a/b/c"}) {
    INFO(bad);
    auto error = parse_object_key(bad);
    REQUIRE_FALSE(error.has_value());
    CHECK(error.error().message == "hold id \"" + std::string(bad) +
                                       "\": must be <Kind>/<namespace>/<name> with Kind Order or "
                                       "Ticket");
  }
}

TEST_CASE("durations print compactly in messages", "[unit]") {
  struct Case {
    std::chrono::nanoseconds d;
    const char* text;
  };
  const Case cases[] = {
      {std::chrono::hours(24), "24h"},           {std::chrono::minutes(90), "1h30m"},
      {std::chrono::minutes(5), "5m"},           {std::chrono::seconds(3630), "1h0m30s"},
      {std::chrono::milliseconds(1500), "1.5s"}, {std::chrono::milliseconds(500), "500ms"},
      {std::chrono::nanoseconds(0), "0s"},
  };
  for (const Case& c : cases) {
    CHECK(compact_duration(api::Duration(c.d)) == c.text);
  }
}

TEST_CASE("an order summary takes the template's requests, duration and replicas", "[unit]") {
  api::Order o;
  o.metadata.namespace_ = "team-a";
  o.metadata.name = "nightly";
  o.metadata.uid = "u1";
  o.metadata.labels = {{"tier", "gold"}};
  o.spec.replicas = 3;
  o.spec.template_.spec.duration = "24h";
  o.spec.template_.spec.resources.requests = {{"cpu", testing::qty("500m")}};
  const ObjectSummary s = summarize(o);
  CHECK(s.kind == ObjectKind::Order);
  CHECK(s.key() == ObjectKey{ObjectKind::Order, "team-a", "nightly"});
  CHECK(s.count == 3);
  CHECK(s.duration == api::Duration(std::chrono::hours(24)));
  CHECK(s.requests.at("cpu") == testing::qty("500m"));
  CHECK(testing::describe(contribution(s)) == "orders=1");
  o.spec.daemon_set = true;
  CHECK(summarize(o).count == 0);
  o.metadata.deletion_timestamp = testing::at("2024-01-01T00:00:00Z");
  CHECK(contribution(summarize(o)).empty());
}

TEST_CASE("only pending and ready tickets consume quota", "[unit]") {
  api::Ticket t;
  t.metadata.namespace_ = "team-a";
  t.metadata.name = "t1";
  t.spec.duration = "1h";
  t.spec.resources.requests = {{"cpu", testing::qty("500m")},
                               {"nvidia.com/gpu", testing::qty("1")}};
  for (const char* phase : {"", "Pending", "Ready"}) {
    t.status.phase = phase;
    CHECK(testing::describe(contribution(summarize(t))) == "tickets=1 cpu=500m nvidia.com/gpu=1");
  }
  for (const char* phase : {"Claimed", "Expired"}) {
    t.status.phase = phase;
    CHECK(contribution(summarize(t)).empty());
  }
}

}  // namespace
}  // namespace korder::quota
