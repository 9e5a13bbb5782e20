// Resource names and a ticket's resource requirements, following Kubernetes'
// ValidateResourceRequirements for containers (pkg/apis/core/validation, 1.28): a ticket's
// resources become its guardian pod's, so whatever Kubernetes would reject there is rejected
// here, at admission, where the user sees it.

#include <array>
#include <cstdint>
#include <string>

#include "korder/api/field_errors.h"
#include "korder/api/names.h"
#include "validation_internal.h"

namespace korder::api::internal {
namespace {

constexpr std::string_view kHugePagesPrefix = "hugepages-";
constexpr std::string_view kRequestsPrefix = "requests.";
constexpr std::string_view kNativeDomain = "kubernetes.io/";
constexpr std::string_view kIsNotIntegerErrorMsg = "must be an integer";

// helper.IsStandardResourceName: the names a single-segment resource may have anywhere in
// core/v1 (quota names included); hugepages are matched by prefix.
constexpr std::array<std::string_view, 20> kStandardResources = {
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "storage",
    "requests.storage",
    "services.nodeports",
    "services.loadbalancers",
};

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool is_hugepages(std::string_view name) { return starts_with(name, kHugePagesPrefix); }

bool is_standard_resource_name(std::string_view name) {
  if (is_hugepages(name) || starts_with(name, "requests.hugepages-")) {
    return true;
  }
  for (std::string_view standard : kStandardResources) {
    if (name == standard) {
      return true;
    }
  }
  return false;
}

// helper.IsStandardContainerResourceName.
bool is_standard_container_resource_name(std::string_view name) {
  return name == "cpu" || name == "memory" || name == "ephemeral-storage" || is_hugepages(name);
}

// helper.IsNativeResource: unprefixed, or in the *kubernetes.io/ domain.
bool is_native_resource(std::string_view name) {
  return name.find('/') == std::string_view::npos ||
         name.find(kNativeDomain) != std::string_view::npos;
}

// A hugepages request or limit must be a whole number of pages
// (helper.IsHugePageResourceValueDivisible).
bool is_hugepages_value_divisible(std::string_view name, const Quantity& value) {
  auto page_size = Quantity::parse(name.substr(kHugePagesPrefix.size()));
  if (!page_size || page_size->sign() <= 0 || page_size->milli_value() % 1000 != 0) {
    return false;
  }
  return value.value() % page_size->value() == 0;
}

// ValidateResourceQuantityValue plus the hugepages rule, for one entry of limits or requests.
void validate_quantity(std::string_view name, const Quantity& value, const std::string& field,
                       FieldErrors& errors) {
  if (value.sign() < 0) {
    errors.push_back(field_invalid(field, value.to_string(), kIsNegativeErrorMsg));
  }
  // Extended resources are counted in whole devices.
  if (is_extended_resource_name(name) && value.milli_value() % 1000 != 0) {
    errors.push_back(field_invalid_printed(field, value.to_string(), kIsNotIntegerErrorMsg));
  }
  if (is_hugepages(name) && !is_hugepages_value_divisible(name, value)) {
    errors.push_back(field_invalid(
        field, value.to_string(),
        value.to_string() + " is not positive integer multiple of " + std::string(name)));
  }
}

void validate_resource_list(const ResourceList& list, const std::string& path,
                            FieldErrors& errors) {
  for (const auto& [name, value] : list) {
    const std::string field = key_path(path, name);
    for (const auto& msg : container_resource_name_errors(name)) {
      errors.push_back(field_invalid(field, name, msg));
    }
    validate_quantity(name, value, field, errors);
  }
}

bool has_cpu_or_memory(const ResourceList& list) {
  return list.count("cpu") > 0 || list.count("memory") > 0;
}

bool has_hugepages(const ResourceList& list) {
  for (const auto& entry : list) {
    if (is_hugepages(entry.first)) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool is_extended_resource_name(std::string_view name) {
  if (is_native_resource(name) || starts_with(name, kRequestsPrefix)) {
    return false;
  }
  // It must still be a qualified name once quota prefixes it with `requests.`.
  return is_qualified_name(std::string(kRequestsPrefix) + std::string(name)).empty();
}

bool is_overcommit_allowed(std::string_view name) {
  return is_native_resource(name) && !is_hugepages(name);
}

std::vector<std::string> container_resource_name_errors(std::string_view name) {
  // validateResourceName: a qualified name, and a single-segment name must be standard.
  std::vector<std::string> errs = is_qualified_name(name);
  if (!errs.empty()) {
    return errs;
  }
  const bool single_segment = name.find('/') == std::string_view::npos;
  if (single_segment && !is_standard_resource_name(name)) {
    errs.emplace_back("must be a standard resource type or fully qualified");
  }
  // validateContainerResourceName.
  if (single_segment) {
    if (!is_standard_container_resource_name(name)) {
      errs.emplace_back("must be a standard resource for containers");
    }
  } else if (!is_native_resource(name) && !is_extended_resource_name(name)) {
    errs.emplace_back("doesn't follow extended resource name standard");
  }
  return errs;
}

FieldErrors validate_ticket_resources(const ResourceRequirements& resources,
                                      const std::string& path) {
  FieldErrors errors;
  const std::string limits_path = child_path(path, "limits");
  const std::string requests_path = child_path(path, "requests");
  validate_resource_list(resources.limits, limits_path, errors);
  validate_resource_list(resources.requests, requests_path, errors);

  bool holds_something = false;
  for (const auto& [name, request] : resources.requests) {
    holds_something = holds_something || request.sign() > 0;
    const auto limit = resources.limits.find(name);
    // Kubernetes also requires a limit for every non-overcommitable request; korder does not,
    // because a ticket's requests alone say what to hold (the guardian pod's limits are the
    // ticket controller's business). When both are given they must agree as in Kubernetes.
    if (limit == resources.limits.end()) {
      continue;
    }
    // Kubernetes reports these at `requests` itself, not at the resource's key.
    if (request != limit->second && !is_overcommit_allowed(name)) {
      errors.push_back(
          field_invalid(requests_path, request.to_string(),
                        "must be equal to " + name + " limit of " + limit->second.to_string()));
    } else if (request > limit->second) {
      errors.push_back(field_invalid(
          requests_path, request.to_string(),
          "must be less than or equal to " + name + " limit of " + limit->second.to_string()));
    }
  }
  if ((has_hugepages(resources.requests) || has_hugepages(resources.limits)) &&
      !has_cpu_or_memory(resources.requests) && !has_cpu_or_memory(resources.limits)) {
    errors.push_back(field_forbidden(path, "HugePages require cpu or memory"));
  }
  // A ticket that holds nothing is pointless: it would only cost a guardian pod.
  if (!holds_something) {
    errors.push_back(field_required(
        requests_path, "a ticket must request at least one resource with a quantity above zero"));
  }
  // Dynamic resource claims name entries of the pod's spec.resourceClaims, which a guardian
  // pod does not have, so Kubernetes would reject the guardian.
  if (resources.claims.has_value() && resources.claims.json() != "[]") {
    errors.push_back(field_forbidden(child_path(path, "claims"),
                                     "resource claims are not supported by korder tickets"));
  }
  return errors;
}

std::string quantity_error_reason(const ParseError& error) {
  constexpr std::string_view kPrefix = "invalid quantity \"";
  const std::string& message = error.message;
  if (message.compare(0, kPrefix.size(), kPrefix) != 0) {
    return message;
  }
  // Skip the quoted text (Go-escaped: a backslash escapes the next character).
  for (std::size_t i = kPrefix.size(); i < message.size(); ++i) {
    if (message[i] == '\\') {
      ++i;
      continue;
    }
    if (message[i] == '"') {
      if (message.compare(i + 1, 2, ": ") == 0) {
        return message.substr(i + 3);
      }
      break;
    }
  }
  return message;
}

}  // namespace korder::api::internal
