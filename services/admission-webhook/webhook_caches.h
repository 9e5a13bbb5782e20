#pragma once

// The TicketSource over the webhook's informers: tickets indexed by namespace (built in) and
// by `namespace/order`, nodes by name.

#include <string>
#include <string_view>
#include <vector>

#include "candidate_selection.h"
#include "korder/api/order.h"
#include "korder/kclient/informer.h"
#include "korder/kclient/store.h"

namespace korder::webhook {

/// The name of the ticket index by `<namespace>/<korder.dev/order label>`.
inline constexpr std::string_view kTicketsByOrder = "tickets_by_order";

/// The indexers to register on the Ticket informer before it starts.
kclient::Indexers<api::Ticket> ticket_indexers();

/// Reads the stores of the Ticket and Node informers. Thread-safe (the stores are).
class InformerTicketSource final : public TicketSource {
 public:
  InformerTicketSource(const kclient::Store<api::Ticket>& tickets,
                       const kclient::Store<api::Node>& nodes)
      : tickets_(tickets), nodes_(nodes) {}

  std::vector<TicketPtr> tickets_in(std::string_view ns) const override;
  std::vector<TicketPtr> tickets_of_order(std::string_view ns,
                                          std::string_view order) const override;
  NodePtr node(std::string_view name) const override;

 private:
  const kclient::Store<api::Ticket>& tickets_;
  const kclient::Store<api::Node>& nodes_;
};

}  // namespace korder::webhook
