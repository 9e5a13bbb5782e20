#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "korder/base/clock.h"
#include "korder/kclient/common_options.h"
#include "korder/kclient/controller.h"
#include "korder/kclient/event_recorder.h"
#include "korder/kclient/event_sink.h"
#include "korder/kclient/health_checks.h"
#include "korder/kclient/leader_elector.h"
#include "korder/kclient/lease_client.h"
#include "korder/kclient/metrics.h"
#include "korder/kclient/probe_server.h"
#include "korder/kclient/reconciler.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace korder::kclient {

class InformerFactory;

/// How a `Manager` runs a daemon.
struct ManagerOptions {
  /// The binary (`korder-order-controller`): the Lease's name and the Events' component.
  std::string name;
  /// This replica (`leader_election_identity`): the Lease holder and the Events' instance.
  std::string identity;
  /// --leader-elect and the Lease's namespace and timings.
  bool leader_elect = true;
  std::string leader_election_namespace;
  std::chrono::nanoseconds lease_duration = std::chrono::seconds(15);
  std::chrono::nanoseconds renew_deadline = std::chrono::seconds(10);
  std::chrono::nanoseconds retry_period = std::chrono::seconds(2);
  /// --metrics-bind-address and --health-probe-bind-address; "0" disables a server.
  std::string metrics_bind_address = ":8080";
  std::string health_probe_bind_address = ":8081";
  /// Threads running the io_context (--io-threads).
  int io_threads = 1;
  /// How long the workers get to finish their reconciles after a stop; past it the process
  /// exits non-zero without releasing the Lease (controller-runtime's
  /// GracefulShutdownTimeout).
  std::chrono::nanoseconds graceful_shutdown_timeout = std::chrono::seconds(30);
  /// Leaves the process: `std::_Exit` after flushing the logs. Tests replace it.
  std::function<void(int code)> exit;

  /// Every problem, one line each (empty when valid).
  std::vector<std::string> validate() const;
};

/// The ManagerOptions the common flags give: `namespace_` is used when
/// --leader-election-namespace is empty (the namespace the process runs in).
ManagerOptions manager_options(const CommonOptions& common, std::string name, std::string identity,
                               std::string namespace_);

/// controller-runtime's Manager: owns the io_context and its threads, the health and metrics
/// servers, leader election, the event recorder and the controllers, and starts and stops them
/// in order.
///
/// `run()`:
///  1. starts the io threads, the SIGTERM/SIGINT handler, the probe and metrics servers, the
///     informers (every replica keeps its caches synced, so every synced replica is Ready) and
///     the event recorder;
///  2. with leader election, competes for the Lease and starts the controllers only once
///     elected; without it, starts them at once;
///  3. waits for the first SIGTERM/SIGINT (or `request_shutdown()`), then stops in the order of
///     STYLE §5: readiness off (`/readyz` fails its `shutdown` check), controllers stop taking
///     work and their workers finish the current reconcile, the Lease is released (so a new
///     leader never overlaps with our workers), informers stop, events are flushed, servers
///     stop, io threads end. Returns 0.
///
/// A second signal exits at once (code 1). Losing the Lease exits the process at once (code 1):
/// Kubernetes restarts the pod, and nothing keeps acting without the Lease. A server that cannot
/// bind makes `run()` return 1 with the reason logged.
///
/// Wiring happens before `run()`, from `main`'s thread. The clock, registry and every object
/// passed by reference must outlive the manager.
class Manager {
 public:
  /// Precondition (checked): `options.validate()` is empty.
  Manager(ManagerOptions options, Clock& clock, MetricsRegistry& metrics);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  /// The process's io_context (for the transport, REST client and informers). Its threads run
  /// during `run()`.
  boost::asio::io_context& io();
  HealthChecks& health_checks() { return health_checks_; }

  /// The Lease client (required with leader election).
  void set_lease_client(LeaseClient& client) { lease_client_ = &client; }
  /// The informers to start with the manager and stop after the controllers; their sync is a
  /// readiness check (`informers-synced`).
  void set_informers(InformerFactory& informers);
  /// The event sink; creates the recorder every controller should use.
  EventRecorder& set_event_sink(EventSink& sink);
  /// The recorder (precondition: `set_event_sink` was called).
  EventRecorder& event_recorder();

  /// Adds a controller, started when this replica leads (or at once without leader election).
  Controller& add_controller(ControllerOptions options, Reconciler& reconciler);
  /// Also called once leadership is gained, after the controllers start (the quota
  /// controller's gRPC health goes SERVING there). Must not block.
  void on_started_leading(std::function<void()> callback);
  /// Called on `run()`'s thread when the ordered shutdown starts, right after readiness goes off
  /// and before the controllers stop (the quota controller's gRPC health goes NOT_SERVING
  /// there). Must not block for long.
  void on_shutdown(std::function<void()> callback);

  /// Runs the daemon until a signal or `request_shutdown()`; returns the process exit code.
  int run();
  /// Starts the ordered shutdown, as the first SIGTERM does; a second call exits at once, as a
  /// second signal does. Thread-safe.
  void request_shutdown();
  /// Whether `run()` has started everything and is waiting for a signal (for tests).
  bool running() const { return running_.load(); }
  /// The ports the health and metrics servers bound (0 when disabled or not started).
  int health_port() const;
  int metrics_port() const;

 private:
  void start_controllers();
  void wait_for_signal();
  void on_lost_lease();
  bool start_servers();
  void shutdown();
  void exit(int code);

  const ManagerOptions options_;
  Clock& clock_;
  MetricsRegistry& metrics_;
  std::unique_ptr<boost::asio::io_context> io_;
  HealthChecks health_checks_;
  LeaseClient* lease_client_ = nullptr;
  InformerFactory* informers_ = nullptr;
  std::unique_ptr<EventRecorder> event_recorder_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  std::vector<std::function<void()>> leading_callbacks_;
  std::vector<std::function<void()>> shutdown_callbacks_;
  std::unique_ptr<ProbeServer> health_server_;
  std::unique_ptr<ProbeServer> metrics_server_;
  std::unique_ptr<LeaderElector> elector_;

  struct IoThreads;
  std::unique_ptr<IoThreads> io_threads_;

  std::atomic<bool> shutting_down_{false};
  std::atomic<bool> running_{false};
  std::atomic<int> shutdown_requests_{0};
  absl::Notification shutdown_requested_;
  absl::Mutex mu_;
  bool controllers_started_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace korder::kclient
