#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/clock.h"

namespace korder::kclient::testing {

/// A clock that tests drive: `now()` and `steady_now()` stand still until `advance()` or `set()`
/// moves them, and then every component waiting on the clock (through `ClockCondVar` or another
/// `Clock::Listener`) is woken to look at it again. Thread-safe.
///
/// `blocked_waits()` counts the times a waiter found its deadline still ahead and blocked (each
/// `real_time_until()` that answered "until woken"), so a test can wait until a worker is
/// really asleep on the clock before it moves time, instead of sleeping.
///
/// Do not call `advance()`/`set()` while holding a lock that a listener takes (for example from
/// inside a component's callback): the wake-up takes the component's lock.
class FakeClock final : public Clock {
 public:
  /// 2024-01-01T00:00:00Z, a fixed, readable starting point.
  static constexpr TimePoint kDefaultStart = TimePoint(std::chrono::seconds(1704067200));

  explicit FakeClock(TimePoint start = kDefaultStart);

  TimePoint now() const override;
  SteadyTimePoint steady_now() const override;
  /// Zero once `deadline` has passed, else `std::nullopt`: fake time never passes by itself.
  std::optional<std::chrono::nanoseconds> real_time_until(SteadyTimePoint deadline) const override;
  void add_listener(Listener& listener) override;
  void remove_listener(Listener& listener) override;

  /// Moves both clocks forward by `d` (precondition: `d >= 0`) and wakes every waiter.
  void advance(std::chrono::nanoseconds d);

  /// Sets the wall clock to `t` and wakes every waiter. A jump forward moves the steady clock by
  /// the same amount (so pending deadlines fire as with `advance`); a jump back leaves it alone
  /// (steady time never goes back), which is how a real wall-clock step behaves.
  void set(TimePoint t);

  /// How many times a waiter found its deadline still ahead and blocked until woken.
  std::uint64_t blocked_waits() const;

  /// Waits (in real time, up to `timeout`) until `blocked_waits() >= n`; returns whether it got
  /// there. For tests: "the worker is now asleep on the clock".
  bool await_blocked_waits(std::uint64_t n,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

 private:
  void notify_listeners();

  // Lock order: listeners_mu_ (held while calling listeners) -> a listener's own lock -> time_mu_.
  // time_mu_ is a leaf: nothing else is locked while it is held.
  mutable absl::Mutex time_mu_;
  TimePoint now_ ABSL_GUARDED_BY(time_mu_);
  SteadyTimePoint steady_ ABSL_GUARDED_BY(time_mu_);
  mutable std::uint64_t blocked_waits_ ABSL_GUARDED_BY(time_mu_) = 0;

  absl::Mutex listeners_mu_;
  std::vector<Listener*> listeners_ ABSL_GUARDED_BY(listeners_mu_);
};

}  // namespace korder::kclient::testing
