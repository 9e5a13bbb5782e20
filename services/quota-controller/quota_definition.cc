#include "quota_definition.h"

#include <utility>

#include "korder/api/cron.h"
#include "korder/api/validation.h"

namespace korder::quota {
namespace {

std::optional<ScopeType> parse_scope_type(std::string_view type) {
  if (type == api::QuotaScopeType::Cluster) {
    return ScopeType::Cluster;
  }
  if (type == api::QuotaScopeType::NamespaceSelector) {
    return ScopeType::NamespaceSelector;
  }
  if (type == api::QuotaScopeType::NamespaceList) {
    return ScopeType::NamespaceList;
  }
  if (type == api::QuotaScopeType::ObjectSelector) {
    return ScopeType::ObjectSelector;
  }
  return std::nullopt;
}

void note(FieldErrors& errors, const std::string& field, const std::string& detail) {
  errors.push_back(FieldError{FieldError::Type::Invalid, field, detail});
}

api::Selector parse_selector(const std::optional<api::LabelSelector>& selector,
                             const std::string& field, FieldErrors& errors) {
  if (!selector) {
    return api::Selector::nothing();
  }
  auto parsed = api::from_label_selector(*selector);
  if (!parsed) {
    note(errors, field, parsed.error().message);
    return api::Selector::nothing();
  }
  return *parsed;
}

api::ParsedQuotaLimits parse_limits(const api::QuotaLimits& limits, const std::string& path,
                                    FieldErrors& errors) {
  auto parsed = api::parse_quota_limits(limits, path);
  if (!parsed) {
    // validate_quota reported these already; keep them in case it did not.
    if (errors.empty()) {
      errors = parsed.error();
    }
    return {};
  }
  return *parsed;
}

void parse_windows(const api::QuotaSpec& spec, QuotaDefinition& out) {
  for (std::size_t i = 0; i < spec.time_windows.size(); ++i) {
    const api::QuotaTimeWindow& window = spec.time_windows[i];
    const std::string path = "spec.timeWindows[" + std::to_string(i) + "]";
    auto schedule = api::CronSchedule::parse(window.schedule, window.time_zone);
    auto duration = api::Duration::parse(window.duration);
    if (!schedule || !duration) {
      note(out.errors, path, schedule ? duration.error().message : schedule.error().message);
      continue;
    }
    TimeWindow parsed{window.name, *schedule, *duration, std::nullopt, std::nullopt};
    if (!window.hard.empty()) {
      parsed.hard = parse_limits(window.hard, path + ".hard", out.errors);
    } else if (auto multiplier = api::parse_multiplier(window.multiplier)) {
      parsed.multiplier = *multiplier;
    } else {
      note(out.errors, path + ".multiplier", multiplier.error().message);
      continue;
    }
    out.windows.push_back(std::move(parsed));
  }
}

}  // namespace

std::string_view to_string(ScopeType type) {
  switch (type) {
    case ScopeType::Cluster:
      return api::QuotaScopeType::Cluster;
    case ScopeType::NamespaceSelector:
      return api::QuotaScopeType::NamespaceSelector;
    case ScopeType::NamespaceList:
      return api::QuotaScopeType::NamespaceList;
    case ScopeType::ObjectSelector:
      return api::QuotaScopeType::ObjectSelector;
  }
  return "";
}

bool QuotaDefinition::same_accounting(const QuotaDefinition& other) const {
  return valid() == other.valid() && scope_type == other.scope_type && selector == other.selector &&
         namespaces == other.namespaces && allocation_order == other.allocation_order;
}

std::shared_ptr<const QuotaDefinition> parse_quota_definition(const api::Quota& quota) {
  auto out = std::make_shared<QuotaDefinition>();
  out->name = quota.metadata.name;
  out->generation = quota.metadata.generation.value_or(0);
  out->errors = api::validate_quota(quota);
  const api::QuotaSpec& spec = quota.spec;
  if (auto type = parse_scope_type(spec.scope.type)) {
    out->scope_type = *type;
  } else {
    note(out->errors, "spec.scope.type", "unknown scope type \"" + spec.scope.type + "\"");
  }
  if (out->scope_type == ScopeType::NamespaceSelector) {
    out->selector =
        parse_selector(spec.scope.namespace_selector, "spec.scope.namespaceSelector", out->errors);
  } else if (out->scope_type == ScopeType::ObjectSelector) {
    out->selector =
        parse_selector(spec.scope.object_selector, "spec.scope.objectSelector", out->errors);
  }
  out->namespaces.insert(spec.scope.namespaces.begin(), spec.scope.namespaces.end());
  out->hard = parse_limits(spec.hard, "spec.hard", out->errors);
  parse_windows(spec, *out);
  for (std::size_t i = 0; i < spec.allocations.size(); ++i) {
    const api::QuotaAllocation& allocation = spec.allocations[i];
    const std::string path = "spec.allocations[" + std::to_string(i) + "].hard";
    if (out->allocations.count(allocation.namespace_) == 0) {
      out->allocation_order.push_back(allocation.namespace_);
    }
    out->allocations[allocation.namespace_] = parse_limits(allocation.hard, path, out->errors);
  }
  return out;
}

bool covers(const QuotaDefinition& quota, std::string_view ns, const Labels& namespace_labels,
            const Labels& object_labels) {
  if (!quota.valid()) {
    return false;
  }
  switch (quota.scope_type) {
    case ScopeType::Cluster:
      return true;
    case ScopeType::NamespaceSelector:
      return quota.selector.matches(namespace_labels);
    case ScopeType::NamespaceList:
      return quota.namespaces.count(std::string(ns)) > 0;
    case ScopeType::ObjectSelector:
      return quota.selector.matches(object_labels);
  }
  return false;
}

}  // namespace korder::quota
