#pragma once

// QuotaClient: the client of korder's gRPC quota service (korder.quota.v1.QuotaService), shared
// by the admission webhook and korderctl. No gRPC header is included here: requests and
// responses are the generated protobuf messages, the channel lives behind a pimpl.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "korder/base/expected.h"
#include "korder/quota/v1/quota.pb.h"

namespace korder::quota_client {

/// How to reach the quota service (the webhook's `--quota-*` flags, korderctl's options).
struct QuotaClientOptions {
  /// A gRPC target: `dns:///korder-quota.korder-system.svc:9443` (the headless Service: every
  /// replica), `ipv4:127.0.0.1:P1,127.0.0.1:P2` (a list of addresses), or `host:port`.
  std::string target;
  /// Plaintext, only against a server started with `--insecure`. Exclusive with the TLS files.
  bool insecure = false;
  /// `--quota-ca-file`: the roots that signed the server's certificate (empty: the system's).
  std::string ca_file;
  /// `--quota-client-cert-file` / `--quota-client-key-file`: a client certificate for mutual
  /// TLS (both or neither).
  std::string client_cert_file;
  std::string client_key_file;
  /// When positive (and `ca_file`, `client_cert_file` and `client_key_file` are all set), the
  /// three files are re-read at this interval and new connections use what they hold (gRPC's
  /// FileWatcherCertificateProvider), so rotated certificates need no restart. Zero: read once.
  std::chrono::seconds tls_refresh_interval{0};
  /// `--quota-server-name`: the name to verify in the server's certificate instead of the
  /// target's host (needed with address lists).
  std::string server_name;
  /// The deadline of a call whose CallOptions give none.
  std::chrono::milliseconds default_timeout = std::chrono::seconds(5);
  /// Backoff between attempts when a replica answers UNAVAILABLE (not the leader, or not
  /// synced): doubling from `initial_backoff` up to `max_backoff`, with full jitter, and never
  /// past the call's deadline.
  std::chrono::milliseconds initial_backoff = std::chrono::milliseconds(25);
  std::chrono::milliseconds max_backoff = std::chrono::seconds(1);
  /// Largest message received.
  int max_message_bytes = 4 * 1024 * 1024;
};

/// Why a call failed: the gRPC status code and message, with context.
struct CallError {
  /// The gRPC status code (grpc::StatusCode's value: 4 DEADLINE_EXCEEDED, 5 NOT_FOUND, 14
  /// UNAVAILABLE, ...).
  int code = 0;
  /// The status message, prefixed with what the client knows (`no serving quota service
  /// replica reachable at ipv4:127.0.0.1:1 within 2s: ...`).
  std::string message;

  bool not_found() const { return code == 5; }
  bool invalid_argument() const { return code == 3; }
  /// The service could not be reached or did not answer in time (unavailable, deadline, TLS or
  /// authentication failures): the caller's "quota service down" case.
  bool unreachable() const { return code == 14 || code == 4 || code == 16 || code == 1; }
  /// `UNAVAILABLE: <message>`.
  std::string to_string() const;
};

/// Per-call settings.
struct CallOptions {
  /// The call's deadline from now; zero means `QuotaClientOptions::default_timeout` (WatchUsage:
  /// no deadline).
  std::chrono::milliseconds timeout{0};
};

template <typename T>
using Result = Expected<T, CallError>;
/// Receives the outcome of an async call, once, on a gRPC thread: it must not block.
template <typename T>
using Callback = std::function<void(Result<T>)>;

/// A channel to the quota service with `round_robin` load balancing and client-side health
/// checking of `korder.quota.v1.QuotaService` in its service config (DESIGN.md §1), so calls go
/// only to the replica that reports SERVING (the leader) and follow it when leadership moves.
///
/// Every call has a deadline and waits for a serving replica within it (gRPC's wait-for-ready).
/// A replica that answers UNAVAILABLE (it stopped leading before the health check noticed) is
/// retried with jittered exponential backoff, again within the deadline; every other status is
/// returned at once. Reserve is safe to retry: holds are keyed by object, so a retried Reserve
/// replaces its own hold. Thread-safe; one client per process is enough (calls multiplex on one
/// HTTP/2 connection per replica).
class QuotaClient {
 public:
  /// Builds the channel (it connects lazily). Errors: a TLS file that cannot be read, options
  /// that contradict each other (`--insecure` with TLS files, a certificate without its key),
  /// an empty target.
  static Expected<std::unique_ptr<QuotaClient>, std::string> create(QuotaClientOptions options);
  ~QuotaClient();
  QuotaClient(const QuotaClient&) = delete;
  QuotaClient& operator=(const QuotaClient&) = delete;

  const QuotaClientOptions& options() const;

  // Blocking calls (worker threads, tools).
  Result<quota::v1::ReserveResponse> reserve(const quota::v1::ReserveRequest& request,
                                             CallOptions call = {});
  Result<quota::v1::CheckResponse> check(const quota::v1::CheckRequest& request,
                                         CallOptions call = {});
  Result<quota::v1::ReleaseResponse> release(const quota::v1::ReleaseRequest& request,
                                             CallOptions call = {});
  Result<quota::v1::GetUsageResponse> get_usage(const quota::v1::GetUsageRequest& request,
                                                CallOptions call = {});
  Result<quota::v1::ListQuotasResponse> list_quotas(CallOptions call = {});

  // Asynchronous calls (io threads, e.g. the webhook's review sessions): return at once; `done`
  // runs once with the outcome (retries included) on a gRPC thread.
  void async_reserve(quota::v1::ReserveRequest request, CallOptions call,
                     Callback<quota::v1::ReserveResponse> done);
  void async_check(quota::v1::CheckRequest request, CallOptions call,
                   Callback<quota::v1::CheckResponse> done);
  void async_release(quota::v1::ReleaseRequest request, CallOptions call,
                     Callback<quota::v1::ReleaseResponse> done);

  /// Streams WatchUsage (blocking): calls `on_message` with each message until it returns
  /// false (then returns success), the server ends the stream, or the deadline passes (if
  /// `call.timeout` is set). Not retried: the caller decides whether to watch again.
  Expected<void, CallError> watch_usage(
      const quota::v1::WatchUsageRequest& request,
      const std::function<bool(const quota::v1::WatchUsageResponse&)>& on_message,
      CallOptions call = {});

  class Impl;

 private:
  explicit QuotaClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The channel's service config: `round_robin` with health checking of
/// `korder.quota.v1.QuotaService`.
std::string quota_service_config();

}  // namespace korder::quota_client
