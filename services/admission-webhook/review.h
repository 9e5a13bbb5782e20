#pragma once

// AdmissionReview admission.k8s.io/v1 in and out: checks a review body from the API server and
// builds the answers (allow, allow with a patch, deny with a Status).

#include <string>
#include <string_view>
#include <vector>

#include "korder/api/admission.h"
#include "korder/api/json_fwd.h"
#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::webhook {

/// Decodes a review body (untrusted: parsed iteratively, UTF-8 checked) and checks that it is
/// an `admission.k8s.io/v1` `AdmissionReview` with a `request` that has a `uid`. Errors are one
/// line naming the problem (`apiVersion: expected "admission.k8s.io/v1", got "v1beta1"`).
Expected<api::AdmissionRequest, std::string> decode_review_request(std::string_view body);

/// A pod review decoded for /mutate-pods: the request as decode_review_request gives it, except
/// that `object` and `old_object` stay absent; `object` points at the request's `object` inside
/// the parsed document instead (null when absent or `null`), so the pod is parsed only once.
struct PodReview {
  api::AdmissionRequest request;
  const api::JsonValue* object = nullptr;
};

/// decode_review_request for /mutate-pods, with the same checks and errors, parsing `body` in
/// place into `doc` (parse_review_json: `body` is modified, and both must outlive the answer's
/// `object`). The objects are never copied out of the document: a pod that did not opt in
/// costs one parse. The pod's members its codecs do not read may be missing from `object`
/// (ReviewMembers::kPodCodecs): decode it with api::decode_value<api::Pod>, never re-encode it.
/// The request's `object`, `oldObject` and `options` stay in `doc` (empty in `request`), and
/// its `extras` are not kept.
Expected<PodReview, std::string> decode_pod_review(std::string& body, api::JsonDocument& doc);

/// The response allowing the request, optionally with a JSON Patch and warnings.
api::AdmissionResponse allow(std::string uid, std::string patch = {},
                             std::vector<std::string> warnings = {});

/// The response denying the request with `code`, `reason` (a StatusReason: `Forbidden`,
/// `Invalid`, `ServiceUnavailable`) and `message`.
api::AdmissionResponse deny(std::string uid, int code, std::string reason, std::string message);

/// The denial of invalid objects: 422 `Invalid`, message `<Kind> "<name>" is invalid: <errors>`
/// (the API server's wording), and one cause per field error.
api::AdmissionResponse deny_invalid(std::string uid, std::string_view kind, std::string_view name,
                                    const FieldErrors& errors);

/// The body of the HTTP answer: an `admission.k8s.io/v1` AdmissionReview holding `response`.
std::string encode_review_response(const api::AdmissionResponse& response);

}  // namespace korder::webhook
