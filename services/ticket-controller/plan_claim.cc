// The hand-off (DESIGN.md §3 steps 5–7 and the claim rows of its writer table): find the pod a
// claim designates, record it, pin and ungate it, delete the guardian, watch the pod get bound,
// release claims whose pod never came (checked with a live LIST), and ungate every pod that no
// claim hands off to.

#include <string>
#include <utility>

#include "conditions.h"
#include "korder/api/event.h"
#include "plan_internal.h"
#include "pod_patches.h"
#include "pod_state.h"

namespace korder::ticket::detail {
namespace {

constexpr std::string_view kNormal = api::EventType::Normal;
constexpr std::string_view kWarning = api::EventType::Warning;
constexpr std::string_view kTrue = api::ConditionStatus::True;
constexpr std::string_view kFalse = api::ConditionStatus::False;

// When an unresolved claim is given up: its recorded deadline, else claimedAt plus the default
// deadline; a claim with neither is already past its deadline.
TimePoint claim_deadline(const api::TicketClaim& claim, const TicketPlanOptions& options) {
  if (claim.deadline) {
    return *claim.deadline;
  }
  if (claim.claimed_at) {
    return *claim.claimed_at + options.claim_deadline;
  }
  return TimePoint{};
}

bool created_before(const api::Pod& a, const api::Pod& b) {
  const auto& ta = a.metadata.creation_timestamp;
  const auto& tb = b.metadata.creation_timestamp;
  if (ta != tb) {
    return ta && (!tb || *ta < *tb);
  }
  return a.metadata.name < b.metadata.name;
}

// The pod the claim designates among the searched pods: labelled for the ticket, not being
// deleted, carrying the claim's token and — once recorded — its uid (before that, its name
// when the webhook knew one). Of several, the oldest.
const api::Pod* find_claim_pod(const PlanContext& ctx, const api::TicketClaim& claim) {
  const api::Pod* best = nullptr;
  for (const auto& pod : ctx.pods) {
    if (!is_labelled_for(pod, ctx.ticket()) || is_deleting(pod) ||
        claim_token(pod) != claim.token) {
      continue;
    }
    const bool designated = !claim.pod_uid.empty()
                                ? pod.metadata.uid == claim.pod_uid
                                : claim.pod_name.empty() || pod.metadata.name == claim.pod_name;
    if (designated && (best == nullptr || created_before(pod, *best))) {
      best = &pod;
    }
  }
  return best;
}

std::string claim_who(const api::TicketClaim& claim) {
  if (!claim.pod_name.empty()) {
    return "pod " + claim.pod_namespace + "/" + claim.pod_name;
  }
  if (!claim.pod_generate_name.empty()) {
    return "a pod with generateName " + claim.pod_namespace + "/" + claim.pod_generate_name;
  }
  return "an unnamed pod";
}

void complete_handoff(const PlanContext& ctx, PlanDraft& draft, const api::Pod& pod) {
  auto& status = draft.status;
  status.phase = std::string(api::TicketPhase::Claimed);
  status.claimed_pod = pod_key(pod);
  const std::string bound = "pod " + pod_key(pod) + " is bound to node " + pod.spec.node_name;
  if (pod.spec.node_name == status.node_name) {
    draft.condition(ctx, TicketCondition::HandOffLost, kFalse, TicketReason::HandOffComplete,
                    bound);
  } else {
    const std::string lost = "pod " + pod_key(pod) + " was bound to node " + pod.spec.node_name +
                             ", not to the ticket's node " + status.node_name;
    draft.condition(ctx, TicketCondition::HandOffLost, kTrue, TicketReason::PodBoundElsewhere,
                    lost);
    draft.event(kWarning, TicketEvent::HandOffLost, lost);
  }
  draft.condition(ctx, TicketCondition::Ready, kFalse, TicketReason::Claimed,
                  "the capacity was handed to pod " + pod_key(pod));
  draft.condition(ctx, TicketCondition::Finished, kTrue, TicketReason::Claimed,
                  "claimed by pod " + pod_key(pod));
  draft.event(kNormal, TicketEvent::Claimed, bound);
  plan_finished(ctx, draft);
}

// After the guardian's deletion: HandOffLost is False (HandOffInProgress) from that moment and
// turns True when the pod is still unscheduled `handoff_timeout` later.
void watch_handoff(const PlanContext& ctx, PlanDraft& draft, const api::Pod& pod) {
  auto& conditions = draft.status.conditions;
  const auto* lost = find_condition(conditions, TicketCondition::HandOffLost);
  if (lost != nullptr && lost->status == kTrue) {
    return;  // reported; the pod stays pinned until capacity frees
  }
  const std::string& node = draft.status.node_name;
  if (lost == nullptr || lost->reason != TicketReason::HandOffInProgress) {
    remove_condition(conditions, TicketCondition::HandOffLost);  // a stale one restarts the clock
    draft.condition(ctx, TicketCondition::HandOffLost, kFalse, TicketReason::HandOffInProgress,
                    "guardian pod " + ctx.guardian_name + " deleted; waiting for pod " +
                        pod_key(pod) + " to be scheduled on node " + node);
    lost = find_condition(conditions, TicketCondition::HandOffLost);
  }
  const auto timeout = ctx.in.options.handoff_timeout;
  const TimePoint deadline = lost->last_transition_time.value_or(ctx.stamp) + timeout;
  if (ctx.now < deadline) {
    draft.requeue(deadline);
    return;
  }
  const std::string message = "pod " + pod_key(pod) + " is still not scheduled " +
                              std::to_string(timeout.count()) + "s after guardian pod " +
                              ctx.guardian_name + " was deleted; it stays pinned to node " + node +
                              " until capacity frees there";
  draft.condition(ctx, TicketCondition::HandOffLost, kTrue, TicketReason::PodNotScheduled, message);
  draft.event(kWarning, TicketEvent::HandOffLost, message);
}

// The claim's pod is recorded in the status: pin and ungate it, then let the guardian go.
void continue_handoff(const PlanContext& ctx, PlanDraft& draft, const api::Pod& pod) {
  draft.handoff_pod_uid = pod.metadata.uid;
  if (is_bound(pod)) {
    complete_handoff(ctx, draft, pod);
    return;
  }
  const std::string& node = draft.status.node_name;
  draft.condition(ctx, TicketCondition::Ready, kTrue, TicketReason::HandingOff,
                  "handing the capacity on node " + node + " to pod " + pod_key(pod));
  if (has_korder_gate(pod)) {
    draft.handoff = PatchPod{PodPatchKind::HandOff, pod.metadata.namespace_, pod.metadata.name,
                             handoff_patch(pod, node)};
  }
  if (!other_gates(pod).empty()) {
    return;  // the pod cannot be scheduled yet: the guardian keeps holding until it can
  }
  delete_guardian_if_present(ctx, draft);
  watch_handoff(ctx, draft, pod);
}

// A gated pod with the claim's token appeared: record it before anything touches the pod.
void start_handoff(const PlanContext& ctx, PlanDraft& draft, const api::Pod& pod) {
  auto& claim = *draft.status.claim;
  claim.pod_name = pod.metadata.name;
  claim.pod_uid = pod.metadata.uid;
  if (claim.pod_namespace.empty()) {
    claim.pod_namespace = pod.metadata.namespace_;
  }
  draft.event(kNormal, TicketEvent::HandOffStarted,
              "handing the capacity on node " + draft.status.node_name + " to pod " + pod_key(pod));
  continue_handoff(ctx, draft, pod);
}

VerifyClaimPodAbsent verify_request(const PlanContext& ctx, const api::TicketClaim& claim) {
  const auto& meta = ctx.ticket().metadata;
  return VerifyClaimPodAbsent{meta.namespace_, std::string(kLabelTicket) + "=" + meta.name,
                              claim.token};
}

// The hand-off started (the pod's uid is recorded) and the pod is not in the cache.
void plan_handoff_without_pod(const PlanContext& ctx, PlanDraft& draft) {
  const auto& claim = *draft.status.claim;
  if (!ctx.live_checked()) {
    draft.verify = verify_request(ctx, claim);
    return;
  }
  release_claim(ctx, draft, claim_who(claim) + " was deleted before it was scheduled", kWarning);
  plan_ready_unclaimed(ctx, draft);  // the guardian is gone: back to Pending, or Expired
}

}  // namespace

void plan_claimed_ready(const PlanContext& ctx, PlanDraft& draft) {
  const api::TicketClaim claim = *draft.status.claim;
  const api::Pod* pod = find_claim_pod(ctx, claim);
  if (!claim.pod_uid.empty()) {
    if (pod != nullptr) {
      continue_handoff(ctx, draft, *pod);
    } else {
      plan_handoff_without_pod(ctx, draft);
    }
    return;
  }
  if (const auto why = guardian_loss(ctx, draft.status)) {
    release_claim(ctx, draft, "the ticket lost its capacity before the hand-off: " + *why,
                  kWarning);
    if (ctx.now >= *draft.status.expiration_time) {
      expire(ctx, draft);
    } else {
      become_pending(ctx, draft, *why);
    }
    return;
  }
  if (pod != nullptr) {
    start_handoff(ctx, draft, *pod);
    return;
  }
  const TimePoint deadline = claim_deadline(claim, ctx.in.options);
  if (ctx.now < deadline) {
    draft.requeue(deadline);  // the pod may still be on its way (expiry waits for it too)
    return;
  }
  if (!ctx.live_checked()) {
    draft.verify = verify_request(ctx, claim);
    return;
  }
  release_claim(
      ctx, draft,
      "no pod with the claim's token exists after the claim deadline " + show_time(deadline),
      kNormal);
  plan_ready_unclaimed(ctx, draft);
}

void release_claim(const PlanContext& /*ctx*/, PlanDraft& draft, const std::string& why,
                   std::string_view event_type) {
  auto& status = draft.status;
  draft.released_token = status.claim->token;
  draft.released_why = why;
  draft.event(event_type, TicketEvent::ClaimReleased,
              "released the claim of " + claim_who(*status.claim) + ": " + why);
  status.claim.reset();
  remove_condition(status.conditions, TicketCondition::HandOffLost);
}

void plan_stray_pods(const PlanContext& ctx, PlanDraft& draft, bool ticket_deleting) {
  const auto& ticket = ctx.ticket();
  const std::string& phase = draft.status.phase;
  const bool finished = phase == api::TicketPhase::Claimed || phase == api::TicketPhase::Expired;
  const std::string subject = "ticket " + ticket.metadata.name;
  for (const auto& pod : ctx.pods) {
    if (!is_labelled_for(pod, ticket) || is_deleting(pod) || !has_korder_gate(pod) ||
        (!draft.handoff_pod_uid.empty() && pod.metadata.uid == draft.handoff_pod_uid)) {
      continue;
    }
    std::string why;
    if (ticket_deleting) {
      why = subject + " was deleted before the hand-off";
    } else if (!draft.released_token.empty() && claim_token(pod) == draft.released_token) {
      why = subject + " released the claim: " + draft.released_why;
    } else if (finished) {
      why = subject + " is already " + phase;
    } else {
      // The ticket cache may lag the pod cache (the webhook writes the claim before the pod
      // exists), so a token we do not know gets the claim deadline to show up on the ticket.
      const auto& created = pod.metadata.creation_timestamp;
      if (created && ctx.now < *created + ctx.in.options.claim_deadline) {
        draft.requeue(*created + ctx.in.options.claim_deadline);
        continue;
      }
      why = draft.status.claim ? "the pod's claim token does not match the claim on " + subject
                               : subject + " has no claim for this pod";
    }
    draft.ungates.push_back(PatchPod{PodPatchKind::Ungate, pod.metadata.namespace_,
                                     pod.metadata.name, ungate_patch(pod, why)});
    draft.event(kNormal, TicketEvent::PodUngated,
                "removed the scheduling gate " + std::string(kSchedulingGate) + " from pod " +
                    pod_key(pod) + ": " + why);
  }
}

}  // namespace korder::ticket::detail
