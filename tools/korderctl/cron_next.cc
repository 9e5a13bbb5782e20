#include "cron_next.h"

#include "absl/time/time.h"
#include "korder/api/cron.h"

namespace korder::ctl {

Expected<std::string, std::string> format_in_zone(TimePoint t, const std::string& time_zone) {
  absl::TimeZone zone = absl::UTCTimeZone();
  if (!time_zone.empty() && !absl::LoadTimeZone(time_zone, &zone)) {
    return Unexpected("--tz: unknown time zone \"" + time_zone + "\"");
  }
  const absl::Time time = absl::FromChrono(t);
  if (zone.At(time).offset == 0) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, zone);
  }
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", time, zone);
}

Expected<std::vector<std::string>, std::string> next_fires(const std::string& schedule,
                                                           const std::string& time_zone,
                                                           TimePoint from, int count) {
  auto cron = api::CronSchedule::parse(schedule, time_zone);
  if (!cron) {
    const std::string message = cron.error().to_string();
    if (message.find("time zone") != std::string::npos) {
      return Unexpected("--tz: " + message);
    }
    return Unexpected("schedule \"" + schedule + "\": " + message);
  }
  std::vector<std::string> out;
  TimePoint at = from;
  for (int i = 0; i < count; ++i) {
    const std::optional<TimePoint> next = cron->next(at);
    if (!next) {
      break;
    }
    auto text = format_in_zone(*next, time_zone);
    if (!text) {
      return Unexpected(text.error());
    }
    out.push_back(std::move(*text));
    at = *next;
  }
  return out;
}

}  // namespace korder::ctl
