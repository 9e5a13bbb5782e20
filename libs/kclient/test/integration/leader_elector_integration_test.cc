// Leader election on a real coordination.k8s.io/v1 Lease of the development cluster, with two
// candidates in one process (each with its own client, as two replicas would have), short timings
// through the same config production uses, and the real clock.

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cluster_client.h"
#include "korder/api/lease.h"
#include "korder/kclient/leader_elector.h"
#include "korder/kclient/rest_lease_client.h"
#include "tcp_proxy.h"

namespace korder::kclient::integration {
namespace {

using namespace std::chrono_literals;
using korder::testing::TestCluster;
using Steady = std::chrono::steady_clock;

constexpr const char* kLeaseNamespace = "korder-system";
constexpr const char* kLeaseName = "kclient-integration";

struct Timings {
  std::chrono::milliseconds lease_duration;
  std::chrono::milliseconds renew_deadline;
  std::chrono::milliseconds retry_period;
};

// The brief's short timings: lease 1 s, renew 0.7 s, retry 0.2 s.
constexpr Timings kShort{1000ms, 700ms, 200ms};
// Where a test compares two durations (a takeover "at once" against one that waits for the lease
// to expire), a 2 s lease keeps the two apart on a loaded two-core machine.
constexpr Timings kWide{2000ms, 1000ms, 250ms};

// One candidate: its own client (through `kubeconfig`), Lease client and elector, and when its
// callbacks ran.
class Candidate {
 public:
  Candidate(std::string identity, const std::string& kubeconfig, Timings timings,
            bool release_on_cancel = true)
      : identity_(std::move(identity)),
        client_(kubeconfig),
        leases_(client_.client(), client_.io()) {
    LeaderElectionConfig config;
    config.namespace_ = kLeaseNamespace;
    config.name = kLeaseName;
    config.identity = identity_;
    config.lease_duration = timings.lease_duration;
    config.renew_deadline = timings.renew_deadline;
    config.retry_period = timings.retry_period;
    config.release_on_cancel = release_on_cancel;
    LeaderCallbacks callbacks;
    callbacks.on_started_leading = [this] {
      std::lock_guard lock(mu_);
      started_at_ = Steady::now();
      ++terms_;
    };
    callbacks.on_stopped_leading = [this] {
      std::lock_guard lock(mu_);
      stopped_at_ = Steady::now();
    };
    auto elector = LeaderElector::create(config, std::move(callbacks), leases_, client_.clock(),
                                         uniform_random(std::hash<std::string>()(identity_)));
    if (!elector.has_value()) {
      FAIL("LeaderElector::create: " << elector.error());
    }
    elector_ = std::move(elector).value();
  }

  ~Candidate() { elector_->stop(); }

  const std::string& identity() const { return identity_; }
  LeaderElector& elector() { return *elector_; }
  RestClient& client() { return client_.client(); }

  int terms() const {
    std::lock_guard lock(mu_);
    return terms_;
  }
  /// Between on_started_leading and on_stopped_leading (an elector runs one term at most).
  /// `LeaderElector::is_leader` reports the Lease as last observed, which still names a leader
  /// that has given up; the callbacks are what a daemon acts on.
  bool leading() const {
    std::lock_guard lock(mu_);
    return started_at_.has_value() && !stopped_at_.has_value();
  }
  std::optional<Steady::time_point> started_at() const {
    std::lock_guard lock(mu_);
    return started_at_;
  }
  std::optional<Steady::time_point> stopped_at() const {
    std::lock_guard lock(mu_);
    return stopped_at_;
  }

 private:
  const std::string identity_;
  ClusterClient client_;
  RestLeaseClient leases_;
  mutable std::mutex mu_;
  int terms_ = 0;
  std::optional<Steady::time_point> started_at_;
  std::optional<Steady::time_point> stopped_at_;
  std::unique_ptr<LeaderElector> elector_;  // last: stopped first
};

api::Lease read_lease(RestClient& client) {
  auto lease = client.get<api::Lease>(kLeaseNamespace, kLeaseName);
  REQUIRE(lease.has_value());
  return *lease;
}

std::string holder(RestClient& client) {
  return read_lease(client).spec.holder_identity.value_or("");
}

double seconds_between(Steady::time_point from, Steady::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// Starts `first`, waits until it leads, then starts `second` and checks that it follows.
void elect_first(Candidate& first, Candidate& second) {
  first.elector().start();
  REQUIRE(eventually([&] { return first.leading(); }));
  second.elector().start();
  REQUIRE(eventually([&] { return second.elector().leader() == first.identity(); }));
  CHECK_FALSE(second.leading());
  CHECK(holder(first.client()) == first.identity());
}

TEST_CASE("of two candidates exactly one leads, and they never lead together", "[integration]") {
  TestCluster cluster;
  Candidate a("candidate-a", cluster.kubeconfig(), kShort);
  Candidate b("candidate-b", cluster.plain_kubeconfig(), kShort);
  a.elector().start();
  b.elector().start();
  REQUIRE(eventually([&] { return a.leading() || b.leading(); }));
  // Sample both for several lease durations (an observation, not a wait for anything): one
  // keeps renewing, the other keeps following, and there is never a second term.
  bool both_led = false;
  int most_terms = 0;
  const auto until = Steady::now() + 3 * kShort.lease_duration;
  while (Steady::now() < until) {
    both_led = both_led || (a.leading() && b.leading());
    most_terms = std::max(most_terms, a.terms() + b.terms());
    std::this_thread::sleep_for(10ms);
  }
  CHECK_FALSE(both_led);
  CHECK(most_terms == 1);
  Candidate& leader = a.leading() ? a : b;
  Candidate& follower = a.leading() ? b : a;
  CHECK(leader.leading());
  CHECK(follower.elector().leader() == leader.identity());
  const api::Lease lease = read_lease(leader.client());
  CHECK(lease.spec.holder_identity == leader.identity());
  CHECK(lease.spec.lease_duration_seconds == 1);
  CHECK(lease.spec.renew_time.has_value());
  CHECK(lease.spec.lease_transitions.value_or(0) == 0);
}

TEST_CASE("a leader that stops renewing without releasing is replaced once its lease expires",
          "[integration]") {
  TestCluster cluster;
  Candidate a("candidate-a", cluster.plain_kubeconfig(), kWide, /*release_on_cancel=*/false);
  Candidate b("candidate-b", cluster.plain_kubeconfig(), kWide);
  elect_first(a, b);

  const auto stopped = Steady::now();
  a.elector().stop();  // no release: the Lease still names a
  CHECK(a.stopped_at().has_value());
  CHECK(holder(b.client()) == a.identity());
  REQUIRE(eventually([&] { return b.leading(); }, 10s));
  const double waited = seconds_between(stopped, *b.started_at());
  INFO("took over after " << waited << " s");
  // b respected a's lease: it waited for it to expire (a renewed about a retry period before
  // it stopped; half the lease allows for a slow machine), where a released Lease is taken at
  // once (the clean-shutdown test below) ...
  CHECK(waited >= 1.0);
  // ... and no longer than the lease duration plus one (jittered) retry period and slack.
  CHECK(waited <= 2.0 + 1.2 * 0.25 + 2.0);
  const api::Lease lease = read_lease(b.client());
  CHECK(lease.spec.holder_identity == b.identity());
  CHECK(lease.spec.lease_transitions == 1);
}

TEST_CASE("a leader cut off from the API server gives up before the other candidate takes over",
          "[integration]") {
  TestCluster cluster;
  TcpProxy proxy(korder::testing::port_of(cluster.http_url()));
  Candidate a("candidate-a",
              write_kubeconfig(cluster.dir() + "/kubeconfig-a",
                               "http://127.0.0.1:" + std::to_string(proxy.port())),
              kWide);
  Candidate b("candidate-b", cluster.plain_kubeconfig(), kWide);
  elect_first(a, b);

  const auto cut = Steady::now();
  proxy.cut();  // a hangs as far as the cluster can tell: its renewals never arrive
  REQUIRE(eventually([&] { return b.leading(); }, 10s));
  REQUIRE(a.stopped_at().has_value());
  const double lost = seconds_between(cut, *a.stopped_at());
  const double taken = seconds_between(cut, *b.started_at());
  INFO("a gave up after " << lost << " s, b took over after " << taken << " s");
  // a stops acting within its renew deadline (plus a retry period), b waits for the lease to
  // expire: a's term ends before b's begins.
  CHECK(lost <= 1.0 + 0.25 + 1.0);
  CHECK(*a.stopped_at() < *b.started_at());
  CHECK(taken <= 2.0 + 1.2 * 0.25 + 2.0);
  CHECK(a.terms() == 1);
  const api::Lease lease = read_lease(b.client());
  CHECK(lease.spec.holder_identity == b.identity());
  CHECK(lease.spec.lease_transitions == 1);
}

TEST_CASE("on clean shutdown the leader releases the Lease and the other takes over at once",
          "[integration]") {
  TestCluster cluster;
  Candidate a("candidate-a", cluster.kubeconfig(), kWide);
  Candidate b("candidate-b", cluster.kubeconfig(), kWide);
  elect_first(a, b);

  const auto stopped = Steady::now();
  a.elector().stop();
  REQUIRE(a.stopped_at().has_value());
  REQUIRE(eventually([&] { return b.leading(); }, 10s));
  const double waited = seconds_between(stopped, *b.started_at());
  INFO("took over after " << waited << " s");
  // Well within the 2 s lease: the released Lease has no holder, so b takes it on its next try.
  CHECK(waited < 1.0);
  const api::Lease lease = read_lease(b.client());
  CHECK(lease.spec.holder_identity == b.identity());
  CHECK(lease.spec.lease_transitions == 1);
}

}  // namespace
}  // namespace korder::kclient::integration
