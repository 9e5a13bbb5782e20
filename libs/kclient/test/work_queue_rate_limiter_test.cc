#include "korder/kclient/work_queue_rate_limiter.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "korder/kclient/request.h"
#include "korder/kclient/testing/fake_clock.h"

namespace korder::kclient {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using testing::FakeClock;

// Cases after client-go's workqueue/default_rate_limiters_test.go.
TEST_CASE("exponential failure backoff doubles per key from the base delay", "[unit][kclient]") {
  ItemExponentialFailureRateLimiter<std::string> limiter(milliseconds(1), seconds(1));
  CHECK(limiter.when("one") == milliseconds(1));
  CHECK(limiter.when("one") == milliseconds(2));
  CHECK(limiter.when("one") == milliseconds(4));
  CHECK(limiter.when("one") == milliseconds(8));
  CHECK(limiter.when("one") == milliseconds(16));
  CHECK(limiter.num_requeues("one") == 5);

  CHECK(limiter.when("two") == milliseconds(1));
  CHECK(limiter.when("two") == milliseconds(2));
  CHECK(limiter.num_requeues("two") == 2);

  limiter.forget("one");
  CHECK(limiter.num_requeues("one") == 0);
  CHECK(limiter.when("one") == milliseconds(1));
  CHECK(limiter.num_requeues("two") == 2);
}

TEST_CASE("exponential failure backoff stops at the max delay and never overflows",
          "[unit][kclient]") {
  ItemExponentialFailureRateLimiter<std::string> limiter(milliseconds(1), seconds(1000));
  for (int i = 0; i < 5; ++i) {
    (void)limiter.when("one");
  }
  CHECK(limiter.when("one") == milliseconds(32));
  for (int i = 0; i < 1000; ++i) {
    (void)limiter.when("overflow1");
  }
  CHECK(limiter.when("overflow1") == seconds(1000));

  ItemExponentialFailureRateLimiter<std::string> slow(minutes(1), hours(1000));
  (void)slow.when("two");
  (void)slow.when("two");
  CHECK(slow.when("two") == minutes(4));
  for (int i = 0; i < 1000; ++i) {
    (void)slow.when("overflow2");
  }
  CHECK(slow.when("overflow2") == hours(1000));
}

TEST_CASE("the bucket rate limiter spaces every key out by the shared bucket", "[unit][kclient]") {
  FakeClock clock;
  BucketRateLimiter<std::string> limiter(clock, 10.0, 2);
  CHECK(limiter.when("a") == nanoseconds::zero());
  CHECK(limiter.when("b") == nanoseconds::zero());
  CHECK(limiter.when("c") == milliseconds(100));
  CHECK(limiter.when("a") == milliseconds(200));
  CHECK(limiter.num_requeues("a") == 0);
}

TEST_CASE("the max-of rate limiter takes the longest delay and the largest count",
          "[unit][kclient]") {
  FakeClock clock;
  std::vector<std::unique_ptr<WorkQueueRateLimiter<std::string>>> limiters;
  limiters.push_back(std::make_unique<ItemExponentialFailureRateLimiter<std::string>>(
      milliseconds(1), seconds(1)));
  limiters.push_back(std::make_unique<BucketRateLimiter<std::string>>(clock, 1.0, 1));
  MaxOfRateLimiter<std::string> limiter(std::move(limiters));
  CHECK(limiter.when("one") == milliseconds(1));  // bucket had a token
  CHECK(limiter.when("one") == seconds(1));       // bucket empty: 1 s beats 2 ms
  CHECK(limiter.num_requeues("one") == 2);
  limiter.forget("one");
  CHECK(limiter.num_requeues("one") == 0);
}

TEST_CASE("the default controller rate limiter is 5 ms doubling, capped by a 10 qps bucket of 100",
          "[unit][kclient]") {
  FakeClock clock;
  auto limiter = default_controller_rate_limiter<Request>(clock);
  const Request key{"ns", "a"};
  CHECK(limiter->when(key) == milliseconds(5));
  CHECK(limiter->when(key) == milliseconds(10));
  CHECK(limiter->when(key) == milliseconds(20));
  CHECK(limiter->num_requeues(key) == 3);
  for (int i = 0; i < 97; ++i) {  // the rest of the burst of 100, spent on other keys
    CHECK(limiter->when(Request{"ns", "k" + std::to_string(i)}) == milliseconds(5));
  }
  // Bucket empty: the next token is 100 ms away, longer than a first failure's 5 ms.
  CHECK(limiter->when(Request{"ns", "new"}) == milliseconds(100));
  // Per-key backoff keeps growing to 1000 s.
  for (int i = 0; i < 40; ++i) {
    (void)limiter->when(key);
  }
  CHECK(limiter->when(key) == seconds(1000));
}

}  // namespace
}  // namespace korder::kclient
