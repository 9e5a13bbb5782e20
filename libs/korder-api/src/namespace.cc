#include "korder/api/namespace.h"

#include "korder/api/json.h"

namespace korder::api {

DecodeResult from_json_value(const JsonValue& json, NamespaceStatus& out) {
  JsonObjectReader r(json);
  r.field("phase", out.phase);
  return r.finish(out.extras);
}

JsonValue to_json_value(const NamespaceStatus& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("phase", in.phase);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, Namespace& out) {
  JsonObjectReader r(json);
  r.field("apiVersion", out.api_version)
      .field("kind", out.kind)
      .field("metadata", out.metadata)
      .field("status", out.status);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Namespace& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("apiVersion", in.api_version)
      .field("kind", in.kind)
      .field_always("metadata", in.metadata)
      .field("status", in.status);
  return w.finish(in.extras);
}

Expected<Namespace, ParseError> parse_namespace(std::string_view json) {
  return decode<Namespace>(json);
}

std::string to_json(const Namespace& ns) { return encode(ns); }

}  // namespace korder::api
