#pragma once

#include <chrono>

namespace korder {

/// Wall-clock time as Kubernetes timestamps it (UTC, sub-second precision kept).
using TimePoint = std::chrono::system_clock::time_point;

/// The source of time for everything that waits or timestamps, so tests can drive time.
/// `now()` is wall-clock time (timestamps, cron, expiry); `steady_now()` is monotonic
/// (timeouts, backoff, rate limits). Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

/// The real clocks.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace korder
