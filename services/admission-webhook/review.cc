#include "review.h"

#include <array>
#include <utility>

#include "korder/api/base64.h"
#include "korder/api/discard_extras.h"
#include "korder/api/json.h"
#include "review_json.h"

namespace korder::webhook {

namespace {

// The checks every review passes after decoding (an AdmissionRequest is large: checked in
// place, moved once).
Expected<void, std::string> check_review(const api::AdmissionReview& review) {
  if (review.api_version != api::kAdmissionReviewApiVersion) {
    return Unexpected("apiVersion: expected \"" + std::string(api::kAdmissionReviewApiVersion) +
                      "\", got \"" + review.api_version + "\"");
  }
  if (review.kind != api::kAdmissionReviewKind) {
    return Unexpected("kind: expected \"" + std::string(api::kAdmissionReviewKind) + "\", got \"" +
                      review.kind + "\"");
  }
  if (!review.request) {
    return Unexpected(std::string("request: required"));
  }
  if (review.request->uid.empty()) {
    return Unexpected(std::string("request.uid: required"));
  }
  return {};
}

Expected<api::AdmissionRequest, std::string> checked_request(api::AdmissionReview review) {
  if (auto checked = check_review(review); !checked) {
    return Unexpected(std::move(checked).error());
  }
  return std::move(*review.request);
}

// The member `name` of `object` when `object` is a JSON object and has it, else null.
api::JsonValue* find_member(api::JsonValue& object, const char* name) {
  if (!object.IsObject()) {
    return nullptr;
  }
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

}  // namespace

Expected<PodReview, std::string> decode_pod_review(std::string& body, api::JsonDocument& doc) {
  // The pod is read through its codecs only: what they do not read is never built.
  if (auto parsed = parse_review_json(body, doc, ReviewMembers::kPodCodecs); !parsed) {
    return Unexpected("malformed AdmissionReview: " + parsed.error().to_string());
  }
  // The objects and the options leave the document while the rest is decoded (RawJson would
  // copy them out as text), and come back after: moving a RapidJSON value is O(1). Nothing
  // decoded here is encoded again, so members no codec reads are not kept either.
  api::JsonValue* request = find_member(doc, "request");
  std::array<api::JsonValue*, 3> raw = {};
  std::array<api::JsonValue, 3> raw_values;
  if (request) {
    raw = {find_member(*request, "object"), find_member(*request, "oldObject"),
           find_member(*request, "options")};
  }
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i]) {
      raw_values[i] = std::move(*raw[i]);  // leaves null behind
    }
  }
  api::AdmissionReview review;
  api::DecodeResult decoded;
  {
    const api::DiscardExtrasScope discard_extras;
    decoded = api::from_json_value(static_cast<const api::JsonValue&>(doc), review);
  }
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i]) {
      *raw[i] = std::move(raw_values[i]);
    }
  }
  api::JsonValue* object = raw[0];
  if (!decoded) {
    return Unexpected("malformed AdmissionReview: " + decoded.error().to_string());
  }
  if (auto checked = check_review(review); !checked) {
    return Unexpected(std::move(checked).error());
  }
  Expected<PodReview, std::string> out{PodReview()};
  out->request = std::move(*review.request);
  out->object = object && !object->IsNull() ? object : nullptr;
  return out;
}

Expected<api::AdmissionRequest, std::string> decode_review_request(std::string_view body) {
  auto review = api::parse_admission_review(body);
  if (!review) {
    return Unexpected("malformed AdmissionReview: " + review.error().to_string());
  }
  return checked_request(std::move(review).value());
}

api::AdmissionResponse allow(std::string uid, std::string patch,
                             std::vector<std::string> warnings) {
  api::AdmissionResponse response;
  response.uid = std::move(uid);
  response.allowed = true;
  if (!patch.empty()) {
    response.patch = std::move(patch);
    response.patch_type = std::string(api::kJsonPatchType);
  }
  response.warnings = std::move(warnings);
  return response;
}

api::AdmissionResponse deny(std::string uid, int code, std::string reason, std::string message) {
  api::AdmissionResponse response;
  response.uid = std::move(uid);
  response.allowed = false;
  api::Status status;
  status.status = "Failure";
  status.code = code;
  status.reason = std::move(reason);
  status.message = std::move(message);
  response.status = std::move(status);
  return response;
}

api::AdmissionResponse deny_invalid(std::string uid, std::string_view kind, std::string_view name,
                                    const FieldErrors& errors) {
  auto response =
      deny(std::move(uid), 422, "Invalid",
           std::string(kind) + " \"" + std::string(name) + "\" is invalid: " + to_string(errors));
  api::StatusDetails details;
  details.name = std::string(name);
  details.kind = std::string(kind);
  for (const FieldError& error : errors) {
    api::StatusCause cause;
    cause.reason = error.type == FieldError::Type::Required    ? "FieldValueRequired"
                   : error.type == FieldError::Type::Forbidden ? "FieldValueForbidden"
                                                               : "FieldValueInvalid";
    cause.field = error.field;
    cause.message = error.detail;
    details.causes.push_back(std::move(cause));
  }
  response.status->details = std::move(details);
  return response;
}

namespace {

// Whether `text` is written by the JSON writer as is, between quotes: printable ASCII other
// than `"` and `\`.
bool plain_json_string(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string encode_review_response(const api::AdmissionResponse& response) {
  // The answer to nearly every review (an allowed pod, possibly patched) is written directly:
  // the same bytes api::to_json writes, without building a document.
  if (response.allowed && !response.status && response.audit_annotations.empty() &&
      response.warnings.empty() && response.extras.empty() && !response.uid.empty() &&
      plain_json_string(response.uid) && plain_json_string(response.patch_type)) {
    constexpr std::string_view kHead =
        R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":")";
    const std::string patch =
        response.patch.empty() ? std::string() : api::base64_encode(response.patch);
    std::string out;
    out.reserve(kHead.size() + response.uid.size() + patch.size() + response.patch_type.size() +
                64);
    out += kHead;
    out += response.uid;
    out += R"(","allowed":true)";
    if (!patch.empty()) {
      out += R"(,"patch":")";
      out += patch;
      out += '"';
    }
    if (!response.patch_type.empty()) {
      out += R"(,"patchType":")";
      out += response.patch_type;
      out += '"';
    }
    out += "}}";
    return out;
  }
  api::AdmissionReview review;
  review.api_version = std::string(api::kAdmissionReviewApiVersion);
  review.kind = std::string(api::kAdmissionReviewKind);
  review.response = response;
  return api::to_json(review);
}

}  // namespace korder::webhook
