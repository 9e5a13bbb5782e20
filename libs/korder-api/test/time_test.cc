#include "korder/api/time.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace korder::api {
namespace {

namespace chrono = std::chrono;

// A UTC civil time as a TimePoint, built with the standard calendar independently of the parser.
TimePoint utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0,
              std::int64_t nanos = 0) {
  const chrono::sys_days day = chrono::year{y} / chrono::month{mo} / chrono::day{d};
  return TimePoint(day) + chrono::hours(h) + chrono::minutes(mi) + chrono::seconds(s) +
         chrono::nanoseconds(nanos);
}

TimePoint unix_seconds(std::int64_t s) { return TimePoint(chrono::seconds(s)); }

struct ParseCase {
  std::string_view text;
  TimePoint expected;
};

TEST_CASE("RFC 3339 timestamps parse to the instant they name", "[unit][time]") {
  const ParseCase cases[] = {
      {"1970-01-01T00:00:00Z", unix_seconds(0)},
      {"2026-11-25T02:37:12Z", utc(2026, 11, 25, 2, 37, 12)},
      {"2026-11-25t02:37:12z", utc(2026, 11, 25, 2, 37, 12)},  // RFC 3339 allows lower case
      {"2026-11-25T02:37:12.423743Z", utc(2026, 11, 25, 2, 37, 12, 423'743'000)},
      {"2026-11-25T02:37:12.5Z", utc(2026, 11, 25, 2, 37, 12, 500'000'000)},
      {"2026-11-25T02:37:12.123456789Z", utc(2026, 11, 25, 2, 37, 12, 123'456'789)},
      {"2026-11-25T02:37:12.000000001Z", utc(2026, 11, 25, 2, 37, 12, 1)},
      // Go reads more than nine digits and drops the rest; so do we.
      {"2026-11-25T02:37:12.1234567891Z", utc(2026, 11, 25, 2, 37, 12, 123'456'789)},
      // Numeric offsets: the instant is the local time minus the offset.
      {"2026-11-25T02:37:12+00:00", utc(2026, 11, 25, 2, 37, 12)},
      {"2026-11-25T02:37:12-00:00", utc(2026, 11, 25, 2, 37, 12)},
      {"2026-11-25T10:37:12+08:00", utc(2026, 11, 25, 2, 37, 12)},
      {"2026-11-24T19:07:12-07:30", utc(2026, 11, 25, 2, 37, 12)},
      {"2026-01-01T00:30:00+01:00", utc(2025, 12, 31, 23, 30)},
      {"2026-11-25T02:37:12.25-07:00", utc(2026, 11, 25, 9, 37, 12, 250'000'000)},
      // The naive form the Python client sends, taken as UTC.
      {"2026-11-25T02:37:12.423764", utc(2026, 11, 25, 2, 37, 12, 423'764'000)},
      {"2026-11-25T02:37:12", utc(2026, 11, 25, 2, 37, 12)},
      // Before 1970, leap years, the edges of the representable range.
      {"1969-12-31T23:59:59Z", unix_seconds(-1)},
      {"1969-12-31T23:59:59.5Z", unix_seconds(-1) + chrono::milliseconds(500)},
      {"1900-01-01T00:00:00Z", unix_seconds(-2208988800)},
      {"2000-02-29T00:00:00Z", unix_seconds(951782400)},
      {"2024-02-29T12:00:00Z", utc(2024, 2, 29, 12)},
      {"2024-12-31T23:59:59Z", utc(2024, 12, 31, 23, 59, 59)},
      {"1677-09-21T00:12:43.145224192Z",
       TimePoint(chrono::nanoseconds(std::numeric_limits<std::int64_t>::min()))},
      {"2262-04-11T23:47:16.854775807Z",
       TimePoint(chrono::nanoseconds(std::numeric_limits<std::int64_t>::max()))},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.text) {
      const auto t = parse_rfc3339(c.text);
      REQUIRE(t.has_value());
      CHECK(t->time_since_epoch().count() == c.expected.time_since_epoch().count());
    }
  }
}

struct ErrorCase {
  std::string_view text;
  std::string_view reason;
};

TEST_CASE("a malformed timestamp is an error naming the text", "[unit][time]") {
  const ErrorCase cases[] = {
      {"", "expected the form 2006-01-02T15:04:05Z"},
      {"now", "expected the form 2006-01-02T15:04:05Z"},
      {"2026-11-25", "expected 'T' between the date and the time"},
      {"2026-11-25 02:37:12Z", "expected 'T' between the date and the time"},
      {"2026-11-25X02:37:12Z", "expected 'T' between the date and the time"},
      {"2026-1-25T02:37:12Z", "expected the form 2006-01-02T15:04:05Z"},
      {"26-11-25T02:37:12Z", "expected the form 2006-01-02T15:04:05Z"},
      {"2026-11-25T2:37:12Z", "expected the form 2006-01-02T15:04:05Z"},
      {"2026-11-25T02:37Z", "expected the form 2006-01-02T15:04:05Z"},
      {"2026/11/25T02:37:12Z", "expected the form 2006-01-02T15:04:05Z"},
      {"2026-00-25T02:37:12Z", "month out of range"},
      {"2026-13-25T02:37:12Z", "month out of range"},
      {"2026-11-00T02:37:12Z", "day out of range"},
      {"2026-11-31T02:37:12Z", "day out of range"},
      {"2023-02-29T00:00:00Z", "day out of range"},  // not a leap year
      {"1900-02-29T00:00:00Z", "day out of range"},  // centuries are not leap years...
      {"2026-11-25T24:00:00Z", "hour out of range"},
      {"2026-11-25T02:60:00Z", "minute out of range"},
      {"2026-11-25T02:37:60Z", "second out of range"},  // leap seconds, as in Go
      {"2026-11-25T02:37:12.Z", "expected digits after the decimal point"},
      {"2026-11-25T02:37:12,5Z", "expected a time zone of Z or \u00b1hh:mm"},
      {"2026-11-25T02:37:12Zjunk", "expected a time zone of Z or \u00b1hh:mm"},
      {"2026-11-25T02:37:12 ", "expected a time zone of Z or \u00b1hh:mm"},
      {"2026-11-25T02:37:12+0800", "expected a time zone of Z or \u00b1hh:mm"},
      {"2026-11-25T02:37:12+08", "expected a time zone of Z or \u00b1hh:mm"},
      {"2026-11-25T02:37:12+08:00Z", "expected a time zone of Z or \u00b1hh:mm"},
      {"2026-11-25T02:37:12+0a:00", "expected a time zone of Z or \u00b1hh:mm"},
      {"2026-11-25T02:37:12UTC", "expected a time zone of Z or \u00b1hh:mm"},
      {"2026-11-25T02:37:12+24:00", "time zone offset hour out of range"},
      {"2026-11-25T02:37:12+08:60", "time zone offset minute out of range"},
      {"0001-01-01T00:00:00Z", "out of range: korder keeps times from 1677-09-21 to 2262-04-11"},
      {"9999-12-31T23:59:59Z", "out of range: korder keeps times from 1677-09-21 to 2262-04-11"},
      {"2262-04-11T23:47:16.854775808Z",
       "out of range: korder keeps times from 1677-09-21 to 2262-04-11"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION('"' << c.text << '"') {
      const auto t = parse_rfc3339(c.text);
      REQUIRE_FALSE(t.has_value());
      CHECK(t.error().message ==
            "invalid RFC 3339 time \"" + std::string(c.text) + "\": " + std::string(c.reason));
    }
  }
  // ...but every fourth century is.
  CHECK(parse_rfc3339("2000-02-29T00:00:00Z").has_value());
}

TEST_CASE("format_rfc3339 prints whole UTC seconds and truncates the fraction", "[unit][time]") {
  CHECK(format_rfc3339(utc(2026, 11, 25, 2, 37, 12)) == "2026-11-25T02:37:12Z");
  CHECK(format_rfc3339(utc(2026, 11, 25, 2, 37, 12, 999'999'999)) == "2026-11-25T02:37:12Z");
  CHECK(format_rfc3339(unix_seconds(0)) == "1970-01-01T00:00:00Z");
  // Before 1970 truncation goes back in time, never toward the epoch.
  CHECK(format_rfc3339(unix_seconds(-1) + chrono::milliseconds(500)) == "1969-12-31T23:59:59Z");
  CHECK(format_rfc3339(unix_seconds(-2208988800)) == "1900-01-01T00:00:00Z");
  CHECK(format_rfc3339(utc(2024, 2, 29, 23, 59, 59)) == "2024-02-29T23:59:59Z");
  CHECK(format_rfc3339(utc(2000, 1, 2, 3, 4, 5)) == "2000-01-02T03:04:05Z");
}

TEST_CASE("format_rfc3339_micro prints six fractional digits in UTC", "[unit][time]") {
  CHECK(format_rfc3339_micro(utc(2026, 11, 25, 2, 37, 12, 423'743'000)) ==
        "2026-11-25T02:37:12.423743Z");
  CHECK(format_rfc3339_micro(utc(2026, 11, 25, 2, 37, 12, 423'743'999)) ==
        "2026-11-25T02:37:12.423743Z");
  CHECK(format_rfc3339_micro(utc(2026, 11, 25, 2, 37, 12)) == "2026-11-25T02:37:12.000000Z");
  CHECK(format_rfc3339_micro(utc(2026, 11, 25, 2, 37, 12, 1'000)) == "2026-11-25T02:37:12.000001Z");
  CHECK(format_rfc3339_micro(unix_seconds(-1) + chrono::microseconds(250)) ==
        "1969-12-31T23:59:59.000250Z");
  CHECK(format_rfc3339_micro(unix_seconds(0) - chrono::nanoseconds(1)) ==
        "1969-12-31T23:59:59.999999Z");
}

TEST_CASE("formatted timestamps parse back to the same instant", "[unit][time]") {
  for (const std::string_view text :
       {"2026-11-25T02:37:12Z", "1970-01-01T00:00:00Z", "1969-07-20T20:17:40Z",
        "2000-02-29T00:00:00Z", "2100-12-31T23:59:59Z", "1700-03-01T00:00:00Z"}) {
    DYNAMIC_SECTION(text) {
      const auto t = parse_rfc3339(text);
      REQUIRE(t.has_value());
      CHECK(format_rfc3339(*t) == text);
    }
  }
  for (const std::string_view text :
       {"2026-11-25T02:37:12.423743Z", "1969-12-31T23:59:59.999999Z", "2024-02-29T12:00:00.000001Z",
        "1970-01-01T00:00:00.000000Z"}) {
    DYNAMIC_SECTION(text) {
      const auto t = parse_rfc3339(text);
      REQUIRE(t.has_value());
      CHECK(format_rfc3339_micro(*t) == text);
    }
  }
  // From an instant: format then parse gives the instant truncated to the printed precision.
  const TimePoint instant = utc(2031, 5, 6, 7, 8, 9, 123'456'789);
  CHECK(parse_rfc3339(format_rfc3339(instant)).value() == utc(2031, 5, 6, 7, 8, 9));
  CHECK(parse_rfc3339(format_rfc3339_micro(instant)).value() ==
        utc(2031, 5, 6, 7, 8, 9, 123'456'000));
}

}  // namespace
}  // namespace korder::api
