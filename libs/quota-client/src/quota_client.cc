#include "korder/quota_client/quota_client.h"

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <utility>

#include "korder/quota/v1/quota.grpc.pb.h"

namespace korder::quota_client {
namespace {

namespace v1 = quota::v1;
using Clock = std::chrono::system_clock;

Expected<std::string, std::string> read_file(const std::string& what, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Unexpected("reading " + what + " " + path + ": " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string code_name(int code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  if (code >= 0 && code < static_cast<int>(std::size(kNames))) {
    return kNames[code];
  }
  return "CODE_" + std::to_string(code);
}

std::string seconds_text(std::chrono::milliseconds d) {
  std::ostringstream out;
  out << static_cast<double>(d.count()) / 1000.0 << "s";
  return out.str();
}

Expected<std::shared_ptr<grpc::ChannelCredentials>, std::string> credentials(
    const QuotaClientOptions& options) {
  const bool any_tls = !options.ca_file.empty() || !options.client_cert_file.empty() ||
                       !options.client_key_file.empty();
  if (options.insecure) {
    if (any_tls) {
      return Unexpected(
          std::string("quota client: plaintext (insecure) cannot be combined with a CA or client "
                      "certificate file"));
    }
    return grpc::InsecureChannelCredentials();
  }
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return Unexpected(
        std::string("quota client: a client certificate needs its key and a key its certificate "
                    "(--quota-client-cert-file and --quota-client-key-file)"));
  }
  if (options.tls_refresh_interval.count() > 0 && !options.ca_file.empty() &&
      !options.client_cert_file.empty()) {
    // Read once for a clear startup error; then gRPC re-reads them (rotation).
    for (const auto& [flag, path] :
         {std::pair{"--quota-ca-file", options.ca_file},
          std::pair{"--quota-client-cert-file", options.client_cert_file},
          std::pair{"--quota-client-key-file", options.client_key_file}}) {
      if (auto content = read_file(flag, path); !content) {
        return Unexpected(content.error());
      }
    }
    auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        options.client_key_file, options.client_cert_file, options.ca_file,
        static_cast<unsigned int>(options.tls_refresh_interval.count()));
    grpc::experimental::TlsChannelCredentialsOptions tls;
    tls.set_certificate_provider(provider);
    tls.watch_root_certs();
    tls.watch_identity_key_cert_pairs();
    // The server's name is checked as with SslCredentials (the target's host, or
    // --quota-server-name through the target-name override).
    tls.set_certificate_verifier(
        std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
    return grpc::experimental::TlsCredentials(tls);
  }
  grpc::SslCredentialsOptions ssl;
  if (!options.ca_file.empty()) {
    auto ca = read_file("--quota-ca-file", options.ca_file);
    if (!ca) {
      return Unexpected(ca.error());
    }
    ssl.pem_root_certs = std::move(*ca);
  }
  if (!options.client_cert_file.empty()) {
    auto cert = read_file("--quota-client-cert-file", options.client_cert_file);
    if (!cert) {
      return Unexpected(cert.error());
    }
    auto key = read_file("--quota-client-key-file", options.client_key_file);
    if (!key) {
      return Unexpected(key.error());
    }
    ssl.pem_cert_chain = std::move(*cert);
    ssl.pem_private_key = std::move(*key);
  }
  return grpc::SslCredentials(ssl);
}

// Jittered exponential backoff within a deadline.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
      : next_(initial), max_(max) {}
  // The next wait (full jitter over [next/2, next]).
  std::chrono::milliseconds next() {
    thread_local std::mt19937_64 random(std::random_device{}());
    std::uniform_int_distribution<std::int64_t> jitter(next_.count() / 2, next_.count());
    const std::chrono::milliseconds wait(jitter(random));
    next_ = std::min(max_, next_ * 2);
    return wait;
  }

 private:
  std::chrono::milliseconds next_;
  std::chrono::milliseconds max_;
};

}  // namespace

std::string CallError::to_string() const { return code_name(code) + ": " + message; }

std::string quota_service_config() {
  return R"({"loadBalancingConfig":[{"round_robin":{}}],)"
         R"("healthCheckConfig":{"serviceName":"korder.quota.v1.QuotaService"}})";
}

class QuotaClient::Impl {
 public:
  Impl(QuotaClientOptions options, std::shared_ptr<grpc::Channel> channel)
      : options_(std::move(options)),
        channel_(std::move(channel)),
        stub_(v1::QuotaService::NewStub(channel_)) {}

  const QuotaClientOptions& options() const { return options_; }

  Clock::time_point deadline_of(const CallOptions& call) const {
    return Clock::now() + (call.timeout.count() > 0 ? call.timeout : options_.default_timeout);
  }

  CallError error_of(const grpc::Status& status, const CallOptions& call) {
    CallError error;
    error.code = static_cast<int>(status.error_code());
    const auto timeout = call.timeout.count() > 0 ? call.timeout : options_.default_timeout;
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
        channel_->GetState(false) != GRPC_CHANNEL_READY) {
      error.message = "no serving quota service replica reachable at " + options_.target +
                      " within " + seconds_text(timeout) +
                      " (is korder-quota-controller "
                      "running, and has a replica become leader?): " +
                      status.error_message();
    } else if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      error.message =
          "quota service at " + options_.target + " unavailable: " + status.error_message();
    } else {
      error.message = status.error_message();
    }
    return error;
  }

  // A blocking unary call with retries on UNAVAILABLE within the deadline.
  template <typename Request, typename Response, typename Method>
  Result<Response> call(const Request& request, const CallOptions& call, Method method) {
    const Clock::time_point deadline = deadline_of(call);
    Backoff backoff(options_.initial_backoff, options_.max_backoff);
    while (true) {
      grpc::ClientContext context;
      context.set_deadline(deadline);
      context.set_wait_for_ready(true);
      Response response;
      const grpc::Status status = (stub_.get()->*method)(&context, request, &response);
      if (status.ok()) {
        return response;
      }
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE) {
        return Unexpected(error_of(status, call));
      }
      const auto wait = backoff.next();
      if (Clock::now() + wait >= deadline) {
        return Unexpected(error_of(status, call));
      }
      std::this_thread::sleep_for(wait);
    }
  }

  // The state of one asynchronous call across its attempts.
  template <typename Request, typename Response>
  struct AsyncCall : std::enable_shared_from_this<AsyncCall<Request, Response>> {
    using Start = std::function<void(grpc::ClientContext*, const Request*, Response*,
                                     std::function<void(grpc::Status)>)>;
    Impl* impl = nullptr;
    Request request;
    CallOptions options;
    Callback<Response> done;
    Start start;
    Clock::time_point deadline;
    Backoff backoff{std::chrono::milliseconds(1), std::chrono::milliseconds(1)};
    std::unique_ptr<grpc::ClientContext> context;
    Response response;
    std::mutex mu;  // guards alarms
    std::vector<std::unique_ptr<grpc::Alarm>> alarms;

    void attempt() {
      context = std::make_unique<grpc::ClientContext>();
      context->set_deadline(deadline);
      context->set_wait_for_ready(true);
      response.Clear();
      auto self = this->shared_from_this();
      start(context.get(), &request, &response,
            [self](grpc::Status status) { self->finished(std::move(status)); });
    }

    void finished(grpc::Status status) {
      if (status.ok()) {
        done(std::move(response));
        return;
      }
      const auto wait = backoff.next();
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE || Clock::now() + wait >= deadline) {
        done(Unexpected(impl->error_of(status, options)));
        return;
      }
      auto self = this->shared_from_this();
      std::lock_guard lock(mu);
      alarms.push_back(std::make_unique<grpc::Alarm>());
      alarms.back()->Set(Clock::now() + wait, [self](bool) { self->attempt(); });
    }
  };

  template <typename Request, typename Response>
  void async_call(Request request, const CallOptions& call, Callback<Response> done,
                  typename AsyncCall<Request, Response>::Start start) {
    auto state = std::make_shared<AsyncCall<Request, Response>>();
    state->impl = this;
    state->request = std::move(request);
    state->options = call;
    state->done = std::move(done);
    state->start = std::move(start);
    state->deadline = deadline_of(call);
    state->backoff = Backoff(options_.initial_backoff, options_.max_backoff);
    state->attempt();
  }

  v1::QuotaService::Stub& stub() { return *stub_; }

 private:
  QuotaClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::QuotaService::Stub> stub_;
};

Expected<std::unique_ptr<QuotaClient>, std::string> QuotaClient::create(
    QuotaClientOptions options) {
  if (options.target.empty()) {
    return Unexpected(std::string("quota client: no target (--quota-address)"));
  }
  if (options.default_timeout.count() <= 0 || options.initial_backoff.count() <= 0 ||
      options.max_backoff < options.initial_backoff) {
    return Unexpected(
        std::string("quota client: the timeout and backoffs must be positive, with max_backoff >= "
                    "initial_backoff"));
  }
  auto creds = credentials(options);
  if (!creds) {
    return Unexpected(creds.error());
  }
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(quota_service_config());
  args.SetMaxReceiveMessageSize(options.max_message_bytes);
  if (!options.server_name.empty() && !options.insecure) {
    args.SetSslTargetNameOverride(options.server_name);
  }
  auto channel = grpc::CreateCustomChannel(options.target, *creds, args);
  return std::unique_ptr<QuotaClient>(
      new QuotaClient(std::make_unique<Impl>(std::move(options), std::move(channel))));
}

QuotaClient::QuotaClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
QuotaClient::~QuotaClient() = default;

const QuotaClientOptions& QuotaClient::options() const { return impl_->options(); }

Result<v1::ReserveResponse> QuotaClient::reserve(const v1::ReserveRequest& request,
                                                 CallOptions call) {
  return impl_->call<v1::ReserveRequest, v1::ReserveResponse>(request, call,
                                                              &v1::QuotaService::Stub::Reserve);
}

Result<v1::CheckResponse> QuotaClient::check(const v1::CheckRequest& request, CallOptions call) {
  return impl_->call<v1::CheckRequest, v1::CheckResponse>(request, call,
                                                          &v1::QuotaService::Stub::Check);
}

Result<v1::ReleaseResponse> QuotaClient::release(const v1::ReleaseRequest& request,
                                                 CallOptions call) {
  return impl_->call<v1::ReleaseRequest, v1::ReleaseResponse>(request, call,
                                                              &v1::QuotaService::Stub::Release);
}

Result<v1::GetUsageResponse> QuotaClient::get_usage(const v1::GetUsageRequest& request,
                                                    CallOptions call) {
  return impl_->call<v1::GetUsageRequest, v1::GetUsageResponse>(request, call,
                                                                &v1::QuotaService::Stub::GetUsage);
}

Result<v1::ListQuotasResponse> QuotaClient::list_quotas(CallOptions call) {
  return impl_->call<v1::ListQuotasRequest, v1::ListQuotasResponse>(
      v1::ListQuotasRequest(), call, &v1::QuotaService::Stub::ListQuotas);
}

void QuotaClient::async_reserve(v1::ReserveRequest request, CallOptions call,
                                Callback<v1::ReserveResponse> done) {
  Impl& impl = *impl_;
  impl_->async_call<v1::ReserveRequest, v1::ReserveResponse>(
      std::move(request), call, std::move(done),
      [&impl](grpc::ClientContext* context, const v1::ReserveRequest* req,
              v1::ReserveResponse* resp, std::function<void(grpc::Status)> cb) {
        impl.stub().async()->Reserve(context, req, resp, std::move(cb));
      });
}

void QuotaClient::async_check(v1::CheckRequest request, CallOptions call,
                              Callback<v1::CheckResponse> done) {
  Impl& impl = *impl_;
  impl_->async_call<v1::CheckRequest, v1::CheckResponse>(
      std::move(request), call, std::move(done),
      [&impl](grpc::ClientContext* context, const v1::CheckRequest* req, v1::CheckResponse* resp,
              std::function<void(grpc::Status)> cb) {
        impl.stub().async()->Check(context, req, resp, std::move(cb));
      });
}

void QuotaClient::async_release(v1::ReleaseRequest request, CallOptions call,
                                Callback<v1::ReleaseResponse> done) {
  Impl& impl = *impl_;
  impl_->async_call<v1::ReleaseRequest, v1::ReleaseResponse>(
      std::move(request), call, std::move(done),
      [&impl](grpc::ClientContext* context, const v1::ReleaseRequest* req,
              v1::ReleaseResponse* resp, std::function<void(grpc::Status)> cb) {
        impl.stub().async()->Release(context, req, resp, std::move(cb));
      });
}

Expected<void, CallError> QuotaClient::watch_usage(
    const v1::WatchUsageRequest& request,
    const std::function<bool(const v1::WatchUsageResponse&)>& on_message, CallOptions call) {
  grpc::ClientContext context;
  if (call.timeout.count() > 0) {
    context.set_deadline(Clock::now() + call.timeout);
  }
  context.set_wait_for_ready(true);
  auto reader = impl_->stub().WatchUsage(&context, request);
  v1::WatchUsageResponse message;
  while (reader->Read(&message)) {
    if (!on_message(message)) {
      context.TryCancel();
      while (reader->Read(&message)) {
      }
      reader->Finish();
      return {};
    }
  }
  const grpc::Status status = reader->Finish();
  if (status.ok()) {
    return {};
  }
  return Unexpected(impl_->error_of(status, call));
}

}  // namespace korder::quota_client
