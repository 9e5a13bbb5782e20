#pragma once

// plan(): the order controller's business rules as one pure function (STYLE.md §3 "Reconciler
// shape"): from an Order, its observed tickets, the nodes and the time, compute the tickets to
// create and delete, the Order's status, the events to record and when to look again.
// DESIGN.md §2 is the specification; every rule is in the files this one calls:
//   strategy.h       which period is open (OneTime / Scheduled windows / Recurring top-ups)
//   slot_selection.h which slots are wanted (replicas with scale-down order, daemonSet nodes)
//   slot_view.h      the state of a slot from its memory (status.slots) and its tickets
//   slot_decisions.h what each slot needs (refresh policy, template rollout, removals)
//   order_status.h   counts, conditions and their events
//   ticket_builder.h the ticket objects; ticket_naming.h their deterministic names
//
// Applying a plan (the reconciler's job): create each ticket (AlreadyExists: read it and pass it
// to check_same_ticket(); a mismatch is a hash collision to report, never a filled slot), delete
// with uid + resourceVersion preconditions (NotFound and Conflict are fine: the next plan sees
// the new state), record each action's event after the action succeeded, record `events`, write
// `status` through the status subresource only when it differs from the observed one, and
// requeue after `requeue_after`. A create that a quota denies (403 whose message contains
// `korder quota exceeded:`) stops the remaining creates and is recorded as the QuotaDenial of
// the next PlanInput; the first create that succeeds clears it. Plans are idempotent: on a
// converged world a plan has no creates, deletes or events and the same status.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "korder/api/node.h"
#include "korder/api/order.h"
#include "korder/api/ticket.h"
#include "korder/base/clock.h"
#include "order_status.h"

namespace korder::order {

/// The default interval between retries of a ticket creation a quota denied (DESIGN.md §2).
inline constexpr std::chrono::seconds kDefaultQuotaRetryInterval{30};

/// The reconciler's record of the last quota denial of a ticket creation for this order.
struct QuotaDenial {
  /// When the denied create was answered.
  TimePoint at;
  /// The API server's message (it contains `korder quota exceeded: …`).
  std::string message;
};

/// What a plan is computed from. Pointers must be non-null (null tickets and nodes are
/// skipped); the plan does not keep them.
struct PlanInput {
  std::shared_ptr<const api::Order> order;
  /// The order's tickets from the cache (by label or owner), including ones being deleted.
  /// Tickets not controlled by the order are used only to detect name collisions.
  std::vector<std::shared_ptr<const api::Ticket>> tickets;
  /// Every node (used in daemonSet mode; eligibility is decided here).
  std::vector<std::shared_ptr<const api::Node>> nodes;
  TimePoint now;
  /// The last denied creation, until a creation succeeds.
  std::optional<QuotaDenial> quota_denial;
  /// Creations are held back until quota_denial->at + this.
  std::chrono::nanoseconds quota_retry_interval = kDefaultQuotaRetryInterval;
};

/// A ticket to create, and the event to record once it is created.
struct TicketCreate {
  api::Ticket ticket;
  PlannedEvent event;  // TicketCreated or TicketReplaced
};

/// A ticket to delete with preconditions (uid, resourceVersion), and the event to record once
/// it is deleted.
struct TicketDelete {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string resource_version;
  PlannedEvent event;  // TicketDeleted
};

/// The result of plan().
struct Plan {
  /// In slot order.
  std::vector<TicketCreate> creates;
  /// Pending before Ready; replicas highest index first.
  std::vector<TicketDelete> deletes;
  /// The complete desired status (counts, slots, schedule times, conditions,
  /// observedGeneration).
  api::OrderStatus status;
  /// Events not tied to one action: ScheduleFired, QuotaExceeded, QuotaAvailable,
  /// RollingOutOneAtATime, TicketNameCollision.
  std::vector<PlannedEvent> events;
  /// The next time the plan changes without any object changing: the next cron fire, the
  /// end of the open period, a live ticket's expiration, the quota retry. nullopt: none.
  std::optional<std::chrono::nanoseconds> requeue_after;
  /// Problems the reconciler should report as a failed reconcile (requeued with backoff): an
  /// invalid spec, a ticket name collision.
  std::vector<std::string> errors;

  /// True when the plan creates or deletes something.
  bool has_actions() const { return !creates.empty() || !deletes.empty(); }
};

/// Computes the plan for `input` (see the header comment). Precondition (checked): input.order
/// is not null.
Plan plan(const PlanInput& input);

}  // namespace korder::order
