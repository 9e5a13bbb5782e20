#pragma once

// The HTTP request and response as the API handlers see them: plain structs, so Beast stays in
// http_server.cc. A streaming response (watch) writes through ResponseStream.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "asio.h"

namespace korder::devcluster {

/// One parsed HTTP request. `path` is percent-decoded; `query` holds the decoded parameters
/// (the last occurrence wins; `query_all` keeps every occurrence in order).
struct HttpRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE, ...
  std::string target;  // as received: path and query
  std::string path;
  std::map<std::string, std::string> query;
  std::vector<std::pair<std::string, std::string>> query_all;
  std::string accept;
  std::string content_type;
  std::string body;
  /// Other headers a handler may need (lower-case names).
  std::map<std::string, std::string> headers;

  /// The query parameter `name`, or nullopt.
  std::optional<std::string> param(std::string_view name) const;
};

/// A complete (non-streaming) response.
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  /// Extra headers, in order (e.g. `Warning: 299 - "..."`, `Retry-After`).
  std::vector<std::pair<std::string, std::string>> headers;
};

/// The body of a streaming response (chunked transfer encoding), owned by the connection.
/// Used from the connection's strand only.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  /// Sends the status line and headers (`Transfer-Encoding: chunked`). False when the client
  /// is gone.
  virtual Awaitable<bool> start(int status, std::string content_type) = 0;
  /// Sends `data` as one chunk. False when the client is gone.
  virtual Awaitable<bool> write(std::string data) = 0;
  /// Sends the last chunk; the connection may then serve the next request.
  virtual Awaitable<void> finish() = 0;
  /// Registers `callback`, called (on the connection's strand) when the client closes the
  /// connection or the server stops; called at once if that already happened.
  virtual void on_close(std::function<void()> callback) = 0;
  /// The connection's executor (a strand).
  virtual net::any_io_executor executor() = 0;
};

/// What the server calls for every request. A handler either returns a response, or, when
/// `wants_stream(request)` is true, writes to the stream itself.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  /// True when the request is answered by stream() (watches).
  virtual bool wants_stream(const HttpRequest& request) const = 0;
  /// Answers a request.
  virtual Awaitable<HttpResponse> handle(HttpRequest request) = 0;
  /// Answers a streaming request; returns when the stream is done.
  virtual Awaitable<void> stream(HttpRequest request, ResponseStream& out) = 0;
};

/// Decodes `%XX` and (when `plus_is_space`) `+` in `text`; malformed escapes stay as they are.
std::string percent_decode(std::string_view text, bool plus_is_space);

/// Splits `target` into path and query parameters and fills those fields of `request`.
void parse_target(std::string_view target, HttpRequest& request);

}  // namespace korder::devcluster
