#pragma once

// What the order controller knows about one slot: its memory in `status.slots` plus the
// tickets observed for it, reduced to one of five states (SlotKind). This is where the durable
// memory of DESIGN.md §2 is read: a slot whose finished ticket was TTL-deleted is still
// Finished (under refreshPolicy Never it stays consumed), and a ticket the controller decided
// to create but has not seen yet (memory phase empty) is created again under the same name,
// never under a new one, so a lagging cache can never cause a duplicate.
//
// Pure functions; safe to call from any thread.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "korder/api/order.h"
#include "korder/api/ticket.h"
#include "korder/base/clock.h"

namespace korder::order {

/// The state of a slot.
enum class SlotKind {
  /// Not remembered and no live ticket: its next ticket is `incarnation` (0 for a slot never
  /// used; one past the highest observed incarnation otherwise).
  Fresh,
  /// Remembered with an empty phase: ticket `incarnation` was decided on but has not been
  /// observed (created and the cache lags, or the create failed). Create it again, same name.
  Planned,
  /// The current ticket exists, is not being deleted, and is Pending or Ready as of now.
  Live,
  /// The current ticket is Claimed or Expired (observed, being deleted, or remembered after it
  /// was deleted).
  Finished,
  /// The current ticket was seen Pending/Ready and is being deleted or gone (deleted by someone,
  /// or by us one-at-a-time during a template change): it is recreated under every policy.
  Lost,
};

/// One slot as the planner sees it.
struct SlotView {
  std::string slot;
  /// daemonSet: the node this slot stands for.
  std::string node_name;
  SlotKind kind = SlotKind::Fresh;
  /// The current ticket's incarnation (Fresh: the incarnation to create).
  std::int64_t incarnation = 0;
  /// Live: Pending/Ready; Finished: Claimed/Expired; Lost: its last live phase; else empty.
  std::string phase;
  /// The observed current ticket (possibly being deleted), or null.
  const api::Ticket* current = nullptr;
  /// Other tickets of the slot that are live and not being deleted (older incarnations kept
  /// during a new-before-old replacement), lowest incarnation first.
  std::vector<const api::Ticket*> superseded;
  /// Another ticket of the slot is being deleted while still Pending/Ready.
  bool other_deleting = false;
  /// The slot has an entry in status.slots.
  bool remembered = false;
};

/// The order's observed tickets, indexed.
struct ObservedTickets {
  /// Tickets controlled by the order with a `korder.dev/slot` label, by slot.
  std::map<std::string, std::vector<const api::Ticket*>> by_slot;
  /// Tickets controlled by the order without a slot label.
  std::vector<const api::Ticket*> unslotted;
  /// Every ticket passed in (whatever its owner), by name: for the name-collision guard.
  std::map<std::string, const api::Ticket*> by_name;
  /// Tickets controlled by the order (for the status counts).
  std::vector<const api::Ticket*> owned;
};

/// Indexes `tickets` for the order with uid `order_uid`. The pointers point into `tickets`.
ObservedTickets index_tickets(const std::vector<std::shared_ptr<const api::Ticket>>& tickets,
                              const std::string& order_uid);

/// The `korder.dev/incarnation` label of `ticket`, or -1 when it is missing or not a
/// non-negative decimal.
std::int64_t incarnation_of(const api::Ticket& ticket);

/// `spec.window.startTime` of `ticket`, if any.
std::optional<TimePoint> start_of(const api::Ticket& ticket);

/// True when `ticket` has a deletionTimestamp.
bool is_deleting(const api::Ticket& ticket);

/// Classifies slot `slot` from its memory (null when status.slots has no entry) and its
/// observed tickets, as of `now` (see SlotKind). `node_name` is copied into the view.
SlotView classify_slot(const std::string& slot, const std::string& node_name,
                       const api::OrderSlotStatus* memory,
                       const std::vector<const api::Ticket*>& tickets, TimePoint now);

}  // namespace korder::order
