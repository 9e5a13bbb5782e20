// Many workers and adders on one queue: the invariants that make controllers correct.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "korder/kclient/request.h"
#include "korder/kclient/testing/fake_clock.h"
#include "korder/kclient/work_queue.h"

namespace korder::kclient {
namespace {

using std::chrono::milliseconds;
using testing::FakeClock;

constexpr int kKeys = 16;
constexpr int kWorkers = 6;
constexpr int kAdders = 4;
constexpr int kAddsPerAdder = 3000;

Request key_for(int i) { return Request{"ns", "key-" + std::to_string(i)}; }

// What the workers and adders observed, checked at the end.
class Ledger {
 public:
  // An adder is about to add `key`: bump its version, so some later processing must see it.
  void before_add(const Request& key) {
    absl::MutexLock lock(&mu_);
    ++added_version_[key];
    if (in_flight_[key] > 0) {
      ++adds_in_flight_;
    }
  }

  // A worker got `key`: it must be the only worker holding it.
  void start(const Request& key) {
    absl::MutexLock lock(&mu_);
    if (in_flight_[key]++ != 0) {
      ++overlaps_;
    }
    seen_version_[key] = added_version_[key];
    ++processed_;
  }

  void finish(const Request& key) {
    absl::MutexLock lock(&mu_);
    --in_flight_[key];
  }

  int overlaps() const {
    absl::MutexLock lock(&mu_);
    return overlaps_;
  }

  std::int64_t processed() const {
    absl::MutexLock lock(&mu_);
    return processed_;
  }

  // How many adds found their key held by a worker (the path that must re-queue after done).
  std::int64_t adds_in_flight() const {
    absl::MutexLock lock(&mu_);
    return adds_in_flight_;
  }

  // Keys whose last processing started before their last add: changes a controller would miss.
  std::vector<std::string> missed() const {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> missed;
    for (const auto& [key, version] : added_version_) {
      const auto seen = seen_version_.find(key);
      if (seen == seen_version_.end() || seen->second != version) {
        missed.push_back(key.to_string());
      }
    }
    return missed;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<Request, std::int64_t> added_version_ ABSL_GUARDED_BY(mu_);
  std::map<Request, std::int64_t> seen_version_ ABSL_GUARDED_BY(mu_);
  std::map<Request, int> in_flight_ ABSL_GUARDED_BY(mu_);
  int overlaps_ ABSL_GUARDED_BY(mu_) = 0;
  std::int64_t processed_ ABSL_GUARDED_BY(mu_) = 0;
  std::int64_t adds_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

void run_worker(WorkQueue<Request>& queue, Ledger& ledger) {
  while (auto key = queue.get()) {
    ledger.start(*key);
    // Give other threads a chance to add this key or try to take it while it is in flight.
    std::this_thread::yield();
    ledger.finish(*key);
    queue.done(*key);
  }
}

TEST_CASE("concurrent workers never hold one key together and process every add",
          "[unit][kclient]") {
  FakeClock clock;
  WorkQueue<Request> queue(clock);
  Ledger ledger;
  {
    std::vector<std::jthread> workers;
    for (int w = 0; w < kWorkers; ++w) {
      workers.emplace_back([&] { run_worker(queue, ledger); });
    }
    {
      std::vector<std::jthread> adders;
      for (int a = 0; a < kAdders; ++a) {
        adders.emplace_back([&, a] {
          std::mt19937 rng(static_cast<std::uint32_t>(a));
          std::uniform_int_distribution<int> pick(0, kKeys - 1);
          for (int i = 0; i < kAddsPerAdder; ++i) {
            const Request key = key_for(pick(rng));
            ledger.before_add(key);
            queue.add(key);
            std::this_thread::yield();  // interleave with the workers
          }
        });
      }
    }  // adders joined: every add has happened
    queue.shutdown_with_drain();
  }  // workers joined: they ran until the queue was empty

  INFO("processed " << ledger.processed() << " times; " << ledger.adds_in_flight()
                    << " adds found their key in flight");
  CHECK(ledger.overlaps() == 0);
  CHECK(ledger.missed().empty());
  CHECK(queue.len() == 0);
  // Deduplication: far fewer reconciles than adds, but at least one per key.
  CHECK(ledger.processed() >= kKeys);
  CHECK(ledger.processed() <= kAdders * kAddsPerAdder);
}

TEST_CASE("concurrent delayed and rate-limited adds are all processed once their time comes",
          "[unit][kclient]") {
  FakeClock clock;
  WorkQueue<Request> queue(clock);
  Ledger ledger;
  constexpr int kAddsEach = 500;
  {
    std::vector<std::jthread> workers;
    for (int w = 0; w < kWorkers; ++w) {
      workers.emplace_back([&] { run_worker(queue, ledger); });
    }
    {
      std::vector<std::jthread> adders;
      for (int a = 0; a < kAdders; ++a) {
        adders.emplace_back([&, a] {
          std::mt19937 rng(static_cast<std::uint32_t>(100 + a));
          std::uniform_int_distribution<int> pick(0, kKeys - 1);
          std::uniform_int_distribution<int> delay_ms(0, 50);
          for (int i = 0; i < kAddsEach; ++i) {
            const Request key = key_for(pick(rng));
            ledger.before_add(key);
            switch (i % 3) {
              case 0:
                queue.add(key);
                break;
              case 1:
                queue.add_after(key, milliseconds(delay_ms(rng)));
                break;
              default:
                queue.add_rate_limited(key);
                break;
            }
          }
        });
      }
      // Time moves while adders and workers run.
      for (int i = 0; i < 200; ++i) {
        clock.advance(milliseconds(1));
        std::this_thread::yield();
      }
    }  // adders joined
    // Past every deadline: no delay exceeds the per-key backoff cap of 1000 s (the 10 qps bucket
    // adds at most kAdders * kAddsEach / 3 / 10 s), and every add happened at or before now.
    clock.advance(std::chrono::seconds(1001));
    // Every delayed key is now due: shutdown queues them, and the workers drain the queue.
    queue.shutdown_with_drain();
  }

  INFO(ledger.adds_in_flight() << " adds found their key in flight");
  CHECK(ledger.overlaps() == 0);
  CHECK(ledger.missed().empty());
}

}  // namespace
}  // namespace korder::kclient
