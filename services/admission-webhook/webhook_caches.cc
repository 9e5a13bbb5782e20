#include "webhook_caches.h"

#include "ticket_request.h"

namespace korder::webhook {

kclient::Indexers<api::Ticket> ticket_indexers() {
  kclient::Indexers<api::Ticket> indexers;
  indexers.emplace(std::string(kTicketsByOrder),
                   [](const api::Ticket& ticket) -> std::vector<std::string> {
                     const auto it = ticket.metadata.labels.find(std::string(kOrderLabel));
                     if (it == ticket.metadata.labels.end()) {
                       return {};
                     }
                     return {ticket.metadata.namespace_ + "/" + it->second};
                   });
  return indexers;
}

std::vector<TicketSource::TicketPtr> InformerTicketSource::tickets_in(std::string_view ns) const {
  return tickets_.by_index(kclient::kNamespaceIndex, ns);
}

std::vector<TicketSource::TicketPtr> InformerTicketSource::tickets_of_order(
    std::string_view ns, std::string_view order) const {
  return tickets_.by_index(kTicketsByOrder, std::string(ns) + "/" + std::string(order));
}

TicketSource::NodePtr InformerTicketSource::node(std::string_view name) const {
  return nodes_.get("", name);
}

}  // namespace korder::webhook
