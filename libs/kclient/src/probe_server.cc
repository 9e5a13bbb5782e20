#include "korder/kclient/probe_server.h"

// clang-format off
#include "korder/kclient/detail/asio.h"  // before any Boost header (STYLE §1)
// clang-format on

#include <glog/logging.h>

#include <atomic>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <optional>

#include "korder/base/check.h"

namespace korder::kclient {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using tcp = net::ip::tcp;

std::string to_std(beast::string_view s) { return std::string(s.data(), s.size()); }

HttpResponse plain(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
  response.body = std::move(body);
  return response;
}

bool is_parse_error(const error_code& ec) {
  return ec.category() == make_error_code(http::error::bad_method).category();
}

// "host:port" → endpoint. An empty host means every interface.
Expected<tcp::endpoint, std::string> resolve_bind_address(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    return Unexpected("bind address \"" + address + "\" is not host:port");
  }
  std::string host = address.substr(0, colon);
  const std::string port_text = address.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return Unexpected("bind address \"" + address + "\" has an invalid port");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const auto port16 = static_cast<unsigned short>(port);
  if (host.empty()) {
    return tcp::endpoint(tcp::v6(), port16);  // dual-stack where available (see open_acceptor)
  }
  error_code parse_error;
  const net::ip::address ip = net::ip::make_address(host, parse_error);
  if (!parse_error) {
    return tcp::endpoint(ip, port16);
  }
  net::io_context resolver_io;
  tcp::resolver resolver(resolver_io);
  error_code resolve_error;
  const auto results = resolver.resolve(host, port_text, resolve_error);
  if (resolve_error || results.empty()) {
    return Unexpected("bind address \"" + address + "\": cannot resolve " + host + ": " +
                      resolve_error.message());
  }
  return results.begin()->endpoint();
}

}  // namespace

class ProbeServer::Impl : public std::enable_shared_from_this<ProbeServer::Impl> {
 public:
  Impl(net::io_context& io, ProbeServerOptions options)
      : io_(io), options_(std::move(options)), strand_(net::make_strand(io)), acceptor_(strand_) {}

  void handle(std::string path, Handler handler) {
    std::lock_guard lock(mu_);
    KORDER_CHECK(!started_, "ProbeServer::handle called after start");
    routes_.push_back({std::move(path), std::move(handler)});
  }

  Expected<void, std::string> start();
  void stop();
  int port() const { return port_.load(); }
  const ProbeServerOptions& options() const { return options_; }
  HttpResponse dispatch(const HttpRequest& request) const;
  void forget(std::uint64_t session_id) {
    std::lock_guard lock(mu_);
    sessions_.erase(session_id);
  }

 private:
  class Session;
  struct Route {
    std::string path;
    Handler handler;
  };

  Expected<void, std::string> open_acceptor(const tcp::endpoint& endpoint);
  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);

  net::io_context& io_;
  const ProbeServerOptions options_;
  net::strand<net::io_context::executor_type> strand_;  // the acceptor's
  tcp::acceptor acceptor_;
  std::atomic<int> port_{0};

  mutable std::mutex mu_;
  bool started_ = false;  // guarded by mu_; routes_ is immutable once it is set
  bool stopped_ = false;
  std::vector<Route> routes_;
  std::uint64_t next_session_id_ = 0;
  std::map<std::uint64_t, std::weak_ptr<Session>> sessions_;
};

// One connection: read a request, answer it, repeat while keep-alive holds (Beast's
// http_server_async example, step pairs on the connection's strand).
class ProbeServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Impl> server, std::uint64_t id)
      : stream_(std::move(socket)), server_(std::move(server)), id_(id) {}
  ~Session() { server_->forget(id_); }

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::do_read, shared_from_this()));
  }

  // From any thread: ends the session (pending operations complete with operation_aborted).
  void close() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->stream_.close(); });
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options().max_header_bytes));
    parser_->body_limit(server_->options().max_body_bytes);
    stream_.expires_after(server_->options().read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(error_code ec, std::size_t /*bytes*/) {
    if (ec == http::error::end_of_stream) {
      return do_close();
    }
    if (ec == http::error::header_limit) {
      return reply_and_close(431, "request header fields too large\n");
    }
    if (ec == http::error::body_limit) {
      return reply_and_close(413, "request body too large\n");
    }
    if (ec && is_parse_error(ec) && ec != http::error::partial_message) {
      return reply_and_close(400, "bad request\n");
    }
    if (ec) {
      return fail(ec, "read");
    }
    const auto& message = parser_->get();
    HttpRequest request;
    request.method = to_std(message.method_string());
    request.target = to_std(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(to_std(field.name_string()), to_std(field.value()));
    }
    request.body = message.body();
    respond(server_->dispatch(request), message.version(), message.keep_alive(),
            message.method() == http::verb::head);
  }

  void respond(const HttpResponse& answer, unsigned version, bool keep_alive, bool head) {
    response_ = {};
    response_.version(version);
    response_.result(static_cast<unsigned>(answer.status));
    for (const auto& [name, value] : answer.headers) {
      response_.set(name, value);
    }
    response_.keep_alive(keep_alive);
    if (head) {
      response_.content_length(answer.body.size());
    } else {
      response_.body() = answer.body;
      response_.prepare_payload();
    }
    do_write();
  }

  void reply_and_close(int status, std::string body) {
    respond(plain(status, std::move(body)), 11, false, false);
  }

  void do_write() {
    stream_.expires_after(server_->options().write_timeout);
    http::async_write(
        stream_, response_,
        beast::bind_front_handler(&Session::on_write, shared_from_this(), response_.keep_alive()));
  }

  void on_write(bool keep_alive, error_code ec, std::size_t /*bytes*/) {
    if (ec) {
      return fail(ec, "write");
    }
    if (!keep_alive) {
      return do_close();
    }
    do_read();
  }

  void do_close() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  static void fail(error_code ec, const char* what) {
    // A peer going away, a timeout or our own stop() are routine for a probe endpoint.
    if (ec == net::error::operation_aborted || ec == beast::error::timeout ||
        ec == net::error::connection_reset || ec == net::error::eof ||
        ec == http::error::partial_message) {
      VLOG(2) << "probe connection ended"
              << " step=" << what << " error=" << ec.message();
      return;
    }
    LOG(WARNING) << "probe connection failed"
                 << " step=" << what << " error=" << ec.message();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  const std::shared_ptr<Impl> server_;
  const std::uint64_t id_;
};

Expected<void, std::string> ProbeServer::Impl::open_acceptor(const tcp::endpoint& endpoint) {
  error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec && endpoint.address().is_v6() && endpoint.address().is_unspecified()) {
    acceptor_.set_option(net::ip::v6_only(false), ec);
  }
  if (ec) {
    return Unexpected(ec.message());
  }
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) {
    acceptor_.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    error_code ignored;
    acceptor_.close(ignored);
    return Unexpected(ec.message());
  }
  return {};
}

Expected<void, std::string> ProbeServer::Impl::start() {
  {
    std::lock_guard lock(mu_);
    KORDER_CHECK(!started_, "ProbeServer::start called twice");
    started_ = true;
  }
  auto endpoint = resolve_bind_address(options_.bind_address);
  if (!endpoint) {
    return Unexpected(endpoint.error());
  }
  auto opened = open_acceptor(*endpoint);
  if (!opened && endpoint->address().is_v6() && endpoint->address().is_unspecified()) {
    // No IPv6 on this machine: every IPv4 interface instead.
    opened = open_acceptor(tcp::endpoint(tcp::v4(), endpoint->port()));
  }
  if (!opened) {
    return Unexpected("listening on " + options_.bind_address + ": " + opened.error());
  }
  error_code ec;
  port_ = acceptor_.local_endpoint(ec).port();
  net::post(strand_, [self = shared_from_this()] { self->do_accept(); });
  return {};
}

void ProbeServer::Impl::do_accept() {
  acceptor_.async_accept(net::make_strand(io_),
                         beast::bind_front_handler(&Impl::on_accept, shared_from_this()));
}

void ProbeServer::Impl::on_accept(error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) {
    return;  // stop()
  }
  if (ec) {
    // Out of file descriptors and the like: keep serving the connections we have.
    LOG(WARNING) << "probe server accept failed"
                 << " address=" << options_.bind_address << " error=" << ec.message();
    return do_accept();
  }
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mu_);
    if (stopped_) {
      return;  // the socket closes as it goes out of scope
    }
    const std::uint64_t id = next_session_id_++;
    session = std::make_shared<Session>(std::move(socket), shared_from_this(), id);
    sessions_.emplace(id, session);
  }
  session->run();
  do_accept();
}

void ProbeServer::Impl::stop() {
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(mu_);
    if (stopped_) {
      return;
    }
    stopped_ = true;
    for (const auto& [id, weak] : sessions_) {
      if (auto session = weak.lock()) {
        open.push_back(std::move(session));
      }
    }
  }
  net::post(strand_, [self = shared_from_this()] {
    error_code ignored;
    self->acceptor_.close(ignored);
  });
  for (const auto& session : open) {
    session->close();
  }
}

HttpResponse ProbeServer::Impl::dispatch(const HttpRequest& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response = plain(405, "method not allowed\n");
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  for (const Route& route : routes_) {
    const bool match =
        path == route.path || (path.starts_with(route.path) && path.size() > route.path.size() &&
                               path[route.path.size()] == '/');
    if (!match) {
      continue;
    }
    try {
      return route.handler(request);
    } catch (const std::exception& e) {
      // A handler bug must not take the io thread down.
      LOG(ERROR) << "probe handler threw"
                 << " path=" << route.path << " what=" << e.what();
      return plain(500, "internal server error\n");
    }
  }
  return plain(404, "404 page not found\n");
}

ProbeServer::ProbeServer(boost::asio::io_context& io, ProbeServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

ProbeServer::~ProbeServer() { impl_->stop(); }

void ProbeServer::handle(std::string path, Handler handler) {
  impl_->handle(std::move(path), std::move(handler));
}

Expected<void, std::string> ProbeServer::start() { return impl_->start(); }

int ProbeServer::port() const { return impl_->port(); }

void ProbeServer::stop() { impl_->stop(); }

void serve_health_checks(ProbeServer& server, const HealthChecks& checks) {
  server.handle("/healthz", [&checks](const HttpRequest& r) { return checks.serve_healthz(r); });
  server.handle("/readyz", [&checks](const HttpRequest& r) { return checks.serve_readyz(r); });
}

void serve_metrics(ProbeServer& server, const MetricsRegistry& registry) {
  server.handle("/metrics", [&registry](const HttpRequest& /*request*/) {
    HttpResponse response;
    response.status = 200;
    response.headers = {{"Content-Type", std::string(MetricsRegistry::kContentType)}};
    response.body = registry.expose();
    return response;
  });
}

}  // namespace korder::kclient
