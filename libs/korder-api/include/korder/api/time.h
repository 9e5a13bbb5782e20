#pragma once

#include <string>
#include <string_view>

#include "korder/base/clock.h"
#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::api {

/// Parses an RFC 3339 timestamp (`2026-11-25T02:37:12Z`, with or without fractional seconds,
/// `Z` or a numeric offset such as `+00:00` or `+08:00`). Also accepts the naive form
/// `2026-11-25T02:37:12.423764` (no offset, taken as UTC) that the Python client sends.
Expected<TimePoint, ParseError> parse_rfc3339(std::string_view text);

/// `metav1.Time` form: UTC, whole seconds, `Z` (`2026-11-25T02:37:12Z`).
std::string format_rfc3339(TimePoint t);

/// `metav1.MicroTime` form: UTC, six fractional digits (`2026-11-25T02:37:12.423743Z`).
std::string format_rfc3339_micro(TimePoint t);

}  // namespace korder::api
