#include "korder/api/node.h"

#include "korder/api/json.h"

namespace korder::api {

DecodeResult from_json_value(const JsonValue& json, NodeSpec& out) {
  JsonObjectReader r(json);
  r.field("unschedulable", out.unschedulable).field("taints", out.taints);
  return r.finish(out.extras);
}

JsonValue to_json_value(const NodeSpec& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("unschedulable", in.unschedulable).field("taints", in.taints);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, NodeCondition& out) {
  JsonObjectReader r(json);
  r.field("type", out.type)
      .field("status", out.status)
      .field("lastHeartbeatTime", out.last_heartbeat_time)
      .field("lastTransitionTime", out.last_transition_time)
      .field("reason", out.reason)
      .field("message", out.message);
  return r.finish(out.extras);
}

JsonValue to_json_value(const NodeCondition& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("type", in.type)
      .field("status", in.status)
      .field("lastHeartbeatTime", in.last_heartbeat_time)
      .field("lastTransitionTime", in.last_transition_time)
      .field("reason", in.reason)
      .field("message", in.message);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, NodeStatus& out) {
  JsonObjectReader r(json);
  r.field("capacity", out.capacity)
      .field("allocatable", out.allocatable)
      .field("conditions", out.conditions);
  return r.finish(out.extras);
}

JsonValue to_json_value(const NodeStatus& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("capacity", in.capacity)
      .field("allocatable", in.allocatable)
      .field("conditions", in.conditions);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, Node& out) {
  JsonObjectReader r(json);
  r.field("apiVersion", out.api_version)
      .field("kind", out.kind)
      .field("metadata", out.metadata)
      .field("spec", out.spec)
      .field("status", out.status);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Node& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("apiVersion", in.api_version)
      .field("kind", in.kind)
      .field_always("metadata", in.metadata)
      .field("spec", in.spec)
      .field("status", in.status);
  return w.finish(in.extras);
}

Expected<Node, ParseError> parse_node(std::string_view json) { return decode<Node>(json); }

std::string to_json(const Node& node) { return encode(node); }

}  // namespace korder::api
