#include "quota_reconciler.h"

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "test_support.h"

namespace korder::quota {
namespace {

using testing::at;
using testing::ManualClock;
using testing::quota_from_yaml;
using testing::ticket;

// Records the status writes and events, and plays the API server: a write bumps the
// resourceVersion and becomes the cached object.
class RecordingWriter final : public QuotaStatusWriter {
 public:
  Expected<void, kclient::ApiError> update_status(const api::Quota& quota) override {
    writes.push_back(quota);
    api::Quota stored = quota;
    stored.metadata.resource_version = std::to_string(writes.size() + 100);
    cache[quota.metadata.name] = std::make_shared<const api::Quota>(stored);
    return {};
  }
  void record_event(const api::Quota& quota, const QuotaEvent& event) override {
    events.push_back(quota.metadata.name + " " + event.type + " " + event.reason);
  }

  std::vector<api::Quota> writes;
  std::vector<std::string> events;
  std::map<std::string, std::shared_ptr<const api::Quota>> cache;
};

struct Fixture {
  ManualClock clock{at("2026-03-02T09:00:00Z")};
  QuotaEngine engine{clock};
  RecordingWriter writer;
  QuotaReconciler reconciler{[this](const std::string& name) -> std::shared_ptr<const api::Quota> {
                               auto it = writer.cache.find(name);
                               return it == writer.cache.end() ? nullptr : it->second;
                             },
                             engine, writer, clock, nullptr};

  void add_quota(const api::Quota& quota) {
    engine.upsert_quota(quota);
    writer.cache[quota.metadata.name] = std::make_shared<const api::Quota>(quota);
  }
  kclient::ReconcileResult reconcile(const std::string& name) {
    auto result = reconciler.reconcile(kclient::Request{"", name});
    REQUIRE(result.has_value());
    return *result;
  }
};

constexpr const char* kQuota = R"(
apiVersion: core.korder.dev/v1alpha1
kind: Quota
metadata:
  name: team-quota
  generation: 3
  resourceVersion: "7"
spec:
  scope:
    type: Cluster
  hard:
    tickets: "2"
    reserved.cpu: "1"
  timeWindows:
  - name: night
    schedule: "0 22 * * *"
    duration: 8h
    hard:
      reserved.cpu: "4"
)";

TEST_CASE(
    "a quota's status is written once with usage and conditions, and a second reconcile "
    "writes nothing",
    "[unit]") {
  Fixture f;
  f.add_quota(quota_from_yaml(kQuota));
  f.engine.upsert_object(ticket("team-a", "t1", {{"cpu", "500m"}}));

  const kclient::ReconcileResult first = f.reconcile("team-quota");
  REQUIRE(f.writer.writes.size() == 1);
  const api::QuotaStatus& status = f.writer.writes[0].status;
  CHECK(status.hard == api::QuotaLimits{{"reserved.cpu", "1"}, {"tickets", "2"}});
  CHECK(status.used == api::QuotaLimits{{"reserved.cpu", "500m"}, {"tickets", "1"}});
  CHECK(status.active_time_window.empty());
  CHECK(status.observed_generation == 3);
  REQUIRE(status.conditions.size() == 2);
  CHECK(status.conditions[0].type == "Ready");
  CHECK(status.conditions[0].status == "True");
  CHECK(status.conditions[1].type == "Exceeded");
  CHECK(status.conditions[1].status == "False");
  CHECK(f.writer.writes[0].metadata.resource_version == "7");  // the precondition
  // The next transition is the window opening at 22:00, 13 hours away.
  CHECK(first == kclient::ReconcileResult::requeue_after(std::chrono::hours(13)));
  CHECK(f.writer.events.empty());

  f.clock.advance(std::chrono::minutes(5));
  const kclient::ReconcileResult second = f.reconcile("team-quota");
  CHECK(f.writer.writes.size() == 1);
  CHECK(second ==
        kclient::ReconcileResult::requeue_after(std::chrono::hours(13) - std::chrono::minutes(5)));
}

TEST_CASE(
    "at a window's opening the effective limits change, an event is recorded and the "
    "quota requeues at the close",
    "[unit]") {
  Fixture f;
  f.add_quota(quota_from_yaml(kQuota));
  f.reconcile("team-quota");
  f.clock.set(at("2026-03-02T22:00:00Z"));
  const kclient::ReconcileResult result = f.reconcile("team-quota");
  REQUIRE(f.writer.writes.size() == 2);
  CHECK(f.writer.writes[1].status.active_time_window == "night");
  CHECK(f.writer.writes[1].status.hard.at("reserved.cpu") == "4");
  CHECK(f.writer.events == std::vector<std::string>{"team-quota Normal TimeWindowOpened"});
  CHECK(result == kclient::ReconcileResult::requeue_after(std::chrono::hours(8)));

  f.clock.set(at("2026-03-03T06:00:00Z"));
  f.reconcile("team-quota");
  REQUIRE(f.writer.writes.size() == 3);
  CHECK(f.writer.writes[2].status.active_time_window.empty());
  CHECK(f.writer.writes[2].status.hard.at("reserved.cpu") == "1");
  CHECK(f.writer.events.back() == "team-quota Normal TimeWindowClosed");
}

TEST_CASE(
    "use above a shrunken limit sets Exceeded with a message naming the resource and "
    "records one warning",
    "[unit]") {
  Fixture f;
  f.add_quota(quota_from_yaml(kQuota));
  f.engine.upsert_object(ticket("team-a", "t1", {{"cpu", "800m"}}));
  f.engine.upsert_object(ticket("team-a", "t2", {{"cpu", "800m"}}));
  f.reconcile("team-quota");
  REQUIRE(f.writer.writes.size() == 1);
  const api::Condition& exceeded = f.writer.writes[0].status.conditions[1];
  CHECK(exceeded.status == "True");
  CHECK(exceeded.message == "reserved.cpu: used 1600m, limit 1");
  CHECK(f.writer.events == std::vector<std::string>{"team-quota Warning QuotaExceeded"});
  f.reconcile("team-quota");
  CHECK(f.writer.writes.size() == 1);
  CHECK(f.writer.events.size() == 1);
}

TEST_CASE(
    "korder_quota_hard and korder_quota_used lose the series of a resource dropped from a "
    "quota's hard and every series of a deleted quota",
    "[unit]") {
  kclient::MetricsRegistry metrics;
  ManualClock clock{at("2026-03-02T12:00:00Z")};
  QuotaEngine engine{clock};
  RecordingWriter writer;
  QuotaReconciler reconciler{
      [&writer](const std::string& name) -> std::shared_ptr<const api::Quota> {
        auto it = writer.cache.find(name);
        return it == writer.cache.end() ? nullptr : it->second;
      },
      engine, writer, clock, &metrics};
  const auto apply = [&](const api::Quota& quota) {
    engine.upsert_quota(quota);
    writer.cache[quota.metadata.name] = std::make_shared<const api::Quota>(quota);
    REQUIRE(reconciler.reconcile(kclient::Request{"", quota.metadata.name}).has_value());
  };
  const auto exposes = [&metrics](const std::string& sample) {
    return metrics.expose().find(sample) != std::string::npos;
  };
  api::Quota team = quota_from_yaml(kQuota);
  api::Quota other = quota_from_yaml(kQuota);
  other.metadata.name = "other-quota";
  engine.upsert_object(ticket("team-a", "t1", {{"cpu", "500m"}}));
  apply(team);
  apply(other);
  CHECK(exposes("korder_quota_hard{quota=\"team-quota\",resource=\"reserved.cpu\"} 1\n"));
  CHECK(exposes("korder_quota_used{quota=\"team-quota\",resource=\"reserved.cpu\"} 0.5\n"));
  CHECK(exposes("korder_quota_hard{quota=\"team-quota\",resource=\"tickets\"} 2\n"));

  // reserved.cpu leaves spec.hard (and the window's override with it).
  team.spec.hard.erase("reserved.cpu");
  team.spec.time_windows.clear();
  team.metadata.generation = 4;
  apply(team);
  CHECK_FALSE(exposes("korder_quota_hard{quota=\"team-quota\",resource=\"reserved.cpu\"}"));
  CHECK_FALSE(exposes("korder_quota_used{quota=\"team-quota\",resource=\"reserved.cpu\"}"));
  CHECK(exposes("korder_quota_hard{quota=\"team-quota\",resource=\"tickets\"} 2\n"));
  CHECK(exposes("korder_quota_used{quota=\"team-quota\",resource=\"tickets\"} 1\n"));

  // The quota is deleted: the informer's delete reaches the engine and the reconciler.
  engine.delete_quota("team-quota");
  writer.cache.erase("team-quota");
  REQUIRE(reconciler.reconcile(kclient::Request{"", "team-quota"}).has_value());
  CHECK(metrics.expose().find("quota=\"team-quota\"") == std::string::npos);
  CHECK(exposes("korder_quota_hard{quota=\"other-quota\",resource=\"reserved.cpu\"} 1\n"));
  CHECK(exposes("korder_quota_used{quota=\"other-quota\",resource=\"tickets\"} 1\n"));
}

TEST_CASE("a quota missing from the cache is done without writes", "[unit]") {
  Fixture f;
  CHECK(f.reconcile("gone") == kclient::ReconcileResult::done());
  CHECK(f.writer.writes.empty());
}

}  // namespace
}  // namespace korder::quota
