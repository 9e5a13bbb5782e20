#include "korder/kclient/leader_elector.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "korder/kclient/testing/eventually.h"
#include "korder/kclient/testing/fake_clock.h"
#include "korder/kclient/testing/fake_lease_store.h"

namespace korder::kclient {
namespace {

using std::chrono::seconds;
using testing::FakeClock;
using testing::FakeLeaseStore;

constexpr seconds kTimeout(10);

// What one candidate's callbacks saw.
struct Observed {
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  absl::Mutex mu;
  std::vector<std::string> leaders;  // on_new_leader, in order
  std::optional<TimePoint> stopped_at;
};

LeaderElectionConfig config_for(std::string identity) {
  LeaderElectionConfig config;
  config.namespace_ = "korder-system";
  config.name = "korder-order-controller";
  config.identity = std::move(identity);
  return config;
}

std::unique_ptr<LeaderElector> candidate(const std::string& identity, FakeLeaseStore& store,
                                         FakeClock& clock, Observed& observed,
                                         MetricsRegistry* metrics = nullptr) {
  LeaderCallbacks callbacks;
  callbacks.on_started_leading = [&observed] { ++observed.started; };
  callbacks.on_stopped_leading = [&observed, &clock] {
    {
      absl::MutexLock lock(&observed.mu);
      observed.stopped_at = clock.now();
    }
    ++observed.stopped;
  };
  callbacks.on_new_leader = [&observed](const std::string& leader) {
    absl::MutexLock lock(&observed.mu);
    observed.leaders.push_back(leader);
  };
  auto elector = LeaderElector::create(
      config_for(identity), std::move(callbacks), store, clock, [] { return 0.0; }, metrics);
  REQUIRE(elector);
  return std::move(elector).value();
}

api::Lease stored(const FakeLeaseStore& store) {
  auto lease = store.lease("korder-system", "korder-order-controller");
  REQUIRE(lease);
  return *lease;
}

// Moves the fake clock in one-second steps until `done()` holds or `limit` has passed; after
// each step it waits until the elector thread has acted and gone back to sleep on the clock (or
// is done).
void step_until(FakeClock& clock, const std::function<bool()>& done, seconds limit) {
  for (seconds passed(0); !done() && passed < limit; passed += seconds(1)) {
    const auto waits = clock.blocked_waits();
    clock.advance(seconds(1));
    REQUIRE(testing::eventually([&] { return clock.blocked_waits() > waits || done(); }));
  }
}

TEST_CASE("leader election config is validated like client-go's NewLeaderElector",
          "[unit][kclient]") {
  struct Case {
    const char* what;
    std::function<void(LeaderElectionConfig&)> change;
    std::string problems;
  };
  const std::vector<Case> cases = {
      {"defaults", [](LeaderElectionConfig&) {}, ""},
      {"renew deadline equal to lease duration",
       [](LeaderElectionConfig& c) { c.renew_deadline = seconds(15); },
       "leaseDuration must be greater than renewDeadline"},
      {"renew deadline not above 1.2 x retry period",
       [](LeaderElectionConfig& c) {
         c.renew_deadline = std::chrono::milliseconds(2400);
         c.retry_period = seconds(2);
       },
       "renewDeadline must be greater than retryPeriod*JitterFactor"},
      {"a zero retry period", [](LeaderElectionConfig& c) { c.retry_period = seconds(0); },
       "retryPeriod must be greater than zero"},
      {"no identity, namespace or name",
       [](LeaderElectionConfig& c) {
         c.identity.clear();
         c.namespace_.clear();
         c.name.clear();
       },
       "Lock identity is empty; the Lease namespace is empty; the Lease name is empty"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    LeaderElectionConfig config = config_for("a");
    c.change(config);
    CHECK(config.validate() == c.problems);
  }
}

TEST_CASE("a leader elector needs both leadership callbacks", "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  const auto elector =
      LeaderElector::create(config_for("a"), LeaderCallbacks{}, store, clock, [] { return 0.0; });
  REQUIRE_FALSE(elector);
  CHECK(elector.error() ==
        "leader election for korder-system/korder-order-controller: OnStartedLeading callback "
        "must not be nil; OnStoppedLeading callback must not be nil");
}

TEST_CASE("the first candidate creates the lease and holds it", "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  Observed observed;
  auto a = candidate("a", store, clock, observed);
  CHECK(a->try_acquire_or_renew(kTimeout));
  CHECK(a->is_leader());
  const auto writes = store.writes();
  REQUIRE(writes.size() == 1);
  const api::Lease& lease = writes[0];
  CHECK(lease.api_version == "coordination.k8s.io/v1");
  CHECK(lease.kind == "Lease");
  CHECK(lease.metadata.namespace_ == "korder-system");
  CHECK(lease.metadata.name == "korder-order-controller");
  CHECK(lease.spec.holder_identity == "a");
  CHECK(lease.spec.lease_duration_seconds == 15);
  CHECK(lease.spec.acquire_time == clock.now());
  CHECK(lease.spec.renew_time == clock.now());
  CHECK(lease.spec.lease_transitions == 0);
}

TEST_CASE("only one of two candidates leads", "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  Observed oa, ob;
  auto a = candidate("a", store, clock, oa);
  auto b = candidate("b", store, clock, ob);
  CHECK(a->try_acquire_or_renew(kTimeout));
  CHECK_FALSE(b->try_acquire_or_renew(kTimeout));
  CHECK(a->is_leader());
  CHECK_FALSE(b->is_leader());
  CHECK(b->leader() == "a");
  CHECK(store.writes().size() == 1);  // b only read
}

TEST_CASE("a candidate takes over a lease that stopped changing for its lease duration",
          "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  Observed oa, ob;
  auto a = candidate("a", store, clock, oa);
  auto b = candidate("b", store, clock, ob);
  REQUIRE(a->try_acquire_or_renew(kTimeout));
  REQUIRE_FALSE(b->try_acquire_or_renew(kTimeout));  // b observes the record now
  clock.advance(seconds(14));
  CHECK_FALSE(b->try_acquire_or_renew(kTimeout));
  clock.advance(seconds(1));
  CHECK(b->try_acquire_or_renew(kTimeout));
  const api::Lease lease = stored(store);
  CHECK(lease.spec.holder_identity == "b");
  CHECK(lease.spec.lease_transitions == 1);
  CHECK(lease.spec.acquire_time == clock.now());
  // a's view is stale until it reads again; its renewal then finds b holding it.
  CHECK_FALSE(a->try_acquire_or_renew(kTimeout));
  CHECK_FALSE(a->is_leader());
}

TEST_CASE(
    "expiry is measured on the local clock from the observed change, not the holder's "
    "timestamps",
    "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  Observed ob;
  api::Lease old;
  old.metadata.namespace_ = "korder-system";
  old.metadata.name = "korder-order-controller";
  old.spec.holder_identity = "c";
  old.spec.lease_duration_seconds = 15;
  // The holder's clock is an hour behind ours: its renewTime looks long expired.
  old.spec.renew_time = clock.now() - std::chrono::hours(1);
  old.spec.lease_transitions = 4;
  store.put(old);
  auto b = candidate("b", store, clock, ob);
  CHECK_FALSE(b->try_acquire_or_renew(kTimeout));
  clock.advance(seconds(15));
  CHECK(b->try_acquire_or_renew(kTimeout));
  CHECK(stored(store).spec.lease_transitions == 5);
}

TEST_CASE("a renewal by the leader restarts the others' count", "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  Observed oa, ob;
  auto a = candidate("a", store, clock, oa);
  auto b = candidate("b", store, clock, ob);
  REQUIRE(a->try_acquire_or_renew(kTimeout));
  REQUIRE_FALSE(b->try_acquire_or_renew(kTimeout));
  clock.advance(seconds(10));
  REQUIRE(a->try_acquire_or_renew(kTimeout));  // renews: renewTime changes
  CHECK(stored(store).spec.renew_time == clock.now());
  CHECK(stored(store).spec.acquire_time == clock.now() - seconds(10));
  CHECK_FALSE(b->try_acquire_or_renew(kTimeout));  // sees the change at t=10
  clock.advance(seconds(10));                      // 20 s after b's first look, 10 after change
  CHECK_FALSE(b->try_acquire_or_renew(kTimeout));
  CHECK(stored(store).spec.holder_identity == "a");
}

TEST_CASE("the leader renews on its last written version without reading first",
          "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  Observed oa;
  auto a = candidate("a", store, clock, oa);
  REQUIRE(a->try_acquire_or_renew(kTimeout));
  store.clear_calls();
  clock.advance(seconds(2));
  REQUIRE(a->try_acquire_or_renew(kTimeout));
  const auto calls = store.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].verb == "update");
  CHECK_FALSE(calls[0].failed);
}

TEST_CASE("a conflict on the leader's fast path falls back to reading and updating again",
          "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  Observed oa;
  auto a = candidate("a", store, clock, oa);
  REQUIRE(a->try_acquire_or_renew(kTimeout));
  // Someone else writes the Lease (a label, say): a's resourceVersion is now stale.
  api::Lease touched = stored(store);
  touched.metadata.labels["touched"] = "yes";
  store.put(touched);
  store.clear_calls();
  clock.advance(seconds(2));
  CHECK(a->try_acquire_or_renew(kTimeout));
  const auto calls = store.calls();
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].verb == "update");
  CHECK(calls[0].failed);
  CHECK(calls[1].verb == "get");
  CHECK(calls[2].verb == "update");
  CHECK_FALSE(calls[2].failed);
  CHECK(stored(store).metadata.labels.at("touched") == "yes");  // kept, not overwritten
  CHECK(stored(store).spec.renew_time == clock.now());
}

TEST_CASE("a takeover that loses the race to another writer does not lead", "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  Observed oa, ob;
  auto a = candidate("a", store, clock, oa);
  auto b = candidate("b", store, clock, ob);
  REQUIRE(a->try_acquire_or_renew(kTimeout));
  REQUIRE_FALSE(b->try_acquire_or_renew(kTimeout));
  clock.advance(seconds(15));
  // b reads the expired record, but its update hits 409: someone wrote in between.
  store.fail_next("update", ApiError::from_response(409, "", "PUT"));
  CHECK_FALSE(b->try_acquire_or_renew(kTimeout));
  CHECK_FALSE(b->is_leader());
  CHECK(stored(store).spec.holder_identity == "a");
  // The next attempt reads again and decides on what it sees.
  CHECK(b->try_acquire_or_renew(kTimeout));
  CHECK(stored(store).spec.holder_identity == "b");
}

TEST_CASE("a candidate that loses the create race to another does not lead", "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  Observed ob;
  auto b = candidate("b", store, clock, ob);
  store.fail_next("create", ApiError::from_response(409, "", "POST"));
  CHECK_FALSE(b->try_acquire_or_renew(kTimeout));
  CHECK_FALSE(b->is_leader());
}

TEST_CASE("a leader elector acquires at once when started and reports the new leader",
          "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  MetricsRegistry metrics;
  Observed oa;
  auto a = candidate("a", store, clock, oa, &metrics);
  a->start();
  REQUIRE(testing::eventually([&] { return oa.started == 1; }));
  CHECK(a->is_leader());
  {
    absl::MutexLock lock(&oa.mu);
    CHECK(oa.leaders == std::vector<std::string>{"a"});
  }
  CHECK(metrics.expose().find(
            "korder_leader_election_is_leader{name=\"korder-order-controller\"} 1\n") !=
        std::string::npos);
  a->stop();
  CHECK(oa.stopped == 1);
  CHECK(metrics.expose().find(
            "korder_leader_election_is_leader{name=\"korder-order-controller\"} 0\n") !=
        std::string::npos);
}

TEST_CASE("a leader that cannot renew within the renew deadline stops leading at once",
          "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  Observed oa;
  auto a = candidate("a", store, clock, oa);
  const TimePoint start = clock.now();
  a->start();
  REQUIRE(testing::eventually([&] { return oa.started == 1; }));
  REQUIRE(clock.await_blocked_waits(1));
  // Renewals keep working for a while.
  step_until(
      clock, [] { return false; }, seconds(6));
  CHECK(oa.stopped == 0);
  CHECK(stored(store).spec.renew_time == start + seconds(6));
  // Then the API server becomes unreachable at t=6: renewals at 8, 10, 12, 14, 16 fail and the
  // round that started at t=8 ends at its deadline t=18.
  store.set_failure(ApiError::from_response(503, "", "PUT"));
  step_until(
      clock, [&] { return oa.stopped == 1; }, seconds(30));
  REQUIRE(testing::eventually([&] { return oa.stopped == 1; }));
  {
    absl::MutexLock lock(&oa.mu);
    REQUIRE(oa.stopped_at);
    CHECK(*oa.stopped_at - start == seconds(18));
  }
  a->stop();
  CHECK(oa.stopped == 1);  // once
}

TEST_CASE("a released lease lets a waiting candidate take over at its next retry",
          "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  Observed oa, ob;
  auto a = candidate("a", store, clock, oa);
  auto b = candidate("b", store, clock, ob);
  a->start();
  REQUIRE(testing::eventually([&] { return oa.started == 1; }));
  REQUIRE(clock.await_blocked_waits(1));
  b->start();
  REQUIRE(clock.await_blocked_waits(2));  // b looked, found a, and sleeps for a retry period
  CHECK(b->leader() == "a");

  a->stop();  // releases: holder cleared, duration 1 s
  CHECK(oa.stopped == 1);
  const api::Lease released = stored(store);
  CHECK(released.spec.holder_identity == "");
  CHECK(released.spec.lease_duration_seconds == 1);
  CHECK(released.spec.lease_transitions == 0);

  // b's next attempt, one retry period (2 s, no jitter here) later, takes it: no waiting for
  // the 15 s lease duration.
  clock.advance(seconds(2));
  REQUIRE(testing::eventually([&] { return ob.started == 1; }));
  CHECK(stored(store).spec.holder_identity == "b");
  CHECK(stored(store).spec.lease_transitions == 1);
  {
    absl::MutexLock lock(&ob.mu);
    CHECK(ob.leaders == std::vector<std::string>{"a", "b"});
  }
  b->stop();
}

TEST_CASE("stopping a candidate that never led calls no leadership callback", "[unit][kclient]") {
  FakeLeaseStore store;
  FakeClock clock;
  Observed oa, ob;
  auto a = candidate("a", store, clock, oa);
  REQUIRE(a->try_acquire_or_renew(kTimeout));
  auto b = candidate("b", store, clock, ob);
  b->start();
  REQUIRE(clock.await_blocked_waits(1));
  b->stop();
  CHECK(ob.started == 0);
  CHECK(ob.stopped == 0);
  CHECK(stored(store).spec.holder_identity == "a");
}

TEST_CASE("the identity is the pod's name and uid, else the host name with a random suffix",
          "[unit][kclient]") {
  CHECK(leader_election_identity({"order-7d9f", "1b4e-22", "node-1"}, 42) == "order-7d9f_1b4e-22");
  CHECK(leader_election_identity({"order-7d9f", "", "node-1"}, 42) == "order-7d9f");
  CHECK(leader_election_identity({"", "", "laptop"}, 0xabcdef) == "laptop_0000000000abcdef");
  CHECK(leader_election_identity({"", "", "laptop"}, 1) !=
        leader_election_identity({"", "", "laptop"}, 2));
}

}  // namespace
}  // namespace korder::kclient
