#include "korder/api/status.h"

#include "korder/api/json.h"

namespace korder::api {

DecodeResult from_json_value(const JsonValue& json, StatusCause& out) {
  JsonObjectReader r(json);
  r.field("reason", out.reason).field("message", out.message).field("field", out.field);
  return r.finish(out.extras);
}

JsonValue to_json_value(const StatusCause& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("reason", in.reason).field("message", in.message).field("field", in.field);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, StatusDetails& out) {
  JsonObjectReader r(json);
  r.field("name", out.name)
      .field("group", out.group)
      .field("kind", out.kind)
      .field("uid", out.uid)
      .field("causes", out.causes)
      .field("retryAfterSeconds", out.retry_after_seconds);
  return r.finish(out.extras);
}

JsonValue to_json_value(const StatusDetails& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("name", in.name)
      .field("group", in.group)
      .field("kind", in.kind)
      .field("uid", in.uid)
      .field("causes", in.causes)
      .field("retryAfterSeconds", in.retry_after_seconds);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, Status& out) {
  JsonObjectReader r(json);
  r.field("apiVersion", out.api_version)
      .field("kind", out.kind)
      .field("metadata", out.metadata)
      .field("status", out.status)
      .field("message", out.message)
      .field("reason", out.reason)
      .field("details", out.details)
      .field("code", out.code);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Status& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("apiVersion", in.api_version)
      .field("kind", in.kind)
      .field("metadata", in.metadata)
      .field("status", in.status)
      .field("message", in.message)
      .field("reason", in.reason)
      .field("details", in.details)
      .field("code", in.code);
  return w.finish(in.extras);
}

Expected<Status, ParseError> parse_status(std::string_view json) { return decode<Status>(json); }

std::string to_json(const Status& status) { return encode(status); }

}  // namespace korder::api
