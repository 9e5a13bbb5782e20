#pragma once

#include <compare>
#include <cstdint>
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
/// nano rounds up, as Kubernetes does. The format (DecimalSI, BinarySI, DecimalExponent)
/// follows Kubernetes: it comes from the suffix of the parsed text and decides the canonical
/// form printed by `to_string()`. A value type; comparisons and equality look at the value only.
class Quantity {
 public:
  enum class Format { DecimalSI, BinarySI, DecimalExponent };

  /// Zero, DecimalSI.
  Quantity() = default;

  /// Parses Kubernetes' quantity grammar. Errors name the input, e.g.
  /// `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'` or
  /// `unable to parse quantity's suffix` for "12x"; values beyond what Kubernetes accepts are
  /// rejected.
  static Expected<Quantity, ParseError> parse(std::string_view text);

  static Quantity from_int(std::int64_t units, Format format = Format::DecimalSI);
  static Quantity from_milli(std::int64_t milli, Format format = Format::DecimalSI);
  static Quantity from_nanos(Int128 nanos, Format format = Format::DecimalSI);

  /// The canonical form Kubernetes prints: `1500m` for 1.5, `1Gi` for 1024Mi, `2e3`, `100m`.
  std::string to_string() const;

  Int128 nanos() const { return nanos_; }
  /// Whole units, rounded up (Kubernetes' `Value()`); saturates at the int64 limits.
  std::int64_t value() const;
  /// Milli-units, rounded up (Kubernetes' `MilliValue()`); saturates at the int64 limits.
  std::int64_t milli_value() const;
  Format format() const { return format_; }
  int sign() const { return nanos_ < 0 ? -1 : (nanos_ > 0 ? 1 : 0); }
  bool is_zero() const { return nanos_ == 0; }

  /// Exact arithmetic. The result keeps the left operand's format (as Kubernetes' Add does).
  /// nullopt on overflow of the 128-bit representation.
  std::optional<Quantity> checked_add(const Quantity& other) const;
  std::optional<Quantity> checked_sub(const Quantity& other) const;
  std::optional<Quantity> checked_mul(std::int64_t factor) const;
  /// Multiplies by an exact decimal factor (a quantity such as `1.5`), rounding up below nano:
  /// `500m` x `1.5` = `750m`. nullopt on overflow.
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

}  // namespace korder::api
