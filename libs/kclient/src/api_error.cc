#include "korder/kclient/api_error.h"

#include <algorithm>
#include <array>
#include <ostream>
#include <utility>

#include "korder/api/status.h"

namespace korder::kclient {
namespace {

using Reason = ApiError::Reason;

struct ReasonName {
  std::string_view name;
  Reason reason;
};

// The Status reasons korder classifies (k8s.io/apimachinery/pkg/apis/meta/v1/types.go).
constexpr std::array<ReasonName, 16> kReasonNames = {{
    {"NotFound", Reason::NotFound},
    {"AlreadyExists", Reason::AlreadyExists},
    {"Conflict", Reason::Conflict},
    {"Gone", Reason::Gone},
    {"Expired", Reason::Gone},
    {"Forbidden", Reason::Forbidden},
    {"Unauthorized", Reason::Unauthorized},
    {"Invalid", Reason::Invalid},
    {"BadRequest", Reason::BadRequest},
    {"MethodNotAllowed", Reason::MethodNotAllowed},
    {"UnsupportedMediaType", Reason::UnsupportedMediaType},
    {"TooManyRequests", Reason::TooManyRequests},
    {"ServerTimeout", Reason::ServerTimeout},
    {"Timeout", Reason::Timeout},
    {"InternalError", Reason::InternalError},
    {"ServiceUnavailable", Reason::ServiceUnavailable},
}};

// Status reasons apimachinery knows but korder has no value for. A Status carrying one of them is
// `Unknown` rather than classified by its code (apierrors' `knownReasons` rule).
// (StatusReasonUnknown is the empty string, which apimachinery does not count as known.)
constexpr std::array<std::string_view, 2> kOtherKnownReasons = {"NotAcceptable",
                                                                "RequestEntityTooLarge"};

// apimachinery's NewGenericServerResponse: the reason and message for a bare HTTP code.
struct CodeClass {
  Reason reason;
  std::string message;
};

CodeClass classify_code(int code, std::string_view method, std::string_view server_message) {
  switch (code) {
    case 400:
      return {Reason::BadRequest, "the server rejected our request for an unknown reason"};
    case 401:
      return {Reason::Unauthorized, "the server has asked for the client to provide credentials"};
    case 403:
      return {Reason::Forbidden,
              server_message.empty() ? std::string("forbidden") : std::string(server_message)};
    case 404:
      return {Reason::NotFound, "the server could not find the requested resource"};
    case 405:
      return {Reason::MethodNotAllowed,
              "the server does not allow this method on the requested resource"};
    case 409:
      return {method == "POST" ? Reason::AlreadyExists : Reason::Conflict,
              "the server reported a conflict"};
    case 410:
      return {Reason::Gone, "the server reported that the resource is gone"};
    case 415:
      return {Reason::UnsupportedMediaType,
              server_message.empty() ? std::string("the server does not support the media type")
                                     : std::string(server_message)};
    case 422:
      return {Reason::Invalid, "the server rejected our request due to an error in our request"};
    case 429:
      return {Reason::TooManyRequests,
              "the server has received too many requests and has asked us to try again later"};
    case 503:
      return {Reason::ServiceUnavailable, "the server is currently unable to handle the request"};
    case 504:
      return {Reason::Timeout,
              "the server was unable to return a response in the time allotted, but may still be "
              "processing the request"};
    default:
      break;
  }
  if (code >= 500) {
    return {Reason::InternalError, "an error on the server (\"" + std::string(server_message) +
                                       "\") has prevented the request from succeeding"};
  }
  return {Reason::Unknown, "the server responded with the status code " + std::to_string(code) +
                               " but did not return more information"};
}

// The body as a one-line server message: trimmed, cut at 1 KiB, empty if it is not text.
std::string server_message_of(std::string_view body) {
  constexpr std::size_t kMaxMessage = 1024;
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return "";
  }
  body = body.substr(first, body.find_last_not_of(" \t\r\n") - first + 1);
  body = body.substr(0, kMaxMessage);
  const bool is_text = std::none_of(body.begin(), body.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\r' && c != '\t';
  });
  return is_text ? std::string(body) : std::string();
}

}  // namespace

ApiError ApiError::from_response(int http_code, std::string_view body, std::string_view method,
                                 std::optional<std::chrono::seconds> retry_after) {
  ApiError error;
  if (auto status = api::parse_status(body); status && status->kind == "Status") {
    error = from_status(*status, http_code, method);
  } else {
    CodeClass cls = classify_code(http_code, method, server_message_of(body));
    error.reason_ = cls.reason;
    error.code_ = http_code;
    error.message_ = std::move(cls.message);
  }
  if (!error.retry_after_ && retry_after && retry_after->count() >= 0) {
    error.retry_after_ = retry_after;
  }
  return error;
}

ApiError ApiError::from_status_json(std::string_view status_json) {
  auto status = api::parse_status(status_json);
  if (!status || status->kind != "Status") {
    return unknown("the server sent an object that is not a Status: " +
                   server_message_of(status_json.substr(0, 200)));
  }
  return from_status(*status, 0, "");
}

ApiError ApiError::from_status(api::Status& status, int http_code, std::string_view method) {
  ApiError error;
  error.code_ = status.code.value_or(0) != 0 ? *status.code : http_code;
  error.status_reason_ = std::move(status.reason);
  error.message_ = std::move(status.message);
  for (const ReasonName& entry : kReasonNames) {
    if (entry.name == error.status_reason_) {
      error.reason_ = entry.reason;
      break;
    }
  }
  if (error.reason_ == Reason::Unknown && !error.is_known_unclassified_reason() &&
      error.code_ != 0) {
    error.reason_ = classify_code(error.code_, method, error.message_).reason;
  }
  if (status.details) {
    error.details_ = Details{std::move(status.details->name), std::move(status.details->group),
                             std::move(status.details->kind), std::move(status.details->uid)};
    for (api::StatusCause& cause : status.details->causes) {
      error.causes_.push_back(
          Cause{std::move(cause.reason), std::move(cause.message), std::move(cause.field)});
    }
    if (status.details->retry_after_seconds.value_or(0) > 0) {
      error.retry_after_ = std::chrono::seconds(*status.details->retry_after_seconds);
    }
  }
  if (error.message_.empty()) {
    error.message_ = classify_code(error.code_, method, "").message;
  }
  return error;
}

ApiError ApiError::transport(std::string message) {
  ApiError error;
  error.reason_ = Reason::Transport;
  error.message_ = std::move(message);
  return error;
}

ApiError ApiError::timeout(std::string message) {
  ApiError error;
  error.reason_ = Reason::Timeout;
  error.message_ = std::move(message);
  return error;
}

ApiError ApiError::unknown(std::string message) {
  ApiError error;
  error.message_ = std::move(message);
  return error;
}

bool ApiError::is_known_unclassified_reason() const {
  return std::find(kOtherKnownReasons.begin(), kOtherKnownReasons.end(), status_reason_) !=
         kOtherKnownReasons.end();
}

ApiError ApiError::with_context(std::string_view context) const& {
  ApiError copy = *this;
  return std::move(copy).with_context(context);
}

ApiError ApiError::with_context(std::string_view context) && {
  if (!context.empty()) {
    context_ = context_.empty() ? std::string(context) : std::string(context) + ": " + context_;
  }
  return std::move(*this);
}

std::string ApiError::to_string() const {
  if (context_.empty()) {
    return message_;
  }
  return context_ + ": " + message_;
}

bool ApiError::is_retryable() const {
  switch (reason_) {
    case Reason::TooManyRequests:
    case Reason::ServerTimeout:
    case Reason::Timeout:
    case Reason::InternalError:
    case Reason::ServiceUnavailable:
    case Reason::Transport:
      return true;
    default:
      return is_too_many_requests();
  }
}

std::string_view to_string(ApiError::Reason reason) {
  for (const ReasonName& entry : kReasonNames) {
    if (entry.reason == reason) {
      return entry.name;
    }
  }
  return reason == Reason::Transport ? "Transport" : "Unknown";
}

std::ostream& operator<<(std::ostream& os, const ApiError& e) { return os << e.to_string(); }

}  // namespace korder::kclient
