#pragma once

// Pending holds: what admitted operations add to quotas until the informers observe them.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "korder/base/clock.h"
#include "object_summary.h"
#include "usage.h"

namespace korder::quota {

/// What an admission request does to the object.
enum class Operation { Create, Update, Delete };

struct QuotaAccount;

/// What one hold adds to one quota. The account outlives the charge: deleting a quota removes
/// its charges first (Reservations::forget_quota). `usage` is never null and never changes; the
/// charges of one hold share it where they are equal (a CREATE charges every covering quota the
/// object's whole contribution), so a hold costs one Usage, not one per quota.
struct QuotaCharge {
  QuotaAccount* account = nullptr;
  std::shared_ptr<const Usage> usage;

  bool operator==(const QuotaCharge& other) const {
    return account == other.account && *usage == *other.usage;
  }
};

/// A pending hold: an admitted CREATE or UPDATE the informers have not observed yet. It charges
/// each covering quota with the positive part of (contribution of `target`) − (contribution of
/// `base`, where that quota also covered `base`), `base` being the object's last known state
/// (none for a CREATE).
struct Hold {
  ObjectKey key;
  /// The uid of the admitted object (may be empty when the caller did not know it).
  std::string uid;
  Operation operation = Operation::Create;
  ObjectSummary target;
  std::optional<ObjectSummary> base;
  std::vector<QuotaCharge> charges;
  SteadyTimePoint expires;
  /// Reservations' bookkeeping: 0 for a new hold; kept by a hold taken and put back, so it
  /// keeps its place in the expiry queue.
  std::uint64_t sequence = 0;
};

/// The holds, one per ObjectKey, with their expiry order. Not thread-safe (the engine's mutex
/// guards it); it only stores holds: the engine charges and uncharges quota accounts.
///
/// New holds are put with non-decreasing expiry times (now + a fixed TTL on a steady clock), so
/// expiry is a FIFO queue; a hold replaced or taken for good leaves a stale queue entry behind,
/// recognised by its sequence number and skipped. Every operation is O(1) amortised.
class Reservations {
 public:
  const Hold* find(const ObjectKey& key) const;
  /// Stores `hold`, replacing any hold with the same key. A new hold (sequence 0) must expire no
  /// earlier than the holds put before it; a hold that was taken and is put back keeps its
  /// expiry.
  void put(Hold&& hold);
  /// Removes and returns the hold of `key`.
  std::optional<Hold> take(const ObjectKey& key);
  /// Removes and returns every hold whose expiry is at or before `now`.
  /// `now` must not go backwards between calls (steady time).
  std::vector<Hold> take_expired(SteadyTimePoint now);
  /// Drops every charge to `account` (its quota is being deleted).
  void forget_quota(const QuotaAccount* account);
  std::size_t size() const { return holds_.size(); }
  /// Calls `visit(const Hold&)` for every hold, in no particular order.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (const auto& [key, hold] : holds_) {
      visit(hold);
    }
  }

 private:
  struct Expiry {
    SteadyTimePoint at;
    ObjectKey key;
    std::uint64_t sequence = 0;
  };

  absl::node_hash_map<ObjectKey, Hold> holds_;
  std::deque<Expiry> expiry_;
  std::uint64_t next_sequence_ = 1;
};

}  // namespace korder::quota
