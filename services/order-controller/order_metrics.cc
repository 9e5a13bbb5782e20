#include "order_metrics.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace korder::order {
namespace {

const std::vector<std::pair<std::string, std::vector<std::string>>>& ticket_write_results() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> results = {
      {"create", {"created", "already_exists", "quota_denied", "collision", "error"}},
      {"delete", {"deleted", "not_found", "conflict", "error"}},
  };
  return results;
}

const std::vector<std::string>& known_phases() {
  static const std::vector<std::string> phases = {
      std::string(api::TicketPhase::Pending), std::string(api::TicketPhase::Ready),
      std::string(api::TicketPhase::Claimed), std::string(api::TicketPhase::Expired), "Unknown"};
  return phases;
}

}  // namespace

OrderMetrics::OrderMetrics(kclient::MetricsRegistry& registry)
    : ticket_writes_(registry.counter("korder_order_ticket_writes_total",
                                      "Ticket creates and deletes by the order controller, by "
                                      "result.",
                                      {"operation", "result"})),
      status_updates_(registry.counter("korder_order_status_updates_total",
                                       "Order status writes by the order controller, by result.",
                                       {"result"})) {
  for (const auto& [operation, results] : ticket_write_results()) {
    for (const std::string& result : results) {
      ticket_writes_.with({operation, result});
    }
  }
  for (const char* result : {"success", "conflict", "error"}) {
    status_updates_.with({result});
  }
}

void OrderMetrics::ticket_write(std::string_view operation, std::string_view result) {
  ticket_writes_.with({std::string(operation), std::string(result)}).inc();
}

void OrderMetrics::status_update(std::string_view result) {
  status_updates_.with({std::string(result)}).inc();
}

TicketPhaseMetrics::TicketPhaseMetrics(kclient::MetricsRegistry& registry)
    : tickets_(registry.gauge("korder_tickets", "Tickets in the cache, by phase.", {"phase"})) {
  for (const std::string& phase : known_phases()) {
    tickets_.with({phase});
  }
}

kclient::Gauge& TicketPhaseMetrics::gauge_of(const api::Ticket& ticket) {
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

kclient::ResourceEventHandler<api::Ticket> TicketPhaseMetrics::handler() {
  using Ptr = std::shared_ptr<const api::Ticket>;
  kclient::ResourceEventHandler<api::Ticket> h;
  h.on_add = [this](const Ptr& ticket) { gauge_of(*ticket).inc(); };
  h.on_update = [this](const Ptr& old_ticket, const Ptr& new_ticket) {
    gauge_of(*old_ticket).dec();
    gauge_of(*new_ticket).inc();
  };
  h.on_delete = [this](const kclient::DeletedObject<api::Ticket>& deleted) {
    gauge_of(*deleted.object).dec();
  };
  return h;
}

}  // namespace korder::order
