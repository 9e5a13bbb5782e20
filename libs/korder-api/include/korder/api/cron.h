#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "korder/base/clock.h"
#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::api {

/// A cron schedule with an IANA time zone, as `spec.strategy.schedule` / `spec.strategy.timeZone`
/// (and a Quota's `timeWindows[]`) use it.
///
/// Syntax is Kubernetes CronJob's, i.e. robfig/cron v3's standard parser (`cron.ParseStandard`):
/// exactly five fields `minute hour day-of-month month day-of-week`, each a comma list of `*`
/// (or `?`), `N`, `N-M`, with an optional `/step` (`*/15`, `1-30/5`; `N/step` means N to the
/// field's maximum); month names JAN-DEC and weekday names SUN-SAT, case-insensitive; weekdays
/// 0-6 (7 is rejected, as robfig does); the macros `@yearly`/`@annually`, `@monthly`,
/// `@weekly`, `@daily`/`@midnight`, `@hourly`, and `@every <Go duration>` (accepted because
/// Kubernetes accepts it; see next()).
///
/// Day rule (robfig's): a field is *unrestricted* when one of its list elements is `*` or `?`
/// with no step or a step of 1 (`*/2` is restricted). If day-of-month or day-of-week is
/// unrestricted, a day matches when both fields match; when both are restricted, a day
/// matches when either does (`0 0 1 * MON` fires on the 1st and on every Monday).
///
/// Fire times are civil times in the zone (empty zone = UTC). Daylight-saving changes
/// (DESIGN §2, deliberately unlike robfig, because a missed reservation is worse than a late
/// one):
/// - hour field restricted (anything but an unrestricted `*`): a civil fire time skipped by a
///   spring-forward change fires once at the change (the first instant after the gap); one
///   inside a repeated (fall-back) range fires once, at its first occurrence.
/// - hour field unrestricted (`30 * * * *`, `@hourly`): fires follow real time, i.e. every
///   instant whose local wall-clock reading matches fires, so a repeated hour fires twice and
///   a skipped hour not at all.
///
/// A cheap, immutable, copyable value; safe to share between threads.
class CronSchedule {
 public:
  /// Parses `expr` and loads `time_zone` (an IANA name such as `Europe/Berlin`; empty means
  /// UTC). Errors name the field and value: `minute 61 out of range 0-59`,
  /// `expected exactly 5 fields, found 4: "* * * *"`, `unknown month name "FOO"`,
  /// `minute step 0 out of range 1-59`, `hour range "5-2" starts after it ends`,
  /// `cannot use TZ or CRON_TZ in schedule, use timeZone field instead`,
  /// `unknown time zone "Mars/Olympus"`. The error's `where` is empty; see
  /// validate_cron_schedule() for the field-path form.
  static Expected<CronSchedule, ParseError> parse(std::string_view expr,
                                                  std::string_view time_zone = "");

  /// The earliest fire strictly after `after`. nullopt when the expression can never match a
  /// date (`0 0 30 2 *`) or no fire falls within ten years (every satisfiable expression
  /// fires at least every eight years: a leap day across 2100). Cost is proportional to the
  /// days skipped, never minute by minute.
  /// `@every D` fires at whole multiples of D since the Unix epoch (so `@every 1h` fires on
  /// the hour in UTC, whatever the zone); Kubernetes instead counts from the CronJob's
  /// creation, which a stateless schedule cannot know.
  std::optional<TimePoint> next(TimePoint after) const;

  /// The latest fire at or before `at` (what a controller needs to find the current window);
  /// nullopt under the same conditions as next(), looking back ten years. For every fire f,
  /// prev(f) == f, and next(prev(t)) > t whenever prev(t) has a value.
  std::optional<TimePoint> prev(TimePoint at) const;

  /// The expression as given to parse().
  const std::string& expression() const;
  /// The zone as given to parse() (empty for UTC).
  const std::string& time_zone() const;

  CronSchedule(const CronSchedule&) = default;
  CronSchedule& operator=(const CronSchedule&) = default;
  // No move operations on purpose: copying keeps the (never empty) shared state valid.

 private:
  struct Impl;
  explicit CronSchedule(std::shared_ptr<const Impl> impl);

  std::shared_ptr<const Impl> impl_;
};

/// Validates a schedule and its time zone for an object's fields, returning every problem as
/// the validating webhook reports it: `<schedule_field>: invalid cron expression "61 * * * *":
/// minute 61 out of range 0-59` and `<time_zone_field>: unknown time zone "Mars/Olympus"`.
/// Empty when both are valid.
FieldErrors validate_cron_schedule(std::string_view schedule, std::string_view time_zone,
                                   const std::string& schedule_field,
                                   const std::string& time_zone_field);

}  // namespace korder::api
