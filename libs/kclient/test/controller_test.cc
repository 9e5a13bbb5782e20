#include "korder/kclient/controller.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "korder/api/meta.h"
#include "korder/kclient/enqueue.h"
#include "korder/kclient/testing/eventually.h"
#include "korder/kclient/testing/fake_clock.h"

namespace korder::kclient {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::eventually;
using testing::FakeClock;

// Counts reconciles per key and answers with what the test scripts.
class ScriptedReconciler final : public Reconciler {
 public:
  using Answer = std::function<Expected<ReconcileResult, ReconcileError>(const Request&, int)>;
  explicit ScriptedReconciler(Answer answer) : answer_(std::move(answer)) {}

  Expected<ReconcileResult, ReconcileError> reconcile(const Request& request) override {
    int n = 0;
    {
      absl::MutexLock lock(&mu_);
      n = ++counts_[request.name];
    }
    return answer_(request, n);
  }

  int count(const std::string& name) const {
    absl::MutexLock lock(&mu_);
    const auto it = counts_.find(name);
    return it == counts_.end() ? 0 : it->second;
  }

 private:
  Answer answer_;
  mutable absl::Mutex mu_;
  std::map<std::string, int> counts_;
};

ControllerOptions options(int concurrency = 1) {
  ControllerOptions o;
  o.name = "test";
  o.concurrency = concurrency;
  o.sync_poll_interval = milliseconds(1);
  return o;
}

Request key(std::string name) { return Request{"ns", std::move(name)}; }

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("a key is never reconciled by two workers at once", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  absl::Notification release_a;
  std::atomic<int> in_flight_a{0};
  std::atomic<int> max_in_flight_a{0};
  ScriptedReconciler reconciler(
      [&](const Request& r, int n) -> Expected<ReconcileResult, ReconcileError> {
        if (r.name == "a") {
          const int now = ++in_flight_a;
          max_in_flight_a = std::max(max_in_flight_a.load(), now);
          if (n == 1) {
            release_a.WaitForNotification();
          }
          --in_flight_a;
        }
        return ReconcileResult::done();
      });
  Controller controller(options(4), reconciler, clock, metrics);
  // If a REQUIRE fails, let the blocked reconcile end so the workers can be joined.
  absl::Cleanup unblock = [&] {
    if (!release_a.HasBeenNotified()) {
      release_a.Notify();
    }
  };
  controller.start();
  controller.enqueue(key("a"));
  REQUIRE(eventually([&] { return in_flight_a == 1; }));
  // While a is being reconciled, it changes again many times, and other keys arrive.
  for (int i = 0; i < 10; ++i) {
    controller.enqueue(key("a"));
  }
  controller.enqueue(key("b"));
  controller.enqueue(key("c"));
  // Other workers run other keys meanwhile.
  REQUIRE(eventually([&] { return reconciler.count("b") == 1 && reconciler.count("c") == 1; }));
  CHECK(reconciler.count("a") == 1);
  release_a.Notify();
  // The changes made while it ran cause exactly one more reconcile.
  REQUIRE(eventually([&] { return reconciler.count("a") == 2; }));
  controller.shutdown();
  CHECK(reconciler.count("a") == 2);
  CHECK(max_in_flight_a == 1);
}

TEST_CASE("requeue_after brings a key back after the delay on the clock", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  ScriptedReconciler reconciler(
      [](const Request&, int n) -> Expected<ReconcileResult, ReconcileError> {
        if (n == 1) {
          return ReconcileResult::requeue_after(seconds(30));
        }
        return ReconcileResult::done();
      });
  Controller controller(options(), reconciler, clock, metrics);
  controller.start();
  controller.enqueue(key("a"));
  REQUIRE(eventually([&] { return reconciler.count("a") == 1; }));
  REQUIRE(clock.await_blocked_waits(1));  // the worker sleeps until the key is due
  clock.advance(seconds(29));
  REQUIRE(clock.await_blocked_waits(2));  // woke, found it not due, sleeps again
  CHECK(reconciler.count("a") == 1);
  clock.advance(seconds(1));
  REQUIRE(eventually([&] { return reconciler.count("a") == 2; }));
  controller.shutdown();
  CHECK(contains(metrics.expose(),
                 "korder_reconcile_total{controller=\"test\",result=\"requeue_after\"} 1\n"));
  CHECK(contains(metrics.expose(),
                 "korder_reconcile_total{controller=\"test\",result=\"success\"} 1\n"));
}

TEST_CASE("a failing reconcile is retried with per-key exponential backoff", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  ScriptedReconciler reconciler(
      [](const Request&, int n) -> Expected<ReconcileResult, ReconcileError> {
        if (n <= 3) {
          return Unexpected(ReconcileError::retry("creating ticket ns/a-1: connection refused"));
        }
        return ReconcileResult::done();
      });
  Controller controller(options(), reconciler, clock, metrics);
  controller.start();
  controller.enqueue(key("a"));
  // client-go's default: 5 ms, then 10 ms, then 20 ms.
  const milliseconds delays[] = {milliseconds(5), milliseconds(10), milliseconds(20)};
  std::uint64_t waits = 0;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    REQUIRE(eventually([&] { return reconciler.count("a") == attempt; }));
    REQUIRE(clock.await_blocked_waits(++waits));
    clock.advance(delays[attempt - 1] - milliseconds(1));
    REQUIRE(clock.await_blocked_waits(++waits));
    CHECK(reconciler.count("a") == attempt);
    clock.advance(milliseconds(1));
  }
  REQUIRE(eventually([&] { return reconciler.count("a") == 4; }));
  REQUIRE(eventually([&] { return controller.queue().num_requeues(key("a")) == 0; }));
  controller.shutdown();
  CHECK(contains(metrics.expose(),
                 "korder_reconcile_total{controller=\"test\",result=\"error\"} 3\n"));
  CHECK(contains(metrics.expose(), "korder_workqueue_retries_total{name=\"test\"} 3\n"));
}

TEST_CASE("an exception escaping a reconcile is counted as a panic and retried",
          "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  ScriptedReconciler reconciler(
      [](const Request&, int n) -> Expected<ReconcileResult, ReconcileError> {
        if (n == 1) {
          throw std::runtime_error("bug");
        }
        return ReconcileResult::done();
      });
  Controller controller(options(), reconciler, clock, metrics);
  controller.start();
  controller.enqueue(key("a"));
  REQUIRE(eventually([&] { return reconciler.count("a") == 1; }));
  REQUIRE(clock.await_blocked_waits(1));
  clock.advance(milliseconds(5));
  REQUIRE(eventually([&] { return reconciler.count("a") == 2; }));
  controller.shutdown();
  CHECK(contains(metrics.expose(),
                 "korder_reconcile_total{controller=\"test\",result=\"panic\"} 1\n"));
  CHECK(contains(metrics.expose(),
                 "korder_reconcile_total{controller=\"test\",result=\"success\"} 1\n"));
}

TEST_CASE("a terminal error is counted and not retried", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  ScriptedReconciler reconciler(
      [](const Request& r, int) -> Expected<ReconcileResult, ReconcileError> {
        if (r.name == "a") {
          return Unexpected(ReconcileError::terminal_error("spec.schedule: invalid"));
        }
        return ReconcileResult::done();
      });
  Controller controller(options(), reconciler, clock, metrics);
  controller.start();
  controller.enqueue(key("a"));
  REQUIRE(eventually([&] { return reconciler.count("a") == 1; }));
  clock.advance(seconds(2000));  // past the longest backoff
  controller.enqueue(key("b"));  // a retry of a, had there been one, would come first
  REQUIRE(eventually([&] { return reconciler.count("b") == 1; }));
  controller.shutdown();
  CHECK(reconciler.count("a") == 1);
  CHECK(contains(metrics.expose(),
                 "korder_reconcile_total{controller=\"test\",result=\"terminal_error\"} 1\n"));
}

TEST_CASE("a conflict is retried and counted apart from errors", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  ScriptedReconciler reconciler(
      [](const Request&, int n) -> Expected<ReconcileResult, ReconcileError> {
        if (n == 1) {
          return Unexpected(ReconcileError::from_api_error(ApiError::from_response(409, "", "PUT"),
                                                           "updating order ns/a"));
        }
        return ReconcileResult::done();
      });
  Controller controller(options(), reconciler, clock, metrics);
  controller.start();
  controller.enqueue(key("a"));
  REQUIRE(eventually([&] { return reconciler.count("a") == 1; }));
  REQUIRE(clock.await_blocked_waits(1));
  clock.advance(milliseconds(5));
  REQUIRE(eventually([&] { return reconciler.count("a") == 2; }));
  controller.shutdown();
  CHECK(contains(metrics.expose(),
                 "korder_reconcile_total{controller=\"test\",result=\"conflict\"} 1\n"));
  CHECK(contains(metrics.expose(),
                 "korder_reconcile_total{controller=\"test\",result=\"error\"} 0\n"));
}

TEST_CASE("no reconcile runs before the informers have synced", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  ScriptedReconciler reconciler(
      [](const Request&, int) -> Expected<ReconcileResult, ReconcileError> {
        return ReconcileResult::done();
      });
  Controller controller(options(2), reconciler, clock, metrics);
  std::atomic<bool> synced{false};
  std::atomic<int> looked{0};
  controller.add_synced_check([&] {
    ++looked;
    return synced.load();
  });
  controller.enqueue(key("a"));
  controller.start();
  REQUIRE(eventually([&] { return looked >= 5; }));  // the workers looked, and waited
  CHECK(reconciler.count("a") == 0);
  CHECK_FALSE(controller.synced());
  synced = true;
  REQUIRE(eventually([&] { return reconciler.count("a") == 1; }));
  controller.shutdown();
}

TEST_CASE("every reconcile metric exists at zero from construction", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  ScriptedReconciler reconciler(
      [](const Request&, int) -> Expected<ReconcileResult, ReconcileError> {
        return ReconcileResult::done();
      });
  Controller controller(options(), reconciler, clock, metrics);
  const std::string text = metrics.expose();
  for (const std::string& result : reconcile_result_labels()) {
    INFO(result);
    CHECK(contains(text,
                   "korder_reconcile_total{controller=\"test\",result=\"" + result + "\"} 0\n"));
  }
  CHECK(contains(text, "korder_reconcile_duration_seconds_count{controller=\"test\"} 0\n"));
  CHECK(contains(text, "korder_controller_active_workers{controller=\"test\"} 0\n"));
  CHECK(contains(text, "korder_workqueue_depth{name=\"test\"} 0\n"));
}

TEST_CASE("a reconcile is timed and counted", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  ScriptedReconciler reconciler(
      [&](const Request&, int) -> Expected<ReconcileResult, ReconcileError> {
        clock.advance(milliseconds(300));  // the reconcile "takes" 300 ms
        return ReconcileResult::done();
      });
  Controller controller(options(), reconciler, clock, metrics);
  controller.start();
  controller.enqueue(key("a"));
  REQUIRE(eventually([&] {
    return contains(metrics.expose(),
                    "korder_reconcile_total{controller=\"test\",result=\"success\"} 1\n");
  }));
  controller.shutdown();
  const std::string text = metrics.expose();
  CHECK(contains(text,
                 "korder_reconcile_duration_seconds_bucket{controller=\"test\",le=\"0.25\"} 0\n"));
  CHECK(contains(text,
                 "korder_reconcile_duration_seconds_bucket{controller=\"test\",le=\"0.5\"} 1\n"));
  CHECK(contains(text, "korder_reconcile_duration_seconds_sum{controller=\"test\"} 0.3\n"));
  CHECK(contains(text, "korder_workqueue_adds_total{name=\"test\"} 1\n"));
  CHECK(contains(text, "korder_workqueue_work_duration_seconds_count{name=\"test\"} 1\n"));
}

TEST_CASE("shutdown lets the running reconcile finish and drops the queued keys",
          "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  absl::Notification entered;
  absl::Notification release;
  ScriptedReconciler reconciler(
      [&](const Request& r, int) -> Expected<ReconcileResult, ReconcileError> {
        if (r.name == "a") {
          entered.Notify();
          release.WaitForNotification();
        }
        return ReconcileResult::done();
      });
  auto controller = std::make_unique<Controller>(options(), reconciler, clock, metrics);
  absl::Cleanup unblock = [&] {
    if (!release.HasBeenNotified()) {
      release.Notify();
    }
  };
  controller->start();
  controller->enqueue(key("a"));
  controller->enqueue(key("b"));
  entered.WaitForNotification();
  std::atomic<bool> returned{false};
  std::jthread stopper([&] {
    controller->shutdown();
    returned = true;
  });
  CHECK(eventually([&] { return controller->queue().shutting_down(); }));
  CHECK_FALSE(returned);
  release.Notify();
  stopper.join();
  CHECK(returned);
  CHECK(reconciler.count("a") == 1);
  CHECK(reconciler.count("b") == 0);
  controller->enqueue(key("c"));  // ignored after shutdown
  CHECK(controller->queue().len() == 0);
}

// ---- event handlers -------------------------------------------------------------------------

struct Thing {
  api::ObjectMeta metadata;
};

Thing thing(std::string ns, std::string name, std::vector<api::OwnerReference> owners = {}) {
  Thing t;
  t.metadata.namespace_ = std::move(ns);
  t.metadata.name = std::move(name);
  t.metadata.owner_references = std::move(owners);
  return t;
}

api::OwnerReference owner(std::string api_version, std::string kind, std::string name,
                          std::optional<bool> is_controller) {
  api::OwnerReference ref;
  ref.api_version = std::move(api_version);
  ref.kind = std::move(kind);
  ref.name = std::move(name);
  ref.controller = is_controller;
  return ref;
}

std::vector<Request> drain(Controller& controller) {
  std::vector<Request> out;
  while (controller.queue().len() > 0) {
    auto r = controller.queue().get();
    out.push_back(*r);
    controller.queue().done(*r);
  }
  return out;
}

TEST_CASE("event handlers map objects to keys without reconciling", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  ScriptedReconciler reconciler(
      [](const Request&, int) -> Expected<ReconcileResult, ReconcileError> {
        return ReconcileResult::done();
      });
  Controller controller(options(), reconciler, clock, metrics);
  const OwnerKind order{"core.korder.dev", "Order", false};

  SECTION("enqueue_self enqueues the object") {
    enqueue_self<Thing>(controller)(thing("team-a", "t1"));
    CHECK(drain(controller) == std::vector<Request>{{"team-a", "t1"}});
  }
  SECTION("enqueue_owner enqueues the controller owner of the kind, whatever its version") {
    const auto handler = enqueue_owner<Thing>(controller, order);
    handler(thing("team-a", "t1",
                  {owner("core.korder.dev/v1alpha1", "Order", "not-controller", false),
                   owner("core.korder.dev/v1beta9", "Order", "o1", true)}));
    handler(thing("team-a", "t2", {owner("v1", "Pod", "p", true)}));              // other kind
    handler(thing("team-a", "t3", {owner("other.dev/v1", "Order", "x", true)}));  // other group
    handler(thing("team-a", "t4", {owner("core.korder.dev/v1alpha1", "Order", "y", std::nullopt)}));
    CHECK(drain(controller) == std::vector<Request>{{"team-a", "o1"}});
  }
  SECTION("enqueue_owner of a cluster-scoped kind drops the namespace") {
    enqueue_owner<Thing>(controller, {"core.korder.dev", "Quota", true})(
        thing("team-a", "o", {owner("core.korder.dev/v1alpha1", "Quota", "q", true)}));
    CHECK(drain(controller) == std::vector<Request>{{"", "q"}});
  }
  SECTION("enqueue_mapped enqueues what the function returns") {
    enqueue_mapped<Thing>(controller, [](const Thing& node) {
      return std::vector<Request>{{"a", node.metadata.name + "-x"}, {"b", "y"}};
    })(thing("", "node-1"));
    CHECK(drain(controller) == std::vector<Request>{{"a", "node-1-x"}, {"b", "y"}});
  }
}

// ---- the sample-controller test shape --------------------------------------------------------

// A tiny reconciler: every Thing named in the cache must have a mirror `<name>-mirror` in the
// same namespace. It reads a cache and writes through a client, like a real one.
struct RecordingClient {
  std::vector<std::string> writes;
  void create(const Thing& t) {
    writes.push_back("create " + t.metadata.namespace_ + "/" + t.metadata.name);
  }
};

class MirrorReconciler final : public Reconciler {
 public:
  MirrorReconciler(const std::map<std::string, Thing>& cache, RecordingClient& client)
      : cache_(cache), client_(client) {}

  Expected<ReconcileResult, ReconcileError> reconcile(const Request& request) override {
    const auto primary = cache_.find(request.to_string());
    if (primary == cache_.end()) {
      return ReconcileResult::done();  // gone: nothing to do
    }
    const std::string mirror = request.namespace_ + "/" + request.name + "-mirror";
    if (!cache_.contains(mirror)) {
      client_.create(thing(request.namespace_, request.name + "-mirror"));
    }
    return ReconcileResult::done();
  }

 private:
  const std::map<std::string, Thing>& cache_;
  RecordingClient& client_;
};

TEST_CASE("a reconcile makes exactly the expected writes and none on a converged world",
          "[unit][kclient]") {
  std::map<std::string, Thing> cache = {{"ns/a", thing("ns", "a")}};
  RecordingClient client;
  MirrorReconciler reconciler(cache, client);

  auto result = reconciler.reconcile({"ns", "a"});
  REQUIRE(result);
  CHECK(*result == ReconcileResult::done());
  CHECK(client.writes == std::vector<std::string>{"create ns/a-mirror"});

  // The informer shows our write; the second pass makes none.
  cache["ns/a-mirror"] = thing("ns", "a-mirror");
  client.writes.clear();
  result = reconciler.reconcile({"ns", "a"});
  REQUIRE(result);
  CHECK(client.writes.empty());

  // An object that is gone is done without writes.
  CHECK(reconciler.reconcile({"ns", "gone"}).has_value());
  CHECK(client.writes.empty());
}

}  // namespace
}  // namespace korder::kclient
