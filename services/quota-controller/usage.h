#pragma once

// Usage: what objects consume of a quota (counts and summed resource requests), exact.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "korder/api/quantity.h"

namespace korder::quota {

/// Resource name -> quantity, sorted by name, with the small part of std::map's interface the
/// accounting uses. A sorted vector: an object requests a handful of resources, so a copy is
/// one allocation and a lookup compares a few short strings (by length first), which matters on
/// the admission path, where every decision reads and updates several quotas' sums.
class ResourceAmounts {
 public:
  using value_type = std::pair<std::string, api::Quantity>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  ResourceAmounts() = default;
  explicit ResourceAmounts(const std::map<std::string, api::Quantity>& amounts)
      : entries_(amounts.begin(), amounts.end()) {}

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }

  iterator find(std::string_view resource);
  const_iterator find(std::string_view resource) const;
  /// Adds `resource` with `quantity` unless present; returns its entry and whether it was added.
  std::pair<iterator, bool> emplace(const std::string& resource, const api::Quantity& quantity);
  iterator erase(const_iterator it) { return entries_.erase(it); }
  void clear() { entries_.clear(); }

  bool operator==(const ResourceAmounts&) const = default;

 private:
  std::vector<value_type> entries_;
};

/// What objects consume of a quota: `orders`, `tickets`, and the summed resource requests
/// behind the `reserved.<resource>` limits (keyed by the resource name without `reserved.`,
/// as api::ParsedQuotaLimits keys them). Quantities are exact. Entries that sum to zero are
/// dropped, so two equal usages compare equal however they were reached. A plain value type.
struct Usage {
  std::int64_t orders = 0;
  std::int64_t tickets = 0;
  ResourceAmounts reserved;

  /// True when every component is zero.
  bool empty() const { return orders == 0 && tickets == 0 && reserved.empty(); }

  /// Component-wise sum and difference. A quantity sum beyond Quantity's range (about 1.7e29
  /// units, unreachable by real objects) saturates instead of aborting, since objects come
  /// from users.
  Usage& operator+=(const Usage& other);
  Usage& operator-=(const Usage& other);

  /// The quantity of `resource`, zero when absent.
  api::Quantity reserved_of(const std::string& resource) const;

  bool operator==(const Usage&) const = default;
};

Usage operator+(Usage a, const Usage& b);
Usage operator-(Usage a, const Usage& b);

/// The component-wise positive part of `to - from`: what changing an object from `from` to
/// `to` adds (decreases are never credited before they are observed).
Usage increase(const Usage& from, const Usage& to);

/// The component of `usage` a limit key names: `orders`, `tickets` or `reserved.<resource>`
/// (zero for any other key).
api::Quantity value_of(const Usage& usage, const std::string& key);

/// `a + b`, saturating at Quantity's range instead of aborting (values come from users).
api::Quantity saturating_add(const api::Quantity& a, const api::Quantity& b);

/// `usage` times `factor` (>= 0) per component, saturating like operator+=.
Usage scaled(const Usage& usage, std::int64_t factor);

}  // namespace korder::quota
