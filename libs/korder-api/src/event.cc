#include "korder/api/event.h"

#include "korder/api/json.h"

namespace korder::api {

DecodeResult from_json_value(const JsonValue& json, ObjectReference& out) {
  JsonObjectReader r(json);
  r.field("kind", out.kind)
      .field("namespace", out.namespace_)
      .field("name", out.name)
      .field("uid", out.uid)
      .field("apiVersion", out.api_version)
      .field("resourceVersion", out.resource_version)
      .field("fieldPath", out.field_path);
  return r.finish(out.extras);
}

JsonValue to_json_value(const ObjectReference& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("kind", in.kind)
      .field("namespace", in.namespace_)
      .field("name", in.name)
      .field("uid", in.uid)
      .field("apiVersion", in.api_version)
      .field("resourceVersion", in.resource_version)
      .field("fieldPath", in.field_path);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, EventSource& out) {
  JsonObjectReader r(json);
  r.field("component", out.component).field("host", out.host);
  return r.finish(out.extras);
}

JsonValue to_json_value(const EventSource& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("component", in.component).field("host", in.host);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, Event& out) {
  JsonObjectReader r(json);
  r.field("apiVersion", out.api_version)
      .field("kind", out.kind)
      .field("metadata", out.metadata)
      .field("involvedObject", out.involved_object)
      .field("reason", out.reason)
      .field("message", out.message)
      .field("source", out.source)
      .field("firstTimestamp", out.first_timestamp)
      .field("lastTimestamp", out.last_timestamp)
      .field("count", out.count)
      .field("type", out.type)
      .field("eventTime", out.event_time)
      .field("action", out.action)
      .field("reportingComponent", out.reporting_component)
      .field("reportingInstance", out.reporting_instance);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Event& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("apiVersion", in.api_version)
      .field("kind", in.kind)
      .field_always("metadata", in.metadata)
      .field_always("involvedObject", in.involved_object)
      .field("reason", in.reason)
      .field("message", in.message)
      .field("source", in.source)
      .field("firstTimestamp", in.first_timestamp)
      .field("lastTimestamp", in.last_timestamp)
      .field("count", in.count)
      .field("type", in.type)
      .micro_time("eventTime", in.event_time)
      .field("action", in.action)
      .field("reportingComponent", in.reporting_component)
      .field("reportingInstance", in.reporting_instance);
  return w.finish(in.extras);
}

Expected<Event, ParseError> parse_event(std::string_view json) { return decode<Event>(json); }

std::string to_json(const Event& event) { return encode(event); }

}  // namespace korder::api
