#include "webhook_server.h"

// clang-format off
#include "korder/kclient/detail/asio_ssl.h"  // before any other Boost header (STYLE §1)
// clang-format on

#include <glog/logging.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <array>
#include <atomic>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "http_response.h"

namespace korder::webhook {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using SslStream = beast::ssl_stream<beast::tcp_stream>;

// What identifies one version of a file on disk.
struct FileStamp {
  std::int64_t mtime_ns = -1;
  std::int64_t size = -1;
  std::uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return {};
  }
  return FileStamp{
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
      static_cast<std::int64_t>(st.st_size), static_cast<std::uint64_t>(st.st_ino)};
}

Expected<std::string, std::string> read_whole(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Unexpected(std::string(what) + " " + path + ": cannot be read");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A TLS 1.2+ server context from the two PEM files.
Expected<std::shared_ptr<ssl::context>, std::string> load_tls(const std::string& cert_file,
                                                              const std::string& key_file) {
  auto cert = read_whole(cert_file, "--tls-cert-file");
  if (!cert) {
    return Unexpected(cert.error());
  }
  auto key = read_whole(key_file, "--tls-key-file");
  if (!key) {
    return Unexpected(key.error());
  }
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  beast::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                       ec);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  if (!ec) {
    context->use_certificate_chain(net::buffer(*cert), ec);
    if (ec) {
      return Unexpected("--tls-cert-file " + cert_file + ": " + ec.message());
    }
  }
  if (!ec) {
    context->use_private_key(net::buffer(*key), ssl::context::pem, ec);
    if (ec) {
      return Unexpected("--tls-key-file " + key_file + ": " + ec.message());
    }
  }
  if (!ec && SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return Unexpected("--tls-key-file " + key_file + ": does not match the certificate");
  }
  if (ec) {
    return Unexpected("tls: " + ec.message());
  }
  return context;
}

Expected<tcp::endpoint, std::string> parse_bind_address(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    return Unexpected("bind address \"" + text + "\": want host:port");
  }
  std::string host = text.substr(0, colon);
  const std::string port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) {
    host = "0.0.0.0";
  } else if (host == "localhost") {
    host = "127.0.0.1";
  }
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(port_text, &used);
    if (used != port_text.size()) {
      port = -1;
    }
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return Unexpected("bind address \"" + text + "\": invalid port \"" + port_text + "\"");
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) {
    return Unexpected("bind address \"" + text + "\": invalid host: " + ec.message());
  }
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

}  // namespace

struct WebhookServer::Impl : std::enable_shared_from_this<WebhookServer::Impl> {
  class Session;

  Impl(net::io_context& io_in, WebhookServerOptions options_in, RequestHandler& handler_in)
      : io(io_in),
        options(std::move(options_in)),
        handler(handler_in),
        acceptor(net::make_strand(io_in)),
        reload_timer(acceptor.get_executor()) {}

  std::shared_ptr<ssl::context> tls() {
    std::lock_guard lock(mu);
    return tls_context;
  }

  // Reloads the files when their stamps changed; keeps the old context on failure.
  void check_certificates() {
    const FileStamp cert = stamp_of(options.tls_cert_file);
    const FileStamp key = stamp_of(options.tls_key_file);
    if (cert == cert_stamp && key == key_stamp) {
      return;
    }
    auto loaded = load_tls(options.tls_cert_file, options.tls_key_file);
    if (!loaded) {
      // Rotation writes the two files one after the other: a mismatch is retried next time.
      LOG(WARNING) << "serving certificate not reloaded; keeping the current one"
                   << " error=" << loaded.error();
      return;
    }
    {
      std::lock_guard lock(mu);
      tls_context = std::move(loaded).value();
    }
    cert_stamp = cert;
    key_stamp = key;
    reloads.fetch_add(1);
    LOG(INFO) << "serving certificate reloaded"
              << " cert=" << options.tls_cert_file;
  }

  static net::awaitable<void> watch_certificates(std::shared_ptr<Impl> self) {
    while (!self->stopped.load()) {
      beast::error_code ec;
      self->reload_timer.expires_after(self->options.cert_check_interval);
      co_await self->reload_timer.async_wait(net::redirect_error(net::use_awaitable, ec));
      if (self->stopped.load()) {
        co_return;
      }
      self->check_certificates();
    }
  }

  static net::awaitable<void> accept_loop(std::shared_ptr<Impl> self);

  void close_idle_sessions();

  net::io_context& io;
  const WebhookServerOptions options;
  RequestHandler& handler;
  tcp::acceptor acceptor;
  net::steady_timer reload_timer;
  std::atomic<bool> stopped{false};
  std::atomic<int> in_flight{0};
  std::atomic<std::uint64_t> reloads{0};
  std::atomic<int> port{0};
  FileStamp cert_stamp;  // acceptor strand (and start())
  FileStamp key_stamp;

  std::mutex mu;
  std::shared_ptr<ssl::context> tls_context;     // guarded by mu
  std::vector<std::weak_ptr<Session>> sessions;  // guarded by mu
};

// One connection: Beast's server example in shape, on its own strand.
class WebhookServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<Impl> server, tcp::socket socket, std::shared_ptr<ssl::context> tls)
      : server_(std::move(server)), tls_(std::move(tls)), stream_(std::move(socket), *tls_) {}

  static net::awaitable<void> run(std::shared_ptr<Session> self) { co_await self->serve(); }

  net::any_io_executor executor() { return stream_.get_executor(); }

  // Closes the connection if it waits for a request (drain). Posted to the strand.
  void close_if_idle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) {
        self->close();
      }
    });
  }

 private:
  // Counts a request in progress for drain, whatever way the request ends.
  class Busy {
   public:
    explicit Busy(Session& s) : s_(s) {
      s_.busy_ = true;
      s_.server_->in_flight.fetch_add(1);
    }
    ~Busy() {
      s_.busy_ = false;
      s_.server_->in_flight.fetch_sub(1);
    }
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;

   private:
    Session& s_;
  };

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  net::awaitable<void> serve() {
    const auto& options = server_->options;
    beast::error_code ec;
    lowest().expires_after(options.handshake_timeout);
    co_await stream_.async_handshake(ssl::stream_base::server,
                                     net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      VLOG(1) << "TLS handshake failed"
              << " error=" << ec.message();
      close();
      co_return;
    }
    while (!closed_ && !server_->stopped.load()) {
      if (!co_await wait_for_request()) {
        break;
      }
      Busy busy(*this);
      if (!co_await serve_one()) {
        break;
      }
    }
    close();
  }

  // Waits up to the idle timeout for the first byte of the next request.
  net::awaitable<bool> wait_for_request() {
    if (buffer_.size() > 0) {
      co_return true;
    }
    beast::error_code ec;
    lowest().expires_after(server_->options.idle_timeout);
    const std::size_t n = co_await stream_.async_read_some(
        buffer_.prepare(4096), net::redirect_error(net::use_awaitable, ec));
    buffer_.commit(n);
    co_return !ec && n > 0 && !closed_;
  }

  // Reads, handles and answers one request; false when the connection must end.
  net::awaitable<bool> serve_one() {
    const auto& options = server_->options;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    beast::error_code ec;
    lowest().expires_after(options.read_timeout);
    co_await http::async_read(stream_, buffer_, parser,
                              net::redirect_error(net::use_awaitable, ec));
    if (ec == http::error::body_limit) {
      co_await answer_error(
          413, "request body larger than " + std::to_string(options.max_body_bytes) + " bytes");
      co_return false;
    }
    if (ec == http::error::header_limit) {
      co_await answer_error(431, "request header block too large");
      co_return false;
    }
    if (ec && ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      co_await answer_error(400, "malformed HTTP request: " + ec.message());
      co_return false;
    }
    if (ec) {
      co_return false;  // timeout (a slow client), reset, end of stream
    }
    auto& message = parser.get();
    WebhookRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.content_type = std::string(message[http::field::content_type]);
    request.body = std::move(message.body());
    const bool keep_alive = message.keep_alive();
    const unsigned version = message.version();
    WebhookAnswer answer = co_await server_->handler.handle(std::move(request));
    const bool keep = keep_alive && !server_->stopped.load();
    co_return co_await write(answer, version, keep) && keep;
  }

  net::awaitable<void> answer_error(int status, std::string message) {
    WebhookAnswer answer;
    answer.status = status;
    answer.content_type = "text/plain; charset=utf-8";
    answer.body = std::move(message);
    if (co_await write(answer, 11, false)) {
      co_await linger();
    }
  }

  // After an early answer (the client may still be sending its body), stops sending and drains
  // what arrives for a moment, so the client reads the answer instead of a connection reset.
  net::awaitable<void> linger() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 16 * 1024> sink{};
    lowest().expires_after(std::chrono::seconds(2));
    while (!ec) {
      co_await lowest().async_read_some(net::buffer(sink),
                                        net::redirect_error(net::use_awaitable, ec));
    }
  }

  net::awaitable<bool> write(const WebhookAnswer& answer, unsigned version, bool keep_alive) {
    const std::string bytes =
        encode_http_response(answer.status, version, keep_alive, answer.content_type, answer.body);
    beast::error_code ec;
    lowest().expires_after(server_->options.write_timeout);
    co_await net::async_write(stream_, net::buffer(bytes),
                              net::redirect_error(net::use_awaitable, ec));
    co_return !ec;
  }

  void close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  std::shared_ptr<Impl> server_;
  std::shared_ptr<ssl::context> tls_;  // the context this connection was accepted with
  SslStream stream_;
  beast::flat_buffer buffer_;
  bool busy_ = false;
  bool closed_ = false;
};

net::awaitable<void> WebhookServer::Impl::accept_loop(std::shared_ptr<Impl> self) {
  for (;;) {
    beast::error_code ec;
    // A strand per connection unless one thread runs everything anyway.
    const net::any_io_executor connection_executor =
        self->options.single_threaded_io ? net::any_io_executor(self->io.get_executor())
                                         : net::any_io_executor(net::make_strand(self->io));
    tcp::socket socket = co_await self->acceptor.async_accept(
        connection_executor, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      if (!self->acceptor.is_open() || self->stopped.load()) {
        co_return;
      }
      continue;  // EMFILE, ECONNABORTED: keep serving the others
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto session = std::make_shared<Session>(self, std::move(socket), self->tls());
    {
      std::lock_guard lock(self->mu);
      std::erase_if(self->sessions, [](const auto& weak) { return weak.expired(); });
      self->sessions.push_back(session);
    }
    auto executor = session->executor();
    net::co_spawn(executor, Session::run(session), [](std::exception_ptr error) {
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          LOG(ERROR) << "webhook connection failed"
                     << " error=" << e.what();
        }
      }
    });
  }
}

void WebhookServer::Impl::close_idle_sessions() {
  std::vector<std::weak_ptr<Session>> copy;
  {
    std::lock_guard lock(mu);
    copy = sessions;
  }
  for (const auto& weak : copy) {
    if (auto session = weak.lock()) {
      session->close_if_idle();
    }
  }
}

WebhookServer::WebhookServer(net::io_context& io, WebhookServerOptions options,
                             RequestHandler& handler)
    : impl_(std::make_shared<Impl>(io, std::move(options), handler)) {}

WebhookServer::~WebhookServer() { shutdown(); }

Expected<void, std::string> WebhookServer::start() {
  auto tls = load_tls(impl_->options.tls_cert_file, impl_->options.tls_key_file);
  if (!tls) {
    return Unexpected(tls.error());
  }
  impl_->cert_stamp = stamp_of(impl_->options.tls_cert_file);
  impl_->key_stamp = stamp_of(impl_->options.tls_key_file);
  {
    std::lock_guard lock(impl_->mu);
    impl_->tls_context = std::move(tls).value();
  }
  auto endpoint = parse_bind_address(impl_->options.bind_address);
  if (!endpoint) {
    return Unexpected(endpoint.error());
  }
  beast::error_code ec;
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint->protocol(), ec);
  if (!ec) {
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor.bind(*endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return Unexpected("listening on " + impl_->options.bind_address + ": " + ec.message());
  }
  impl_->port.store(acceptor.local_endpoint().port());
  net::co_spawn(acceptor.get_executor(), Impl::accept_loop(impl_), net::detached);
  net::co_spawn(acceptor.get_executor(), Impl::watch_certificates(impl_), net::detached);
  return {};
}

int WebhookServer::port() const { return impl_->port.load(); }

void WebhookServer::shutdown() {
  if (impl_->stopped.exchange(true)) {
    return;
  }
  net::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->reload_timer.cancel();
  });
  impl_->close_idle_sessions();
}

bool WebhookServer::wait_idle(std::chrono::nanoseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (impl_->in_flight.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    // Shutdown path only (main's thread): a short poll keeps this free of io-thread hooks.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

int WebhookServer::in_flight() const { return impl_->in_flight.load(); }

std::uint64_t WebhookServer::certificate_reloads() const { return impl_->reloads.load(); }

}  // namespace korder::webhook
