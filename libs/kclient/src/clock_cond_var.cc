#include "korder/kclient/clock_cond_var.h"

#include <chrono>

#include "absl/time/time.h"

namespace korder::kclient {

ClockCondVar::ClockCondVar(Clock& clock, absl::Mutex& mu) : clock_(clock), mu_(mu) {
  clock_.add_listener(*this);
}

ClockCondVar::~ClockCondVar() { clock_.remove_listener(*this); }

void ClockCondVar::wait() { cv_.Wait(&mu_); }

bool ClockCondVar::wait_until(SteadyTimePoint deadline) {
  const auto real_wait = clock_.real_time_until(deadline);
  if (!real_wait) {
    // A clock that moves only when told: its jump notification (on_time_changed) wakes us.
    cv_.Wait(&mu_);
  } else if (*real_wait > std::chrono::nanoseconds::zero()) {
    cv_.WaitWithTimeout(&mu_, absl::FromChrono(*real_wait));
  }
  return clock_.steady_now() >= deadline;
}

void ClockCondVar::on_time_changed() {
  // Taking mu_ orders this wake-up after any waiter that read the old time has started waiting
  // (it holds mu_ from reading the clock until Wait releases it), so no wake-up is lost.
  absl::MutexLock lock(&mu_);
  cv_.SignalAll();
}

void sleep_until(Clock& clock, SteadyTimePoint deadline) {
  absl::Mutex mu;
  ClockCondVar cv(clock, mu);
  absl::MutexLock lock(&mu);
  while (!cv.wait_until(deadline)) {
  }
}

}  // namespace korder::kclient
