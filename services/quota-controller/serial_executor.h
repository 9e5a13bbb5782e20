#pragma once

// SerialExecutor: runs tasks one at a time on whichever calling thread finds it idle, so
// callers never block on each other (flat combining).

#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace korder::quota {

/// Runs submitted tasks one at a time, in submission order. A thread that submits while no
/// task runs becomes the runner: it runs its task and then every task submitted meanwhile,
/// until none is left. A thread that submits while another runs only queues its task and
/// returns at once. So gRPC reactions hand decisions to one runner instead of blocking on the
/// engine's mutex in turn (on a small machine, threads sleeping on a contended mutex cost more
/// than the decisions). Tasks must not block and must not submit tasks. Thread-safe.
class SerialExecutor {
 public:
  /// Runs `task` now on this thread, or queues it for the thread already running tasks.
  void submit(std::function<void()> task);

 private:
  absl::Mutex mu_;
  std::vector<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool running_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace korder::quota
