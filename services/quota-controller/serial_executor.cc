#include "serial_executor.h"

#include <utility>

namespace korder::quota {

void SerialExecutor::submit(std::function<void()> task) {
  {
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(task));
    if (running_) {
      return;
    }
    running_ = true;
  }
  std::vector<std::function<void()>> batch;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (queue_.empty()) {
        running_ = false;
        return;
      }
      batch.swap(queue_);
    }
    for (std::function<void()>& next : batch) {
      next();
    }
    batch.clear();
  }
}

}  // namespace korder::quota
