#pragma once

// Private to korder_api's sources: the building blocks the validation_*.cc files and
// quota_limits.cc share (object metadata, resource names and quantities, durations,
// schedules, scheduling constraints, lenient quota-limit parsing).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/duration.h"
#include "korder/api/meta.h"
#include "korder/api/quantity.h"
#include "korder/api/quota_limits.h"
#include "korder/api/resources.h"
#include "korder/api/scheduling.h"
#include "korder/base/error.h"

namespace korder::api::internal {

// ---- object metadata (validation_meta.cc) ----

/// apimachinery's ValidateNameFunc: the problems with `name`, or with a generateName prefix
/// when `prefix` is true (a trailing '-' is then allowed). Empty when valid.
using NameValidator = std::vector<std::string> (*)(std::string_view name, bool prefix);

/// `NameIsDNSLabel` (tickets) and `NameIsDNSSubdomain` (quotas).
std::vector<std::string> name_is_dns1123_label(std::string_view name, bool prefix);
std::vector<std::string> name_is_dns1123_subdomain(std::string_view name, bool prefix);

/// The name, generateName, namespace, labels and annotations part of Kubernetes'
/// `ValidateObjectMeta` at `metadata`: generateName (when set) and name through
/// `name_validator`, `name or generateName is required` when both are empty; for a namespaced
/// kind the namespace, when set, must be a DNS-1123 label (it is not required: the API server
/// fills it from the request), for a cluster-scoped kind it must be empty.
FieldErrors validate_object_meta(const ObjectMeta& meta, bool namespaced,
                                 NameValidator name_validator);

/// Kubernetes' ValidateImmutableField for a string: `Invalid value: "<new>": field is
/// immutable` at `field` when `updated` differs from `old`.
void check_immutable(std::string_view updated, std::string_view old, const std::string& field,
                     FieldErrors& errors);

// ---- resources (validation_resources.cc) ----

/// Kubernetes' `validateContainerResourceName` messages for a resource a ticket may hold
/// (`cpu`, `memory`, `ephemeral-storage`, `hugepages-<size>`, a `*kubernetes.io/` name, or a
/// domain-qualified extended resource such as `nvidia.com/gpu`). Empty when valid.
std::vector<std::string> container_resource_name_errors(std::string_view name);

/// `IsExtendedResourceName`: outside `kubernetes.io/`, domain-qualified, not `requests.*`.
bool is_extended_resource_name(std::string_view name);

/// `IsOvercommitAllowed`: native resources except hugepages (requests may be below limits).
bool is_overcommit_allowed(std::string_view name);

/// Kubernetes' ValidateResourceRequirements for a ticket's `resources` at `path`, plus korder's
/// rules: at least one request above zero, no resource claims.
FieldErrors validate_ticket_resources(const ResourceRequirements& resources,
                                      const std::string& path);

/// The reason of a Quantity parse error without its `invalid quantity "<text>": ` prefix (the
/// field error already shows the value).
std::string quantity_error_reason(const ParseError& error);

// ---- durations and schedules (validation_meta.cc) ----

/// A required, positive Go duration at `field`: `Required value`, `Invalid value: "3x": time:
/// unknown unit "x" in duration "3x"`, or `Invalid value: "0s": must be greater than zero`.
/// Returns the duration when valid.
std::optional<Duration> validate_positive_duration(std::string_view text, const std::string& field,
                                                   FieldErrors& errors);

/// A cron schedule and its time zone: when `schedule` is empty only the zone is checked
/// (requiring the schedule is the caller's business); otherwise both, through
/// validate_cron_schedule().
void validate_schedule_and_zone(std::string_view schedule, std::string_view time_zone,
                                const std::string& schedule_field,
                                const std::string& time_zone_field, FieldErrors& errors);

// ---- scheduling constraints (validation_scheduling.cc) ----

/// A ticket spec's `affinity.nodeAffinity`, `tolerations` and `topologySpreadConstraints`, each
/// found at `path`, with Kubernetes' pod rules (ValidateNodeSelector and friends,
/// validateTolerations, validateTopologySpreadConstraints).
FieldErrors validate_node_affinity(const NodeAffinity& affinity, const std::string& path);
FieldErrors validate_tolerations(const std::vector<Toleration>& tolerations,
                                 const std::string& path);
FieldErrors validate_topology_spread_constraints(
    const std::vector<TopologySpreadConstraint>& constraints, const std::string& path);

// ---- quota limits (quota_limits.cc) ----

/// parse_quota_limits() that keeps going: returns the entries that parsed and appends the
/// problems with the others to `errors`.
ParsedQuotaLimits parse_quota_limits_lenient(const QuotaLimits& limits, const std::string& path,
                                             FieldErrors& errors);

}  // namespace korder::api::internal
