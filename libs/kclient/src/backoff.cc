#include "korder/kclient/backoff.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <utility>

#include "korder/base/check.h"

namespace korder::kclient {

Backoff::Backoff(Clock& clock, Random random, BackoffConfig config)
    : clock_(clock), random_(std::move(random)), config_(config) {
  KORDER_CHECK(random_ != nullptr, "Backoff: a random source is required");
  KORDER_CHECK(config_.initial_delay > std::chrono::nanoseconds::zero() &&
                   config_.initial_delay <= config_.max_delay,
               "Backoff: need 0 < initial_delay <= max_delay");
  KORDER_CHECK(config_.factor >= 1, "Backoff: factor must be at least 1");
}

std::chrono::nanoseconds Backoff::ceiling_for(int failures) const {
  std::int64_t delay = config_.initial_delay.count();
  const std::int64_t max = config_.max_delay.count();
  if (config_.factor == 1) {
    return config_.initial_delay;
  }
  // At most 63 doublings reach any int64 cap, so this loop is short.
  for (int i = 0; i < failures && delay < max; ++i) {
    // Saturate instead of overflowing: once past max the cap applies anyway.
    delay = delay > max / config_.factor ? max : delay * config_.factor;
  }
  return std::chrono::nanoseconds(std::min(delay, max));
}

std::chrono::nanoseconds Backoff::ceiling() const {
  const SteadyTimePoint now = clock_.steady_now();
  if (last_failure_ && now - *last_failure_ >= config_.reset_after) {
    return config_.initial_delay;
  }
  return ceiling_for(failures_);
}

std::chrono::nanoseconds Backoff::next() {
  const SteadyTimePoint now = clock_.steady_now();
  if (last_failure_ && now - *last_failure_ >= config_.reset_after) {
    failures_ = 0;
  }
  const std::chrono::nanoseconds cap = ceiling_for(failures_);
  if (failures_ < std::numeric_limits<int>::max()) {
    ++failures_;
  }
  last_failure_ = now;
  // Clamp: a random source that returns exactly 1 (or garbage) still yields a delay in range.
  const double r = std::clamp(random_(), 0.0, 1.0);
  return std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(cap.count()) * r));
}

void Backoff::reset() {
  failures_ = 0;
  last_failure_.reset();
}

Backoff::Random uniform_random(std::uint64_t seed) {
  // shared_ptr: std::function requires a copyable callable, and the engine is large.
  auto engine = std::make_shared<std::mt19937_64>(seed);
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

}  // namespace korder::kclient
