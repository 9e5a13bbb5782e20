#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/clock.h"
#include "korder/base/expected.h"
#include "korder/kclient/api_error.h"
#include "korder/kclient/config.h"
#include "korder/kclient/detail/asio.h"
#include "korder/kclient/http_message.h"

namespace korder::kclient {

/// Limits and timeouts of a Transport. The defaults suit a controller talking to one API server.
struct TransportOptions {
  /// TCP connect plus TLS handshake (client-go: 30 s dial, 10 s TLS handshake).
  std::chrono::nanoseconds connect_timeout = std::chrono::seconds(10);
  /// The default `HttpRequest::timeout` of a request: each of sending it and receiving the whole
  /// response must finish within it.
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(60);
  /// The default response body limit; a larger body fails the request (page big lists).
  std::size_t max_body_bytes = 64 * 1024 * 1024;
  /// The largest response header block accepted.
  std::size_t max_header_bytes = 64 * 1024;
  /// Idle keep-alive connections kept for reuse (client-go: MaxIdleConnsPerHost 25). More
  /// connections may be open at once (one per concurrent request or watch); extra ones are
  /// closed when their request ends.
  std::size_t max_idle_connections = 25;
  /// An idle connection older than this is closed rather than reused (Go: IdleConnTimeout).
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(90);
  std::string user_agent = "korder/0.1";
};

/// Stops a running `Transport::async_stream` from any thread: `stop()` closes the stream's
/// connection on its strand (Boost 1.74 has no per-operation cancellation), and the stream then
/// ends without an error. Thread-safe. Create one per stream with `std::make_shared`.
class StreamControl {
 public:
  /// Stops the stream now, or as soon as it starts if it has not yet. Idempotent.
  void stop();
  bool stopped() const;

  /// Transport use only: registers how to close the running stream (called at once if already
  /// stopped), and forgets it when the stream ends.
  void attach(std::function<void()> closer);
  void detach();

 private:
  mutable absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void()> closer_ ABSL_GUARDED_BY(mu_);
};

/// HTTP/1.1 to one API server (client-go's `http.Transport` + `rest.HTTPClient`), plain or TLS,
/// with a pool of keep-alive connections. Every connection has its own strand, and all its I/O
/// runs there; any number of requests may run concurrently, each on its own connection.
///
/// TLS (for `https` servers): TLS 1.2 or newer; the server is verified against the Config's CA
/// (PEM) or else the system's roots, and its certificate must match the host (or
/// `tls.server_name`, which is also sent as SNI) unless `insecure_skip_verify`; a client
/// certificate is presented when configured. The bearer token (static or read from its file) is
/// sent as `Authorization: Bearer …` and never logged. Responses are not compressed (korder does
/// not send `Accept-Encoding`).
///
/// A request that fails on a reused connection before any response byte arrived (the server
/// closed the idle connection meanwhile) is sent again once on a fresh connection, if nothing
/// was sent or the request is idempotent. No other retries happen here (see RestClient).
///
/// Lifetime: the io_context must outlive the transport, and no request may be running when the
/// transport is destroyed (stop the io_context, or await every call, first).
class Transport {
 public:
  /// Streamed body bytes, delivered in order, as they arrive.
  using OnChunk = std::function<void(std::string_view bytes)>;

  /// Builds a transport for `config.url` with its TLS material and credentials. Errors: TLS
  /// material that OpenSSL rejects (`tls: client key: …`), an unreadable token file.
  /// `clock` (for token-file refreshes) must outlive the transport.
  static Expected<std::unique_ptr<Transport>, ConfigError> create(boost::asio::io_context& io,
                                                                  const Config& config,
                                                                  Clock& clock,
                                                                  TransportOptions options = {});
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  /// Sends `request` and receives the whole response, whatever its status. Errors are only
  /// transport failures: `Transport` (connect, TLS, a connection lost mid-response, a body over
  /// the limit, a malformed response) and `Timeout`. Runs on any executor of the io_context.
  boost::asio::awaitable<Expected<HttpResponse, ApiError>> async_request(HttpRequest request);

  /// Sends `request` on a dedicated connection and, if the answer is 2xx, delivers the body to
  /// `on_chunk` as it arrives, without a size limit, until the server ends it (success), the
  /// connection fails (an error), or `control->stop()` is called (success). A non-2xx answer
  /// is read whole and returned as its ApiError. `on_chunk` runs on the connection's strand
  /// while the awaiting coroutine is suspended; it must not block. For watches. From a
  /// coroutine, pass `on_chunk` as a named variable, not a capturing lambda written inside the
  /// co_await expression (a g++ 12 bug: see korder/kclient/detail/asio.h).
  boost::asio::awaitable<Expected<void, ApiError>> async_stream(
      HttpRequest request, OnChunk on_chunk, std::shared_ptr<StreamControl> control);

  /// The io_context the transport runs on.
  boost::asio::io_context& io_context();
  /// Connections opened so far (for metrics and tests).
  std::size_t connections_opened() const;
  /// Connections idle in the pool now.
  std::size_t idle_connections() const;

  class Impl;
  /// Use `create`.
  explicit Transport(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace korder::kclient
