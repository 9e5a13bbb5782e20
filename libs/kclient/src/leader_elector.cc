#include "korder/kclient/leader_elector.h"

#include <glog/logging.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "korder/base/check.h"

namespace korder::kclient {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

// client-go's wait.JitterUntil factor for the acquire loop.
constexpr double kJitterFactor = 1.2;

std::string describe(const LeaderElectionConfig& config) {
  return config.namespace_ + "/" + config.name;
}

std::string holder_of(const std::optional<api::Lease>& lease) {
  return lease ? lease->spec.holder_identity.value_or("") : "";
}

}  // namespace

std::string LeaderElectionConfig::validate() const {
  std::string problems;
  const auto add = [&](const std::string& problem) {
    problems += problems.empty() ? problem : "; " + problem;
  };
  if (lease_duration <= renew_deadline) {
    add("leaseDuration must be greater than renewDeadline");
  }
  // renewDeadline > JitterFactor * retryPeriod, in exact integer arithmetic (x10).
  if (renew_deadline.count() * 10 <= retry_period.count() * 12) {
    add("renewDeadline must be greater than retryPeriod*JitterFactor");
  }
  if (lease_duration <= nanoseconds::zero()) {
    add("leaseDuration must be greater than zero");
  }
  if (renew_deadline <= nanoseconds::zero()) {
    add("renewDeadline must be greater than zero");
  }
  if (retry_period <= nanoseconds::zero()) {
    add("retryPeriod must be greater than zero");
  }
  if (lease_duration < seconds(1) && lease_duration > nanoseconds::zero()) {
    // The Lease stores whole seconds: a shorter duration would be written as 0.
    add("leaseDuration must be at least 1s");
  }
  if (identity.empty()) {
    add("Lock identity is empty");
  }
  if (namespace_.empty()) {
    add("the Lease namespace is empty");
  }
  if (name.empty()) {
    add("the Lease name is empty");
  }
  return problems;
}

Expected<std::unique_ptr<LeaderElector>, std::string> LeaderElector::create(
    LeaderElectionConfig config, LeaderCallbacks callbacks, LeaseClient& client, Clock& clock,
    Backoff::Random random, MetricsRegistry* metrics) {
  std::string problems = config.validate();
  const auto add = [&](const std::string& problem) {
    problems += problems.empty() ? problem : "; " + problem;
  };
  if (!callbacks.on_started_leading) {
    add("OnStartedLeading callback must not be nil");
  }
  if (!callbacks.on_stopped_leading) {
    add("OnStoppedLeading callback must not be nil");
  }
  if (!random) {
    add("a random source is required");
  }
  if (!problems.empty()) {
    return Unexpected("leader election for " + describe(config) + ": " + problems);
  }
  return std::unique_ptr<LeaderElector>(new LeaderElector(
      std::move(config), std::move(callbacks), client, clock, std::move(random), metrics));
}

LeaderElector::LeaderElector(LeaderElectionConfig config, LeaderCallbacks callbacks,
                             LeaseClient& client, Clock& clock, Backoff::Random random,
                             MetricsRegistry* metrics)
    : config_(std::move(config)),
      callbacks_(std::move(callbacks)),
      client_(client),
      clock_(clock),
      random_(std::move(random)),
      cv_(clock, mu_) {
  if (metrics != nullptr) {
    is_leader_gauge_ =
        &metrics
             ->gauge("korder_leader_election_is_leader",
                     "1 while this replica holds the leader-election Lease.", {"name"})
             .with({config_.name});
    is_leader_gauge_->set(0);
  }
}

LeaderElector::~LeaderElector() { stop(); }

void LeaderElector::start() {
  KORDER_CHECK(!thread_.joinable(), "LeaderElector::start called twice");
  thread_ = std::jthread([this] { run(); });
}

void LeaderElector::stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_requested_ = true;
    cv_.signal_all();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
    thread_.join();
  }
}

bool LeaderElector::stop_requested() const {
  absl::MutexLock lock(&mu_);
  return stop_requested_;
}

bool LeaderElector::wait_until(SteadyTimePoint deadline) {
  absl::MutexLock lock(&mu_);
  while (!stop_requested_) {
    if (cv_.wait_until(deadline)) {
      return !stop_requested_;
    }
  }
  return false;
}

bool LeaderElector::is_leader() const {
  absl::MutexLock lock(&mu_);
  return lease_ && holder_of(lease_) == config_.identity;
}

std::string LeaderElector::leader() const {
  absl::MutexLock lock(&mu_);
  return holder_of(lease_);
}

Expected<void, std::string> LeaderElector::check(nanoseconds max_tolerable_expired_lease) const {
  absl::MutexLock lock(&mu_);
  if (!lease_ || holder_of(lease_) != config_.identity) {
    return {};  // a standby is healthy
  }
  if (clock_.steady_now() - observed_time_ > config_.lease_duration + max_tolerable_expired_lease) {
    return Unexpected("failed election to renew leadership on lease " + config_.name);
  }
  return {};
}

void LeaderElector::set_observed(const api::Lease& lease) {
  absl::MutexLock lock(&mu_);
  lease_ = lease;
  observed_time_ = clock_.steady_now();
}

bool LeaderElector::lease_valid(SteadyTimePoint now) const {
  absl::MutexLock lock(&mu_);
  const std::int32_t duration = lease_ ? lease_->spec.lease_duration_seconds.value_or(0) : 0;
  return observed_time_ + seconds(duration) > now;
}

nanoseconds LeaderElector::jittered_retry_period() {
  const double extra =
      random_() * kJitterFactor * static_cast<double>(config_.retry_period.count());
  return config_.retry_period + nanoseconds(static_cast<std::int64_t>(extra));
}

bool LeaderElector::try_acquire_or_renew(nanoseconds timeout) {
  const TimePoint now = clock_.now();
  const SteadyTimePoint steady_now = clock_.steady_now();
  // One deadline for the whole attempt (client-go runs it under one context): its two or three
  // calls share `timeout`, so a hung server cannot stretch a renewal past the renew deadline.
  const SteadyTimePoint deadline = steady_now + timeout;
  const auto time_left = [&] { return deadline - clock_.steady_now(); };
  const auto duration_seconds = static_cast<std::int32_t>(
      std::chrono::duration_cast<seconds>(config_.lease_duration).count());
  // Our record on top of `base` (which keeps fields we do not manage, such as `strategy`).
  const auto our_record = [&](api::Lease base, std::optional<TimePoint> acquire_time,
                              std::int32_t transitions) {
    base.spec.holder_identity = config_.identity;
    base.spec.lease_duration_seconds = duration_seconds;
    base.spec.acquire_time = acquire_time ? acquire_time : now;
    base.spec.renew_time = now;
    base.spec.lease_transitions = transitions;
    return base;
  };

  // 1. Fast path: the leader updates the version it wrote last, assuming nobody else wrote.
  std::optional<api::Lease> known;
  {
    absl::MutexLock lock(&mu_);
    known = lease_;
  }
  if (known && holder_of(known) == config_.identity && lease_valid(steady_now)) {
    auto updated = client_.update(
        our_record(*known, known->spec.acquire_time, known->spec.lease_transitions.value_or(0)),
        timeout);
    if (updated) {
      set_observed(*updated);
      return true;
    }
    LOG(ERROR) << "failed to update lease optimistically, falling back to slow path"
               << " lease=" << describe(config_) << " error=" << updated.error();
  }

  // 2. Read the Lease, or create it.
  if (time_left() <= nanoseconds::zero()) {
    return false;
  }
  auto current = client_.get(config_.namespace_, config_.name, time_left());
  if (!current) {
    if (!current.error().is_not_found()) {
      LOG(ERROR) << "error retrieving lease"
                 << " lease=" << describe(config_) << " error=" << current.error();
      return false;
    }
    api::Lease fresh;
    fresh.api_version = "coordination.k8s.io/v1";
    fresh.kind = "Lease";
    fresh.metadata.namespace_ = config_.namespace_;
    fresh.metadata.name = config_.name;
    if (time_left() <= nanoseconds::zero()) {
      return false;
    }
    auto created = client_.create(our_record(std::move(fresh), std::nullopt, 0), time_left());
    if (!created) {
      LOG(ERROR) << "error initially creating lease"
                 << " lease=" << describe(config_) << " error=" << created.error();
      return false;
    }
    set_observed(*created);
    return true;
  }

  // 3. A changed record restarts our count of its lease duration; the same record keeps it.
  {
    absl::MutexLock lock(&mu_);
    if (!lease_ || !(lease_->spec == current->spec)) {
      observed_time_ = steady_now;
    }
    lease_ = *current;  // its resourceVersion is the precondition of our update
  }
  const std::string holder = holder_of(current.value());
  if (!holder.empty() && holder != config_.identity && lease_valid(steady_now)) {
    VLOG(4) << "lease is held by another candidate and has not yet expired"
            << " lease=" << describe(config_) << " holder=" << holder;
    return false;
  }

  // 4. Take it (or renew it on the slow path).
  const std::int32_t transitions = current->spec.lease_transitions.value_or(0);
  api::Lease desired = holder == config_.identity
                           ? our_record(*current, current->spec.acquire_time, transitions)
                           : our_record(*current, std::nullopt, transitions + 1);
  if (time_left() <= nanoseconds::zero()) {
    return false;
  }
  auto updated = client_.update(desired, time_left());
  if (!updated) {
    LOG(ERROR) << "failed to update lease"
               << " lease=" << describe(config_) << " error=" << updated.error();
    return false;
  }
  set_observed(*updated);
  return true;
}

void LeaderElector::maybe_report_transition() {
  const std::string holder = leader();
  if (holder == reported_leader_) {
    return;
  }
  reported_leader_ = holder;
  if (callbacks_.on_new_leader) {
    callbacks_.on_new_leader(holder);
  }
}

bool LeaderElector::acquire() {
  LOG(INFO) << "attempting to acquire leader lease"
            << " lease=" << describe(config_) << " identity=" << config_.identity;
  while (!stop_requested()) {
    const bool acquired = try_acquire_or_renew(config_.renew_deadline);
    maybe_report_transition();
    if (acquired) {
      LOG(INFO) << "successfully acquired lease"
                << " lease=" << describe(config_) << " identity=" << config_.identity;
      return true;
    }
    if (!wait_until(clock_.steady_now() + jittered_retry_period())) {
      return false;
    }
  }
  return false;
}

void LeaderElector::renew() {
  while (true) {
    // client-go: PollImmediateUntil(retryPeriod, tryAcquireOrRenew) under a renew-deadline
    // timeout, then wait.Until's retry period before the next round.
    const SteadyTimePoint deadline = clock_.steady_now() + config_.renew_deadline;
    bool renewed = false;
    while (!stop_requested()) {
      const SteadyTimePoint now = clock_.steady_now();
      if (now >= deadline) {
        break;
      }
      if (try_acquire_or_renew(deadline - now)) {
        renewed = true;
        break;
      }
      // The next attempt comes a retry period later, or never if the deadline comes first.
      if (!wait_until(std::min(clock_.steady_now() + config_.retry_period, deadline))) {
        break;
      }
    }
    maybe_report_transition();
    if (stop_requested()) {
      return;
    }
    if (!renewed) {
      LOG(ERROR) << "failed to renew lease within the renew deadline, leadership lost"
                 << " lease=" << describe(config_) << " identity=" << config_.identity;
      return;
    }
    VLOG(5) << "successfully renewed lease"
            << " lease=" << describe(config_);
    if (!wait_until(clock_.steady_now() + config_.retry_period)) {
      return;
    }
  }
}

void LeaderElector::release() {
  std::optional<api::Lease> known;
  {
    absl::MutexLock lock(&mu_);
    known = lease_;
  }
  if (!known || holder_of(known) != config_.identity) {
    return;
  }
  const TimePoint now = clock_.now();
  api::Lease released = *known;
  released.spec.holder_identity = std::string();
  released.spec.lease_duration_seconds = 1;
  released.spec.acquire_time = now;
  released.spec.renew_time = now;
  auto updated = client_.update(released, config_.renew_deadline);
  if (!updated) {
    LOG(ERROR) << "failed to release lease"
               << " lease=" << describe(config_) << " error=" << updated.error();
    return;
  }
  set_observed(*updated);
  LOG(INFO) << "released lease"
            << " lease=" << describe(config_) << " identity=" << config_.identity;
}

void LeaderElector::run() {
  if (!acquire()) {
    return;
  }
  if (is_leader_gauge_ != nullptr) {
    is_leader_gauge_->set(1);
  }
  callbacks_.on_started_leading();
  renew();
  if (is_leader_gauge_ != nullptr) {
    is_leader_gauge_->set(0);
  }
  if (stop_requested() && config_.release_on_cancel) {
    release();
    maybe_report_transition();
  }
  callbacks_.on_stopped_leading();
}

IdentitySources identity_sources_from_environment() {
  IdentitySources sources;
  if (const char* pod_name = std::getenv("POD_NAME"); pod_name != nullptr) {
    sources.pod_name = pod_name;
  }
  if (const char* pod_uid = std::getenv("POD_UID"); pod_uid != nullptr) {
    sources.pod_uid = pod_uid;
  }
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) {
    sources.hostname = host;
  }
  return sources;
}

std::string leader_election_identity(const IdentitySources& sources, std::uint64_t random) {
  if (!sources.pod_name.empty()) {
    return sources.pod_uid.empty() ? sources.pod_name : sources.pod_name + "_" + sources.pod_uid;
  }
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random));
  const std::string host = sources.hostname.empty() ? "unknown-host" : sources.hostname;
  return host + "_" + suffix;
}

}  // namespace korder::kclient
