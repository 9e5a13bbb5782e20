#include "ticket_cache.h"

#include <algorithm>
#include <utility>

#include "korder/kclient/enqueue.h"
#include "ticket_names.h"

namespace korder::ticket {
namespace {

// The ticket names a pod points at: its label, then its controller owner of kind Ticket.
std::vector<std::string> ticket_names_of(const api::Pod& pod) {
  std::vector<std::string> names;
  if (const auto it = pod.metadata.labels.find(std::string(kLabelTicket));
      it != pod.metadata.labels.end() && !it->second.empty()) {
    names.push_back(it->second);
  }
  const kclient::OwnerKind owner{"core.korder.dev", "Ticket", false};
  for (const kclient::Request& request : kclient::controller_owner_requests(pod, owner)) {
    if (std::find(names.begin(), names.end(), request.name) == names.end()) {
      names.push_back(request.name);
    }
  }
  return names;
}

}  // namespace

std::string ticket_index_value(std::string_view namespace_, std::string_view name) {
  std::string value;
  value.reserve(namespace_.size() + 1 + name.size());
  value.append(namespace_).append("/").append(name);
  return value;
}

kclient::Indexers<api::Pod> pod_indexers() {
  kclient::Indexers<api::Pod> indexers;
  indexers.emplace(std::string(kPodsByTicketIndex), [](const api::Pod& pod) {
    std::vector<std::string> values;
    for (const std::string& name : ticket_names_of(pod)) {
      values.push_back(ticket_index_value(pod.metadata.namespace_, name));
    }
    return values;
  });
  return indexers;
}

kclient::Indexers<api::Ticket> ticket_indexers() {
  kclient::Indexers<api::Ticket> indexers;
  indexers.emplace(std::string(kTicketsByNodeIndex), [](const api::Ticket& ticket) {
    std::vector<std::string> values;
    if (!ticket.status.node_name.empty()) {
      values.push_back(ticket.status.node_name);
    }
    return values;
  });
  return indexers;
}

std::vector<kclient::Request> tickets_of_pod(const api::Pod& pod) {
  std::vector<kclient::Request> requests;
  for (std::string& name : ticket_names_of(pod)) {
    requests.push_back(kclient::Request{pod.metadata.namespace_, std::move(name)});
  }
  return requests;
}

std::vector<std::shared_ptr<const api::Pod>> TicketCache::pods_of(std::string_view namespace_,
                                                                  std::string_view name) const {
  return pods.by_index(kPodsByTicketIndex, ticket_index_value(namespace_, name));
}

std::vector<kclient::Request> TicketCache::tickets_on_node(std::string_view node) const {
  std::vector<kclient::Request> requests;
  for (const auto& ticket : tickets.by_index(kTicketsByNodeIndex, node)) {
    requests.push_back(kclient::request_for(*ticket));
  }
  return requests;
}

}  // namespace korder::ticket
