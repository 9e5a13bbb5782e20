#include "http_server.h"  // first: includes asio.h before any Boost header

#include <glog/logging.h>

#include <algorithm>
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <vector>

namespace korder::devcluster {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr std::size_t kHeaderLimit = 64 * 1024;

/// What the server needs to close a connection from outside its strand.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void close_from_outside() = 0;
};

template <typename Stream>
class Session final : public Connection,
                      public ResponseStream,
                      public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, HttpHandler& handler, const HttpServerConfig& config)
      : stream_(std::move(stream)), handler_(handler), config_(config) {}

  /// The connection's loop; `self` keeps the session alive while it runs.
  Awaitable<void> run(std::shared_ptr<Session> self) {
    (void)self;
    if (!co_await handshake()) {
      co_return;
    }
    while (!closed_) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(kHeaderLimit);
      parser.body_limit(config_.body_limit);
      beast::error_code ec;
      lowest().expires_after(config_.idle_timeout);
      co_await http::async_read(stream_, buffer_, parser,
                                net::redirect_error(net::use_awaitable, ec));
      if (ec == http::error::body_limit) {
        co_await write_simple(413, parser.get().version(), too_large_body(), false);
        co_await linger();
        break;
      }
      if (ec) {
        break;  // end_of_stream, timeout, reset: the client is done
      }
      auto& message = parser.get();
      HttpRequest request = to_request(message);
      const bool keep_alive = message.keep_alive();
      if (handler_.wants_stream(request)) {
        version_ = message.version();
        co_await handler_.stream(std::move(request), *this);
        break;  // watch responses end the connection
      }
      HttpResponse response = co_await handler_.handle(std::move(request));
      if (!co_await write_response(response, message.version(), keep_alive) || !keep_alive) {
        break;
      }
    }
    shut();
  }

  // ResponseStream
  Awaitable<bool> start(int status, std::string content_type) override {
    http::response<http::empty_body> header{static_cast<http::status>(status), version_};
    header.set(http::field::content_type, content_type);
    header.set(http::field::cache_control, "no-cache, private");
    header.chunked(true);
    header.keep_alive(false);
    http::response_serializer<http::empty_body> serializer{header};
    beast::error_code ec;
    lowest().expires_after(config_.write_timeout);
    co_await http::async_write_header(stream_, serializer,
                                      net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      shut();
      co_return false;
    }
    // Watch for the client going away while the response streams.
    lowest().expires_never();
    net::co_spawn(stream_.get_executor(), watch_for_close(this->shared_from_this()), net::detached);
    co_return true;
  }

  Awaitable<bool> write(std::string data) override {
    if (closed_) {
      co_return false;
    }
    beast::error_code ec;
    lowest().expires_after(config_.write_timeout);
    co_await net::async_write(stream_, http::make_chunk(net::buffer(data)),
                              net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      shut();
      co_return false;
    }
    co_return true;
  }

  Awaitable<void> finish() override {
    if (closed_) {
      co_return;
    }
    beast::error_code ec;
    lowest().expires_after(config_.write_timeout);
    co_await net::async_write(stream_, http::make_chunk_last(),
                              net::redirect_error(net::use_awaitable, ec));
  }

  void on_close(std::function<void()> callback) override {
    if (closed_) {
      callback();
      return;
    }
    close_callbacks_.push_back(std::move(callback));
  }

  net::any_io_executor executor() override { return stream_.get_executor(); }

  void close_from_outside() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->shut(); });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  Awaitable<bool> handshake() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::error_code ec;
      lowest().expires_after(std::chrono::seconds(30));
      co_await stream_.async_handshake(ssl::stream_base::server,
                                       net::redirect_error(net::use_awaitable, ec));
      co_return !ec;
    }
    co_return true;
  }

  /// After an early error answer, stops sending and drains what the client still sends for a
  /// moment, so the client reads the answer instead of a connection reset.
  Awaitable<void> linger() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 16 * 1024> sink{};
    lowest().expires_after(std::chrono::seconds(2));
    while (!ec) {
      co_await lowest().async_read_some(net::buffer(sink),
                                        net::redirect_error(net::use_awaitable, ec));
    }
  }

  static Awaitable<void> watch_for_close(std::shared_ptr<Session> self) {
    std::array<char, 1024> sink{};
    for (;;) {
      beast::error_code ec;
      co_await self->stream_.async_read_some(net::buffer(sink),
                                             net::redirect_error(net::use_awaitable, ec));
      if (ec || self->closed_) {
        self->shut();
        co_return;
      }
    }
  }

  void shut() {
    if (closed_) {
      return;
    }
    closed_ = true;
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
    auto callbacks = std::move(close_callbacks_);
    for (auto& callback : callbacks) {
      callback();
    }
  }

  static std::string too_large_body() {
    return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
           R"("message":"the request body is too large","reason":"RequestEntityTooLarge","code":413})";
  }

  Awaitable<bool> write_simple(int status, unsigned version, std::string body, bool keep_alive) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    co_return co_await write_response(response, version, keep_alive);
  }

  Awaitable<bool> write_response(const HttpResponse& response, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(response.status), version};
    res.set(http::field::content_type, response.content_type);
    res.set(http::field::cache_control, "no-cache, private");
    for (const auto& [name, value] : response.headers) {
      res.insert(name, value);
    }
    res.keep_alive(keep_alive);
    res.body() = response.body;
    res.prepare_payload();
    beast::error_code ec;
    lowest().expires_after(config_.write_timeout);
    co_await http::async_write(stream_, res, net::redirect_error(net::use_awaitable, ec));
    co_return !ec;
  }

  static HttpRequest to_request(const http::request<http::string_body>& message) {
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    parse_target(request.target, request);
    for (const auto& field : message) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      std::string value(field.value());
      if (name == "accept") {
        request.accept = value;
      } else if (name == "content-type") {
        request.content_type = value;
      }
      request.headers[name] = std::move(value);
    }
    request.body = message.body();
    return request;
  }

  Stream stream_;
  HttpHandler& handler_;
  const HttpServerConfig& config_;
  beast::flat_buffer buffer_;
  unsigned version_ = 11;
  bool closed_ = false;
  std::vector<std::function<void()>> close_callbacks_;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(net::io_context& ioc_in, HttpHandler& handler_in, HttpServerConfig config_in)
      : ioc(ioc_in),
        handler(handler_in),
        config(std::move(config_in)),
        acceptor(net::make_strand(ioc_in)) {}

  static Awaitable<void> accept_loop(std::shared_ptr<Impl> self) {
    auto& acceptor = self->acceptor;
    auto& ioc = self->ioc;
    for (;;) {
      beast::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(
          net::make_strand(ioc), net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        if (!acceptor.is_open()) {
          co_return;
        }
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      self->spawn_session(std::move(socket));
    }
  }

  template <typename SessionType>
  void launch(std::shared_ptr<SessionType> session) {
    {
      std::lock_guard lock(mu);
      connections.erase(std::remove_if(connections.begin(), connections.end(),
                                       [](const auto& weak) { return weak.expired(); }),
                        connections.end());
      connections.push_back(session);
    }
    auto executor = session->executor();
    net::co_spawn(executor, session->run(session), [](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          LOG(ERROR) << "connection failed"
                     << " error=" << ex.what();
        }
      }
    });
  }

  void spawn_session(tcp::socket socket) {
    if (config.tls) {
      launch(std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *config.tls),
          handler, config));
    } else {
      launch(std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)),
                                                          handler, config));
    }
  }

  net::io_context& ioc;
  HttpHandler& handler;
  HttpServerConfig config;
  tcp::acceptor acceptor;
  std::mutex mu;
  std::vector<std::weak_ptr<Connection>> connections;  // guarded by mu
};

HttpServer::HttpServer(net::io_context& ioc, HttpHandler& handler, HttpServerConfig config)
    : impl_(std::make_shared<Impl>(ioc, handler, std::move(config))) {}

HttpServer::~HttpServer() { stop(); }

Expected<std::uint16_t, std::string> HttpServer::listen() {
  beast::error_code ec;
  const auto address = net::ip::make_address(impl_->config.address, ec);
  if (ec) {
    return Unexpected("invalid listen address " + impl_->config.address + ": " + ec.message());
  }
  const tcp::endpoint endpoint(address, impl_->config.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return Unexpected("listening on " + impl_->config.address + ":" +
                      std::to_string(impl_->config.port) + ": " + ec.message());
  }
  return acceptor.local_endpoint().port();
}

void HttpServer::start() {
  net::co_spawn(impl_->acceptor.get_executor(), Impl::accept_loop(impl_), net::detached);
}

void HttpServer::stop() {
  net::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  close_connections();
}

void HttpServer::close_connections() {
  std::vector<std::weak_ptr<Connection>> connections;
  {
    std::lock_guard lock(impl_->mu);
    connections.swap(impl_->connections);
  }
  for (const auto& weak : connections) {
    if (auto connection = weak.lock()) {
      connection->close_from_outside();
    }
  }
}

Expected<std::shared_ptr<ssl::context>, std::string> make_tls_context(const std::string& cert_pem,
                                                                      const std::string& key_pem) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  beast::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1,
                       ec);
  if (!ec) {
    context->use_certificate_chain(net::buffer(cert_pem), ec);
  }
  if (!ec) {
    context->use_private_key(net::buffer(key_pem), ssl::context::pem, ec);
  }
  if (ec) {
    return Unexpected("setting up TLS: " + ec.message());
  }
  return context;
}

}  // namespace korder::devcluster
