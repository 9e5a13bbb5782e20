#include "ticket_builder.h"

#include <algorithm>
#include <utility>

#include "korder/api/duration.h"
#include "korder/api/korder_group.h"
#include "korder/api/scheduling_predicates.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

api::NodeSelectorRequirement name_requirement(std::string_view node_name) {
  api::NodeSelectorRequirement requirement;
  requirement.key = std::string(api::kObjectNameField);
  requirement.op = "In";
  requirement.values = {std::string(node_name)};
  return requirement;
}

api::OwnerReference controller_reference(const api::Order& order) {
  api::OwnerReference ref;
  ref.api_version = std::string(api::kKorderApiVersion);
  ref.kind = std::string(api::kOrderKind);
  ref.name = order.metadata.name;
  ref.uid = order.metadata.uid;
  ref.controller = true;
  ref.block_owner_deletion = true;
  return ref;
}

std::string label_value(const api::Ticket& ticket, std::string_view key) {
  const auto it = ticket.metadata.labels.find(std::string(key));
  return it == ticket.metadata.labels.end() ? std::string() : it->second;
}

// Sets spec.window.startTime, dropping a window that ends up empty so the ticket's JSON has no
// `window: {}`.
void set_start_time(api::TicketSpec& spec, std::optional<TimePoint> start_time) {
  if (!spec.window.has_value()) {
    spec.window.emplace();
  }
  spec.window->start_time = start_time;
  if (*spec.window == api::TicketWindow{}) {
    spec.window.reset();
  }
}

}  // namespace

void pin_to_node(api::TicketSpec& spec, std::string_view node_name) {
  const api::NodeSelectorRequirement pin = name_requirement(node_name);
  api::Affinity& affinity = spec.affinity ? *spec.affinity : spec.affinity.emplace();
  api::NodeAffinity& node_affinity =
      affinity.node_affinity ? *affinity.node_affinity : affinity.node_affinity.emplace();
  auto& required = node_affinity.required_during_scheduling_ignored_during_execution;
  if (!required.has_value()) {
    required.emplace();
  }
  if (required->node_selector_terms.empty()) {
    required->node_selector_terms.emplace_back();
  }
  for (api::NodeSelectorTerm& term : required->node_selector_terms) {
    if (std::find(term.match_fields.begin(), term.match_fields.end(), pin) ==
        term.match_fields.end()) {
      term.match_fields.push_back(pin);
    }
  }
}

api::Ticket build_ticket(const api::Order& order, const TicketParams& params) {
  const api::TicketTemplate& tmpl = order.spec.template_;
  api::Ticket ticket;
  ticket.api_version = std::string(api::kKorderApiVersion);
  ticket.kind = std::string(api::kTicketKind);
  TicketIdentity identity{order.metadata.uid, params.slot, params.incarnation, params.fire};
  ticket.metadata.name = ticket_name(order.metadata.name, identity);
  ticket.metadata.namespace_ = order.metadata.namespace_;
  ticket.metadata.labels = tmpl.metadata.labels;
  ticket.metadata.labels[std::string(kLabelOrder)] = order.metadata.name;
  ticket.metadata.labels[std::string(kLabelSlot)] = params.slot;
  ticket.metadata.labels[std::string(kLabelIncarnation)] = std::to_string(params.incarnation);
  ticket.metadata.labels[std::string(kLabelTemplateHash)] = params.template_hash;
  ticket.metadata.annotations = tmpl.metadata.annotations;
  if (!params.node_name.empty()) {
    ticket.metadata.annotations[std::string(kAnnotationNode)] = params.node_name;
  }
  ticket.metadata.owner_references.push_back(controller_reference(order));
  ticket.metadata.finalizers.push_back(std::string(kTicketFinalizer));

  ticket.spec = tmpl.spec;
  set_start_time(ticket.spec, params.start_time);
  if (!ticket.spec.node_name.empty()) {
    // DESIGN.md §2: a template nodeName is honoured as a node-affinity pin, so the scheduler
    // still checks that the guardian fits.
    const std::string template_node = std::exchange(ticket.spec.node_name, std::string());
    pin_to_node(ticket.spec, template_node);
  }
  if (!params.node_name.empty()) {
    pin_to_node(ticket.spec, params.node_name);
  }
  return ticket;
}

std::optional<TimePoint> one_time_start(const api::TicketSpec& template_spec,
                                        std::int64_t incarnation, TimePoint now) {
  if (!template_spec.window.has_value() || !template_spec.window->start_time.has_value()) {
    return std::nullopt;
  }
  const TimePoint start = *template_spec.window->start_time;
  if (incarnation == 0 || start > now) {
    return start;
  }
  return std::nullopt;
}

Expected<TimePoint, ParseError> expiration_of(const api::Ticket& ticket, TimePoint created_at) {
  auto duration = api::Duration::parse(ticket.spec.duration);
  if (!duration) {
    return Unexpected(std::move(duration).error().at("spec.duration"));
  }
  TimePoint start = created_at;
  if (ticket.spec.window.has_value() && ticket.spec.window->start_time.has_value()) {
    start = *ticket.spec.window->start_time;
  }
  return start + std::chrono::duration_cast<TimePoint::duration>(duration->nanoseconds());
}

std::optional<TimePoint> observed_expiration(const api::Ticket& ticket) {
  if (ticket.status.expiration_time.has_value()) {
    return ticket.status.expiration_time;
  }
  const bool has_start = ticket.spec.window.has_value() && ticket.spec.window->start_time;
  if (!has_start && !ticket.metadata.creation_timestamp.has_value()) {
    return std::nullopt;
  }
  auto expiration = expiration_of(ticket, ticket.metadata.creation_timestamp.value_or(TimePoint{}));
  if (!expiration) {
    return std::nullopt;
  }
  return *expiration;
}

std::string_view effective_phase(const api::Ticket& ticket, TimePoint now) {
  std::string_view phase = ticket.status.phase;
  if (phase.empty()) {
    phase = api::TicketPhase::Pending;
  }
  if (is_live_phase(phase) && !ticket.status.claim.has_value()) {
    const std::optional<TimePoint> expiration = observed_expiration(ticket);
    if (expiration.has_value() && *expiration <= now) {
      return api::TicketPhase::Expired;
    }
  }
  return phase;
}

bool is_live_phase(std::string_view phase) {
  return phase == api::TicketPhase::Pending || phase == api::TicketPhase::Ready;
}

bool owned_by(const api::Ticket& ticket, std::string_view order_uid) {
  return std::any_of(ticket.metadata.owner_references.begin(),
                     ticket.metadata.owner_references.end(), [&](const api::OwnerReference& ref) {
                       return ref.controller.value_or(false) && ref.uid == order_uid &&
                              ref.kind == api::kOrderKind;
                     });
}

Expected<void, std::string> check_same_ticket(const api::Ticket& existing,
                                              const api::Ticket& wanted) {
  std::string wanted_owner;
  for (const api::OwnerReference& ref : wanted.metadata.owner_references) {
    if (ref.controller.value_or(false)) {
      wanted_owner = ref.uid;
    }
  }
  if (!owned_by(existing, wanted_owner)) {
    return Unexpected("ticket " + existing.metadata.name + " exists but belongs to another owner");
  }
  for (const std::string_view key : {kLabelSlot, kLabelIncarnation}) {
    const std::string have = label_value(existing, key);
    const std::string want = label_value(wanted, key);
    if (have != want) {
      return Unexpected("ticket " + existing.metadata.name + " exists with " + std::string(key) +
                        "=" + have + ", not " + want + " (ticket name hash collision)");
    }
  }
  return {};
}

}  // namespace korder::order
