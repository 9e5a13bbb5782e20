#pragma once

#include <chrono>
#include <cstddef>

namespace korder::kclient {

/// Hooks through which a `WorkQueue` reports client-go's work-queue metrics. Every hook does
/// nothing by default, so an implementation overrides only what it exports; one instance serves
/// one queue (it carries the queue's name label itself). Hooks are called with the queue's lock
/// held: they must be quick and must not call back into the queue.
class WorkQueueMetrics {
 public:
  virtual ~WorkQueueMetrics() = default;
  /// Keys added and not yet handed to a worker, including keys that will be handed out again
  /// once their worker is done (client-go's `workqueue_depth`).
  virtual void set_depth(std::size_t /*depth*/) {}
  /// A key was added that was not already waiting to be handed out (`workqueue_adds_total`).
  virtual void add() {}
  /// How long a key waited between being added and being handed to a worker
  /// (`workqueue_queue_duration_seconds`).
  virtual void observe_queue_latency(std::chrono::nanoseconds /*latency*/) {}
  /// How long a worker held a key, from `get()` to `done()` (`workqueue_work_duration_seconds`).
  virtual void observe_work_duration(std::chrono::nanoseconds /*duration*/) {}
  /// A delayed add (`add_after`, hence every `add_rate_limited`) (`workqueue_retries_total`).
  virtual void retry() {}
};

}  // namespace korder::kclient
