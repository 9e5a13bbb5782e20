#include "korder/api/cron.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "korder/api/time.h"

namespace korder::api {
namespace {

using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TimePoint utc(std::string_view text) {
  auto t = parse_rfc3339(text);
  INFO(std::string(text));
  REQUIRE(t.has_value());
  return *t;
}

std::string str(std::optional<TimePoint> t) { return t ? format_rfc3339(*t) : "none"; }

CronSchedule schedule(std::string_view expr, std::string_view zone = "") {
  auto s = CronSchedule::parse(expr, zone);
  INFO(std::string(expr) + " in \"" + std::string(zone) + "\"");
  if (!s) {
    FAIL(s.error().to_string());
  }
  return *s;
}

// The next `n` fires after `from`, by repeated next().
std::vector<std::string> fires_after(const CronSchedule& s, TimePoint from, std::size_t n) {
  std::vector<std::string> out;
  std::optional<TimePoint> t = from;
  while (out.size() < n && (t = s.next(*t))) {
    out.push_back(format_rfc3339(*t));
  }
  return out;
}

// The last `n` fires at or before `at`, latest first, by repeated prev().
std::vector<std::string> fires_before(const CronSchedule& s, TimePoint at, std::size_t n) {
  std::vector<std::string> out;
  std::optional<TimePoint> t = s.prev(at);
  while (out.size() < n && t) {
    out.push_back(format_rfc3339(*t));
    t = s.prev(*t - nanoseconds(1));
  }
  return out;
}

struct FireCase {
  std::string expr;
  std::string zone;
  std::string from;
  std::vector<std::string> fires;  // the fires strictly after `from`, in order
};

// next() from `from` yields `fires`; prev() from the last one walks them back exactly.
void check_fires(const std::vector<FireCase>& cases) {
  for (const auto& c : cases) {
    INFO(c.expr << " in \"" << c.zone << "\" after " << c.from);
    const CronSchedule s = schedule(c.expr, c.zone);
    CHECK(fires_after(s, utc(c.from), c.fires.size()) == c.fires);
    std::vector<std::string> backwards(c.fires.rbegin(), c.fires.rend());
    CHECK(fires_before(s, utc(c.fires.back()), c.fires.size()) == backwards);
  }
}

TEST_CASE("every cron syntax element fires at the times robfig/cron's standard parser gives",
          "[unit][cron]") {
  // 2026-01-01 is a Thursday.
  check_fires({
      {"* * * * *", "", "2026-01-01T00:00:00Z",
       {"2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z"}},
      {"*/15 * * * *", "", "2026-01-01T00:00:00Z",
       {"2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z",
        "2026-01-01T01:00:00Z"}},
      // "N/step" means N to the field's maximum.
      {"5/15 * * * *", "", "2026-01-01T00:00:00Z",
       {"2026-01-01T00:05:00Z", "2026-01-01T00:20:00Z", "2026-01-01T00:35:00Z",
        "2026-01-01T00:50:00Z", "2026-01-01T01:05:00Z"}},
      {"1-30/10 * * * *", "", "2026-01-01T00:00:00Z",
       {"2026-01-01T00:01:00Z", "2026-01-01T00:11:00Z", "2026-01-01T00:21:00Z",
        "2026-01-01T01:01:00Z"}},
      {"0,30 9-10 * * *", "", "2026-01-01T00:00:00Z",
       {"2026-01-01T09:00:00Z", "2026-01-01T09:30:00Z", "2026-01-01T10:00:00Z",
        "2026-01-01T10:30:00Z", "2026-01-02T09:00:00Z"}},
      {"0 */6 * * *", "", "2026-01-01T00:00:00Z",
       {"2026-01-01T06:00:00Z", "2026-01-01T12:00:00Z", "2026-01-01T18:00:00Z",
        "2026-01-02T00:00:00Z"}},
      {"0 12 ? * *", "", "2026-01-01T12:00:00Z",
       {"2026-01-02T12:00:00Z", "2026-01-03T12:00:00Z"}},
      {"? ? ? ? ?", "", "2026-01-01T00:00:00Z",
       {"2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"}},
      {"0 0 1 JAN,jul *", "", "2026-01-01T00:00:00Z",
       {"2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z", "2027-07-01T00:00:00Z"}},
      {"0 0 1 feb-Apr *", "", "2026-01-01T00:00:00Z",
       {"2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z",
        "2027-02-01T00:00:00Z"}},
      {"0 0 1 */4 *", "", "2026-01-01T00:00:00Z",
       {"2026-05-01T00:00:00Z", "2026-09-01T00:00:00Z", "2027-01-01T00:00:00Z"}},
      {"0 0 * * mon-FRI", "", "2026-01-01T00:00:00Z",
       {"2026-01-02T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"}},
      {"0 0 * * SUN", "", "2026-01-01T00:00:00Z",
       {"2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"}},
      {"0 0 * * 0,6", "", "2026-01-01T00:00:00Z",
       {"2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z", "2026-01-10T00:00:00Z"}},
      {"0 0 * * MON/2", "", "2026-01-01T00:00:00Z",
       {"2026-01-02T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-07T00:00:00Z",
        "2026-01-09T00:00:00Z", "2026-01-12T00:00:00Z"}},
      {"0 0 31 * *", "", "2026-01-01T00:00:00Z",
       {"2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z"}},
      {"  0   12 *\t* *  ", "", "2026-01-01T00:00:00Z", {"2026-01-01T12:00:00Z"}},
      // Year wraparound.
      {"59 23 31 12 *", "", "2026-06-01T00:00:00Z",
       {"2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"}},
      {"0 0 1 1 *", "", "2026-12-31T23:59:30Z", {"2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"}},
      // Leap days, including the eight-year gap across 2100 (beyond robfig's five-year search).
      {"0 0 29 2 *", "", "2026-01-01T00:00:00Z",
       {"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}},
      {"0 0 29 2 *", "", "2097-01-01T00:00:00Z", {"2104-02-29T00:00:00Z"}},
  });
}

TEST_CASE("the macros are robfig's fixed schedules", "[unit][cron]") {
  check_fires({
      {"@yearly", "", "2026-01-01T00:00:00Z", {"2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"}},
      {"@annually", "", "2026-01-01T00:00:00Z", {"2027-01-01T00:00:00Z"}},
      {"@monthly", "", "2026-01-01T00:00:00Z", {"2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"}},
      {"@weekly", "", "2026-01-01T00:00:00Z", {"2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"}},
      {"@daily", "", "2026-01-01T00:00:00Z", {"2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"}},
      {"@midnight", "", "2026-01-01T00:00:00Z", {"2026-01-02T00:00:00Z"}},
      {"@hourly", "", "2026-01-01T00:00:00Z", {"2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"}},
      {"@daily", "Europe/Berlin", "2026-01-01T00:00:00Z",
       {"2026-01-01T23:00:00Z", "2026-01-02T23:00:00Z"}},
  });
}

TEST_CASE("day of month and day of week combine with OR only when both are restricted",
          "[unit][cron]") {
  // robfig: a field is unrestricted when an element is * or ? without a step above 1; then a
  // day must match both fields. 2026-01-01 is a Thursday; 2026-02-01 a Sunday.
  check_fires({
      // Both restricted: the 1st of the month OR any Monday.
      {"0 0 1 * MON", "", "2026-01-20T00:00:00Z",
       {"2026-01-26T00:00:00Z", "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z",
        "2026-02-09T00:00:00Z"}},
      // Day of month unrestricted: Mondays only.
      {"0 0 * * MON", "", "2026-01-20T00:00:00Z",
       {"2026-01-26T00:00:00Z", "2026-02-02T00:00:00Z"}},
      {"0 0 ? * MON", "", "2026-01-20T00:00:00Z",
       {"2026-01-26T00:00:00Z", "2026-02-02T00:00:00Z"}},
      // A step above 1 restricts the field: odd days OR Mondays.
      {"0 0 */2 * MON", "", "2026-01-01T00:00:00Z",
       {"2026-01-03T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-07T00:00:00Z",
        "2026-01-09T00:00:00Z", "2026-01-11T00:00:00Z", "2026-01-12T00:00:00Z",
        "2026-01-13T00:00:00Z"}},
      // A step of 1 keeps robfig's star bit, and so does a * anywhere in a list: Mondays only.
      {"0 0 */1 * MON", "", "2026-01-01T00:00:00Z",
       {"2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z"}},
      {"0 0 1,* * MON", "", "2026-01-01T00:00:00Z",
       {"2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z"}},
      // Day of week unrestricted: the 1st only.
      {"0 0 1 * *", "", "2026-01-01T00:00:00Z", {"2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"}},
      {"0 0 1 * */1", "", "2026-01-01T00:00:00Z", {"2026-02-01T00:00:00Z"}},
      // Both restricted, the 13th OR any Friday (2026-02-13 is a Friday).
      {"0 0 13 2 FRI", "", "2026-01-01T00:00:00Z",
       {"2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z", "2026-02-20T00:00:00Z",
        "2026-02-27T00:00:00Z", "2027-02-05T00:00:00Z"}},
  });
}

TEST_CASE("a malformed schedule is rejected with a message naming the field and value",
          "[unit][cron]") {
  struct ErrorCase {
    std::string expr;
    std::string message;
  };
  const std::vector<ErrorCase> cases = {
      {"61 * * * *", "minute 61 out of range 0-59"},
      {"* 24 * * *", "hour 24 out of range 0-23"},
      {"* * 0 * *", "day of month 0 out of range 1-31"},
      {"* * 32 * *", "day of month 32 out of range 1-31"},
      {"* * * 0 *", "month 0 out of range 1-12"},
      {"* * * 13 *", "month 13 out of range 1-12"},
      // robfig/cron v3's standard parser allows 0-6 only; 7 is not Sunday.
      {"* * * * 7", "day of week 7 out of range 0-6"},
      {"* * * * 1-7", "day of week 7 out of range 0-6"},
      {"99999999999999999999 * * * *", "minute 99999999999999999999 out of range 0-59"},
      {"70/5 * * * *", "minute 70 out of range 0-59"},
      {"* * * *", "expected exactly 5 fields, found 4: \"* * * *\""},
      // The standard parser has no seconds field.
      {"0 * * * * *", "expected exactly 5 fields, found 6: \"0 * * * * *\""},
      {"", "expected exactly 5 fields, found 0: \"\""},
      {"   ", "expected exactly 5 fields, found 0: \"   \""},
      {"* * * FOO *", "unknown month name \"FOO\""},
      {"* * * * FUNDAY", "unknown day of week name \"FUNDAY\""},
      {"* * * * MONDAY", "unknown day of week name \"MONDAY\""},
      {"MON * * * *", "minute \"MON\" is not a number"},
      {"* * JAN * *", "day of month \"JAN\" is not a number"},
      {"5x * * * *", "minute \"5x\" is not a number"},
      {"* * * 1x *", "month \"1x\" is not a number"},
      {"+5 * * * *", "minute \"+5\" is not a number"},
      {"-5 * * * *", "minute \"-5\" is missing a value"},
      {"5- * * * *", "minute \"5-\" is missing a value"},
      {"*/ * * * *", "minute \"*/\" is missing a value"},
      {"*/0 * * * *", "minute step 0 must be a positive number"},
      {"0 0-12/00 * * *", "hour step 00 must be a positive number"},
      {"*/x * * * *", "minute step \"x\" is not a number"},
      {"30-10 * * * *", "minute range \"30-10\" starts after it ends"},
      {"0 0 * * FRI-MON", "day of week range \"FRI-MON\" starts after it ends"},
      {"0 0 * DEC-JAN *", "month range \"DEC-JAN\" starts after it ends"},
      {"1-2-3 * * * *", "minute \"1-2-3\" has too many hyphens"},
      {"*/2/3 * * * *", "minute \"*/2/3\" has too many slashes"},
      {"1,,2 * * * *", "minute \"1,,2\" has an empty list element"},
      {"0 0 * * MON,", "day of week \"MON,\" has an empty list element"},
      {"*-5 * * * *", "minute \"*-5\": * and ? cannot be part of a range"},
      // Kubernetes rejects robfig's in-schedule zones: the zone goes in the timeZone field.
      {"TZ=UTC 0 * * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"},
      {"CRON_TZ=Europe/Berlin 0 9 * * *",
       "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"},
      {"@daly", "unrecognized descriptor \"@daly\""},
      // robfig matches descriptors case-sensitively.
      {"@DAILY", "unrecognized descriptor \"@DAILY\""},
      {"@every", "unrecognized descriptor \"@every\""},
      // Go's time.ParseDuration messages.
      {"@every 3x",
       "failed to parse duration \"@every 3x\": time: unknown unit \"x\" in duration \"3x\""},
      {"@every x", "failed to parse duration \"@every x\": time: invalid duration \"x\""},
      {"@every 500ms", "@every interval \"500ms\" is less than 1s"},
      {"@every -1h", "@every interval \"-1h\" is less than 1s"},
  };
  for (const auto& c : cases) {
    INFO(c.expr);
    const auto parsed = CronSchedule::parse(c.expr);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().message == c.message);
    CHECK(parsed.error().where.empty());
  }
}

TEST_CASE("a time zone must be an IANA name from the zone database", "[unit][cron]") {
  struct ZoneCase {
    std::string zone;
    std::string message;  // empty: accepted
  };
  const std::vector<ZoneCase> cases = {
      {"", ""},
      {"UTC", ""},
      {"Europe/Berlin", ""},
      {"America/Argentina/ComodRivadavia", ""},
      {"Etc/GMT+5", ""},
      {"Mars/Olympus", "unknown time zone \"Mars/Olympus\""},
      {"europe/berlin", "unknown time zone \"europe/berlin\""},
      {"America/New York", "unknown time zone \"America/New York\""},
      {"../../../etc/passwd", "unknown time zone \"../../../etc/passwd\""},
      {"/etc/localtime", "unknown time zone \"/etc/localtime\""},
      {"Europe//Berlin", "unknown time zone \"Europe//Berlin\""},
      {"Fixed/UTC+01:00", "unknown time zone \"Fixed/UTC+01:00\""},
      {"Local",
       "time zone \"Local\" is not allowed: name an IANA time zone such as \"Europe/Berlin\""},
      {"localtime",
       "time zone \"localtime\" is not allowed: name an IANA time zone such as "
       "\"Europe/Berlin\""},
  };
  for (const auto& c : cases) {
    INFO(c.zone);
    const auto parsed = CronSchedule::parse("0 9 * * *", c.zone);
    if (c.message.empty()) {
      CHECK(parsed.has_value());
    } else {
      REQUIRE_FALSE(parsed.has_value());
      CHECK(parsed.error().message == c.message);
    }
  }
}

TEST_CASE("validation reports the schedule and the zone with their field paths", "[unit][cron]") {
  const std::string schedule_field = "spec.strategy.schedule";
  const std::string zone_field = "spec.strategy.timeZone";
  CHECK(validate_cron_schedule("0 9 * * *", "Europe/Berlin", schedule_field, zone_field).empty());
  CHECK(to_string(validate_cron_schedule("61 * * * *", "", schedule_field, zone_field)) ==
        "spec.strategy.schedule: invalid cron expression \"61 * * * *\": minute 61 out of range "
        "0-59");
  const FieldErrors both =
      validate_cron_schedule("* * * *", "Mars/Olympus", schedule_field, zone_field);
  REQUIRE(both.size() == 2);
  CHECK(both[0].type == FieldError::Type::Invalid);
  CHECK(both[0].to_string() ==
        "spec.strategy.schedule: invalid cron expression \"* * * *\": expected exactly 5 fields, "
        "found 4: \"* * * *\"");
  CHECK(both[1].type == FieldError::Type::Invalid);
  CHECK(both[1].to_string() == "spec.strategy.timeZone: unknown time zone \"Mars/Olympus\"");
}

TEST_CASE("@every is accepted as Kubernetes accepts it and fires at multiples of its interval",
          "[unit][cron]") {
  // Kubernetes validates CronJob schedules with cron.ParseStandard, which takes "@every <d>";
  // its controller counts from the CronJob's creation. A stateless schedule counts from the
  // Unix epoch instead (2026-01-01T00:00:00Z is 327264 * 1h30m after it), in UTC whatever
  // the zone, with sub-second parts of the interval dropped as robfig does.
  check_fires({
      {"@every 1h30m", "", "2026-01-01T00:10:00Z",
       {"2026-01-01T01:30:00Z", "2026-01-01T03:00:00Z", "2026-01-01T04:30:00Z"}},
      {"@every 1h", "Asia/Kolkata", "2026-01-01T00:10:00Z",
       {"2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"}},
      {"@every 90.5s", "", "2026-01-01T00:00:00Z",
       {"2026-01-01T00:01:30Z", "2026-01-01T00:03:00Z"}},
  });
}

TEST_CASE("fire times are civil times in the schedule's zone", "[unit][cron]") {
  check_fires({
      // 02:00 in Shanghai (UTC+8, no daylight saving) is 18:00 UTC the day before.
      {"0 2 * * *", "Asia/Shanghai", "2026-01-01T00:00:00Z",
       {"2026-01-01T18:00:00Z", "2026-01-02T18:00:00Z"}},
      {"0 2 * * *", "Asia/Shanghai", "2026-07-01T00:00:00Z", {"2026-07-01T18:00:00Z"}},
      {"0 9 * * *", "Europe/Berlin", "2026-01-10T00:00:00Z", {"2026-01-10T08:00:00Z"}},
      {"0 9 * * *", "Europe/Berlin", "2026-07-10T00:00:00Z", {"2026-07-10T07:00:00Z"}},
      {"0 9 * * *", "Asia/Kolkata", "2026-01-10T00:00:00Z", {"2026-01-10T03:30:00Z"}},
      {"0 9 * * *", "Australia/Lord_Howe", "2026-07-10T00:00:00Z", {"2026-07-10T22:30:00Z"}},
      {"0 9 * * *", "Australia/Lord_Howe", "2026-01-10T00:00:00Z", {"2026-01-10T22:00:00Z"}},
      // The weekday is the zone's: Monday 00:30 in Tokyo is Sunday 15:30 UTC.
      {"30 0 * * MON", "Asia/Tokyo", "2026-01-01T00:00:00Z", {"2026-01-04T15:30:00Z"}},
      {"0 0 1 * *", "America/New_York", "2026-01-01T00:00:00Z",
       {"2026-01-01T05:00:00Z", "2026-02-01T05:00:00Z"}},
  });
}

TEST_CASE("with the hour restricted, a time skipped or repeated by daylight saving fires once",
          "[unit][cron]") {
  check_fires({
      // New York springs forward at 2026-03-08 02:00 EST to 03:00 EDT (07:00Z): 02:30 fires
      // at the change, once, then normally again.
      {"30 2 * * *", "America/New_York", "2026-03-06T12:00:00Z",
       {"2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"}},
      // Several skipped times and the first real one after the gap are one fire.
      {"0,30 2,3 * * *", "America/New_York", "2026-03-07T12:00:00Z",
       {"2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z", "2026-03-09T06:00:00Z"}},
      {"* 2 * * *", "America/New_York", "2026-03-08T00:00:00Z",
       {"2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z", "2026-03-09T06:01:00Z"}},
      // It falls back at 2026-11-01 02:00 EDT to 01:00 EST (06:00Z): 01:30 fires once, at
      // its first occurrence (05:30Z), not again at 06:30Z.
      {"30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z",
       {"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}},
      {"30 0-23 * * *", "America/New_York", "2026-11-01T04:00:00Z",
       {"2026-11-01T04:30:00Z", "2026-11-01T05:30:00Z", "2026-11-01T07:30:00Z"}},
      // Berlin: 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST -> 02:00
      // CET (01:00Z).
      {"30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z",
       {"2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}},
      {"30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z",
       {"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
      // Lord Howe moves 30 minutes: 2026-10-04 02:00 +10:30 -> 02:30 +11 (15:30Z the day
      // before) and 2026-04-05 02:00 +11 -> 01:30 +10:30 (15:00Z the day before).
      {"15 2 * * *", "Australia/Lord_Howe", "2026-10-02T12:00:00Z",
       {"2026-10-02T15:45:00Z", "2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"}},
      {"45 1 * * *", "Australia/Lord_Howe", "2026-04-03T12:00:00Z",
       {"2026-04-03T14:45:00Z", "2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"}},
  });
}

TEST_CASE("with the hour unrestricted, fires follow real time across daylight saving",
          "[unit][cron]") {
  check_fires({
      // Spring: there is no 02:30 in New York on 2026-03-08, so no fire for it.
      {"30 * * * *", "America/New_York", "2026-03-08T05:00:00Z",
       {"2026-03-08T05:30:00Z", "2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z",
        "2026-03-08T08:30:00Z"}},
      // Fall: 01:30 happens twice, and both fire.
      {"30 * * * *", "America/New_York", "2026-11-01T04:00:00Z",
       {"2026-11-01T04:30:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z",
        "2026-11-01T07:30:00Z"}},
      {"@hourly", "America/New_York", "2026-11-01T04:30:00Z",
       {"2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"}},
      // A step of 1 keeps the field unrestricted (robfig's star bit).
      {"30 */1 * * *", "America/New_York", "2026-11-01T05:00:00Z",
       {"2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"}},
      {"0,30 * * * *", "Europe/Berlin", "2026-10-25T00:00:00Z",
       {"2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z",
        "2026-10-25T02:00:00Z"}},
      // Lord Howe: 02:00 does not exist on 2026-10-04; 01:45 exists twice on 2026-04-05.
      {"0 * * * *", "Australia/Lord_Howe", "2026-10-03T13:00:00Z",
       {"2026-10-03T13:30:00Z", "2026-10-03T14:30:00Z", "2026-10-03T16:00:00Z",
        "2026-10-03T17:00:00Z"}},
      {"45 * * * *", "Australia/Lord_Howe", "2026-04-04T13:00:00Z",
       {"2026-04-04T13:45:00Z", "2026-04-04T14:45:00Z", "2026-04-04T15:15:00Z",
        "2026-04-04T16:15:00Z"}},
  });
}

TEST_CASE("prev returns the latest fire at or before the given time", "[unit][cron]") {
  const CronSchedule every_minute = schedule("* * * * *");
  CHECK(str(every_minute.prev(utc("2026-01-01T00:01:00Z"))) == "2026-01-01T00:01:00Z");
  CHECK(str(every_minute.prev(utc("2026-01-01T00:01:59.999Z"))) == "2026-01-01T00:01:00Z");
  CHECK(str(every_minute.next(utc("2026-01-01T00:01:00Z"))) == "2026-01-01T00:02:00Z");
  CHECK(str(every_minute.next(utc("2026-01-01T00:00:59.5Z"))) == "2026-01-01T00:01:00Z");

  // Inside New York's repeated hour, after its second 01:00: 01:30 fired at its first
  // occurrence, which is still the latest fire.
  const CronSchedule restricted = schedule("30 1 * * *", "America/New_York");
  CHECK(str(restricted.prev(utc("2026-11-01T06:10:00Z"))) == "2026-11-01T05:30:00Z");
  CHECK(str(restricted.prev(utc("2026-11-01T05:29:59Z"))) == "2026-10-31T05:30:00Z");
  CHECK(str(restricted.next(utc("2026-11-01T06:10:00Z"))) == "2026-11-02T06:30:00Z");
  // At the spring change, the skipped 02:30 fired exactly at 07:00Z.
  const CronSchedule skipped = schedule("30 2 * * *", "America/New_York");
  CHECK(str(skipped.prev(utc("2026-03-08T07:00:00Z"))) == "2026-03-08T07:00:00Z");
  CHECK(str(skipped.prev(utc("2026-03-08T06:59:59Z"))) == "2026-03-07T07:30:00Z");

  const CronSchedule unrestricted = schedule("30 * * * *", "America/New_York");
  CHECK(str(unrestricted.prev(utc("2026-11-01T06:10:00Z"))) == "2026-11-01T05:30:00Z");
  CHECK(str(unrestricted.prev(utc("2026-11-01T06:40:00Z"))) == "2026-11-01T06:30:00Z");
}

TEST_CASE("a schedule that can never match a date has no next or previous fire",
          "[unit][cron]") {
  for (const char* expr : {"0 0 30 2 *", "0 0 31 4,6,9,11 *", "* * 30-31 FEB *"}) {
    INFO(expr);
    const CronSchedule s = schedule(expr, "Europe/Berlin");
    CHECK_FALSE(s.next(utc("2026-01-01T00:00:00Z")).has_value());
    CHECK_FALSE(s.prev(utc("2026-01-01T00:00:00Z")).has_value());
  }
  // With both day fields restricted the OR rule makes it possible again: Mondays in February.
  CHECK(str(schedule("0 0 30 2 MON").next(utc("2026-01-01T00:00:00Z"))) ==
        "2026-02-02T00:00:00Z");
}

TEST_CASE("next and prev stay within the representable time range", "[unit][cron]") {
  // TimePoint (nanoseconds since 1970) ends in 2262; a fire beyond it does not exist for us.
  for (const char* expr : {"0 0 * * *", "30 * * * *", "0 0 29 2 *", "@every 1h"}) {
    INFO(expr);
    const CronSchedule s = schedule(expr, "America/New_York");
    CHECK_FALSE(s.next(TimePoint::max()).has_value());
    CHECK_FALSE(s.prev(TimePoint::min()).has_value());
    const auto last = s.prev(TimePoint::max());
    REQUIRE(last.has_value());
    CHECK(*last <= TimePoint::max());
    CHECK_FALSE(s.next(*last).has_value());
  }
}

TEST_CASE("a schedule keeps its expression and zone and copies as a value", "[unit][cron]") {
  const CronSchedule original = schedule("0 9 * * MON-FRI", "Europe/Berlin");
  CronSchedule copy = original;
  CHECK(copy.expression() == "0 9 * * MON-FRI");
  CHECK(copy.time_zone() == "Europe/Berlin");
  copy = schedule("@daily");
  CHECK(copy.expression() == "@daily");
  CHECK(copy.time_zone().empty());
  CHECK(original.expression() == "0 9 * * MON-FRI");
  CHECK(str(original.next(utc("2026-01-01T00:00:00Z"))) == "2026-01-01T08:00:00Z");
}

// ---- Cross-check against glibc's reading of the same zone database. ----

// The local wall-clock reading of an instant, as glibc's localtime_r gives it, taken as a
// count of minutes (the reading interpreted as if it were UTC).
struct Civil {
  int month;
  int day;
  int hour;
  int minute;
  int weekday;
};

Civil civil_of(long long minute_index) {
  const time_t secs = static_cast<time_t>(minute_index * 60);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  return Civil{tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_wday};
}

// Sets TZ for glibc for the scope, restoring the previous value afterwards.
class ScopedTz {
 public:
  explicit ScopedTz(const std::string& zone) {
    if (const char* old = std::getenv("TZ")) {
      old_ = old;
    }
    setenv("TZ", zone.c_str(), 1);
    tzset();
  }
  ~ScopedTz() {
    if (old_) {
      setenv("TZ", old_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  ScopedTz(const ScopedTz&) = delete;
  ScopedTz& operator=(const ScopedTz&) = delete;

 private:
  std::optional<std::string> old_;
};

long long local_minute_index(TimePoint t) {
  const time_t secs = std::chrono::system_clock::to_time_t(t);
  struct tm tm {};
  localtime_r(&secs, &tm);
  return static_cast<long long>(timegm(&tm)) / 60;
}

struct ReferenceCase {
  std::string expr;
  bool hour_restricted;
  std::function<bool(const Civil&)> matches;
};

// DESIGN §2's rule, evaluated minute by minute over real time: with the hour unrestricted an
// instant fires when its reading matches; with it restricted, an instant fires when a
// matching reading first appears, or when the clock jumps over one.
std::vector<std::string> reference_fires(const std::string& zone, const ReferenceCase& c,
                                         TimePoint from, TimePoint to) {
  ScopedTz tz(zone);
  std::vector<std::string> out;
  long long seen = LLONG_MIN;
  for (TimePoint t = from; t <= to; t += minutes(1)) {
    const long long reading = local_minute_index(t);
    bool fire = false;
    if (!c.hour_restricted || seen == LLONG_MIN) {
      fire = c.matches(civil_of(reading));
    } else {
      for (long long m = seen + 1; m <= reading && !fire; ++m) {
        fire = c.matches(civil_of(m));
      }
    }
    if (fire) {
      out.push_back(format_rfc3339(t));
    }
    seen = std::max(seen, reading);
  }
  return out;
}

TEST_CASE("next and prev agree with a minute-by-minute reference around daylight-saving changes",
          "[unit][cron]") {
  const std::vector<ReferenceCase> cases = {
      {"30 2 * * *", true, [](const Civil& c) { return c.hour == 2 && c.minute == 30; }},
      {"0,30 1,2 * * *", true,
       [](const Civil& c) { return (c.hour == 1 || c.hour == 2) && c.minute % 30 == 0; }},
      {"* 2 * * *", true, [](const Civil& c) { return c.hour == 2; }},
      {"45 1 * * *", true, [](const Civil& c) { return c.hour == 1 && c.minute == 45; }},
      {"15 2 * * *", true, [](const Civil& c) { return c.hour == 2 && c.minute == 15; }},
      {"0 0-23 * * *", true, [](const Civil& c) { return c.minute == 0; }},
      {"*/20 1-3 * * SUN", true,
       [](const Civil& c) {
         return c.hour >= 1 && c.hour <= 3 && c.minute % 20 == 0 && c.weekday == 0;
       }},
      {"@daily", true, [](const Civil& c) { return c.hour == 0 && c.minute == 0; }},
      {"30 * * * *", false, [](const Civil& c) { return c.minute == 30; }},
      {"0 * * * *", false, [](const Civil& c) { return c.minute == 0; }},
      {"*/20 * * * *", false, [](const Civil& c) { return c.minute % 20 == 0; }},
      {"* * * * *", false, [](const Civil&) { return true; }},
      {"15 */1 * * *", false, [](const Civil& c) { return c.minute == 15; }},
      {"@hourly", false, [](const Civil& c) { return c.minute == 0; }},
  };
  struct Window {
    std::string zone;
    std::string from;
    std::string to;
  };
  const std::vector<Window> windows = {
      {"America/New_York", "2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z"},
      {"America/New_York", "2026-10-30T00:00:00Z", "2026-11-03T00:00:00Z"},
      {"Europe/Berlin", "2026-03-27T00:00:00Z", "2026-03-31T00:00:00Z"},
      {"Europe/Berlin", "2026-10-23T00:00:00Z", "2026-10-27T00:00:00Z"},
      {"Australia/Lord_Howe", "2026-04-02T00:00:00Z", "2026-04-06T00:00:00Z"},
      {"Australia/Lord_Howe", "2026-10-01T00:00:00Z", "2026-10-05T00:00:00Z"},
      {"Asia/Shanghai", "2026-06-01T00:00:00Z", "2026-06-04T00:00:00Z"},
      {"UTC", "2028-02-27T00:00:00Z", "2028-03-02T00:00:00Z"},
  };
  for (const auto& w : windows) {
    for (const auto& c : cases) {
      INFO(c.expr << " in " << w.zone << " from " << w.from << " to " << w.to);
      const CronSchedule s = schedule(c.expr, w.zone);
      const TimePoint from = utc(w.from);
      const TimePoint to = utc(w.to);
      const std::vector<std::string> expected = reference_fires(w.zone, c, from, to);

      std::vector<std::string> forward;
      for (auto t = s.next(from - nanoseconds(1)); t && *t <= to; t = s.next(*t)) {
        forward.push_back(format_rfc3339(*t));
      }
      CHECK(forward == expected);

      std::vector<std::string> backward;
      for (auto t = s.prev(to); t && *t >= from; t = s.prev(*t - nanoseconds(1))) {
        backward.push_back(format_rfc3339(*t));
      }
      std::reverse(backward.begin(), backward.end());
      CHECK(backward == expected);

      // From any instant (not only fires): next is the first fire after it, prev the last at
      // or before it, and they are each other's neighbours.
      std::string broken;
      for (TimePoint t = from; t <= to && broken.empty(); t += minutes(7) + seconds(13)) {
        const auto n = s.next(t);
        const auto p = s.prev(t);
        if (!n || !p || *n <= t || *p > t || s.prev(*n) != n || s.next(*p) != n ||
            s.prev(*n - nanoseconds(1)) != p) {
          broken = format_rfc3339(t) + ": next " + str(n) + ", prev " + str(p);
        }
      }
      CHECK(broken.empty());
    }
  }
}

}  // namespace
}  // namespace korder::api

namespace korder::api {
namespace {

TEST_CASE("a step wider than its field selects only the start value, as robfig accepts it",
          "[unit][cron]") {
  // Kubernetes CronJob (robfig/cron v3) accepts these; a schedule that runs as a CronJob must
  // mean the same in an Order.
  CHECK(fires_after(schedule("*/60 * * * *"), utc("2026-11-25T10:20:00Z"), 2) ==
        std::vector<std::string>{"2026-11-25T11:00:00Z", "2026-11-25T12:00:00Z"});
  // 2026-11-29 is a Sunday (weekday 0).
  CHECK(fires_after(schedule("0 0 * * */7"), utc("2026-11-25T00:00:00Z"), 2) ==
        std::vector<std::string>{"2026-11-29T00:00:00Z", "2026-12-06T00:00:00Z"});
}

}  // namespace
}  // namespace korder::api
