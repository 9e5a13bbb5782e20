#pragma once

// The Order's status as a plan computes it: counts, slot memory, schedule times, and the
// conditions Ready / Progressing / QuotaExceeded (metav1.Condition shape), plus the events that
// condition transitions deserve. A condition keeps its lastTransitionTime while its status
// stays the same, so a converged order's status is identical from one plan to the next and the
// reconciler writes nothing. Pure functions; safe to call from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/order.h"
#include "korder/base/clock.h"
#include "slot_view.h"

namespace korder::order {

/// Condition reasons.
struct OrderReason {
  static constexpr std::string_view InvalidSpec = "InvalidSpec";
  static constexpr std::string_view TicketsReady = "TicketsReady";
  static constexpr std::string_view TicketsNotReady = "TicketsNotReady";
  static constexpr std::string_view NoReplicas = "NoReplicas";
  static constexpr std::string_view NoEligibleNodes = "NoEligibleNodes";
  static constexpr std::string_view OutsideWindow = "OutsideWindow";
  static constexpr std::string_view AllSlotsConsumed = "AllSlotsConsumed";
  static constexpr std::string_view Paused = "Paused";
  static constexpr std::string_view TicketNameCollision = "TicketNameCollision";
  static constexpr std::string_view RollingOutOneAtATime = "RollingOutOneAtATime";
  static constexpr std::string_view WaitingForQuota = "WaitingForQuota";
  static constexpr std::string_view ReplacingTickets = "ReplacingTickets";
  static constexpr std::string_view CreatingTickets = "CreatingTickets";
  static constexpr std::string_view DeletingTickets = "DeletingTickets";
  static constexpr std::string_view WaitingForTickets = "WaitingForTickets";
  static constexpr std::string_view Stable = "Stable";
  static constexpr std::string_view TicketCreationDenied = "TicketCreationDenied";
  static constexpr std::string_view WithinQuota = "WithinQuota";
};

/// An event the reconciler records on the Order (core/v1 Event type, reason, message).
struct PlannedEvent {
  std::string type;  // api::EventType::Normal or Warning
  std::string reason;
  std::string message;

  bool operator==(const PlannedEvent&) const = default;
};

/// What the conditions are computed from.
struct ConditionFacts {
  std::optional<std::string> invalid_spec;
  bool paused = false;
  bool daemon_set = false;
  bool periodic = false;
  /// The strategy's period is open now (always for OneTime).
  bool open = true;
  std::optional<TimePoint> next_fire;
  std::string refresh_policy;
  std::int32_t desired = 0;
  /// Desired slots that should hold a live ticket now, and how many of them hold a Ready one.
  std::int32_t wanted = 0;
  std::int32_t wanted_ready = 0;
  std::int32_t creates = 0;
  std::int32_t deletes = 0;
  /// A template rollout is under way (some slot holds a stale or superseded live ticket).
  bool rollout = false;
  bool one_at_a_time = false;
  /// The first name-collision error of this plan, if any.
  std::optional<std::string> collision;
  /// The recorded quota denial (message), and until when creations are held back.
  std::optional<std::string> quota_denied_message;
  std::optional<TimePoint> quota_retry_at;
};

/// The three conditions (Ready, Progressing, QuotaExceeded, in this order) for `facts`, with
/// observedGeneration `generation`; lastTransitionTime carried over from `previous` when the
/// status of a condition type is unchanged, else `now`.
std::vector<api::Condition> compute_conditions(const ConditionFacts& facts,
                                               const std::vector<api::Condition>& previous,
                                               std::int64_t generation, TimePoint now);

/// pending / ready / claimed / expired: the order's tickets that are not being deleted, by
/// effective_phase() as of `now`.
void count_tickets(const ObservedTickets& observed, TimePoint now, api::OrderStatus& status);

/// Events for condition changes from `previous` to `current`: QuotaExceeded (Warning) when
/// QuotaExceeded becomes True, QuotaAvailable (Normal) when it stops being True, and
/// RollingOutOneAtATime (Warning) when Progressing takes that reason.
std::vector<PlannedEvent> condition_events(const std::vector<api::Condition>& previous,
                                           const std::vector<api::Condition>& current);

/// The condition of `type` in `conditions`, or null.
const api::Condition* find_condition(const std::vector<api::Condition>& conditions,
                                     std::string_view type);

}  // namespace korder::order
