#pragma once

// metav1.Status: the body of API errors and of an admission denial. Codec conventions: see
// json.h.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/extras.h"
#include "korder/api/json_fwd.h"
#include "korder/api/meta.h"

namespace korder::api {

/// metav1.StatusCause: one field-level reason (`FieldValueInvalid` on `spec.replicas`).
struct StatusCause {
  std::string reason;
  std::string message;
  std::string field;
  Extras extras;

  bool operator==(const StatusCause&) const = default;
};

/// metav1.StatusDetails. `kind` holds the resource (plural), as the API server writes it.
struct StatusDetails {
  std::string name;
  std::string group;
  std::string kind;
  std::string uid;
  std::vector<StatusCause> causes;
  std::optional<std::int32_t> retry_after_seconds;
  Extras extras;

  bool operator==(const StatusDetails&) const = default;
};

/// metav1.Status: `status` is `Success` or `Failure`; `reason` a StatusReason such as
/// `NotFound` or `Forbidden`; `code` the HTTP status.
struct Status {
  std::string api_version;
  std::string kind;
  ListMeta metadata;
  std::string status;
  std::string message;
  std::string reason;
  std::optional<StatusDetails> details;
  std::optional<std::int32_t> code;
  Extras extras;

  bool operator==(const Status&) const = default;
};

DecodeResult from_json_value(const JsonValue& json, StatusCause& out);
DecodeResult from_json_value(const JsonValue& json, StatusDetails& out);
DecodeResult from_json_value(const JsonValue& json, Status& out);
JsonValue to_json_value(const StatusCause& in, JsonAllocator& alloc);
JsonValue to_json_value(const StatusDetails& in, JsonAllocator& alloc);
JsonValue to_json_value(const Status& in, JsonAllocator& alloc);

/// Decodes a Status from untrusted JSON text.
Expected<Status, ParseError> parse_status(std::string_view json);
/// Compact JSON of `status`.
std::string to_json(const Status& status);

}  // namespace korder::api
