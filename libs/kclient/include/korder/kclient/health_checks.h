#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/expected.h"
#include "korder/kclient/http_message.h"

namespace korder::kclient {

/// One named health check: success, or why it fails (`informer for tickets not synced`). Runs on
/// an io thread for every probe, so it must be quick and must not block (read an atomic, take a
/// short lock).
using HealthCheck = std::function<Expected<void, std::string>()>;

/// The liveness and readiness checks of one process, served as kube-apiserver serves its own
/// `/healthz` and `/readyz` (controller-runtime's `healthz.Handler` follows the same rules):
///
/// - `GET /readyz` answers 200 `ok` when every check passes. If any fails it answers 500 and the
///   body lists every check (`[+]ping ok`, `[-]informers-synced failed: reason withheld`) and
///   ends with `readyz check failed`; the reason is logged, not served, as the API server does.
/// - `?verbose` lists every check also on success, ending with `readyz check passed`.
/// - `?exclude=name` (repeatable) skips a check (`[+]name excluded: ok`).
/// - `GET /readyz/<name>` runs that check alone: 200 `ok`, or 500
///   `internal server error: <reason>`; an unknown name is 404.
///
/// `/healthz` (liveness) works the same way over its own checks. Both lists start with the
/// check `ping`, which always passes. Components register their checks at startup
/// (`add_readyz_check("informers-synced", fn)`); registering later is allowed. Checks run in
/// registration order. Thread-safe.
class HealthChecks {
 public:
  HealthChecks();
  HealthChecks(const HealthChecks&) = delete;
  HealthChecks& operator=(const HealthChecks&) = delete;

  /// Adds a liveness check (a failing one gets the process restarted: use sparingly, for
  /// deadlocks and lost leases). A name used twice is a bug (checked).
  void add_healthz_check(std::string name, HealthCheck check);
  /// Adds a readiness check (failing takes the pod out of Service endpoints). A name used twice
  /// is a bug (checked).
  void add_readyz_check(std::string name, HealthCheck check);

  /// Answers a request for `/healthz` or `/healthz/<name>` (with its query).
  HttpResponse serve_healthz(const HttpRequest& request) const;
  /// Answers a request for `/readyz` or `/readyz/<name>` (with its query).
  HttpResponse serve_readyz(const HttpRequest& request) const;

 private:
  using NamedChecks = std::vector<std::pair<std::string, HealthCheck>>;

  HttpResponse serve(std::string_view kind, const NamedChecks& checks,
                     const HttpRequest& request) const;

  mutable absl::Mutex mu_;
  NamedChecks healthz_ ABSL_GUARDED_BY(mu_);
  NamedChecks readyz_ ABSL_GUARDED_BY(mu_);
};

}  // namespace korder::kclient
