#pragma once

// `korderctl cron next`: the next fire times of a schedule.

#include <string>
#include <vector>

#include "korder/base/clock.h"
#include "korder/base/expected.h"

namespace korder::ctl {

/// The first `count` fire times of `schedule` in `time_zone` strictly after `from`, as RFC 3339
/// text with the zone's UTC offset at each instant (`2026-01-02T02:00:00+08:00`; `Z` for UTC).
/// Uses libs/korder-api's cron (Kubernetes CronJob syntax, korder's DST rule). Errors name the
/// input: `schedule "61 * * * *": minute 61 out of range 0-59`, `--tz: unknown time zone
/// "Mars/Olympus"`. Fewer than `count` results when the schedule stops firing.
Expected<std::vector<std::string>, std::string> next_fires(const std::string& schedule,
                                                           const std::string& time_zone,
                                                           TimePoint from, int count);

/// RFC 3339 with the offset of `time_zone` at `t` (second precision).
Expected<std::string, std::string> format_in_zone(TimePoint t, const std::string& time_zone);

}  // namespace korder::ctl
