#include "pod_state.h"

#include <algorithm>

#include "korder/api/meta.h"
#include "ticket_names.h"

namespace korder::ticket {

std::string guardian_pod_name(std::string_view ticket_name) {
  std::string name(ticket_name);
  name += kGuardianSuffix;
  return name;
}

bool is_owned_by(const api::Pod& pod, const api::Ticket& ticket) {
  return std::any_of(pod.metadata.owner_references.begin(), pod.metadata.owner_references.end(),
                     [&](const api::OwnerReference& ref) {
                       return ref.controller.value_or(false) && ref.kind == api::kTicketKind &&
                              ref.uid == ticket.metadata.uid;
                     });
}

std::optional<std::string> foreign_guardian_why(const api::Pod& pod, const api::Ticket& ticket) {
  if (is_owned_by(pod, ticket)) {
    return std::nullopt;
  }
  const auto& labels = pod.metadata.labels;
  const auto role = labels.find(std::string(kLabelRole));
  if (role == labels.end() || role->second != kRoleGuardian) {
    return "it has no label " + std::string(kLabelRole) + "=" + std::string(kRoleGuardian);
  }
  const auto owner = labels.find(std::string(kLabelTicket));
  if (owner == labels.end()) {
    return "it has no label " + std::string(kLabelTicket);
  }
  if (owner->second != ticket.metadata.name) {
    return "its label " + std::string(kLabelTicket) + " is " + owner->second + ", not " +
           ticket.metadata.name;
  }
  const bool ticket_controlled =
      std::any_of(pod.metadata.owner_references.begin(), pod.metadata.owner_references.end(),
                  [](const api::OwnerReference& ref) {
                    return ref.controller.value_or(false) && ref.kind == api::kTicketKind;
                  });
  if (!ticket_controlled) {
    return std::string("it has no controller ownerReference of kind Ticket");
  }
  return std::nullopt;
}

bool is_deleting(const api::Pod& pod) { return pod.metadata.deletion_timestamp.has_value(); }

bool is_running_and_ready(const api::Pod& pod) {
  if (is_deleting(pod) || pod.status.phase != api::PodPhase::Running ||
      pod.spec.node_name.empty()) {
    return false;
  }
  return std::any_of(pod.status.conditions.begin(), pod.status.conditions.end(),
                     [](const api::PodCondition& c) {
                       return c.type == "Ready" && c.status == api::ConditionStatus::True;
                     });
}

bool is_terminated(const api::Pod& pod) {
  return pod.status.phase == api::PodPhase::Failed || pod.status.phase == api::PodPhase::Succeeded;
}

bool has_korder_gate(const api::Pod& pod) {
  return std::any_of(pod.spec.scheduling_gates.begin(), pod.spec.scheduling_gates.end(),
                     [](const api::PodSchedulingGate& g) { return g.name == kSchedulingGate; });
}

std::vector<std::string> other_gates(const api::Pod& pod) {
  std::vector<std::string> out;
  for (const auto& gate : pod.spec.scheduling_gates) {
    if (gate.name != kSchedulingGate) {
      out.push_back(gate.name);
    }
  }
  return out;
}

bool is_bound(const api::Pod& pod) { return !pod.spec.node_name.empty(); }

std::string claim_token(const api::Pod& pod) {
  const auto it = pod.metadata.annotations.find(std::string(kAnnotationClaimToken));
  return it == pod.metadata.annotations.end() ? std::string() : it->second;
}

bool is_labelled_for(const api::Pod& pod, const api::Ticket& ticket) {
  if (pod.metadata.namespace_ != ticket.metadata.namespace_) {
    return false;
  }
  const auto it = pod.metadata.labels.find(std::string(kLabelTicket));
  return it != pod.metadata.labels.end() && it->second == ticket.metadata.name;
}

std::string pod_key(const api::Pod& pod) {
  return pod.metadata.namespace_ + "/" + pod.metadata.name;
}

std::string unschedulable_message(const api::Pod& pod) {
  for (const auto& c : pod.status.conditions) {
    if (c.type == "PodScheduled" && c.status == api::ConditionStatus::False) {
      return c.message;
    }
  }
  return {};
}

}  // namespace korder::ticket
