#include "korder/api/scheduling.h"

#include "korder/api/json.h"
#include "korder/api/meta.h"

namespace korder::api {

DecodeResult from_json_value(const JsonValue& json, NodeSelectorRequirement& out) {
  JsonObjectReader r(json);
  r.field("key", out.key).field("operator", out.op).field("values", out.values);
  return r.finish(out.extras);
}

JsonValue to_json_value(const NodeSelectorRequirement& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("key", in.key).field("operator", in.op).field("values", in.values);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, NodeSelectorTerm& out) {
  JsonObjectReader r(json);
  r.field("matchExpressions", out.match_expressions).field("matchFields", out.match_fields);
  return r.finish(out.extras);
}

JsonValue to_json_value(const NodeSelectorTerm& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("matchExpressions", in.match_expressions).field("matchFields", in.match_fields);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, NodeSelector& out) {
  JsonObjectReader r(json);
  r.field("nodeSelectorTerms", out.node_selector_terms);
  return r.finish(out.extras);
}

JsonValue to_json_value(const NodeSelector& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  // Required by the API even when empty (an empty list matches no node).
  w.field_always("nodeSelectorTerms", in.node_selector_terms);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, PreferredSchedulingTerm& out) {
  JsonObjectReader r(json);
  r.field("weight", out.weight).field("preference", out.preference);
  return r.finish(out.extras);
}

JsonValue to_json_value(const PreferredSchedulingTerm& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("weight", in.weight).field_always("preference", in.preference);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, NodeAffinity& out) {
  JsonObjectReader r(json);
  r.field("requiredDuringSchedulingIgnoredDuringExecution",
          out.required_during_scheduling_ignored_during_execution)
      .field("preferredDuringSchedulingIgnoredDuringExecution",
             out.preferred_during_scheduling_ignored_during_execution);
  return r.finish(out.extras);
}

JsonValue to_json_value(const NodeAffinity& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("requiredDuringSchedulingIgnoredDuringExecution",
          in.required_during_scheduling_ignored_during_execution)
      .field("preferredDuringSchedulingIgnoredDuringExecution",
             in.preferred_during_scheduling_ignored_during_execution);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, Affinity& out) {
  JsonObjectReader r(json);
  r.field("nodeAffinity", out.node_affinity)
      .field("podAffinity", out.pod_affinity)
      .field("podAntiAffinity", out.pod_anti_affinity);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Affinity& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("nodeAffinity", in.node_affinity)
      .field("podAffinity", in.pod_affinity)
      .field("podAntiAffinity", in.pod_anti_affinity);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, Toleration& out) {
  JsonObjectReader r(json);
  r.field("key", out.key)
      .field("operator", out.op)
      .field("value", out.value)
      .field("effect", out.effect)
      .field("tolerationSeconds", out.toleration_seconds);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Toleration& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("key", in.key)
      .field("operator", in.op)
      .field("value", in.value)
      .field("effect", in.effect)
      .field("tolerationSeconds", in.toleration_seconds);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, Taint& out) {
  JsonObjectReader r(json);
  r.field("key", out.key)
      .field("value", out.value)
      .field("effect", out.effect)
      .field("timeAdded", out.time_added);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Taint& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("key", in.key)
      .field("value", in.value)
      .field("effect", in.effect)
      .field("timeAdded", in.time_added);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, TopologySpreadConstraint& out) {
  JsonObjectReader r(json);
  r.field("maxSkew", out.max_skew)
      .field("topologyKey", out.topology_key)
      .field("whenUnsatisfiable", out.when_unsatisfiable)
      .field("labelSelector", out.label_selector)
      .field("minDomains", out.min_domains)
      .field("nodeAffinityPolicy", out.node_affinity_policy)
      .field("nodeTaintsPolicy", out.node_taints_policy)
      .field("matchLabelKeys", out.match_label_keys);
  return r.finish(out.extras);
}

JsonValue to_json_value(const TopologySpreadConstraint& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("maxSkew", in.max_skew)
      .field("topologyKey", in.topology_key)
      .field("whenUnsatisfiable", in.when_unsatisfiable)
      .field("labelSelector", in.label_selector)
      .field("minDomains", in.min_domains)
      .field("nodeAffinityPolicy", in.node_affinity_policy)
      .field("nodeTaintsPolicy", in.node_taints_policy)
      .field("matchLabelKeys", in.match_label_keys);
  return w.finish(in.extras);
}

}  // namespace korder::api
