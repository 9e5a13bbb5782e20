#pragma once

// Private to plan*.cc: the read-only context of one plan() call and the draft it fills in.
// plan.cc assembles the draft into a TicketPlan in the documented action order.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/pod.h"
#include "korder/api/ticket.h"
#include "korder/base/clock.h"
#include "plan.h"

namespace korder::ticket::detail {

/// What one plan() call looks at.
struct PlanContext {
  const TicketPlanInput& in;
  /// The pods to search: the live LIST result when there is one, else the cache's.
  const std::vector<api::Pod>& pods;
  /// `in.now`, exact (deadlines are compared with it).
  TimePoint now;
  /// `in.now` truncated to whole seconds: the value every timestamp written gets.
  TimePoint stamp;
  std::int64_t generation = 0;
  std::string guardian_name;

  const api::Ticket& ticket() const { return in.ticket; }
  const std::optional<api::Pod>& guardian() const { return in.guardian; }
  bool live_checked() const { return in.live_list_result.has_value(); }
};

/// The plan under construction. `status` starts as the ticket's current status; the plan writes
/// it only if it ends up different.
struct PlanDraft {
  api::TicketStatus status;
  std::optional<PatchPod> handoff;
  std::optional<DeleteGuardian> delete_guardian;
  std::optional<CreateGuardian> create_guardian;
  std::vector<PatchPod> ungates;
  std::optional<DeleteTicket> delete_ticket;
  std::optional<RemoveFinalizer> remove_finalizer;
  std::vector<RecordEvent> events;
  std::optional<TimePoint> requeue_at;
  /// The plan waits on something outside the controller (TicketPlan::backoff).
  bool backoff = false;
  /// When set, the plan is only this request for a live LIST.
  std::optional<VerifyClaimPodAbsent> verify;
  /// The uid of the pod the claim is being handed to in this plan (never a stray).
  std::string handoff_pod_uid;
  /// A claim token released by this plan, and why: its pods are ungated at once.
  std::string released_token;
  std::string released_why;

  /// Keeps the earliest of the times asked for.
  void requeue(TimePoint at);
  void event(std::string_view type, std::string_view reason, std::string message);
  /// Sets a condition on `status` with the plan's generation and stamp.
  void condition(const PlanContext& ctx, std::string_view type, std::string_view status_value,
                 std::string_view reason, std::string message);
};

// ---- plan_lifecycle.cc: Pending, Ready without a claim, Expired, Claimed/Expired cleanup ------

/// Fixes `status.expirationTime` once (window start, else creation, plus duration, rounded up
/// to a whole second). False when the duration is invalid; the status then says so.
bool ensure_expiration(const PlanContext& ctx, PlanDraft& draft);
/// Pending: open the window, create the guardian, promote to Ready when it runs.
void plan_pending(const PlanContext& ctx, PlanDraft& draft);
/// Ready with no claim: expire, or fall back to Pending when the guardian is lost.
void plan_ready_unclaimed(const PlanContext& ctx, PlanDraft& draft);
/// Why the guardian of a Ready ticket no longer holds its capacity (`was deleted`, ...), or
/// nullopt when it still does.
std::optional<std::string> guardian_loss(const PlanContext& ctx, const api::TicketStatus& status);
/// Ready → Pending after a guardian loss: event, status, replace the guardian.
void become_pending(const PlanContext& ctx, PlanDraft& draft, const std::string& why);
/// → Expired: status, guardian deletion, event, then plan_finished().
void expire(const PlanContext& ctx, PlanDraft& draft);
/// Claimed/Expired: the guardian must be gone; the TTL decides the ticket's deletion.
void plan_finished(const PlanContext& ctx, PlanDraft& draft);
/// Plans the guardian's deletion (grace 0, uid precondition) unless it is absent or going.
void delete_guardian_if_present(const PlanContext& ctx, PlanDraft& draft);
/// Sets the Ready condition to True, reason GuardianRunning.
void mark_holding(const PlanContext& ctx, PlanDraft& draft);
/// True when the cached guardian is a pod korder must leave alone (foreign_guardian_why).
bool guardian_is_foreign(const PlanContext& ctx);

// ---- plan_claim.cc: the hand-off (DESIGN.md §3 steps 5–7) ------------------------------------

/// Ready with a claim: hand off, wait for the pod, ask for a live LIST, or release the claim.
void plan_claimed_ready(const PlanContext& ctx, PlanDraft& draft);
/// Clears the claim (and HandOffLost), remembering its token so its pods are ungated at once.
void release_claim(const PlanContext& ctx, PlanDraft& draft, const std::string& why,
                   std::string_view event_type);
/// Ungates gated pods labelled for the ticket that no claim of this plan hands off to.
/// `ticket_deleting`: every such pod, at once.
void plan_stray_pods(const PlanContext& ctx, PlanDraft& draft, bool ticket_deleting);

/// `t` as RFC 3339 for messages.
std::string show_time(TimePoint t);

}  // namespace korder::ticket::detail
