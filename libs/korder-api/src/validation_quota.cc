// Quotas: scope, limits, time windows and allocations (DESIGN.md §2 and §4).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "korder/api/field_errors.h"
#include "korder/api/names.h"
#include "korder/api/quota_limits.h"
#include "korder/api/validation.h"
#include "validation_internal.h"

namespace korder::api {
namespace {

const std::vector<std::string_view>& scope_types() {
  static const std::vector<std::string_view> types = {
      QuotaScopeType::Cluster, QuotaScopeType::NamespaceList, QuotaScopeType::NamespaceSelector,
      QuotaScopeType::ObjectSelector};
  return types;
}

// A selector the scope type needs (required) or must not have (forbidden). With an unknown
// type only its syntax is checked: which one belongs is unknowable, and the type error says
// what to fix.
void validate_scope_selector(const std::optional<LabelSelector>& selector, bool wanted,
                             bool type_known, std::string_view owner_type, const std::string& field,
                             FieldErrors& errors) {
  if (type_known && wanted && !selector) {
    errors.push_back(
        field_required(field, "required when scope.type is " + std::string(owner_type)));
  } else if (type_known && !wanted && selector) {
    errors.push_back(
        field_forbidden(field, "may only be set when scope.type is " + std::string(owner_type)));
  } else if (selector) {
    append_errors(errors, validate_label_selector(*selector, field));
  }
}

void validate_scope_namespaces(const std::vector<std::string>& namespaces, bool wanted,
                               bool type_known, FieldErrors& errors) {
  const std::string field = "spec.scope.namespaces";
  if (type_known && wanted && namespaces.empty()) {
    errors.push_back(field_required(
        field, "at least one namespace is required when scope.type is NamespaceList"));
    return;
  }
  if (type_known && !wanted && !namespaces.empty()) {
    errors.push_back(field_forbidden(field, "may only be set when scope.type is NamespaceList"));
    return;
  }
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < namespaces.size(); ++i) {
    const std::string item = index_path(field, i);
    if (namespaces[i].empty()) {
      errors.push_back(field_required(item));
      continue;
    }
    for (const auto& msg : is_dns1123_label(namespaces[i])) {
      errors.push_back(field_invalid(item, namespaces[i], msg));
    }
    if (!seen.insert(namespaces[i]).second) {
      errors.push_back(field_duplicate(item, namespaces[i]));
    }
  }
}

void validate_scope(const QuotaScope& scope, FieldErrors& errors) {
  const std::string& type = scope.type;
  bool type_known = false;
  for (std::string_view known : scope_types()) {
    type_known = type_known || type == known;
  }
  if (type.empty()) {
    errors.push_back(field_required(
        "spec.scope.type",
        R"(must be one of "Cluster", "NamespaceList", "NamespaceSelector", "ObjectSelector")"));
  } else if (!type_known) {
    errors.push_back(field_not_supported("spec.scope.type", type, scope_types()));
  }
  validate_scope_selector(scope.namespace_selector, type == QuotaScopeType::NamespaceSelector,
                          type_known, QuotaScopeType::NamespaceSelector,
                          "spec.scope.namespaceSelector", errors);
  validate_scope_namespaces(scope.namespaces, type == QuotaScopeType::NamespaceList, type_known,
                            errors);
  validate_scope_selector(scope.object_selector, type == QuotaScopeType::ObjectSelector, type_known,
                          QuotaScopeType::ObjectSelector, "spec.scope.objectSelector", errors);
}

// A name or namespace that must be a DNS-1123 label, unique in its list.
void validate_unique_label(const std::string& value, const std::string& field,
                           std::set<std::string>& seen, FieldErrors& errors) {
  if (value.empty()) {
    errors.push_back(field_required(field));
    return;
  }
  for (const auto& msg : is_dns1123_label(value)) {
    errors.push_back(field_invalid(field, value, msg));
  }
  if (!seen.insert(value).second) {
    errors.push_back(field_duplicate(field, value));
  }
}

void validate_time_window(const QuotaTimeWindow& window, const std::string& path,
                          std::set<std::string>& names, FieldErrors& errors) {
  validate_unique_label(window.name, child_path(path, "name"), names, errors);
  const std::string schedule_field = child_path(path, "schedule");
  if (window.schedule.empty()) {
    errors.push_back(field_required(schedule_field));
  }
  internal::validate_schedule_and_zone(window.schedule, window.time_zone, schedule_field,
                                       child_path(path, "timeZone"), errors);
  internal::validate_positive_duration(window.duration, child_path(path, "duration"), errors);
  const bool has_hard = !window.hard.empty();
  const bool has_multiplier = !window.multiplier.empty();
  if (!has_hard && !has_multiplier) {
    errors.push_back(field_required(path, "must specify one of: `hard`, `multiplier`"));
  }
  if (has_hard && has_multiplier) {
    errors.push_back(field_forbidden(child_path(path, "multiplier"),
                                     "may not be set together with `hard`: a window either "
                                     "replaces limits (hard) or scales them (multiplier)"));
  }
  if (has_hard) {
    internal::parse_quota_limits_lenient(window.hard, child_path(path, "hard"), errors);
  }
  if (has_multiplier) {
    if (auto multiplier = parse_multiplier(window.multiplier); !multiplier) {
      errors.push_back(field_invalid(child_path(path, "multiplier"), window.multiplier,
                                     multiplier.error().message));
    }
  }
}

// Running sums of the allocations, per key of the base `hard`.
struct AllocationSums {
  Int128 orders = 0;
  Int128 tickets = 0;
  std::map<std::string, Quantity> reserved;
  std::set<std::string> reserved_overflow;  // sums beyond Quantity's range: over any limit

  void add(const ParsedQuotaLimits& limits) {
    orders += limits.orders.value_or(0);
    tickets += limits.tickets.value_or(0);
    for (const auto& [resource, quantity] : limits.reserved) {
      auto [it, inserted] = reserved.emplace(resource, quantity);
      if (inserted) {
        continue;
      }
      if (auto sum = it->second.checked_add(quantity)) {
        it->second = *sum;
      } else {
        reserved_overflow.insert(resource);
      }
    }
  }
};

std::string int128_to_string(Int128 value) {
  // Sums of non-negative int64 counts, which may exceed int64 together.
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value > 0);
  return digits;
}

FieldError allocations_exceed(std::string_view key, const std::string& sum,
                              const std::string& hard) {
  return field_invalid("spec.allocations", sum,
                       "allocations of " + std::string(key) + " sum to " + sum +
                           ", more than the quota's hard " + hard);
}

void check_allocation_sums(const AllocationSums& sums, const ParsedQuotaLimits& base,
                           FieldErrors& errors) {
  if (base.orders && sums.orders > *base.orders) {
    errors.push_back(allocations_exceed(QuotaResourceName::Orders, int128_to_string(sums.orders),
                                        std::to_string(*base.orders)));
  }
  if (base.tickets && sums.tickets > *base.tickets) {
    errors.push_back(allocations_exceed(QuotaResourceName::Tickets, int128_to_string(sums.tickets),
                                        std::to_string(*base.tickets)));
  }
  for (const auto& [resource, hard] : base.reserved) {
    const std::string key = std::string(QuotaResourceName::ReservedPrefix) + resource;
    if (sums.reserved_overflow.count(resource) > 0) {
      errors.push_back(field_invalid("spec.allocations", key,
                                     "allocations of " + key +
                                         " sum to more than the quota's "
                                         "hard " +
                                         hard.to_string()));
      continue;
    }
    const auto sum = sums.reserved.find(resource);
    if (sum != sums.reserved.end() && sum->second > hard) {
      errors.push_back(allocations_exceed(key, sum->second.to_string(), hard.to_string()));
    }
  }
}

void validate_allocations(const QuotaSpec& spec, const ParsedQuotaLimits& base,
                          FieldErrors& errors) {
  std::set<std::string> namespaces;
  AllocationSums sums;
  for (std::size_t i = 0; i < spec.allocations.size(); ++i) {
    const QuotaAllocation& allocation = spec.allocations[i];
    const std::string path = index_path("spec.allocations", i);
    validate_unique_label(allocation.namespace_, child_path(path, "namespace"), namespaces, errors);
    const std::string hard_path = child_path(path, "hard");
    const ParsedQuotaLimits parsed =
        internal::parse_quota_limits_lenient(allocation.hard, hard_path, errors);
    sums.add(parsed);
    // A namespace may not be allowed longer tickets than the quota itself allows.
    if (base.max_duration && parsed.max_duration && *parsed.max_duration > *base.max_duration) {
      const std::string key(QuotaResourceName::MaxDuration);
      errors.push_back(
          field_invalid(key_path(hard_path, key), allocation.hard.at(key),
                        "must not exceed the quota's max-duration " + spec.hard.at(key)));
    }
  }
  // DESIGN.md §4: allocations are checked against the base `hard` (time windows aside), and
  // only for the keys it sets; a namespace not listed shares the remainder.
  check_allocation_sums(sums, base, errors);
}

}  // namespace

FieldErrors validate_quota(const Quota& quota) {
  FieldErrors errors = internal::validate_object_meta(quota.metadata, /*namespaced=*/false,
                                                      internal::name_is_dns1123_subdomain);
  validate_scope(quota.spec.scope, errors);
  const ParsedQuotaLimits base =
      internal::parse_quota_limits_lenient(quota.spec.hard, "spec.hard", errors);
  std::set<std::string> window_names;
  for (std::size_t i = 0; i < quota.spec.time_windows.size(); ++i) {
    validate_time_window(quota.spec.time_windows[i], index_path("spec.timeWindows", i),
                         window_names, errors);
  }
  validate_allocations(quota.spec, base, errors);
  return errors;
}

FieldErrors validate_quota_update(const Quota& updated, const Quota& /*old*/) {
  // Nothing in a quota is immutable: the quota controller recomputes usage and limits from the
  // current spec, so a scope or limit change simply applies from now on.
  return validate_quota(updated);
}

}  // namespace korder::api
