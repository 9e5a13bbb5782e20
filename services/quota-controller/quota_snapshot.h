#pragma once

// QuotaSnapshot: a copy of one quota's limits and usage at an instant, for status, GetUsage and
// WatchUsage (taken under the engine's lock, used after it).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "korder/api/quota_limits.h"
#include "korder/base/clock.h"
#include "korder/base/error.h"
#include "quota_definition.h"
#include "usage.h"
#include "violation.h"

namespace korder::quota {

/// One allocation (spec.allocations[]) and its namespace's use.
struct AllocationSnapshot {
  std::string namespace_;
  api::ParsedQuotaLimits hard;
  Usage used;
  Usage held;

  bool operator==(const AllocationSnapshot&) const = default;
};

/// One quota at an instant.
struct QuotaSnapshot {
  std::string name;
  std::int64_t generation = 0;
  ScopeType scope_type = ScopeType::Cluster;
  /// validate_quota's problems; an invalid quota is not enforced.
  FieldErrors errors;
  /// The effective limits (time windows applied).
  api::ParsedQuotaLimits hard;
  /// The open windows, in spec order.
  std::vector<std::string> active_windows;
  /// The next window transition (nullopt: none).
  std::optional<TimePoint> next_transition;
  /// Observed use, and what pending holds add.
  Usage used;
  Usage held;
  /// In spec order.
  std::vector<AllocationSnapshot> allocations;
  /// Each limit (quota-wide or allocation) that observed use exceeds now.
  std::vector<Violation> over_limit;

  bool valid() const { return errors.empty(); }
  bool operator==(const QuotaSnapshot&) const = default;
};

}  // namespace korder::quota
