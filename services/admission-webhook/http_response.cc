#include "http_response.h"

namespace korder::webhook {

std::string_view http_reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
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
