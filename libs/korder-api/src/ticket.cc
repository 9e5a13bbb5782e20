#include "korder/api/ticket.h"

#include "korder/api/json.h"
#include "unknown_fields.h"

namespace korder::api {

DecodeResult from_json_value(const JsonValue& json, TicketWindow& out) {
  JsonObjectReader r(json);
  r.field("startTime", out.start_time);
  return r.finish(out.extras);
}

JsonValue to_json_value(const TicketWindow& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("startTime", in.start_time);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, TicketLifecycle& out) {
  JsonObjectReader r(json);
  r.field("ttlSecondsAfterFinished", out.ttl_seconds_after_finished)
      .field("cleanupPolicy", out.cleanup_policy);
  return r.finish(out.extras);
}

JsonValue to_json_value(const TicketLifecycle& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("ttlSecondsAfterFinished", in.ttl_seconds_after_finished)
      .field("cleanupPolicy", in.cleanup_policy);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, TicketSpec& out) {
  JsonObjectReader r(json);
  r.field("duration", out.duration)
      .field("window", out.window)
      .field("resources", out.resources)
      .field("nodeSelector", out.node_selector)
      .field("affinity", out.affinity)
      .field("tolerations", out.tolerations)
      .field("topologySpreadConstraints", out.topology_spread_constraints)
      .field("priorityClassName", out.priority_class_name)
      .field("schedulerName", out.scheduler_name)
      .field("nodeName", out.node_name)
      .field("lifecycle", out.lifecycle);
  return r.finish(out.extras);
}

JsonValue to_json_value(const TicketSpec& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("duration", in.duration)
      .field("window", in.window)
      .field("resources", in.resources)
      .field("nodeSelector", in.node_selector)
      .field("affinity", in.affinity)
      .field("tolerations", in.tolerations)
      .field("topologySpreadConstraints", in.topology_spread_constraints)
      .field("priorityClassName", in.priority_class_name)
      .field("schedulerName", in.scheduler_name)
      .field("nodeName", in.node_name)
      .field("lifecycle", in.lifecycle);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, TicketClaim& out) {
  JsonObjectReader r(json);
  r.field("token", out.token)
      .field("podNamespace", out.pod_namespace)
      .field("podName", out.pod_name)
      .field("podGenerateName", out.pod_generate_name)
      .field("podUID", out.pod_uid)
      .field("claimedAt", out.claimed_at)
      .field("deadline", out.deadline);
  return r.finish(out.extras);
}

JsonValue to_json_value(const TicketClaim& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("token", in.token)
      .field("podNamespace", in.pod_namespace)
      .field("podName", in.pod_name)
      .field("podGenerateName", in.pod_generate_name)
      .field("podUID", in.pod_uid)
      .field("claimedAt", in.claimed_at)
      .field("deadline", in.deadline);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, TicketStatus& out) {
  JsonObjectReader r(json);
  r.field("phase", out.phase)
      .field("nodeName", out.node_name)
      .field("guardianPod", out.guardian_pod)
      .field("activationTime", out.activation_time)
      .field("expirationTime", out.expiration_time)
      .field("claim", out.claim)
      .field("claimedPod", out.claimed_pod)
      .field("conditions", out.conditions)
      .field("observedGeneration", out.observed_generation);
  return r.finish(out.extras);
}

JsonValue to_json_value(const TicketStatus& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("phase", in.phase)
      .field("nodeName", in.node_name)
      .field("guardianPod", in.guardian_pod)
      .field("activationTime", in.activation_time)
      .field("expirationTime", in.expiration_time)
      .field("claim", in.claim)
      .field("claimedPod", in.claimed_pod)
      .field("conditions", in.conditions)
      .field("observedGeneration", in.observed_generation);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, Ticket& out) {
  JsonObjectReader r(json);
  r.field("apiVersion", out.api_version)
      .field("kind", out.kind)
      .field("metadata", out.metadata)
      .field("spec", out.spec)
      .field("status", out.status);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Ticket& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("apiVersion", in.api_version)
      .field("kind", in.kind)
      .field_always("metadata", in.metadata)
      .field("spec", in.spec)
      .field("status", in.status);
  return w.finish(in.extras);
}

Expected<Ticket, ParseError> parse_ticket(std::string_view json) { return decode<Ticket>(json); }

std::string to_json(const Ticket& ticket) { return encode(ticket); }

std::vector<std::string> unknown_field_paths(const Ticket& ticket) {
  PathList out;
  append_unknown(ticket.spec, "spec", out);
  const TicketStatus& status = ticket.status;
  append_unknown(status.claim ? status.claim->extras : Extras(), "status.claim", out);
  append_unknown(status.conditions, "status.conditions", out);
  append_unknown(status.extras, "status", out);
  append_unknown(ticket.extras, "", out);
  return out;
}

}  // namespace korder::api
