#pragma once

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::api {

__extension__ using Int128 = __int128;

/// A Kubernetes resource quantity (`500m`, `1Gi`, `1.5`, `2e3`), exact: the value is held as
/// a signed 128-bit count of nano-units (10^-9), so no floating point is ever involved and
/// realistic sums (10,000 x 1Ti, a whole cluster's memory) cannot overflow. Precision below
/// nano rounds up, as Kubernetes does (away from zero: `0.9n` is `1n`, `-0.9n` is `-1n`). The
/// format (DecimalSI, BinarySI, DecimalExponent) follows Kubernetes: it comes from the suffix of
/// the parsed text and decides the canonical form printed by `to_string()`. The range is
/// symmetric, |value| < 2^127 nano-units (about 1.7e29 units). A value type; comparisons and
/// equality look at the value only.
class Quantity {
 public:
  enum class Format { DecimalSI, BinarySI, DecimalExponent };

  /// Zero, DecimalSI.
  Quantity() = default;

  /// Parses Kubernetes' quantity grammar exactly as `resource.ParseQuantity` does (no surrounding
  /// whitespace). Errors name the input and carry Kubernetes' reason, e.g.
  /// `invalid quantity "12x": quantities must match the regular expression
  /// '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`, or `invalid quantity "1Gii": unable to
  /// parse quantity's suffix`. A BinarySI value above 2^63-1 is capped there, silently, as
  /// Kubernetes does (`9Ei` is 9223372036854775807); any other value beyond the 128-bit range
  /// is rejected with an error (Kubernetes would accept it; korder never wraps around).
  static Expected<Quantity, ParseError> parse(std::string_view text);

  /// `parse` after dropping ASCII whitespace around `text`, as Kubernetes' `UnmarshalJSON` does
  /// for a quantity read from an object (`" 1"` is 1 there). Use it for values read from JSON
  /// or YAML; use `parse` for flags and other strict input.
  static Expected<Quantity, ParseError> parse_trimmed(std::string_view text);

  /// `units` whole units (Kubernetes' `NewQuantity`).
  static Quantity from_int(std::int64_t units, Format format = Format::DecimalSI);
  /// `milli` thousandths (Kubernetes' `NewMilliQuantity`).
  static Quantity from_milli(std::int64_t milli, Format format = Format::DecimalSI);
  /// `nanos` billionths. `nanos` must not be the most negative Int128 (outside the symmetric
  /// range); that is a bug and stops the process.
  static Quantity from_nanos(Int128 nanos, Format format = Format::DecimalSI);

  /// The canonical form Kubernetes prints (`Quantity.String()`): `1500m` for 1.5, `1Gi` for
  /// 1024Mi, `2e3`, `100m`, `0`. A BinarySI value below 1024 or with a fraction prints as
  /// DecimalSI; a DecimalSI value beyond `E` prints with an exponent (`1e21`). One deliberate
  /// difference: a BinarySI value that is a multiple of 1024Ei prints as `<n>Ei`, where
  /// Kubernetes would drop the suffix and print a wrong value.
  std::string to_string() const;

  Int128 nanos() const { return nanos_; }
  /// Whole units, rounded up away from zero (Kubernetes' `Value()`: 1.5 is 2, -1.5 is -2);
  /// saturates at the int64 limits.
  std::int64_t value() const;
  /// Milli-units, rounded up away from zero (Kubernetes' `MilliValue()`); saturates at the
  /// int64 limits.
  std::int64_t milli_value() const;
  Format format() const { return format_; }
  int sign() const { return nanos_ < 0 ? -1 : (nanos_ > 0 ? 1 : 0); }
  bool is_zero() const { return nanos_ == 0; }

  /// Exact arithmetic. The result keeps the left operand's format, or takes the right one's
  /// when the left operand is zero (as Kubernetes' Add and Sub do). nullopt on overflow of the
  /// 128-bit representation.
  std::optional<Quantity> checked_add(const Quantity& other) const;
  std::optional<Quantity> checked_sub(const Quantity& other) const;
  std::optional<Quantity> checked_mul(std::int64_t factor) const;
  /// Multiplies by an exact decimal factor (a quantity such as `1.5`), rounding away from zero
  /// below nano as parsing does: `500m` x `1.5` = `750m`, `1n` x `0.5` = `1n`. Keeps this
  /// quantity's format. nullopt on overflow.
  std::optional<Quantity> checked_mul(const Quantity& factor) const;

  /// Arithmetic that CHECK-fails on overflow: for sums whose bounds the caller controls.
  Quantity operator+(const Quantity& other) const;
  Quantity operator-(const Quantity& other) const;
  Quantity& operator+=(const Quantity& other);
  Quantity& operator-=(const Quantity& other);

  std::strong_ordering operator<=>(const Quantity& other) const {
    return nanos_ <=> other.nanos_;
  }
  bool operator==(const Quantity& other) const { return nanos_ == other.nanos_; }

 private:
  Int128 nanos_ = 0;
  Format format_ = Format::DecimalSI;
};

/// Prints `q.to_string()` (for logs and test failure messages).
std::ostream& operator<<(std::ostream& os, const Quantity& q);

}  // namespace korder::api
