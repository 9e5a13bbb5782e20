#include "claim_tracker.h"

namespace korder::webhook {

bool ClaimTracker::busy_locked(const std::string& key) const {
  if (in_flight_.contains(key)) {
    return true;
  }
  const auto it = recent_.find(key);
  return it != recent_.end() && it->second > clock_.steady_now();
}

bool ClaimTracker::busy(const std::string& key) const {
  absl::ReaderMutexLock lock(&mu_);
  return busy_locked(key);
}

bool ClaimTracker::idle() const {
  absl::ReaderMutexLock lock(&mu_);
  return in_flight_.empty() && recent_.empty();
}

bool ClaimTracker::try_begin(const std::string& key) {
  absl::MutexLock lock(&mu_);
  if (busy_locked(key)) {
    return false;
  }
  in_flight_.insert(key);
  return true;
}

void ClaimTracker::finish(const std::string& key, bool claimed) {
  absl::MutexLock lock(&mu_);
  in_flight_.erase(key);
  const SteadyTimePoint now = clock_.steady_now();
  std::erase_if(recent_, [now](const auto& entry) { return entry.second <= now; });
  if (claimed) {
    recent_[key] = now + memory_;
  }
}

}  // namespace korder::webhook
