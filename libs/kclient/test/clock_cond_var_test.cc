#include "korder/kclient/clock_cond_var.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "korder/kclient/testing/fake_clock.h"

namespace korder::kclient {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeClock;

constexpr absl::Duration kGenerous = absl::Seconds(10);

TEST_CASE("a wait on a fake clock ends only when the clock reaches the deadline",
          "[unit][kclient]") {
  FakeClock clock;
  absl::Mutex mu;
  ClockCondVar cv(clock, mu);
  const SteadyTimePoint deadline = clock.steady_now() + seconds(3);
  std::atomic<bool> returned{false};
  absl::Notification done;
  std::jthread waiter([&] {
    absl::MutexLock lock(&mu);
    while (!cv.wait_until(deadline)) {
    }
    returned = true;
    done.Notify();
  });

  REQUIRE(clock.await_blocked_waits(1));
  CHECK_FALSE(returned);
  clock.advance(seconds(2));
  REQUIRE(clock.await_blocked_waits(2));  // woke, looked, and went back to sleep
  CHECK_FALSE(returned);
  clock.advance(seconds(1));
  REQUIRE(done.WaitForNotificationWithTimeout(kGenerous));
}

TEST_CASE("a signal ends a wait on a fake clock before its deadline", "[unit][kclient]") {
  FakeClock clock;
  absl::Mutex mu;
  ClockCondVar cv(clock, mu);
  bool ready = false;
  bool reached_deadline = true;
  absl::Notification done;
  std::jthread waiter([&] {
    absl::MutexLock lock(&mu);
    while (!ready) {
      reached_deadline = cv.wait_until(clock.steady_now() + seconds(60));
    }
    done.Notify();
  });

  REQUIRE(clock.await_blocked_waits(1));
  {
    absl::MutexLock lock(&mu);
    ready = true;
    cv.signal();
  }
  REQUIRE(done.WaitForNotificationWithTimeout(kGenerous));
  absl::MutexLock lock(&mu);
  CHECK_FALSE(reached_deadline);
}

TEST_CASE("a wait on the system clock ends when real time reaches the deadline",
          "[unit][kclient]") {
  // The one use of real time in these tests: the real-clock path of ClockCondVar. It waits for
  // a 2 ms deadline and asserts only that the wait ended at or after it.
  SystemClock clock;
  absl::Mutex mu;
  ClockCondVar cv(clock, mu);
  const SteadyTimePoint deadline = clock.steady_now() + milliseconds(2);
  absl::MutexLock lock(&mu);
  while (!cv.wait_until(deadline)) {
  }
  CHECK(clock.steady_now() >= deadline);
}

TEST_CASE("sleep_until on a fake clock returns once the clock is moved past the deadline",
          "[unit][kclient]") {
  FakeClock clock;
  const SteadyTimePoint deadline = clock.steady_now() + milliseconds(250);
  SteadyTimePoint woke_at;
  absl::Notification done;
  std::jthread sleeper([&] {
    sleep_until(clock, deadline);
    woke_at = clock.steady_now();
    done.Notify();
  });
  REQUIRE(clock.await_blocked_waits(1));
  clock.advance(milliseconds(300));
  REQUIRE(done.WaitForNotificationWithTimeout(kGenerous));
  CHECK(woke_at >= deadline);
}

TEST_CASE("sleep_until returns at once for a deadline that has passed", "[unit][kclient]") {
  FakeClock clock;
  sleep_until(clock, clock.steady_now());
  CHECK(clock.blocked_waits() == 0);
}

}  // namespace
}  // namespace korder::kclient
