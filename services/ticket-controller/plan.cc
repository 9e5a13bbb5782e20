#include "plan.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "conditions.h"
#include "korder/api/time.h"
#include "plan_internal.h"
#include "pod_patches.h"
#include "pod_state.h"

namespace korder::ticket {
namespace detail {

void PlanDraft::requeue(TimePoint at) {
  if (!requeue_at || at < *requeue_at) {
    requeue_at = at;
  }
}

void PlanDraft::event(std::string_view type, std::string_view reason, std::string message) {
  events.push_back(RecordEvent{std::string(type), std::string(reason), std::move(message)});
}

void PlanDraft::condition(const PlanContext& ctx, std::string_view type,
                          std::string_view status_value, std::string_view reason,
                          std::string message) {
  set_condition(status.conditions, type, status_value, reason, std::move(message), ctx.generation,
                ctx.stamp);
}

std::string show_time(TimePoint t) { return api::format_rfc3339(t); }

}  // namespace detail

namespace {

using detail::PlanContext;
using detail::PlanDraft;

bool has_finalizer(const api::ObjectMeta& meta) {
  return std::find(meta.finalizers.begin(), meta.finalizers.end(), kFinalizer) !=
         meta.finalizers.end();
}

// DESIGN.md §3, last row: guardian first, then every gated pod, then the finalizer — removed
// only once the guardian is gone from the cache.
void plan_deletion(const PlanContext& ctx, PlanDraft& draft) {
  const auto& guardian = ctx.guardian();
  detail::delete_guardian_if_present(ctx, draft);
  detail::plan_stray_pods(ctx, draft, /*ticket_deleting=*/true);
  // A foreign pod under the guardian's name is not ours to wait for.
  if (!guardian || detail::guardian_is_foreign(ctx)) {
    if (auto patch = remove_finalizer_patch(ctx.ticket().metadata)) {
      draft.remove_finalizer = RemoveFinalizer{*std::move(patch)};
    }
  }
}

void plan_live_ticket(const PlanContext& ctx, PlanDraft& draft) {
  auto& status = draft.status;
  status.observed_generation = ctx.generation;
  if (status.claim && status.claim->token.empty() && status.phase != api::TicketPhase::Claimed) {
    status.claim.reset();  // a claim without a token identifies no pod
  }
  if (status.phase == api::TicketPhase::Claimed || status.phase == api::TicketPhase::Expired) {
    detail::plan_finished(ctx, draft);
  } else if (!detail::ensure_expiration(ctx, draft)) {
    return;
  } else if (status.phase == api::TicketPhase::Ready) {
    if (status.claim) {
      detail::plan_claimed_ready(ctx, draft);
    } else {
      detail::plan_ready_unclaimed(ctx, draft);
    }
  } else {
    detail::plan_pending(ctx, draft);
  }
  if (!draft.verify) {
    detail::plan_stray_pods(ctx, draft, /*ticket_deleting=*/false);
  }
}

TicketPlan assemble(const PlanContext& ctx, PlanDraft&& draft) {
  TicketPlan plan;
  if (draft.verify) {
    plan.actions.emplace_back(*std::move(draft.verify));
    return plan;
  }
  auto& actions = plan.actions;
  if (draft.status != ctx.ticket().status) {
    actions.emplace_back(UpdateTicketStatus{std::move(draft.status)});
  }
  if (draft.handoff) {
    actions.emplace_back(*std::move(draft.handoff));
  }
  if (draft.delete_guardian) {
    actions.emplace_back(*std::move(draft.delete_guardian));
  }
  if (draft.create_guardian) {
    actions.emplace_back(*std::move(draft.create_guardian));
  }
  for (auto& ungate : draft.ungates) {
    actions.emplace_back(std::move(ungate));
  }
  if (draft.delete_ticket) {
    actions.emplace_back(*std::move(draft.delete_ticket));
  }
  if (draft.remove_finalizer) {
    actions.emplace_back(*std::move(draft.remove_finalizer));
  }
  for (auto& event : draft.events) {
    actions.emplace_back(std::move(event));
  }
  if (draft.requeue_at && *draft.requeue_at > ctx.now) {
    plan.requeue_after =
        std::chrono::duration_cast<std::chrono::nanoseconds>(*draft.requeue_at - ctx.now);
  }
  plan.backoff = draft.backoff;
  return plan;
}

}  // namespace

TicketPlan plan(const TicketPlanInput& input) {
  const PlanContext ctx{
      .in = input,
      .pods = input.live_list_result ? *input.live_list_result : input.pods,
      .now = input.now,
      .stamp = std::chrono::floor<std::chrono::seconds>(input.now),
      .generation = input.ticket.metadata.generation.value_or(0),
      .guardian_name = guardian_pod_name(input.ticket.metadata.name),
  };
  const auto& meta = input.ticket.metadata;
  PlanDraft draft;
  draft.status = input.ticket.status;
  if (meta.deletion_timestamp) {
    plan_deletion(ctx, draft);
  } else if (!has_finalizer(meta)) {
    // kube-rs's finalizer table: add it first, act on the next pass.
    TicketPlan plan;
    plan.actions.emplace_back(AddFinalizer{add_finalizer_patch(meta)});
    return plan;
  } else {
    plan_live_ticket(ctx, draft);
  }
  return assemble(ctx, std::move(draft));
}

TicketPlan plan_orphaned_pods(std::string_view namespace_, std::string_view ticket_name,
                              const std::vector<api::Pod>& pods) {
  api::Ticket gone;
  gone.metadata.namespace_ = std::string(namespace_);
  gone.metadata.name = std::string(ticket_name);
  const std::string why = "ticket " + gone.metadata.name + " no longer exists";
  TicketPlan plan;
  for (const auto& pod : pods) {
    if (is_labelled_for(pod, gone) && !is_deleting(pod) && has_korder_gate(pod)) {
      plan.actions.emplace_back(PatchPod{PodPatchKind::Ungate, pod.metadata.namespace_,
                                         pod.metadata.name, ungate_patch(pod, why)});
    }
  }
  return plan;
}

}  // namespace korder::ticket
