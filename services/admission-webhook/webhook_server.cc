#include "webhook_server.h"

// clang-format off
#include "korder/kclient/detail/asio_ssl.h"  // before any other Boost header (STYLE §1)
// clang-format on

#include <glog/logging.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <array>
#include <atomic>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
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

// Beast's request parser, keeping only what a handler sees: the method, the target, the
// Content-Type and the body. http::request_parser would also build every header into an
// allocated field list that nothing reads. Limits, keep-alive and framing (Content-Length,
// chunked) stay basic_parser's.
class RequestParser final : public http::basic_parser<true> {
 public:
  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
  unsigned version = 11;

 private:
  void on_request_impl(http::verb, beast::string_view method_text, beast::string_view target_text,
                       int http_version, beast::error_code&) override {
    method.assign(method_text.data(), method_text.size());
    target.assign(target_text.data(), target_text.size());
    version = static_cast<unsigned>(http_version);
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code& ec) override {
    ec = http::error::bad_version;  // never called for a request parser
  }
  void on_field_impl(http::field name, beast::string_view, beast::string_view value,
                     beast::error_code&) override {
    if (name == http::field::content_type) {
      content_type.assign(value.data(), value.size());
    }
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         beast::error_code&) override {
    if (length) {
      body.reserve(static_cast<std::size_t>(*length));  // at most the body limit
    }
  }
  std::size_t on_body_impl(beast::string_view bytes, beast::error_code&) override {
    body.append(bytes.data(), bytes.size());
    return bytes.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view bytes,
                                 beast::error_code&) override {
    body.append(bytes.data(), bytes.size());
    return bytes.size();
  }
  void on_finish_impl(beast::error_code&) override {}
};

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

// One connection, on its own strand (or the one io thread). TLS is OpenSSL over two memory BIOs
// driven here directly: the socket's reads feed the read BIO, what the write BIO collects is
// sent, and Beast's parser is fed the plaintext. The same engine Asio's ssl::stream drives,
// without its composed operations, Beast's stream layers and a timer per operation (together
// ~15% of a dry-run review's CPU under perf: bench/README.md). Timeouts: one deadline per
// connection, watched by one timer that moves only when the deadline comes earlier.
class WebhookServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<Impl> server, tcp::socket socket, std::shared_ptr<ssl::context> tls)
      : server_(std::move(server)),
        tls_(std::move(tls)),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        ssl_(SSL_new(tls_->native_handle())) {
    // Writes go straight to the socket first (flush): they must not block the io thread.
    beast::error_code ec;
    socket_.non_blocking(true, ec);
    if (ssl_ != nullptr && !ec) {
      BIO* in = BIO_new(BIO_s_mem());
      BIO* out = BIO_new(BIO_s_mem());
      if (in != nullptr && out != nullptr) {
        BIO_set_mem_eof_return(in, -1);  // an empty read BIO means "more to come"
        SSL_set_bio(ssl_, in, out);      // the SSL owns both from here
        in_ = in;
        out_ = out;
        SSL_set_accept_state(ssl_);
      } else {
        BIO_free(in);
        BIO_free(out);
      }
    }
  }
  ~Session() { SSL_free(ssl_); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  static net::awaitable<void> run(std::shared_ptr<Session> self) {
    net::co_spawn(self->socket_.get_executor(), watch_deadline(self), net::detached);
    co_await self->serve();
  }

  net::any_io_executor executor() { return socket_.get_executor(); }

  // Closes the connection if it waits for a request (drain). Posted to the strand.
  void close_if_idle() {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) {
        self->close();
      }
    });
  }

 private:
  using Clock = std::chrono::steady_clock;

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

  // The connection is closed when the deadline passes while it waits on the client.
  void expire_after(std::chrono::nanoseconds timeout) {
    deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
    if (deadline_ < armed_) {
      timer_.cancel();  // the watch re-arms for the earlier deadline
    }
  }
  void no_deadline() { deadline_ = Clock::time_point::max(); }

  static net::awaitable<void> watch_deadline(std::shared_ptr<Session> self) {
    while (!self->closed_) {
      const auto deadline = self->deadline_;
      if (deadline <= Clock::now()) {
        VLOG(1) << "webhook connection timed out";
        self->close();
        break;
      }
      self->armed_ = deadline;
      self->timer_.expires_at(deadline);
      beast::error_code ec;
      co_await self->timer_.async_wait(net::redirect_error(net::use_awaitable, ec));
    }
    self->armed_ = Clock::time_point::min();
  }

  net::awaitable<void> serve() {
    const auto& options = server_->options;
    expire_after(options.handshake_timeout);
    if (ssl_ == nullptr || in_ == nullptr || !co_await handshake()) {
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

  net::awaitable<bool> handshake() {
    for (;;) {
      clear_tls_errors();
      const int result = SSL_do_handshake(ssl_);
      const int error = result == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_, result);
      if (BIO_ctrl_pending(out_) > 0 && !co_await flush()) {
        co_return false;  // (an alert to a failed handshake is sent before giving up)
      }
      if (result == 1) {
        co_return true;
      }
      if (error != SSL_ERROR_WANT_READ) {
        VLOG(1) << "TLS handshake failed"
                << " error=" << tls_error_text(error);
        ERR_clear_error();
        co_return false;
      }
      if (!co_await receive()) {
        co_return false;
      }
    }
  }

  // Reads ciphertext from the socket into the TLS engine; false at end of stream, error, close.
  net::awaitable<bool> receive() {
    if (closed_) {
      co_return false;
    }
    beast::error_code ec;
    const std::size_t n = co_await socket_.async_read_some(
        net::buffer(cipher_), net::redirect_error(net::use_awaitable, ec));
    if (ec || n == 0 || closed_) {
      co_return false;
    }
    co_return BIO_write(in_, cipher_.data(), static_cast<int>(n)) == static_cast<int>(n);
  }

  // Appends the next plaintext to `plain_`: what the engine holds first, then the socket.
  net::awaitable<bool> fill() {
    for (;;) {
      clear_tls_errors();
      const auto space = plain_.prepare(kReadChunk);
      const int n = SSL_read(ssl_, space.data(), static_cast<int>(space.size()));
      if (n > 0) {
        plain_.commit(static_cast<std::size_t>(n));
        co_return true;
      }
      const int error = SSL_get_error(ssl_, n);
      if (error != SSL_ERROR_WANT_READ) {
        if (error != SSL_ERROR_ZERO_RETURN) {  // close_notify is a clean end
          VLOG(1) << "TLS read failed"
                  << " error=" << tls_error_text(error);
        }
        ERR_clear_error();
        co_return false;
      }
      // Post-handshake messages (TLS 1.3 session tickets, key updates) may want an answer.
      if (BIO_ctrl_pending(out_) > 0 && !co_await flush()) {
        co_return false;
      }
      if (!co_await receive()) {
        co_return false;
      }
    }
  }

  // Sends what the engine has written: straight to the socket when it takes it all (the usual
  // case), else by an asynchronous write of the rest under the write timeout.
  net::awaitable<bool> flush() {
    const std::size_t pending = BIO_ctrl_pending(out_);
    send_.resize(pending);
    if (pending == 0) {
      co_return true;
    }
    if (BIO_read(out_, send_.data(), static_cast<int>(pending)) != static_cast<int>(pending) ||
        closed_) {
      co_return false;
    }
    beast::error_code ec;
    std::size_t sent = socket_.write_some(net::buffer(send_), ec);
    if (ec == net::error::would_block || ec == net::error::try_again) {
      ec = {};
      sent = 0;
    }
    if (ec) {
      co_return false;
    }
    if (sent < send_.size()) {
      const auto deadline = deadline_;
      expire_after(server_->options.write_timeout);
      co_await net::async_write(socket_, net::buffer(send_.data() + sent, send_.size() - sent),
                                net::redirect_error(net::use_awaitable, ec));
      deadline_ = deadline;  // back to the deadline of what the flush was part of
    }
    co_return !ec;
  }

  // Waits up to the idle timeout for the first byte of the next request.
  net::awaitable<bool> wait_for_request() {
    if (plain_.size() > 0) {
      co_return true;
    }
    // Let the other connections' handlers run first: when the answer just went out straight
    // from flush(), this client has had no time to send its next request, and reading now
    // would cost a system call that finds nothing.
    co_await net::post(socket_.get_executor(), net::use_awaitable);
    expire_after(server_->options.idle_timeout);
    co_return co_await fill() && !closed_;
  }

  // Reads, handles and answers one request; false when the connection must end.
  net::awaitable<bool> serve_one() {
    const auto& options = server_->options;
    RequestParser parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    parser.eager(true);
    expire_after(options.read_timeout);
    beast::error_code ec;
    while (!parser.is_done()) {
      if (plain_.size() > 0) {
        const std::size_t used = parser.put(plain_.data(), ec);
        plain_.consume(used);
        if (ec == http::error::need_more) {
          ec = {};
        } else if (ec) {
          break;
        } else if (used > 0) {
          continue;
        }
      }
      if (!co_await fill()) {
        parser.put_eof(ec);  // end_of_stream before any byte, else partial_message
        if (!ec) {
          ec = http::error::partial_message;
        }
        break;
      }
    }
    no_deadline();
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
    WebhookRequest request;
    request.method = std::move(parser.method);
    request.target = std::move(parser.target);
    request.content_type = std::move(parser.content_type);
    request.body = std::move(parser.body);
    const bool keep_alive = parser.keep_alive();
    const unsigned version = parser.version;
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
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    expire_after(std::chrono::seconds(2));
    while (!ec && !closed_) {
      co_await socket_.async_read_some(net::buffer(cipher_),
                                       net::redirect_error(net::use_awaitable, ec));
    }
  }

  net::awaitable<bool> write(const WebhookAnswer& answer, unsigned version, bool keep_alive) {
    const std::string bytes =
        encode_http_response(answer.status, version, keep_alive, answer.content_type, answer.body);
    if (closed_) {
      co_return false;
    }
    clear_tls_errors();
    // A memory BIO takes everything: one SSL_write writes the whole answer.
    const int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    if (n != static_cast<int>(bytes.size())) {
      VLOG(1) << "TLS write failed"
              << " error=" << tls_error_text(SSL_get_error(ssl_, n));
      ERR_clear_error();
      co_return false;
    }
    expire_after(server_->options.write_timeout);
    const bool sent = co_await flush();
    no_deadline();
    co_return sent;
  }

  // SSL_get_error reads this thread's OpenSSL error queue, which must be empty before each TLS
  // call. Clearing it walks all its slots; looking is cheap, and it is usually empty.
  static void clear_tls_errors() {
    if (ERR_peek_error() != 0) {
      ERR_clear_error();
    }
  }

  static std::string tls_error_text(int error) {
    const unsigned long code = ERR_peek_error();
    if (code != 0) {
      char text[256];
      ERR_error_string_n(code, text, sizeof(text));
      return text;
    }
    return "SSL_get_error " + std::to_string(error);
  }

  void close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    timer_.cancel();
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  // One read from the socket: a full TLS record (16 KB of plaintext) and its framing.
  static constexpr std::size_t kCipherChunk = 17 * 1024;
  static constexpr std::size_t kReadChunk = 16 * 1024;

  std::shared_ptr<Impl> server_;
  std::shared_ptr<ssl::context> tls_;  // the context this connection was accepted with
  tcp::socket socket_;
  net::steady_timer timer_;
  SSL* ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point armed_ = Clock::time_point::min();  // what the timer waits for
  std::array<char, kCipherChunk> cipher_{};
  beast::flat_buffer plain_;
  std::string send_;
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
