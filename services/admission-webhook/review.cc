#include "review.h"

#include <utility>

namespace korder::webhook {

Expected<api::AdmissionRequest, std::string> decode_review_request(std::string_view body) {
  auto review = api::parse_admission_review(body);
  if (!review) {
    return Unexpected("malformed AdmissionReview: " + review.error().to_string());
  }
  if (review->api_version != api::kAdmissionReviewApiVersion) {
    return Unexpected("apiVersion: expected \"" + std::string(api::kAdmissionReviewApiVersion) +
                      "\", got \"" + review->api_version + "\"");
  }
  if (review->kind != api::kAdmissionReviewKind) {
    return Unexpected("kind: expected \"" + std::string(api::kAdmissionReviewKind) + "\", got \"" +
                      review->kind + "\"");
  }
  if (!review->request) {
    return Unexpected(std::string("request: required"));
  }
  if (review->request->uid.empty()) {
    return Unexpected(std::string("request.uid: required"));
  }
  return std::move(*review->request);
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

std::string encode_review_response(const api::AdmissionResponse& response) {
  api::AdmissionReview review;
  review.api_version = std::string(api::kAdmissionReviewApiVersion);
  review.kind = std::string(api::kAdmissionReviewKind);
  review.response = response;
  return api::to_json(review);
}

}  // namespace korder::webhook
