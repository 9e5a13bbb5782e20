#pragma once

// The HTTPS server of the admission webhook (Boost.Beast, on the process's io_context): TLS 1.2+
// with the certificate and key read from files and reloaded when they change on disk, HTTP/1.1
// keep-alive, limits on headers and bodies, a timeout on every step, graceful drain. Beast stays
// in webhook_server.cc; this header names only our own types.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "korder/base/expected.h"
#include "korder/kclient/detail/asio.h"

namespace korder::webhook {

/// Limits and timeouts of the server. The defaults are the production ones.
struct WebhookServerOptions {
  /// `host:port` (`:9443` is every interface, `127.0.0.1:0` a free loopback port).
  std::string bind_address = ":9443";
  /// PEM files of the serving certificate chain and its key (required).
  std::string tls_cert_file;
  std::string tls_key_file;
  /// How often the files are checked for changes (cert-manager rotates them in place).
  std::chrono::nanoseconds cert_check_interval = std::chrono::seconds(10);
  /// The largest request header block (431 above) and body (413 above). kube-apiserver objects
  /// are at most ~1.5 MiB, and a review carries the object and the old object.
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  /// TLS handshake; an idle keep-alive connection waiting for its next request; one request from
  /// its first byte to its last (a slow client is cut off); writing one response.
  std::chrono::nanoseconds handshake_timeout = std::chrono::seconds(10);
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(90);
  std::chrono::nanoseconds read_timeout = std::chrono::seconds(10);
  std::chrono::nanoseconds write_timeout = std::chrono::seconds(10);
  /// Whether exactly one thread runs the io_context (the daemon's `--io-threads=1`, the
  /// default). That thread already serialises every handler, so connections skip the strand
  /// each would otherwise get (its dispatch and reference counting cost ~3% of a review).
  bool single_threaded_io = false;
};

/// One HTTP request as the handler sees it (the target keeps its query).
struct WebhookRequest {
  WebhookRequest() = default;  // not an aggregate (g++ 12 co_await bug)

  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
};

/// One HTTP answer.
struct WebhookAnswer {
  WebhookAnswer() = default;

  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

/// What serves the requests. `handle` runs on the connection's strand; it must never block
/// (outbound work is awaited) and never throw.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual boost::asio::awaitable<WebhookAnswer> handle(WebhookRequest request) = 0;
};

/// The server. Thread-safe. The io_context and the handler must outlive it; sessions still on
/// the io_context keep their own state alive.
class WebhookServer {
 public:
  WebhookServer(boost::asio::io_context& io, WebhookServerOptions options, RequestHandler& handler);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  /// Loads the certificate, binds, listens and starts accepting (and watching the files).
  /// Errors, one line: unreadable or invalid TLS files, a bad address, a port in use.
  Expected<void, std::string> start();
  /// The bound port (after `start`).
  int port() const;

  /// Graceful stop: stops accepting, closes connections waiting for a request, and lets
  /// requests in progress finish (their connections close after the answer). Idempotent.
  void shutdown();
  /// Blocks (never on an io thread) until no request is in progress or `timeout` passes;
  /// returns whether none is.
  bool wait_idle(std::chrono::nanoseconds timeout);
  /// Requests in progress (from their first byte to the end of the answer).
  int in_flight() const;
  /// Certificate reloads done since start.
  std::uint64_t certificate_reloads() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace korder::webhook
