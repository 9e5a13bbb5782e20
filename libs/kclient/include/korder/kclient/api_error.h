#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace korder::api {
struct Status;
}  // namespace korder::api

namespace korder::kclient {

/// Why a call to the API server failed: the server's answer (a `Status` body, or a bare HTTP
/// code), or a failure to talk to it at all (`Transport`, `Timeout`). client-go's
/// `apierrors.StatusError` as a value: every call of the REST client returns one on failure, and
/// the predicates mirror `apierrors.IsNotFound` and friends.
///
/// The error keeps what the server said (code, message, details, causes, the raw `reason`
/// string) and gains context as it travels up (`with_context`), so the final message reads
/// `getting order ns/a: orders.core.korder.dev "a" not found`. A plain value: copyable, cheap to
/// move, thread-compatible.
class ApiError {
 public:
  /// The kind of failure. Each server reason maps to one value (`Expired` and `Gone` both to
  /// `Gone`); a reason korder does not know, or an empty one, is classified by the HTTP code as
  /// apimachinery does, and otherwise is `Unknown`.
  enum class Reason {
    NotFound,              // 404
    AlreadyExists,         // 409 on create
    Conflict,              // 409: stale resourceVersion, apply conflict
    Gone,                  // 410: `Gone` or `Expired` (too old resourceVersion, expired continue)
    Forbidden,             // 403
    Unauthorized,          // 401
    Invalid,               // 422, with field causes
    BadRequest,            // 400
    MethodNotAllowed,      // 405
    UnsupportedMediaType,  // 415
    TooManyRequests,       // 429, usually with Retry-After
    ServerTimeout,         // 500 `ServerTimeout`: the server asks the client to retry
    Timeout,               // 504, or a client-side timeout (no HTTP code)
    InternalError,         // 500 and other 5xx
    ServiceUnavailable,    // 503
    Transport,             // connect, TLS or read failure: no usable answer from the server
    Unknown,               // anything else (including a response korder could not decode)
  };

  /// metav1.StatusCause: one field-level problem (`FieldValueInvalid` on `spec.quantity`).
  struct Cause {
    std::string reason;
    std::string message;
    std::string field;
    bool operator==(const Cause&) const = default;
  };

  /// metav1.StatusDetails: the object the error is about. `kind` is the resource (plural), as
  /// the API server writes it.
  struct Details {
    std::string name;
    std::string group;
    std::string kind;
    std::string uid;
    bool operator==(const Details&) const = default;
  };

  /// An `Unknown` error with no message (for containers and default-constructed results).
  ApiError() = default;

  /// From an HTTP error response, as client-go's `transformResponse` does: if `body` is a
  /// `Status`, its reason, message, details, causes and retryAfterSeconds are used (its `code`,
  /// when set, wins over `http_code`); otherwise the code alone decides, with client-go's
  /// messages (`the server could not find the requested resource`). A 409 without a Status is
  /// `AlreadyExists` for a POST (`method`) and `Conflict` otherwise. `retry_after` is the
  /// response's `Retry-After` header in seconds, used when the Status gives none.
  static ApiError from_response(int http_code, std::string_view body, std::string_view method = "",
                                std::optional<std::chrono::seconds> retry_after = std::nullopt);

  /// From a `Status` object that arrived in a watch stream (an ERROR event), as JSON text.
  /// A body that is not a Status gives an `Unknown` error saying so.
  static ApiError from_status_json(std::string_view status_json);

  /// A failure to talk to the server (resolve, connect, TLS handshake, write, read, or a response
  /// that is not HTTP). `message` names the step and the underlying error
  /// (`connecting to 10.0.0.1:6443: Connection refused`).
  static ApiError transport(std::string message);

  /// A client-side timeout (`reading the response from 10.0.0.1:6443: timed out after 30s`).
  static ApiError timeout(std::string message);

  /// A failure that is not the server's answer nor the network's (a response that does not
  /// decode, a misuse of the client): `Unknown`, with `message`.
  static ApiError unknown(std::string message);

  Reason reason() const { return reason_; }
  /// The HTTP status code, or 0 when there was no HTTP answer (Transport, client Timeout).
  int code() const { return code_; }
  /// The server's (or the transport's) message, without the context.
  const std::string& message() const { return message_; }
  /// The Status `reason` exactly as the server sent it (`Expired`, `NotFound`, or empty).
  const std::string& status_reason() const { return status_reason_; }
  const Details& details() const { return details_; }
  const std::vector<Cause>& causes() const { return causes_; }
  /// How long the server asked the client to wait before retrying (a Status's
  /// `details.retryAfterSeconds` > 0, else the `Retry-After` header), if it did.
  std::optional<std::chrono::seconds> retry_after() const { return retry_after_; }
  /// The context added by `with_context`, outermost first (`a: b`), or empty.
  const std::string& context() const { return context_; }

  /// The same error with `context` prepended (`listing tickets in ns/foo: <message>`). The
  /// reason, code and details are unchanged: context never hides the cause.
  ApiError with_context(std::string_view context) const&;
  ApiError with_context(std::string_view context) &&;

  /// `<context>: <message>`, or the message alone. Never contains credentials.
  std::string to_string() const;

  // Predicates mirroring k8s.io/apimachinery/pkg/api/errors.
  bool is_not_found() const { return reason_ == Reason::NotFound; }
  bool is_already_exists() const { return reason_ == Reason::AlreadyExists; }
  bool is_conflict() const { return reason_ == Reason::Conflict; }
  /// `Gone` or `Expired` (apierrors' IsGone || IsResourceExpired): relist.
  bool is_gone() const { return reason_ == Reason::Gone; }
  /// Only the `Expired` reason (apierrors.IsResourceExpired).
  bool is_resource_expired() const { return status_reason_ == "Expired"; }
  bool is_forbidden() const { return reason_ == Reason::Forbidden; }
  bool is_unauthorized() const { return reason_ == Reason::Unauthorized; }
  bool is_invalid() const { return reason_ == Reason::Invalid; }
  bool is_bad_request() const { return reason_ == Reason::BadRequest; }
  bool is_method_not_supported() const { return reason_ == Reason::MethodNotAllowed; }
  bool is_unsupported_media_type() const { return reason_ == Reason::UnsupportedMediaType; }
  /// Reason TooManyRequests, or HTTP 429 whatever the reason (as apierrors does).
  bool is_too_many_requests() const { return reason_ == Reason::TooManyRequests || code_ == 429; }
  bool is_server_timeout() const { return reason_ == Reason::ServerTimeout; }
  bool is_timeout() const { return reason_ == Reason::Timeout; }
  bool is_internal_error() const { return reason_ == Reason::InternalError; }
  bool is_service_unavailable() const { return reason_ == Reason::ServiceUnavailable; }
  bool is_transport() const { return reason_ == Reason::Transport; }

  /// Whether the failure is transient, so the same request may succeed later: TooManyRequests,
  /// ServerTimeout, Timeout, InternalError, ServiceUnavailable, Transport. Whether a retry is
  /// *safe* (idempotent) is the caller's decision, not the error's.
  bool is_retryable() const;

 private:
  // From a decoded Status; `http_code` stands in for a missing `code`.
  static ApiError from_status(api::Status& status, int http_code, std::string_view method);
  // A reason apimachinery knows that korder has no value for (`NotAcceptable`): stays Unknown.
  bool is_known_unclassified_reason() const;

  Reason reason_ = Reason::Unknown;
  int code_ = 0;
  std::string message_;
  std::string status_reason_;
  Details details_;
  std::vector<Cause> causes_;
  std::optional<std::chrono::seconds> retry_after_;
  std::string context_;
};

/// The reason's name as Kubernetes spells it (`NotFound`, `TooManyRequests`), or `Transport` /
/// `Unknown` for korder's own.
std::string_view to_string(ApiError::Reason reason);

/// Prints `e.to_string()` (for logs and test failure messages).
std::ostream& operator<<(std::ostream& os, const ApiError& e);

}  // namespace korder::kclient
