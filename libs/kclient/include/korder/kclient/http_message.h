#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace korder::kclient {

/// An HTTP header (name as written; names compare case-insensitively).
using HttpHeader = std::pair<std::string, std::string>;

/// One request to the API server, as the REST client builds it. Plain data; the transport adds
/// `Host`, `User-Agent`, `Authorization`, `Accept` (when not given) and `Content-Length`.
struct HttpRequest {
  // Not an aggregate: see api_options.h on g++ 12 and co_await.
  HttpRequest() = default;

  /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE`.
  std::string method = "GET";
  /// The path and query, already escaped: `/api/v1/namespaces/default/pods?limit=500`. The
  /// server URL's base path is prepended by the transport.
  std::string target;
  /// The body's media type (`application/json`, a patch type); sent when the body is not empty.
  std::string content_type;
  std::string body;
  /// Further headers (never `Authorization`: the transport owns credentials).
  std::vector<HttpHeader> headers;
  /// For a request: the time allowed for each I/O step (sending the request, then receiving the
  /// whole response; also connecting, when it is shorter than `TransportOptions::connect_timeout`
  /// and the request needs a new connection); unset means `TransportOptions::request_timeout`.
  /// For a stream: the longest silence allowed between two reads; unset means no limit.
  std::optional<std::chrono::nanoseconds> timeout;
  /// The largest response body accepted; unset means `TransportOptions::max_body_bytes`.
  std::optional<std::size_t> max_body_bytes;
  /// Whether sending the request twice is harmless (GET; PUT/DELETE with preconditions). Only
  /// then does the transport resend a request that a reused connection failed after sending it.
  bool idempotent = false;
};

/// A complete response (any status: the REST client turns error statuses into ApiErrors).
struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;
  std::string body;

  /// The value of the first header named `name` (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
};

/// The `Retry-After` header of a response in whole seconds (the delay-seconds form; the
/// HTTP-date form is ignored, as client-go does), if present and valid.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

}  // namespace korder::kclient
