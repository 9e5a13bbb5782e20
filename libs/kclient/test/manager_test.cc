#include "korder/kclient/manager.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "korder/kclient/testing/eventually.h"
#include "korder/kclient/testing/fake_clock.h"
#include "korder/kclient/testing/fake_lease_store.h"
#include "korder/kclient/testing/recording_event_sink.h"

namespace korder::kclient {
namespace {

using std::chrono::seconds;
using testing::eventually;
using testing::FakeClock;
using testing::FakeLeaseStore;
using testing::RecordingEventSink;

// What happened, in order, across threads.
class Log {
 public:
  void add(std::string entry) {
    absl::MutexLock lock(&mu_);
    entries_.push_back(std::move(entry));
  }
  std::vector<std::string> entries() const {
    absl::MutexLock lock(&mu_);
    return entries_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> entries_;
};

// Logs the release of the Lease (an update that clears the holder).
class LoggingLeaseClient final : public LeaseClient {
 public:
  LoggingLeaseClient(LeaseClient& inner, Log& log) : inner_(inner), log_(log) {}
  Expected<api::Lease, ApiError> get(const std::string& ns, const std::string& name,
                                     std::chrono::nanoseconds timeout) override {
    return inner_.get(ns, name, timeout);
  }
  Expected<api::Lease, ApiError> create(const api::Lease& lease,
                                        std::chrono::nanoseconds timeout) override {
    return inner_.create(lease, timeout);
  }
  Expected<api::Lease, ApiError> update(const api::Lease& lease,
                                        std::chrono::nanoseconds timeout) override {
    if (lease.spec.holder_identity == std::string()) {
      log_.add("lease released");
    }
    return inner_.update(lease, timeout);
  }

 private:
  LeaseClient& inner_;
  Log& log_;
};

struct Exits {
  std::atomic<int> calls{0};
  std::atomic<int> last_code{-1};
};

ManagerOptions test_options(bool leader_elect, Exits& exits) {
  ManagerOptions o;
  o.name = "korder-test-controller";
  o.identity = "me";
  o.leader_elect = leader_elect;
  o.leader_election_namespace = "korder-system";
  o.metrics_bind_address = "127.0.0.1:0";
  o.health_probe_bind_address = "127.0.0.1:0";
  o.exit = [&exits](int code) {
    exits.last_code = code;
    ++exits.calls;
  };
  return o;
}

// Declared after the thread running the manager: if a REQUIRE fails early, it unblocks the
// reconciler and stops the manager so that the thread can be joined (instead of hanging).
class StopOnUnwind {
 public:
  explicit StopOnUnwind(Manager& manager, absl::Notification* release = nullptr)
      : manager_(manager), release_(release) {}
  ~StopOnUnwind() {
    if (release_ != nullptr && !release_->HasBeenNotified()) {
      release_->Notify();
    }
    if (manager_.running()) {
      manager_.request_shutdown();
    }
  }

 private:
  Manager& manager_;
  absl::Notification* release_;
};

int readyz(Manager& m) {
  HttpRequest request;
  request.target = "/readyz";
  return m.health_checks().serve_readyz(request).status;
}

ControllerOptions controller_options() {
  ControllerOptions o;
  o.name = "test";
  o.sync_poll_interval = std::chrono::milliseconds(1);
  return o;
}

TEST_CASE(
    "without leader election the controllers start at once and a shutdown drains them "
    "after readiness goes off",
    "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  RecordingEventSink sink;
  Exits exits;
  Manager manager(test_options(false, exits), clock, metrics);
  EventRecorder& events = manager.set_event_sink(sink);
  absl::Notification entered;
  absl::Notification release;
  Log log;
  ReconcilerFunc reconciler([&](const Request& r) -> Expected<ReconcileResult, ReconcileError> {
    entered.Notify();
    release.WaitForNotification();
    api::ObjectReference ref;
    ref.kind = "Thing";
    ref.namespace_ = r.namespace_;
    ref.name = r.name;
    events.normal(ref, "Reconciled", "done");
    log.add("reconcile finished");
    return ReconcileResult::done();
  });
  manager.add_controller(controller_options(), reconciler).enqueue({"ns", "a"});
  manager.on_shutdown([&] { log.add("shutdown hook, ready=" + std::to_string(readyz(manager))); });

  int code = -1;
  std::jthread runner([&] { code = manager.run(); });
  StopOnUnwind guard(manager, &release);
  entered.WaitForNotification();
  REQUIRE(eventually([&] { return manager.running(); }));
  CHECK(manager.health_port() > 0);
  CHECK(manager.metrics_port() > 0);
  CHECK(readyz(manager) == 200);

  manager.request_shutdown();
  // Readiness goes off while the reconcile is still running.
  REQUIRE(eventually([&] { return log.entries().size() == 1; }));
  CHECK(readyz(manager) == 500);
  release.Notify();
  runner.join();
  CHECK(code == 0);
  CHECK(exits.calls == 0);
  CHECK(log.entries() ==
        std::vector<std::string>{"shutdown hook, ready=500", "reconcile finished"});
  // The event recorded during the last reconcile was flushed before the manager stopped.
  REQUIRE(sink.writes().size() == 1);
  CHECK(sink.writes()[0].rfind("create ns/a.", 0) == 0);
}

TEST_CASE(
    "with leader election the controllers start only once elected and the lease is "
    "released after the workers finish",
    "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  FakeLeaseStore store;
  Log log;
  LoggingLeaseClient leases(store, log);
  api::Lease held;
  held.metadata.namespace_ = "korder-system";
  held.metadata.name = "korder-test-controller";
  held.spec.holder_identity = "other";
  held.spec.lease_duration_seconds = 15;
  held.spec.lease_transitions = 2;
  store.put(held);

  Exits exits;
  Manager manager(test_options(true, exits), clock, metrics);
  manager.set_lease_client(leases);
  std::atomic<int> reconciles{0};
  ReconcilerFunc reconciler([&](const Request&) -> Expected<ReconcileResult, ReconcileError> {
    ++reconciles;
    log.add("reconcile finished");
    return ReconcileResult::done();
  });
  manager.add_controller(controller_options(), reconciler).enqueue({"ns", "a"});
  std::atomic<int> leading_callbacks{0};
  manager.on_started_leading([&] { ++leading_callbacks; });

  int code = -1;
  std::jthread runner([&] { code = manager.run(); });
  StopOnUnwind guard(manager);
  REQUIRE(eventually([&] { return manager.running(); }));
  REQUIRE(clock.await_blocked_waits(1));  // tried once, found "other" holding it, sleeps
  CHECK(reconciles == 0);
  CHECK(leading_callbacks == 0);

  clock.advance(seconds(16));  // "other" stopped renewing 16 s ago on our clock
  REQUIRE(eventually([&] { return reconciles == 1; }));
  CHECK(leading_callbacks == 1);
  const auto lease = store.lease("korder-system", "korder-test-controller");
  REQUIRE(lease);
  CHECK(lease->spec.holder_identity == "me");
  CHECK(lease->spec.lease_transitions == 3);

  manager.request_shutdown();
  runner.join();
  CHECK(code == 0);
  CHECK(exits.calls == 0);
  CHECK(store.lease("korder-system", "korder-test-controller")->spec.holder_identity == "");
  CHECK(log.entries() == std::vector<std::string>{"reconcile finished", "lease released"});
}

TEST_CASE("losing the lease exits the process at once with code 1", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  FakeLeaseStore store;
  Exits exits;
  Manager manager(test_options(true, exits), clock, metrics);
  manager.set_lease_client(store);
  ReconcilerFunc reconciler([](const Request&) -> Expected<ReconcileResult, ReconcileError> {
    return ReconcileResult::done();
  });
  manager.add_controller(controller_options(), reconciler);
  std::jthread runner([&] { manager.run(); });
  StopOnUnwind guard(manager);
  REQUIRE(eventually([&] { return manager.running(); }));
  REQUIRE(eventually(
      [&] { return store.lease("korder-system", "korder-test-controller").has_value(); }));
  REQUIRE(clock.await_blocked_waits(1));

  store.set_failure(ApiError::from_response(503, "", "PUT"));
  for (int i = 0; i < 30 && exits.calls == 0; ++i) {
    const auto waits = clock.blocked_waits();
    clock.advance(seconds(1));
    REQUIRE(eventually([&] { return clock.blocked_waits() > waits || exits.calls > 0; }));
  }
  CHECK(exits.calls == 1);
  CHECK(exits.last_code == 1);
  manager.request_shutdown();  // (a real process would be gone already)
}

TEST_CASE("a second shutdown request exits at once", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  Exits exits;
  Manager manager(test_options(false, exits), clock, metrics);
  absl::Notification entered;
  absl::Notification release;
  ReconcilerFunc reconciler([&](const Request&) -> Expected<ReconcileResult, ReconcileError> {
    entered.Notify();
    release.WaitForNotification();
    return ReconcileResult::done();
  });
  manager.add_controller(controller_options(), reconciler).enqueue({"ns", "a"});
  std::jthread runner([&] { manager.run(); });
  StopOnUnwind guard(manager, &release);
  entered.WaitForNotification();
  manager.request_shutdown();
  CHECK(exits.calls == 0);
  manager.request_shutdown();
  CHECK(exits.calls == 1);
  CHECK(exits.last_code == 1);
  release.Notify();
}

TEST_CASE("SIGTERM starts the ordered shutdown", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  Exits exits;
  Manager manager(test_options(false, exits), clock, metrics);
  int code = -1;
  std::jthread runner([&] { code = manager.run(); });
  StopOnUnwind guard(manager);
  REQUIRE(eventually([&] { return manager.running(); }));
  std::raise(SIGTERM);
  runner.join();
  CHECK(code == 0);
  CHECK(exits.calls == 0);
}

TEST_CASE("a probe server that cannot bind makes run fail", "[unit][kclient]") {
  FakeClock clock;
  MetricsRegistry metrics;
  Exits exits;
  ManagerOptions options = test_options(false, exits);
  options.health_probe_bind_address = "not-an-address";
  Manager manager(options, clock, metrics);
  CHECK(manager.run() == 1);
}

TEST_CASE("manager options come from the common flags", "[unit][kclient]") {
  CommonOptions common;
  common.leader_election_namespace = "";
  common.metrics_bind_address = "0";
  ManagerOptions options =
      manager_options(common, "korder-order-controller", "pod-1_uid", "korder-system");
  CHECK(options.leader_elect);
  CHECK(options.leader_election_namespace == "korder-system");
  CHECK(options.metrics_bind_address == "0");
  CHECK(options.validate().empty());
  common.leader_election_namespace = "ops";
  CHECK(manager_options(common, "x", "y", "korder-system").leader_election_namespace == "ops");
  options.identity.clear();
  CHECK(options.validate() == std::vector<std::string>{"leader election: Lock identity is empty"});
}

}  // namespace
}  // namespace korder::kclient
