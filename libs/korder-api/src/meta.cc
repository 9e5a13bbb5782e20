#include "korder/api/meta.h"

#include "korder/api/json.h"

namespace korder::api {

DecodeResult from_json_value(const JsonValue& json, TypeMeta& out) {
  JsonObjectReader r(json);
  r.field("apiVersion", out.api_version).field("kind", out.kind);
  return r.finish();
}

JsonValue to_json_value(const TypeMeta& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("apiVersion", in.api_version).field("kind", in.kind);
  return w.finish();
}

Expected<TypeMeta, ParseError> parse_type_meta(std::string_view json) {
  return decode<TypeMeta>(json);
}

DecodeResult from_json_value(const JsonValue& json, OwnerReference& out) {
  JsonObjectReader r(json);
  r.field("apiVersion", out.api_version)
      .field("kind", out.kind)
      .field("name", out.name)
      .field("uid", out.uid)
      .field("controller", out.controller)
      .field("blockOwnerDeletion", out.block_owner_deletion);
  return r.finish(out.extras);
}

JsonValue to_json_value(const OwnerReference& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("apiVersion", in.api_version)
      .field("kind", in.kind)
      .field("name", in.name)
      .field("uid", in.uid)
      .field("controller", in.controller)
      .field("blockOwnerDeletion", in.block_owner_deletion);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, ObjectMeta& out) {
  JsonObjectReader r(json);
  r.field("name", out.name)
      .field("generateName", out.generate_name)
      .field("namespace", out.namespace_)
      .field("uid", out.uid)
      .field("resourceVersion", out.resource_version)
      .field("generation", out.generation)
      .field("creationTimestamp", out.creation_timestamp)
      .field("deletionTimestamp", out.deletion_timestamp)
      .field("deletionGracePeriodSeconds", out.deletion_grace_period_seconds)
      .field("labels", out.labels)
      .field("annotations", out.annotations)
      .field("ownerReferences", out.owner_references)
      .field("finalizers", out.finalizers);
  return r.finish(out.extras);
}

JsonValue to_json_value(const ObjectMeta& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("name", in.name)
      .field("generateName", in.generate_name)
      .field("namespace", in.namespace_)
      .field("uid", in.uid)
      .field("resourceVersion", in.resource_version)
      .field("generation", in.generation)
      .field("creationTimestamp", in.creation_timestamp)
      .field("deletionTimestamp", in.deletion_timestamp)
      .field("deletionGracePeriodSeconds", in.deletion_grace_period_seconds)
      .field("labels", in.labels)
      .field("annotations", in.annotations)
      .field("ownerReferences", in.owner_references)
      .field("finalizers", in.finalizers);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, ListMeta& out) {
  JsonObjectReader r(json);
  r.field("resourceVersion", out.resource_version)
      .field("continue", out.continue_)
      .field("remainingItemCount", out.remaining_item_count);
  return r.finish(out.extras);
}

JsonValue to_json_value(const ListMeta& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("resourceVersion", in.resource_version)
      .field("continue", in.continue_)
      .field("remainingItemCount", in.remaining_item_count);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, Condition& out) {
  JsonObjectReader r(json);
  r.field("type", out.type)
      .field("status", out.status)
      .field("observedGeneration", out.observed_generation)
      .field("lastTransitionTime", out.last_transition_time)
      .field("reason", out.reason)
      .field("message", out.message);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Condition& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("type", in.type)
      .field("status", in.status)
      .field("observedGeneration", in.observed_generation)
      .field("lastTransitionTime", in.last_transition_time)
      .field("reason", in.reason)
      // metav1.Condition's message has no omitempty and the CRDs require it: always written.
      .field_always("message", in.message);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, LabelSelectorRequirement& out) {
  JsonObjectReader r(json);
  r.field("key", out.key).field("operator", out.op).field("values", out.values);
  return r.finish();
}

JsonValue to_json_value(const LabelSelectorRequirement& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("key", in.key).field("operator", in.op).field("values", in.values);
  return w.finish();
}

DecodeResult from_json_value(const JsonValue& json, LabelSelector& out) {
  JsonObjectReader r(json);
  r.field("matchLabels", out.match_labels).field("matchExpressions", out.match_expressions);
  return r.finish();
}

JsonValue to_json_value(const LabelSelector& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("matchLabels", in.match_labels).field("matchExpressions", in.match_expressions);
  return w.finish();
}

}  // namespace korder::api
