#pragma once

// Read-your-own-writes over an informer cache (the job kube-controller-manager's
// ControllerExpectations does): the reconciler records each object it wrote — what version the
// object had before (empty: it did not exist) and what the server answered (null: it is gone) —
// and overlays those answers on the cache until the cache has caught up. So a reconcile that
// runs right after our own write (woken by that very write) plans from what we wrote, not from
// a cache a few milliseconds behind: no second create of a ticket already created, no status
// computed from stale memory, no delete sent twice.
//
// Entries are grouped (by order key) so that a group's entries can be merged into a list from
// the cache, and they expire after `ttl` in case the cache never shows the write at all (a
// relist that skipped it). Thread-safe.

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/clock.h"

namespace korder::order {

template <typename T>
class RecentWrites {
 public:
  using ObjectPtr = std::shared_ptr<const T>;

  RecentWrites(Clock& clock, std::chrono::nanoseconds ttl) : clock_(clock), ttl_(ttl) {}

  /// Records a write of object `key` (`ns/name`) in `group`: it was at `before_rv` (empty: it
  /// did not exist) and the server answered `after` (null: it no longer exists). A write on top
  /// of a recorded one keeps the earlier versions as stale too.
  void record(const std::string& group, const std::string& key, std::string before_rv,
              ObjectPtr after) {
    absl::MutexLock lock(&mu_);
    Entry& entry = groups_[group][key];
    entry.stale_rvs.push_back(std::move(before_rv));
    entry.after = std::move(after);
    entry.at = clock_.steady_now();
  }

  /// The freshest view of one object: `cached` (null when the cache has none) unless a recorded
  /// write is newer than it.
  ObjectPtr resolve(const std::string& group, const std::string& key, ObjectPtr cached) {
    std::vector<ObjectPtr> objects;
    if (cached != nullptr) {
      objects.push_back(std::move(cached));
    }
    objects = merge(group, std::move(objects), [&key](const T&) { return key; });
    return objects.empty() ? nullptr : objects.front();
  }

  /// The group's objects from the cache (`cached`, keyed by `key_of`) with the recorded writes
  /// the cache does not show yet applied: an object still at a version we replaced is
  /// replaced by our answer (or left out when we deleted it), and an object we created that the
  /// cache lacks is added. Entries the cache has caught up with are dropped.
  template <typename KeyOf>
  std::vector<ObjectPtr> merge(const std::string& group, std::vector<ObjectPtr> cached,
                               const KeyOf& key_of) {
    absl::MutexLock lock(&mu_);
    const auto g = groups_.find(group);
    if (g == groups_.end()) {
      return cached;
    }
    auto& entries = g->second;
    const SteadyTimePoint now = clock_.steady_now();
    std::erase_if(entries, [&](const auto& kv) { return now - kv.second.at > ttl_; });
    std::vector<ObjectPtr> out;
    std::map<std::string, bool> seen;
    for (ObjectPtr& object : cached) {
      const std::string key = key_of(*object);
      const auto e = entries.find(key);
      if (e == entries.end()) {
        out.push_back(std::move(object));
        continue;
      }
      seen[key] = true;
      if (e->second.is_stale(object->metadata.resource_version)) {
        if (e->second.after != nullptr) {
          out.push_back(e->second.after);
        }
      } else {
        entries.erase(e);  // the cache has caught up (or moved past us)
        out.push_back(std::move(object));
      }
    }
    for (auto e = entries.begin(); e != entries.end();) {
      if (seen.count(e->first) != 0) {
        ++e;
        continue;
      }
      if (e->second.is_stale("")) {
        // We created it and the cache has not shown it yet.
        if (e->second.after != nullptr) {
          out.push_back(e->second.after);
        }
        ++e;
      } else {
        e = entries.erase(e);  // it existed, and the cache has processed its removal
      }
    }
    if (entries.empty()) {
      groups_.erase(g);
    }
    return out;
  }

  /// Forgets every entry of `group` (the order is gone).
  void forget(const std::string& group) {
    absl::MutexLock lock(&mu_);
    groups_.erase(group);
  }

  /// Entries held (for tests).
  std::size_t size() const {
    absl::MutexLock lock(&mu_);
    std::size_t n = 0;
    for (const auto& [group, entries] : groups_) {
      n += entries.size();
    }
    return n;
  }

 private:
  struct Entry {
    std::vector<std::string> stale_rvs;
    ObjectPtr after;
    SteadyTimePoint at;

    bool is_stale(const std::string& rv) const {
      return std::find(stale_rvs.begin(), stale_rvs.end(), rv) != stale_rvs.end();
    }
  };

  Clock& clock_;
  const std::chrono::nanoseconds ttl_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::map<std::string, Entry>> groups_ ABSL_GUARDED_BY(mu_);
};

}  // namespace korder::order
