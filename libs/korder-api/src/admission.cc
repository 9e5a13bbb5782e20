#include "korder/api/admission.h"

#include "korder/api/base64.h"
#include "korder/api/json.h"

namespace korder::api {

DecodeResult from_json_value(const JsonValue& json, GroupVersionKind& out) {
  JsonObjectReader r(json);
  r.field("group", out.group).field("version", out.version).field("kind", out.kind);
  return r.finish(out.extras);
}

JsonValue to_json_value(const GroupVersionKind& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  // `group` is "" for the core group and always present on the wire.
  w.field_always("group", in.group).field("version", in.version).field("kind", in.kind);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, GroupVersionResource& out) {
  JsonObjectReader r(json);
  r.field("group", out.group).field("version", out.version).field("resource", out.resource);
  return r.finish(out.extras);
}

JsonValue to_json_value(const GroupVersionResource& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field_always("group", in.group).field("version", in.version).field("resource", in.resource);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, UserInfo& out) {
  JsonObjectReader r(json);
  r.field("username", out.username)
      .field("uid", out.uid)
      .field("groups", out.groups)
      .field("extra", out.extra);
  return r.finish(out.extras);
}

JsonValue to_json_value(const UserInfo& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("username", in.username)
      .field("uid", in.uid)
      .field("groups", in.groups)
      .field("extra", in.extra);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, AdmissionRequest& out) {
  JsonObjectReader r(json);
  r.field("uid", out.uid)
      .field("kind", out.kind)
      .field("resource", out.resource)
      .field("subResource", out.sub_resource)
      .field("requestKind", out.request_kind)
      .field("requestResource", out.request_resource)
      .field("requestSubResource", out.request_sub_resource)
      .field("name", out.name)
      .field("namespace", out.namespace_)
      .field("operation", out.operation)
      .field("userInfo", out.user_info)
      .field("object", out.object)
      .field("oldObject", out.old_object)
      .field("dryRun", out.dry_run)
      .field("options", out.options);
  return r.finish(out.extras);
}

JsonValue to_json_value(const AdmissionRequest& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("uid", in.uid)
      .field_always("kind", in.kind)
      .field_always("resource", in.resource)
      .field("subResource", in.sub_resource)
      .field("requestKind", in.request_kind)
      .field("requestResource", in.request_resource)
      .field("requestSubResource", in.request_sub_resource)
      .field("name", in.name)
      .field("namespace", in.namespace_)
      .field("operation", in.operation)
      .field_always("userInfo", in.user_info)
      .field("object", in.object)
      .field("oldObject", in.old_object)
      .field("dryRun", in.dry_run)
      .field("options", in.options);
  return w.finish(in.extras);
}

namespace {

DecodeResult decode_base64_bytes(const JsonValue& json, std::string& out) {
  std::string text;
  if (auto result = from_json_value(json, text); !result) {
    return result;
  }
  auto bytes = base64_decode(text);
  if (!bytes) {
    return Unexpected(std::move(bytes).error());
  }
  out = std::move(*bytes);
  return {};
}

}  // namespace

DecodeResult from_json_value(const JsonValue& json, AdmissionResponse& out) {
  JsonObjectReader r(json);
  r.field("uid", out.uid)
      .field("allowed", out.allowed)
      .field("status", out.status)
      .field_with("patch", [&](const JsonValue& v) { return decode_base64_bytes(v, out.patch); })
      .field("patchType", out.patch_type)
      .field("auditAnnotations", out.audit_annotations)
      .field("warnings", out.warnings);
  return r.finish(out.extras);
}

JsonValue to_json_value(const AdmissionResponse& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("uid", in.uid).field("allowed", in.allowed).field("status", in.status);
  if (!in.patch.empty()) {
    w.value("patch", to_json_value(base64_encode(in.patch), alloc));
  }
  w.field("patchType", in.patch_type)
      .field("auditAnnotations", in.audit_annotations)
      .field("warnings", in.warnings);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, AdmissionReview& out) {
  JsonObjectReader r(json);
  r.field("apiVersion", out.api_version)
      .field("kind", out.kind)
      .field("request", out.request)
      .field("response", out.response);
  return r.finish(out.extras);
}

JsonValue to_json_value(const AdmissionReview& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("apiVersion", in.api_version)
      .field("kind", in.kind)
      .field("request", in.request)
      .field("response", in.response);
  return w.finish(in.extras);
}

Expected<AdmissionReview, ParseError> parse_admission_review(std::string_view json) {
  return decode<AdmissionReview>(json);
}

std::string to_json(const AdmissionReview& review) { return encode(review); }

}  // namespace korder::api
