#include "korder/kclient/controller.h"

#include <glog/logging.h>

#include <exception>
#include <utility>

#include "absl/time/time.h"
#include "korder/base/check.h"

namespace korder::kclient {
namespace {

// Indexes into reconcile_result_labels().
enum ResultIndex { kSuccess, kRequeue, kRequeueAfter, kError, kConflict, kTerminal, kPanic };

std::unique_ptr<WorkQueueRateLimiter<Request>> rate_limiter_or_default(
    std::unique_ptr<WorkQueueRateLimiter<Request>> limiter, Clock& clock) {
  return limiter != nullptr ? std::move(limiter) : default_controller_rate_limiter<Request>(clock);
}

}  // namespace

const std::vector<std::string>& reconcile_result_labels() {
  static const std::vector<std::string> labels = {
      "success", "requeue", "requeue_after", "error", "conflict", "terminal_error", "panic"};
  return labels;
}

Controller::Controller(ControllerOptions options, Reconciler& reconciler, Clock& clock,
                       MetricsRegistry& metrics)
    : name_(options.name),
      concurrency_(options.concurrency),
      sync_poll_interval_(options.sync_poll_interval),
      reconciler_(reconciler),
      clock_(clock),
      duration_(metrics
                    .histogram("korder_reconcile_duration_seconds",
                               "Length of time per reconciliation per controller.", {"controller"})
                    .with({options.name})),
      active_workers_(metrics
                          .gauge("korder_controller_active_workers",
                                 "Number of workers currently reconciling, per controller.",
                                 {"controller"})
                          .with({options.name})),
      queue_metrics_(metrics, options.name),
      queue_(clock, rate_limiter_or_default(std::move(options.rate_limiter), clock),
             &queue_metrics_) {
  KORDER_CHECK(!name_.empty(), "Controller: a name is required");
  KORDER_CHECK(concurrency_ >= 1, "Controller: concurrency must be at least 1");
  auto& total = metrics.counter("korder_reconcile_total",
                                "Total number of reconciliations per controller and result.",
                                {"controller", "result"});
  for (const std::string& result : reconcile_result_labels()) {
    results_.push_back(&total.with({name_, result}));
  }
}

Controller::~Controller() { shutdown(); }

void Controller::add_synced_check(std::function<bool()> has_synced) {
  absl::MutexLock lock(&mu_);
  KORDER_CHECK(workers_.empty(), "Controller::add_synced_check called after start");
  synced_checks_.push_back(std::move(has_synced));
}

bool Controller::synced() const {
  std::vector<std::function<bool()>> checks;
  {
    absl::MutexLock lock(&mu_);
    checks = synced_checks_;
  }
  for (const auto& check : checks) {
    if (!check()) {
      return false;
    }
  }
  return true;
}

void Controller::start() {
  absl::MutexLock lock(&mu_);
  KORDER_CHECK(workers_.empty(), "Controller::start called twice");
  LOG(INFO) << "starting controller"
            << " controller=" << name_ << " workers=" << concurrency_;
  for (int i = 0; i < concurrency_; ++i) {
    workers_.emplace_back([this] { worker(); });
  }
}

void Controller::shutdown() {
  std::vector<std::jthread> workers;
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      LOG(INFO) << "stopping controller"
                << " controller=" << name_;
    }
    stopping_ = true;
    stopping_fast_ = true;
    changed_.SignalAll();
    workers = std::move(workers_);
  }
  queue_.shutdown();
  workers.clear();  // joins: each worker finishes its current reconcile first
}

bool Controller::wait_for_sync() {
  while (true) {
    if (synced()) {
      return true;
    }
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      return false;
    }
    changed_.WaitWithTimeout(&mu_, absl::FromChrono(sync_poll_interval_));
    if (stopping_) {
      return false;
    }
  }
}

void Controller::worker() {
  if (!wait_for_sync()) {
    return;
  }
  VLOG(1) << "caches synced, worker starts"
          << " controller=" << name_;
  while (auto request = queue_.get()) {
    if (stopping_fast_) {
      queue_.done(*request);  // stop taking work: what is left is dropped
      continue;
    }
    active_workers_.inc();
    process(*request);
    active_workers_.dec();
    queue_.done(*request);
  }
}

void Controller::process(const Request& request) {
  const std::uint64_t id = next_reconcile_id_++;
  VLOG(1) << "reconciling"
          << " controller=" << name_ << " key=" << request << " reconcile_id=" << id;
  const SteadyTimePoint start = clock_.steady_now();
  std::optional<Expected<ReconcileResult, ReconcileError>> outcome;
  std::string panic;
  try {
    outcome.emplace(reconciler_.reconcile(request));
  } catch (const std::exception& e) {
    panic = e.what();
  } catch (...) {
    panic = "an exception not derived from std::exception";
  }
  duration_.observe(clock_.steady_now() - start);

  if (!outcome) {
    // A last resort (STYLE §3): a reconciler must not throw. Count it and back off.
    LOG(ERROR) << "reconcile panicked"
               << " controller=" << name_ << " key=" << request << " reconcile_id=" << id
               << " exception=" << panic;
    results_[kPanic]->inc();
    queue_.add_rate_limited(request);
    return;
  }
  if (!outcome->has_value()) {
    const ReconcileError& error = outcome->error();
    if (error.terminal) {
      LOG(ERROR) << "reconcile failed, not retrying"
                 << " controller=" << name_ << " key=" << request << " reconcile_id=" << id
                 << " error=" << error.message;
      results_[kTerminal]->inc();
      queue_.forget(request);
      return;
    }
    if (error.conflict) {
      VLOG(1) << "reconcile hit a conflict, retrying"
              << " controller=" << name_ << " key=" << request << " reconcile_id=" << id
              << " error=" << error.message;
      results_[kConflict]->inc();
    } else {
      LOG(ERROR) << "reconcile failed"
                 << " controller=" << name_ << " key=" << request << " reconcile_id=" << id
                 << " error=" << error.message;
      results_[kError]->inc();
    }
    queue_.add_rate_limited(request);
    return;
  }
  const ReconcileResult& result = outcome->value();
  switch (result.kind()) {
    case ReconcileResult::Kind::Done:
      results_[kSuccess]->inc();
      queue_.forget(request);
      break;
    case ReconcileResult::Kind::Requeue:
      results_[kRequeue]->inc();
      queue_.add_rate_limited(request);
      break;
    case ReconcileResult::Kind::RequeueAfter:
      results_[kRequeueAfter]->inc();
      queue_.forget(request);
      queue_.add_after(request, result.after());
      break;
  }
}

}  // namespace korder::kclient
