#pragma once

// Structured quota violations and the denial message built from them (DESIGN.md §4).

#include <string>
#include <vector>

namespace korder::quota {

/// Which limit a violation is about.
enum class LimitScope {
  /// The quota as a whole.
  Quota,
  /// The allocation (spec.allocations[]) of `Violation::namespace_`.
  Allocation,
  /// The remainder the quota leaves to namespaces without an allocation for the resource.
  Unallocated,
};

/// One limit an operation would exceed. Values are printed as the API prints them: counts as
/// integers, quantities canonically (`19800m`), durations compactly (`24h`).
struct Violation {
  std::string quota;
  std::string resource;   // `reserved.cpu`, `tickets`, `max-duration`
  std::string requested;  // what the operation adds, or the requested duration
  std::string used;       // in use now, pending holds included; empty for max-duration
  std::string limit;      // the effective limit
  LimitScope scope = LimitScope::Quota;
  std::string namespace_;  // LimitScope::Allocation: whose allocation

  bool operator==(const Violation&) const = default;
};

/// The prefix of every denial message. The order controller recognises a quota denial by a
/// 403 whose message *contains* it (the API server wraps webhook messages).
inline constexpr char kQuotaExceededPrefix[] = "korder quota exceeded: ";

/// One violation as text:
///   `quota "team-quota": reserved.cpu: requested 500m, used 19800m, limit 20`
///   `quota "team-quota" (allocation of namespace "team-a"): tickets: requested 1, used 5, limit 5`
///   `quota "team-quota" (unallocated remainder): reserved.memory: requested 1Gi, used 3Gi, limit
///   4Gi` `quota "team-quota": max-duration: requested 48h, limit 24h`  (no `used` part)
std::string format_violation(const Violation& violation);

/// The AdmissionReview message for a denial: kQuotaExceededPrefix followed by every violation,
/// joined with `; `. Empty when `violations` is empty.
std::string format_denial_message(const std::vector<Violation>& violations);

}  // namespace korder::quota
