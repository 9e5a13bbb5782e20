#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "korder/base/clock.h"

namespace korder::kclient {

/// The parameters of a `Backoff`. The defaults are the reflector's (client-go): 800 ms doubling
/// to 30 s, reset after 2 minutes without a failure.
struct BackoffConfig {
  std::chrono::nanoseconds initial_delay = std::chrono::milliseconds(800);
  std::chrono::nanoseconds max_delay = std::chrono::seconds(30);
  int factor = 2;
  /// A failure this long after the previous one starts again from `initial_delay`.
  std::chrono::nanoseconds reset_after = std::chrono::minutes(2);
};

/// Exponential backoff with full jitter, wrapped around a retry loop from outside (a watch, a
/// lease renewal): after the n-th consecutive failure (n from 0) the loop waits a uniformly
/// random time in [0, min(max_delay, initial_delay * factor^n)). A failure more than
/// `reset_after` after the previous one, or `reset()`, starts again at n = 0, so a connection
/// that stayed healthy for a while retries fast when it drops.
///
/// Randomness is injected (`Random` returns a uniform number in [0, 1); see `uniform_random`),
/// and time comes from the clock, so tests are deterministic. Not thread-safe: one per loop.
class Backoff {
 public:
  using Random = std::function<double()>;

  /// Preconditions (checked): `random` is set; `0 < initial_delay <= max_delay`; `factor >= 1`.
  /// `clock` must outlive the backoff.
  Backoff(Clock& clock, Random random, BackoffConfig config = {});

  /// Records a failure and returns how long to wait before the next attempt.
  std::chrono::nanoseconds next();

  /// The upper bound of the delay `next()` would draw now (without recording anything).
  std::chrono::nanoseconds ceiling() const;

  /// Forgets past failures (the loop is healthy again).
  void reset();

 private:
  std::chrono::nanoseconds ceiling_for(int failures) const;

  Clock& clock_;
  Random random_;
  BackoffConfig config_;
  int failures_ = 0;
  std::optional<SteadyTimePoint> last_failure_;
};

/// A `Backoff::Random` backed by a 64-bit Mersenne Twister seeded with `seed` (production seeds
/// it from `std::random_device` in `main`; tests pass a constant).
Backoff::Random uniform_random(std::uint64_t seed);

}  // namespace korder::kclient
