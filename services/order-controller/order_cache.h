#pragma once

// What the order reconciler reads: the informers' stores of Orders, Tickets and Nodes, the index
// that finds an order's tickets, and the mapping of Ticket and Node events to Order keys
// (STYLE §3: event handlers only map objects to keys).

#include <memory>
#include <string>
#include <vector>

#include "korder/api/node.h"
#include "korder/api/order.h"
#include "korder/api/ticket.h"
#include "korder/kclient/request.h"
#include "korder/kclient/store.h"

namespace korder::order {

/// The ticket index by order: `<namespace>/<order name>` from the label `korder.dev/order` and
/// from the controller ownerReference of kind Order (both, when they differ).
inline constexpr std::string_view kTicketsByOrderIndex = "tickets_by_order";

/// The index value of an order (`team-a/db`).
std::string order_index_value(const std::string& namespace_, const std::string& name);

/// The index functions of the ticket store (register them on the ticket informer).
kclient::Indexers<api::Ticket> ticket_indexers();

/// The Orders a ticket belongs to (label and controller owner), for the ticket event handler.
std::vector<kclient::Request> orders_of_ticket(const api::Ticket& ticket);

/// The informers' caches. The stores must outlive it; the ticket store must have
/// ticket_indexers().
struct OrderCache {
  const kclient::Store<api::Order>& orders;
  const kclient::Store<api::Ticket>& tickets;
  const kclient::Store<api::Node>& nodes;

  /// The tickets indexed under the order (any owner; plan() sorts them out).
  std::vector<std::shared_ptr<const api::Ticket>> tickets_of(const std::string& namespace_,
                                                             const std::string& name) const;
  /// Every daemonSet order (what a Node event wakes).
  std::vector<kclient::Request> daemon_set_orders() const;
};

}  // namespace korder::order
