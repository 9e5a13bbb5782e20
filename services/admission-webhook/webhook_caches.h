#pragma once

// The TicketSource over the webhook's informers: a TicketIndex kept by the Ticket informer's
// event handler (tickets by namespace and by namespace and order, prepared for selection), and
// the Node informer's store.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "candidate_selection.h"
#include "korder/api/node.h"
#include "korder/api/ticket.h"
#include "korder/kclient/informer_core.h"
#include "korder/kclient/store.h"

namespace korder::webhook {

/// The tickets of each namespace, as snapshots the reviews share. An informer event replaces
/// one entry and marks its namespace's snapshots stale; the next review that reads one rebuilds
/// it (a pointer copy per ticket), so a burst of events costs one rebuild, and a review costs a
/// lock and a reference count instead of a copy of every ticket's pointer. Each ticket is
/// prepared for selection (IndexedTicket) once per version. Thread-safe.
class TicketIndex {
 public:
  TicketIndex() = default;
  TicketIndex(const TicketIndex&) = delete;
  TicketIndex& operator=(const TicketIndex&) = delete;

  /// The handler to register on the Ticket informer before it starts; it keeps this index in
  /// step with the informer's store. The index must outlive the informer.
  kclient::ResourceEventHandler<api::Ticket> handler();

  /// Adds `ticket`, or replaces the entry of the same namespace and name.
  void upsert(std::shared_ptr<const api::Ticket> ticket);
  /// Removes the entry of `ticket`'s namespace and name, if any.
  void remove(const api::Ticket& ticket);

  /// Every ticket of `ns`, ordered by name (never null).
  TicketSnapshot tickets_in(std::string_view ns) const;
  /// The tickets of `ns` labelled `korder.dev/order=<order>`, ordered by name (never null).
  TicketSnapshot tickets_of_order(std::string_view ns, std::string_view order) const;
  /// How many node names the index keeps shared strings of (for tests: bounded by the nodes
  /// in use, not by every node ever seen).
  std::size_t node_names_held() const;

 private:
  struct Namespace {
    std::map<std::string, std::shared_ptr<const IndexedTicket>, std::less<>> by_name;
    // Built on demand, dropped when an entry of the namespace changes.
    TicketSnapshot all;
    std::map<std::string, TicketSnapshot, std::less<>> by_order;
  };

  // The one shared string of `name` for the entries on that node (IndexedTicket::node).
  std::shared_ptr<const std::string> node_name(const std::string& name);

  mutable std::mutex mu_;
  mutable std::map<std::string, Namespace, std::less<>> namespaces_;  // guarded by mu_

  mutable std::mutex nodes_mu_;
  // Node names in use; those no entry holds any more are dropped when it has doubled.
  std::map<std::string, std::shared_ptr<const std::string>, std::less<>> node_names_;
  std::size_t prune_node_names_at_ = 64;  // guarded by nodes_mu_
};

/// Reads a TicketIndex and the Node informer's store. Thread-safe (both are).
class InformerTicketSource final : public TicketSource {
 public:
  InformerTicketSource(const TicketIndex& tickets, const kclient::Store<api::Node>& nodes)
      : tickets_(tickets), nodes_(nodes) {}

  TicketSnapshot tickets_in(std::string_view ns) const override;
  TicketSnapshot tickets_of_order(std::string_view ns, std::string_view order) const override;
  NodePtr node(std::string_view name) const override;

 private:
  const TicketIndex& tickets_;
  const kclient::Store<api::Node>& nodes_;
};

}  // namespace korder::webhook
