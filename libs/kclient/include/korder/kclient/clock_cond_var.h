#pragma once

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/clock.h"

namespace korder::kclient {

/// A condition variable whose timed waits measure time on a `Clock`, so a component that waits
/// for "an item, or a deadline" behaves the same with the real clock and with a test's
/// `FakeClock`: with the real clock a timed wait blocks for the remaining real time; with a fake
/// clock it blocks until signalled or until the clock is moved (it registers itself as the
/// clock's `Listener` and, on a jump, wakes every waiter to look at the clock again).
///
/// It is bound to the `absl::Mutex` that guards the waiter's state; waits require that mutex
/// held, exactly like `absl::CondVar`. Like any condition variable it can wake spuriously:
/// callers re-check their condition in a loop. Thread-safe. Whoever moves a fake clock must not
/// hold `mu` at the time (the jump notification takes it). Declare it after the mutex it uses,
/// so it is destroyed (and unregistered from the clock) first.
class ClockCondVar final : private Clock::Listener {
 public:
  ClockCondVar(Clock& clock, absl::Mutex& mu);
  ~ClockCondVar();
  ClockCondVar(const ClockCondVar&) = delete;
  ClockCondVar& operator=(const ClockCondVar&) = delete;

  /// Blocks (releasing `mu`) until signalled, or spuriously. Requires `mu` held.
  void wait() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  /// Blocks (releasing `mu`) until signalled, until the clock's steady time reaches `deadline`,
  /// or spuriously. Returns whether `deadline` has been reached. Requires `mu` held.
  bool wait_until(SteadyTimePoint deadline) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  /// Wakes one waiter (callers normally hold `mu` while changing what waiters look at).
  void signal() { cv_.Signal(); }
  /// Wakes every waiter.
  void signal_all() { cv_.SignalAll(); }

 private:
  void on_time_changed() override;

  Clock& clock_;
  absl::Mutex& mu_;
  absl::CondVar cv_;
};

/// Blocks the calling thread until `clock`'s steady time reaches `deadline` (a real sleep with
/// the system clock; with a fake clock, until a test moves it that far). Not interruptible: for
/// short, bounded waits only (a rate limiter's `accept()`), never in a reconcile.
void sleep_until(Clock& clock, SteadyTimePoint deadline);

}  // namespace korder::kclient
