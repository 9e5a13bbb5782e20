#include "object_admission.h"

#include <glog/logging.h>

#include <utility>

#include "korder/api/json.h"
#include "korder/api/validation.h"
#include "korder/quota_client/summaries.h"
#include "review.h"

namespace korder::webhook {
namespace {

// The decoded new and old objects of a review, or the answer that ends it.
template <typename T>
struct Decoded {
  T object;
  std::optional<T> old;
};

// An object that does not decode (a field of the wrong type, a malformed quantity) is invalid
// at that field, as the API server would say.
api::AdmissionResponse undecodable(const api::AdmissionRequest& request, std::string_view kind,
                                   const ParseError& error) {
  FieldError field_error;
  field_error.type = FieldError::Type::Invalid;
  field_error.field = error.where;
  field_error.detail = error.message;
  return deny_invalid(request.uid, std::string(kind) + ".core.korder.dev", request.name,
                      FieldErrors{field_error});
}

template <typename T>
Expected<Decoded<T>, api::AdmissionResponse> decode_objects(const api::AdmissionRequest& request,
                                                            std::string_view kind) {
  Decoded<T> out;
  if (!request.object.has_value()) {
    return Unexpected(deny(request.uid, 400, "BadRequest", "request.object: required"));
  }
  auto object = api::decode<T>(request.object.json());
  if (!object) {
    return Unexpected(undecodable(request, kind, object.error()));
  }
  out.object = std::move(object).value();
  if (request.operation == api::AdmissionOperation::Update) {
    if (!request.old_object.has_value()) {
      return Unexpected(deny(request.uid, 400, "BadRequest", "request.oldObject: required"));
    }
    auto old = api::decode<T>(request.old_object.json());
    if (!old) {
      return Unexpected(deny(
          request.uid, 400, "BadRequest",
          "request.oldObject: not a valid " + std::string(kind) + ": " + old.error().to_string()));
    }
    out.old = std::move(old).value();
  }
  return out;
}

bool checked_operation(const api::AdmissionRequest& request) {
  return request.operation == api::AdmissionOperation::Create ||
         request.operation == api::AdmissionOperation::Update;
}

quota::v1::Operation quota_operation(const api::AdmissionRequest& request) {
  return request.operation == api::AdmissionOperation::Create ? quota::v1::OPERATION_CREATE
                                                              : quota::v1::OPERATION_UPDATE;
}

// The object's namespace: at admission it may be empty in the object (use the request's).
template <typename T>
void fill_identity(T& object, const api::AdmissionRequest& request) {
  if (object.metadata.namespace_.empty()) {
    object.metadata.namespace_ = request.namespace_;
  }
  if (object.metadata.name.empty()) {
    object.metadata.name = request.name;
  }
}

}  // namespace

ObjectAdmission::ObjectAdmission(QuotaAdmitter* quota, WebhookMetrics& metrics,
                                 ObjectAdmissionOptions options)
    : quota_(quota), metrics_(metrics), options_(options) {}

boost::asio::awaitable<api::AdmissionResponse> ObjectAdmission::review_order(
    api::AdmissionRequest request, SteadyTimePoint deadline) {
  if (!checked_operation(request)) {
    co_return allow(request.uid);
  }
  auto decoded = decode_objects<api::Order>(request, "Order");
  if (!decoded) {
    co_return std::move(decoded).error();
  }
  api::Order& order = decoded->object;
  fill_identity(order, request);
  if (order.metadata.deletion_timestamp) {
    co_return allow(request.uid);  // finalizers must never depend on korder being up
  }
  const FieldErrors errors =
      decoded->old ? api::validate_order_update(order, *decoded->old) : api::validate_order(order);
  if (!errors.empty()) {
    co_return deny_invalid(request.uid, "Order.core.korder.dev", order.metadata.name, errors);
  }
  if (quota_ == nullptr) {
    co_return allow(request.uid);
  }
  quota::v1::ReserveRequest reserve;
  reserve.set_operation(quota_operation(request));
  reserve.set_dry_run(request.dry_run.value_or(false));
  *reserve.mutable_object() = quota_client::summarize(order);
  if (decoded->old) {
    api::Order& old = *decoded->old;
    fill_identity(old, request);
    // Only spec and label changes can change what the order holds (status, finalizers and
    // annotations do not): such updates are never sent to the quota service.
    if (old.spec == order.spec && old.metadata.labels == order.metadata.labels) {
      co_return allow(request.uid);
    }
    *reserve.mutable_old_object() = quota_client::summarize(old);
  }
  co_return co_await admit_quota(request.uid, std::move(reserve), deadline);
}

boost::asio::awaitable<api::AdmissionResponse> ObjectAdmission::review_ticket(
    api::AdmissionRequest request, SteadyTimePoint deadline) {
  if (!checked_operation(request)) {
    co_return allow(request.uid);
  }
  auto decoded = decode_objects<api::Ticket>(request, "Ticket");
  if (!decoded) {
    co_return std::move(decoded).error();
  }
  api::Ticket& ticket = decoded->object;
  fill_identity(ticket, request);
  if (ticket.metadata.deletion_timestamp) {
    co_return allow(request.uid);
  }
  const FieldErrors errors = decoded->old ? api::validate_ticket_update(ticket, *decoded->old)
                                          : api::validate_ticket(ticket);
  if (!errors.empty()) {
    co_return deny_invalid(request.uid, "Ticket.core.korder.dev", ticket.metadata.name, errors);
  }
  if (quota_ == nullptr) {
    co_return allow(request.uid);
  }
  quota::v1::ReserveRequest reserve;
  reserve.set_operation(quota_operation(request));
  reserve.set_dry_run(request.dry_run.value_or(false));
  *reserve.mutable_object() = quota_client::summarize(ticket);
  if (decoded->old) {
    api::Ticket& old = *decoded->old;
    fill_identity(old, request);
    if (old.spec == ticket.spec && old.metadata.labels == ticket.metadata.labels) {
      co_return allow(request.uid);
    }
    *reserve.mutable_old_object() = quota_client::summarize(old);
  }
  co_return co_await admit_quota(request.uid, std::move(reserve), deadline);
}

api::AdmissionResponse ObjectAdmission::review_quota(const api::AdmissionRequest& request) {
  if (!checked_operation(request)) {
    return allow(request.uid);
  }
  auto decoded = decode_objects<api::Quota>(request, "Quota");
  if (!decoded) {
    return std::move(decoded).error();
  }
  api::Quota& quota = decoded->object;
  if (quota.metadata.name.empty()) {
    quota.metadata.name = request.name;
  }
  if (quota.metadata.deletion_timestamp) {
    return allow(request.uid);
  }
  const FieldErrors errors =
      decoded->old ? api::validate_quota_update(quota, *decoded->old) : api::validate_quota(quota);
  if (!errors.empty()) {
    return deny_invalid(request.uid, "Quota.core.korder.dev", quota.metadata.name, errors);
  }
  return allow(request.uid);
}

boost::asio::awaitable<api::AdmissionResponse> ObjectAdmission::admit_quota(
    std::string uid, quota::v1::ReserveRequest request, SteadyTimePoint deadline) {
  const bool dry_run = request.dry_run();
  kclient::CounterFamily& calls = dry_run ? metrics_.quota_check : metrics_.quota_reserve;
  auto decision = co_await quota_->admit(std::move(request), deadline);
  if (!decision) {
    calls.with({"unavailable"}).inc();
    const std::string why = "korder quota service unavailable: " + decision.error();
    if (options_.quota_fail_open) {
      LOG(WARNING) << "quota service unavailable; admitting without a quota check"
                   << " error=" << decision.error();
      std::vector<std::string> warnings;
      warnings.push_back(why + " (admitted without a quota check)");
      co_return allow(std::move(uid), "", std::move(warnings));
    }
    LOG(WARNING) << "quota service unavailable; denying"
                 << " error=" << decision.error();
    co_return deny(std::move(uid), 503, "ServiceUnavailable",
                   why + " (the request is denied until it answers)");
  }
  if (!decision->allowed) {
    calls.with({"denied"}).inc();
    auto response = deny(std::move(uid), 403, "Forbidden", decision->message);
    response.warnings = std::move(decision->warnings);
    co_return response;
  }
  calls.with({"allowed"}).inc();
  co_return allow(std::move(uid), "", std::move(decision->warnings));
}

}  // namespace korder::webhook
