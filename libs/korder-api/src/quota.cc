#include "korder/api/quota.h"

#include "korder/api/json.h"
#include "unknown_fields.h"

namespace korder::api {
namespace {

auto limits_into(QuotaLimits& out) {
  return [&out](const JsonValue& json) { return decode_int_or_string_map(json, out); };
}

}  // namespace

DecodeResult from_json_value(const JsonValue& json, QuotaScope& out) {
  JsonObjectReader r(json);
  r.field("type", out.type)
      .field("namespaceSelector", out.namespace_selector)
      .field("namespaces", out.namespaces)
      .field("objectSelector", out.object_selector);
  return r.finish(out.extras);
}

JsonValue to_json_value(const QuotaScope& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("type", in.type)
      .field("namespaceSelector", in.namespace_selector)
      .field("namespaces", in.namespaces)
      .field("objectSelector", in.object_selector);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, QuotaTimeWindow& out) {
  JsonObjectReader r(json);
  r.field("name", out.name)
      .field("schedule", out.schedule)
      .field("duration", out.duration)
      .field("timeZone", out.time_zone)
      .field_with("hard", limits_into(out.hard))
      .field_with("multiplier",
                  [&](const JsonValue& v) { return decode_int_or_string(v, out.multiplier); });
  return r.finish(out.extras);
}

JsonValue to_json_value(const QuotaTimeWindow& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("name", in.name)
      .field("schedule", in.schedule)
      .field("duration", in.duration)
      .field("timeZone", in.time_zone)
      .field("hard", in.hard)
      .field("multiplier", in.multiplier);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, QuotaAllocation& out) {
  JsonObjectReader r(json);
  r.field("namespace", out.namespace_).field_with("hard", limits_into(out.hard));
  return r.finish(out.extras);
}

JsonValue to_json_value(const QuotaAllocation& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("namespace", in.namespace_).field("hard", in.hard);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, QuotaSpec& out) {
  JsonObjectReader r(json);
  r.field("scope", out.scope)
      .field_with("hard", limits_into(out.hard))
      .field("timeWindows", out.time_windows)
      .field("allocations", out.allocations);
  return r.finish(out.extras);
}

JsonValue to_json_value(const QuotaSpec& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("scope", in.scope)
      .field("hard", in.hard)
      .field("timeWindows", in.time_windows)
      .field("allocations", in.allocations);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, QuotaAllocationStatus& out) {
  JsonObjectReader r(json);
  r.field("namespace", out.namespace_)
      .field_with("hard", limits_into(out.hard))
      .field_with("used", limits_into(out.used));
  return r.finish(out.extras);
}

JsonValue to_json_value(const QuotaAllocationStatus& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("namespace", in.namespace_).field("hard", in.hard).field("used", in.used);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, QuotaStatus& out) {
  JsonObjectReader r(json);
  r.field_with("hard", limits_into(out.hard))
      .field_with("used", limits_into(out.used))
      .field("activeTimeWindow", out.active_time_window)
      .field("allocations", out.allocations)
      .field("conditions", out.conditions)
      .field("observedGeneration", out.observed_generation);
  return r.finish(out.extras);
}

JsonValue to_json_value(const QuotaStatus& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("hard", in.hard)
      .field("used", in.used)
      .field("activeTimeWindow", in.active_time_window)
      .field("allocations", in.allocations)
      .field("conditions", in.conditions)
      .field("observedGeneration", in.observed_generation);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, Quota& out) {
  JsonObjectReader r(json);
  r.field("apiVersion", out.api_version)
      .field("kind", out.kind)
      .field("metadata", out.metadata)
      .field("spec", out.spec)
      .field("status", out.status);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Quota& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("apiVersion", in.api_version)
      .field("kind", in.kind)
      .field_always("metadata", in.metadata)
      .field("spec", in.spec)
      .field("status", in.status);
  return w.finish(in.extras);
}

Expected<Quota, ParseError> parse_quota(std::string_view json) { return decode<Quota>(json); }

std::string to_json(const Quota& quota) { return encode(quota); }

std::vector<std::string> unknown_field_paths(const Quota& quota) {
  PathList out;
  const QuotaSpec& spec = quota.spec;
  append_unknown(spec.scope.extras, "spec.scope", out);
  for (std::size_t i = 0; i < spec.time_windows.size(); ++i) {
    append_unknown(spec.time_windows[i].extras, "spec.timeWindows[" + std::to_string(i) + "]", out);
  }
  for (std::size_t i = 0; i < spec.allocations.size(); ++i) {
    append_unknown(spec.allocations[i].extras, "spec.allocations[" + std::to_string(i) + "]", out);
  }
  append_unknown(spec.extras, "spec", out);
  const QuotaStatus& status = quota.status;
  for (std::size_t i = 0; i < status.allocations.size(); ++i) {
    append_unknown(status.allocations[i].extras, "status.allocations[" + std::to_string(i) + "]",
                   out);
  }
  append_unknown(status.conditions, "status.conditions", out);
  append_unknown(status.extras, "status", out);
  append_unknown(quota.extras, "", out);
  return out;
}

}  // namespace korder::api
