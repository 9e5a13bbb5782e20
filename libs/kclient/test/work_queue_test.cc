#include "korder/kclient/work_queue.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "korder/kclient/request.h"
#include "korder/kclient/testing/eventually.h"
#include "korder/kclient/testing/fake_clock.h"

namespace korder::kclient {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using testing::FakeClock;

constexpr absl::Duration kGenerous = absl::Seconds(10);

// A queue of strings with client-go's per-key exponential backoff only (1 ms base), so delays
// are easy to predict.
std::unique_ptr<WorkQueue<std::string>> make_queue(FakeClock& clock,
                                                   WorkQueueMetrics* metrics = nullptr) {
  return std::make_unique<WorkQueue<std::string>>(
      clock,
      std::make_unique<ItemExponentialFailureRateLimiter<std::string>>(milliseconds(1), seconds(1)),
      metrics);
}

TEST_CASE("keys are handed out in the order they were added", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add("a");
  queue->add("b");
  queue->add("c");
  CHECK(queue->len() == 3);
  CHECK(queue->get() == "a");
  CHECK(queue->get() == "b");
  CHECK(queue->get() == "c");
  CHECK(queue->len() == 0);
}

TEST_CASE("a key added twice before it is handed out is handed out once", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add("a");
  queue->add("b");
  queue->add("a");
  CHECK(queue->len() == 2);
  CHECK(queue->get() == "a");
  CHECK(queue->get() == "b");
  CHECK(queue->len() == 0);
}

TEST_CASE("a key added while in flight is processed again after done", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add("a");
  REQUIRE(queue->get() == "a");
  queue->add("a");
  queue->add("a");
  // Not handed to a second worker while the first holds it.
  CHECK(queue->len() == 0);
  queue->add("b");
  CHECK(queue->get() == "b");
  queue->done("b");
  queue->done("a");
  CHECK(queue->len() == 1);
  CHECK(queue->get() == "a");
  queue->done("a");
  CHECK(queue->len() == 0);
}

TEST_CASE("a key done without being added again is not handed out again", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add("a");
  REQUIRE(queue->get() == "a");
  queue->done("a");
  CHECK(queue->len() == 0);
  queue->shutdown();
  CHECK(queue->get() == std::nullopt);
}

TEST_CASE("get blocks until a key is added", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  std::optional<std::string> got;
  absl::Notification done;
  std::jthread worker([&] {
    got = queue->get();
    done.Notify();
  });
  CHECK_FALSE(done.HasBeenNotified());
  queue->add("a");
  REQUIRE(done.WaitForNotificationWithTimeout(kGenerous));
  CHECK(got == "a");
}

TEST_CASE("a delayed key is handed out once the clock reaches its deadline", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add_after("a", seconds(1));
  CHECK(queue->len() == 0);
  clock.advance(milliseconds(999));
  CHECK(queue->len() == 0);
  clock.advance(milliseconds(1));
  CHECK(queue->len() == 1);
  CHECK(queue->get() == "a");
}

TEST_CASE("a worker blocked in get wakes when a delayed key falls due", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  std::optional<std::string> got;
  absl::Notification done;
  std::jthread worker([&] {
    got = queue->get();
    done.Notify();
  });
  queue->add_after("a", seconds(1));
  // The worker is asleep on the clock, waiting for the deadline.
  REQUIRE(clock.await_blocked_waits(1));
  const std::uint64_t waits = clock.blocked_waits();
  clock.advance(milliseconds(999));
  REQUIRE(clock.await_blocked_waits(waits + 1));  // woke, found nothing due, slept again
  CHECK_FALSE(done.HasBeenNotified());
  clock.advance(milliseconds(1));
  REQUIRE(done.WaitForNotificationWithTimeout(kGenerous));
  CHECK(got == "a");
}

TEST_CASE("a new earlier deadline wakes a worker waiting for a later one", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add_after("late", seconds(60));
  std::optional<std::string> got;
  absl::Notification done;
  std::jthread worker([&] {
    got = queue->get();
    done.Notify();
  });
  REQUIRE(clock.await_blocked_waits(1));
  queue->add_after("early", seconds(1));
  clock.advance(seconds(1));
  REQUIRE(done.WaitForNotificationWithTimeout(kGenerous));
  CHECK(got == "early");
}

TEST_CASE("delayed keys fall due in deadline order", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add_after("c", seconds(3));
  queue->add_after("a", seconds(1));
  queue->add_after("b", seconds(2));
  clock.advance(seconds(5));
  CHECK(queue->get() == "a");
  CHECK(queue->get() == "b");
  CHECK(queue->get() == "c");
}

TEST_CASE("the earlier deadline wins when a waiting key is added after again", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  SECTION("a later deadline is ignored") {
    queue->add_after("a", seconds(1));
    queue->add_after("a", seconds(10));
    clock.advance(seconds(1));
    CHECK(queue->len() == 1);
  }
  SECTION("an earlier deadline replaces the later one") {
    queue->add_after("a", seconds(10));
    queue->add_after("a", seconds(1));
    clock.advance(seconds(1));
    CHECK(queue->len() == 1);
    REQUIRE(queue->get() == "a");
    queue->done("a");
    clock.advance(seconds(20));
    CHECK(queue->len() == 0);  // the replaced deadline does not fire a second time
  }
}

TEST_CASE("a zero or negative delay adds at once", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add_after("a", nanoseconds::zero());
  queue->add_after("b", seconds(-1));
  CHECK(queue->len() == 2);
}

TEST_CASE("a delayed key that falls due while queued is not queued twice", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add_after("a", seconds(1));
  queue->add("a");
  clock.advance(seconds(1));
  CHECK(queue->len() == 1);
}

TEST_CASE("rate-limited adds back off per key until the key is forgotten", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add_rate_limited("a");  // 1 ms
  CHECK(queue->num_requeues("a") == 1);
  clock.advance(milliseconds(1));
  REQUIRE(queue->get() == "a");
  queue->done("a");

  queue->add_rate_limited("a");  // 2 ms
  clock.advance(milliseconds(1));
  CHECK(queue->len() == 0);
  clock.advance(milliseconds(1));
  CHECK(queue->len() == 1);
  REQUIRE(queue->get() == "a");
  queue->done("a");
  CHECK(queue->num_requeues("a") == 2);

  queue->forget("a");
  CHECK(queue->num_requeues("a") == 0);
  queue->add_rate_limited("a");  // back to 1 ms
  clock.advance(milliseconds(1));
  CHECK(queue->len() == 1);
}

TEST_CASE("after shutdown queued keys are still handed out, then get returns nothing",
          "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add("a");
  queue->add("b");
  queue->add_after("delayed", seconds(1));
  queue->shutdown();
  CHECK(queue->shutting_down());
  queue->add("c");                             // ignored
  queue->add_after("d", nanoseconds::zero());  // ignored
  CHECK(queue->get() == "a");
  CHECK(queue->get() == "b");
  clock.advance(seconds(1));
  CHECK(queue->get() == std::nullopt);  // delayed keys are dropped
}

TEST_CASE("shutdown wakes every blocked worker", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add_after("later", seconds(30));  // one worker waits on the clock, others forever
  constexpr int kWorkers = 3;
  absl::Mutex mu;
  int finished = 0;
  std::vector<std::jthread> workers;
  for (int i = 0; i < kWorkers; ++i) {
    workers.emplace_back([&] {
      const auto got = queue->get();
      absl::MutexLock lock(&mu);
      finished += got.has_value() ? 100 : 1;
    });
  }
  REQUIRE(clock.await_blocked_waits(1));
  queue->shutdown();
  absl::MutexLock lock(&mu);
  const auto all_finished = [&] { return finished >= kWorkers; };
  REQUIRE(mu.AwaitWithTimeout(absl::Condition(&all_finished), kGenerous));
  CHECK(finished == kWorkers);  // every get() returned nothing
}

TEST_CASE("shutdown with drain waits until keys in flight are done", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add("a");
  REQUIRE(queue->get() == "a");
  absl::Notification drained;
  std::jthread stopper([&] {
    queue->shutdown_with_drain();
    drained.Notify();
  });
  // shutdown_with_drain marks the queue shut down, then waits for "a".
  REQUIRE(testing::eventually([&] { return queue->shutting_down(); }));
  CHECK_FALSE(drained.HasBeenNotified());
  queue->done("a");
  REQUIRE(drained.WaitForNotificationWithTimeout(kGenerous));
  CHECK(queue->get() == std::nullopt);
}

TEST_CASE("shutdown with drain returns at once when nothing is in flight", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->shutdown_with_drain();
  CHECK(queue->shutting_down());
  CHECK(queue->get() == std::nullopt);
}

TEST_CASE("a plain shutdown ends a drain that is waiting", "[unit][kclient]") {
  FakeClock clock;
  auto queue = make_queue(clock);
  queue->add("a");
  REQUIRE(queue->get() == "a");
  absl::Notification drained;
  std::jthread stopper([&] {
    queue->shutdown_with_drain();
    drained.Notify();
  });
  REQUIRE(testing::eventually([&] { return queue->shutting_down(); }));
  CHECK_FALSE(drained.HasBeenNotified());
  queue->shutdown();
  REQUIRE(drained.WaitForNotificationWithTimeout(kGenerous));
  queue->done("a");
}

// Records every hook call.
struct RecordingMetrics final : WorkQueueMetrics {
  void set_depth(std::size_t d) override { depths.push_back(d); }
  void add() override { ++adds; }
  void observe_queue_latency(nanoseconds l) override { latencies.push_back(l); }
  void observe_work_duration(nanoseconds d) override { durations.push_back(d); }
  void retry() override { ++retries; }

  std::vector<std::size_t> depths;
  int adds = 0;
  std::vector<nanoseconds> latencies;
  std::vector<nanoseconds> durations;
  int retries = 0;
};

TEST_CASE("the queue reports depth, adds, latency, work duration and retries", "[unit][kclient]") {
  FakeClock clock;
  RecordingMetrics metrics;
  auto queue = make_queue(clock, &metrics);
  queue->add("a");
  queue->add("a");  // already waiting: not an add
  queue->add("b");
  clock.advance(milliseconds(30));
  REQUIRE(queue->get() == "a");
  clock.advance(milliseconds(70));
  queue->done("a");
  queue->add_rate_limited("b");  // b is waiting already: a retry, but no add
  queue->add_after("c", seconds(1));

  CHECK(metrics.adds == 2);
  CHECK(metrics.depths == std::vector<std::size_t>{1, 2, 1});
  CHECK(metrics.latencies == std::vector<nanoseconds>{milliseconds(30)});
  CHECK(metrics.durations == std::vector<nanoseconds>{milliseconds(70)});
  CHECK(metrics.retries == 2);

  clock.advance(seconds(1));
  CHECK(queue->len() == 2);
  CHECK(metrics.adds == 3);
  CHECK(metrics.depths.back() == 2);
}

TEST_CASE("a queue of requests uses the default controller rate limiter", "[unit][kclient]") {
  FakeClock clock;
  WorkQueue<Request> queue(clock);
  const Request key{"shop", "my-order"};
  queue.add_rate_limited(key);
  clock.advance(milliseconds(4));
  CHECK(queue.len() == 0);
  clock.advance(milliseconds(1));
  CHECK(queue.len() == 1);
  CHECK(queue.get() == key);
  queue.done(key);
}

}  // namespace
}  // namespace korder::kclient
