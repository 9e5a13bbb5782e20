#include "proto_convert.h"

#include <catch2/catch.hpp>

#include "quota_engine.h"
#include "test_support.h"

namespace korder::quota {
namespace {

TEST_CASE("an order summary message becomes an engine request", "[unit]") {
  v1::ReserveRequest request;
  request.set_operation(v1::OPERATION_UPDATE);
  v1::ObjectSummary& object = *request.mutable_object();
  object.set_kind(v1::OBJECT_KIND_ORDER);
  object.set_namespace_("team-a");
  object.set_name("nightly");
  object.set_uid("u1");
  (*object.mutable_labels())["tier"] = "gold";
  (*object.mutable_requests())["cpu"] = "500m";
  (*object.mutable_requests())["nvidia.com/gpu"] = "1";
  object.set_duration("1h30m");
  object.set_count(3);
  *request.mutable_old_object() = object;
  request.mutable_old_object()->set_count(2);

  auto parsed = from_proto(request);
  REQUIRE(parsed.has_value());
  CHECK(parsed->operation == Operation::Update);
  CHECK(parsed->object.kind == ObjectKind::Order);
  CHECK(parsed->object.key() == ObjectKey{ObjectKind::Order, "team-a", "nightly"});
  CHECK(parsed->object.labels == Labels{{"tier", "gold"}});
  CHECK(parsed->object.requests.at("cpu") == testing::qty("500m"));
  CHECK(parsed->object.requests.at("nvidia.com/gpu") == testing::qty("1"));
  CHECK(parsed->object.duration == api::Duration(std::chrono::minutes(90)));
  CHECK(parsed->object.count == 3);
  REQUIRE(parsed->old_object.has_value());
  CHECK(parsed->old_object->count == 2);
}

TEST_CASE("a ticket summary always counts one ticket and keeps its phase", "[unit]") {
  v1::ObjectSummary object;
  object.set_kind(v1::OBJECT_KIND_TICKET);
  object.set_namespace_("a");
  object.set_name("t");
  object.set_count(7);
  object.set_phase("Ready");
  object.set_deleting(true);
  auto parsed = from_proto(object, "object");
  REQUIRE(parsed.has_value());
  CHECK(parsed->count == 1);
  CHECK(parsed->phase == "Ready");
  CHECK(parsed->deleting);
  CHECK_FALSE(parsed->duration.has_value());
}

TEST_CASE("an unknown operation is an error naming the field", "[unit]") {
  v1::CheckRequest request;
  request.mutable_object()->set_kind(v1::OBJECT_KIND_TICKET);
  auto parsed = from_proto(request);
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().to_string() ==
        "operation: must be OPERATION_CREATE, OPERATION_UPDATE or OPERATION_DELETE, not 0");
}

TEST_CASE("a quota snapshot becomes a usage message with free room per resource", "[unit]") {
  testing::ManualClock clock(testing::at("2024-05-06T12:00:00Z"));
  QuotaEngine engine(clock);
  engine.upsert_quota(testing::quota_from_yaml(R"(
metadata: {name: q, generation: 4}
spec:
  scope: {type: Cluster}
  hard: {tickets: "2", reserved.memory: 1Gi}
  timeWindows:
  - {name: lunch, schedule: "0 12 * * *", duration: 1h, hard: {tickets: "1"}}
  allocations:
  - namespace: a
    hard: {reserved.memory: 512Mi}
)"));
  engine.upsert_object(testing::ticket("a", "t1", {{"memory", "768Mi"}}));
  v1::QuotaUsage usage;
  to_proto(*engine.usage("q"), usage);
  CHECK(usage.name() == "q");
  CHECK(usage.generation() == 4);
  CHECK(usage.scope_type() == "Cluster");
  REQUIRE(usage.resources_size() == 2);
  CHECK(usage.resources(0).resource() == "reserved.memory");
  CHECK(usage.resources(0).free() == "256Mi");
  CHECK(usage.resources(1).resource() == "tickets");
  CHECK(usage.resources(1).hard() == "1");
  CHECK(usage.resources(1).free() == "0");
  CHECK(std::vector<std::string>(usage.active_time_windows().begin(),
                                 usage.active_time_windows().end()) ==
        std::vector<std::string>{"lunch"});
  CHECK(usage.next_transition().seconds() ==
        std::chrono::duration_cast<std::chrono::seconds>(
            testing::at("2024-05-06T13:00:00Z").time_since_epoch())
            .count());
  REQUIRE(usage.allocations_size() == 1);
  CHECK(usage.allocations(0).namespace_() == "a");
  CHECK(usage.allocations(0).resources(0).used() == "768Mi");
  CHECK(usage.allocations(0).resources(0).free() == "0");
  CHECK(usage.exceeded());
  CHECK(usage.valid());
}

}  // namespace
}  // namespace korder::quota
