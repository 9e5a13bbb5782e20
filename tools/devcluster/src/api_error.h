#pragma once

// API errors as the Kubernetes API server reports them: an HTTP code, a StatusReason and a
// message worded like kube-apiserver's (kube-protocol.md §8), sent as a `Status` body.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_types.h"
#include "korder/base/error.h"

namespace korder::devcluster {

/// One `details.causes[]` entry of a Status.
struct StatusCause {
  std::string reason;  // FieldValueInvalid, FieldValueRequired, ...
  std::string message;
  std::string field;
};

/// A failed API request.
struct ApiError {
  int code = 500;
  std::string reason;  // StatusReason: NotFound, AlreadyExists, Conflict, Invalid, ...
  std::string message;
  // details (omitted from the Status when all empty)
  std::string name;
  std::string group;
  std::string kind;  // the resource (plural), as the API server writes it
  std::string uid;
  std::vector<StatusCause> causes;
  std::optional<int> retry_after_seconds;

  /// The Status object (compact JSON).
  std::string to_status_json() const;
  /// The HTTP response carrying the Status.
  HttpResponse to_response() const;
};

/// Identifies an object in error messages: `qualified` is `orders.core.korder.dev` (or `pods`
/// for the core group), `group` and `resource` fill the details.
struct ErrorSubject {
  std::string qualified;
  std::string group;
  std::string resource;
  std::string name;
};

/// 404 `<qualified> "<name>" not found`.
ApiError not_found(const ErrorSubject& subject);
/// 404 `the server could not find the requested resource` (unknown path or resource).
ApiError not_found_path();
/// 409 AlreadyExists `<qualified> "<name>" already exists`.
ApiError already_exists(const ErrorSubject& subject);
/// 409 Conflict `Operation cannot be fulfilled on <qualified> "<name>": <detail>`.
ApiError conflict(const ErrorSubject& subject, std::string_view detail);
/// The conflict of a stale resourceVersion: `the object has been modified; please apply your
/// changes to the latest version and try again`.
ApiError conflict_modified(const ErrorSubject& subject);
/// 422 Invalid `<Kind>.<group> "<name>" is invalid: <errors>` with one cause per error.
/// `kind_qualified` is `Order.core.korder.dev` (or `Pod` for the core group).
ApiError invalid(std::string_view kind_qualified, const ErrorSubject& subject,
                 const FieldErrors& errors);
/// 400 BadRequest with `message`.
ApiError bad_request(std::string message);
/// 405 MethodNotAllowed.
ApiError method_not_allowed();
/// 403 Forbidden with `message`.
ApiError forbidden(const ErrorSubject& subject, std::string message);
/// 410 Expired with `message` (e.g. `too old resource version: 5 (500)`).
ApiError expired(std::string message);
/// 415 UnsupportedMediaType listing `accepted` media types.
ApiError unsupported_media_type(std::string_view content_type, std::string_view accepted);
/// 413 RequestEntityTooLarge.
ApiError request_entity_too_large(std::string message);
/// 500 InternalError `Internal error occurred: <message>`.
ApiError internal_error(std::string_view message);
/// 501 NotImplemented with `message` (admin endpoints not built yet).
ApiError not_implemented(std::string message);

/// The StatusCause reason Kubernetes uses for a FieldError type (`FieldValueInvalid`, ...).
std::string_view cause_reason(FieldError::Type type);

/// A success Status (`{"kind":"Status","status":"Success",...}`) with optional details and code.
std::string success_status_json(const ErrorSubject* subject, std::string_view uid,
                                std::optional<int> code);

}  // namespace korder::devcluster
