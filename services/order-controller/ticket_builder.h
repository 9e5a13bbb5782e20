#pragma once

// Building the Ticket objects an Order asks for, and reading back what matters about observed
// tickets (expiration, phase as of now). DESIGN.md §2: a ticket is owned by its Order
// (controller ownerReference), carries the template's labels and annotations plus korder's
// labels, is created with the finalizer `korder.dev/ticket-protection`, and has the template's
// spec with `window.startTime` chosen by the strategy. A ticket bound to one node (daemonSet,
// or a template `nodeName`) is pinned with a required node-affinity `matchFields metadata.name`
// term, never with `spec.nodeName`.
//
// All functions are pure and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "korder/api/order.h"
#include "korder/api/ticket.h"
#include "korder/base/clock.h"
#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::order {

/// Everything about one ticket that is not in its order.
struct TicketParams {
  /// `r<index>` or `n-<hash>`.
  std::string slot;
  /// daemonSet: the node the slot stands for (annotation `korder.dev/node`, and the pin).
  std::string node_name;
  std::int64_t incarnation = 0;
  /// Scheduled/Recurring: the fire of the ticket's window (hashed into its name).
  std::optional<TimePoint> fire;
  /// `spec.window.startTime` of the ticket; absent means "from its creation".
  std::optional<TimePoint> start_time;
  /// template_hash() of the order's template (passed in so a plan hashes it once).
  std::string template_hash;
};

/// The Ticket for `order` and `params`: apiVersion/kind, name (ticket_name()), the order's
/// namespace, labels (the template's, then `korder.dev/order`, `korder.dev/slot`,
/// `korder.dev/incarnation`, `korder.dev/template-hash`, which win over template labels of the
/// same key), annotations (the template's, plus `korder.dev/node` for a node slot), the
/// controller ownerReference (blockOwnerDeletion), the finalizer, and the template's spec with
/// `window.startTime` = params.start_time and a node pin (pin_to_node()) for params.node_name
/// and for a template `nodeName` (which is cleared). No status.
api::Ticket build_ticket(const api::Order& order, const TicketParams& params);

/// Adds the requirement `matchFields: metadata.name In [node_name]` to every term of the
/// required node affinity of `spec` (so each alternative the template allows still applies, now
/// on that node only), or creates a required node affinity with that one term when there is
/// none or it has no terms. A term that already has exactly this requirement is left as is.
void pin_to_node(api::TicketSpec& spec, std::string_view node_name);

/// `spec.window.startTime` of a OneTime ticket: the template's startTime for the slot's first
/// incarnation (the user's explicit window), and for a later incarnation only while that start
/// is still in the future; otherwise absent, so a replacement lives `duration` from its creation
/// (DESIGN.md §2 "Expiration of replacements").
std::optional<TimePoint> one_time_start(const api::TicketSpec& template_spec,
                                        std::int64_t incarnation, TimePoint now);

/// A ticket's expiration as fixed at creation: `spec.window.startTime` (or `created_at` when it
/// has none) + `spec.duration`. Error: the duration does not parse.
Expected<TimePoint, ParseError> expiration_of(const api::Ticket& ticket, TimePoint created_at);

/// The expiration of an observed ticket: `status.expirationTime` when the ticket controller has
/// set it, else expiration_of(ticket, creationTimestamp). nullopt when neither can be known
/// (no creation timestamp and no start time, or a bad duration).
std::optional<TimePoint> observed_expiration(const api::Ticket& ticket);

/// The phase of an observed ticket as of `now`: `status.phase`, with an empty phase read as
/// Pending, and a Pending or Ready ticket whose expiration has passed (≤ now) read as Expired
/// even before the ticket controller writes it — unless it has a claim in flight, whose
/// outcome (Claimed, or Ready again) decides (DESIGN.md §2: an expiry during a claim waits).
std::string_view effective_phase(const api::Ticket& ticket, TimePoint now);

/// True for Pending and Ready: a ticket that holds (or is acquiring) capacity.
bool is_live_phase(std::string_view phase);

/// True when `ticket` has the controller ownerReference of the order with uid `order_uid`.
bool owned_by(const api::Ticket& ticket, std::string_view order_uid);

/// Whether `existing` (found under the name of `wanted`, e.g. after AlreadyExists) is the ticket
/// `wanted` describes: same controller owner uid, `korder.dev/slot` and
/// `korder.dev/incarnation`. An error names the difference; a reconciler must then report a
/// hash collision instead of counting the slot as filled (DESIGN.md §2 "Names").
Expected<void, std::string> check_same_ticket(const api::Ticket& existing,
                                              const api::Ticket& wanted);

}  // namespace korder::order
