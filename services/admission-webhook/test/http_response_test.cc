#include "http_response.h"

#include <catch2/catch.hpp>
#include <string>

namespace korder::webhook {
namespace {

TEST_CASE("an answer is one complete HTTP/1.1 response with its length", "[unit]") {
  const std::string body = R"({"kind":"AdmissionReview"})";
  CHECK(encode_http_response(200, 11, true, "application/json", body) ==
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 26\r\n"
        "\r\n" +
            body);
  CHECK(encode_http_response(413, 11, false, "text/plain; charset=utf-8", "too large") ==
        "HTTP/1.1 413 Payload Too Large\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: 9\r\n"
        "Connection: close\r\n"
        "\r\n"
        "too large");
  CHECK(encode_http_response(503, 11, true, "text/plain", "") ==
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: "
        "0\r\n\r\n");
}

TEST_CASE("an HTTP/1.0 client is told when the connection stays open", "[unit]") {
  CHECK(encode_http_response(404, 10, true, "text/plain", "x") ==
        "HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n"
        "Connection: keep-alive\r\n\r\nx");
  CHECK(encode_http_response(400, 10, false, "text/plain", "x") ==
        "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\nx");
}

}  // namespace
}  // namespace korder::webhook
