#include "http_connection.h"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <limits>
#include <utility>

#include "tls_context.h"

namespace korder::kclient::detail {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

std::string to_std(beast::string_view s) { return std::string(s.data(), s.size()); }

std::string format_duration(std::chrono::nanoseconds d) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  if (d % seconds(1) == std::chrono::nanoseconds::zero()) {
    return std::to_string(std::chrono::duration_cast<seconds>(d).count()) + "s";
  }
  return std::to_string(std::chrono::duration_cast<milliseconds>(d).count()) + "ms";
}

HttpResponse to_response(http::response<http::string_body>& message) {
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.emplace_back(to_std(field.name_string()), to_std(field.value()));
  }
  response.body = std::move(message.body());
  return response;
}

}  // namespace

HttpConnection::HttpConnection(net::io_context& io, net::ssl::context* tls_context,
                               Endpoint endpoint)
    : strand_(net::make_strand(io)),
      endpoint_(std::move(endpoint)),
      idle_since_(std::chrono::steady_clock::now()) {
  if (endpoint_.tls) {
    tls_.emplace(strand_, *tls_context);
  } else {
    plain_.emplace(strand_);
  }
}

beast::tcp_stream& HttpConnection::lowest_layer() {
  return tls_ ? beast::get_lowest_layer(*tls_) : *plain_;
}

void HttpConnection::expire_after(std::chrono::nanoseconds timeout) {
  last_timeout_ = timeout;
  if (timeout <= std::chrono::nanoseconds::zero()) {
    lowest_layer().expires_never();
  } else {
    lowest_layer().expires_after(timeout);
  }
}

ApiError HttpConnection::io_error(std::string_view step, const error_code& ec) const {
  const std::string where = std::string(step) + " " + endpoint_.authority + ": ";
  if (ec == beast::error::timeout) {
    return ApiError::timeout(where + "timed out after " + format_duration(last_timeout_));
  }
  if (ec == http::error::body_limit) {
    return ApiError::transport(where + "the response body is larger than the limit");
  }
  if (ec == http::error::header_limit) {
    return ApiError::transport(where + "the response header is larger than the limit");
  }
  return ApiError::transport(where + ec.message());
}

net::awaitable<Expected<void, ApiError>> HttpConnection::connect(std::chrono::nanoseconds timeout) {
  error_code ec;
  net::ip::tcp::resolver resolver(strand_);
  const auto endpoints = co_await resolver.async_resolve(
      endpoint_.host, endpoint_.port, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    co_return Unexpected(ApiError::transport("resolving " + endpoint_.host + ": " + ec.message()));
  }
  expire_after(timeout);
  co_await lowest_layer().async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    co_return Unexpected(io_error("connecting to", ec));
  }
  error_code ignored;
  lowest_layer().socket().set_option(net::ip::tcp::no_delay(true), ignored);
  if (!tls_) {
    co_return Expected<void, ApiError>();
  }
  if (!prepare_tls_session(tls_->native_handle(), endpoint_.tls_name, endpoint_.verify)) {
    co_return Unexpected(ApiError::transport("TLS with " + endpoint_.authority +
                                             ": invalid server name \"" + endpoint_.tls_name +
                                             "\""));
  }
  expire_after(timeout);
  co_await tls_->async_handshake(net::ssl::stream_base::client,
                                 net::redirect_error(net::use_awaitable, ec));
  if (ec == beast::error::timeout) {
    co_return Unexpected(io_error("TLS handshake with", ec));
  }
  if (ec) {
    co_return Unexpected(ApiError::transport("TLS handshake with " + endpoint_.authority + ": " +
                                             describe_tls_failure(ec, tls_->native_handle())));
  }
  co_return Expected<void, ApiError>();
}

net::awaitable<ExchangeOutcome> HttpConnection::exchange(const BeastRequest& request,
                                                         ExchangeLimits limits) {
  if (tls_) {
    co_return co_await exchange_on(*tls_, request, limits);
  }
  co_return co_await exchange_on(*plain_, request, limits);
}

template <typename Stream>
net::awaitable<ExchangeOutcome> HttpConnection::exchange_on(Stream& stream,
                                                            const BeastRequest& request,
                                                            ExchangeLimits limits) {
  ExchangeOutcome out;
  error_code ec;
  expire_after(limits.timeout);
  const std::size_t written =
      co_await http::async_write(stream, request, net::redirect_error(net::use_awaitable, ec));
  out.bytes_sent = written > 0;
  if (ec) {
    out.result = Unexpected(io_error("sending the request to", ec));
    co_return out;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(limits.max_body_bytes);
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  // One timeout for the whole response: the header and the body share the deadline.
  expire_after(limits.timeout);
  co_await http::async_read_header(stream, buffer_, parser,
                                   net::redirect_error(net::use_awaitable, ec));
  out.response_started = parser.got_some();
  if (!ec && parser.content_length().value_or(0) > limits.max_body_bytes) {
    // Beast 1.74 does not enforce body_limit against a Content-Length when it parses eagerly
    // (http::read), only against chunks, so the declared length is checked here.
    ec = http::error::body_limit;
  }
  if (!ec) {
    co_await http::async_read(stream, buffer_, parser, net::redirect_error(net::use_awaitable, ec));
  }
  if (ec) {
    out.result = Unexpected(io_error("reading the response from", ec));
    co_return out;
  }
  out.keep_alive = parser.get().keep_alive();
  out.result = to_response(parser.get());
  co_return out;
}

net::awaitable<Expected<void, ApiError>> HttpConnection::stream(const BeastRequest& request,
                                                                ExchangeLimits limits,
                                                                const ChunkSink& sink) {
  if (tls_) {
    co_return co_await stream_on(*tls_, request, limits, sink);
  }
  co_return co_await stream_on(*plain_, request, limits, sink);
}

template <typename Stream>
net::awaitable<Expected<void, ApiError>> HttpConnection::stream_on(Stream& stream,
                                                                   const BeastRequest& request,
                                                                   ExchangeLimits limits,
                                                                   const ChunkSink& sink) {
  error_code ec;
  expire_after(limits.timeout);
  co_await http::async_write(stream, request, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    co_return Unexpected(io_error("sending the request to", ec));
  }
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  expire_after(limits.timeout);
  co_await http::async_read_header(stream, buffer_, parser,
                                   net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    co_return Unexpected(io_error("reading the response from", ec));
  }
  const int status = static_cast<int>(parser.get().result_int());
  const bool ok = status >= 200 && status < 300;
  std::string error_body;
  std::array<char, 16 * 1024> chunk;
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    // The timeout of a stream bounds the silence between reads, so a long watch lives on.
    expire_after(limits.stream_idle_timeout);
    co_await http::async_read_some(stream, buffer_, parser,
                                   net::redirect_error(net::use_awaitable, ec));
    if (ec == http::error::need_buffer) {
      ec = {};
    }
    const std::size_t n = chunk.size() - parser.get().body().size;
    if (ok && n > 0) {
      sink(std::string_view(chunk.data(), n));
    } else if (n > 0 && error_body.size() < limits.max_body_bytes) {
      error_body.append(chunk.data(), n);
    }
    if (ec) {
      co_return Unexpected(io_error("reading the stream from", ec));
    }
    if (!ok && error_body.size() >= limits.max_body_bytes) {
      break;
    }
  }
  if (!ok) {
    const auto retry_after = parse_retry_after(to_std(parser.get()[http::field::retry_after]));
    co_return Unexpected(
        ApiError::from_response(status, error_body, to_std(request.method_string()), retry_after));
  }
  co_return Expected<void, ApiError>();
}

void HttpConnection::close() {
  error_code ignored;
  lowest_layer().socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  lowest_layer().close();
}

bool HttpConnection::usable_when_idle() {
  auto& socket = lowest_layer().socket();
  if (!socket.is_open() || buffer_.size() > 0) {
    return false;
  }
  char byte = 0;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  // 0: the peer closed it; > 0: it sent something unasked; EAGAIN: quiet and open.
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace korder::kclient::detail
