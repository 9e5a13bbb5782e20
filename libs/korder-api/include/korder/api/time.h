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
/// Exactly `YYYY-MM-DDThh:mm:ss[.f+][Z|±hh:mm]`: `t` and `z` may be lower case (RFC 3339 §5.6),
/// digits past the ninth fractional one are dropped (as Go does), seconds stop at 59 (no leap
/// seconds, as in Go). Errors name the text and the reason: `invalid RFC 3339 time
/// "2026-13-01T00:00:00Z": month out of range`. Instants outside what `TimePoint` holds
/// (1677-09-21 to 2262-04-11) are rejected.
Expected<TimePoint, ParseError> parse_rfc3339(std::string_view text);

/// `metav1.Time` form: UTC, whole seconds, `Z` (`2026-11-25T02:37:12Z`); the fraction is
/// truncated (toward the past, also before 1970).
std::string format_rfc3339(TimePoint t);

/// `metav1.MicroTime` form: UTC, six fractional digits (`2026-11-25T02:37:12.423743Z`),
/// truncated like `format_rfc3339`.
std::string format_rfc3339_micro(TimePoint t);

}  // namespace korder::api
