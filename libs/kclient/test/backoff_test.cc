#include "korder/kclient/backoff.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <vector>

#include "korder/kclient/testing/fake_clock.h"

namespace korder::kclient {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using testing::FakeClock;

// A "random" source that always returns `value`, so the jittered delay is ceiling * value.
Backoff::Random constant(double value) {
  return [value] { return value; };
}

TEST_CASE("backoff ceilings double from 800 ms and stop at 30 s", "[unit][kclient]") {
  FakeClock clock;
  Backoff backoff(clock, constant(0.5));
  const std::vector<nanoseconds> want_ceilings = {
      milliseconds(800),   milliseconds(1600),  milliseconds(3200), milliseconds(6400),
      milliseconds(12800), milliseconds(25600), seconds(30),        seconds(30)};
  for (const nanoseconds want : want_ceilings) {
    CHECK(backoff.ceiling() == want);
    CHECK(backoff.next() == want / 2);
    clock.advance(seconds(1));
  }
}

TEST_CASE("backoff uses full jitter between zero and the ceiling", "[unit][kclient]") {
  FakeClock clock;
  Backoff low(clock, constant(0.0));
  CHECK(low.next() == nanoseconds::zero());
  Backoff high(clock, constant(0.999));
  CHECK(high.next() == nanoseconds(799'200'000));
  // A broken source cannot push the delay outside [0, ceiling].
  Backoff broken(clock, constant(7.0));
  CHECK(broken.next() == milliseconds(800));
}

TEST_CASE("backoff starts over after two minutes without a failure", "[unit][kclient]") {
  FakeClock clock;
  Backoff backoff(clock, constant(0.5));
  (void)backoff.next();
  (void)backoff.next();
  (void)backoff.next();
  CHECK(backoff.ceiling() == milliseconds(6400));

  clock.advance(minutes(2) - milliseconds(1));
  CHECK(backoff.next() == milliseconds(3200));  // still within the window: keeps growing
  clock.advance(minutes(2));
  CHECK(backoff.ceiling() == milliseconds(800));
  CHECK(backoff.next() == milliseconds(400));
  CHECK(backoff.next() == milliseconds(800));
}

TEST_CASE("reset makes the next backoff the shortest again", "[unit][kclient]") {
  FakeClock clock;
  Backoff backoff(clock, constant(1.0));
  (void)backoff.next();
  (void)backoff.next();
  backoff.reset();
  CHECK(backoff.next() == milliseconds(800));
}

TEST_CASE("backoff honours a custom configuration", "[unit][kclient]") {
  FakeClock clock;
  Backoff backoff(clock, constant(1.0),
                  BackoffConfig{milliseconds(10), milliseconds(100), 3, seconds(5)});
  CHECK(backoff.next() == milliseconds(10));
  CHECK(backoff.next() == milliseconds(30));
  CHECK(backoff.next() == milliseconds(90));
  CHECK(backoff.next() == milliseconds(100));
  clock.advance(seconds(5));
  CHECK(backoff.next() == milliseconds(10));
}

TEST_CASE("a backoff with factor 1 waits the same ceiling every time", "[unit][kclient]") {
  FakeClock clock;
  Backoff backoff(clock, constant(1.0), BackoffConfig{seconds(1), seconds(30), 1, minutes(2)});
  for (int i = 0; i < 100; ++i) {
    CHECK(backoff.next() == seconds(1));
  }
}

TEST_CASE("a seeded uniform random source is repeatable and stays between 0 and 1",
          "[unit][kclient]") {
  auto a = uniform_random(42);
  auto b = uniform_random(42);
  for (int i = 0; i < 1000; ++i) {
    const double x = a();
    CHECK(x == b());
    CHECK(x >= 0.0);
    CHECK(x < 1.0);
  }
}

}  // namespace
}  // namespace korder::kclient
