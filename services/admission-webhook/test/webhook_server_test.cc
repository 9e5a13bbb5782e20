// WebhookServer in process, seen only from the wire: a blocking TLS client in the test thread
// writes raw HTTP/1.x bytes (so it decides pipelining, slowness and malformed input) against a
// server on a loopback port, and checks the answers, the connection closes and their timing.
// It must hold for any implementation of webhook_server.cc: nothing here knows its internals.

#include "webhook_server.h"

// clang-format off
#include "korder/kclient/detail/asio_ssl.h"  // before any other Boost header (STYLE §1)
// clang-format on

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "process.h"

namespace korder::webhook {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using boost::system::error_code;
using net::ip::tcp;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kHost = "korder-webhook.korder-system.svc";
constexpr const char* kSlowTarget = "/slow";
constexpr milliseconds kSlowAnswer{300};
// The longest any single client step may take before the test calls it a hang.
constexpr milliseconds kStep{5000};
// The short timeouts of the timeout tests, and the loose bounds their closes must fall within.
constexpr milliseconds kShortTimeout{300};
constexpr milliseconds kNotBefore = kShortTimeout / 2;
constexpr milliseconds kNotAfter{5000};

// scripts/certs.sh, run once per test binary (a CA and the webhook's serving certificate).
struct Certificates {
  Certificates() {
    const auto made = korder::testing::run_command(
        {"bash", korder::testing::source_dir() + "/scripts/certs.sh", dir.path()}, {},
        std::chrono::seconds(60));
    if (made.exit_code != 0) {
      throw std::runtime_error("scripts/certs.sh failed: " + made.err);
    }
  }
  std::string ca() const { return dir.path() + "/ca.crt"; }
  std::string cert() const { return dir.path() + "/webhook.crt"; }
  std::string key() const { return dir.path() + "/webhook.key"; }

  korder::testing::TempDir dir;
};

const Certificates& certificates() {
  static const Certificates certs;
  return certs;
}

// FNV-1a, so the answer proves the body arrived intact without echoing a megabyte back.
std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : bytes) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  return hash;
}

// The body EchoHandler answers for a request.
std::string echo_of(std::string_view method, std::string_view target, std::string_view content_type,
                    std::string_view body) {
  return "method=" + std::string(method) + " target=" + std::string(target) +
         " content-type=" + std::string(content_type) + " length=" + std::to_string(body.size()) +
         " fnv=" + std::to_string(fnv1a(body));
}

// Answers every request with what it received; "/slow" answers after kSlowAnswer.
class EchoHandler final : public RequestHandler {
 public:
  net::awaitable<WebhookAnswer> handle(WebhookRequest request) override {
    if (request.target == kSlowTarget) {
      net::steady_timer timer(co_await net::this_coro::executor);
      timer.expires_after(kSlowAnswer);
      error_code ec;
      co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
    }
    WebhookAnswer answer;
    answer.content_type = "text/plain";
    answer.body = echo_of(request.method, request.target, request.content_type, request.body);
    co_return answer;
  }
};

// The options of every test: loopback, a free port, the test certificate, one io thread.
WebhookServerOptions test_options() {
  WebhookServerOptions options;
  options.bind_address = "127.0.0.1:0";
  options.tls_cert_file = certificates().cert();
  options.tls_key_file = certificates().key();
  options.single_threaded_io = true;
  return options;
}

// A started WebhookServer on its own io_context, run by `threads` threads, as the daemon runs it.
class ServerUnderTest {
 public:
  explicit ServerUnderTest(WebhookServerOptions options, int threads = 1)
      : work_(net::make_work_guard(io_)),
        server_(std::make_unique<WebhookServer>(io_, std::move(options), handler_)) {
    const auto started = server_->start();
    if (!started) {
      throw std::runtime_error("start: " + started.error());
    }
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
  }

  ~ServerUnderTest() {
    server_->shutdown();
    server_->wait_idle(kStep);
    work_.reset();
    io_.stop();
    for (auto& thread : threads_) {
      thread.join();
    }
    server_.reset();
  }

  ServerUnderTest(const ServerUnderTest&) = delete;
  ServerUnderTest& operator=(const ServerUnderTest&) = delete;

  WebhookServer& server() { return *server_; }
  int port() const { return server_->port(); }

 private:
  EchoHandler handler_;
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::unique_ptr<WebhookServer> server_;
  std::vector<std::thread> threads_;
};

// The raw bytes of one request with a Content-Length.
std::string request_bytes(std::string_view method, std::string_view target, std::string_view body,
                          std::string_view extra_headers = "", std::string_view version = "1.1") {
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/").append(version).append("\r\n");
  out.append("Host: ").append(kHost).append("\r\n");
  out.append("Content-Type: application/json\r\n");
  out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  out.append(extra_headers).append("\r\n");
  out.append(body);
  return out;
}

std::string post(std::string_view target, std::string_view body,
                 std::string_view extra_headers = "") {
  return request_bytes("POST", target, body, extra_headers);
}

// How the client's TLS is set up.
struct ClientTls {
  ClientTls() = default;

  int min_version = 0;  // 0: OpenSSL's range
  int max_version = 0;
  // Security level 0 and every cipher, so that the client can offer TLS 1.0/1.1 at all and a
  // refused handshake is the server's doing.
  bool legacy = false;
};

// How the server ended a connection, as the client saw it.
struct Closed {
  error_code ec;     // timed_out: still open at the client's deadline
  std::string data;  // whatever arrived before the end
  Clock::time_point at;

  bool closed() const { return ec && ec != net::error::timed_out; }
};

// A blocking client on its own io_context: every step is an asynchronous operation run until it
// completes or its deadline passes (then the socket is closed and the step fails with timed_out),
// so no test can hang on the server.
class Client {
 public:
  explicit Client(int port, ClientTls options = {})
      : port_(port), tls_(ssl::context::tls_client), stream_(io_, tls_) {
    // The stream's SSL object already exists: its own settings, not the context's, count.
    SSL* ssl = stream_.native_handle();
    if (options.legacy) {
      SSL_set_security_level(ssl, 0);
      SSL_set_cipher_list(ssl, "ALL:@SECLEVEL=0");
    }
    if (options.min_version != 0) {
      SSL_set_min_proto_version(ssl, options.min_version);
    }
    if (options.max_version != 0) {
      SSL_set_max_proto_version(ssl, options.max_version);
    }
    tls_.load_verify_file(certificates().ca());
    stream_.set_verify_mode(ssl::verify_peer);
    stream_.set_verify_callback(ssl::host_name_verification(kHost));
    SSL_set_tlsext_host_name(ssl, kHost);
  }

  error_code connect() {
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"),
                                 static_cast<unsigned short>(port_));
    const error_code ec =
        run([&](auto done) { stream_.next_layer().async_connect(endpoint, done); }, kStep);
    if (!ec) {
      error_code ignored;
      stream_.next_layer().set_option(tcp::no_delay(true), ignored);  // small writes stay small
    }
    return ec;
  }

  error_code handshake() {
    return run([&](auto done) { stream_.async_handshake(ssl::stream_base::client, done); }, kStep);
  }

  error_code open() {
    error_code ec = connect();
    return ec ? ec : handshake();
  }

  error_code write(std::string_view bytes) {
    return run([&](auto done) { net::async_write(stream_, net::buffer(bytes), done); }, kStep);
  }

  // Over TCP, bypassing TLS.
  error_code write_raw(std::string_view bytes) {
    return run([&](auto done) { net::async_write(stream_.next_layer(), net::buffer(bytes), done); },
               kStep);
  }

  // Reads one response (bytes after it stay buffered for the next call).
  http::response<http::string_body> read_response(error_code& ec) {
    http::response_parser<http::string_body> parser;
    ec = run([&](auto done) { http::async_read(stream_, buffer_, parser, done); }, kStep);
    return parser.release();
  }

  // Reads one response and fails the test unless it arrived.
  http::response<http::string_body> response() {
    error_code ec;
    auto message = read_response(ec);
    INFO("reading a response: " << ec.message());
    REQUIRE_FALSE(ec);
    return message;
  }

  // Reads until the server ends the connection (TLS or, with `raw`, plain TCP) or `timeout`.
  Closed wait_closed(milliseconds timeout = kStep, bool raw = false) {
    Closed out;
    out.data = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    const auto deadline = Clock::now() + timeout;
    std::array<char, 4096> chunk{};
    while (!out.ec) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        out.ec = net::error::timed_out;
        break;
      }
      std::size_t n = 0;
      out.ec = run(
          [&](auto done) {
            if (raw) {
              stream_.next_layer().async_read_some(net::buffer(chunk), done);
            } else {
              stream_.async_read_some(net::buffer(chunk), done);
            }
          },
          left, &n);
      out.data.append(chunk.data(), n);
    }
    out.at = Clock::now();
    return out;
  }

  SSL* native() { return stream_.native_handle(); }

 private:
  // Completion of one operation, with or without a byte count.
  struct Done {
    std::optional<error_code>* result;
    std::size_t* bytes;
    void operator()(error_code ec) const { *result = ec; }
    void operator()(error_code ec, std::size_t n) const {
      *result = ec;
      *bytes = n;
    }
  };

  template <class Start>
  error_code run(Start start, milliseconds timeout, std::size_t* bytes = nullptr) {
    std::optional<error_code> result;
    std::size_t ignored_bytes = 0;
    start(Done{&result, bytes != nullptr ? bytes : &ignored_bytes});
    io_.restart();
    io_.run_for(timeout);
    if (!result) {
      error_code ignored;
      stream_.next_layer().close(ignored);
      io_.restart();
      io_.run();  // the aborted operation completes
      return net::error::timed_out;
    }
    return *result;
  }

  int port_;
  net::io_context io_;
  ssl::context tls_;
  ssl::stream<tcp::socket> stream_;
  beast::flat_buffer buffer_;
};

milliseconds since(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration_cast<milliseconds>(end - start);
}

// One fresh connection gets a 200 for a small POST (the server still serves).
void require_serves(int port) {
  Client client(port);
  REQUIRE_FALSE(client.open());
  REQUIRE_FALSE(client.write(post("/after", "{}")));
  const auto answer = client.response();
  CHECK(answer.result_int() == 200);
  CHECK(answer.body() == echo_of("POST", "/after", "application/json", "{}"));
}

// The server ends the connection with nothing more after the last answer (`after` names it).
void check_closed_after(Client& client, const std::string& after) {
  const Closed closed = client.wait_closed();
  INFO("after " << after << ": " << closed.ec.message());
  CHECK(closed.closed());
  CHECK(closed.data.empty());
}

// An error answer that ends the connection: `status`, Connection: close, then the end.
void require_error_then_close(Client& client, unsigned status) {
  const auto answer = client.response();
  CHECK(answer.result_int() == status);
  CHECK_FALSE(answer.keep_alive());
  check_closed_after(client, "the " + std::to_string(status) + " answer");
}

TEST_CASE("a keep-alive connection serves requests until the client asks to close",
          "[integration][webhook]") {
  ServerUnderTest server(test_options());
  Client client(server.port());
  REQUIRE_FALSE(client.open());

  for (const std::string& body : std::vector<std::string>{"{\"n\":1}", "{\"n\":22}"}) {
    REQUIRE_FALSE(client.write(post("/mutate-pods", body)));
    const auto answer = client.response();
    CHECK(answer.result_int() == 200);
    CHECK(answer.keep_alive());
    CHECK(answer[http::field::content_type] == "text/plain");
    CHECK(answer.body() == echo_of("POST", "/mutate-pods", "application/json", body));
  }

  REQUIRE_FALSE(client.write(post("/validate", "{\"n\":333}", "Connection: close\r\n")));
  const auto last = client.response();
  CHECK(last.result_int() == 200);
  CHECK_FALSE(last.keep_alive());
  CHECK(last.body() == echo_of("POST", "/validate", "application/json", "{\"n\":333}"));
  check_closed_after(client, "the Connection: close answer");
}

TEST_CASE("pipelined requests written at once are answered in order", "[integration][webhook]") {
  ServerUnderTest server(test_options());
  Client client(server.port());
  REQUIRE_FALSE(client.open());

  REQUIRE_FALSE(client.write(post("/one", "first") + request_bytes("PUT", "/two?x=1", "second!")));
  const auto first = client.response();
  const auto second = client.response();
  CHECK(first.result_int() == 200);
  CHECK(first.body() == echo_of("POST", "/one", "application/json", "first"));
  CHECK(second.result_int() == 200);
  CHECK(second.body() == echo_of("PUT", "/two?x=1", "application/json", "second!"));
  CHECK(second.keep_alive());
}

TEST_CASE("a request arriving in many small writes within the read timeout is answered",
          "[integration][webhook]") {
  auto options = test_options();
  options.read_timeout = std::chrono::seconds(3);
  ServerUnderTest server(options);
  Client client(server.port());
  REQUIRE_FALSE(client.open());

  std::string body;
  for (int i = 0; i < 300; ++i) {
    body.push_back(static_cast<char>('a' + i % 26));
  }
  const std::string bytes = post("/split", body);
  const std::size_t header_end = bytes.find("\r\n\r\n") + 4;
  std::size_t at = 0;
  for (; at < 12; ++at) {  // the request line's first bytes one TLS record each
    REQUIRE_FALSE(client.write(bytes.substr(at, 1)));
    std::this_thread::sleep_for(milliseconds(5));
  }
  REQUIRE_FALSE(client.write(bytes.substr(at, header_end - 20 - at)));
  std::this_thread::sleep_for(milliseconds(5));
  REQUIRE_FALSE(client.write(bytes.substr(header_end - 20, 20)));
  for (at = header_end; at < bytes.size(); at += 37) {
    std::this_thread::sleep_for(milliseconds(5));
    REQUIRE_FALSE(client.write(bytes.substr(at, 37)));
  }

  const auto answer = client.response();
  CHECK(answer.result_int() == 200);
  CHECK(answer.body() == echo_of("POST", "/split", "application/json", body));
}

TEST_CASE("requests over the limits or malformed get an error answer and lose the connection",
          "[integration][webhook]") {
  auto options = test_options();
  options.max_body_bytes = 1024;
  options.max_header_bytes = 2048;
  ServerUnderTest server(options);

  SECTION("a body of exactly the limit is accepted") {
    Client client(server.port());
    REQUIRE_FALSE(client.open());
    const std::string body(1024, 'x');
    REQUIRE_FALSE(client.write(post("/limit", body)));
    const auto answer = client.response();
    CHECK(answer.result_int() == 200);
    CHECK(answer.body() == echo_of("POST", "/limit", "application/json", body));
  }
  SECTION("a larger body: 413") {
    Client client(server.port());
    REQUIRE_FALSE(client.open());
    REQUIRE_FALSE(client.write(post("/big", std::string(2048, 'x'))));
    require_error_then_close(client, 413);
  }
  SECTION("a far larger body sent whole: 413, not a connection reset") {
    // The client is still writing when the answer is ready; the server must take the rest of
    // the body in so that the client gets to read the 413.
    Client client(server.port());
    REQUIRE_FALSE(client.open());
    REQUIRE_FALSE(client.write(post("/huge", std::string(512 * 1024, 'x'))));
    require_error_then_close(client, 413);
  }
  SECTION("a larger header block: 431") {
    Client client(server.port());
    REQUIRE_FALSE(client.open());
    const std::string padding = "X-Padding: " + std::string(4096, 'p') + "\r\n";
    REQUIRE_FALSE(client.write(post("/big-header", "{}", padding)));
    require_error_then_close(client, 431);
  }
  SECTION("a request line that is not HTTP: 400") {
    Client client(server.port());
    REQUIRE_FALSE(client.open());
    REQUIRE_FALSE(client.write("NOT HTTP\r\n\r\n"));
    require_error_then_close(client, 400);
  }
  require_serves(server.port());
}

TEST_CASE("a client that stops mid-body is cut off after the read timeout",
          "[integration][webhook]") {
  auto options = test_options();
  options.read_timeout = kShortTimeout;
  ServerUnderTest server(options);
  Client client(server.port());
  REQUIRE_FALSE(client.open());

  const std::string whole = post("/partial", std::string(100, 'b'));
  const auto sent = Clock::now();
  REQUIRE_FALSE(client.write(whole.substr(0, whole.size() - 60)));
  const Closed closed = client.wait_closed(kNotAfter);
  INFO(closed.ec.message() << " after " << since(sent, closed.at).count() << " ms");
  CHECK(closed.closed());
  CHECK(since(sent, closed.at) >= kNotBefore);
  // Nothing, or a 408 the client can read, but never an answer to half a request.
  CHECK((closed.data.empty() || closed.data.rfind("HTTP/1.1 408", 0) == 0));
  require_serves(server.port());
}

TEST_CASE("a client trickling its request is cut off about the read timeout after its first byte",
          "[integration][webhook]") {
  auto options = test_options();
  options.read_timeout = kShortTimeout;
  ServerUnderTest server(options);
  Client client(server.port());
  REQUIRE_FALSE(client.open());

  // A byte every 40 ms never leaves the connection quiet for the read timeout, but the request
  // never ends either. Once the server has closed, a write fails (the peer resets).
  const std::string bytes = post("/trickle", std::string(1000, 't'));
  const auto first = Clock::now();
  error_code ec;
  std::size_t at = 0;
  for (; at < bytes.size() && !ec && Clock::now() - first < kNotAfter; ++at) {
    ec = client.write(bytes.substr(at, 1));
    std::this_thread::sleep_for(milliseconds(40));
  }
  INFO("write " << at << ": " << ec.message() << " after " << since(first, Clock::now()).count()
                << " ms");
  REQUIRE(ec);
  CHECK(since(first, Clock::now()) >= kNotBefore);
}

TEST_CASE("idle connections are closed after the idle and handshake timeouts",
          "[integration][webhook]") {
  auto options = test_options();
  options.idle_timeout = kShortTimeout;
  options.handshake_timeout = kShortTimeout;
  ServerUnderTest server(options);

  SECTION("a keep-alive connection waiting for its next request") {
    Client client(server.port());
    REQUIRE_FALSE(client.open());
    REQUIRE_FALSE(client.write(post("/once", "{}")));
    CHECK(client.response().result_int() == 200);
    const auto answered = Clock::now();
    const Closed closed = client.wait_closed(kNotAfter);
    INFO(closed.ec.message() << " after " << since(answered, closed.at).count() << " ms");
    CHECK(closed.closed());
    CHECK(closed.data.empty());
    CHECK(since(answered, closed.at) >= kNotBefore);
  }
  SECTION("a TCP connection that never starts the TLS handshake") {
    Client client(server.port());
    REQUIRE_FALSE(client.connect());
    const auto connected = Clock::now();
    const Closed closed = client.wait_closed(kNotAfter, /*raw=*/true);
    INFO(closed.ec.message() << " after " << since(connected, closed.at).count() << " ms");
    CHECK(closed.closed());
    CHECK(since(connected, closed.at) >= kNotBefore);
  }
  require_serves(server.port());
}

TEST_CASE("shutdown lets a request in progress finish and closes everything else",
          "[integration][webhook]") {
  ServerUnderTest server(test_options());
  WebhookServer& webhook = server.server();

  Client idle_after_request(server.port());
  REQUIRE_FALSE(idle_after_request.open());
  REQUIRE_FALSE(idle_after_request.write(post("/first", "{}")));
  CHECK(idle_after_request.response().result_int() == 200);
  Client idle_new(server.port());
  REQUIRE_FALSE(idle_new.open());

  Client slow(server.port());
  REQUIRE_FALSE(slow.open());
  REQUIRE_FALSE(slow.write(post(kSlowTarget, "{\"slow\":true}")));
  REQUIRE(korder::testing::eventually([&] { return webhook.in_flight() == 1; }, kStep));

  webhook.shutdown();

  const auto answer = slow.response();
  CHECK(answer.result_int() == 200);
  CHECK(answer.body() == echo_of("POST", kSlowTarget, "application/json", "{\"slow\":true}"));
  CHECK_FALSE(answer.keep_alive());
  CHECK(slow.wait_closed().closed());
  CHECK(korder::testing::eventually([&] { return webhook.in_flight() == 0; }, kStep));
  CHECK(webhook.wait_idle(kStep));

  // The idle connections were closed by shutdown itself (their idle timeout is 90 s).
  for (Client* client : {&idle_after_request, &idle_new}) {
    const Closed closed = client->wait_closed(milliseconds(2000));
    INFO(closed.ec.message());
    CHECK(closed.closed());
    CHECK(closed.data.empty());
  }
  CHECK(korder::testing::eventually(
      [&] { return Client(server.port()).connect() == net::error::connection_refused; },
      milliseconds(2000)));
}

TEST_CASE("plain HTTP and TLS below 1.2 are refused without harm to TLS 1.2 and 1.3 clients",
          "[integration][webhook]") {
  ServerUnderTest server(test_options());

  SECTION("plain HTTP on the TLS port") {
    Client client(server.port());
    REQUIRE_FALSE(client.connect());
    REQUIRE_FALSE(client.write_raw(request_bytes("GET", "/healthz", "")));
    const Closed closed = client.wait_closed(kStep, /*raw=*/true);
    INFO(closed.ec.message());
    CHECK(closed.closed());  // with or without a word of explanation
  }
  SECTION("a client that speaks at most TLS 1.1") {
    ClientTls tls;
    tls.legacy = true;
    tls.min_version = TLS1_VERSION;
    tls.max_version = TLS1_1_VERSION;
    Client client(server.port(), tls);
    REQUIRE_FALSE(client.connect());
    const error_code ec = client.handshake();
    INFO(ec.message());
    REQUIRE(ec);
    // The server's protocol_version alert, not the client failing on its own.
    CHECK(ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
          SSL_R_TLSV1_ALERT_PROTOCOL_VERSION);
  }
  SECTION("the same legacy client allowed TLS 1.2") {
    ClientTls tls;
    tls.legacy = true;
    tls.min_version = TLS1_VERSION;
    tls.max_version = TLS1_2_VERSION;
    Client client(server.port(), tls);
    REQUIRE_FALSE(client.open());
    CHECK(SSL_version(client.native()) == TLS1_2_VERSION);
  }
  for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    ClientTls tls;
    tls.min_version = version;
    tls.max_version = version;
    Client client(server.port(), tls);
    REQUIRE_FALSE(client.open());
    CHECK(SSL_version(client.native()) == version);
    REQUIRE_FALSE(client.write(post("/tls", "{}")));
    CHECK(client.response().result_int() == 200);
  }
}

TEST_CASE("an HTTP/1.0 request without keep-alive is answered in HTTP/1.0 and closed",
          "[integration][webhook]") {
  ServerUnderTest server(test_options());
  Client client(server.port());
  REQUIRE_FALSE(client.open());

  REQUIRE_FALSE(client.write(request_bytes("POST", "/old", "hello", "", "1.0")));
  const auto answer = client.response();
  CHECK(answer.version() == 10);
  CHECK(answer.result_int() == 200);
  CHECK_FALSE(answer.keep_alive());
  CHECK(answer.body() == echo_of("POST", "/old", "application/json", "hello"));
  check_closed_after(client, "the HTTP/1.0 answer");
}

TEST_CASE("a one-megabyte body under the limit arrives intact", "[integration][webhook]") {
  ServerUnderTest server(test_options());
  Client client(server.port());
  REQUIRE_FALSE(client.open());

  std::string body(1024 * 1024, '\0');
  std::uint32_t state = 12345;
  for (char& c : body) {
    state = state * 1664525u + 1013904223u;
    c = static_cast<char>(state >> 24);
  }
  REQUIRE_FALSE(client.write(post("/large", body)));
  const auto answer = client.response();
  CHECK(answer.result_int() == 200);
  CHECK(answer.body() == echo_of("POST", "/large", "application/json", body));
}

TEST_CASE("two io threads with strands serve concurrent keep-alive clients",
          "[integration][webhook]") {
  auto options = test_options();
  options.single_threaded_io = false;
  ServerUnderTest server(options, /*threads=*/2);

  // Catch2's assertions are not thread-safe: each client reports its first failure as text.
  constexpr int kClients = 4;
  constexpr int kRounds = 5;
  std::vector<std::string> failures(kClients);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      Client client(server.port());
      if (const error_code ec = client.open()) {
        failures[c] = "open: " + ec.message();
        return;
      }
      for (int round = 0; round < kRounds && failures[c].empty(); ++round) {
        // Two pipelined requests per round, the second one slow every other round.
        const std::string first = "c" + std::to_string(c) + "r" + std::to_string(round);
        const std::string second(static_cast<std::size_t>(100 * (c + 1) + round), 'z');
        const std::string second_target = round % 2 == 0 ? kSlowTarget : "/fast";
        if (const error_code ec = client.write(post("/a", first) + post(second_target, second))) {
          failures[c] = "write: " + ec.message();
          break;
        }
        const std::vector<std::string> expected = {
            echo_of("POST", "/a", "application/json", first),
            echo_of("POST", second_target, "application/json", second)};
        for (const std::string& want : expected) {
          error_code ec;
          const auto answer = client.read_response(ec);
          if (ec || answer.result_int() != 200 || answer.body() != want) {
            failures[c] = "round " + std::to_string(round) + ": " + ec.message() + " " +
                          std::to_string(answer.result_int()) + " " + answer.body();
            break;
          }
        }
      }
    });
  }
  for (auto& thread : clients) {
    thread.join();
  }
  for (const std::string& failure : failures) {
    CHECK(failure.empty());
  }
}

}  // namespace
}  // namespace korder::webhook
