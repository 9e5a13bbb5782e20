#include "order_cache.h"

#include <algorithm>

#include "korder/api/korder_group.h"
#include "korder/kclient/enqueue.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

const kclient::OwnerKind& order_owner_kind() {
  static const kclient::OwnerKind kind{std::string(api::kKorderGroup), std::string(api::kOrderKind),
                                       false};
  return kind;
}

// The order names a ticket points at (label first, then the controller owner), without
// repeats.
std::vector<std::string> order_names_of(const api::Ticket& ticket) {
  std::vector<std::string> names;
  const auto label = ticket.metadata.labels.find(std::string(kLabelOrder));
  if (label != ticket.metadata.labels.end() && !label->second.empty()) {
    names.push_back(label->second);
  }
  for (const kclient::Request& owner :
       kclient::controller_owner_requests(ticket, order_owner_kind())) {
    if (std::find(names.begin(), names.end(), owner.name) == names.end()) {
      names.push_back(owner.name);
    }
  }
  return names;
}

}  // namespace

std::string order_index_value(const std::string& namespace_, const std::string& name) {
  return namespace_ + "/" + name;
}

kclient::Indexers<api::Ticket> ticket_indexers() {
  kclient::Indexers<api::Ticket> indexers;
  indexers.emplace(std::string(kTicketsByOrderIndex), [](const api::Ticket& ticket) {
    std::vector<std::string> values;
    for (const std::string& name : order_names_of(ticket)) {
      values.push_back(order_index_value(ticket.metadata.namespace_, name));
    }
    return values;
  });
  return indexers;
}

std::vector<kclient::Request> orders_of_ticket(const api::Ticket& ticket) {
  std::vector<kclient::Request> requests;
  for (const std::string& name : order_names_of(ticket)) {
    requests.push_back(kclient::Request{ticket.metadata.namespace_, name});
  }
  return requests;
}

std::vector<std::shared_ptr<const api::Ticket>> OrderCache::tickets_of(
    const std::string& namespace_, const std::string& name) const {
  return tickets.by_index(kTicketsByOrderIndex, order_index_value(namespace_, name));
}

std::vector<kclient::Request> OrderCache::daemon_set_orders() const {
  std::vector<kclient::Request> requests;
  for (const auto& order : orders.list()) {
    if (order->spec.daemon_set.value_or(false)) {
      requests.push_back(kclient::request_for(*order));
    }
  }
  return requests;
}

}  // namespace korder::order
