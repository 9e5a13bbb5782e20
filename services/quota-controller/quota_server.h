#pragma once

// QuotaServer: the gRPC server of korder-quota-controller (QuotaService, grpc.health.v1,
// server reflection), with TLS.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "korder/base/expected.h"
#include "quota_backend.h"
#include "quota_service.h"

namespace korder::quota {

/// How the server listens. Validated by QuotaServer::start().
struct QuotaServerOptions {
  /// `--grpc-bind-address`: host:port (`0.0.0.0:9443`; port 0 picks a free one).
  std::string address = "0.0.0.0:9443";
  /// `--tls-cert-file` / `--tls-key-file`: the serving certificate and key (PEM). Required
  /// unless `insecure`.
  std::string tls_cert_file;
  std::string tls_key_file;
  /// `--client-ca-file`: when set, clients must present a certificate signed by this CA
  /// (mutual TLS).
  std::string client_ca_file;
  /// `--insecure`: plaintext, only when explicitly asked (tests, local runs). Exclusive with
  /// the TLS files.
  bool insecure = false;
  /// `--cert-check-interval`: how often the certificate, key and client CA files are read
  /// again, so a rotated certificate (self-managed or cert-manager's) is served without a
  /// restart (gRPC's FileWatcherCertificateProvider; whole seconds, at least 1).
  std::chrono::seconds cert_refresh_interval = std::chrono::seconds(10);
  /// Largest message received or sent.
  int max_message_bytes = 4 * 1024 * 1024;
  /// HTTP/2 streams one connection may have open at once.
  int max_concurrent_streams = 256;
  /// More services on the same port (tests and benchmarks); not owned, must outlive the server.
  std::vector<grpc::Service*> extra_services;
};

/// Runs QuotaService on a gRPC server. Starts NOT serving: grpc.health.v1 reports
/// `korder.quota.v1.QuotaService` NOT_SERVING and every call answers UNAVAILABLE until
/// set_serving(true) (the leader, once its caches are synced). The overall health (service
/// "") is SERVING while the process runs. Server reflection is on. set_serving() is
/// thread-safe; shutdown() and destruction belong to the owner's thread.
class QuotaServer {
 public:
  /// Builds and starts the server. Errors (one line, naming the flag or file): bad option
  /// combinations, unreadable certificate files, an address that cannot be bound.
  static Expected<std::unique_ptr<QuotaServer>, std::string> start(QuotaBackend& backend,
                                                                   QuotaServerOptions options);

  ~QuotaServer();
  QuotaServer(const QuotaServer&) = delete;
  QuotaServer& operator=(const QuotaServer&) = delete;

  /// The port bound (useful with port 0).
  int port() const { return port_; }

  /// Serving on (leader, synced) or off; flips the health status and, when turned off, ends
  /// every WatchUsage stream with UNAVAILABLE.
  void set_serving(bool serving);
  bool serving() const { return service_.serving(); }

  /// Stops taking calls, cancels the ones still running after `grace`, and waits for them.
  /// Idempotent; the destructor calls it.
  void shutdown(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  explicit QuotaServer(QuotaBackend& backend);

  QuotaServiceImpl service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace korder::quota
