#pragma once

// Fault injection for tests (DESIGN.md §5, the admin endpoint):
// - `POST /admin/faults` {fraction, code, retryAfter, pathPrefix}: answer `fraction` (0..1) of
//   the API requests whose path starts with `pathPrefix` (empty or absent: every request) with
//   429 TooManyRequests (a `Retry-After: retryAfter` header, default 1 s) or 500 InternalError,
//   as Kubernetes Status bodies. The choice is deterministic: of every run of requests matching
//   a rule, the n-th fails when floor(n * fraction) grows, so 0.5 fails every second one and 1
//   fails all. One rule per pathPrefix; fraction 0 removes the rule of that prefix, and with no
//   pathPrefix removes every rule.
// - `POST /admin/stall` {pathPrefix, seconds}: requests whose path starts with `pathPrefix` wait
//   `seconds` (fractions allowed) before they are served — on a timer, never blocking an io
//   thread. seconds 0 removes the stall of that prefix and releases the requests it holds (no
//   pathPrefix: every stall).
// - `POST /admin/evict` {namespace, name} and `POST /admin/restart` {keepState}: parsed here and
//   carried out by callbacks (the kubelet and the DevCluster).
// Bad bodies get 400 with a Status naming the field.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "admin.h"
#include "api_error.h"
#include "api_handler.h"
#include "asio.h"
#include "http_types.h"
#include "resource_info.h"
#include "store.h"

namespace korder::devcluster {

/// The injected faults and stalls. Thread-safe.
class FaultInjector {
 public:
  FaultInjector();
  ~FaultInjector();
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  /// The interceptor for ApiHandler::set_interceptor.
  ApiHandler::Interceptor interceptor();

  /// Handles the body of POST /admin/faults (the response: the rules now in force).
  HttpResponse configure_faults(const std::string& body);
  /// Handles the body of POST /admin/stall.
  HttpResponse configure_stall(const std::string& body);

  /// Removes every rule and releases stalled requests (shutdown).
  void clear();
  /// How many requests a stall holds now.
  std::size_t stalled() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// What the evict and restart routes do.
struct AdminControls {
  /// Fails a pod as an eviction does (Kubelet::evict).
  std::function<Awaitable<ApiResult<ObjectPtr>>(std::string namespace_, std::string name)> evict;
  /// Restarts the API server: every client connection and watch dropped; with keep_state false
  /// every object (CRDs too) is lost and the startup objects are created again.
  std::function<Awaitable<std::string>(bool keep_state)> restart;
};

/// Installs `/admin/faults`, `/admin/stall`, `/admin/evict` and `/admin/restart` on `admin`.
/// `faults` must outlive the handler.
void add_fault_routes(AdminHandler& admin, FaultInjector& faults, AdminControls controls);

/// Removes every object from `store` as a lost etcd would, custom resources and CRDs included
/// (their resources leave `catalog`), namespaced objects first. Watchers and internal
/// subscribers see DELETED events.
void wipe_store(Store& store, ResourceCatalog& catalog);

}  // namespace korder::devcluster
