#pragma once

// Per-slot decisions (DESIGN.md §2): what each desired slot needs now, given the strategy's
// current period and refresh policy, and the template rollout. While the period is open:
//   Fresh / Planned  create the slot's ticket (Planned: the same incarnation, so the same name)
//   Live             keep it (at a new fire too: fires never stack); if its template hash is
//                    stale, create the next incarnation first (new before old)
//   Finished         at a new fire (or when a ticket carried over from an earlier period
//                    expires) create the period's ticket; otherwise replace it only if the
//                    refresh policy says so (Always: Claimed/Expired, OnClaim: Claimed, Never:
//                    nothing) — else the slot is consumed
//   Lost             recreate it (next incarnation) under every policy
// Outside an open period nothing is created. Older live tickets of a slot (superseded) are
// deleted once its current ticket is Ready or finished. When a quota has denied a ticket during
// a rollout, stale tickets are replaced old-before-new, one slot at a time (see
// step_one_at_a_time). Also the deletions of tickets in slots the order no longer wants.
// Pure functions; safe to call from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/order.h"
#include "slot_view.h"
#include "strategy.h"
#include "ticket_builder.h"

namespace korder::order {

/// Event reasons (PascalCase, as `kubectl describe order` lists them).
inline constexpr std::string_view kReasonTicketCreated = "TicketCreated";
inline constexpr std::string_view kReasonTicketReplaced = "TicketReplaced";
inline constexpr std::string_view kReasonTicketDeleted = "TicketDeleted";

/// A ticket to create, before it is built: its parameters and the event that reports it.
struct CreateIntent {
  TicketParams params;
  std::string reason;   // kReasonTicketCreated or kReasonTicketReplaced
  std::string message;  // e.g. `replacing ticket db-1a2b… (Claimed) under refreshPolicy OnClaim`
};

/// A ticket to delete and why.
struct DeleteIntent {
  const api::Ticket* ticket = nullptr;
  std::string message;  // e.g. `scaled down: slot r4 is no longer wanted`
};

/// What the planner decided for one desired slot.
struct SlotDecision {
  const SlotView* view = nullptr;
  std::optional<CreateIntent> create;
  std::vector<DeleteIntent> deletes;
  /// The slot's memory if the decision is carried out: a create records the new incarnation
  /// with an empty phase; otherwise the current incarnation and phase.
  api::OrderSlotStatus memory;
  /// The slot should hold a live ticket now (its period is open and it is not consumed).
  bool wanted = false;
  /// The slot needs a ticket but waits for the template rollout (old ticket still going).
  bool waiting = false;
  /// A template rollout step is in progress or pending in this slot.
  bool rolling = false;
};

/// The inputs every slot decision shares.
struct DecisionContext {
  const api::Order* order = nullptr;
  const OrderPolicy* policy = nullptr;
  const PeriodState* period = nullptr;
  /// The current period's fire has not been acted on yet (status.lastScheduleTime differs).
  bool new_period = false;
  std::string template_hash;
  /// Replace stale tickets old-before-new, one slot at a time (a quota denied an extra ticket).
  bool one_at_a_time = false;
  TimePoint now;
};

/// True when the slot's live tickets include one whose template hash is not the current one,
/// or an older ticket is still around (a rollout is under way in this slot).
bool rollout_pending(const SlotView& view, const std::string& template_hash);

/// Decides one slot.
SlotDecision decide_slot(const DecisionContext& ctx, const SlotView& view);

/// In one-at-a-time mode (a quota denied an extra ticket during a template rollout), when no
/// slot is busy (a creation outstanding, a deletion planned or terminating, a new ticket not
/// yet Ready), picks the next stale slot — preferring one whose old ticket is still Pending,
/// then slot order — and deletes its old ticket(s); the replacement is created once they are
/// gone (and the quota backoff has passed). Does nothing in other modes.
void step_one_at_a_time(const DecisionContext& ctx, std::vector<SlotDecision>& decisions);

/// Deletions of the live, not yet deleting tickets of the order that sit in slots outside
/// `desired` (scale-down, a node that left or no longer qualifies, a daemonSet toggle) or have
/// no slot label. Claimed and Expired tickets are left alone. Ordered Pending before Ready,
/// then replica index (highest first) or slot name.
std::vector<DeleteIntent> removals(const ObservedTickets& observed,
                                   const std::vector<SlotView>& desired, bool daemon_set,
                                   TimePoint now);

}  // namespace korder::order
