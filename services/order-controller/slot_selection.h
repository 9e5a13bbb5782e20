#pragma once

// Which slots an order wants (DESIGN.md §2):
// - replicas: `spec.replicas` slots `r<index>`. The slots in use (remembered in status.slots or
//   holding a live ticket) are kept; a scale-down drops the least valuable first — slots that
//   hold nothing live (finished, planned, lost), then those whose ticket is Pending, then Ready,
//   the highest index first within each group — so a Claimed ticket is never what a scale-down
//   removes; a scale-up adds the lowest indices that have no ticket at all (a fresh slot never
//   inherits a consumed one).
// - daemonSet: one slot `n-<hash>` per node that is Ready (node_ready), not being deleted, and
//   admitted by the template's nodeSelector, required node affinity, tolerations and nodeName
//   (node_admits, which includes kube-scheduler's NodeUnschedulable rule). Unlike a DaemonSet,
//   which tolerates `node.kubernetes.io/unschedulable` implicitly, a cordoned node is excluded
//   unless the template tolerates that taint itself: DESIGN.md asks for "schedulable" nodes,
//   and holding capacity on a node being drained helps no one.
//
// Pure functions; safe to call from any thread.

#include <memory>
#include <string>
#include <vector>

#include "korder/api/node.h"
#include "korder/api/order.h"
#include "slot_view.h"

namespace korder::order {

/// True when a daemonSet order with template spec `spec` wants a ticket on `node`.
bool node_eligible(const api::TicketSpec& spec, const api::Node& node);

/// The desired slots of `order`, classified (classify_slot), in slot order: by index for
/// replicas, by slot name for daemonSet.
std::vector<SlotView> select_slots(const api::Order& order,
                                   const std::vector<std::shared_ptr<const api::Node>>& nodes,
                                   const ObservedTickets& observed, TimePoint now);

}  // namespace korder::order
