#pragma once

// Which claimable tickets can serve a pod, best first (DESIGN.md §3 step 2). Pure: the caches,
// the time and the randomness come in as arguments.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/node.h"
#include "korder/api/pod.h"
#include "korder/api/ticket.h"
#include "korder/base/clock.h"
#include "ticket_request.h"

namespace korder::webhook {

/// Read access to the webhook's caches: the Ticket and Node informers in production, plain
/// vectors in tests. Implementations are thread-safe and never block for long.
class TicketSource {
 public:
  using TicketPtr = std::shared_ptr<const api::Ticket>;
  using NodePtr = std::shared_ptr<const api::Node>;

  virtual ~TicketSource() = default;
  /// Every ticket of namespace `ns`.
  virtual std::vector<TicketPtr> tickets_in(std::string_view ns) const = 0;
  /// The tickets of namespace `ns` labelled `korder.dev/order=<order>`.
  virtual std::vector<TicketPtr> tickets_of_order(std::string_view ns,
                                                  std::string_view order) const = 0;
  /// The node named `name`, or null.
  virtual NodePtr node(std::string_view name) const = 0;
};

/// Whether `ticket` can be claimed at `now` (DESIGN.md §2): Ready on a node, not being deleted,
/// not expired, not handed off, and without an unexpired claim. On refusal, why (`not Ready
/// (phase Pending)`, `already claimed`, `expired`, ...).
Expected<void, std::string> ticket_claimable(const api::Ticket& ticket, TimePoint now);

/// One ticket that can serve the pod, with its best-fit score (api::fit_score: smaller fits
/// better).
struct Candidate {
  std::shared_ptr<const api::Ticket> ticket;
  std::int64_t score = 0;
};

/// The outcome of a selection: candidates best first, or (when there are none) why, as the
/// pod's `korder.dev/unassigned-reason` says it.
struct Selection {
  std::vector<Candidate> candidates;
  std::string reason;
};

/// The candidates among the tickets of `ns` that `request` allows: claimable ones whose held
/// resources cover the pod's effective requests and whose node admits the pod (nodeSelector,
/// required node affinity, taints vs tolerations, cordon) — ordered by fit score, then soonest
/// expiration (a ticket without one last), then `random()` as tie-break so concurrent reviews
/// spread over equal tickets. Tickets for which `skip` is true (claims in flight in this
/// process) are left out.
Selection select_candidates(const api::Pod& pod, std::string_view ns, const TicketRequest& request,
                            const TicketSource& source, TimePoint now,
                            const std::function<bool(const api::Ticket&)>& skip,
                            const std::function<std::uint64_t()>& random);

}  // namespace korder::webhook
