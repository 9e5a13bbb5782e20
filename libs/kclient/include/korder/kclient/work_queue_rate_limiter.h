#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/check.h"
#include "korder/base/clock.h"
#include "korder/kclient/rate_limiter.h"
#include "korder/kclient/request.h"

namespace korder::kclient {

/// Decides how long a key waits before it is retried: client-go's `workqueue.RateLimiter`
/// (renamed here because `RateLimiter` is the token bucket). `WorkQueue::add_rate_limited` asks
/// `when`; a reconcile that succeeds calls `WorkQueue::forget`, which calls `forget`.
/// Implementations are thread-safe. `Key` needs `std::hash<Key>` and `==`.
template <typename Key>
class WorkQueueRateLimiter {
 public:
  virtual ~WorkQueueRateLimiter() = default;
  /// How long `key` should wait before it is processed again; counts one more failure for it.
  virtual std::chrono::nanoseconds when(const Key& key) = 0;
  /// Stops tracking `key`: its next failure starts from the smallest delay again.
  virtual void forget(const Key& key) = 0;
  /// How many failures are counted for `key` since it was last forgotten.
  virtual int num_requeues(const Key& key) const = 0;
};

/// Per-key exponential backoff: the n-th failure of a key (n from 0) waits
/// `base_delay * 2^n`, capped at `max_delay` (client-go's `ItemExponentialFailureRateLimiter`).
template <typename Key>
class ItemExponentialFailureRateLimiter final : public WorkQueueRateLimiter<Key> {
 public:
  /// Preconditions: `0 < base_delay <= max_delay`.
  ItemExponentialFailureRateLimiter(std::chrono::nanoseconds base_delay,
                                    std::chrono::nanoseconds max_delay)
      : base_delay_(base_delay), max_delay_(max_delay) {
    KORDER_CHECK(base_delay > std::chrono::nanoseconds::zero() && base_delay <= max_delay,
                 "ItemExponentialFailureRateLimiter: need 0 < base_delay <= max_delay");
  }

  std::chrono::nanoseconds when(const Key& key) override {
    absl::MutexLock lock(&mu_);
    const int exp = failures_[key]++;
    // base * 2^exp, saturating: beyond 2^62 (or when the product would overflow) it is max.
    const std::int64_t base = base_delay_.count();
    if (exp >= 62 || base > (std::numeric_limits<std::int64_t>::max() >> exp)) {
      return max_delay_;
    }
    return std::min(std::chrono::nanoseconds(base << exp), max_delay_);
  }

  void forget(const Key& key) override {
    absl::MutexLock lock(&mu_);
    failures_.erase(key);
  }

  int num_requeues(const Key& key) const override {
    absl::MutexLock lock(&mu_);
    const auto it = failures_.find(key);
    return it == failures_.end() ? 0 : it->second;
  }

 private:
  const std::chrono::nanoseconds base_delay_;
  const std::chrono::nanoseconds max_delay_;
  mutable absl::Mutex mu_;
  std::unordered_map<Key, int> failures_ ABSL_GUARDED_BY(mu_);
};

/// One token bucket shared by every key, so a storm of failures across many keys is spread out
/// (client-go's `BucketRateLimiter`). It counts no failures: `forget` does nothing and
/// `num_requeues` is always 0.
template <typename Key>
class BucketRateLimiter final : public WorkQueueRateLimiter<Key> {
 public:
  /// Preconditions as `RateLimiter`'s. `clock` must outlive the limiter.
  BucketRateLimiter(Clock& clock, double qps, int burst) : bucket_(clock, qps, burst) {}

  std::chrono::nanoseconds when(const Key& /*key*/) override { return bucket_.reserve(); }
  void forget(const Key& /*key*/) override {}
  int num_requeues(const Key& /*key*/) const override { return 0; }

 private:
  RateLimiter bucket_;
};

/// The strictest of several limiters: `when` asks every one (each counts the failure) and
/// returns the longest delay; `num_requeues` is the largest count; `forget` forgets everywhere
/// (client-go's `MaxOfRateLimiter`).
template <typename Key>
class MaxOfRateLimiter final : public WorkQueueRateLimiter<Key> {
 public:
  /// Precondition: at least one limiter.
  explicit MaxOfRateLimiter(std::vector<std::unique_ptr<WorkQueueRateLimiter<Key>>> limiters)
      : limiters_(std::move(limiters)) {
    KORDER_CHECK(!limiters_.empty(), "MaxOfRateLimiter: needs at least one limiter");
  }

  std::chrono::nanoseconds when(const Key& key) override {
    std::chrono::nanoseconds longest = std::chrono::nanoseconds::zero();
    for (const auto& limiter : limiters_) {
      longest = std::max(longest, limiter->when(key));
    }
    return longest;
  }

  void forget(const Key& key) override {
    for (const auto& limiter : limiters_) {
      limiter->forget(key);
    }
  }

  int num_requeues(const Key& key) const override {
    int most = 0;
    for (const auto& limiter : limiters_) {
      most = std::max(most, limiter->num_requeues(key));
    }
    return most;
  }

 private:
  const std::vector<std::unique_ptr<WorkQueueRateLimiter<Key>>> limiters_;
};

/// client-go's `DefaultControllerRateLimiter`: the larger of per-key exponential backoff
/// (5 ms doubling to 1000 s) and an overall token bucket of 10 qps with a burst of 100.
/// `clock` must outlive the limiter.
template <typename Key>
std::unique_ptr<WorkQueueRateLimiter<Key>> default_controller_rate_limiter(Clock& clock) {
  std::vector<std::unique_ptr<WorkQueueRateLimiter<Key>>> limiters;
  limiters.push_back(std::make_unique<ItemExponentialFailureRateLimiter<Key>>(
      std::chrono::milliseconds(5), std::chrono::seconds(1000)));
  limiters.push_back(std::make_unique<BucketRateLimiter<Key>>(clock, 10.0, 100));
  return std::make_unique<MaxOfRateLimiter<Key>>(std::move(limiters));
}

extern template class ItemExponentialFailureRateLimiter<Request>;
extern template class BucketRateLimiter<Request>;
extern template class MaxOfRateLimiter<Request>;

}  // namespace korder::kclient
