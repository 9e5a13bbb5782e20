#include "korder/kclient/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "korder/base/check.h"
#include "korder/kclient/clock_cond_var.h"

namespace korder::kclient {
namespace {

std::chrono::nanoseconds interval_for(double qps) {
  KORDER_CHECK(qps > 0, "RateLimiter: qps must be greater than 0");
  const double nanos = std::round(1e9 / qps);
  return std::chrono::nanoseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(nanos)));
}

}  // namespace

RateLimiter::RateLimiter(Clock& clock, double qps, int burst)
    : clock_(clock),
      qps_(qps),
      burst_(burst),
      interval_(interval_for(qps)),
      tolerance_(interval_ * (burst > 0 ? burst - 1 : 0)),
      tat_(clock.steady_now()) {
  KORDER_CHECK(burst >= 1, "RateLimiter: burst must be at least 1");
}

bool RateLimiter::try_accept() {
  absl::MutexLock lock(&mu_);
  const SteadyTimePoint now = clock_.steady_now();
  const SteadyTimePoint tat = std::max(tat_, now);
  if (tat - now > tolerance_) {
    return false;
  }
  tat_ = tat + interval_;
  return true;
}

SteadyTimePoint RateLimiter::reserve_at(SteadyTimePoint now) {
  absl::MutexLock lock(&mu_);
  const SteadyTimePoint tat = std::max(tat_, now);
  tat_ = tat + interval_;
  return std::max(now, tat - tolerance_);
}

std::chrono::nanoseconds RateLimiter::reserve() {
  const SteadyTimePoint now = clock_.steady_now();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(reserve_at(now) - now);
}

void RateLimiter::accept() {
  const SteadyTimePoint ready = reserve_at(clock_.steady_now());
  sleep_until(clock_, ready);
}

}  // namespace korder::kclient
