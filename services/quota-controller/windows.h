#pragma once

// Time windows (a Quota's spec.timeWindows[]) and the effective limits they produce.
//
// A window opens at each fire of its cron schedule (in its time zone, with korder's DST rule,
// see api::CronSchedule) and stays open for `duration`: it is open at `t` when its latest fire
// at or before `t` is less than `duration` before `t` (open at the fire instant, closed at
// fire + duration). While open, a window either replaces the limits its `hard` lists or scales
// the base limits by `multiplier`: quantities exactly, counts (`orders`, `tickets`) rounded
// down, `max-duration` never. When several windows are open, each key takes the most
// restrictive (smallest) value any of them gives it; keys no open window touches keep the
// base value.

#include <optional>
#include <string>
#include <vector>

#include "korder/api/cron.h"
#include "korder/api/duration.h"
#include "korder/api/quantity.h"
#include "korder/api/quota_limits.h"
#include "korder/base/clock.h"

namespace korder::quota {

/// One parsed time window. Exactly one of `hard` and `multiplier` is set.
struct TimeWindow {
  std::string name;
  api::CronSchedule schedule;
  api::Duration duration;
  std::optional<api::ParsedQuotaLimits> hard;
  std::optional<api::Quantity> multiplier;
};

/// The limits in force at some instant and the windows that shaped them.
struct EffectiveLimits {
  api::ParsedQuotaLimits limits;
  /// The names of the windows open at that instant, in spec order.
  std::vector<std::string> active_windows;

  bool operator==(const EffectiveLimits&) const = default;
};

/// True when `window` is open at `t` (see the file comment).
bool is_open(const TimeWindow& window, TimePoint t);

/// `base` scaled by `multiplier` (> 0): quantities exactly (rounded up below a nano-unit, as
/// Quantity does), counts rounded down, `max-duration` unchanged. Values beyond the
/// representable range saturate.
api::ParsedQuotaLimits scale_limits(const api::ParsedQuotaLimits& base,
                                    const api::Quantity& multiplier);

/// The limits in force at `t`: `base` with the open windows applied (see the file comment).
EffectiveLimits effective_limits(const api::ParsedQuotaLimits& base,
                                 const std::vector<TimeWindow>& windows, TimePoint t);

/// The first instant after `t` at which some window opens or closes (so the effective limits
/// may change), or nullopt when no window will ever change state. A window whose fires come
/// closer together than its duration stays open across them; when it never closes within a
/// thousand fires, the last of them is returned (an extra requeue is harmless).
std::optional<TimePoint> next_transition(const std::vector<TimeWindow>& windows, TimePoint t);

}  // namespace korder::quota
