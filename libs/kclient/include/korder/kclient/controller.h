#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/clock.h"
#include "korder/kclient/metrics.h"
#include "korder/kclient/reconciler.h"
#include "korder/kclient/request.h"
#include "korder/kclient/work_queue.h"
#include "korder/kclient/work_queue_prometheus_metrics.h"
#include "korder/kclient/work_queue_rate_limiter.h"

namespace korder::kclient {

/// How a `Controller` runs.
struct ControllerOptions {
  /// The controller's name: the `controller` label of its metrics, the `name` of its queue's,
  /// and the `controller=` field of its logs (`order`, `ticket`).
  std::string name;
  /// Reconcile workers (`--concurrency`, controller-runtime's MaxConcurrentReconciles).
  int concurrency = 1;
  /// How often a worker looks again whether the informers have synced before the first
  /// reconcile (client-go's WaitForCacheSync polls every 100 ms, in real time).
  std::chrono::milliseconds sync_poll_interval = std::chrono::milliseconds(100);
  /// The queue's retry policy; null means client-go's default controller rate limiter.
  std::unique_ptr<WorkQueueRateLimiter<Request>> rate_limiter;
};

/// The result labels of `korder_reconcile_total{controller,result}`, every one initialised to
/// zero: success, requeue, requeue_after, error, conflict, terminal_error, panic.
const std::vector<std::string>& reconcile_result_labels();

/// controller-runtime's controller: a work queue of `Request`s fed by event handlers, and N
/// worker threads that take keys off it and call the `Reconciler`.
///
/// - The queue never hands one key to two workers; a key changed while reconciling is
///   reconciled again afterwards.
/// - No reconcile runs before every function passed to `add_synced_check` (the informers'
///   `has_synced`) returns true.
/// - Outcomes: `done` forgets the key's backoff; `requeue` and errors re-add it rate-limited
///   (per-key exponential 5 ms → 1000 s, overall 10 qps / burst 100); `requeue_after(d)` forgets
///   the backoff and re-adds it after `d`; a terminal error is counted and not retried; an
///   exception escaping the reconciler is caught, logged, counted as `panic` and re-added
///   rate-limited.
/// - Metrics: `korder_reconcile_total{controller,result}`,
///   `korder_reconcile_duration_seconds{controller}`, `korder_controller_active_workers
///   {controller}`, and the queue's `korder_workqueue_*{name}`, all at zero from construction.
///
/// Thread-safe. The reconciler, clock and registry must outlive it.
class Controller {
 public:
  /// Precondition (checked): a name and `concurrency >= 1`.
  Controller(ControllerOptions options, Reconciler& reconciler, Clock& clock,
             MetricsRegistry& metrics);
  /// Shuts down and joins the workers (as `shutdown()`).
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  const std::string& name() const { return name_; }

  /// Adds a readiness condition for the first reconcile (an informer's `has_synced`). Call
  /// before `start()`. It is called from worker threads and must be thread-safe and quick.
  void add_synced_check(std::function<bool()> has_synced);
  /// Whether every synced check passes now.
  bool synced() const;

  /// Queues `request` (what event handlers call). Safe before `start()` and after shutdown
  /// (ignored then).
  void enqueue(const Request& request) { queue_.add(request); }
  /// Queues `request` after `delay`.
  void enqueue_after(const Request& request, std::chrono::nanoseconds delay) {
    queue_.add_after(request, delay);
  }

  /// Starts the worker threads; they wait for the informers to sync, then reconcile. Call once.
  void start();

  /// Stops taking work: keys still queued are dropped (they will be listed again by the next
  /// leader), workers finish the reconcile they are in and exit, and this returns when all have
  /// (client-go's ShutDownWithDrain from the workers' side). Idempotent.
  void shutdown();

  /// The queue, for tests and metrics.
  WorkQueue<Request>& queue() { return queue_; }

 private:
  void worker();
  bool wait_for_sync();  // false if shut down first
  void process(const Request& request);

  const std::string name_;
  const int concurrency_;
  const std::chrono::milliseconds sync_poll_interval_;
  Reconciler& reconciler_;
  Clock& clock_;

  // Per-result counters, in reconcile_result_labels() order.
  std::vector<Counter*> results_;
  Histogram& duration_;
  Gauge& active_workers_;
  WorkQueuePrometheusMetrics queue_metrics_;
  WorkQueue<Request> queue_;  // after queue_metrics_, which it uses

  mutable absl::Mutex mu_;
  absl::CondVar changed_;  // shutdown, for workers waiting for sync
  std::vector<std::function<bool()>> synced_checks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> stopping_fast_{false};  // the same, read by workers without the lock
  std::atomic<std::uint64_t> next_reconcile_id_{1};
  std::vector<std::jthread> workers_;
};

}  // namespace korder::kclient
