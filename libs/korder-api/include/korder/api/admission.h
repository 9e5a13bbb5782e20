#pragma once

// admission.k8s.io/v1 AdmissionReview: what kube-apiserver sends a webhook and what the
// webhook answers. The reviewed objects are kept verbatim (RawJson) so each endpoint decodes
// its own kind. Decoding is safe on hostile input (see parse_json). Codec conventions: see
// json.h.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/extras.h"
#include "korder/api/json_fwd.h"
#include "korder/api/status.h"

namespace korder::api {

/// `admission.k8s.io/v1`, the only AdmissionReview version korder speaks.
inline constexpr std::string_view kAdmissionReviewApiVersion = "admission.k8s.io/v1";
inline constexpr std::string_view kAdmissionReviewKind = "AdmissionReview";
/// The only patch type of an AdmissionResponse.
inline constexpr std::string_view kJsonPatchType = "JSONPatch";

/// The wire values of AdmissionRequest::operation.
struct AdmissionOperation {
  static constexpr std::string_view Create = "CREATE";
  static constexpr std::string_view Update = "UPDATE";
  static constexpr std::string_view Delete = "DELETE";
  static constexpr std::string_view Connect = "CONNECT";
};

/// metav1.GroupVersionKind (`{"group":"","version":"v1","kind":"Pod"}`).
struct GroupVersionKind {
  std::string group;
  std::string version;
  std::string kind;
  Extras extras;

  bool operator==(const GroupVersionKind&) const = default;
};

/// metav1.GroupVersionResource.
struct GroupVersionResource {
  std::string group;
  std::string version;
  std::string resource;
  Extras extras;

  bool operator==(const GroupVersionResource&) const = default;
};

/// authentication/v1 UserInfo of the requester.
struct UserInfo {
  std::string username;
  std::string uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
  Extras extras;

  bool operator==(const UserInfo&) const = default;
};

/// admission/v1 AdmissionRequest. `uid` identifies the review round trip (not the object).
/// `object` is absent on DELETE, `old_object` on CREATE and CONNECT. `name` is empty on a
/// CREATE from generateName; the object's namespace may be empty (use `namespace_`).
struct AdmissionRequest {
  std::string uid;
  GroupVersionKind kind;
  GroupVersionResource resource;
  std::string sub_resource;
  std::optional<GroupVersionKind> request_kind;
  std::optional<GroupVersionResource> request_resource;
  std::string request_sub_resource;
  std::string name;
  std::string namespace_;  // JSON `namespace`
  std::string operation;   // AdmissionOperation
  UserInfo user_info;
  RawJson object;
  RawJson old_object;
  std::optional<bool> dry_run;
  RawJson options;
  Extras extras;

  bool operator==(const AdmissionRequest&) const = default;
};

/// admission/v1 AdmissionResponse. `patch` holds the JSON Patch document itself (e.g.
/// `[{"op":"add",...}]`); the codec base64-encodes it on the wire, as Go does for a `[]byte`,
/// and decodes it when reading. Set `patch_type` to kJsonPatchType whenever `patch` is set.
/// `status` is read by the API server only when `allowed` is false.
struct AdmissionResponse {
  std::string uid;
  bool allowed = false;
  std::optional<Status> status;
  std::string patch;
  std::string patch_type;
  std::map<std::string, std::string> audit_annotations;
  std::vector<std::string> warnings;
  Extras extras;

  bool operator==(const AdmissionResponse&) const = default;
};

/// admission/v1 AdmissionReview: a request (from the API server) or a response (from the
/// webhook, with the same apiVersion and kind).
struct AdmissionReview {
  std::string api_version;
  std::string kind;
  std::optional<AdmissionRequest> request;
  std::optional<AdmissionResponse> response;
  Extras extras;

  bool operator==(const AdmissionReview&) const = default;
};

DecodeResult from_json_value(const JsonValue& json, GroupVersionKind& out);
DecodeResult from_json_value(const JsonValue& json, GroupVersionResource& out);
DecodeResult from_json_value(const JsonValue& json, UserInfo& out);
DecodeResult from_json_value(const JsonValue& json, AdmissionRequest& out);
/// Errors: a `patch` that is not valid base64 (`response.patch: illegal base64 data ...`).
DecodeResult from_json_value(const JsonValue& json, AdmissionResponse& out);
DecodeResult from_json_value(const JsonValue& json, AdmissionReview& out);

JsonValue to_json_value(const GroupVersionKind& in, JsonAllocator& alloc);
JsonValue to_json_value(const GroupVersionResource& in, JsonAllocator& alloc);
JsonValue to_json_value(const UserInfo& in, JsonAllocator& alloc);
JsonValue to_json_value(const AdmissionRequest& in, JsonAllocator& alloc);
JsonValue to_json_value(const AdmissionResponse& in, JsonAllocator& alloc);
JsonValue to_json_value(const AdmissionReview& in, JsonAllocator& alloc);

/// Decodes an AdmissionReview from untrusted JSON text (the body of a webhook call). Never
/// crashes on hostile input: wrong types, huge arrays, deep nesting, invalid UTF-8 and
/// truncated text are errors.
Expected<AdmissionReview, ParseError> parse_admission_review(std::string_view json);
/// Compact JSON of `review`.
std::string to_json(const AdmissionReview& review);

}  // namespace korder::api
