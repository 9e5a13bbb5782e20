#include "cron_next.h"

#include <catch2/catch.hpp>

#include "korder/api/time.h"

namespace korder::ctl {
namespace {

TimePoint at(const std::string& text) {
  auto t = api::parse_rfc3339(text);
  REQUIRE(t.has_value());
  return *t;
}

std::vector<std::string> fires(const std::string& schedule, const std::string& zone,
                               const std::string& from, int n) {
  auto out = next_fires(schedule, zone, at(from), n);
  INFO((out ? "" : out.error()));
  REQUIRE(out.has_value());
  return *out;
}

TEST_CASE("cron next prints fires after --from in the zone's offset", "[unit]") {
  CHECK(fires("0 2 * * *", "Asia/Shanghai", "2026-01-01T00:00:00Z", 3) ==
        std::vector<std::string>{"2026-01-02T02:00:00+08:00", "2026-01-03T02:00:00+08:00",
                                 "2026-01-04T02:00:00+08:00"});
  CHECK(fires("*/15 * * * *", "", "2026-01-01T00:07:00Z", 2) ==
        std::vector<std::string>{"2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z"});
}

TEST_CASE("cron next applies korder's rule at a spring-forward change", "[unit]") {
  // 2026-03-29 02:30 does not exist in Berlin: it fires once at the change, 03:00 CEST.
  CHECK(fires("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", 2) ==
        std::vector<std::string>{"2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"});
}

TEST_CASE("cron next stops when a schedule never fires and names bad input", "[unit]") {
  CHECK(fires("0 0 30 2 *", "", "2026-01-01T00:00:00Z", 3).empty());
  auto bad = next_fires("61 * * * *", "", at("2026-01-01T00:00:00Z"), 1);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().find("schedule \"61 * * * *\"") == 0);
  CHECK(bad.error().find("minute 61 out of range 0-59") != std::string::npos);
  auto zone = next_fires("0 2 * * *", "Mars/Olympus", at("2026-01-01T00:00:00Z"), 1);
  REQUIRE_FALSE(zone.has_value());
  CHECK(zone.error().find("--tz: ") == 0);
  CHECK(zone.error().find("Mars/Olympus") != std::string::npos);
}

}  // namespace
}  // namespace korder::ctl
