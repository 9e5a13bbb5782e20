#pragma once

// QuotaAccount: one quota's definition with its running usage and pending holds.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "korder/base/clock.h"
#include "quota_definition.h"
#include "usage.h"
#include "windows.h"

namespace korder::quota {

/// The books of one quota: what observed objects in scope use (in total and per allocation
/// namespace) and what pending holds add (in total and per namespace). Not thread-safe: the
/// engine's mutex guards every account.
struct QuotaAccount {
  std::shared_ptr<const QuotaDefinition> definition;
  /// Observed objects in scope.
  Usage used;
  /// Observed objects in scope, per namespace listed in `definition->allocations`.
  std::map<std::string, Usage> allocation_used;
  /// Pending holds charged to this quota, in total and per namespace listed in
  /// `definition->allocations` (the only namespaces whose share is ever needed).
  Usage held;
  std::map<std::string, Usage> held_by_namespace;

  /// The effective limits at `t`, recomputed only when `t` leaves the span between the last
  /// computation and the next window transition after it.
  const EffectiveLimits& limits_at(TimePoint t);
  /// The next window transition after the last limits_at() instant (nullopt: none).
  std::optional<TimePoint> next_transition() const { return limits_until_; }
  /// Forgets the cached limits (after a spec change).
  void invalidate_limits() { limits_valid_ = false; }

 private:
  EffectiveLimits limits_;
  bool limits_valid_ = false;
  TimePoint limits_from_;
  std::optional<TimePoint> limits_until_;
};

/// `map[key]`, or an empty Usage when absent.
const Usage& usage_in(const std::map<std::string, Usage>& map, const std::string& key);

/// Adds `delta` to `map[key]`, erasing the entry when it becomes empty.
void add_usage(std::map<std::string, Usage>& map, const std::string& key, const Usage& delta);
/// Subtracts `delta` from `map[key]`, erasing the entry when it becomes empty.
void subtract_usage(std::map<std::string, Usage>& map, const std::string& key, const Usage& delta);

}  // namespace korder::quota
