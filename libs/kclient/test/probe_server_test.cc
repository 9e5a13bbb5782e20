#include "korder/kclient/probe_server.h"

// clang-format off
#include "korder/kclient/detail/asio.h"  // before any Boost header (STYLE §1)
// clang-format on

#include <atomic>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "korder/kclient/health_checks.h"
#include "korder/kclient/metrics.h"

namespace korder::kclient {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// The process io_context on its own thread, as the Manager runs it.
class IoThread {
 public:
  IoThread() : guard_(net::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~IoThread() {
    guard_.reset();
    io_.stop();
  }
  net::io_context& io() { return io_; }

 private:
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> guard_;
  std::jthread thread_;
};

// A blocking HTTP/1.1 client on one keep-alive connection.
class Client {
 public:
  explicit Client(int port) : socket_(io_) {
    socket_.connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  }

  http::response<http::string_body> send(http::verb method, const std::string& target,
                                         bool keep_alive = true) {
    http::request<http::string_body> request(method, target, 11);
    request.set(http::field::host, "localhost");
    request.keep_alive(keep_alive);
    http::write(socket_, request);
    http::response_parser<http::string_body> parser;
    parser.skip(method == http::verb::head);
    http::read(socket_, buffer_, parser);
    return parser.release();
  }

  void write_raw(const std::string& bytes) { net::write(socket_, net::buffer(bytes)); }

  http::response<http::string_body> read() {
    http::response<http::string_body> response;
    http::read(socket_, buffer_, response);
    return response;
  }

  // Whether the server closed the connection (a read hits end of file).
  bool closed_by_server() {
    boost::system::error_code ec;
    char byte = 0;
    socket_.read_some(net::buffer(&byte, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

 private:
  net::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

ProbeServerOptions loopback() {
  ProbeServerOptions options;
  options.bind_address = "127.0.0.1:0";
  return options;
}

TEST_CASE("the probe server answers healthz, readyz and metrics over one keep-alive connection",
          "[integration][kclient]") {
  IoThread io;
  HealthChecks checks;
  std::atomic<bool> synced{false};
  checks.add_readyz_check("informers-synced", [&]() -> Expected<void, std::string> {
    if (synced) {
      return {};
    }
    return Unexpected(std::string("not synced"));
  });
  MetricsRegistry registry;
  registry.counter("korder_reconcile_total", "Reconciles.", {"controller", "result"})
      .with({"order", "success"})
      .inc();
  ProbeServer server(io.io(), loopback());
  serve_health_checks(server, checks);
  serve_metrics(server, registry);
  REQUIRE(server.start());
  REQUIRE(server.port() > 0);

  Client client(server.port());
  auto response = client.send(http::verb::get, "/healthz");
  CHECK(response.result_int() == 200);
  CHECK(response.body() == "ok");
  CHECK(response.keep_alive());

  response = client.send(http::verb::get, "/readyz");
  CHECK(response.result_int() == 500);
  CHECK(response.body() ==
        "[+]ping ok\n[-]informers-synced failed: reason withheld\nreadyz check failed\n");
  synced = true;
  response = client.send(http::verb::get, "/readyz?verbose");
  CHECK(response.result_int() == 200);
  CHECK(response.body() == "[+]ping ok\n[+]informers-synced ok\nreadyz check passed\n");

  response = client.send(http::verb::get, "/metrics");
  CHECK(response.result_int() == 200);
  CHECK(response[http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(response.body() == registry.expose());

  response = client.send(http::verb::head, "/healthz");
  CHECK(response.result_int() == 200);
  CHECK(response[http::field::content_length] == "2");
  CHECK(response.body().empty());

  CHECK(client.send(http::verb::get, "/nope").result_int() == 404);
  response = client.send(http::verb::post, "/healthz");
  CHECK(response.result_int() == 405);
  CHECK(response[http::field::allow] == "GET, HEAD");

  response = client.send(http::verb::get, "/healthz", /*keep_alive=*/false);
  CHECK(response.result_int() == 200);
  CHECK(client.closed_by_server());
}

TEST_CASE("the probe server answers 431 to an oversized header and closes the connection",
          "[integration][kclient]") {
  IoThread io;
  ProbeServerOptions options = loopback();
  options.max_header_bytes = 512;
  ProbeServer server(io.io(), options);
  HealthChecks checks;
  serve_health_checks(server, checks);
  REQUIRE(server.start());
  Client client(server.port());
  client.write_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(1024, 'a') +
                   "\r\n\r\n");
  const auto response = client.read();
  CHECK(response.result_int() == 431);
  CHECK(client.closed_by_server());
}

TEST_CASE("the probe server answers 400 to a malformed request", "[integration][kclient]") {
  IoThread io;
  ProbeServer server(io.io(), loopback());
  REQUIRE(server.start());
  Client client(server.port());
  client.write_raw("NOT HTTP AT ALL\r\n\r\n");
  CHECK(client.read().result_int() == 400);
  CHECK(client.closed_by_server());
}

TEST_CASE("an idle connection is closed after the read timeout", "[integration][kclient]") {
  IoThread io;
  ProbeServerOptions options = loopback();
  options.read_timeout = std::chrono::milliseconds(50);
  ProbeServer server(io.io(), options);
  REQUIRE(server.start());
  Client client(server.port());
  // Blocks until the server gives up on the silent connection.
  CHECK(client.closed_by_server());
}

TEST_CASE("stopping the probe server closes open connections and refuses new ones",
          "[integration][kclient]") {
  IoThread io;
  ProbeServer server(io.io(), loopback());
  HealthChecks checks;
  serve_health_checks(server, checks);
  REQUIRE(server.start());
  Client client(server.port());
  CHECK(client.send(http::verb::get, "/healthz").result_int() == 200);
  server.stop();
  CHECK(client.closed_by_server());
  net::io_context io2;
  tcp::socket socket(io2);
  boost::system::error_code ec;
  // The listener is closed on the io thread; retry until the refusal shows.
  for (int i = 0; i < 1000 && !ec; ++i) {
    socket = tcp::socket(io2);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                 static_cast<unsigned short>(server.port())),
                   ec);
    if (!ec) {
      char byte = 0;
      socket.read_some(net::buffer(&byte, 1), ec);  // accepted before the close: ends at once
      ec = {};
      std::this_thread::yield();
    }
  }
  CHECK(ec == net::error::connection_refused);
}

TEST_CASE("a bind address that cannot be used is a clear error", "[integration][kclient]") {
  IoThread io;
  ProbeServer first(io.io(), loopback());
  REQUIRE(first.start());
  ProbeServerOptions taken;
  taken.bind_address = "127.0.0.1:" + std::to_string(first.port());
  ProbeServer second(io.io(), taken);
  const auto result = second.start();
  REQUIRE_FALSE(result);
  CHECK(result.error().find("listening on 127.0.0.1:") == 0);

  ProbeServerOptions bad;
  bad.bind_address = "no-port";
  ProbeServer third(io.io(), bad);
  const auto malformed = third.start();
  REQUIRE_FALSE(malformed);
  CHECK(malformed.error() == "bind address \"no-port\" is not host:port");
}

}  // namespace
}  // namespace korder::kclient
