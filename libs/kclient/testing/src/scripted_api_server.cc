#include "korder/kclient/testing/scripted_api_server.h"

#include <algorithm>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "korder/base/check.h"
#include "korder/kclient/detail/asio_ssl.h"

namespace korder::kclient::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using net::ip::tcp;

bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string to_std(beast::string_view s) { return std::string(s.data(), s.size()); }

// Every way `got` differs from `want`, one line each.
std::vector<std::string> mismatches(const ExpectedRequest& want, const RecordedRequest& got) {
  std::vector<std::string> out;
  auto differ = [&out](const std::string& what, const std::string& expected,
                       const std::string& actual) {
    if (expected != actual) {
      out.push_back(what + ": expected \"" + expected + "\", got \"" + actual + "\"");
    }
  };
  if (!want.method.empty()) {
    differ("method", want.method, got.method);
  }
  if (!want.target.empty()) {
    differ("target", want.target, got.target);
  }
  if (want.body) {
    differ("body", *want.body, got.body);
  }
  for (const auto& [name, value] : want.headers) {
    differ("header " + name, value, got.header(name));
  }
  for (const std::string& name : want.absent_headers) {
    if (!got.header(name).empty()) {
      out.push_back("header " + name + ": expected absent, got \"" + got.header(name) + "\"");
    }
  }
  return out;
}

}  // namespace

std::string RecordedRequest::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) {
      return value;
    }
  }
  return "";
}

class ScriptedApiServer::Impl {
  // First: destroyed last, after any coroutine frame still holding the other members.
  net::io_context io_;

 public:
  explicit Impl(std::optional<ScriptedTls> tls) : acceptor_(io_) {
    if (tls) {
      tls_.emplace(net::ssl::context::tls_server);
      tls_->use_certificate_chain(net::buffer(tls->cert_pem));
      tls_->use_private_key(net::buffer(tls->key_pem), net::ssl::context::pem);
      if (!tls->client_ca_pem.empty()) {
        tls_->add_certificate_authority(net::buffer(tls->client_ca_pem));
        tls_->set_verify_mode(net::ssl::verify_peer | net::ssl::verify_fail_if_no_peer_cert);
      }
    }
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(io_, accept_loop(), net::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Impl() {
    // Close everything from the io thread and let the sessions end by themselves; stop the
    // io_context only if one is still stuck after a while.
    net::post(io_, [this] {
      error_code ignored;
      acceptor_.close(ignored);
      for (auto& [id, stream] : live_) {
        stream->close();
      }
      for (net::steady_timer* timer : timers_) {
        timer->cancel();
      }
    });
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(2), [this] { return closed_ == accepted_; });
    }
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return port_; }
  bool tls() const { return tls_.has_value(); }

  void expect(ExpectedRequest request, ScriptedResponse response) {
    std::lock_guard lock(mu_);
    script_.emplace_back(std::move(request), std::move(response));
  }
  void answer_unscripted(ScriptedResponse response) {
    std::lock_guard lock(mu_);
    fallback_ = std::move(response);
  }

  template <typename T>
  T read(T Impl::*member) const {
    std::lock_guard lock(mu_);
    return this->*member;
  }
  std::size_t remaining() const {
    std::lock_guard lock(mu_);
    return script_.size();
  }
  bool wait_for(std::size_t Impl::*counter, std::size_t n,
                std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return this->*counter >= n; });
  }

  std::vector<std::string> failures_;
  std::vector<RecordedRequest> requests_;
  std::size_t request_count_ = 0;
  std::size_t accepted_ = 0;
  std::size_t closed_ = 0;
  std::size_t failed_handshakes_ = 0;

 private:
  using Exchange = std::pair<ExpectedRequest, ScriptedResponse>;

  net::awaitable<void> accept_loop() {
    while (true) {
      error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        co_return;
      }
      std::size_t id = 0;
      {
        std::lock_guard lock(mu_);
        id = ++accepted_;
      }
      net::co_spawn(io_, session(std::move(socket), id), net::detached);
    }
  }

  // Closed before the session is counted as closed: a test that waits for the close may then
  // rely on the client seeing it (the stream objects only go with the coroutine frame).
  static void close_now(tcp::socket& socket) {
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  net::awaitable<void> session(tcp::socket socket, std::size_t id) {
    beast::tcp_stream plain(std::move(socket));
    if (!tls_) {
      live_[id] = &plain;
      co_await serve(plain, id);
    } else {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(plain), *tls_);
      live_[id] = &beast::get_lowest_layer(stream);
      error_code ec;
      co_await stream.async_handshake(net::ssl::stream_base::server,
                                      net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        std::lock_guard lock(mu_);
        ++failed_handshakes_;
      } else {
        co_await serve(stream, id);
      }
      close_now(beast::get_lowest_layer(stream).socket());
    }
    live_.erase(id);
    close_now(plain.socket());  // a no-op when the TLS stream took the socket
    std::lock_guard lock(mu_);
    ++closed_;
    cv_.notify_all();
  }

  // Records the request and takes its scripted exchange (nullopt: none left).
  std::optional<Exchange> take(RecordedRequest request) {
    std::lock_guard lock(mu_);
    ++request_count_;
    std::optional<Exchange> exchange;
    if (script_.empty() && fallback_) {
      exchange.emplace(ExpectedRequest(), *fallback_);
      cv_.notify_all();
      return exchange;  // counted, not recorded: a benchmark sends millions
    }
    const std::string label = "request " + std::to_string(request_count_) + " (" + request.method +
                              " " + request.target + "): ";
    if (script_.empty()) {
      failures_.push_back(label + "not in the script");
    } else {
      exchange = std::move(script_.front());
      script_.pop_front();
      for (const std::string& m : mismatches(exchange->first, request)) {
        failures_.push_back(label + m);
      }
    }
    requests_.push_back(std::move(request));
    cv_.notify_all();
    return exchange;
  }

  template <typename Stream>
  net::awaitable<void> serve(Stream& stream, std::size_t id) {
    beast::flat_buffer buffer;
    while (true) {
      error_code ec;
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      co_await http::async_read(stream, buffer, parser,
                                net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        co_return;
      }
      auto& message = parser.get();
      RecordedRequest request{to_std(message.method_string()),
                              to_std(message.target()),
                              {},
                              std::move(message.body()),
                              id};
      for (const auto& field : message) {
        request.headers.emplace_back(to_std(field.name_string()), to_std(field.value()));
      }
      std::optional<Exchange> exchange = take(std::move(request));
      if (!exchange) {
        const std::string reply =
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        co_await net::async_write(stream, net::buffer(reply),
                                  net::redirect_error(net::use_awaitable, ec));
        co_return;
      }
      for (const ScriptedResponse::Piece& piece : exchange->second.pieces) {
        if (piece.delay.count() > 0) {
          net::steady_timer timer(io_, piece.delay);
          timers_.insert(&timer);
          co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
          timers_.erase(&timer);
        }
        co_await net::async_write(stream, net::buffer(piece.bytes),
                                  net::redirect_error(net::use_awaitable, ec));
        if (ec) {
          co_return;
        }
      }
      if (exchange->second.after == ScriptedResponse::After::Close) {
        co_return;  // the session closes the socket
      }
      if (exchange->second.after == ScriptedResponse::After::HoldOpen) {
        char sink[1024];
        while (!ec) {
          co_await stream.async_read_some(net::buffer(sink),
                                          net::redirect_error(net::use_awaitable, ec));
        }
        co_return;
      }
    }
  }

  std::optional<net::ssl::context> tls_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::map<std::size_t, beast::tcp_stream*> live_;  // io thread only
  std::set<net::steady_timer*> timers_;             // io thread only
  std::thread thread_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::deque<Exchange> script_;
  std::optional<ScriptedResponse> fallback_;
};

ScriptedApiServer::ScriptedApiServer() : impl_(std::make_unique<Impl>(std::nullopt)) {}
ScriptedApiServer::ScriptedApiServer(ScriptedTls tls)
    : impl_(std::make_unique<Impl>(std::move(tls))) {}
ScriptedApiServer::~ScriptedApiServer() = default;

void ScriptedApiServer::expect(ExpectedRequest request, ScriptedResponse response) {
  impl_->expect(std::move(request), std::move(response));
}
void ScriptedApiServer::answer_unscripted(ScriptedResponse response) {
  impl_->answer_unscripted(std::move(response));
}

std::uint16_t ScriptedApiServer::port() const { return impl_->port(); }

std::string ScriptedApiServer::url() const {
  return std::string(impl_->tls() ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

Config ScriptedApiServer::config() const {
  Config config;
  config.server = url();
  auto parsed = parse_server_url(config.server);
  KORDER_CHECK(parsed.has_value(), "the scripted server's URL must parse");
  config.url = std::move(parsed).value();
  config.namespace_ = "default";
  config.source = "scripted test server";
  return config;
}

std::vector<std::string> ScriptedApiServer::failures() const {
  return impl_->read(&Impl::failures_);
}
std::vector<RecordedRequest> ScriptedApiServer::requests() const {
  return impl_->read(&Impl::requests_);
}
std::size_t ScriptedApiServer::connections_accepted() const {
  return impl_->read(&Impl::accepted_);
}
std::size_t ScriptedApiServer::failed_handshakes() const {
  return impl_->read(&Impl::failed_handshakes_);
}
std::size_t ScriptedApiServer::remaining() const { return impl_->remaining(); }

bool ScriptedApiServer::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
  return impl_->wait_for(&Impl::request_count_, n, timeout);
}
bool ScriptedApiServer::wait_for_closed_connections(std::size_t n,
                                                    std::chrono::milliseconds timeout) const {
  return impl_->wait_for(&Impl::closed_, n, timeout);
}

}  // namespace korder::kclient::testing
