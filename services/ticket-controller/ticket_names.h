#pragma once

// The names the ticket controller reads and writes (DESIGN.md §8), and the condition types,
// condition reasons and event reasons it reports on a Ticket. Reasons are CamelCase so they
// satisfy metav1.Condition's reason pattern.

#include <string_view>

namespace korder::ticket {

inline constexpr std::string_view kLabelRole = "korder.dev/role";
inline constexpr std::string_view kRoleGuardian = "guardian";
inline constexpr std::string_view kLabelTicket = "korder.dev/ticket";
inline constexpr std::string_view kLabelOrder = "korder.dev/order";
inline constexpr std::string_view kAnnotationClaimToken = "korder.dev/claim-token";
inline constexpr std::string_view kAnnotationUnassignedReason = "korder.dev/unassigned-reason";
/// The scheduling gate the webhook puts on a claiming pod.
inline constexpr std::string_view kSchedulingGate = "korder.dev/ticket";
/// The finalizer the order controller sets on every ticket it creates.
inline constexpr std::string_view kFinalizer = "korder.dev/ticket-protection";

/// `--guardian-image`'s default.
inline constexpr std::string_view kDefaultGuardianImage = "registry.k8s.io/pause:3.10";
/// A guardian pod is named `<ticket><kGuardianSuffix>`.
inline constexpr std::string_view kGuardianSuffix = "-guardian";
inline constexpr std::string_view kGuardianContainerName = "guardian";
/// The uid and gid the guardian runs as (the pause image's `nobody`).
inline constexpr int kGuardianUser = 65535;

/// `spec.lifecycle.ttlSecondsAfterFinished` when absent (the CRD's default).
inline constexpr int kDefaultTtlSecondsAfterFinished = 3600;

/// The condition types on a Ticket.
struct TicketCondition {
  /// True exactly while the phase is Ready (capacity held by a running guardian).
  static constexpr std::string_view Ready = "Ready";
  /// Present once a hand-off has deleted the guardian: False while the pod is expected to be
  /// scheduled (reason HandOffInProgress, lastTransitionTime = when the guardian was deleted),
  /// True when it was not scheduled within the hand-off timeout or landed elsewhere.
  static constexpr std::string_view HandOffLost = "HandOffLost";
  /// True once the ticket is Claimed or Expired; its lastTransitionTime starts the TTL.
  static constexpr std::string_view Finished = "Finished";
};

/// Condition reasons.
struct TicketReason {
  static constexpr std::string_view WindowNotOpen = "WindowNotOpen";
  static constexpr std::string_view GuardianPending = "GuardianPending";
  static constexpr std::string_view GuardianRunning = "GuardianRunning";
  static constexpr std::string_view HandingOff = "HandingOff";
  static constexpr std::string_view Claimed = "Claimed";
  static constexpr std::string_view Expired = "Expired";
  static constexpr std::string_view InvalidSpec = "InvalidSpec";
  static constexpr std::string_view HandOffInProgress = "HandOffInProgress";
  static constexpr std::string_view HandOffComplete = "HandOffComplete";
  static constexpr std::string_view PodNotScheduled = "PodNotScheduled";
  static constexpr std::string_view PodBoundElsewhere = "PodBoundElsewhere";
  /// A pod that is not korder's guardian holds the guardian's name (never deleted by korder).
  static constexpr std::string_view GuardianNameTaken = "GuardianNameTaken";
};

/// Event reasons on a Ticket.
struct TicketEvent {
  static constexpr std::string_view GuardianCreated = "GuardianCreated";
  static constexpr std::string_view Ready = "Ready";
  static constexpr std::string_view HandOffStarted = "HandOffStarted";
  static constexpr std::string_view Claimed = "Claimed";
  static constexpr std::string_view HandOffLost = "HandOffLost";
  static constexpr std::string_view ClaimReleased = "ClaimReleased";
  static constexpr std::string_view Expired = "Expired";
  static constexpr std::string_view GuardianLost = "GuardianLost";
  static constexpr std::string_view PodUngated = "PodUngated";
  static constexpr std::string_view InvalidSpec = "InvalidSpec";
  static constexpr std::string_view GuardianNameTaken = "GuardianNameTaken";
};

}  // namespace korder::ticket
