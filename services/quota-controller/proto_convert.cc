#include "proto_convert.h"

#include <chrono>
#include <cstdint>
#include <string>

#include "korder/api/quantity.h"
#include "korder/api/quota_limits.h"
#include "quota_evaluator.h"

namespace korder::quota {
namespace {

Expected<Operation, ParseError> operation_from_proto(v1::Operation operation) {
  switch (operation) {
    case v1::OPERATION_CREATE:
      return Operation::Create;
    case v1::OPERATION_UPDATE:
      return Operation::Update;
    case v1::OPERATION_DELETE:
      return Operation::Delete;
    default:
      break;
  }
  return Unexpected(
      ParseError{"must be OPERATION_CREATE, OPERATION_UPDATE or OPERATION_DELETE, not " +
                     std::to_string(static_cast<int>(operation)),
                 "operation"});
}

template <typename Request>
Expected<QuotaRequest, ParseError> request_from_proto(const Request& request) {
  auto operation = operation_from_proto(request.operation());
  if (!operation) {
    return Unexpected(operation.error());
  }
  auto object = from_proto(request.object(), "object");
  if (!object) {
    return Unexpected(object.error());
  }
  QuotaRequest out{*operation, std::move(*object), std::nullopt};
  if (*operation == Operation::Update && request.has_old_object()) {
    auto old_object = from_proto(request.old_object(), "old_object");
    if (!old_object) {
      return Unexpected(old_object.error());
    }
    out.old_object = std::move(*old_object);
  }
  return out;
}

template <typename Response>
void decision_to_proto(const Decision& decision, Response& out) {
  out.set_allowed(decision.allowed);
  for (const Violation& violation : decision.violations) {
    to_proto(violation, *out.add_violations());
  }
  for (const std::string& warning : decision.warnings) {
    out.add_warnings(warning);
  }
  out.set_message(decision.message());
}

void resource_to_proto(const std::string& key, const std::string& hard_text,
                       const api::Quantity* hard, const Usage& used, const Usage& held,
                       v1::ResourceUsage& out) {
  out.set_resource(key);
  out.set_hard(hard_text);
  if (hard == nullptr) {
    return;  // max-duration: no use to report
  }
  const api::Quantity in_use = value_of(used, key);
  const api::Quantity pending = value_of(held, key);
  api::Quantity free =
      saturating_add(*hard, api::Quantity::from_nanos(-saturating_add(in_use, pending).nanos()));
  if (free.sign() < 0) {
    free = api::Quantity();
  }
  out.set_used(format_limit_value(key, in_use));
  out.set_held(format_limit_value(key, pending));
  out.set_free(format_limit_value(key, free));
}

void limits_to_proto(const api::ParsedQuotaLimits& limits, const Usage& used, const Usage& held,
                     google::protobuf::RepeatedPtrField<v1::ResourceUsage>& out) {
  for (const auto& [key, text] : api::to_quota_limits(limits)) {
    v1::ResourceUsage& resource = *out.Add();
    if (key == api::QuotaResourceName::MaxDuration) {
      resource_to_proto(key, compact_duration(*limits.max_duration), nullptr, used, held, resource);
      continue;
    }
    const api::Quantity hard = value_of(Usage{limits.orders.value_or(0), limits.tickets.value_or(0),
                                              ResourceAmounts(limits.reserved)},
                                        key);
    resource_to_proto(key, text, &hard, used, held, resource);
  }
}

}  // namespace

Expected<ObjectSummary, ParseError> from_proto(const v1::ObjectSummary& object,
                                               const std::string& field) {
  ObjectSummary out;
  switch (object.kind()) {
    case v1::OBJECT_KIND_ORDER:
      out.kind = ObjectKind::Order;
      break;
    case v1::OBJECT_KIND_TICKET:
      out.kind = ObjectKind::Ticket;
      break;
    default:
      return Unexpected(ParseError{"must be OBJECT_KIND_ORDER or OBJECT_KIND_TICKET, not " +
                                       std::to_string(static_cast<int>(object.kind())),
                                   field + ".kind"});
  }
  out.namespace_ = object.namespace_();
  out.name = object.name();
  out.uid = object.uid();
  out.labels.insert(object.labels().begin(), object.labels().end());
  for (const auto& [resource, text] : object.requests()) {
    auto quantity = api::Quantity::parse(text);
    if (!quantity) {
      return Unexpected(quantity.error().at(field + ".requests[" + resource + "]"));
    }
    out.requests.emplace(resource, *quantity);
  }
  if (!object.duration().empty()) {
    auto duration = api::Duration::parse(object.duration());
    if (!duration) {
      return Unexpected(duration.error().at(field + ".duration"));
    }
    out.duration = *duration;
  }
  out.count = out.kind == ObjectKind::Ticket ? 1 : object.count();
  out.phase = object.phase();
  out.deleting = object.deleting();
  return out;
}

Expected<QuotaRequest, ParseError> from_proto(const v1::ReserveRequest& request) {
  return request_from_proto(request);
}

Expected<QuotaRequest, ParseError> from_proto(const v1::CheckRequest& request) {
  return request_from_proto(request);
}

void to_proto(const Decision& decision, v1::ReserveResponse& out) {
  decision_to_proto(decision, out);
  if (decision.hold) {
    out.set_hold_id(decision.hold->to_string());
  }
}

void to_proto(const Decision& decision, v1::CheckResponse& out) {
  decision_to_proto(decision, out);
}

void to_proto(const Violation& violation, v1::Violation& out) {
  out.set_quota(violation.quota);
  out.set_resource(violation.resource);
  out.set_requested(violation.requested);
  out.set_used(violation.used);
  out.set_limit(violation.limit);
  switch (violation.scope) {
    case LimitScope::Quota:
      out.set_scope(v1::LIMIT_SCOPE_QUOTA);
      break;
    case LimitScope::Allocation:
      out.set_scope(v1::LIMIT_SCOPE_ALLOCATION);
      break;
    case LimitScope::Unallocated:
      out.set_scope(v1::LIMIT_SCOPE_UNALLOCATED);
      break;
  }
  out.set_namespace_(violation.namespace_);
}

void to_proto(const QuotaSnapshot& snapshot, v1::QuotaUsage& out) {
  out.set_name(snapshot.name);
  out.set_generation(snapshot.generation);
  out.set_scope_type(std::string(to_string(snapshot.scope_type)));
  limits_to_proto(snapshot.hard, snapshot.used, snapshot.held, *out.mutable_resources());
  for (const std::string& window : snapshot.active_windows) {
    out.add_active_time_windows(window);
  }
  if (snapshot.next_transition) {
    const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           snapshot.next_transition->time_since_epoch())
                           .count();
    constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
    std::int64_t seconds = nanos / kNanosPerSecond;
    std::int64_t rest = nanos % kNanosPerSecond;
    if (rest < 0) {  // Timestamp nanos are never negative
      rest += kNanosPerSecond;
      --seconds;
    }
    out.mutable_next_transition()->set_seconds(seconds);
    out.mutable_next_transition()->set_nanos(static_cast<int>(rest));
  }
  for (const AllocationSnapshot& allocation : snapshot.allocations) {
    v1::AllocationUsage& usage = *out.add_allocations();
    usage.set_namespace_(allocation.namespace_);
    limits_to_proto(allocation.hard, allocation.used, allocation.held, *usage.mutable_resources());
  }
  out.set_exceeded(!snapshot.over_limit.empty());
  out.set_valid(snapshot.valid());
  out.set_problem(to_string(snapshot.errors));
}

v1::ObjectKind to_proto(ObjectKind kind) {
  return kind == ObjectKind::Order ? v1::OBJECT_KIND_ORDER : v1::OBJECT_KIND_TICKET;
}

}  // namespace korder::quota
