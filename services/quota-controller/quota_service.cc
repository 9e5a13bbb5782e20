#include "quota_service.h"

#include <chrono>
#include <string>
#include <utility>

#include "proto_convert.h"
#include "usage_watch.h"

namespace korder::quota {
namespace {

grpc::Status invalid_argument(const ParseError& error) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, error.to_string());
}

bool deadline_passed(const grpc::CallbackServerContext& context) {
  return context.deadline() <= std::chrono::system_clock::now();
}

// Fills a unary response with `handle` unless the call may not be served, and finishes it.
template <typename Handler>
grpc::ServerUnaryReactor* finish_unary(grpc::CallbackServerContext* context, grpc::Status admitted,
                                       Handler&& handle) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(admitted.ok() ? handle() : std::move(admitted));
  return reactor;
}

}  // namespace

QuotaServiceImpl::QuotaServiceImpl(QuotaBackend& backend) : backend_(backend) {}

QuotaServiceImpl::~QuotaServiceImpl() = default;

void QuotaServiceImpl::set_serving(bool serving) {
  serving_.store(serving, std::memory_order_release);
  if (serving) {
    return;
  }
  absl::MutexLock lock(&watches_mu_);
  for (UsageWatch* watch : watches_) {
    watch->stop(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                             "this korder-quota-controller replica stopped being the leader"));
  }
}

grpc::Status QuotaServiceImpl::admit(grpc::CallbackServerContext& context) const {
  if (!serving()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "this korder-quota-controller replica is not serving: only the leader "
                        "with synced caches answers; retry (the client's health checking finds "
                        "the leader)");
  }
  if (context.IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "the call was cancelled");
  }
  if (deadline_passed(context)) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        "the call's deadline passed before it was handled");
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* QuotaServiceImpl::Reserve(grpc::CallbackServerContext* context,
                                                    const v1::ReserveRequest* request,
                                                    v1::ReserveResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status admitted = admit(*context); !admitted.ok()) {
    reactor->Finish(std::move(admitted));
    return reactor;
  }
  auto parsed = from_proto(*request);
  if (!parsed) {
    reactor->Finish(invalid_argument(parsed.error()));
    return reactor;
  }
  // The call, its request and response stay valid until Finish.
  decisions_.submit([this, context, reactor, response, dry_run = request->dry_run(),
                     parsed = std::move(*parsed)]() mutable {
    if (context->IsCancelled() || deadline_passed(*context)) {
      reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                   "the call's deadline passed before it was decided"));
      return;
    }
    const std::string uid = parsed.object.uid;
    auto decision =
        dry_run ? backend_.check(std::move(parsed)) : backend_.reserve(std::move(parsed));
    if (!decision) {
      reactor->Finish(invalid_argument(decision.error()));
      return;
    }
    if (decision->hold && (context->IsCancelled() || deadline_passed(*context))) {
      // The caller gave up: it will not act on this answer, so the hold must not linger.
      backend_.release(*decision->hold, uid);
      reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                   "the call's deadline passed while deciding; nothing was held"));
      return;
    }
    to_proto(*decision, *response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* QuotaServiceImpl::Check(grpc::CallbackServerContext* context,
                                                  const v1::CheckRequest* request,
                                                  v1::CheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status admitted = admit(*context); !admitted.ok()) {
    reactor->Finish(std::move(admitted));
    return reactor;
  }
  auto parsed = from_proto(*request);
  if (!parsed) {
    reactor->Finish(invalid_argument(parsed.error()));
    return reactor;
  }
  decisions_.submit([this, reactor, response, parsed = std::move(*parsed)]() mutable {
    auto decision = backend_.check(std::move(parsed));
    if (!decision) {
      reactor->Finish(invalid_argument(decision.error()));
      return;
    }
    to_proto(*decision, *response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* QuotaServiceImpl::Release(grpc::CallbackServerContext* context,
                                                    const v1::ReleaseRequest* request,
                                                    v1::ReleaseResponse* response) {
  return finish_unary(context, admit(*context), [&]() -> grpc::Status {
    auto key = parse_object_key(request->hold_id());
    if (!key) {
      return invalid_argument(key.error().at("hold_id"));
    }
    response->set_released(backend_.release(*key, request->uid()));
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* QuotaServiceImpl::GetUsage(grpc::CallbackServerContext* context,
                                                     const v1::GetUsageRequest* request,
                                                     v1::GetUsageResponse* response) {
  return finish_unary(context, admit(*context), [&]() -> grpc::Status {
    switch (request->target_case()) {
      case v1::GetUsageRequest::kQuota: {
        auto snapshot = backend_.usage(request->quota());
        if (!snapshot) {
          return grpc::Status(grpc::StatusCode::NOT_FOUND,
                              "quota \"" + request->quota() + "\" not found");
        }
        to_proto(*snapshot, *response->add_quotas());
        return grpc::Status::OK;
      }
      case v1::GetUsageRequest::kNamespace:
        for (const QuotaSnapshot& snapshot : backend_.usage_for_namespace(request->namespace_())) {
          to_proto(snapshot, *response->add_quotas());
        }
        return grpc::Status::OK;
      case v1::GetUsageRequest::TARGET_NOT_SET:
        break;
    }
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "target: set quota or namespace");
  });
}

grpc::ServerUnaryReactor* QuotaServiceImpl::ListQuotas(grpc::CallbackServerContext* context,
                                                       const v1::ListQuotasRequest* /*request*/,
                                                       v1::ListQuotasResponse* response) {
  return finish_unary(context, admit(*context), [&]() -> grpc::Status {
    for (const QuotaSnapshot& snapshot : backend_.usage_all()) {
      to_proto(snapshot, *response->add_quotas());
    }
    return grpc::Status::OK;
  });
}

grpc::ServerWriteReactor<v1::WatchUsageResponse>* QuotaServiceImpl::WatchUsage(
    grpc::CallbackServerContext* context, const v1::WatchUsageRequest* request) {
  auto* watch = new UsageWatch(*this, backend_, *request);
  grpc::Status admitted = admit(*context);
  {
    absl::MutexLock lock(&watches_mu_);
    watches_.insert(watch);
  }
  if (!admitted.ok()) {
    watch->stop(admitted);
    return watch;
  }
  watch->start();
  // Leadership may have ended between admit() and joining the set.
  if (!serving()) {
    watch->stop(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                             "this korder-quota-controller replica stopped being the leader"));
  }
  return watch;
}

void QuotaServiceImpl::forget_watch(UsageWatch* watch) {
  absl::MutexLock lock(&watches_mu_);
  watches_.erase(watch);
}

}  // namespace korder::quota
