#include "korder/quota_client/summaries.h"

namespace korder::quota_client {
namespace {

namespace v1 = quota::v1;

void common(const api::ObjectMeta& metadata, v1::ObjectSummary& out) {
  out.set_namespace_(metadata.namespace_);
  out.set_name(metadata.name);
  out.set_uid(metadata.uid);
  for (const auto& [key, value] : metadata.labels) {
    (*out.mutable_labels())[key] = value;
  }
  out.set_deleting(metadata.deletion_timestamp.has_value());
}

void requests(const api::ResourceList& list, v1::ObjectSummary& out) {
  for (const auto& [resource, quantity] : list) {
    (*out.mutable_requests())[resource] = quantity.to_string();
  }
}

}  // namespace

v1::ObjectSummary summarize(const api::Order& order) {
  v1::ObjectSummary out;
  out.set_kind(v1::OBJECT_KIND_ORDER);
  common(order.metadata, out);
  requests(order.spec.template_.spec.resources.requests, out);
  out.set_duration(order.spec.template_.spec.duration);
  out.set_count(order.spec.daemon_set.value_or(false) ? 0 : order.spec.effective_replicas());
  return out;
}

v1::ObjectSummary summarize(const api::Ticket& ticket) {
  v1::ObjectSummary out;
  out.set_kind(v1::OBJECT_KIND_TICKET);
  common(ticket.metadata, out);
  requests(ticket.spec.resources.requests, out);
  out.set_duration(ticket.spec.duration);
  out.set_count(1);
  out.set_phase(ticket.status.phase);
  return out;
}

}  // namespace korder::quota_client
