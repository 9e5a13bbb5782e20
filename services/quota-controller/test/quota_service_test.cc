// The gRPC service in-process: every method, serving/health, watches, deadlines.

#include "quota_service.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "absl/synchronization/notification.h"
#include "korder/kclient/testing/eventually.h"
#include "service_test_support.h"

namespace korder::quota {
namespace {

using testing::quota_from_yaml;
using testing::set_test_deadline;
using testing::ticket;

constexpr char kTeamQuota[] = R"(
metadata: {name: team-quota, generation: 2}
spec:
  scope: {type: NamespaceList, namespaces: [team-a]}
  hard: {orders: "10", tickets: "50", reserved.cpu: "20", max-duration: 24h}
)";

v1::ObjectSummary ticket_message(const std::string& name, const std::string& cpu) {
  v1::ObjectSummary out;
  out.set_kind(v1::OBJECT_KIND_TICKET);
  out.set_namespace_("team-a");
  out.set_name(name);
  out.set_uid(name + "-uid");
  (*out.mutable_requests())["cpu"] = cpu;
  out.set_duration("1h");
  return out;
}

v1::ReserveRequest reserve_request(const std::string& name, const std::string& cpu) {
  v1::ReserveRequest request;
  request.set_operation(v1::OPERATION_CREATE);
  *request.mutable_object() = ticket_message(name, cpu);
  return request;
}

struct Fixture {
  testing::EngineUnderTest world;
  testing::ServerUnderTest grpc{world.engine};

  Fixture() {
    world.engine.upsert_quota(quota_from_yaml(kTeamQuota));
    for (int i = 0; i < 33; ++i) {
      world.engine.upsert_object(ticket("team-a", "seen-" + std::to_string(i), {{"cpu", "600m"}}));
    }
    grpc.server->set_serving(true);
  }

  grpc::Status reserve(const v1::ReserveRequest& request, v1::ReserveResponse& response) {
    grpc::ClientContext context;
    set_test_deadline(context);
    return grpc.stub->Reserve(&context, request, &response);
  }
};

TEST_CASE("Reserve over gRPC holds what fits and explains what does not", "[integration]") {
  Fixture f;
  v1::ReserveResponse ok;
  REQUIRE(f.reserve(reserve_request("t1", "100m"), ok).ok());
  CHECK(ok.allowed());
  CHECK(ok.hold_id() == "Ticket/team-a/t1");
  CHECK(ok.message().empty());

  v1::ReserveResponse denied;
  REQUIRE(f.reserve(reserve_request("t2", "500m"), denied).ok());
  CHECK_FALSE(denied.allowed());
  CHECK(denied.hold_id().empty());
  CHECK(denied.message() ==
        "korder quota exceeded: quota \"team-quota\": reserved.cpu: requested 500m, used 19900m, "
        "limit 20");
  REQUIRE(denied.violations_size() == 1);
  CHECK(denied.violations(0).quota() == "team-quota");
  CHECK(denied.violations(0).resource() == "reserved.cpu");
  CHECK(denied.violations(0).requested() == "500m");
  CHECK(denied.violations(0).used() == "19900m");
  CHECK(denied.violations(0).limit() == "20");
  CHECK(denied.violations(0).scope() == v1::LIMIT_SCOPE_QUOTA);

  v1::ReserveRequest dry = reserve_request("t3", "100m");
  dry.set_dry_run(true);
  v1::ReserveResponse dry_response;
  REQUIRE(f.reserve(dry, dry_response).ok());
  CHECK(dry_response.allowed());
  CHECK(dry_response.hold_id().empty());
  CHECK(f.world.engine.hold_count() == 1);
}

TEST_CASE("Check decides without holding and Release drops a hold", "[integration]") {
  Fixture f;
  v1::CheckRequest check;
  check.set_operation(v1::OPERATION_CREATE);
  *check.mutable_object() = ticket_message("t1", "300m");
  v1::CheckResponse checked;
  grpc::ClientContext check_context;
  set_test_deadline(check_context);
  REQUIRE(f.grpc.stub->Check(&check_context, check, &checked).ok());
  CHECK_FALSE(checked.allowed());
  CHECK(checked.message() ==
        "korder quota exceeded: quota \"team-quota\": reserved.cpu: requested 300m, used 19800m, "
        "limit 20");
  CHECK(f.world.engine.hold_count() == 0);

  v1::ReserveResponse reserved;
  REQUIRE(f.reserve(reserve_request("t1", "200m"), reserved).ok());
  REQUIRE(reserved.allowed());
  v1::ReleaseRequest release;
  release.set_hold_id(reserved.hold_id());
  release.set_uid("t1-uid");
  for (const bool expected : {true, false}) {
    v1::ReleaseResponse released;
    grpc::ClientContext context;
    set_test_deadline(context);
    REQUIRE(f.grpc.stub->Release(&context, release, &released).ok());
    CHECK(released.released() == expected);
  }
  CHECK(f.world.engine.hold_count() == 0);

  release.set_hold_id("Pod/x/y");
  v1::ReleaseResponse ignored;
  grpc::ClientContext bad_context;
  set_test_deadline(bad_context);
  const grpc::Status bad = f.grpc.stub->Release(&bad_context, release, &ignored);
  CHECK(bad.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(bad.error_message() ==
        "hold_id: hold id \"Pod/x/y\": must be <Kind>/<namespace>/<name> with Kind Order or "
        "Ticket");
}

TEST_CASE("malformed Reserve requests fail with INVALID_ARGUMENT naming the field",
          "[integration]") {
  Fixture f;
  struct Case {
    v1::ReserveRequest request;
    const char* message;
  };
  v1::ReserveRequest bad_quantity = reserve_request("t1", "12x");
  v1::ReserveRequest no_kind = reserve_request("t1", "1");
  no_kind.mutable_object()->set_kind(v1::OBJECT_KIND_UNSPECIFIED);
  v1::ReserveRequest no_old = reserve_request("t1", "1");
  no_old.set_operation(v1::OPERATION_UPDATE);
  v1::ReserveRequest bad_duration = reserve_request("t1", "1");
  bad_duration.mutable_object()->set_duration("3x");
  const Case cases[] = {
      {bad_quantity,
       "object.requests[cpu]: invalid quantity \"12x\": quantities must match the regular "
       "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"},
      {no_kind, "object.kind: must be OBJECT_KIND_ORDER or OBJECT_KIND_TICKET, not 0"},
      {no_old, "old_object: required for UPDATE"},
      {bad_duration, "object.duration: time: unknown unit \"x\" in duration \"3x\""},
  };
  for (const Case& c : cases) {
    v1::ReserveResponse response;
    const grpc::Status status = f.reserve(c.request, response);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(status.error_message() == c.message);
  }
}

TEST_CASE("GetUsage and ListQuotas report limits, use, holds and free room", "[integration]") {
  Fixture f;
  v1::ReserveResponse reserved;
  REQUIRE(f.reserve(reserve_request("t1", "150m"), reserved).ok());

  v1::GetUsageRequest by_name;
  by_name.set_quota("team-quota");
  v1::GetUsageResponse usage;
  grpc::ClientContext context;
  set_test_deadline(context);
  REQUIRE(f.grpc.stub->GetUsage(&context, by_name, &usage).ok());
  REQUIRE(usage.quotas_size() == 1);
  const v1::QuotaUsage& q = usage.quotas(0);
  CHECK(q.name() == "team-quota");
  CHECK(q.generation() == 2);
  CHECK(q.scope_type() == "NamespaceList");
  CHECK(q.valid());
  CHECK_FALSE(q.exceeded());
  REQUIRE(q.resources_size() == 4);
  const auto row = [](const v1::ResourceUsage& r) {
    return r.resource() + " hard=" + r.hard() + " used=" + r.used() + " held=" + r.held() +
           " free=" + r.free();
  };
  CHECK(row(q.resources(0)) == "max-duration hard=24h used= held= free=");
  CHECK(row(q.resources(1)) == "orders hard=10 used=0 held=0 free=10");
  CHECK(row(q.resources(2)) == "reserved.cpu hard=20 used=19800m held=150m free=50m");
  CHECK(row(q.resources(3)) == "tickets hard=50 used=33 held=1 free=16");

  v1::GetUsageRequest by_namespace;
  by_namespace.set_namespace_("team-a");
  v1::GetUsageResponse covering;
  grpc::ClientContext ns_context;
  set_test_deadline(ns_context);
  REQUIRE(f.grpc.stub->GetUsage(&ns_context, by_namespace, &covering).ok());
  CHECK(covering.quotas_size() == 1);
  by_namespace.set_namespace_("elsewhere");
  grpc::ClientContext other_context;
  set_test_deadline(other_context);
  REQUIRE(f.grpc.stub->GetUsage(&other_context, by_namespace, &covering).ok());
  CHECK(covering.quotas_size() == 0);

  by_name.set_quota("missing");
  grpc::ClientContext missing_context;
  set_test_deadline(missing_context);
  const grpc::Status missing = f.grpc.stub->GetUsage(&missing_context, by_name, &usage);
  CHECK(missing.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(missing.error_message() == "quota \"missing\" not found");

  v1::ListQuotasResponse list;
  grpc::ClientContext list_context;
  set_test_deadline(list_context);
  REQUIRE(f.grpc.stub->ListQuotas(&list_context, v1::ListQuotasRequest(), &list).ok());
  REQUIRE(list.quotas_size() == 1);
  CHECK(list.quotas(0).resources(2).held() == "150m");
}

TEST_CASE("only a serving replica answers, and health says so", "[integration]") {
  Fixture f;
  CHECK(f.grpc.health(std::string(kQuotaServiceName)) ==
        grpc::health::v1::HealthCheckResponse::SERVING);
  f.grpc.server->set_serving(false);
  CHECK(f.grpc.health(std::string(kQuotaServiceName)) ==
        grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  CHECK(f.grpc.health("") == grpc::health::v1::HealthCheckResponse::SERVING);
  v1::ReserveResponse response;
  const grpc::Status status = f.reserve(reserve_request("t1", "1m"), response);
  CHECK(status.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(status.error_message().find("only the leader with synced caches answers") !=
        std::string::npos);
  CHECK(f.world.engine.hold_count() == 0);
  f.grpc.server->set_serving(true);
  CHECK(f.grpc.health(std::string(kQuotaServiceName)) ==
        grpc::health::v1::HealthCheckResponse::SERVING);
  CHECK(f.reserve(reserve_request("t1", "1m"), response).ok());
}

TEST_CASE("WatchUsage streams the state, then changes, and ends when serving stops",
          "[integration]") {
  Fixture f;
  grpc::ClientContext context;
  set_test_deadline(context);
  v1::WatchUsageRequest request;
  request.add_quotas("team-quota");
  auto reader = f.grpc.stub->WatchUsage(&context, request);
  v1::WatchUsageResponse message;
  REQUIRE(reader->Read(&message));
  CHECK(message.initial());
  REQUIRE(message.quotas_size() == 1);
  CHECK(message.quotas(0).resources(3).used() == "33");

  f.world.engine.upsert_object(ticket("team-a", "new", {{"cpu", "100m"}}));
  REQUIRE(reader->Read(&message));
  CHECK_FALSE(message.initial());
  REQUIRE(message.quotas_size() == 1);
  CHECK(message.quotas(0).resources(3).used() == "34");

  // Changes to other quotas are not sent; a deleted watched quota is reported.
  f.world.engine.upsert_quota(quota_from_yaml(R"(
metadata: {name: other}
spec: {scope: {type: Cluster}, hard: {tickets: "1"}}
)"));
  f.world.engine.delete_quota("team-quota");
  REQUIRE(reader->Read(&message));
  CHECK(message.quotas_size() == 0);
  CHECK(std::vector<std::string>(message.deleted().begin(), message.deleted().end()) ==
        std::vector<std::string>{"team-quota"});

  f.grpc.server->set_serving(false);
  while (reader->Read(&message)) {
  }
  const grpc::Status status = reader->Finish();
  CHECK(status.error_code() == grpc::StatusCode::UNAVAILABLE);
}

TEST_CASE("a watch opened on a replica that is not serving ends at once", "[integration]") {
  Fixture f;
  f.grpc.server->set_serving(false);
  grpc::ClientContext context;
  set_test_deadline(context);
  auto reader = f.grpc.stub->WatchUsage(&context, v1::WatchUsageRequest());
  v1::WatchUsageResponse message;
  CHECK_FALSE(reader->Read(&message));
  CHECK(reader->Finish().error_code() == grpc::StatusCode::UNAVAILABLE);
}

// A backend whose reserve() takes longer than the caller waits.
class SlowBackend final : public QuotaBackend {
 public:
  absl::Notification proceed;
  std::atomic<int> released{0};

  Expected<Decision, ParseError> reserve(QuotaRequest request) override {
    proceed.WaitForNotificationWithTimeout(absl::Seconds(10));
    Decision decision;
    decision.hold = request.object.key();
    return decision;
  }
  Expected<Decision, ParseError> check(QuotaRequest) override { return Decision(); }
  bool release(const ObjectKey& key, std::string_view uid) override {
    released += key.to_string() == "Ticket/team-a/slow" && uid == "slow-uid" ? 1 : 100;
    return true;
  }
  std::optional<QuotaSnapshot> usage(const std::string&) override { return std::nullopt; }
  std::vector<QuotaSnapshot> usage_for_namespace(const std::string&) override { return {}; }
  std::vector<QuotaSnapshot> usage_all() override { return {}; }
  void subscribe(UsageSubscriber&) override {}
  void unsubscribe(UsageSubscriber&) override {}
};

TEST_CASE("a Reserve whose deadline passes while deciding leaves no hold", "[integration]") {
  SlowBackend backend;
  testing::ServerUnderTest grpc(backend);
  grpc.server->set_serving(true);
  {
    // Connect first, so the slow call reaches the server well within its deadline.
    grpc::ClientContext context;
    set_test_deadline(context);
    v1::ListQuotasResponse ignored;
    REQUIRE(grpc.stub->ListQuotas(&context, v1::ListQuotasRequest(), &ignored).ok());
  }
  grpc::ClientContext context;
  set_test_deadline(context, std::chrono::milliseconds(500));
  v1::ReserveResponse response;
  const grpc::Status status = grpc.stub->Reserve(&context, reserve_request("slow", "1"), &response);
  CHECK(status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
  // The server is still deciding; once it has, it sees the deadline passed and releases.
  backend.proceed.Notify();
  CHECK(kclient::testing::eventually([&] { return backend.released.load() > 0; }));
  CHECK(backend.released.load() == 1);
}

TEST_CASE("a Reserve sent with an expired deadline holds nothing", "[integration]") {
  Fixture f;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() - std::chrono::seconds(1));
  v1::ReserveResponse response;
  const grpc::Status status =
      f.grpc.stub->Reserve(&context, reserve_request("late", "1m"), &response);
  CHECK(status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
  CHECK(f.world.engine.hold_count() == 0);
}

}  // namespace
}  // namespace korder::quota
