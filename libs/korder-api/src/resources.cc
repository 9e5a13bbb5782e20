#include "korder/api/resources.h"

#include "korder/api/json.h"

namespace korder::api {

DecodeResult from_json_value(const JsonValue& json, ResourceRequirements& out) {
  JsonObjectReader r(json);
  r.field("limits", out.limits).field("requests", out.requests).field("claims", out.claims);
  return r.finish(out.extras);
}

JsonValue to_json_value(const ResourceRequirements& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("limits", in.limits).field("requests", in.requests).field("claims", in.claims);
  return w.finish(in.extras);
}

}  // namespace korder::api
