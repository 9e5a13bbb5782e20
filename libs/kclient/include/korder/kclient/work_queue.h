#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/check.h"
#include "korder/base/clock.h"
#include "korder/kclient/clock_cond_var.h"
#include "korder/kclient/request.h"
#include "korder/kclient/work_queue_metrics.h"
#include "korder/kclient/work_queue_rate_limiter.h"

namespace korder::kclient {

/// The work queue between event handlers and workers, with client-go's semantics (its
/// `RateLimitingInterface`: a plain queue, delayed adds and rate-limited adds in one object).
///
/// - A key is queued at most once: adding a key that is already waiting does nothing (a
///   "dirty" set), so a burst of events for one object causes one reconcile.
/// - A key is never handed to two workers at once (a "processing" set). A key added while a
///   worker holds it is handed out again after that worker calls `done(key)`, so no change is
///   missed.
/// - Keys are handed out in the order they were first queued.
/// - `add_after(key, d)` queues `key` once `d` has passed on the clock; while it waits, a second
///   `add_after` with an earlier deadline moves it earlier, a later one is ignored.
/// - `add_rate_limited(key)` is `add_after(key, rate_limiter.when(key))`; `forget(key)` resets
///   the key's backoff after a successful reconcile.
/// - `shutdown()` stops accepting adds and drops delayed keys whose deadline is still ahead;
///   workers still get the keys already queued, then `get()` returns `std::nullopt`.
///
/// Every method is thread-safe. Delayed keys need no thread of their own: whichever call next
/// takes the lock (a blocked `get()` wakes at the earliest deadline) moves the keys whose time
/// has come into the queue. `Key` needs `std::hash<Key>`, `==` and copying; controllers use
/// `Request`. The clock, the rate limiter and the metrics must outlive the queue, and no thread
/// may still be inside a method when it is destroyed (shut it down and join the workers first).
template <typename Key>
class WorkQueue {
 public:
  /// A queue limited by `rate_limiter` (see `default_controller_rate_limiter`), reporting to
  /// `metrics` if it is not null.
  WorkQueue(Clock& clock, std::unique_ptr<WorkQueueRateLimiter<Key>> rate_limiter,
            WorkQueueMetrics* metrics = nullptr)
      : clock_(clock),
        rate_limiter_(std::move(rate_limiter)),
        metrics_(metrics != nullptr ? metrics : &no_metrics_),
        cv_(clock, mu_) {
    KORDER_CHECK(rate_limiter_ != nullptr, "WorkQueue: a rate limiter is required");
  }

  /// A queue with client-go's default controller rate limiter and no metrics.
  explicit WorkQueue(Clock& clock)
      : WorkQueue(clock, default_controller_rate_limiter<Key>(clock)) {}

  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  /// Queues `key` unless it is already waiting; if a worker holds it, it is handed out again after
  /// `done(key)`. Ignored after shutdown.
  void add(const Key& key) {
    absl::MutexLock lock(&mu_);
    promote_due_locked();
    add_locked(key);
  }

  /// Queues `key` once `delay` has passed on the clock (at once if `delay <= 0`). If `key` is
  /// already waiting for a deadline, the earlier deadline wins. Ignored after shutdown.
  void add_after(const Key& key, std::chrono::nanoseconds delay) {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) {
      return;
    }
    metrics_->retry();
    promote_due_locked();
    if (delay <= std::chrono::nanoseconds::zero()) {
      add_locked(key);
      return;
    }
    const SteadyTimePoint ready_at = clock_.steady_now() + delay;
    if (const auto it = waiting_.find(key); it != waiting_.end()) {
      if (it->second->first <= ready_at) {
        return;
      }
      waiting_by_time_.erase(it->second);
      waiting_.erase(it);
    }
    const auto pos = waiting_by_time_.emplace(ready_at, key);
    waiting_.emplace(key, pos);
    if (pos == waiting_by_time_.begin()) {
      // A new earliest deadline: sleeping workers must shorten their waits.
      cv_.signal_all();
    }
  }

  /// Queues `key` after the delay its rate limiter chooses (counting one more failure).
  void add_rate_limited(const Key& key) { add_after(key, rate_limiter_->when(key)); }

  /// Resets `key`'s failure count in the rate limiter (call it when a reconcile succeeds). It does
  /// not remove the key from the queue.
  void forget(const Key& key) { rate_limiter_->forget(key); }

  /// How many times `key` was rate-limited since it was last forgotten.
  int num_requeues(const Key& key) const { return rate_limiter_->num_requeues(key); }

  /// Blocks until a key can be handed out and returns it; the caller then owns the key until it
  /// calls `done(key)`. Returns `std::nullopt` once the queue is shut down and no queued key is
  /// left.
  std::optional<Key> get() {
    absl::MutexLock lock(&mu_);
    while (true) {
      promote_due_locked();
      if (!queue_.empty()) {
        break;
      }
      if (shutting_down_) {
        return std::nullopt;
      }
      if (waiting_by_time_.empty()) {
        cv_.wait();
      } else {
        cv_.wait_until(waiting_by_time_.begin()->first);
      }
    }
    Key key = std::move(queue_.front());
    queue_.pop_front();
    const SteadyTimePoint now = clock_.steady_now();
    const auto dirty = dirty_.find(key);
    KORDER_CHECK(dirty != dirty_.end(), "WorkQueue: a queued key is always dirty");
    metrics_->observe_queue_latency(now - dirty->second);
    dirty_.erase(dirty);
    processing_.emplace(key, now);
    metrics_->set_depth(dirty_.size());
    return key;
  }

  /// Tells the queue the worker is finished with `key` (whatever the outcome). If `key` was added
  /// meanwhile it is queued again. Precondition: `key` was handed out by `get()` and is not done
  /// yet (a second `done` would let two workers hold one key: it stops the process).
  void done(const Key& key) {
    absl::MutexLock lock(&mu_);
    const auto it = processing_.find(key);
    KORDER_CHECK(it != processing_.end(), "WorkQueue::done called for a key that is not in flight");
    metrics_->observe_work_duration(clock_.steady_now() - it->second);
    processing_.erase(it);
    if (dirty_.contains(key)) {
      queue_.push_back(key);
      cv_.signal();
    } else if (processing_.empty()) {
      drained_.SignalAll();
    }
  }

  /// Keys queued and ready to hand out (client-go's `Len()`); delayed keys whose time has come
  /// count, keys still waiting for a deadline do not.
  std::size_t len() {
    absl::MutexLock lock(&mu_);
    promote_due_locked();
    return queue_.size();
  }

  /// Stops accepting adds, drops delayed keys whose deadline is still ahead, and wakes every
  /// worker; workers keep getting the keys already queued, then `get()` returns `std::nullopt`.
  /// Returns at once. Idempotent.
  void shutdown() {
    absl::MutexLock lock(&mu_);
    drain_ = false;
    shutdown_locked();
  }

  /// `shutdown()`, then waits until every key handed out has been marked done (client-go's
  /// `ShutDownWithDrain`). Workers must keep running meanwhile. A concurrent `shutdown()` ends
  /// the wait early.
  void shutdown_with_drain() {
    absl::MutexLock lock(&mu_);
    drain_ = true;
    shutdown_locked();
    while (drain_ && !processing_.empty()) {
      drained_.Wait(&mu_);
    }
  }

  /// Whether `shutdown()` or `shutdown_with_drain()` was called.
  bool shutting_down() const {
    absl::MutexLock lock(&mu_);
    return shutting_down_;
  }

 private:
  using WaitingByTime = std::multimap<SteadyTimePoint, Key>;

  void add_locked(const Key& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (shutting_down_ || dirty_.contains(key)) {
      return;
    }
    metrics_->add();
    dirty_.emplace(key, clock_.steady_now());
    metrics_->set_depth(dirty_.size());
    if (processing_.contains(key)) {
      return;  // queued again by done()
    }
    queue_.push_back(key);
    cv_.signal();
  }

  // Moves the delayed keys whose deadline has passed into the queue.
  void promote_due_locked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (waiting_by_time_.empty()) {
      return;
    }
    const SteadyTimePoint now = clock_.steady_now();
    while (!waiting_by_time_.empty() && waiting_by_time_.begin()->first <= now) {
      const auto first = waiting_by_time_.begin();
      waiting_.erase(first->second);
      Key key = std::move(first->second);
      waiting_by_time_.erase(first);
      add_locked(key);
    }
  }

  void shutdown_locked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    // Keys whose deadline has passed count as queued (client-go's waiting loop would have
    // queued them already); only keys still waiting for a future deadline are dropped.
    promote_due_locked();
    shutting_down_ = true;
    waiting_.clear();
    waiting_by_time_.clear();
    cv_.signal_all();
    drained_.SignalAll();
  }

  Clock& clock_;
  const std::unique_ptr<WorkQueueRateLimiter<Key>> rate_limiter_;
  WorkQueueMetrics no_metrics_;
  WorkQueueMetrics* const metrics_;

  mutable absl::Mutex mu_;
  ClockCondVar cv_;        // workers waiting in get(); after mu_, so destroyed before it
  absl::CondVar drained_;  // shutdown_with_drain() waiting for processing_ to empty
  std::deque<Key> queue_ ABSL_GUARDED_BY(mu_);
  // Keys waiting to be handed out, with the time each was added (for the latency metric).
  std::unordered_map<Key, SteadyTimePoint> dirty_ ABSL_GUARDED_BY(mu_);
  // Keys held by a worker, with the time it got them (for the work-duration metric).
  std::unordered_map<Key, SteadyTimePoint> processing_ ABSL_GUARDED_BY(mu_);
  // Delayed keys, by deadline and by key (at most one entry per key).
  WaitingByTime waiting_by_time_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<Key, typename WaitingByTime::iterator> waiting_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  bool drain_ ABSL_GUARDED_BY(mu_) = false;
};

extern template class WorkQueue<Request>;

}  // namespace korder::kclient
