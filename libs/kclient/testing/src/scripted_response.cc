#include <cstdio>
#include <string>
#include <utility>

#include "korder/kclient/testing/scripted_api_server.h"

namespace korder::kclient::testing {
namespace {

std::string reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

std::string head(int status, const std::vector<HttpHeader>& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
  out += "Content-Type: application/json\r\n";
  for (const auto& [name, value] : headers) {
    out += name + ": " + value + "\r\n";
  }
  return out;
}

std::string chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  return size + data + "\r\n";
}

}  // namespace

ScriptedResponse ScriptedResponse::json(int status, std::string body,
                                        std::vector<HttpHeader> headers) {
  ScriptedResponse response;
  response.pieces.push_back(
      {std::chrono::milliseconds(0), head(status, headers) + "Content-Length: " +
                                         std::to_string(body.size()) + "\r\n\r\n" + body});
  return response;
}

ScriptedResponse ScriptedResponse::chunked(int status, const std::vector<std::string>& chunks,
                                           std::vector<HttpHeader> headers) {
  std::string bytes = head(status, headers) + "Transfer-Encoding: chunked\r\n\r\n";
  for (const std::string& data : chunks) {
    bytes += chunk(data);
  }
  bytes += "0\r\n\r\n";
  ScriptedResponse response;
  response.pieces.push_back({std::chrono::milliseconds(0), std::move(bytes)});
  return response;
}

ScriptedResponse ScriptedResponse::open_stream(const std::vector<std::string>& chunks) {
  std::string bytes = head(200, {}) + "Transfer-Encoding: chunked\r\n\r\n";
  for (const std::string& data : chunks) {
    bytes += chunk(data);
  }
  ScriptedResponse response;
  response.pieces.push_back({std::chrono::milliseconds(0), std::move(bytes)});
  response.after = After::HoldOpen;
  return response;
}

ScriptedResponse ScriptedResponse::dropped() {
  ScriptedResponse response;
  response.after = After::Close;
  return response;
}

ScriptedResponse ScriptedResponse::raw(std::string bytes, After after) {
  ScriptedResponse response;
  response.pieces.push_back({std::chrono::milliseconds(0), std::move(bytes)});
  response.after = after;
  return response;
}

ScriptedResponse& ScriptedResponse::split_every(std::size_t n, std::chrono::milliseconds gap) {
  std::string all;
  const auto first_delay = pieces.empty() ? std::chrono::milliseconds(0) : pieces[0].delay;
  for (const Piece& piece : pieces) {
    all += piece.bytes;
  }
  pieces.clear();
  for (std::size_t at = 0; at < all.size(); at += n) {
    pieces.push_back({at == 0 ? first_delay : gap, all.substr(at, n)});
  }
  return *this;
}

ScriptedResponse& ScriptedResponse::delayed(std::chrono::milliseconds delay) {
  if (pieces.empty()) {
    pieces.push_back({delay, ""});
  } else {
    pieces[0].delay = delay;
  }
  return *this;
}

}  // namespace korder::kclient::testing
