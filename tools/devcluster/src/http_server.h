#pragma once

// The HTTP/1.1 server (Boost.Beast): plain or TLS, loopback, keep-alive, a request body limit,
// one coroutine per connection on its own strand. Requests go to an HttpHandler.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "asio.h"
#include "http_types.h"
#include "korder/base/expected.h"

namespace boost::asio::ssl {
class context;
}

namespace korder::devcluster {

/// Where and how a server listens.
struct HttpServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port
  /// TLS context; null serves plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls;
  /// Largest request body accepted (kube-apiserver's limit is 3 MiB); larger gets 413.
  std::size_t body_limit = 3 * 1024 * 1024;
  /// How long an idle keep-alive connection is kept.
  std::chrono::seconds idle_timeout{300};
  /// Deadline for writing one response or one watch chunk.
  std::chrono::seconds write_timeout{30};
};

/// A listening server. listen() and start() once; stop() closes the listener and every
/// connection (from any thread). The handler must outlive the server.
class HttpServer {
 public:
  HttpServer(net::io_context& ioc, HttpHandler& handler, HttpServerConfig config);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and listens; returns the bound port.
  Expected<std::uint16_t, std::string> listen();
  /// Starts accepting connections.
  void start();
  /// Stops accepting and closes every open connection.
  void stop();
  /// Closes every open connection (watches included) but keeps accepting new ones.
  void close_connections();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// A TLS 1.2+ server context from PEM texts (certificate chain and private key).
Expected<std::shared_ptr<boost::asio::ssl::context>, std::string> make_tls_context(
    const std::string& cert_pem, const std::string& key_pem);

}  // namespace korder::devcluster
