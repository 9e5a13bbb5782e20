#pragma once

// The admission rule of one quota: does adding a charge (what an operation adds) fit?
//
// For an object in namespace `ns` and each limit key `k` the charge increases:
// 1. The quota as a whole: used[k] + held[k] + charge[k] <= limit[k] (effective limits, time
//    windows applied), when the quota limits `k`.
// 2. Allocations (spec.allocations[]), per key: a namespace whose allocation sets `k` is
//    bounded by it: its own used + held + charge <= allocation[k]. Every other namespace
//    (unlisted, or listed without `k`) shares the *unallocated remainder* of `k`:
//      remainder[k] = max(0, limit[k] - sum of allocation[k] over allocations that set k)
//    and their combined use (the quota's used + held minus that of the namespaces whose
//    allocation sets `k`) plus the charge must stay within it. Allocations are fixed amounts:
//    time windows change the quota's limits, hence the remainder, never an allocation.
// Only keys the charge increases are checked, so an operation that adds nothing is admitted
// even when use is already above a limit that shrank.
// max-duration: a requested duration above the effective `max-duration` (or the namespace
// allocation's) is a violation.

#include <string>
#include <vector>

#include "korder/api/duration.h"
#include "korder/api/quota_limits.h"
#include "quota_account.h"
#include "usage.h"
#include "violation.h"

namespace korder::quota {

/// Appends to `out` every limit of `account` that adding `charge` (non-negative components)
/// for an object in namespace `ns` would exceed under `limits` (see the file comment).
/// Violation values: `used` includes pending holds.
void check_charge(const QuotaAccount& account, const api::ParsedQuotaLimits& limits,
                  const std::string& ns, const Usage& charge, std::vector<Violation>& out);

/// Appends a violation for each max-duration (`limits`', and the allocation of `ns`'s) that
/// `requested` exceeds.
void check_duration(const QuotaAccount& account, const api::ParsedQuotaLimits& limits,
                    const std::string& ns, const api::Duration& requested,
                    std::vector<Violation>& out);

/// Violations for every key whose use exceeds its limit right now (for status: limits that
/// shrank below use), quota-wide and per allocation; `requested` is left empty. Used by the
/// `Exceeded` condition.
std::vector<Violation> over_limit(const QuotaAccount& account,
                                  const api::ParsedQuotaLimits& limits);

/// A count (`orders`, `tickets`) or quantity as the API prints it.
std::string format_limit_value(const std::string& key, const api::Quantity& value);

}  // namespace korder::quota
