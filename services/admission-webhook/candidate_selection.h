#pragma once

// Which claimable tickets can serve a pod, best first (DESIGN.md §3 step 2). Pure: the caches,
// the time and the randomness come in as arguments.

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/node.h"
#include "korder/api/pod.h"
#include "korder/api/scheduling_predicates.h"
#include "korder/api/ticket.h"
#include "korder/base/clock.h"
#include "ticket_request.h"

namespace korder::webhook {

/// What candidate selection reads of one ticket, prepared once per version of the ticket (when
/// the informer reports it) instead of once per review.
struct IndexedTicket {
  /// `node`, when given, must hold `ticket->status.node_name`: the index passes one shared
  /// string per node name, so entries of one node share its bytes and selection tells them
  /// apart by address (no compare, no read of the name). Without it the entry keeps its own.
  explicit IndexedTicket(std::shared_ptr<const api::Ticket> ticket,
                         std::shared_ptr<const std::string> node = nullptr);

  std::shared_ptr<const api::Ticket> ticket;
  /// The resources it holds, as fit scoring reads them.
  api::FitResources held;
  /// Its `korder.dev/order` label (empty without one).
  std::string order;
  /// `ticket->status.node_name` (`node`, shared with the index's other entries of that node
  /// name), and its std::hash: selection compares nodes by address, then by hash and bytes.
  /// With `expiry` and the claim facts below, what ranking reads without touching the Ticket
  /// itself (a hundred tickets are a hundred cache misses apart).
  std::shared_ptr<const std::string> node;
  std::string_view node_name;
  std::size_t node_hash = 0;

  /// ticket_claimable(*ticket, now).has_value(), from facts read once (no strings compared,
  /// no refusal built).
  bool claimable_at(TimePoint now) const {
    return claimable_shape && (!expiry || *expiry > now) &&
           (!claim_deadline || *claim_deadline <= now);
  }

  /// Not being deleted, Ready, on a node, not handed off, and without a claim that holds
  /// regardless of time (one naming a pod uid, or without a deadline).
  bool claimable_shape = false;
  /// `status.expirationTime`.
  std::optional<TimePoint> expiry;
  /// The deadline of a claim that holds only until then.
  std::optional<TimePoint> claim_deadline;
};

/// An immutable list of tickets, shared by the reviews that read it.
using TicketSnapshot = std::shared_ptr<const std::vector<std::shared_ptr<const IndexedTicket>>>;

/// Read access to the webhook's caches: the Ticket and Node informers in production, plain
/// vectors in tests. Implementations are thread-safe and never block for long.
class TicketSource {
 public:
  using NodePtr = std::shared_ptr<const api::Node>;

  virtual ~TicketSource() = default;
  /// Every ticket of namespace `ns` (never null).
  virtual TicketSnapshot tickets_in(std::string_view ns) const = 0;
  /// The tickets of namespace `ns` labelled `korder.dev/order=<order>` (never null).
  virtual TicketSnapshot tickets_of_order(std::string_view ns, std::string_view order) const = 0;
  /// The node named `name`, or null.
  virtual NodePtr node(std::string_view name) const = 0;
};

/// Whether `ticket` can be claimed at `now` (DESIGN.md §2): Ready on a node, not being deleted,
/// not expired, not handed off, and without an unexpired claim. On refusal, why (`not Ready
/// (phase Pending)`, `already claimed`, `expired`, ...).
Expected<void, std::string> ticket_claimable(const api::Ticket& ticket, TimePoint now);

/// One ticket that can serve the pod, with its best-fit score (api::fit_score: smaller fits
/// better). `ticket` lives as long as the Selection's snapshot.
struct Candidate {
  const api::Ticket* ticket = nullptr;
  std::int64_t score = 0;
};

/// The outcome of a selection: candidates best first, or (when there are none) why, as the
/// pod's `korder.dev/unassigned-reason` says it.
struct Selection {
  /// The best `limit` (select_candidates) of the tickets that can serve the pod, best first.
  std::vector<Candidate> candidates;
  /// How many tickets can serve the pod (candidates holds the best of them).
  std::size_t eligible = 0;
  std::string reason;
  /// The tickets the candidates point into.
  TicketSnapshot tickets;
};

/// The candidates among the tickets of `ns` that `request` allows: claimable ones whose held
/// resources cover the pod's effective requests and whose node admits the pod (nodeSelector,
/// required node affinity, taints vs tolerations, cordon) — ordered by fit score, then soonest
/// expiration (a ticket without one last), then a random tie-break so concurrent reviews spread
/// over equal tickets (`random()` is called once per selection; each ticket's tie-break is
/// derived from that draw and its place in the list). Only the best `limit` are ranked and
/// returned (a claim tries a few; a dry run shows one). Tickets for which `skip` is true (claims
/// in flight in this process) are left out.
Selection select_candidates(const api::Pod& pod, std::string_view ns, const TicketRequest& request,
                            const TicketSource& source, TimePoint now,
                            const std::function<bool(const api::Ticket&)>& skip,
                            const std::function<std::uint64_t()>& random,
                            std::size_t limit = std::numeric_limits<std::size_t>::max());

}  // namespace korder::webhook
