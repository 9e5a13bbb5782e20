#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/api/lease.h"
#include "korder/base/clock.h"
#include "korder/base/expected.h"
#include "korder/kclient/backoff.h"
#include "korder/kclient/clock_cond_var.h"
#include "korder/kclient/lease_client.h"
#include "korder/kclient/metrics.h"

namespace korder::kclient {

/// What a `LeaderElector` competes for and how (client-go's `LeaderElectionConfig` with a
/// `LeaseLock`). The defaults are client-go's "core clients" values.
struct LeaderElectionConfig {
  /// The Lease's namespace and name (DESIGN §8: the binary's name, in the leader-election
  /// namespace).
  std::string namespace_;
  std::string name;
  /// This candidate's identity, unique among candidates (`leader_election_identity`).
  std::string identity;
  /// How long non-leaders wait, from the last change of the Lease they observed, before they
  /// may take it over.
  std::chrono::nanoseconds lease_duration = std::chrono::seconds(15);
  /// How long the leader keeps retrying a renewal before it gives up leadership.
  std::chrono::nanoseconds renew_deadline = std::chrono::seconds(10);
  /// The wait between attempts (jittered by up to 1.2x while acquiring).
  std::chrono::nanoseconds retry_period = std::chrono::seconds(2);
  /// client-go's `ReleaseOnCancel`: `stop()` gives the Lease up (holder cleared, duration 1 s)
  /// so another candidate takes over at once. Only safe once nothing guarded by the Lease runs
  /// any more, which the Manager's shutdown order ensures.
  bool release_on_cancel = true;

  /// Every problem, joined by "; " (empty when valid): client-go's `NewLeaderElector` checks
  /// (all durations > 0, lease_duration > renew_deadline, renew_deadline > 1.2 x retry_period,
  /// an identity) plus a namespace and a name.
  std::string validate() const;
};

/// What the elector tells its owner. Called on the elector's thread, one at a time, in order;
/// they must return quickly and must not call `stop()`.
struct LeaderCallbacks {
  /// This candidate now holds the Lease: start the work it guards. Required.
  std::function<void()> on_started_leading;
  /// This candidate held the Lease and no longer does: it could not renew it within the renew
  /// deadline (the Lease is lost: stop acting at once, STYLE §5: daemons exit non-zero), or
  /// `stop()` ended the term. Called only after `on_started_leading`. Required.
  std::function<void()> on_stopped_leading;
  /// The observed holder changed (including the first one observed, and to "" when a holder
  /// releases the Lease). Optional.
  std::function<void(const std::string& identity)> on_new_leader;
};

/// Leader election on a coordination.k8s.io/v1 Lease, with client-go's algorithm:
///
/// - Acquire: every retry period (jittered by up to 1.2x) try to take the Lease: create it if it
///   does not exist; take it over if it has no holder, or if it has not changed for its
///   `leaseDurationSeconds` as measured on *our* clock from when we observed its last change
///   (the holder's timestamps are never compared with our clock, so skew does not matter);
///   `leaseTransitions` is incremented on every takeover.
/// - Renew: every retry period the leader updates `renewTime`, retrying every retry period;
///   if no renewal succeeds within the renew deadline, leadership is lost.
/// - Every write is a PUT with the last `resourceVersion` seen (a 409 means someone else wrote
///   it: re-read and decide again). The leader first tries its renewal on the version it wrote
///   last (client-go's fast path) and re-reads only if that fails.
/// - On `stop()` the leader releases the Lease (`release_on_cancel`).
///
/// It runs on a thread of its own (like client-go's goroutine); its API calls go through the
/// blocking `LeaseClient`. All waits are on the injected Clock, so tests drive it with a
/// FakeClock. Thread-safe. The client, clock and registry must outlive it.
class LeaderElector {
 public:
  /// Validates `config` and `callbacks` (an error lists every problem). `random` jitters the
  /// acquire period. `metrics` may be null; otherwise it gets
  /// `korder_leader_election_is_leader{name}` (1 while leading).
  static Expected<std::unique_ptr<LeaderElector>, std::string> create(
      LeaderElectionConfig config, LeaderCallbacks callbacks, LeaseClient& client, Clock& clock,
      Backoff::Random random, MetricsRegistry* metrics = nullptr);

  /// Stops it (as `stop()`).
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  /// Starts competing on the elector's thread. Call once.
  void start();

  /// Stops competing and returns once the elector's thread has ended: a leader releases the
  /// Lease first (if `release_on_cancel`) and gets `on_stopped_leading`. Idempotent. Returns
  /// without waiting when called from a callback (don't).
  void stop();

  /// Whether this candidate holds the Lease as last observed (client-go's `IsLeader`).
  bool is_leader() const;
  /// The holder last observed, or empty (client-go's `GetLeader`).
  std::string leader() const;

  /// For a liveness check (client-go's `HealthzAdaptor`): fails when this candidate leads but
  /// has not renewed for longer than lease duration + `max_tolerable_expired_lease` (the
  /// elector is stuck; it should have given up).
  Expected<void, std::string> check(std::chrono::nanoseconds max_tolerable_expired_lease) const;

  /// Exposed for tests: one client-go `tryAcquireOrRenew` attempt, giving up on the API after
  /// `timeout`. Returns whether this candidate holds the Lease afterwards. Called by the
  /// elector's thread only.
  bool try_acquire_or_renew(std::chrono::nanoseconds timeout);

 private:
  LeaderElector(LeaderElectionConfig config, LeaderCallbacks callbacks, LeaseClient& client,
                Clock& clock, Backoff::Random random, MetricsRegistry* metrics);

  void run();
  bool acquire();  // false when stopped first
  void renew();    // returns when leadership is lost or stop() is called
  void release();
  void maybe_report_transition();
  // Waits until `deadline` or stop(); returns false if stopped.
  bool wait_until(SteadyTimePoint deadline);
  bool stop_requested() const;

  void set_observed(const api::Lease& lease);
  bool lease_valid(SteadyTimePoint now) const;
  std::chrono::nanoseconds jittered_retry_period();

  const LeaderElectionConfig config_;
  const LeaderCallbacks callbacks_;
  LeaseClient& client_;
  Clock& clock_;
  Backoff::Random random_;
  Gauge* is_leader_gauge_ = nullptr;

  mutable absl::Mutex mu_;
  ClockCondVar cv_;  // after mu_
  bool stop_requested_ ABSL_GUARDED_BY(mu_) = false;
  // The Lease as last read or written (its resourceVersion is the precondition of the next
  // write), and when its spec last changed on our clock (client-go's observedTime).
  std::optional<api::Lease> lease_ ABSL_GUARDED_BY(mu_);
  SteadyTimePoint observed_time_ ABSL_GUARDED_BY(mu_);
  std::string reported_leader_;  // the elector thread's only
  std::jthread thread_;
};

/// Where a candidate's identity comes from (DESIGN §1): the downward API's `POD_NAME` and
/// `POD_UID`, else the host name.
struct IdentitySources {
  std::string pod_name;
  std::string pod_uid;
  std::string hostname;
};

/// Reads `POD_NAME`, `POD_UID` and the host name. Called from `main` only: libraries do not
/// read the environment (STYLE §8).
IdentitySources identity_sources_from_environment();

/// `<POD_NAME>_<POD_UID>` (or `<POD_NAME>` without a uid) when running in a pod, else
/// `<hostname>_<16 hex digits of random>` (controller-runtime's hostname + unique suffix), so two
/// processes on one host never share an identity.
std::string leader_election_identity(const IdentitySources& sources, std::uint64_t random);

}  // namespace korder::kclient
