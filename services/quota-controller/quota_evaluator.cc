#include "quota_evaluator.h"

#include <optional>

#include "korder/api/quota.h"
#include "object_summary.h"

namespace korder::quota {
namespace {

// One limit key: `orders`, `tickets`, or a `reserved.<resource>`.
// `resource` points into a map key that outlives the Key (no string copies on the admission
// path).
struct Key {
  enum class Kind { Orders, Tickets, Reserved } kind;
  const std::string* resource = nullptr;  // Reserved only

  std::string name() const {
    switch (kind) {
      case Kind::Orders:
        return std::string(api::QuotaResourceName::Orders);
      case Kind::Tickets:
        return std::string(api::QuotaResourceName::Tickets);
      case Kind::Reserved:
        break;
    }
    return std::string(api::QuotaResourceName::ReservedPrefix) + *resource;
  }

  api::Quantity of(const Usage& usage) const {
    switch (kind) {
      case Kind::Orders:
        return api::Quantity::from_int(usage.orders);
      case Kind::Tickets:
        return api::Quantity::from_int(usage.tickets);
      case Kind::Reserved:
        break;
    }
    return usage.reserved_of(*resource);
  }

  std::optional<api::Quantity> limit(const api::ParsedQuotaLimits& limits) const {
    switch (kind) {
      case Kind::Orders:
        return limits.orders ? std::optional(api::Quantity::from_int(*limits.orders))
                             : std::nullopt;
      case Kind::Tickets:
        return limits.tickets ? std::optional(api::Quantity::from_int(*limits.tickets))
                              : std::nullopt;
      case Kind::Reserved:
        break;
    }
    // A scan comparing lengths first beats the tree's ordered comparisons for the few
    // resources a quota limits.
    for (const auto& [name, quantity] : limits.reserved) {
      if (name == *resource) {
        return quantity;
      }
    }
    return std::nullopt;
  }
};

std::vector<Key> keys_of(const api::ParsedQuotaLimits& limits) {
  std::vector<Key> keys;
  if (limits.orders) {
    keys.push_back({Key::Kind::Orders, nullptr});
  }
  if (limits.tickets) {
    keys.push_back({Key::Kind::Tickets, nullptr});
  }
  for (const auto& [resource, quantity] : limits.reserved) {
    keys.push_back({Key::Kind::Reserved, &resource});
  }
  return keys;
}

api::Quantity clamp_zero(const api::Quantity& q) { return q.sign() < 0 ? api::Quantity() : q; }

api::Quantity sum(const api::Quantity& a, const api::Quantity& b) { return saturating_add(a, b); }

api::Quantity difference(const api::Quantity& a, const api::Quantity& b) {
  return saturating_add(a, api::Quantity::from_nanos(-b.nanos()));
}

// What a namespace uses of `key` in `account`: observed (tracked for allocation namespaces
// only) plus held.
api::Quantity namespace_use(const QuotaAccount& account, const std::string& ns, const Key& key) {
  return sum(key.of(usage_in(account.allocation_used, ns)),
             key.of(usage_in(account.held_by_namespace, ns)));
}

// The unallocated remainder of `key` and what the namespaces sharing it use. nullopt when no
// allocation sets `key` or the quota does not limit it.
struct Remainder {
  api::Quantity limit;
  api::Quantity used;
};

std::optional<Remainder> remainder(const QuotaAccount& account,
                                   const api::ParsedQuotaLimits& limits, const Key& key) {
  const std::optional<api::Quantity> quota_limit = key.limit(limits);
  if (!quota_limit) {
    return std::nullopt;
  }
  bool any = false;
  api::Quantity allocated;
  api::Quantity allocated_use;
  for (const auto& [ns, allocation] : account.definition->allocations) {
    if (auto value = key.limit(allocation)) {
      any = true;
      allocated = sum(allocated, *value);
      allocated_use = sum(allocated_use, namespace_use(account, ns, key));
    }
  }
  if (!any) {
    return std::nullopt;
  }
  return Remainder{
      clamp_zero(difference(*quota_limit, allocated)),
      clamp_zero(difference(sum(key.of(account.used), key.of(account.held)), allocated_use))};
}

Violation make_violation(const QuotaAccount& account, const Key& key,
                         const api::Quantity& requested, const api::Quantity& used,
                         const api::Quantity& limit) {
  const std::string name = key.name();
  return Violation{account.definition->name,
                   name,
                   requested.is_zero() ? "" : format_limit_value(name, requested),
                   format_limit_value(name, used),
                   format_limit_value(name, limit),
                   LimitScope::Quota,
                   ""};
}

}  // namespace

std::string format_limit_value(const std::string& key, const api::Quantity& value) {
  if (key == api::QuotaResourceName::Orders || key == api::QuotaResourceName::Tickets) {
    return std::to_string(value.value());
  }
  return value.to_string();
}

namespace {

// check_charge() for one key the charge increases by `requested` (> 0).
void check_key(const QuotaAccount& account, const api::ParsedQuotaLimits& limits,
               const std::string& ns, const Key& key, const api::Quantity& requested,
               std::vector<Violation>& out) {
  if (auto limit = key.limit(limits)) {
    const api::Quantity used = sum(key.of(account.used), key.of(account.held));
    if (sum(used, requested) > *limit) {
      out.push_back(make_violation(account, key, requested, used, *limit));
    }
  }
  const auto& allocations = account.definition->allocations;
  if (allocations.empty()) {
    return;  // no allocation: the quota-wide limit is all there is
  }
  std::optional<api::Quantity> own;
  if (const auto allocation = allocations.find(ns); allocation != allocations.end()) {
    own = key.limit(allocation->second);
  }
  if (own) {
    const api::Quantity used = namespace_use(account, ns, key);
    if (sum(used, requested) > *own) {
      Violation v = make_violation(account, key, requested, used, *own);
      v.scope = LimitScope::Allocation;
      v.namespace_ = ns;
      out.push_back(std::move(v));
    }
  } else if (auto shared = remainder(account, limits, key)) {
    if (sum(shared->used, requested) > shared->limit) {
      Violation v = make_violation(account, key, requested, shared->used, shared->limit);
      v.scope = LimitScope::Unallocated;
      out.push_back(std::move(v));
    }
  }
}

}  // namespace

void check_charge(const QuotaAccount& account, const api::ParsedQuotaLimits& limits,
                  const std::string& ns, const Usage& charge, std::vector<Violation>& out) {
  if (charge.orders > 0) {
    check_key(account, limits, ns, Key{Key::Kind::Orders, nullptr},
              api::Quantity::from_int(charge.orders), out);
  }
  if (charge.tickets > 0) {
    check_key(account, limits, ns, Key{Key::Kind::Tickets, nullptr},
              api::Quantity::from_int(charge.tickets), out);
  }
  for (const auto& [resource, quantity] : charge.reserved) {
    if (quantity.sign() > 0) {
      check_key(account, limits, ns, Key{Key::Kind::Reserved, &resource}, quantity, out);
    }
  }
}

void check_duration(const QuotaAccount& account, const api::ParsedQuotaLimits& limits,
                    const std::string& ns, const api::Duration& requested,
                    std::vector<Violation>& out) {
  const std::string key(api::QuotaResourceName::MaxDuration);
  const auto violation = [&](const api::Duration& limit) {
    return Violation{
        account.definition->name, key, compact_duration(requested), "", compact_duration(limit),
        LimitScope::Quota,        ""};
  };
  if (limits.max_duration && requested > *limits.max_duration) {
    out.push_back(violation(*limits.max_duration));
  }
  const auto allocation = account.definition->allocations.find(ns);
  if (allocation != account.definition->allocations.end() && allocation->second.max_duration &&
      requested > *allocation->second.max_duration) {
    Violation v = violation(*allocation->second.max_duration);
    v.scope = LimitScope::Allocation;
    v.namespace_ = ns;
    out.push_back(std::move(v));
  }
}

std::vector<Violation> over_limit(const QuotaAccount& account,
                                  const api::ParsedQuotaLimits& limits) {
  std::vector<Violation> out;
  for (const Key& key : keys_of(limits)) {
    const api::Quantity used = key.of(account.used);
    if (used > *key.limit(limits)) {
      out.push_back(make_violation(account, key, api::Quantity(), used, *key.limit(limits)));
    }
  }
  for (const std::string& ns : account.definition->allocation_order) {
    const api::ParsedQuotaLimits& allocation = account.definition->allocations.at(ns);
    for (const Key& key : keys_of(allocation)) {
      const api::Quantity used = key.of(usage_in(account.allocation_used, ns));
      if (used > *key.limit(allocation)) {
        Violation v = make_violation(account, key, api::Quantity(), used, *key.limit(allocation));
        v.scope = LimitScope::Allocation;
        v.namespace_ = ns;
        out.push_back(std::move(v));
      }
    }
  }
  return out;
}

}  // namespace korder::quota
