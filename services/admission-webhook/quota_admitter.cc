#include "quota_admitter.h"

#include <algorithm>
#include <utility>

#include "korder/quota_client/quota_client.h"

namespace korder::webhook {
namespace {

namespace net = boost::asio;
using quota_client::CallOptions;
using quota_client::Result;

// Awaits one asynchronous quota-client call: `start(callback)` begins it; the callback, run on
// a gRPC thread, resumes the coroutine on its own executor.
template <typename Response>
net::awaitable<Result<Response>> await_call(
    std::function<void(quota_client::Callback<Response>)> start) {
  auto initiation = [start = std::move(start)](auto handler) {
    using Handler = decltype(handler);
    auto shared = std::make_shared<Handler>(std::move(handler));
    start([shared](Result<Response> result) {
      auto executor = net::get_associated_executor(*shared);
      net::post(executor,
                [shared, result = std::move(result)]() mutable { (*shared)(std::move(result)); });
    });
  };
  co_return co_await net::async_initiate<const net::use_awaitable_t<>&, void(Result<Response>)>(
      initiation, net::use_awaitable);
}

class GrpcQuotaAdmitter final : public QuotaAdmitter {
 public:
  GrpcQuotaAdmitter(quota_client::QuotaClient& client, Clock& clock)
      : client_(client), clock_(clock) {}

  net::awaitable<Expected<QuotaDecision, std::string>> admit(quota::v1::ReserveRequest request,
                                                             SteadyTimePoint deadline) override {
    CallOptions call;
    call.timeout = std::max(
        std::chrono::milliseconds(1),
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_.steady_now()));
    QuotaDecision decision;
    if (request.dry_run()) {
      quota::v1::CheckRequest check;
      check.set_operation(request.operation());
      *check.mutable_object() = request.object();
      if (request.has_old_object()) {
        *check.mutable_old_object() = request.old_object();
      }
      std::function<void(quota_client::Callback<quota::v1::CheckResponse>)> start =
          [this, check = std::move(check), call](auto done) mutable {
            client_.async_check(std::move(check), call, std::move(done));
          };
      auto answer = co_await await_call<quota::v1::CheckResponse>(std::move(start));
      if (!answer) {
        co_return Unexpected(answer.error().to_string());
      }
      decision.allowed = answer->allowed();
      decision.message = answer->message().empty() ? quota_denial_message(answer->violations())
                                                   : answer->message();
      decision.warnings.assign(answer->warnings().begin(), answer->warnings().end());
      co_return decision;
    }
    std::function<void(quota_client::Callback<quota::v1::ReserveResponse>)> start =
        [this, request = std::move(request), call](auto done) mutable {
          client_.async_reserve(std::move(request), call, std::move(done));
        };
    auto answer = co_await await_call<quota::v1::ReserveResponse>(std::move(start));
    if (!answer) {
      co_return Unexpected(answer.error().to_string());
    }
    decision.allowed = answer->allowed();
    decision.message =
        answer->message().empty() ? quota_denial_message(answer->violations()) : answer->message();
    decision.warnings.assign(answer->warnings().begin(), answer->warnings().end());
    co_return decision;
  }

 private:
  quota_client::QuotaClient& client_;
  Clock& clock_;
};

}  // namespace

std::unique_ptr<QuotaAdmitter> make_quota_admitter(quota_client::QuotaClient& client,
                                                   Clock& clock) {
  return std::make_unique<GrpcQuotaAdmitter>(client, clock);
}

std::string quota_denial_message(
    const google::protobuf::RepeatedPtrField<quota::v1::Violation>& violations) {
  std::string message = "korder quota exceeded: ";
  bool first = true;
  for (const auto& v : violations) {
    if (!first) {
      message += "; ";
    }
    first = false;
    message += "quota \"" + v.quota() + "\": " + v.resource() + ": requested " + v.requested();
    if (!v.used().empty()) {
      message += ", used " + v.used();
    }
    message += ", limit " + v.limit();
  }
  if (first) {
    message += "denied";
  }
  return message;
}

}  // namespace korder::webhook
