// Ticket specs (shared by Tickets and Orders' templates) and Tickets.

#include <array>
#include <string>
#include <string_view>

#include "korder/api/field_errors.h"
#include "korder/api/names.h"
#include "korder/api/validation.h"
#include "validation_internal.h"

namespace korder::api {
namespace {

// The labels that tie a ticket to its order and slot: the order controller finds its tickets
// and their slots by them, so changing them would orphan a ticket or make two tickets claim
// one slot.
constexpr std::array<std::string_view, 2> kImmutableTicketLabels = {"korder.dev/order",
                                                                    "korder.dev/slot"};

void validate_dns1123_subdomain_field(const std::string& value, const std::string& field,
                                      FieldErrors& errors) {
  if (value.empty()) {
    return;
  }
  for (const auto& msg : is_dns1123_subdomain(value)) {
    errors.push_back(field_invalid(field, value, msg));
  }
}

void validate_lifecycle(const TicketLifecycle& lifecycle, const std::string& path,
                        FieldErrors& errors) {
  if (lifecycle.ttl_seconds_after_finished && *lifecycle.ttl_seconds_after_finished < 0) {
    errors.push_back(field_invalid_int(child_path(path, "ttlSecondsAfterFinished"),
                                       *lifecycle.ttl_seconds_after_finished, kIsNegativeErrorMsg));
  }
  const std::string& policy = lifecycle.cleanup_policy;
  if (!policy.empty() && policy != CleanupPolicy::Delete && policy != CleanupPolicy::Retain) {
    errors.push_back(field_not_supported(child_path(path, "cleanupPolicy"), policy,
                                         {CleanupPolicy::Delete, CleanupPolicy::Retain}));
  }
}

}  // namespace

FieldErrors validate_ticket_spec(const TicketSpec& spec, const std::string& path) {
  FieldErrors errors;
  internal::validate_positive_duration(spec.duration, child_path(path, "duration"), errors);
  // window.startTime needs no check: the codec already parsed it, and any instant is valid (a
  // start in the past means the window is already open).
  append_errors(errors,
                internal::validate_ticket_resources(spec.resources, child_path(path, "resources")));
  append_errors(errors, validate_labels(spec.node_selector, child_path(path, "nodeSelector")));
  if (spec.affinity && spec.affinity->node_affinity) {
    append_errors(errors, internal::validate_node_affinity(
                              *spec.affinity->node_affinity,
                              child_path(child_path(path, "affinity"), "nodeAffinity")));
  }
  // Pod (anti-)affinity is passed through verbatim to the guardian pod, and the API server
  // validates it there; korder never evaluates it.
  append_errors(errors,
                internal::validate_tolerations(spec.tolerations, child_path(path, "tolerations")));
  append_errors(
      errors, internal::validate_topology_spread_constraints(
                  spec.topology_spread_constraints, child_path(path, "topologySpreadConstraints")));
  validate_dns1123_subdomain_field(spec.priority_class_name, child_path(path, "priorityClassName"),
                                   errors);
  validate_dns1123_subdomain_field(spec.scheduler_name, child_path(path, "schedulerName"), errors);
  validate_dns1123_subdomain_field(spec.node_name, child_path(path, "nodeName"), errors);
  if (spec.lifecycle) {
    validate_lifecycle(*spec.lifecycle, child_path(path, "lifecycle"), errors);
  }
  return errors;
}

FieldErrors validate_ticket(const Ticket& ticket) {
  FieldErrors errors = internal::validate_object_meta(ticket.metadata, /*namespaced=*/true,
                                                      internal::name_is_dns1123_label);
  append_errors(errors, validate_ticket_spec(ticket.spec, "spec"));
  return errors;
}

FieldErrors validate_ticket_update(const Ticket& updated, const Ticket& old) {
  FieldErrors errors = internal::validate_object_meta(updated.metadata, /*namespaced=*/true,
                                                      internal::name_is_dns1123_label);
  if (updated.spec != old.spec) {
    // The wording of a CRD's `self == oldSelf` rule on an object, which users of custom
    // resources know.
    errors.push_back(field_invalid("spec", "object", kFieldImmutableErrorMsg));
  }
  for (std::string_view key : kImmutableTicketLabels) {
    const auto now = updated.metadata.labels.find(std::string(key));
    const auto before = old.metadata.labels.find(std::string(key));
    const bool has_now = now != updated.metadata.labels.end();
    const bool had_before = before != old.metadata.labels.end();
    if (has_now != had_before || (has_now && now->second != before->second)) {
      errors.push_back(field_invalid(key_path("metadata.labels", key),
                                     has_now ? std::string_view(now->second) : std::string_view(),
                                     kFieldImmutableErrorMsg));
    }
  }
  return errors;
}

}  // namespace korder::api
