#pragma once

// The time side of an Order's strategy (DESIGN.md §2): which period is open now.
//
// OneTime has one period that is always open. Scheduled and Recurring have one period per cron
// fire F (in `strategy.timeZone`), open during [F, F + duration): for Scheduled it is the window
// the tickets live in, for Recurring the validity of the tickets topped up at F (and the limit
// for replacements between fires). The current period is the one of the latest fire at or
// before now, so a fire missed while the controller was down is caught up exactly when
// prev(now) + duration > now. Overlapping periods (duration longer than the cron interval) do
// not stack: the latest fire's period is the current one.
//
// All functions are pure and thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "korder/api/cron.h"
#include "korder/api/duration.h"
#include "korder/api/order.h"
#include "korder/base/clock.h"
#include "korder/base/expected.h"

namespace korder::order {

enum class Strategy { OneTime, Scheduled, Recurring };
enum class Refresh { Always, OnClaim, Never };

/// An order's strategy with its schedule and duration parsed.
struct OrderPolicy {
  Strategy strategy = Strategy::OneTime;
  Refresh refresh = Refresh::OnClaim;
  /// `spec.template.spec.duration`, positive.
  api::Duration duration;
  /// Scheduled/Recurring only.
  std::optional<api::CronSchedule> schedule;

  bool periodic() const { return strategy != Strategy::OneTime; }
};

/// Parses the strategy of `spec` (empty type = OneTime, empty refreshPolicy = OnClaim), the
/// template duration (must be positive) and, for Scheduled/Recurring, the schedule in its time
/// zone. The error is a message for the order's conditions, naming the field:
/// `spec.strategy.schedule: invalid cron expression "61 * * * *": …`. The validating webhook
/// rejects such orders, so this is a guard for objects admitted without it.
Expected<OrderPolicy, std::string> parse_policy(const api::OrderSpec& spec);

/// Which period is open at some instant.
struct PeriodState {
  /// Scheduled/Recurring: the latest fire at or before now (nullopt if none in ten years).
  std::optional<TimePoint> fire;
  /// fire + duration.
  std::optional<TimePoint> end;
  /// OneTime: always; Scheduled/Recurring: a fire exists and now < end.
  bool open = false;
  /// Scheduled/Recurring: the earliest fire after now.
  std::optional<TimePoint> next_fire;
};

/// The period state of `policy` at `now`.
PeriodState evaluate_period(const OrderPolicy& policy, TimePoint now);

/// Whether `refresh` replaces a slot whose ticket finished in `phase` (Claimed or Expired):
/// Always replaces both, OnClaim only Claimed, Never nothing.
bool refresh_replaces(Refresh refresh, std::string_view phase);

/// The wire spelling (`Always`, `OnClaim`, `Never`), for messages.
std::string_view to_string(Refresh refresh);

}  // namespace korder::order
