#pragma once

// The tickets this process is claiming right now, and the ones it claimed a moment ago (the
// cache may not show the claim yet), so concurrent reviews in one process pick different
// tickets instead of racing for one (DESIGN.md §3 step 2).

#include <chrono>
#include <map>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/clock.h"

namespace korder::webhook {

/// Thread-safe. Keys are `namespace/name`.
class ClaimTracker {
 public:
  /// `memory`: how long a successful claim keeps its ticket skipped.
  ClaimTracker(Clock& clock, std::chrono::nanoseconds memory = std::chrono::seconds(10))
      : clock_(clock), memory_(memory) {}

  /// True when `key` is being claimed here or was claimed here within `memory`.
  bool busy(const std::string& key) const;
  /// True when no key is busy (one lock, so a review over many tickets can skip asking `busy`
  /// for each; may say false for keys whose memory just ran out).
  bool idle() const;
  /// Marks `key` as being claimed; false when it already is (or was just claimed).
  bool try_begin(const std::string& key);
  /// Ends the claim of `key`; `claimed` keeps it skipped for `memory`.
  void finish(const std::string& key, bool claimed);

 private:
  bool busy_locked(const std::string& key) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  Clock& clock_;
  const std::chrono::nanoseconds memory_;
  mutable absl::Mutex mu_;
  std::set<std::string> in_flight_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, SteadyTimePoint> recent_ ABSL_GUARDED_BY(mu_);
};

}  // namespace korder::webhook
