#include "korder/kclient/testing/fake_clock.h"

#include <algorithm>

#include "absl/time/time.h"
#include "korder/base/check.h"

namespace korder::kclient::testing {

FakeClock::FakeClock(TimePoint start)
    // An arbitrary, non-zero steady origin, so a default-constructed time point is never "now".
    : now_(start), steady_(SteadyTimePoint(std::chrono::hours(1000))) {}

TimePoint FakeClock::now() const {
  absl::MutexLock lock(&time_mu_);
  return now_;
}

SteadyTimePoint FakeClock::steady_now() const {
  absl::MutexLock lock(&time_mu_);
  return steady_;
}

std::optional<std::chrono::nanoseconds> FakeClock::real_time_until(SteadyTimePoint deadline) const {
  absl::MutexLock lock(&time_mu_);
  if (steady_ >= deadline) {
    return std::chrono::nanoseconds::zero();
  }
  ++blocked_waits_;
  return std::nullopt;
}

void FakeClock::add_listener(Listener& listener) {
  absl::MutexLock lock(&listeners_mu_);
  listeners_.push_back(&listener);
}

void FakeClock::remove_listener(Listener& listener) {
  absl::MutexLock lock(&listeners_mu_);
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), &listener), listeners_.end());
}

void FakeClock::advance(std::chrono::nanoseconds d) {
  KORDER_CHECK(d >= std::chrono::nanoseconds::zero(), "FakeClock::advance: negative duration");
  {
    absl::MutexLock lock(&time_mu_);
    now_ += std::chrono::duration_cast<TimePoint::duration>(d);
    steady_ += std::chrono::duration_cast<SteadyTimePoint::duration>(d);
  }
  notify_listeners();
}

void FakeClock::set(TimePoint t) {
  {
    absl::MutexLock lock(&time_mu_);
    if (t > now_) {
      steady_ += std::chrono::duration_cast<SteadyTimePoint::duration>(t - now_);
    }
    now_ = t;
  }
  notify_listeners();
}

std::uint64_t FakeClock::blocked_waits() const {
  absl::MutexLock lock(&time_mu_);
  return blocked_waits_;
}

bool FakeClock::await_blocked_waits(std::uint64_t n, std::chrono::milliseconds timeout) const {
  absl::MutexLock lock(&time_mu_);
  auto reached = [this, n]()
                     ABSL_EXCLUSIVE_LOCKS_REQUIRED(time_mu_) { return blocked_waits_ >= n; };
  return time_mu_.AwaitWithTimeout(absl::Condition(&reached), absl::FromChrono(timeout));
}

void FakeClock::notify_listeners() {
  // Held while calling, so remove_listener() returns only after any call to that listener ended.
  absl::MutexLock lock(&listeners_mu_);
  for (Listener* listener : listeners_) {
    listener->on_time_changed();
  }
}

}  // namespace korder::kclient::testing
