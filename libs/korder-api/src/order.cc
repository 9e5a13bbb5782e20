#include "korder/api/order.h"

#include "korder/api/json.h"
#include "unknown_fields.h"

namespace korder::api {

DecodeResult from_json_value(const JsonValue& json, OrderStrategy& out) {
  JsonObjectReader r(json);
  r.field("type", out.type)
      .field("schedule", out.schedule)
      .field("timeZone", out.time_zone)
      .field("refreshPolicy", out.refresh_policy);
  return r.finish(out.extras);
}

JsonValue to_json_value(const OrderStrategy& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("type", in.type)
      .field("schedule", in.schedule)
      .field("timeZone", in.time_zone)
      .field("refreshPolicy", in.refresh_policy);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, TicketTemplateMetadata& out) {
  JsonObjectReader r(json);
  r.field("labels", out.labels).field("annotations", out.annotations);
  return r.finish(out.extras);
}

JsonValue to_json_value(const TicketTemplateMetadata& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("labels", in.labels).field("annotations", in.annotations);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, TicketTemplate& out) {
  JsonObjectReader r(json);
  r.field("metadata", out.metadata).field("spec", out.spec);
  return r.finish(out.extras);
}

JsonValue to_json_value(const TicketTemplate& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("metadata", in.metadata).field("spec", in.spec);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, OrderSpec& out) {
  JsonObjectReader r(json);
  r.field("replicas", out.replicas)
      .field("paused", out.paused)
      .field("daemonSet", out.daemon_set)
      .field("strategy", out.strategy)
      .field("template", out.template_);
  return r.finish(out.extras);
}

JsonValue to_json_value(const OrderSpec& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("replicas", in.replicas)
      .field("paused", in.paused)
      .field("daemonSet", in.daemon_set)
      .field("strategy", in.strategy)
      .field("template", in.template_);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, OrderSlotStatus& out) {
  JsonObjectReader r(json);
  r.field("slot", out.slot).field("incarnation", out.incarnation).field("phase", out.phase);
  return r.finish(out.extras);
}

JsonValue to_json_value(const OrderSlotStatus& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("slot", in.slot).field("incarnation", in.incarnation).field("phase", in.phase);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, OrderStatus& out) {
  JsonObjectReader r(json);
  r.field("desired", out.desired)
      .field("pending", out.pending)
      .field("ready", out.ready)
      .field("claimed", out.claimed)
      .field("expired", out.expired)
      .field("lastScheduleTime", out.last_schedule_time)
      .field("nextScheduleTime", out.next_schedule_time)
      .field("slots", out.slots)
      .field("observedGeneration", out.observed_generation)
      .field("conditions", out.conditions);
  return r.finish(out.extras);
}

JsonValue to_json_value(const OrderStatus& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("desired", in.desired)
      .field("pending", in.pending)
      .field("ready", in.ready)
      .field("claimed", in.claimed)
      .field("expired", in.expired)
      .field("lastScheduleTime", in.last_schedule_time)
      .field("nextScheduleTime", in.next_schedule_time)
      .field("slots", in.slots)
      .field("observedGeneration", in.observed_generation)
      .field("conditions", in.conditions);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, Order& out) {
  JsonObjectReader r(json);
  r.field("apiVersion", out.api_version)
      .field("kind", out.kind)
      .field("metadata", out.metadata)
      .field("spec", out.spec)
      .field("status", out.status);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Order& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("apiVersion", in.api_version)
      .field("kind", in.kind)
      .field_always("metadata", in.metadata)
      .field("spec", in.spec)
      .field("status", in.status);
  return w.finish(in.extras);
}

Expected<Order, ParseError> parse_order(std::string_view json) { return decode<Order>(json); }

std::string to_json(const Order& order) { return encode(order); }

std::vector<std::string> unknown_field_paths(const Order& order) {
  PathList out;
  const OrderSpec& spec = order.spec;
  append_unknown(spec.strategy.extras, "spec.strategy", out);
  append_unknown(spec.template_.metadata.extras, "spec.template.metadata", out);
  append_unknown(spec.template_.spec, "spec.template.spec", out);
  append_unknown(spec.template_.extras, "spec.template", out);
  append_unknown(spec.extras, "spec", out);
  const OrderStatus& status = order.status;
  for (std::size_t i = 0; i < status.slots.size(); ++i) {
    append_unknown(status.slots[i].extras, "status.slots[" + std::to_string(i) + "]", out);
  }
  append_unknown(status.conditions, "status.conditions", out);
  append_unknown(status.extras, "status", out);
  append_unknown(order.extras, "", out);
  return out;
}

}  // namespace korder::api
