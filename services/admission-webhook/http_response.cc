#include "http_response.h"

#include <ostream>  // Boost 1.74's status.hpp uses std::ostream without including it
// clang-format off
#include <boost/beast/http/status.hpp>
// clang-format on

namespace korder::webhook {
namespace http = boost::beast::http;

std::string_view http_reason(int status) {
  const auto reason = http::obsolete_reason(static_cast<http::status>(status));
  return {reason.data(), reason.size()};
}

std::string encode_http_response(int status, unsigned version, bool keep_alive,
                                 std::string_view content_type, std::string_view body) {
  const std::string code = std::to_string(status);
  const std::string length = std::to_string(body.size());
  const std::string_view reason = http_reason(status);
  std::string connection;
  if (version >= 11 && !keep_alive) {
    connection = "Connection: close\r\n";
  } else if (version < 11 && keep_alive) {
    connection = "Connection: keep-alive\r\n";
  }
  std::string out;
  out.reserve(64 + reason.size() + content_type.size() + connection.size() + body.size());
  out.append(version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ");
  out.append(code).append(" ").append(reason).append("\r\n");
  out.append("Content-Type: ").append(content_type).append("\r\n");
  out.append("Content-Length: ").append(length).append("\r\n");
  out.append(connection).append("\r\n");
  out.append(body);
  return out;
}

}  // namespace korder::webhook
