#include "guardian_builder.h"

#include <algorithm>
#include <string>
#include <utility>

#include "korder/api/extras.h"
#include "korder/api/korder_group.h"
#include "korder/api/scheduling_predicates.h"
#include "korder/base/check.h"
#include "pod_state.h"
#include "ticket_names.h"

namespace korder::ticket {
namespace {

// Fields of the pod and container we do not model, as constant JSON (no interpolation).
constexpr std::string_view kPodSpecExtras =
    R"({"securityContext":{"runAsNonRoot":true,"runAsUser":65535,"runAsGroup":65535,)"
    R"("seccompProfile":{"type":"RuntimeDefault"}},"enableServiceLinks":false})";
constexpr std::string_view kContainerExtras =
    R"({"securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,)"
    R"("capabilities":{"drop":["ALL"]}}})";

api::Extras constant_extras(std::string_view json) {
  auto extras = api::Extras::parse(json);
  KORDER_CHECK(extras.has_value(), "constant guardian extras must parse");
  return *std::move(extras);
}

}  // namespace

api::NodeSelectorRequirement node_pin(std::string_view node_name) {
  api::NodeSelectorRequirement pin;
  pin.key = std::string(api::kObjectNameField);
  pin.op = "In";
  pin.values = {std::string(node_name)};
  return pin;
}

bool term_has_pin(const api::NodeSelectorTerm& term, std::string_view node_name) {
  const auto pin = node_pin(node_name);
  return std::any_of(term.match_fields.begin(), term.match_fields.end(),
                     [&](const api::NodeSelectorRequirement& r) {
                       return r.key == pin.key && r.op == pin.op && r.values == pin.values;
                     });
}

void pin_to_node(std::optional<api::Affinity>& affinity, std::string_view node_name) {
  if (!affinity) {
    affinity.emplace();
  }
  auto& node_affinity = affinity->node_affinity;
  if (!node_affinity) {
    node_affinity.emplace();
  }
  auto& required = node_affinity->required_during_scheduling_ignored_during_execution;
  if (!required) {
    required.emplace();
  }
  if (required->node_selector_terms.empty()) {
    required->node_selector_terms.emplace_back();
  }
  for (auto& term : required->node_selector_terms) {
    if (!term_has_pin(term, node_name)) {
      term.match_fields.push_back(node_pin(node_name));
    }
  }
}

api::ResourceRequirements guardian_resources(const api::TicketSpec& spec) {
  api::ResourceRequirements out;
  out.requests = api::ticket_requests(spec);
  out.limits = out.requests;
  for (const std::string_view name : {api::kResourceCpu, api::kResourceMemory}) {
    const auto limit = spec.resources.limits.find(std::string(name));
    const auto request = out.requests.find(std::string(name));
    if (limit != spec.resources.limits.end() && request != out.requests.end() &&
        limit->second >= request->second) {
      out.limits[limit->first] = limit->second;
    }
  }
  return out;
}

api::Pod build_guardian_pod(const api::Ticket& ticket, std::string_view image) {
  const auto& spec = ticket.spec;
  api::Pod pod;
  pod.api_version = "v1";
  pod.kind = "Pod";

  auto& meta = pod.metadata;
  meta.name = guardian_pod_name(ticket.metadata.name);
  meta.namespace_ = ticket.metadata.namespace_;
  meta.labels[std::string(kLabelRole)] = std::string(kRoleGuardian);
  meta.labels[std::string(kLabelTicket)] = ticket.metadata.name;
  if (const auto order = ticket.metadata.labels.find(std::string(kLabelOrder));
      order != ticket.metadata.labels.end() && !order->second.empty()) {
    meta.labels[std::string(kLabelOrder)] = order->second;
  }
  api::OwnerReference owner;
  owner.api_version = std::string(api::kKorderApiVersion);
  owner.kind = std::string(api::kTicketKind);
  owner.name = ticket.metadata.name;
  owner.uid = ticket.metadata.uid;
  owner.controller = true;
  owner.block_owner_deletion = true;
  meta.owner_references.push_back(std::move(owner));

  api::Container container;
  container.name = std::string(kGuardianContainerName);
  container.image = std::string(image);
  container.resources = guardian_resources(spec);
  container.extras = constant_extras(kContainerExtras);

  auto& pod_spec = pod.spec;
  pod_spec.containers.push_back(std::move(container));
  pod_spec.restart_policy = "Always";
  pod_spec.termination_grace_period_seconds = 0;
  pod_spec.automount_service_account_token = false;
  pod_spec.node_selector = spec.node_selector;
  pod_spec.affinity = spec.affinity;
  if (!spec.node_name.empty()) {
    pin_to_node(pod_spec.affinity, spec.node_name);
  }
  pod_spec.tolerations = spec.tolerations;
  pod_spec.topology_spread_constraints = spec.topology_spread_constraints;
  pod_spec.priority_class_name = spec.priority_class_name;
  pod_spec.scheduler_name = spec.scheduler_name;
  pod_spec.extras = constant_extras(kPodSpecExtras);
  return pod;
}

}  // namespace korder::ticket
