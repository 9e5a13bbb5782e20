#include "korder/kclient/testing/fake_clock.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>

namespace korder::kclient::testing {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct CountingListener final : Clock::Listener {
  void on_time_changed() override { ++calls; }
  int calls = 0;
};

TEST_CASE("a fake clock stands still until it is advanced", "[unit][kclient]") {
  FakeClock clock;
  const TimePoint start = clock.now();
  const SteadyTimePoint steady_start = clock.steady_now();
  CHECK(start == FakeClock::kDefaultStart);
  CHECK(clock.now() == start);
  CHECK(clock.steady_now() == steady_start);

  clock.advance(milliseconds(1500));
  CHECK(clock.now() - start == milliseconds(1500));
  CHECK(clock.steady_now() - steady_start == milliseconds(1500));
}

TEST_CASE("setting a fake clock forward moves steady time too, setting it back does not",
          "[unit][kclient]") {
  FakeClock clock;
  const TimePoint start = clock.now();
  const SteadyTimePoint steady_start = clock.steady_now();

  clock.set(start + hours(1));
  CHECK(clock.now() == start + hours(1));
  CHECK(clock.steady_now() == steady_start + hours(1));

  clock.set(start);  // a wall-clock step back
  CHECK(clock.now() == start);
  CHECK(clock.steady_now() == steady_start + hours(1));
}

TEST_CASE("a fake clock tells its listeners when it moves, until they are removed",
          "[unit][kclient]") {
  FakeClock clock;
  CountingListener listener;
  clock.add_listener(listener);
  clock.advance(seconds(1));
  clock.set(clock.now() + seconds(1));
  CHECK(listener.calls == 2);
  clock.remove_listener(listener);
  clock.advance(seconds(1));
  CHECK(listener.calls == 2);
}

TEST_CASE("a fake clock says a waiter must block until woken while its deadline is ahead",
          "[unit][kclient]") {
  FakeClock clock;
  const SteadyTimePoint deadline = clock.steady_now() + seconds(5);
  CHECK(clock.real_time_until(deadline) == std::nullopt);
  CHECK(clock.blocked_waits() == 1);
  clock.advance(seconds(5));
  CHECK(clock.real_time_until(deadline) == std::chrono::nanoseconds::zero());
  CHECK(clock.blocked_waits() == 1);
  CHECK(clock.await_blocked_waits(1, milliseconds(0)));
  CHECK_FALSE(clock.await_blocked_waits(2, milliseconds(0)));
}

TEST_CASE("the system clock says how much real time is left before a deadline", "[unit][kclient]") {
  SystemClock clock;
  const auto ahead = clock.real_time_until(clock.steady_now() + hours(1));
  REQUIRE(ahead.has_value());
  CHECK(*ahead > std::chrono::minutes(59));
  CHECK(*ahead <= hours(1));
  CHECK(clock.real_time_until(clock.steady_now() - seconds(1)) == std::chrono::nanoseconds::zero());
}

}  // namespace
}  // namespace korder::kclient::testing
