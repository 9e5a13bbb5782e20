#pragma once

// What the ticket reconciler reads: the informers' stores of Tickets, Pods (guardians and claiming
// pods, both labelled `korder.dev/ticket`) and Nodes, the indexes that find a ticket's pods and
// the tickets on a node, and the mapping of Pod and Node events to Ticket keys (STYLE §3: event
// handlers only map objects to keys).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/node.h"
#include "korder/api/pod.h"
#include "korder/api/ticket.h"
#include "korder/kclient/request.h"
#include "korder/kclient/store.h"

namespace korder::ticket {

/// The label selector of the pod informer: every pod that carries `korder.dev/ticket` (guardians
/// and pods the webhook gave a ticket), so the controller never caches the cluster's other pods.
inline constexpr std::string_view kPodInformerSelector = "korder.dev/ticket";

/// The pod index by ticket: `<namespace>/<ticket>` from the label `korder.dev/ticket` and from a
/// controller ownerReference of kind Ticket (both, when they differ).
inline constexpr std::string_view kPodsByTicketIndex = "pods_by_ticket";
/// The ticket index by node: `status.nodeName` (none while a ticket has no node).
inline constexpr std::string_view kTicketsByNodeIndex = "tickets_by_node";

/// `team-a/web-3f9a1c2b7d4e`.
std::string ticket_index_value(std::string_view namespace_, std::string_view name);

/// The index functions of the pod store (register them on the pod informer).
kclient::Indexers<api::Pod> pod_indexers();
/// The index functions of the ticket store (register them on the ticket informer).
kclient::Indexers<api::Ticket> ticket_indexers();

/// The Tickets a pod belongs to (its `korder.dev/ticket` label and its controller owner of kind
/// Ticket), for the pod event handler.
std::vector<kclient::Request> tickets_of_pod(const api::Pod& pod);

/// The informers' caches. The stores must outlive it; the pod store must have pod_indexers() and
/// the ticket store ticket_indexers().
struct TicketCache {
  const kclient::Store<api::Ticket>& tickets;
  const kclient::Store<api::Pod>& pods;
  const kclient::Store<api::Node>& nodes;

  /// The pods indexed under the ticket (labelled for it or owned by it).
  std::vector<std::shared_ptr<const api::Pod>> pods_of(std::string_view namespace_,
                                                       std::string_view name) const;
  /// The Tickets whose `status.nodeName` is `node` (what a Node deletion wakes).
  std::vector<kclient::Request> tickets_on_node(std::string_view node) const;
};

}  // namespace korder::ticket
