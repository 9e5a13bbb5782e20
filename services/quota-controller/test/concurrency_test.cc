// 64 threads reserve 1,000 distinct tickets against room for exactly 100.

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "korder/base/clock.h"
#include "quota_engine.h"
#include "test_support.h"

namespace korder::quota {
namespace {

TEST_CASE("concurrent reservations never admit more than a quota has room for", "[unit]") {
  SystemClock clock;  // thread-safe; the TTL (30 s) cannot pass during the test
  QuotaEngine engine(clock);
  engine.upsert_quota(testing::quota_from_yaml(R"(
metadata: {name: team-quota}
spec:
  scope: {type: Cluster}
  hard: {tickets: "150", reserved.cpu: "20"}
)"));
  // 10 cpu already used: room for exactly 100 tickets of 100m.
  for (int i = 0; i < 10; ++i) {
    engine.upsert_object(testing::ticket("ns", "seen-" + std::to_string(i), {{"cpu", "1"}}));
  }
  std::vector<ObjectSummary> tickets;
  for (int i = 0; i < 1000; ++i) {
    tickets.push_back(testing::ticket("ns-" + std::to_string(i % 7), "t-" + std::to_string(i),
                                      {{"cpu", "100m"}}));
  }

  std::atomic<int> next{0};
  std::atomic<int> admitted{0};
  std::atomic<int> errors{0};
  std::mutex denials_mu;
  std::vector<std::string> denials;
  std::vector<std::thread> threads;
  for (int t = 0; t < 64; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < 1000; i = next++) {
        auto decision = engine.reserve(QuotaRequest{Operation::Create, tickets[i], std::nullopt});
        if (!decision) {
          ++errors;
        } else if (decision->allowed) {
          ++admitted;
        } else {
          std::lock_guard lock(denials_mu);
          denials.push_back(decision->message());
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  CHECK(errors == 0);
  CHECK(admitted == 100);
  REQUIRE(denials.size() == 900);
  for (const std::string& message : denials) {
    REQUIRE(message ==
            "korder quota exceeded: quota \"team-quota\": reserved.cpu: requested 100m, used 20, "
            "limit 20");
  }
  auto snapshot = engine.usage("team-quota");
  REQUIRE(snapshot.has_value());
  CHECK(testing::describe(snapshot->used) == "tickets=10 cpu=10");
  CHECK(testing::describe(snapshot->held) == "tickets=100 cpu=10");
  CHECK(testing::describe(snapshot->used + snapshot->held) == "tickets=110 cpu=20");
  CHECK(engine.hold_count() == 100);
}

}  // namespace
}  // namespace korder::quota
