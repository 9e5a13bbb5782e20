#pragma once

#include <chrono>
#include <optional>

namespace korder {

/// Wall-clock time as Kubernetes timestamps it (UTC, sub-second precision kept).
using TimePoint = std::chrono::system_clock::time_point;

/// Monotonic time: timeouts, backoff, rate limits, delayed work-queue adds.
using SteadyTimePoint = std::chrono::steady_clock::time_point;

/// The source of time for everything that waits or timestamps, so tests can drive time.
/// `now()` is wall-clock time (timestamps, cron, expiry); `steady_now()` is monotonic
/// (timeouts, backoff, rate limits). Implementations are thread-safe.
///
/// Waiting on a clock. A component that blocks until a steady deadline (a work queue's delayed
/// add, a rate limiter's `accept()`) must wake both when real time passes and when a test moves a
/// fake clock. It does so in two steps:
///  1. `real_time_until(deadline)` says how long to block in real time before looking again:
///     zero once the deadline has passed, the remaining time on a real clock, and `std::nullopt`
///     ("until woken") on a clock whose time moves only when told to (the test `FakeClock`).
///  2. A clock whose time jumps calls every registered `Listener` after each jump, so the
///     listener can wake its waiters, which then look at the clock again.
/// kclient's `ClockCondVar` packages both steps for code that waits under an `absl::Mutex`;
/// asio-based code can register a listener that posts to its strand. Real clocks never jump, so
/// their listener registration does nothing.
class Clock {
 public:
  /// Something waiting for a time on a clock: told when the clock's time jumps.
  class Listener {
   public:
    /// Called after the clock's time changed other than by the passage of real time, on the
    /// thread that changed it, with no lock of the clock's own held. It may take its own locks
    /// (so whoever moves a clock must not hold a lock a listener takes) and must not add or
    /// remove listeners.
    virtual void on_time_changed() = 0;

   protected:
    ~Listener() = default;
  };

  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  virtual SteadyTimePoint steady_now() const = 0;

  /// How long a thread waiting until steady `deadline` should block, in real time, before it
  /// looks at this clock again: zero if `deadline` has passed; otherwise the time remaining for
  /// a real clock, or `std::nullopt` ("block until a listener is told") for a clock whose time
  /// moves only when told to.
  virtual std::optional<std::chrono::nanoseconds> real_time_until(SteadyTimePoint deadline) const {
    const auto remaining = deadline - steady_now();
    return remaining > std::chrono::nanoseconds::zero()
               ? std::chrono::duration_cast<std::chrono::nanoseconds>(remaining)
               : std::chrono::nanoseconds::zero();
  }

  /// Registers `listener` for `on_time_changed()` calls until `remove_listener(listener)`, which
  /// returns only once no call to it is running (so the listener may then be destroyed). Real
  /// clocks never jump and ignore both.
  virtual void add_listener(Listener& /*listener*/) {}
  virtual void remove_listener(Listener& /*listener*/) {}
};

/// The real clocks.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
  SteadyTimePoint steady_now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace korder
