#include "korder/api/quantity.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "go_quote.h"
#include "korder/base/check.h"

// The grammar, the error texts, the rounding and the canonical form follow Kubernetes'
// k8s.io/apimachinery/pkg/api/resource (quantity.go, amount.go, suffix.go); the value is kept
// as a count of nano-units in 128 bits instead of Kubernetes' int64/inf.Dec pair.

namespace korder::api {
namespace {

__extension__ using UInt128 = unsigned __int128;

constexpr std::int64_t kNanosPerUnit = 1'000'000'000;
constexpr UInt128 kMaxMagnitude = (static_cast<UInt128>(1) << 127) - 1;  // |nanos| limit
// Kubernetes caps a parsed BinarySI value at 2^63-1 units.
constexpr UInt128 kBinaryCapNanos =
    static_cast<UInt128>(std::numeric_limits<std::int64_t>::max()) * kNanosPerUnit;
constexpr Int128 kMinInt128 = -static_cast<Int128>(kMaxMagnitude) - 1;

constexpr std::string_view kFormatWrong =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view kSuffixWrong = "unable to parse quantity's suffix";

Unexpected<ParseError> quantity_error(std::string_view text, std::string_view reason) {
  return Unexpected(
      ParseError{"invalid quantity " + internal::go_quote(text) + ": " + std::string(reason), ""});
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_suffix_letter(char c) {
  switch (c) {
    case 'e':
    case 'E':
    case 'i':
    case 'n':
    case 'u':
    case 'm':
    case 'k':
    case 'K':
    case 'M':
    case 'G':
    case 'T':
    case 'P':
      return true;
    default:
      return false;
  }
}

// The pieces of a quantity string, split the way Kubernetes' parseQuantityString splits them.
struct Pieces {
  bool positive = true;
  std::string_view num = "0";  // integer digits, leading zeros removed ("0" when none)
  std::string_view denom;      // digits after the '.'
  std::string_view suffix;
};

// Kubernetes' scanner: sign, digits, optional '.' and digits, then suffix letters, an optional
// sign and digits. Anything left over is a format error (nullopt). Note that, as in Kubernetes,
// a lone sign or a lone '.' scans as zero.
std::optional<Pieces> split(std::string_view s) {
  Pieces out;
  std::size_t pos = 0;
  const std::size_t end = s.size();
  if (pos < end && (s[pos] == '-' || s[pos] == '+')) {
    out.positive = s[pos] == '+';
    ++pos;
  }
  while (pos < end && s[pos] == '0') {
    ++pos;
  }
  if (pos == end) {
    return out;  // only zeros (or nothing) after the sign
  }
  std::size_t start = pos;
  while (pos < end && is_digit(s[pos])) {
    ++pos;
  }
  if (pos > start) {
    out.num = s.substr(start, pos - start);
  }
  if (pos == end) {
    return out;
  }
  if (s[pos] == '.') {
    ++pos;
    start = pos;
    while (pos < end && is_digit(s[pos])) {
      ++pos;
    }
    out.denom = s.substr(start, pos - start);
    if (pos == end) {
      return out;
    }
  }
  const std::size_t suffix_start = pos;
  while (pos < end && is_suffix_letter(s[pos])) {
    ++pos;
  }
  if (pos < end && (s[pos] == '-' || s[pos] == '+')) {
    ++pos;
  }
  while (pos < end && is_digit(s[pos])) {
    ++pos;
  }
  if (pos != end) {
    return std::nullopt;
  }
  out.suffix = s.substr(suffix_start);
  return out;
}

struct Suffix {
  int base = 10;              // 10 or 2
  std::int64_t exponent = 0;  // power of `base`
  Quantity::Format format = Quantity::Format::DecimalSI;
};

// strconv.ParseInt(text, 10, 64): an optional sign and at least one digit, in int64 range.
std::optional<std::int64_t> parse_int64(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return std::nullopt;
  }
  std::uint64_t magnitude = 0;
  const std::uint64_t limit =
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0);
  for (const char c : text) {
    if (!is_digit(c)) {
      return std::nullopt;
    }
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (magnitude > (limit - digit) / 10) {
      return std::nullopt;
    }
    magnitude = magnitude * 10 + digit;
  }
  return negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
}

// Kubernetes' suffixer: the SI and binary tables first, then `e<int>` / `E<int>`.
std::optional<Suffix> interpret(std::string_view suffix) {
  using Format = Quantity::Format;
  struct Entry {
    std::string_view text;
    int base;
    int exponent;
    Format format;
  };
  static constexpr Entry kTable[] = {
      {"", 10, 0, Format::DecimalSI},   {"n", 10, -9, Format::DecimalSI},
      {"u", 10, -6, Format::DecimalSI}, {"m", 10, -3, Format::DecimalSI},
      {"k", 10, 3, Format::DecimalSI},  {"M", 10, 6, Format::DecimalSI},
      {"G", 10, 9, Format::DecimalSI},  {"T", 10, 12, Format::DecimalSI},
      {"P", 10, 15, Format::DecimalSI}, {"E", 10, 18, Format::DecimalSI},
      {"Ki", 2, 10, Format::BinarySI},  {"Mi", 2, 20, Format::BinarySI},
      {"Gi", 2, 30, Format::BinarySI},  {"Ti", 2, 40, Format::BinarySI},
      {"Pi", 2, 50, Format::BinarySI},  {"Ei", 2, 60, Format::BinarySI},
  };
  for (const auto& entry : kTable) {
    if (entry.text == suffix) {
      return Suffix{entry.base, entry.exponent, entry.format};
    }
  }
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    if (const auto exponent = parse_int64(suffix.substr(1))) {
      return Suffix{10, *exponent, Format::DecimalExponent};
    }
  }
  return std::nullopt;
}

// An unsigned integer of any size, for the rare inputs with more than 19 significant digits.
class BigUnsigned {
 public:
  void multiply_add(std::uint32_t factor, std::uint32_t addend) {
    std::uint64_t carry = addend;
    for (auto& limb : limbs_) {
      const std::uint64_t product = static_cast<std::uint64_t>(limb) * factor + carry;
      limb = static_cast<std::uint32_t>(product);
      carry = product >> 32;
    }
    if (carry != 0) {
      limbs_.push_back(static_cast<std::uint32_t>(carry));
    }
  }

  // Divides in place; returns the remainder.
  std::uint32_t divide(std::uint32_t divisor) {
    std::uint64_t remainder = 0;
    for (auto it = limbs_.rbegin(); it != limbs_.rend(); ++it) {
      const std::uint64_t current = (remainder << 32) | *it;
      *it = static_cast<std::uint32_t>(current / divisor);
      remainder = current % divisor;
    }
    while (!limbs_.empty() && limbs_.back() == 0) {
      limbs_.pop_back();
    }
    return static_cast<std::uint32_t>(remainder);
  }

  bool is_zero() const { return limbs_.empty(); }

  std::optional<UInt128> to_uint128() const {
    if (limbs_.size() > 4) {
      return std::nullopt;
    }
    UInt128 out = 0;
    for (auto it = limbs_.rbegin(); it != limbs_.rend(); ++it) {
      out = (out << 32) | *it;
    }
    return out;
  }

 private:
  std::vector<std::uint32_t> limbs_;  // little-endian, no leading zero limbs
};

// ceil(digits x 2^pow2 x 10^shift) for a non-empty digit string without leading or trailing
// zeros; nullopt when it does not fit in 128 bits.
std::optional<UInt128> scaled_magnitude_big(std::string_view digits, int pow2, Int128 shift) {
  BigUnsigned value;
  for (const char c : digits) {
    value.multiply_add(10, static_cast<std::uint32_t>(c - '0'));
  }
  for (int i = 0; i < pow2; i += 10) {
    value.multiply_add(1024, 0);
  }
  if (shift >= 0) {
    if (shift > 39) {
      return std::nullopt;  // at least 10^39 > 2^128
    }
    for (Int128 i = 0; i < shift; ++i) {
      value.multiply_add(10, 0);
    }
    return value.to_uint128();
  }
  bool inexact = false;
  for (Int128 left = -shift; left > 0 && !value.is_zero();) {
    const int step = left >= 9 ? 9 : static_cast<int>(left);
    std::uint32_t divisor = 1;
    for (int i = 0; i < step; ++i) {
      divisor *= 10;
    }
    inexact = value.divide(divisor) != 0 || inexact;
    left -= step;
  }
  const auto out = value.to_uint128();
  if (!out) {
    return std::nullopt;
  }
  return *out + (inexact ? 1 : 0);
}

// ceil(digits x 2^pow2 x 10^shift), as above, for up to 19 digits.
std::optional<UInt128> scaled_magnitude_small(std::string_view digits, int pow2, Int128 shift) {
  std::uint64_t mantissa = 0;
  for (const char c : digits) {
    mantissa = mantissa * 10 + static_cast<std::uint64_t>(c - '0');
  }
  UInt128 value = static_cast<UInt128>(mantissa) << pow2;  // < 2^64 x 2^60
  const UInt128 max = ~static_cast<UInt128>(0);
  if (shift >= 0) {
    for (Int128 i = 0; i < shift; ++i) {
      if (value > max / 10) {
        return std::nullopt;
      }
      value *= 10;
    }
    return value;
  }
  if (shift < -38) {
    return 1;  // 0 < value < 2^128 < 10^39: the quotient rounds up to one
  }
  UInt128 divisor = 1;
  for (Int128 i = 0; i < -shift; ++i) {
    divisor *= 10;
  }
  return value / divisor + (value % divisor != 0 ? 1 : 0);
}

void append_decimal(std::string& out, UInt128 value) {
  char buffer[40];
  std::size_t n = 0;
  do {
    buffer[n++] = static_cast<char>('0' + static_cast<int>(value % 10));
    value /= 10;
  } while (value != 0);
  while (n > 0) {
    out.push_back(buffer[--n]);
  }
}

UInt128 magnitude_of(Int128 value) {
  return value < 0 ? static_cast<UInt128>(0) - static_cast<UInt128>(value)
                   : static_cast<UInt128>(value);
}

std::optional<Quantity> make_checked(Int128 nanos, Quantity::Format format) {
  if (nanos == kMinInt128) {
    return std::nullopt;  // outside the symmetric range
  }
  return Quantity::from_nanos(nanos, format);
}

// Divides by `unit` (a power of ten), rounding away from zero, and saturates to int64.
std::int64_t scaled_value(Int128 nanos, std::int64_t unit) {
  Int128 quotient = nanos / unit;
  if (nanos % unit != 0) {
    quotient += nanos > 0 ? 1 : -1;
  }
  if (quotient > std::numeric_limits<std::int64_t>::max()) {
    return std::numeric_limits<std::int64_t>::max();
  }
  if (quotient < std::numeric_limits<std::int64_t>::min()) {
    return std::numeric_limits<std::int64_t>::min();
  }
  return static_cast<std::int64_t>(quotient);
}

// Parses `text`; errors name `shown` (the caller's original input).
// The forms nearly every manifest uses (`500m`, `2`, `128Mi`: at most 15 unsigned digits and
// one of the suffixes below), computed directly; nullopt sends anything else to the general
// path, whose result this equals (quantity_test checks the two against each other). Saves the
// splitting, joining and digit-by-digit scaling that cost ~1,700 instructions per quantity.
std::optional<Quantity> parse_simple(std::string_view text) {
  using Format = Quantity::Format;
  constexpr std::size_t kMaxDigits = 15;
  std::size_t pos = 0;
  std::uint64_t value = 0;
  while (pos < text.size() && is_digit(text[pos])) {
    if (pos == kMaxDigits) {
      return std::nullopt;
    }
    value = value * 10 + static_cast<std::uint64_t>(text[pos] - '0');
    ++pos;
  }
  if (pos == 0) {
    return std::nullopt;
  }
  const std::string_view suffix = text.substr(pos);
  // value x 10^pow10 x 2^pow2 nanos.
  int pow10 = 9;
  int pow2 = 0;
  Format format = Format::DecimalSI;
  if (suffix.empty()) {
  } else if (suffix == "m") {
    pow10 = 6;
  } else if (suffix == "k") {
    pow10 = 12;
  } else if (suffix == "M") {
    pow10 = 15;
  } else if (suffix == "G") {
    pow10 = 18;
  } else if (suffix.size() == 2 && suffix[1] == 'i') {
    format = Format::BinarySI;
    switch (suffix[0]) {
      case 'K':
        pow2 = 10;
        break;
      case 'M':
        pow2 = 20;
        break;
      case 'G':
        pow2 = 30;
        break;
      case 'T':
        pow2 = 40;
        break;
      default:
        return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (value == 0) {
    return Quantity::from_nanos(0, format);
  }
  UInt128 nanos = value;
  for (int i = 0; i < pow10; ++i) {
    nanos *= 10;
  }
  nanos <<= pow2;  // < 10^15 x 10^18 or < 10^15 x 10^9 x 2^40: far below kMaxMagnitude
  if (format == Format::BinarySI && nanos > kBinaryCapNanos) {
    nanos = kBinaryCapNanos;  // as the general path caps it
  }
  return Quantity::from_nanos(static_cast<Int128>(nanos), format);
}

Expected<Quantity, ParseError> parse_quantity(std::string_view text, std::string_view shown) {
  using Format = Quantity::Format;
  if (auto simple = parse_simple(text)) {
    return *simple;
  }
  if (text.empty()) {
    return quantity_error(shown, kFormatWrong);
  }
  const auto pieces = split(text);
  if (!pieces) {
    return quantity_error(shown, kFormatWrong);
  }
  const auto suffix = interpret(pieces->suffix);
  if (!suffix) {
    return quantity_error(shown, kSuffixWrong);
  }

  // value = (num.denom) x base^exponent; in nanos: digits x 2^pow2 x 10^shift.
  const int pow2 = suffix->base == 2 ? static_cast<int>(suffix->exponent) : 0;
  Int128 shift = (suffix->base == 10 ? static_cast<Int128>(suffix->exponent) : 0) + 9 -
                 static_cast<Int128>(pieces->denom.size());
  std::string joined;
  joined.reserve(pieces->num.size() + pieces->denom.size());
  joined.append(pieces->num).append(pieces->denom);
  const std::size_t first = joined.find_first_not_of('0');
  if (first == std::string::npos) {
    return Quantity::from_nanos(0, suffix->format);
  }
  const std::size_t last = joined.find_last_not_of('0');
  shift += static_cast<Int128>(joined.size() - 1 - last);
  const std::string_view digits = std::string_view(joined).substr(first, last - first + 1);

  std::optional<UInt128> magnitude = digits.size() <= 19
                                         ? scaled_magnitude_small(digits, pow2, shift)
                                         : scaled_magnitude_big(digits, pow2, shift);
  Format format = suffix->format;
  if (format == Format::BinarySI) {
    if (!magnitude || *magnitude > kBinaryCapNanos) {
      magnitude = kBinaryCapNanos;
    }
    if (*magnitude < static_cast<UInt128>(kNanosPerUnit)) {
      format = Format::DecimalSI;  // as Kubernetes does for 0 < |value| < 1
    }
  } else if (!magnitude || *magnitude > kMaxMagnitude) {
    return quantity_error(shown,
                          "out of range: korder holds quantities exactly up to a magnitude of "
                          "about 1.7e29");
  }
  const auto nanos = static_cast<Int128>(*magnitude);
  return Quantity::from_nanos(pieces->positive ? nanos : -nanos, format);
}

}  // namespace

Expected<Quantity, ParseError> Quantity::parse(std::string_view text) {
  return parse_quantity(text, text);
}

Expected<Quantity, ParseError> Quantity::parse_trimmed(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) {
    return parse_quantity(std::string_view(), text);
  }
  const std::size_t last = text.find_last_not_of(kSpace);
  return parse_quantity(text.substr(first, last - first + 1), text);
}

Quantity Quantity::from_int(std::int64_t units, Format format) {
  return from_nanos(static_cast<Int128>(units) * kNanosPerUnit, format);
}

Quantity Quantity::from_milli(std::int64_t milli, Format format) {
  return from_nanos(static_cast<Int128>(milli) * 1'000'000, format);
}

Quantity Quantity::from_nanos(Int128 nanos, Format format) {
  KORDER_CHECK(nanos != kMinInt128, "quantity outside the symmetric 128-bit range");
  Quantity q;
  q.nanos_ = nanos;
  q.format_ = format;
  return q;
}

std::string Quantity::to_string() const {
  if (nanos_ == 0) {
    return "0";
  }
  std::string out;
  if (nanos_ < 0) {
    out.push_back('-');
  }
  const UInt128 magnitude = magnitude_of(nanos_);
  const auto unit = static_cast<UInt128>(kNanosPerUnit);

  Format format = format_;
  if (format == Format::BinarySI && (magnitude < 1024 * unit || magnitude % unit != 0)) {
    format = Format::DecimalSI;  // below 1Ki or fractional: BinarySI would round
  }
  if (format == Format::BinarySI) {
    static constexpr std::string_view kBinarySuffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    UInt128 mantissa = magnitude / unit;
    std::size_t exponent = 0;
    while (exponent + 1 < std::size(kBinarySuffixes) && mantissa % 1024 == 0) {
      mantissa /= 1024;
      ++exponent;
    }
    append_decimal(out, mantissa);
    out.append(kBinarySuffixes[exponent]);
    return out;
  }

  // Move every factor of ten into the exponent, then lower it to a multiple of three.
  UInt128 mantissa = magnitude;
  int exponent = -9;
  while (mantissa % 10 == 0) {
    mantissa /= 10;
    ++exponent;
  }
  while (exponent % 3 != 0) {
    mantissa *= 10;  // cannot overflow: never below the -9 this started from
    --exponent;
  }
  append_decimal(out, mantissa);
  if (format == Format::DecimalSI && exponent <= 18) {
    static constexpr std::string_view kDecimalSuffixes[] = {"n", "u", "m", "",  "k",
                                                            "M", "G", "T", "P", "E"};
    out.append(kDecimalSuffixes[(exponent + 9) / 3]);
  } else if (exponent != 0) {
    // DecimalExponent, or DecimalSI beyond `E` (Kubernetes falls back to the exponent form).
    out.push_back('e');
    out.append(std::to_string(exponent));
  }
  return out;
}

std::int64_t Quantity::value() const { return scaled_value(nanos_, kNanosPerUnit); }

std::int64_t Quantity::milli_value() const { return scaled_value(nanos_, 1'000'000); }

std::optional<Quantity> Quantity::checked_add(const Quantity& other) const {
  Int128 sum = 0;
  if (__builtin_add_overflow(nanos_, other.nanos_, &sum)) {
    return std::nullopt;
  }
  return make_checked(sum, is_zero() ? other.format_ : format_);
}

std::optional<Quantity> Quantity::checked_sub(const Quantity& other) const {
  Int128 difference = 0;
  if (__builtin_sub_overflow(nanos_, other.nanos_, &difference)) {
    return std::nullopt;
  }
  return make_checked(difference, is_zero() ? other.format_ : format_);
}

std::optional<Quantity> Quantity::checked_mul(std::int64_t factor) const {
  Int128 product = 0;
  if (__builtin_mul_overflow(nanos_, static_cast<Int128>(factor), &product)) {
    return std::nullopt;
  }
  return make_checked(product, format_);
}

std::optional<Quantity> Quantity::checked_mul(const Quantity& factor) const {
  // |a| x |f| / 10^9 with a = ah x 10^9 + al and f = fi x 10^9 + ff:
  //   a x fi + ah x ff + (al x ff) / 10^9, the last term exact in 64 bits, rounded up.
  const auto unit = static_cast<UInt128>(kNanosPerUnit);
  const UInt128 a = magnitude_of(nanos_);
  const UInt128 f = magnitude_of(factor.nanos_);
  const UInt128 a_high = a / unit;
  const UInt128 a_low = a % unit;
  const UInt128 f_int = f / unit;
  const UInt128 f_frac = f % unit;
  const UInt128 low_product = a_low * f_frac;  // < 10^18
  UInt128 total = 0;
  UInt128 term = 0;
  if (__builtin_mul_overflow(a, f_int, &total) || __builtin_mul_overflow(a_high, f_frac, &term) ||
      __builtin_add_overflow(total, term, &total) ||
      __builtin_add_overflow(total, low_product / unit + (low_product % unit != 0 ? 1 : 0),
                             &total) ||
      total > kMaxMagnitude) {
    return std::nullopt;
  }
  const auto magnitude = static_cast<Int128>(total);
  const bool negative = (nanos_ < 0) != (factor.nanos_ < 0);
  return from_nanos(negative ? -magnitude : magnitude, format_);
}

Quantity Quantity::operator+(const Quantity& other) const {
  const auto sum = checked_add(other);
  KORDER_CHECK(sum.has_value(), "quantity addition overflowed");
  return *sum;
}

Quantity Quantity::operator-(const Quantity& other) const {
  const auto difference = checked_sub(other);
  KORDER_CHECK(difference.has_value(), "quantity subtraction overflowed");
  return *difference;
}

Quantity& Quantity::operator+=(const Quantity& other) { return *this = *this + other; }

Quantity& Quantity::operator-=(const Quantity& other) { return *this = *this - other; }

std::ostream& operator<<(std::ostream& os, const Quantity& q) { return os << q.to_string(); }

}  // namespace korder::api
