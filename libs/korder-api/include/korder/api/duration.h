#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::api {

/// A Go `time.Duration`: a signed count of nanoseconds, parsed and printed with Go's syntax
/// (`24h`, `1h30m`, `90s`, `500ms`, `1.5h`, `-2m`; printed as `24h0m0s`, `1.5s`, `500ms`, `0s`).
/// Objects keep the user's string; this type is what code computes with.
class Duration {
 public:
  Duration() = default;
  explicit Duration(std::chrono::nanoseconds d) : nanos_(d.count()) {}

  /// Go's `time.ParseDuration`, value for value (including its float64 rounding of long
  /// fractions) and with its errors: `time: invalid duration ""`, `time: missing unit in
  /// duration "1"`, `time: unknown unit "x" in duration "3x"`, `time: invalid duration
  /// "9223372036854775808ns"` (overflow). Units: ns, us (or µs, μs), ms, s, m, h.
  static Expected<Duration, ParseError> parse(std::string_view text);

  /// Go's `Duration.String()`: `24h0m0s`, `1h30m0s`, `1.5s`, `500ms`, `0s`.
  std::string to_string() const;

  std::chrono::nanoseconds nanoseconds() const { return std::chrono::nanoseconds(nanos_); }
  std::int64_t count() const { return nanos_; }

  auto operator<=>(const Duration&) const = default;

 private:
  std::int64_t nanos_ = 0;
};

/// Prints `d.to_string()` (for logs and test failure messages).
std::ostream& operator<<(std::ostream& os, const Duration& d);

}  // namespace korder::api
