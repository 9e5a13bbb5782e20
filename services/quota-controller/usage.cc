#include "usage.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string_view>

namespace korder::quota {
namespace {

__extension__ using UInt128 = unsigned __int128;

const api::Quantity& max_quantity() {
  // 2^127 - 1 nano-units, Quantity's largest value (numeric_limits knows no __int128 in
  // strict C++20 mode).
  static const api::Quantity q =
      api::Quantity::from_nanos(static_cast<api::Int128>((static_cast<UInt128>(1) << 127) - 1));
  return q;
}

std::int64_t saturating_add_count(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) {
    return b > 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
  }
  return out;
}

void add_reserved(ResourceAmounts& into, const std::string& resource, const api::Quantity& delta) {
  if (delta.is_zero()) {
    return;
  }
  const auto [it, inserted] = into.emplace(resource, delta);
  if (inserted) {
    return;
  }
  it->second = saturating_add(it->second, delta);
  if (it->second.is_zero()) {
    into.erase(it);
  }
}

}  // namespace

ResourceAmounts::iterator ResourceAmounts::find(std::string_view resource) {
  return std::find_if(entries_.begin(), entries_.end(),
                      [resource](const value_type& entry) { return entry.first == resource; });
}

ResourceAmounts::const_iterator ResourceAmounts::find(std::string_view resource) const {
  return std::find_if(entries_.begin(), entries_.end(),
                      [resource](const value_type& entry) { return entry.first == resource; });
}

std::pair<ResourceAmounts::iterator, bool> ResourceAmounts::emplace(const std::string& resource,
                                                                    const api::Quantity& quantity) {
  if (const auto it = find(resource); it != entries_.end()) {
    return {it, false};
  }
  const auto at = std::lower_bound(
      entries_.begin(), entries_.end(), resource,
      [](const value_type& entry, const std::string& name) { return entry.first < name; });
  return {entries_.emplace(at, resource, quantity), true};
}

api::Quantity saturating_add(const api::Quantity& a, const api::Quantity& b) {
  if (auto sum = a.checked_add(b)) {
    return *sum;
  }
  return b.sign() > 0 ? max_quantity() : api::Quantity::from_nanos(-max_quantity().nanos());
}

Usage& Usage::operator+=(const Usage& other) {
  orders = saturating_add_count(orders, other.orders);
  tickets = saturating_add_count(tickets, other.tickets);
  for (const auto& [resource, quantity] : other.reserved) {
    add_reserved(reserved, resource, quantity);
  }
  return *this;
}

Usage& Usage::operator-=(const Usage& other) {
  orders = saturating_add_count(orders, -other.orders);
  tickets = saturating_add_count(tickets, -other.tickets);
  for (const auto& [resource, quantity] : other.reserved) {
    add_reserved(reserved, resource, api::Quantity::from_nanos(-quantity.nanos()));
  }
  return *this;
}

api::Quantity Usage::reserved_of(const std::string& resource) const {
  const auto it = reserved.find(resource);
  return it == reserved.end() ? api::Quantity() : it->second;
}

api::Quantity value_of(const Usage& usage, const std::string& key) {
  if (key == "orders") {
    return api::Quantity::from_int(usage.orders);
  }
  if (key == "tickets") {
    return api::Quantity::from_int(usage.tickets);
  }
  constexpr std::string_view kReserved = "reserved.";
  if (key.starts_with(kReserved)) {
    return usage.reserved_of(key.substr(kReserved.size()));
  }
  return api::Quantity();
}

Usage operator+(Usage a, const Usage& b) { return a += b; }
Usage operator-(Usage a, const Usage& b) { return a -= b; }

Usage increase(const Usage& from, const Usage& to) {
  Usage out;
  out.orders = to.orders > from.orders ? to.orders - from.orders : 0;
  out.tickets = to.tickets > from.tickets ? to.tickets - from.tickets : 0;
  for (const auto& [resource, quantity] : to.reserved) {
    const api::Quantity before = from.reserved_of(resource);
    if (quantity > before) {
      add_reserved(out.reserved, resource,
                   saturating_add(quantity, api::Quantity::from_nanos(-before.nanos())));
    }
  }
  return out;
}

Usage scaled(const Usage& usage, std::int64_t factor) {
  Usage out;
  const auto mul = [factor](std::int64_t v) {
    std::int64_t r = 0;
    return __builtin_mul_overflow(v, factor, &r) ? std::numeric_limits<std::int64_t>::max() : r;
  };
  out.orders = mul(usage.orders);
  out.tickets = mul(usage.tickets);
  for (const auto& [resource, quantity] : usage.reserved) {
    const std::optional<api::Quantity> product = quantity.checked_mul(factor);
    add_reserved(out.reserved, resource, product ? *product : max_quantity());
  }
  return out;
}

}  // namespace korder::quota
