#include "korder/api/time.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <type_traits>

#include "go_quote.h"

namespace korder::api {
namespace {

namespace chrono = std::chrono;

static_assert(std::is_same_v<TimePoint::duration, chrono::nanoseconds>,
              "korder expects nanosecond system_clock time points (libstdc++)");

__extension__ using Int128 = __int128;

Unexpected<ParseError> time_error(std::string_view text, std::string_view reason) {
  return Unexpected(ParseError{
      "invalid RFC 3339 time " + internal::go_quote(text) + ": " + std::string(reason), ""});
}

// Reads `count` decimal digits at `pos`; false when any of them is not a digit.
bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) {
    return false;
  }
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

std::string format(TimePoint t, bool micro) {
  const auto seconds = chrono::floor<chrono::seconds>(t);
  const auto days = chrono::floor<chrono::days>(seconds);
  const chrono::year_month_day date{days};
  const chrono::hh_mm_ss clock{seconds - days};
  char buf[96];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d",
                        static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                        static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                        static_cast<int>(clock.minutes().count()),
                        static_cast<int>(clock.seconds().count()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (micro) {
    const auto us = chrono::floor<chrono::microseconds>(t - seconds).count();
    n = std::snprintf(buf, sizeof(buf), ".%06d", static_cast<int>(us));
    out.append(buf, static_cast<std::size_t>(n));
  }
  out.push_back('Z');
  return out;
}

}  // namespace

Expected<TimePoint, ParseError> parse_rfc3339(std::string_view text) {
  constexpr std::string_view kShape = "expected the form 2006-01-02T15:04:05Z";
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!read_digits(text, 0, 4, year) || text.size() < 5 || text[4] != '-' ||
      !read_digits(text, 5, 2, month) || text.size() < 8 || text[7] != '-' ||
      !read_digits(text, 8, 2, day)) {
    return time_error(text, kShape);
  }
  if (text.size() < 11 || (text[10] != 'T' && text[10] != 't')) {
    return time_error(text, "expected 'T' between the date and the time");
  }
  if (!read_digits(text, 11, 2, hour) || text.size() < 14 || text[13] != ':' ||
      !read_digits(text, 14, 2, minute) || text.size() < 17 || text[16] != ':' ||
      !read_digits(text, 17, 2, second)) {
    return time_error(text, kShape);
  }
  if (month < 1 || month > 12) {
    return time_error(text, "month out of range");
  }
  const chrono::year_month_day date{chrono::year{year}, chrono::month{static_cast<unsigned>(month)},
                                    chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) {
    return time_error(text, "day out of range");
  }
  if (hour > 23) {
    return time_error(text, "hour out of range");
  }
  if (minute > 59) {
    return time_error(text, "minute out of range");
  }
  if (second > 59) {
    return time_error(text, "second out of range");
  }

  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    std::int64_t scale = 100'000'000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      nanos += (text[pos] - '0') * scale;  // digits past the ninth are dropped, as Go does
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return time_error(text, "expected digits after the decimal point");
    }
  }

  int offset_seconds = 0;
  const std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z" || zone.empty()) {
    // UTC; no zone at all is the naive form the Python client sends, taken as UTC.
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int offset_hours = 0;
    int offset_minutes = 0;
    if (!read_digits(zone, 1, 2, offset_hours) || !read_digits(zone, 4, 2, offset_minutes)) {
      return time_error(text, "expected a time zone of Z or ±hh:mm");
    }
    if (offset_hours > 23) {
      return time_error(text, "time zone offset hour out of range");
    }
    if (offset_minutes > 59) {
      return time_error(text, "time zone offset minute out of range");
    }
    offset_seconds = (offset_hours * 60 + offset_minutes) * 60 * (zone[0] == '-' ? -1 : 1);
  } else {
    return time_error(text, "expected a time zone of Z or ±hh:mm");
  }

  const Int128 seconds_since_epoch =
      static_cast<Int128>(chrono::sys_days(date).time_since_epoch().count()) * 86'400 +
      hour * 3'600 + minute * 60 + second - offset_seconds;
  const Int128 total = seconds_since_epoch * 1'000'000'000 + nanos;
  if (total > std::numeric_limits<std::int64_t>::max() ||
      total < std::numeric_limits<std::int64_t>::min()) {
    return time_error(text, "out of range: korder keeps times from 1677-09-21 to 2262-04-11");
  }
  return TimePoint(chrono::nanoseconds(static_cast<std::int64_t>(total)));
}

std::string format_rfc3339(TimePoint t) { return format(t, false); }

std::string format_rfc3339_micro(TimePoint t) { return format(t, true); }

}  // namespace korder::api
