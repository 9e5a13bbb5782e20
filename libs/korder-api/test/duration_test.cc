#include "korder/api/duration.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

// Expected values come from Go's own tables in src/time/time_test.go (parseDurationTests,
// parseDurationErrorTests, durationTests).

namespace korder::api {
namespace {

constexpr std::int64_t kNanosecond = 1;
constexpr std::int64_t kMicrosecond = 1'000;
constexpr std::int64_t kMillisecond = 1'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

struct ParseCase {
  std::string_view input;
  std::int64_t nanos;
};

constexpr ParseCase kParseCases[] = {
    // simple
    {"0", 0},
    {"5s", 5 * kSecond},
    {"30s", 30 * kSecond},
    {"1478s", 1478 * kSecond},
    // sign
    {"-5s", -5 * kSecond},
    {"+5s", 5 * kSecond},
    {"-0", 0},
    {"+0", 0},
    // decimal
    {"5.0s", 5 * kSecond},
    {"5.6s", 5 * kSecond + 600 * kMillisecond},
    {"5.s", 5 * kSecond},
    {".5s", 500 * kMillisecond},
    {"1.0s", 1 * kSecond},
    {"1.00s", 1 * kSecond},
    {"1.004s", 1 * kSecond + 4 * kMillisecond},
    {"1.0040s", 1 * kSecond + 4 * kMillisecond},
    {"100.00100s", 100 * kSecond + 1 * kMillisecond},
    // different units
    {"10ns", 10 * kNanosecond},
    {"11us", 11 * kMicrosecond},
    {"12\u00b5s", 12 * kMicrosecond},  // micro sign
    {"12\u03bcs", 12 * kMicrosecond},  // Greek mu
    {"13ms", 13 * kMillisecond},
    {"14s", 14 * kSecond},
    {"15m", 15 * kMinute},
    {"16h", 16 * kHour},
    // composite durations
    {"3h30m", 3 * kHour + 30 * kMinute},
    {"10.5s4m", 4 * kMinute + 10 * kSecond + 500 * kMillisecond},
    {"-2m3.4s", -(2 * kMinute + 3 * kSecond + 400 * kMillisecond)},
    {"1h2m3s4ms5us6ns",
     1 * kHour + 2 * kMinute + 3 * kSecond + 4 * kMillisecond + 5 * kMicrosecond + 6},
    {"39h9m14.425s", 39 * kHour + 9 * kMinute + 14 * kSecond + 425 * kMillisecond},
    // large value
    {"52763797000ns", 52763797000 * kNanosecond},
    // more than 9 digits after the decimal point (golang.org/issue/6617)
    {"0.3333333333333333333h", 20 * kMinute},
    // 9007199254740993 = 1<<53+1 cannot be stored precisely in a float64
    {"9007199254740993ns", (std::int64_t{1} << 53) + 1},
    // largest duration that can be represented by int64 in nanoseconds
    {"9223372036854775807ns", kMax},
    {"9223372036854775.807us", kMax},
    {"9223372036s854ms775us807ns", kMax},
    {"-9223372036854775808ns", kMin},
    {"-9223372036854775.808us", kMin},
    {"-9223372036s854ms775us808ns", kMin},
    // largest negative round trip value (golang.org/issue/48629)
    {"-2562047h47m16.854775808s", kMin},
    // huge string (golang.org/issue/15011)
    {"0.100000000000000000000h", 6 * kMinute},
    // the first overflow check in leadingFraction
    {"0.830103483285477580700h", 49 * kMinute + 48 * kSecond + 372539827},
    // korder's design examples
    {"24h", 24 * kHour},
    {"1h30m", kHour + 30 * kMinute},
    {"90s", 90 * kSecond},
    {"1.5h", kHour + 30 * kMinute},
    {"-2m", -2 * kMinute},
};

TEST_CASE("durations parse to Go's exact values", "[unit][duration]") {
  for (const auto& c : kParseCases) {
    DYNAMIC_SECTION(c.input) {
      const auto d = Duration::parse(c.input);
      REQUIRE(d.has_value());
      CHECK(d->count() == c.nanos);
    }
  }
}

struct ErrorCase {
  std::string_view input;
  std::string_view message;
};

TEST_CASE("a malformed duration is an error worded as Go words it", "[unit][duration]") {
  const ErrorCase cases[] = {
      {"", R"(time: invalid duration "")"},
      {"3", R"(time: missing unit in duration "3")"},
      {"1", R"(time: missing unit in duration "1")"},
      {"1.5", R"(time: missing unit in duration "1.5")"},
      {"-", R"(time: invalid duration "-")"},
      {"+", R"(time: invalid duration "+")"},
      {"s", R"(time: invalid duration "s")"},
      {".", R"(time: invalid duration ".")"},
      {"-.", R"(time: invalid duration "-.")"},
      {".s", R"(time: invalid duration ".s")"},
      {"+.s", R"(time: invalid duration "+.s")"},
      {"1d", R"(time: unknown unit "d" in duration "1d")"},
      {"3x", R"(time: unknown unit "x" in duration "3x")"},
      {"1h 30m", R"(time: unknown unit "h " in duration "1h 30m")"},
      {" 1h", R"(time: invalid duration " 1h")"},
      {"1H", R"(time: unknown unit "H" in duration "1H")"},
      {"\x85\x85", R"(time: invalid duration "\x85\x85")"},
      {"\377ff", R"(time: invalid duration "\xffff")"},
      {"hello \377ff world", R"(time: invalid duration "hello \xffff world")"},
      {"\ufffd", R"(time: invalid duration "\xef\xbf\xbd")"},
      {"\ufffd hello \ufffd world",
       R"(time: invalid duration "\xef\xbf\xbd hello \xef\xbf\xbd world")"},
      {"3\u00b5x", R"(time: unknown unit "\xc2\xb5x" in duration "3\xc2\xb5x")"},
      {"1\"s", R"(time: unknown unit "\"s" in duration "1\"s")"},
      // overflow
      {"9223372036854775810ns", R"(time: invalid duration "9223372036854775810ns")"},
      {"9223372036854775808ns", R"(time: invalid duration "9223372036854775808ns")"},
      {"-9223372036854775809ns", R"(time: invalid duration "-9223372036854775809ns")"},
      {"9223372036854776us", R"(time: invalid duration "9223372036854776us")"},
      {"3000000h", R"(time: invalid duration "3000000h")"},
      {"9223372036854775.808us", R"(time: invalid duration "9223372036854775.808us")"},
      {"9223372036854ms775us808ns", R"(time: invalid duration "9223372036854ms775us808ns")"},
      {"9223372036854775808ns9223372036854775808ns",
       R"(time: invalid duration "9223372036854775808ns9223372036854775808ns")"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.message) {
      const auto d = Duration::parse(c.input);
      REQUIRE_FALSE(d.has_value());
      CHECK(d.error().message == c.message);
      CHECK(d.error().where.empty());
    }
  }
}

TEST_CASE("a duration prints as Go's Duration.String does", "[unit][duration]") {
  struct Case {
    std::string_view text;
    std::int64_t nanos;
  };
  const Case cases[] = {
      // Go's durationTests
      {"0s", 0},
      {"1ns", 1 * kNanosecond},
      {"1.1\u00b5s", 1100 * kNanosecond},
      {"2.2ms", 2200 * kMicrosecond},
      {"3.3s", 3300 * kMillisecond},
      {"4m5s", 4 * kMinute + 5 * kSecond},
      {"4m5.001s", 4 * kMinute + 5001 * kMillisecond},
      {"5h6m7.001s", 5 * kHour + 6 * kMinute + 7001 * kMillisecond},
      {"8m0.000000001s", 8 * kMinute + 1 * kNanosecond},
      {"2562047h47m16.854775807s", kMax},
      {"-2562047h47m16.854775808s", kMin},
      // korder's design examples
      {"24h0m0s", 24 * kHour},
      {"1h30m0s", kHour + 30 * kMinute},
      {"1.5s", 1500 * kMillisecond},
      {"500ms", 500 * kMillisecond},
      {"1\u00b5s", kMicrosecond},
      {"1m30s", 90 * kSecond},
      {"1h0m0.5s", kHour + 500 * kMillisecond},
      {"999.999999ms", kSecond - 1},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.text) {
      CHECK(Duration(std::chrono::nanoseconds(c.nanos)).to_string() == c.text);
      if (c.nanos > 0) {
        CHECK(Duration(std::chrono::nanoseconds(-c.nanos)).to_string() ==
              "-" + std::string(c.text));
      }
      // Every printed form parses back to the same duration.
      const auto back = Duration::parse(c.text);
      REQUIRE(back.has_value());
      CHECK(back->count() == c.nanos);
    }
  }
}

TEST_CASE("durations convert to chrono and compare by length", "[unit][duration]") {
  const Duration day = Duration::parse("24h").value();
  CHECK(day.nanoseconds() == std::chrono::hours(24));
  CHECK(day == Duration(std::chrono::hours(24)));
  CHECK(Duration::parse("90m").value() > Duration::parse("1h").value());
  CHECK(Duration::parse("-1s").value() < Duration());
  CHECK(Duration().to_string() == "0s");
}

}  // namespace
}  // namespace korder::api
