#pragma once

// The status a Quota should have now, and the Events its changes deserve.

#include <string>
#include <string_view>
#include <vector>

#include "korder/api/quota.h"
#include "korder/base/clock.h"
#include "quota_snapshot.h"

namespace korder::quota {

/// Condition types of a Quota.
struct QuotaConditionType {
  /// True while the quota is enforced (its spec is valid); False with reason `InvalidSpec`.
  static constexpr std::string_view Ready = "Ready";
  /// True when observed use is above a limit (limits shrank below use: nothing is evicted, new
  /// reservations are denied); the message names each resource.
  static constexpr std::string_view Exceeded = "Exceeded";
};

/// The status `snapshot`'s quota should have at `now`:
/// - `hard`: the effective limits, canonical (api::to_quota_limits);
/// - `used`: observed use (holds excluded) for every key of `hard` except `max-duration`;
/// - `activeTimeWindow`: the open windows' names joined with `,` (empty when none);
/// - `allocations[]`: each allocation's `hard` and its namespace's `used`, in spec order;
/// - conditions Ready and Exceeded, whose lastTransitionTime is kept from `previous` when their
///   status did not change, and `observedGeneration`.
/// Exceeded's message, e.g. `reserved.cpu: used 30, limit 20; allocation of namespace
/// "team-a": tickets: used 6, limit 5`.
api::QuotaStatus compute_quota_status(const QuotaSnapshot& snapshot,
                                      const api::QuotaStatus& previous, TimePoint now);

/// An Event to record on the Quota.
struct QuotaEvent {
  std::string type;  // Normal or Warning
  std::string reason;
  std::string message;

  bool operator==(const QuotaEvent&) const = default;
};

/// The Events a status change from `previous` to `next` deserves: `TimeWindowOpened` /
/// `TimeWindowClosed` (Normal) when `activeTimeWindow` changes, `QuotaExceeded` (Warning)
/// when Exceeded becomes True, `QuotaWithinLimits` (Normal) when it becomes False again.
std::vector<QuotaEvent> status_events(const api::QuotaStatus& previous,
                                      const api::QuotaStatus& next);

}  // namespace korder::quota
