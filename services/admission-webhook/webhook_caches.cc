#include "webhook_caches.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace korder::webhook {
namespace {

const TicketSnapshot& empty_snapshot() {
  static const TicketSnapshot empty =
      std::make_shared<const std::vector<std::shared_ptr<const IndexedTicket>>>();
  return empty;
}

}  // namespace

kclient::ResourceEventHandler<api::Ticket> TicketIndex::handler() {
  kclient::ResourceEventHandler<api::Ticket> handler;
  handler.on_add = [this](const std::shared_ptr<const api::Ticket>& ticket) { upsert(ticket); };
  handler.on_update = [this](const std::shared_ptr<const api::Ticket>& old_ticket,
                             const std::shared_ptr<const api::Ticket>& new_ticket) {
    if (old_ticket != new_ticket) {  // the same object: a resync, nothing changed
      upsert(new_ticket);
    }
  };
  handler.on_delete = [this](const kclient::DeletedObject<api::Ticket>& deleted) {
    remove(*deleted.object);
  };
  return handler;
}

std::shared_ptr<const std::string> TicketIndex::node_name(const std::string& name) {
  std::lock_guard lock(nodes_mu_);
  if (const auto it = node_names_.find(name); it != node_names_.end()) {
    return it->second;
  }
  if (node_names_.size() >= prune_node_names_at_) {
    std::erase_if(node_names_, [](const auto& item) { return item.second.use_count() == 1; });
    prune_node_names_at_ = std::max<std::size_t>(64, 2 * node_names_.size());
  }
  auto shared = std::make_shared<const std::string>(name);
  node_names_.emplace(name, shared);
  return shared;
}

std::size_t TicketIndex::node_names_held() const {
  std::lock_guard lock(nodes_mu_);
  return node_names_.size();
}

void TicketIndex::upsert(std::shared_ptr<const api::Ticket> ticket) {
  // Prepared outside the lock: readers wait only for the swap.
  auto node = node_name(ticket->status.node_name);
  auto entry = std::make_shared<const IndexedTicket>(std::move(ticket), std::move(node));
  const api::ObjectMeta& meta = entry->ticket->metadata;
  std::lock_guard lock(mu_);
  auto ns = namespaces_.find(meta.namespace_);
  if (ns == namespaces_.end()) {
    ns = namespaces_.emplace(meta.namespace_, Namespace()).first;
  }
  ns->second.by_name.insert_or_assign(meta.name, std::move(entry));
  ns->second.all.reset();
  ns->second.by_order.clear();
}

void TicketIndex::remove(const api::Ticket& ticket) {
  std::lock_guard lock(mu_);
  const auto ns = namespaces_.find(ticket.metadata.namespace_);
  if (ns == namespaces_.end()) {
    return;
  }
  if (ns->second.by_name.erase(ticket.metadata.name) == 0) {
    return;
  }
  if (ns->second.by_name.empty()) {
    namespaces_.erase(ns);
    return;
  }
  ns->second.all.reset();
  ns->second.by_order.clear();
}

TicketSnapshot TicketIndex::tickets_in(std::string_view ns) const {
  std::lock_guard lock(mu_);
  const auto it = namespaces_.find(ns);
  if (it == namespaces_.end()) {
    return empty_snapshot();
  }
  Namespace& entry = it->second;
  if (!entry.all) {
    auto all = std::make_shared<std::vector<std::shared_ptr<const IndexedTicket>>>();
    all->reserve(entry.by_name.size());
    for (const auto& [name, ticket] : entry.by_name) {
      all->push_back(ticket);
    }
    entry.all = std::move(all);
  }
  return entry.all;
}

TicketSnapshot TicketIndex::tickets_of_order(std::string_view ns, std::string_view order) const {
  std::lock_guard lock(mu_);
  const auto it = namespaces_.find(ns);
  if (it == namespaces_.end()) {
    return empty_snapshot();
  }
  Namespace& entry = it->second;
  auto cached = entry.by_order.find(order);
  if (cached == entry.by_order.end()) {
    auto of_order = std::make_shared<std::vector<std::shared_ptr<const IndexedTicket>>>();
    for (const auto& [name, ticket] : entry.by_name) {
      if (ticket->order == order) {
        of_order->push_back(ticket);
      }
    }
    // Bounded by the orders with tickets in the namespace: an order without any shares the
    // empty snapshot and is not remembered.
    if (of_order->empty()) {
      return empty_snapshot();
    }
    cached = entry.by_order.emplace(std::string(order), std::move(of_order)).first;
  }
  return cached->second;
}

TicketSnapshot InformerTicketSource::tickets_in(std::string_view ns) const {
  return tickets_.tickets_in(ns);
}

TicketSnapshot InformerTicketSource::tickets_of_order(std::string_view ns,
                                                      std::string_view order) const {
  return tickets_.tickets_of_order(ns, order);
}

TicketSource::NodePtr InformerTicketSource::node(std::string_view name) const {
  return nodes_.get("", name);
}

}  // namespace korder::webhook
