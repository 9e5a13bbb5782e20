#pragma once

#include <memory>
#include <string>

#include "korder/base/clock.h"
#include "korder/base/expected.h"
#include "korder/kclient/common_options.h"
#include "korder/kclient/config.h"
#include "korder/kclient/rest_client.h"

namespace korder::kclient {

class EventRecorder;
class InformerFactory;
class Manager;
class MetricsRegistry;
class RestEventSink;
class RestLeaseClient;
class RestClientMetrics;

/// What differs between the daemons' client stacks.
struct DaemonRuntimeOptions {
  /// The binary (`korder-order-controller`): the Lease's name and the Events' component.
  std::string name;
  /// --io-threads.
  int io_threads = 1;
  /// False: leader election is off whatever --leader-elect says, and no Lease client is wired
  /// (every replica acts; e.g. the admission webhook).
  bool leader_election = true;
  /// The REST client's timeouts and retries.
  RestClientOptions rest;
};

/// The client stack every daemon builds from the common flags, in this order: the client
/// configuration (`load_config` with --kubeconfig/--context), a leader-election identity, the
/// `Manager` (validated `manager_options`), the `Transport`, a `RateLimiter` (--qps,
/// --burst), the `RestClient` (its requests counted in `metrics` as RestClientMetrics says), an
/// `InformerFactory`, and the Lease client and event sink — already given to the manager
/// (`set_lease_client`, `set_informers`, `set_event_sink`).
///
/// The daemon adds its informers, reconcilers and controllers, then calls `manager().run()`.
/// The clock and registry must outlive the runtime; objects the daemon wires into the manager
/// must be destroyed before it (declare the runtime first).
class DaemonRuntime {
 public:
  /// Errors are one log-ready line each: `cannot load the client configuration error=…`,
  /// `invalid options error=…` (every problem, `; `-separated), `cannot create the API
  /// transport error=…`.
  static Expected<std::unique_ptr<DaemonRuntime>, std::string> create(const CommonOptions& common,
                                                                      DaemonRuntimeOptions options,
                                                                      Clock& clock,
                                                                      MetricsRegistry& metrics);

  ~DaemonRuntime();
  DaemonRuntime(const DaemonRuntime&) = delete;
  DaemonRuntime& operator=(const DaemonRuntime&) = delete;

  const Config& config() const { return config_; }
  /// This replica's leader-election identity (also the Events' instance).
  const std::string& identity() const { return identity_; }
  Manager& manager() { return *manager_; }
  RestClient& client() { return *client_; }
  InformerFactory& informers() { return *informers_; }
  /// The manager's event recorder.
  EventRecorder& events() { return *events_; }

 private:
  DaemonRuntime() = default;

  Config config_;
  std::string identity_;
  // Declaration order is construction order; destruction runs in reverse (the sink and informers
  // before the client, the client before the transport, the manager last).
  std::unique_ptr<Manager> manager_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<RateLimiter> limiter_;
  // `korder_rest_client_requests_total` & co in the daemon's registry (before the client: it
  // counts into them).
  std::unique_ptr<RestClientMetrics> rest_metrics_;
  std::unique_ptr<RestClient> client_;
  std::unique_ptr<InformerFactory> informers_;
  std::unique_ptr<RestLeaseClient> leases_;
  std::unique_ptr<RestEventSink> sink_;
  EventRecorder* events_ = nullptr;
};

}  // namespace korder::kclient
