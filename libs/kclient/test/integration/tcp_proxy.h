#pragma once

// A loopback TCP proxy a test can cut, to put a client out of reach of the API server for a
// while: a network partition, as a controller sees one when a node or a load balancer fails.
// Bytes pass through unchanged, so it carries plain HTTP and TLS alike.

#include <cstddef>
#include <cstdint>
#include <memory>

namespace korder::kclient::integration {

class TcpProxy {
 public:
  /// Listens on 127.0.0.1 (a free port) and forwards each connection to 127.0.0.1:`upstream`.
  explicit TcpProxy(std::uint16_t upstream);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  std::uint16_t port() const;
  /// Closes every open connection and, until `restore()`, closes new ones as soon as they are
  /// accepted. Returns once that is so.
  void cut();
  /// Closes every open connection and, until `restore()`, accepts new ones and then neither
  /// forwards nor answers anything on them: a server that hangs.
  void stall();
  /// Forwards new connections again (and closes the ones held by `stall()`).
  void restore();
  /// Connections accepted so far (forwarded or cut).
  std::size_t connections_accepted() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace korder::kclient::integration
