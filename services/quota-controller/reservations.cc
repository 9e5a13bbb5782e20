#include "reservations.h"

#include <algorithm>
#include <utility>

namespace korder::quota {

const Hold* Reservations::find(const ObjectKey& key) const {
  const auto it = holds_.find(key);
  return it == holds_.end() ? nullptr : &it->second;
}

void Reservations::put(Hold&& hold) {
  if (hold.sequence == 0) {
    hold.sequence = next_sequence_++;
    // Out-of-order expiry would break the queue's order; never expire earlier than a hold put
    // before (only a changed TTL could cause it).
    SteadyTimePoint at = hold.expires;
    if (!expiry_.empty() && at < expiry_.back().at) {
      at = expiry_.back().at;
    }
    expiry_.push_back(Expiry{at, hold.key, hold.sequence});
  }
  ObjectKey key = hold.key;
  holds_.insert_or_assign(std::move(key), std::move(hold));
}

std::optional<Hold> Reservations::take(const ObjectKey& key) {
  const auto it = holds_.find(key);
  if (it == holds_.end()) {
    return std::nullopt;
  }
  Hold hold = std::move(it->second);
  holds_.erase(it);
  return hold;
}

std::vector<Hold> Reservations::take_expired(SteadyTimePoint now) {
  std::vector<Hold> out;
  while (!expiry_.empty() && expiry_.front().at <= now) {
    const Expiry entry = std::move(expiry_.front());
    expiry_.pop_front();
    const auto it = holds_.find(entry.key);
    if (it == holds_.end() || it->second.sequence != entry.sequence) {
      continue;  // taken or replaced since
    }
    out.push_back(std::move(it->second));
    holds_.erase(it);
  }
  return out;
}

void Reservations::forget_quota(const QuotaAccount* account) {
  for (auto& [key, hold] : holds_) {
    std::erase_if(hold.charges, [account](const QuotaCharge& c) { return c.account == account; });
  }
}

}  // namespace korder::quota
