#pragma once

// The order controller's own metrics (the controller runtime adds korder_reconcile_total,
// korder_reconcile_duration_seconds and korder_workqueue_*): ticket writes by outcome, status
// writes, and korder_tickets{phase} from the ticket informer. Every series exists at zero from
// construction (STYLE §7). Thread-safe; the registry must outlive them.

#include <string>
#include <string_view>

#include "korder/api/ticket.h"
#include "korder/kclient/informer_core.h"
#include "korder/kclient/metrics.h"

namespace korder::order {

/// `korder_order_ticket_writes_total{operation,result}` (create: created, already_exists,
/// quota_denied, collision, error; delete: deleted, not_found, conflict, error) and
/// `korder_order_status_updates_total{result=success|conflict|error}`.
class OrderMetrics {
 public:
  explicit OrderMetrics(kclient::MetricsRegistry& registry);
  void ticket_write(std::string_view operation, std::string_view result);
  void status_update(std::string_view result);

 private:
  kclient::CounterFamily& ticket_writes_;
  kclient::CounterFamily& status_updates_;
};

/// `korder_tickets{phase}`: the tickets in the informer's cache by `status.phase` (empty counts
/// as Pending; a value korder does not know as Unknown). Register `handler()` on the ticket
/// informer before it starts.
class TicketPhaseMetrics {
 public:
  explicit TicketPhaseMetrics(kclient::MetricsRegistry& registry);
  /// The informer handler that keeps the gauges; it only adjusts atomics, as handlers must.
  kclient::ResourceEventHandler<api::Ticket> handler();

 private:
  kclient::Gauge& gauge_of(const api::Ticket& ticket);

  kclient::GaugeFamily& tickets_;
};

}  // namespace korder::order
