#pragma once

// Constructors for FieldError in Kubernetes' wording (k8s.io/apimachinery/pkg/util/validation/
// field/errors.go, Kubernetes 1.28), and field-path builders (field.Path's Child, Index, Key).
// `to_string()` of each error reads exactly as the API server prints it:
//   spec.replicas: Invalid value: -1: must be greater than or equal to 0
//   spec.template.spec.duration: Required value
//   spec.strategy.type: Unsupported value: "Weekly": supported values: "OneTime", "Recurring"
//   spec.strategy.schedule: Forbidden: may not be set when strategy.type is OneTime
//   spec.scope.namespaces[1]: Duplicate value: "team-a"
//   metadata.annotations: Too long: must have at most 262144 bytes
// The Invalid constructor for string values (quoted as Go's %q) is names.h's field_invalid().

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "korder/base/error.h"

namespace korder::api {

/// apimachinery's `FieldImmutableErrorMsg`.
inline constexpr std::string_view kFieldImmutableErrorMsg = "field is immutable";
/// apimachinery's `IsNegativeErrorMsg`.
inline constexpr std::string_view kIsNegativeErrorMsg = "must be greater than or equal to 0";
/// core validation's `isNotPositiveErrorMsg`.
inline constexpr std::string_view kIsNotPositiveErrorMsg = "must be greater than zero";

/// `field.Path.Child`: `parent.name`, or `name` alone when `parent` is empty.
std::string child_path(std::string_view parent, std::string_view name);
/// `field.Path.Index`: `parent[index]`.
std::string index_path(std::string_view parent, std::size_t index);
/// `field.Path.Key`: `parent[key]` (the key is not quoted, as in Kubernetes).
std::string key_path(std::string_view parent, std::string_view key);

/// `field.Invalid` with an integer value, printed bare: `Invalid value: -1: <message>`.
FieldError field_invalid_int(std::string field, std::int64_t value, std::string_view message);

/// `field.Invalid` with a value that Go prints through its `String()` method, i.e. bare and
/// unquoted (a resource.Quantity: `Invalid value: 500m: must be an integer`). `printed` is
/// used verbatim; use names.h's field_invalid() for plain strings, which Go quotes.
FieldError field_invalid_printed(std::string field, std::string_view printed,
                                 std::string_view message);

/// `field.Required`: `Required value`, plus `: <detail>` when a detail is given.
FieldError field_required(std::string field, std::string_view detail = {});

/// `field.Forbidden`: `Forbidden: <detail>`.
FieldError field_forbidden(std::string field, std::string_view detail);

/// `field.NotSupported` for a string value: `Unsupported value: "<value>": supported values:
/// "<a>", "<b>"`, the supported values quoted and listed in the order given (Kubernetes
/// callers pass them sorted; so should ours, unless Kubernetes lists them otherwise).
FieldError field_not_supported(std::string field, std::string_view value,
                               const std::vector<std::string_view>& supported);

/// `field.Duplicate` for a string value: `Duplicate value: "<value>"`.
FieldError field_duplicate(std::string field, std::string_view value);

/// `field.TooLong` (1.28 wording): `Too long: must have at most <max_bytes> bytes`.
FieldError field_too_long(std::string field, std::size_t max_bytes);

/// Appends `more` to `errors` (validation collects every problem, never only the first).
void append_errors(FieldErrors& errors, FieldErrors more);

}  // namespace korder::api
