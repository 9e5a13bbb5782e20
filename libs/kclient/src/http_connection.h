#pragma once

// Private to the transport: one HTTP/1.1 connection to the API server (Beast), plain or TLS.

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "korder/base/expected.h"
#include "korder/kclient/api_error.h"
#include "korder/kclient/detail/asio_ssl.h"
#include "korder/kclient/http_message.h"

namespace korder::kclient::detail {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

/// Where a connection goes.
struct Endpoint {
  std::string host;  // to resolve and connect to
  std::string port;
  std::string authority;  // host:port, for messages
  bool tls = false;
  std::string tls_name;  // the name sent as SNI and verified (host, or tls-server-name)
  bool verify = true;    // verify the server's name (off with insecure-skip-tls-verify)
};

/// The limits of one exchange.
struct ExchangeLimits {
  std::chrono::nanoseconds timeout{};  // per I/O step: the write, the whole response (zero: none)
  std::size_t max_body_bytes = 0;      // of a whole response (a stream: of an error response)
  std::size_t max_header_bytes = 0;
  std::chrono::nanoseconds stream_idle_timeout{};  // a stream: the longest silence (zero: none)
};

/// What an exchange did besides its result; decides whether a failed request may be resent.
struct ExchangeOutcome {
  Expected<HttpResponse, ApiError> result;
  bool bytes_sent = false;        // some of the request reached the socket
  bool response_started = false;  // some of the response arrived
  bool keep_alive = false;        // the connection may carry another request
};

/// One connection and its strand (Beast's session-per-connection shape). All coroutines below
/// must run on `strand()`, one at a time; the owner keeps the object alive (a shared_ptr) while
/// one runs. Idle checks and destruction happen only while nothing runs.
class HttpConnection {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using ChunkSink = std::function<void(std::string_view)>;

  /// `tls_context` is required when `endpoint.tls` and must outlive the connection.
  HttpConnection(boost::asio::io_context& io, boost::asio::ssl::context* tls_context,
                 Endpoint endpoint);

  const Strand& strand() const { return strand_; }

  /// Resolves, connects and (for TLS) handshakes, within `timeout` per step.
  boost::asio::awaitable<Expected<void, ApiError>> connect(std::chrono::nanoseconds timeout);

  /// Writes `request` and reads the whole response within `limits`.
  boost::asio::awaitable<ExchangeOutcome> exchange(const BeastRequest& request,
                                                   ExchangeLimits limits);

  /// Writes `request`; on a 2xx answer feeds the body to `sink` as it arrives (no size limit)
  /// until the body ends or the connection fails or is closed. A non-2xx answer is read whole
  /// (within `limits.max_body_bytes`) and returned as its ApiError.
  boost::asio::awaitable<Expected<void, ApiError>> stream(const BeastRequest& request,
                                                          ExchangeLimits limits,
                                                          const ChunkSink& sink);

  /// Closes the socket: pending operations end with `operation_aborted`. On the strand.
  void close();

  /// For a connection parked in the pool: whether it can carry a request, i.e. the peer has
  /// neither closed it nor sent anything unasked (a TLS close_notify, an HTTP 408). Uses a
  /// non-blocking peek; only while no operation is pending.
  bool usable_when_idle();

  /// When the connection last finished an exchange (for the pool's idle timeout).
  std::chrono::steady_clock::time_point idle_since() const { return idle_since_; }
  void mark_idle() { idle_since_ = std::chrono::steady_clock::now(); }

 private:
  template <typename Stream>
  boost::asio::awaitable<ExchangeOutcome> exchange_on(Stream& stream, const BeastRequest& request,
                                                      ExchangeLimits limits);
  template <typename Stream>
  boost::asio::awaitable<Expected<void, ApiError>> stream_on(Stream& stream,
                                                             const BeastRequest& request,
                                                             ExchangeLimits limits,
                                                             const ChunkSink& sink);
  boost::beast::tcp_stream& lowest_layer();
  /// Arms the stream's timer for the next operation (zero: no limit).
  void expire_after(std::chrono::nanoseconds timeout);
  ApiError io_error(std::string_view step, const boost::system::error_code& ec) const;

  Strand strand_;
  Endpoint endpoint_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  boost::beast::flat_buffer buffer_;
  std::chrono::nanoseconds last_timeout_{};
  std::chrono::steady_clock::time_point idle_since_;
};

}  // namespace korder::kclient::detail
