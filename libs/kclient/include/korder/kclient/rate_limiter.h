#pragma once

#include <chrono>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/clock.h"

namespace korder::kclient {

/// A token bucket (client-go's `flowcontrol.NewTokenBucketRateLimiter`, on top of
/// `golang.org/x/time/rate`): tokens refill at `qps` per second up to `burst`, and the bucket
/// starts full, so the first `burst` calls pass at once and later ones are spaced `1/qps` apart.
/// The client side of `--qps`/`--burst`, and the overall bucket of the work queue's default
/// rate limiter. Thread-safe; time comes from the injected clock.
///
/// Implemented as the equivalent "virtual scheduling" form (GCRA) in integer nanoseconds, so
/// tests get exact, repeatable answers.
class RateLimiter {
 public:
  /// Preconditions (checked; `CommonOptions::validate` checks the flags first): `qps > 0`,
  /// `burst >= 1`. `clock` must outlive the limiter.
  RateLimiter(Clock& clock, double qps, int burst);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  /// Takes a token if one is available now and says whether it did (never waits).
  bool try_accept();

  /// Takes a token now, borrowing from the future if the bucket is empty, and returns how long
  /// the caller must wait before acting on it (zero when a token was available). Each call
  /// reserves a later slot: the asynchronous form of `accept()` (wait on a timer, then go).
  std::chrono::nanoseconds reserve();

  /// Takes a token, blocking the calling thread (on the clock) until it may act. For the
  /// synchronous facade only: never call it from an io thread.
  void accept();

  double qps() const { return qps_; }
  int burst() const { return burst_; }

 private:
  Clock& clock_;
  const double qps_;
  const int burst_;
  const std::chrono::nanoseconds interval_;   // 1/qps: the time one token takes to refill
  const std::chrono::nanoseconds tolerance_;  // (burst - 1) * interval: how far ahead we may run

  /// Takes a token; returns the time at which its holder may act.
  SteadyTimePoint reserve_at(SteadyTimePoint now);

  absl::Mutex mu_;
  // The "theoretical arrival time" of the next token: the bucket is full when tat_ <= now, and a
  // token taken at `now` may be used at once iff tat_ - now <= tolerance_ (fewer than `burst`
  // tokens are owed).
  SteadyTimePoint tat_ ABSL_GUARDED_BY(mu_);
};

}  // namespace korder::kclient
