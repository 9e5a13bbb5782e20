#include "ticket_metrics.h"

#include <algorithm>
#include <memory>
#include <vector>

namespace korder::ticket {
namespace {

const std::vector<std::string>& known_phases() {
  static const std::vector<std::string> phases = {
      std::string(api::TicketPhase::Pending), std::string(api::TicketPhase::Ready),
      std::string(api::TicketPhase::Claimed), std::string(api::TicketPhase::Expired), "Unknown"};
  return phases;
}

const std::vector<std::string>& claim_outcomes() {
  static const std::vector<std::string> outcomes = {"claimed", "released", "handoff_lost",
                                                    "ungated"};
  return outcomes;
}

const std::vector<std::string>& api_operations() {
  static const std::vector<std::string> operations = {
      "patch_ticket",    "update_status", "delete_ticket", "create_guardian",
      "delete_guardian", "patch_pod",     "list_pods"};
  return operations;
}

const std::vector<std::string>& api_results() {
  static const std::vector<std::string> results = {"success",        "conflict", "not_found",
                                                   "already_exists", "invalid",  "error"};
  return results;
}

}  // namespace

TicketMetrics::TicketMetrics(kclient::MetricsRegistry& registry)
    : tickets_(registry.gauge("korder_tickets", "Tickets in the cache, by phase.", {"phase"})),
      guardian_recreations_(
          registry
              .counter("korder_ticket_guardian_recreations_total",
                       "Guardian pods recreated after a loss while their ticket held capacity.")
              .get()),
      claims_(registry.counter("korder_claims_total",
                               "Claim outcomes decided by the ticket controller.", {"outcome"})),
      handoff_seconds_(registry
                           .histogram("korder_claim_handoff_seconds",
                                      "Seconds from a ticket's claim to its pod being bound.", {},
                                      kclient::exponential_buckets(0.05, 2, 12))
                           .get()),
      api_calls_(registry.counter("korder_ticket_api_writes_total",
                                  "API calls of the ticket reconciler, by operation and result.",
                                  {"operation", "result"})) {
  for (const std::string& phase : known_phases()) {
    tickets_.with({phase});
  }
  for (const std::string& outcome : claim_outcomes()) {
    claims_.with({outcome});
  }
  for (const std::string& operation : api_operations()) {
    for (const std::string& result : api_results()) {
      api_calls_.with({operation, result});
    }
  }
}

void TicketMetrics::claim_outcome(std::string_view outcome) {
  claims_.with({std::string(outcome)}).inc();
}

double TicketMetrics::claims(std::string_view outcome) const {
  return claims_.with({std::string(outcome)}).value();
}

void TicketMetrics::api_call(std::string_view operation, std::string_view result) {
  api_calls_.with({std::string(operation), std::string(result)}).inc();
}

kclient::Gauge& TicketMetrics::phase_gauge(const api::Ticket& ticket) {
  std::string phase = ticket.status.phase;
  if (phase.empty()) {
    phase = std::string(api::TicketPhase::Pending);
  }
  const auto& known = known_phases();
  if (std::find(known.begin(), known.end(), phase) == known.end()) {
    phase = "Unknown";
  }
  return tickets_.with({phase});
}

kclient::ResourceEventHandler<api::Ticket> TicketMetrics::phase_handler() {
  using Ptr = std::shared_ptr<const api::Ticket>;
  kclient::ResourceEventHandler<api::Ticket> handler;
  handler.on_add = [this](const Ptr& ticket) { phase_gauge(*ticket).inc(); };
  handler.on_update = [this](const Ptr& old_ticket, const Ptr& new_ticket) {
    phase_gauge(*old_ticket).dec();
    phase_gauge(*new_ticket).inc();
  };
  handler.on_delete = [this](const kclient::DeletedObject<api::Ticket>& deleted) {
    phase_gauge(*deleted.object).dec();
  };
  return handler;
}

}  // namespace korder::ticket
