#pragma once

// The ticket controller's own metrics (the controller runtime adds korder_reconcile_total,
// korder_reconcile_duration_seconds and korder_workqueue_*). Every series exists at zero from
// construction (STYLE §7). Thread-safe; the registry must outlive them.
//
//  - korder_tickets{phase}: the tickets in the informer's cache by status.phase (empty counts as
//    Pending; a phase korder does not know as Unknown);
//  - korder_ticket_guardian_recreations_total: guardians replaced after a loss (evicted,
//    preempted, deleted, node removed) while their ticket held capacity;
//  - korder_claims_total{outcome}: claim outcomes the ticket controller decides — claimed (the
//    pod is bound), released (no pod came, or it went away), handoff_lost (still unscheduled
//    after --handoff-timeout, or bound elsewhere), ungated (a pod no claim hands off to was
//    ungated);
//  - korder_claim_handoff_seconds: from the webhook's claimedAt to the ticket turning Claimed;
//  - korder_ticket_api_writes_total{operation,result}: every API call the reconciler makes.

#include <chrono>
#include <string>
#include <string_view>

#include "korder/api/ticket.h"
#include "korder/kclient/informer_core.h"
#include "korder/kclient/metrics.h"

namespace korder::ticket {

class TicketMetrics {
 public:
  explicit TicketMetrics(kclient::MetricsRegistry& registry);

  /// The informer handler that keeps korder_tickets{phase}; it only adjusts atomics, as
  /// handlers must. Register it on the ticket informer before it starts.
  kclient::ResourceEventHandler<api::Ticket> phase_handler();

  void guardian_recreated() { guardian_recreations_.inc(); }
  /// `outcome`: claimed, released, handoff_lost or ungated.
  void claim_outcome(std::string_view outcome);
  void handoff_latency(std::chrono::nanoseconds latency) { handoff_seconds_.observe(latency); }
  /// `operation`: patch_ticket, update_status, delete_ticket, create_guardian, delete_guardian,
  /// patch_pod, list_pods; `result`: success, conflict, not_found, already_exists, invalid,
  /// error.
  void api_call(std::string_view operation, std::string_view result);

  /// For tests.
  const kclient::Histogram& handoff_histogram() const { return handoff_seconds_; }
  double claims(std::string_view outcome) const;
  double guardian_recreations() const { return guardian_recreations_.value(); }

 private:
  kclient::Gauge& phase_gauge(const api::Ticket& ticket);

  kclient::GaugeFamily& tickets_;
  kclient::Counter& guardian_recreations_;
  kclient::CounterFamily& claims_;
  kclient::Histogram& handoff_seconds_;
  kclient::CounterFamily& api_calls_;
};

}  // namespace korder::ticket
