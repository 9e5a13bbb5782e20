#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "korder/base/expected.h"
#include "korder/kclient/health_checks.h"
#include "korder/kclient/http_message.h"
#include "korder/kclient/metrics.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace korder::kclient {

/// Limits and timeouts of a `ProbeServer`.
struct ProbeServerOptions {
  /// `host:port` as the bind-address flags spell it: `:8081` (every interface), `127.0.0.1:0`
  /// (loopback, a free port), `[::1]:9090`, `localhost:8080`.
  std::string bind_address = ":8081";
  /// Time allowed to receive one request, counted from when the server starts waiting for it (so
  /// it also bounds how long an idle keep-alive connection stays open).
  std::chrono::nanoseconds read_timeout = std::chrono::seconds(30);
  /// Time allowed to send one response.
  std::chrono::nanoseconds write_timeout = std::chrono::seconds(30);
  /// The largest request header block; a larger one is answered 431 and the connection closed.
  std::size_t max_header_bytes = 16 * 1024;
  /// The largest request body; a larger one is answered 413 and the connection closed.
  std::size_t max_body_bytes = 64 * 1024;
};

/// A small HTTP/1.1 server for /metrics, /healthz and /readyz (controller-runtime's metrics and
/// health-probe servers), on the process's io_context. Beast's server examples in shape: one
/// session per connection, each on its own strand, a timeout before every read and write, size
/// limits on every parser; keep-alive is honoured (`Connection: close` and HTTP/1.0 are too).
///
/// Handlers are registered before `start()`: a handler for `/x` serves `/x` and everything under
/// `/x/`. Only GET and HEAD are accepted (else 405); an unknown path is 404. Handlers run on the
/// connection's strand, concurrently for different connections: they must be thread-safe, quick
/// and non-blocking.
///
/// Lifetime: `stop()` (also done by the destructor) closes the listener and every open
/// connection; sessions still running on the io_context end on their own and keep their state
/// alive until then, so the server may be destroyed while the io_context runs. Thread-safe.
class ProbeServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  /// `io` must outlive the server.
  ProbeServer(boost::asio::io_context& io, ProbeServerOptions options);
  ~ProbeServer();
  ProbeServer(const ProbeServer&) = delete;
  ProbeServer& operator=(const ProbeServer&) = delete;

  /// Serves `path` (and paths under `path/`) with `handler`. Call before `start()`.
  void handle(std::string path, Handler handler);

  /// Binds and listens, then accepts connections on the io_context (which may already run).
  /// Errors (one line, naming the address): a malformed bind address, a host that does not
  /// resolve, a port in use or not permitted.
  Expected<void, std::string> start();

  /// The port bound (the chosen one for port 0); 0 before `start()` succeeds.
  int port() const;

  /// Stops accepting and closes every connection. Returns at once (the closes run on the
  /// connections' strands). Idempotent.
  void stop();

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

/// Registers `/healthz` and `/readyz` of `checks` on `server`. `checks` must outlive it.
void serve_health_checks(ProbeServer& server, const HealthChecks& checks);

/// Registers `/metrics` (the registry in the text format 0.0.4) on `server`. `registry` must
/// outlive it.
void serve_metrics(ProbeServer& server, const MetricsRegistry& registry);

}  // namespace korder::kclient
