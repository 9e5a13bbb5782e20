#include "korder/api/pod.h"

#include "korder/api/json.h"

namespace korder::api {

DecodeResult from_json_value(const JsonValue& json, Container& out) {
  JsonObjectReader r(json);
  r.field("name", out.name)
      .field("image", out.image)
      .field("resources", out.resources)
      .field("restartPolicy", out.restart_policy);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Container& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("name", in.name)
      .field("image", in.image)
      .field("resources", in.resources)
      .field("restartPolicy", in.restart_policy);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, PodSchedulingGate& out) {
  JsonObjectReader r(json);
  r.field("name", out.name);
  return r.finish(out.extras);
}

JsonValue to_json_value(const PodSchedulingGate& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("name", in.name);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, PodSpec& out) {
  JsonObjectReader r(json);
  r.field("initContainers", out.init_containers)
      .field("containers", out.containers)
      .field("restartPolicy", out.restart_policy)
      .field("terminationGracePeriodSeconds", out.termination_grace_period_seconds)
      .field("nodeSelector", out.node_selector)
      .field("serviceAccountName", out.service_account_name)
      .field("automountServiceAccountToken", out.automount_service_account_token)
      .field("nodeName", out.node_name)
      .field("affinity", out.affinity)
      .field("schedulerName", out.scheduler_name)
      .field("tolerations", out.tolerations)
      .field("priorityClassName", out.priority_class_name)
      .field("priority", out.priority)
      .field("preemptionPolicy", out.preemption_policy)
      .field("overhead", out.overhead)
      .field("topologySpreadConstraints", out.topology_spread_constraints)
      .field("schedulingGates", out.scheduling_gates);
  return r.finish(out.extras);
}

JsonValue to_json_value(const PodSpec& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("initContainers", in.init_containers)
      .field("containers", in.containers)
      .field("restartPolicy", in.restart_policy)
      .field("terminationGracePeriodSeconds", in.termination_grace_period_seconds)
      .field("nodeSelector", in.node_selector)
      .field("serviceAccountName", in.service_account_name)
      .field("automountServiceAccountToken", in.automount_service_account_token)
      .field("nodeName", in.node_name)
      .field("affinity", in.affinity)
      .field("schedulerName", in.scheduler_name)
      .field("tolerations", in.tolerations)
      .field("priorityClassName", in.priority_class_name)
      .field("priority", in.priority)
      .field("preemptionPolicy", in.preemption_policy)
      .field("overhead", in.overhead)
      .field("topologySpreadConstraints", in.topology_spread_constraints)
      .field("schedulingGates", in.scheduling_gates);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, PodCondition& out) {
  JsonObjectReader r(json);
  r.field("type", out.type)
      .field("status", out.status)
      .field("lastProbeTime", out.last_probe_time)
      .field("lastTransitionTime", out.last_transition_time)
      .field("reason", out.reason)
      .field("message", out.message);
  return r.finish(out.extras);
}

JsonValue to_json_value(const PodCondition& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("type", in.type)
      .field("status", in.status)
      .field("lastProbeTime", in.last_probe_time)
      .field("lastTransitionTime", in.last_transition_time)
      .field("reason", in.reason)
      .field("message", in.message);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, PodStatus& out) {
  JsonObjectReader r(json);
  r.field("phase", out.phase)
      .field("conditions", out.conditions)
      .field("message", out.message)
      .field("reason", out.reason)
      .field("nominatedNodeName", out.nominated_node_name)
      .field("hostIP", out.host_ip)
      .field("podIP", out.pod_ip)
      .field("startTime", out.start_time);
  return r.finish(out.extras);
}

JsonValue to_json_value(const PodStatus& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("phase", in.phase)
      .field("conditions", in.conditions)
      .field("message", in.message)
      .field("reason", in.reason)
      .field("nominatedNodeName", in.nominated_node_name)
      .field("hostIP", in.host_ip)
      .field("podIP", in.pod_ip)
      .field("startTime", in.start_time);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, Pod& out) {
  JsonObjectReader r(json);
  r.field("apiVersion", out.api_version)
      .field("kind", out.kind)
      .field("metadata", out.metadata)
      .field("spec", out.spec)
      .field("status", out.status);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Pod& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("apiVersion", in.api_version)
      .field("kind", in.kind)
      .field_always("metadata", in.metadata)
      .field("spec", in.spec)
      .field("status", in.status);
  return w.finish(in.extras);
}

Expected<Pod, ParseError> parse_pod(std::string_view json) { return decode<Pod>(json); }

std::string to_json(const Pod& pod) { return encode(pod); }

}  // namespace korder::api
