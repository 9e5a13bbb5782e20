#pragma once

// The development cluster as one object: the io_context and its threads, the store, the
// catalog, the registry, the API, admin and TLS servers, the garbage collector, and the
// objects that exist at startup. main() and in-process tests build one of these.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "access_filter.h"
#include "admin.h"
#include "api_handler.h"
#include "asio.h"
#include "audit.h"
#include "authn.h"
#include "faults.h"
#include "garbage_collector.h"
#include "http_server.h"
#include "korder/base/clock.h"
#include "kubelet.h"
#include "registry.h"
#include "scheduler.h"
#include "store.h"

namespace korder::devcluster {

class WebhookAdmission;

/// How to run a devcluster (the command line's contract, DESIGN.md §5).
struct DevClusterOptions {
  std::uint16_t port = 0;                   // plain HTTP API; 0 picks a free port
  std::optional<std::uint16_t> https_port;  // HTTPS API when set; 0 picks
  std::optional<std::uint16_t> admin_port;  // admin endpoint when set; 0 picks
  std::string kubeconfig_out;               // written once ready (HTTPS when enabled)
  std::string nodes_file;                   // YAML list of nodes
  int node_count = -1;                      // -1: the default heterogeneous nodes
  std::size_t history = 10000;              // events kept for watches before 410
  int io_threads = 2;
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds(30)};
  std::chrono::seconds default_watch_timeout{1800};
  std::size_t watch_queue_limit = 10000;
  /// Admission webhook services dialled at a loopback address: NS/NAME=HOST:PORT entries
  /// (the certificate is still verified for NAME.NS.svc).
  std::vector<std::string> webhook_service_map;
  /// The delay before bound pods run (kubelet simulation).
  std::chrono::milliseconds kubelet_delay{std::chrono::milliseconds(500)};
  /// AlwaysAllow (the default: every request is served, an unknown token is anonymous) or RBAC
  /// (unknown tokens get 401; requests are authorized from the stored RBAC objects).
  AuthorizationMode authorization_mode = AuthorizationMode::AlwaysAllow;
  /// When set, every API request is appended to this file as a JSON line and kept in memory
  /// for `GET /admin/audit`; when empty there is no audit log.
  std::string audit_log_path;
};

/// Where a started devcluster serves.
struct DevClusterEndpoints {
  std::string http_url;   // http://127.0.0.1:P
  std::string https_url;  // empty when HTTPS is off
  std::string admin_url;  // empty when the admin endpoint is off
  std::string ca_file;    // the CA of the HTTPS certificate (beside the kubeconfig)
  std::string ca_pem;
  std::string kubeconfig;  // the kubeconfig written, if any
};

/// A running development cluster. start() once, stop() (or the destructor) once.
class DevCluster {
 public:
  explicit DevCluster(DevClusterOptions options);
  ~DevCluster();
  DevCluster(const DevCluster&) = delete;
  DevCluster& operator=(const DevCluster&) = delete;

  /// Starts threads, creates the startup objects, listens, writes the kubeconfig.
  Expected<void, std::string> start();
  /// Stops serving and joins the threads.
  void stop();

  const DevClusterEndpoints& endpoints() const { return endpoints_; }
  net::io_context& io_context() { return ioc_; }
  Store& store() { return store_; }
  ResourceCatalog& catalog() { return catalog_; }
  Registry& registry() { return registry_; }
  ApiHandler& api() { return api_; }
  AdminHandler& admin() { return admin_; }
  FaultInjector& faults() { return faults_; }
  TokenAuthenticator& authenticator() { return authenticator_; }
  AuditLog& audit_log() { return audit_; }
  const DevClusterOptions& options() const { return options_; }

 private:
  Expected<void, std::string> create_startup_objects();
  Expected<std::vector<JsonDocument>, std::string> startup_nodes() const;
  Awaitable<std::string> create_all(std::vector<JsonDocument> nodes);
  /// POST /admin/restart: drops every API connection and watch; keeps the objects (history
  /// compacted) or loses them all and creates the startup objects again.
  Awaitable<std::string> restart(bool keep_state);
  Expected<void, std::string> write_kubeconfig();

  const DevClusterOptions options_;
  SystemClock clock_;
  net::io_context ioc_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  Store store_;
  ResourceCatalog catalog_;
  Registry registry_;
  ApiHandler api_;
  TokenAuthenticator authenticator_;
  AuditLog audit_;
  AccessFilter access_;  // authentication, authorization and audit around api_
  AdminHandler admin_;
  GarbageCollector gc_;
  FaultInjector faults_;
  Scheduler scheduler_;
  Kubelet kubelet_;
  std::unique_ptr<WebhookAdmission> webhooks_;  // the admission chain, always on
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<HttpServer> https_;
  std::unique_ptr<HttpServer> admin_server_;
  DevClusterEndpoints endpoints_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace korder::devcluster
