#include "korder/kclient/rate_limiter.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "korder/kclient/testing/fake_clock.h"

namespace korder::kclient {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using testing::FakeClock;

TEST_CASE("a full bucket lets a burst through at once, then one token per 1/qps",
          "[unit][kclient]") {
  FakeClock clock;
  RateLimiter limiter(clock, 10.0, 3);  // one token per 100 ms
  CHECK(limiter.try_accept());
  CHECK(limiter.try_accept());
  CHECK(limiter.try_accept());
  CHECK_FALSE(limiter.try_accept());

  clock.advance(milliseconds(99));
  CHECK_FALSE(limiter.try_accept());
  clock.advance(milliseconds(1));
  CHECK(limiter.try_accept());
  CHECK_FALSE(limiter.try_accept());
}

TEST_CASE("an idle bucket refills up to its burst and no further", "[unit][kclient]") {
  FakeClock clock;
  RateLimiter limiter(clock, 2.0, 2);  // one token per 500 ms
  CHECK(limiter.try_accept());
  CHECK(limiter.try_accept());
  clock.advance(seconds(60));
  CHECK(limiter.try_accept());
  CHECK(limiter.try_accept());
  CHECK_FALSE(limiter.try_accept());
}

TEST_CASE("reserve says how long to wait and books later slots one after another",
          "[unit][kclient]") {
  FakeClock clock;
  RateLimiter limiter(clock, 5.0, 2);  // one token per 200 ms
  CHECK(limiter.reserve() == nanoseconds::zero());
  CHECK(limiter.reserve() == nanoseconds::zero());
  CHECK(limiter.reserve() == milliseconds(200));
  CHECK(limiter.reserve() == milliseconds(400));
  // Reserved tokens are taken: a try_accept must wait for them to be paid back.
  CHECK_FALSE(limiter.try_accept());
  clock.advance(milliseconds(400));
  CHECK(limiter.reserve() == milliseconds(200));
}

TEST_CASE("a fractional qps spaces tokens exactly", "[unit][kclient]") {
  FakeClock clock;
  RateLimiter limiter(clock, 0.5, 1);  // one token every 2 s
  CHECK(limiter.reserve() == nanoseconds::zero());
  CHECK(limiter.reserve() == seconds(2));
  CHECK(limiter.qps() == 0.5);
  CHECK(limiter.burst() == 1);
}

TEST_CASE("accept blocks on the clock until its token is due", "[unit][kclient]") {
  FakeClock clock;
  RateLimiter limiter(clock, 10.0, 1);
  const SteadyTimePoint start = clock.steady_now();
  limiter.accept();  // the bucket starts full: no wait
  CHECK(clock.blocked_waits() == 0);

  SteadyTimePoint returned_at;
  absl::Notification done;
  std::jthread caller([&] {
    limiter.accept();
    returned_at = clock.steady_now();
    done.Notify();
  });
  REQUIRE(clock.await_blocked_waits(1));
  CHECK_FALSE(done.HasBeenNotified());
  clock.advance(milliseconds(100));
  REQUIRE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  CHECK(returned_at - start >= milliseconds(100));
}

}  // namespace
}  // namespace korder::kclient
