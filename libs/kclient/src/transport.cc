#include "korder/kclient/transport.h"

#include <glog/logging.h>

#include <algorithm>
#include <atomic>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "http_connection.h"
#include "korder/kclient/bearer_token_source.h"
#include "tls_context.h"

namespace korder::kclient {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using detail::BeastRequest;
using detail::ExchangeLimits;
using detail::ExchangeOutcome;
using detail::HttpConnection;

using ConnectionPtr = std::shared_ptr<HttpConnection>;

}  // namespace

void StreamControl::stop() {
  std::function<void()> closer;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) {
      return;
    }
    stopped_ = true;
    closer = std::move(closer_);
  }
  if (closer) {
    closer();
  }
}

bool StreamControl::stopped() const {
  absl::MutexLock lock(&mu_);
  return stopped_;
}

void StreamControl::attach(std::function<void()> closer) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopped_) {
      closer_ = std::move(closer);
      return;
    }
  }
  closer();
}

void StreamControl::detach() {
  absl::MutexLock lock(&mu_);
  closer_ = nullptr;
}

class Transport::Impl {
 public:
  Impl(net::io_context& io, detail::Endpoint endpoint, std::string base_path,
       TransportOptions options, std::unique_ptr<net::ssl::context> tls, std::string static_token,
       std::unique_ptr<BearerTokenSource> token_source)
      : io_(io),
        endpoint_(std::move(endpoint)),
        base_path_(std::move(base_path)),
        options_(std::move(options)),
        tls_(std::move(tls)),
        static_token_(std::move(static_token)),
        token_source_(std::move(token_source)) {}

  net::awaitable<Expected<HttpResponse, ApiError>> request(HttpRequest in);
  net::awaitable<Expected<void, ApiError>> stream(HttpRequest in, OnChunk on_chunk,
                                                  std::shared_ptr<StreamControl> control);

  net::io_context& io() { return io_; }
  std::size_t opened() const { return opened_.load(); }
  std::size_t idle() const {
    absl::MutexLock lock(&mu_);
    return idle_.size();
  }

 private:
  Expected<BeastRequest, ApiError> build(const HttpRequest& in);
  /// Connects (and shakes hands) within `timeout`.
  net::awaitable<Expected<ConnectionPtr, ApiError>> open_connection(
      std::chrono::nanoseconds timeout);
  ConnectionPtr take_idle();
  void put_idle(ConnectionPtr connection);

  net::io_context& io_;
  const detail::Endpoint endpoint_;
  const std::string base_path_;
  const TransportOptions options_;
  const std::unique_ptr<net::ssl::context> tls_;
  const std::string static_token_;
  const std::unique_ptr<BearerTokenSource> token_source_;
  std::atomic<std::size_t> opened_{0};
  mutable absl::Mutex mu_;
  std::vector<ConnectionPtr> idle_ ABSL_GUARDED_BY(mu_);  // most recently used last
};

Expected<BeastRequest, ApiError> Transport::Impl::build(const HttpRequest& in) {
  const http::verb verb = http::string_to_verb(in.method);
  if (verb == http::verb::unknown) {
    return Unexpected(ApiError::unknown("unsupported HTTP method \"" + in.method + "\""));
  }
  BeastRequest request(verb, base_path_ + in.target, 11);
  request.set(http::field::host, endpoint_.authority);
  request.set(http::field::user_agent, options_.user_agent);
  request.set(http::field::accept, "application/json");
  for (const auto& [name, value] : in.headers) {
    request.set(name, value);
  }
  std::string token = static_token_;
  if (token_source_) {
    auto read = token_source_->token();
    if (!read) {
      return Unexpected(ApiError::unknown("reading the bearer token: " + read.error().message));
    }
    token = std::move(read).value();
  }
  if (!token.empty()) {
    request.set(http::field::authorization, "Bearer " + token);
  }
  if (!in.body.empty() || !in.content_type.empty()) {
    request.set(http::field::content_type, in.content_type);
    request.body() = in.body;
  }
  request.keep_alive(true);
  request.prepare_payload();
  return request;
}

net::awaitable<Expected<ConnectionPtr, ApiError>> Transport::Impl::open_connection(
    std::chrono::nanoseconds timeout) {
  auto connection = std::make_shared<HttpConnection>(io_, tls_.get(), endpoint_);
  opened_.fetch_add(1);
  auto connected = co_await net::co_spawn(connection->strand(), connection->connect(timeout),
                                          net::use_awaitable);
  if (!connected) {
    co_return Unexpected(std::move(connected).error());
  }
  co_return connection;
}

ConnectionPtr Transport::Impl::take_idle() {
  const auto now = std::chrono::steady_clock::now();
  absl::MutexLock lock(&mu_);
  while (!idle_.empty()) {
    ConnectionPtr connection = std::move(idle_.back());
    idle_.pop_back();
    if (now - connection->idle_since() < options_.idle_timeout && connection->usable_when_idle()) {
      return connection;
    }
    VLOG(2) << "dropping an idle connection the server closed or that idled too long"
            << " server=" << endpoint_.authority;
  }
  return nullptr;
}

void Transport::Impl::put_idle(ConnectionPtr connection) {
  connection->mark_idle();
  absl::MutexLock lock(&mu_);
  if (idle_.size() < options_.max_idle_connections) {
    idle_.push_back(std::move(connection));
  }
}

net::awaitable<Expected<HttpResponse, ApiError>> Transport::Impl::request(HttpRequest in) {
  auto built = build(in);
  if (!built) {
    co_return Unexpected(std::move(built).error());
  }
  const ExchangeLimits limits{in.timeout.value_or(options_.request_timeout),
                              in.max_body_bytes.value_or(options_.max_body_bytes),
                              options_.max_header_bytes, std::chrono::nanoseconds::zero()};
  for (int attempt = 0;; ++attempt) {
    // The resend goes on a fresh connection: other idle ones may be just as stale.
    ConnectionPtr connection = attempt == 0 ? take_idle() : nullptr;
    const bool reused = connection != nullptr;
    if (!connection) {
      // A request's own timeout bounds the connection it needs too (a server that accepts but
      // never completes the TLS handshake must not outlast it).
      std::chrono::nanoseconds connect_timeout = options_.connect_timeout;
      if (in.timeout) {
        connect_timeout = std::min(connect_timeout, *in.timeout);
      }
      auto opened = co_await open_connection(connect_timeout);
      if (!opened) {
        co_return Unexpected(std::move(opened).error());
      }
      connection = std::move(opened).value();
    }
    ExchangeOutcome outcome = co_await net::co_spawn(
        connection->strand(), connection->exchange(*built, limits), net::use_awaitable);
    if (outcome.result) {
      VLOG(2) << "api request"
              << " method=" << in.method << " target=" << in.target
              << " status=" << outcome.result->status;
      if (outcome.result->status == 401 && token_source_) {
        token_source_->invalidate();  // the kubelet may have rotated it (client-go does this)
      }
      if (outcome.keep_alive) {
        put_idle(std::move(connection));
      }
      co_return std::move(outcome.result);
    }
    // Go's rule (net/http persistConn): a reused connection that failed before any response
    // byte was most likely closed by the server while idle; resending is safe if nothing was
    // sent or the request is idempotent. A timeout says the server is slow, not gone.
    const bool resend = reused && attempt == 0 && !outcome.response_started &&
                        (!outcome.bytes_sent || in.idempotent) &&
                        !outcome.result.error().is_timeout();
    if (!resend) {
      co_return Unexpected(std::move(outcome.result).error());
    }
    VLOG(2) << "resending on a fresh connection"
            << " method=" << in.method << " target=" << in.target
            << " error=" << outcome.result.error();
  }
}

net::awaitable<Expected<void, ApiError>> Transport::Impl::stream(
    HttpRequest in, OnChunk on_chunk, std::shared_ptr<StreamControl> control) {
  auto built = build(in);
  if (!built) {
    co_return Unexpected(std::move(built).error());
  }
  if (control->stopped()) {
    co_return Expected<void, ApiError>();
  }
  auto opened = co_await open_connection(options_.connect_timeout);
  if (!opened) {
    if (control->stopped()) {
      co_return Expected<void, ApiError>();
    }
    co_return Unexpected(std::move(opened).error());
  }
  ConnectionPtr connection = std::move(opened).value();
  control->attach([weak = std::weak_ptr<HttpConnection>(connection)] {
    if (ConnectionPtr c = weak.lock()) {
      net::post(c->strand(), [c] { c->close(); });
    }
  });
  const ExchangeLimits limits{options_.request_timeout, options_.max_body_bytes,
                              options_.max_header_bytes,
                              in.timeout.value_or(std::chrono::nanoseconds::zero())};
  auto result = co_await net::co_spawn(
      connection->strand(), connection->stream(*built, limits, on_chunk), net::use_awaitable);
  control->detach();
  VLOG(2) << "api stream ended"
          << " target=" << in.target << " ok=" << result.has_value();
  if (control->stopped()) {
    co_return Expected<void, ApiError>();
  }
  co_return result;
}

Expected<std::unique_ptr<Transport>, ConfigError> Transport::create(net::io_context& io,
                                                                    const Config& config,
                                                                    Clock& clock,
                                                                    TransportOptions options) {
  const ServerUrl& url = config.url;
  if (url.scheme != "https" && url.scheme != "http") {
    return Unexpected(ConfigError{"transport: the server URL \"" + config.server +
                                  "\" has no http or https scheme"});
  }
  detail::Endpoint endpoint;
  endpoint.host = url.host;
  endpoint.port = std::to_string(url.port);
  endpoint.authority = url.authority();
  endpoint.tls = url.scheme == "https";
  endpoint.tls_name = config.tls.server_name.empty() ? url.host : config.tls.server_name;
  endpoint.verify = !config.tls.insecure_skip_verify;
  std::unique_ptr<net::ssl::context> tls;
  if (endpoint.tls) {
    auto made = detail::make_tls_context(config.tls);
    if (!made) {
      return Unexpected(std::move(made).error());
    }
    tls = std::move(made).value();
  }
  std::unique_ptr<BearerTokenSource> token_source;
  if (!config.bearer_token_file.empty()) {
    token_source = std::make_unique<BearerTokenSource>(clock, config.bearer_token_file);
  }
  return std::make_unique<Transport>(
      std::make_unique<Impl>(io, std::move(endpoint), url.base_path, std::move(options),
                             std::move(tls), config.bearer_token, std::move(token_source)));
}

Transport::Transport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Transport::~Transport() = default;

net::awaitable<Expected<HttpResponse, ApiError>> Transport::async_request(HttpRequest request) {
  return impl_->request(std::move(request));
}

net::awaitable<Expected<void, ApiError>> Transport::async_stream(
    HttpRequest request, OnChunk on_chunk, std::shared_ptr<StreamControl> control) {
  return impl_->stream(std::move(request), std::move(on_chunk), std::move(control));
}

net::io_context& Transport::io_context() { return impl_->io(); }
std::size_t Transport::connections_opened() const { return impl_->opened(); }
std::size_t Transport::idle_connections() const { return impl_->idle(); }

}  // namespace korder::kclient
