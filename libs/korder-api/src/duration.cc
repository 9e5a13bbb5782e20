#include "korder/api/duration.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "go_quote.h"

// Follows Go's time.ParseDuration and Duration.String (src/time/format.go, src/time/time.go)
// step by step, so korder reads and prints durations exactly as kubectl and Go controllers do.

namespace korder::api {
namespace {

constexpr std::uint64_t kTwoTo63 = std::uint64_t{1} << 63;

Unexpected<ParseError> invalid(std::string_view text) {
  return Unexpected(ParseError{"time: invalid duration " + internal::go_quote(text), ""});
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Go's leadingInt: consumes [0-9]*; nullopt when the value exceeds 2^63.
std::optional<std::uint64_t> leading_int(std::string_view& s) {
  std::uint64_t x = 0;
  std::size_t i = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (x > kTwoTo63 / 10) {
      return std::nullopt;
    }
    x = x * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (x > kTwoTo63) {
      return std::nullopt;
    }
  }
  s.remove_prefix(i);
  return x;
}

// Go's leadingFraction: consumes [0-9]*, keeping as many digits as fit; `scale` is 10^kept.
struct Fraction {
  std::uint64_t digits = 0;
  double scale = 1;
};

Fraction leading_fraction(std::string_view& s) {
  Fraction out;
  bool overflow = false;
  std::size_t i = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (overflow) {
      continue;
    }
    if (out.digits > (kTwoTo63 - 1) / 10) {
      overflow = true;
      continue;
    }
    const std::uint64_t next = out.digits * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (next > kTwoTo63) {
      overflow = true;
      continue;
    }
    out.digits = next;
    out.scale *= 10;
  }
  s.remove_prefix(i);
  return out;
}

std::uint64_t unit_nanos(std::string_view unit) {
  if (unit == "ns") {
    return 1;
  }
  if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") {  // micro sign, Greek mu
    return 1'000;
  }
  if (unit == "ms") {
    return 1'000'000;
  }
  if (unit == "s") {
    return 1'000'000'000;
  }
  if (unit == "m") {
    return 60'000'000'000;
  }
  if (unit == "h") {
    return 3'600'000'000'000;
  }
  return 0;
}

// Go's fmtFrac: writes the `precision` low decimal digits of `v` as a fraction, without
// trailing zeros (and without the point when they are all zero), right to left ending at
// `w`; returns the new start and v / 10^precision.
std::size_t format_fraction(char* buf, std::size_t w, std::uint64_t& v, int precision) {
  bool print = false;
  for (int i = 0; i < precision; ++i) {
    const auto digit = static_cast<char>(v % 10);
    print = print || digit != 0;
    if (print) {
      buf[--w] = static_cast<char>('0' + digit);
    }
    v /= 10;
  }
  if (print) {
    buf[--w] = '.';
  }
  return w;
}

// Go's fmtInt: writes `v` in decimal right to left ending at `w`; returns the new start.
std::size_t format_int(char* buf, std::size_t w, std::uint64_t v) {
  if (v == 0) {
    buf[--w] = '0';
    return w;
  }
  while (v > 0) {
    buf[--w] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return w;
}

}  // namespace

Expected<Duration, ParseError> Duration::parse(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    return Duration();
  }
  if (s.empty()) {
    return invalid(text);
  }
  std::uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || is_digit(s[0]))) {
      return invalid(text);
    }
    const std::size_t before_int = s.size();
    const auto whole = leading_int(s);
    if (!whole) {
      return invalid(text);
    }
    std::uint64_t v = *whole;
    const bool pre = before_int != s.size();

    Fraction fraction;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      const std::size_t before_fraction = s.size();
      fraction = leading_fraction(s);
      post = before_fraction != s.size();
    }
    if (!pre && !post) {
      return invalid(text);  // no digits, e.g. ".s"
    }

    std::size_t i = 0;
    while (i < s.size() && s[i] != '.' && !is_digit(s[i])) {
      ++i;
    }
    if (i == 0) {
      return Unexpected(
          ParseError{"time: missing unit in duration " + internal::go_quote(text), ""});
    }
    const std::string_view unit_text = s.substr(0, i);
    s.remove_prefix(i);
    const std::uint64_t unit = unit_nanos(unit_text);
    if (unit == 0) {
      return Unexpected(ParseError{"time: unknown unit " + internal::go_quote(unit_text) +
                                       " in duration " + internal::go_quote(text),
                                   ""});
    }
    if (v > kTwoTo63 / unit) {
      return invalid(text);
    }
    v *= unit;
    if (fraction.digits > 0) {
      // Go computes the fraction in float64 (so that `0.3333333333333333333h` is exactly
      // 20m); the same IEEE operations here give the same nanosecond.
      v += static_cast<std::uint64_t>(static_cast<double>(fraction.digits) *
                                      (static_cast<double>(unit) / fraction.scale));
      if (v > kTwoTo63) {
        return invalid(text);
      }
    }
    // Go adds first and compares after, which wraps when both terms are 2^63; check first.
    if (v > kTwoTo63 - total) {
      return invalid(text);
    }
    total += v;
  }
  if (negative) {
    return Duration(std::chrono::nanoseconds(static_cast<std::int64_t>(0 - total)));
  }
  if (total > kTwoTo63 - 1) {
    return invalid(text);
  }
  return Duration(std::chrono::nanoseconds(static_cast<std::int64_t>(total)));
}

std::string Duration::to_string() const {
  // Longest output: "-2562047h47m16.854775808s".
  char buf[32];
  std::size_t w = sizeof(buf);
  std::uint64_t u = static_cast<std::uint64_t>(nanos_);
  const bool negative = nanos_ < 0;
  if (negative) {
    u = 0 - u;
  }
  if (u < 1'000'000'000) {
    // Below one second: a smaller unit, e.g. 1.2ms.
    int precision = 0;
    buf[--w] = 's';
    if (u == 0) {
      return "0s";
    }
    if (u < 1'000) {
      buf[--w] = 'n';
    } else if (u < 1'000'000) {
      precision = 3;
      buf[--w] = '\xb5';  // U+00B5 micro sign, UTF-8 C2 B5
      buf[--w] = '\xc2';
    } else {
      precision = 6;
      buf[--w] = 'm';
    }
    w = format_fraction(buf, w, u, precision);
    w = format_int(buf, w, u);
  } else {
    buf[--w] = 's';
    w = format_fraction(buf, w, u, 9);
    w = format_int(buf, w, u % 60);  // whole seconds
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      w = format_int(buf, w, u % 60);
      u /= 60;
      if (u > 0) {  // hours; Go stops there because days vary in length
        buf[--w] = 'h';
        w = format_int(buf, w, u);
      }
    }
  }
  if (negative) {
    buf[--w] = '-';
  }
  return std::string(buf + w, sizeof(buf) - w);
}

std::ostream& operator<<(std::ostream& os, const Duration& d) { return os << d.to_string(); }

}  // namespace korder::api
