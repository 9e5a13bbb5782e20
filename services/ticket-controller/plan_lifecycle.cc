// The ticket's own life: Pending → Ready → Expired, guardian loss, and cleanup of finished
// tickets (DESIGN.md §2 and the rows of §3's writer table that involve no claim).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include "conditions.h"
#include "guardian_builder.h"
#include "korder/api/duration.h"
#include "korder/api/event.h"
#include "plan_internal.h"
#include "pod_state.h"

namespace korder::ticket::detail {
namespace {

constexpr std::string_view kNormal = api::EventType::Normal;
constexpr std::string_view kWarning = api::EventType::Warning;
constexpr std::string_view kTrue = api::ConditionStatus::True;
constexpr std::string_view kFalse = api::ConditionStatus::False;

std::optional<TimePoint> window_start(const api::Ticket& ticket) {
  if (ticket.spec.window && ticket.spec.window->start_time) {
    return *ticket.spec.window->start_time;
  }
  return std::nullopt;
}

// start + duration, rounded up to a whole second (metav1.Time keeps seconds, and rounding up
// never shortens the reservation); saturates at the end of TimePoint's range.
TimePoint expiration_from(TimePoint start, std::chrono::nanoseconds duration) {
  const auto max = TimePoint::max().time_since_epoch();
  if (start.time_since_epoch() > max - duration) {
    return std::chrono::floor<std::chrono::seconds>(TimePoint::max());
  }
  const TimePoint end = start + duration;
  const TimePoint floor = std::chrono::floor<std::chrono::seconds>(end);
  return floor == end ? end : floor + std::chrono::seconds(1);
}

std::string holding_message(const api::TicketStatus& status) {
  return "guardian pod " + status.guardian_pod + " holds the capacity on node " + status.node_name;
}

void mark_pending(const PlanContext& ctx, PlanDraft& draft, std::string message) {
  draft.condition(ctx, TicketCondition::Ready, kFalse, TicketReason::GuardianPending,
                  std::move(message));
}

std::string waiting_to_schedule(const PlanContext& ctx) {
  return "waiting for guardian pod " + ctx.guardian_name + " to be scheduled";
}

std::string waiting_for_old(const PlanContext& ctx) {
  return "waiting for the old guardian pod " + ctx.guardian_name + " to be deleted";
}

// A pod that is not korder's guardian holds the guardian's name: say so once (event) and in the
// Ready condition, never touch the pod, and look again with backoff (its deletion may not reach
// the pod informer, which caches only pods labelled korder.dev/ticket).
void guardian_name_taken(const PlanContext& ctx, PlanDraft& draft, const std::string& why) {
  const std::string message = "pod " + ctx.guardian_name + " is not this ticket's guardian (" +
                              why + "); delete or rename it so the guardian can be created";
  const auto* ready = find_condition(ctx.ticket().status.conditions, TicketCondition::Ready);
  if (ready == nullptr || ready->reason != TicketReason::GuardianNameTaken ||
      ready->message != message) {
    draft.event(kWarning, TicketEvent::GuardianNameTaken, message);
  }
  draft.condition(ctx, TicketCondition::Ready, kFalse, TicketReason::GuardianNameTaken, message);
  draft.backoff = true;
}

void create_guardian(const PlanContext& ctx, PlanDraft& draft) {
  draft.create_guardian =
      CreateGuardian{build_guardian_pod(ctx.ticket(), ctx.in.options.guardian_image)};
  draft.event(kNormal, TicketEvent::GuardianCreated, "created guardian pod " + ctx.guardian_name);
}

// `failed: Evicted: The node was low on resource: memory.`
std::string terminated_why(const api::Pod& pod) {
  std::string why = pod.status.phase == api::PodPhase::Failed ? "failed" : "exited";
  if (!pod.status.reason.empty()) {
    why += ": " + pod.status.reason;
  }
  if (!pod.status.message.empty()) {
    why += ": " + pod.status.message;
  }
  return why;
}

std::string waiting_message(const PlanContext& ctx, const api::Pod& guardian) {
  if (!is_bound(guardian)) {
    const std::string why = unschedulable_message(guardian);
    return why.empty() ? waiting_to_schedule(ctx)
                       : "guardian pod " + ctx.guardian_name + " is not scheduled: " + why;
  }
  return "waiting for guardian pod " + ctx.guardian_name + " on node " + guardian.spec.node_name +
         " to become ready";
}

void promote_to_ready(const PlanContext& ctx, PlanDraft& draft, const api::Pod& guardian) {
  auto& status = draft.status;
  status.phase = std::string(api::TicketPhase::Ready);
  status.node_name = guardian.spec.node_name;
  status.guardian_pod = guardian.metadata.name;
  status.activation_time = ctx.stamp;
  mark_holding(ctx, draft);
  draft.event(kNormal, TicketEvent::Ready, holding_message(status));
}

// Pending with the window open: create the guardian, wait for it, or promote to Ready.
void pend_on_guardian(const PlanContext& ctx, PlanDraft& draft) {
  const auto& guardian = ctx.guardian();
  if (!guardian) {
    create_guardian(ctx, draft);
    mark_pending(ctx, draft, waiting_to_schedule(ctx));
  } else if (const auto foreign = foreign_guardian_why(*guardian, ctx.ticket())) {
    guardian_name_taken(ctx, draft, *foreign);
  } else if (!is_owned_by(*guardian, ctx.ticket())) {
    delete_guardian_if_present(ctx, draft);  // an earlier ticket's of the same name
    mark_pending(ctx, draft,
                 "waiting for pod " + ctx.guardian_name +
                     ", which belongs to another ticket, to be deleted");
  } else if (is_deleting(*guardian)) {
    mark_pending(ctx, draft, waiting_for_old(ctx));
  } else if (is_terminated(*guardian)) {
    delete_guardian_if_present(ctx, draft);
    draft.event(
        kWarning, TicketEvent::GuardianLost,
        "guardian pod " + ctx.guardian_name + " " + terminated_why(*guardian) + "; recreating it");
    mark_pending(ctx, draft, waiting_for_old(ctx));
  } else if (is_running_and_ready(*guardian)) {
    promote_to_ready(ctx, draft, *guardian);
  } else {
    mark_pending(ctx, draft, waiting_message(ctx, *guardian));
  }
}

void clear_holding(api::TicketStatus& status) {
  status.node_name.clear();
  status.guardian_pod.clear();
  status.activation_time.reset();
}

}  // namespace

bool ensure_expiration(const PlanContext& ctx, PlanDraft& draft) {
  auto& status = draft.status;
  if (status.expiration_time) {
    return true;
  }
  const auto duration = api::Duration::parse(ctx.ticket().spec.duration);
  if (!duration || duration->count() <= 0) {
    const std::string message =
        "spec.duration: " + (duration ? std::string("must be positive") : duration.error().message);
    const auto* ready = find_condition(status.conditions, TicketCondition::Ready);
    if (ready == nullptr || ready->reason != TicketReason::InvalidSpec) {
      draft.event(kWarning, TicketEvent::InvalidSpec, message);
    }
    if (status.phase.empty()) {
      status.phase = std::string(api::TicketPhase::Pending);
    }
    draft.condition(ctx, TicketCondition::Ready, kFalse, TicketReason::InvalidSpec, message);
    return false;
  }
  const auto& meta = ctx.ticket().metadata;
  const TimePoint start =
      window_start(ctx.ticket()).value_or(meta.creation_timestamp.value_or(ctx.stamp));
  status.expiration_time = expiration_from(start, duration->nanoseconds());
  return true;
}

void plan_pending(const PlanContext& ctx, PlanDraft& draft) {
  auto& status = draft.status;
  status.phase = std::string(api::TicketPhase::Pending);
  clear_holding(status);
  if (status.claim) {
    // Only Ready tickets are claimable; a claim on a Pending one can never be handed off.
    release_claim(ctx, draft, "ticket " + ctx.ticket().metadata.name + " is not Ready", kWarning);
  }
  if (ctx.now >= *status.expiration_time) {
    expire(ctx, draft);
    return;
  }
  draft.requeue(*status.expiration_time);
  if (const auto start = window_start(ctx.ticket()); start && *start > ctx.now) {
    draft.condition(ctx, TicketCondition::Ready, kFalse, TicketReason::WindowNotOpen,
                    "the ticket's window opens at " + show_time(*start));
    draft.requeue(*start);
    return;
  }
  pend_on_guardian(ctx, draft);
}

void plan_ready_unclaimed(const PlanContext& ctx, PlanDraft& draft) {
  if (ctx.now >= *draft.status.expiration_time) {
    expire(ctx, draft);
    return;
  }
  if (const auto why = guardian_loss(ctx, draft.status)) {
    become_pending(ctx, draft, *why);
    return;
  }
  draft.requeue(*draft.status.expiration_time);
  mark_holding(ctx, draft);
}

std::optional<std::string> guardian_loss(const PlanContext& ctx, const api::TicketStatus& status) {
  const auto& guardian = ctx.guardian();
  const std::string name = "guardian pod " + ctx.guardian_name;
  if (!guardian) {
    return name + " was deleted";
  }
  if (!is_owned_by(*guardian, ctx.ticket())) {
    return "pod " + ctx.guardian_name + " belongs to another ticket";
  }
  if (is_deleting(*guardian)) {
    return name + " is being deleted";
  }
  if (is_terminated(*guardian)) {
    return name + " " + terminated_why(*guardian);
  }
  if (guardian->spec.node_name != status.node_name) {
    return name + " runs on node " + guardian->spec.node_name + ", not on the ticket's node " +
           status.node_name;
  }
  if (ctx.in.node_removed) {
    return "node " + status.node_name + " of " + name + " was removed";
  }
  return std::nullopt;
}

void become_pending(const PlanContext& ctx, PlanDraft& draft, const std::string& why) {
  auto& status = draft.status;
  status.phase = std::string(api::TicketPhase::Pending);
  clear_holding(status);
  draft.requeue(*status.expiration_time);
  draft.event(kWarning, TicketEvent::GuardianLost, why + "; recreating it");
  if (!ctx.guardian()) {
    create_guardian(ctx, draft);
    mark_pending(ctx, draft, waiting_to_schedule(ctx));
  } else if (const auto foreign = foreign_guardian_why(*ctx.guardian(), ctx.ticket())) {
    guardian_name_taken(ctx, draft, *foreign);
  } else {
    delete_guardian_if_present(ctx, draft);
    mark_pending(ctx, draft, waiting_for_old(ctx));
  }
}

void expire(const PlanContext& ctx, PlanDraft& draft) {
  auto& status = draft.status;
  status.phase = std::string(api::TicketPhase::Expired);
  const std::string message = "the ticket expired at " + show_time(*status.expiration_time);
  draft.condition(ctx, TicketCondition::Ready, kFalse, TicketReason::Expired, message);
  draft.condition(ctx, TicketCondition::Finished, kTrue, TicketReason::Expired, message);
  const bool had_guardian =
      ctx.guardian() && !is_deleting(*ctx.guardian()) && !guardian_is_foreign(ctx);
  draft.event(kNormal, TicketEvent::Expired,
              had_guardian ? message + "; deleting guardian pod " + ctx.guardian_name : message);
  plan_finished(ctx, draft);
}

void plan_finished(const PlanContext& ctx, PlanDraft& draft) {
  auto& status = draft.status;
  delete_guardian_if_present(ctx, draft);
  const std::string phase = status.phase;  // Claimed or Expired, also a valid reason
  const auto* finished = find_condition(status.conditions, TicketCondition::Finished);
  if (finished == nullptr || finished->status != kTrue) {
    draft.condition(ctx, TicketCondition::Finished, kTrue, phase, "the ticket is " + phase);
  }
  const auto* ready = find_condition(status.conditions, TicketCondition::Ready);
  if (ready == nullptr || ready->status != kFalse) {
    draft.condition(ctx, TicketCondition::Ready, kFalse, phase, "the ticket is " + phase);
  }
  const auto& lifecycle = ctx.ticket().spec.lifecycle;
  const std::string policy = lifecycle ? lifecycle->cleanup_policy : std::string();
  if (!policy.empty() && policy != api::CleanupPolicy::Delete) {
    return;  // Retain (an unknown policy keeps the ticket too: deleting is not undoable)
  }
  const std::int32_t ttl = std::max<std::int32_t>(
      0, lifecycle ? lifecycle->ttl_seconds_after_finished.value_or(kDefaultTtlSecondsAfterFinished)
                   : kDefaultTtlSecondsAfterFinished);
  finished = find_condition(status.conditions, TicketCondition::Finished);
  const TimePoint finished_at = finished->last_transition_time.value_or(ctx.stamp);
  const TimePoint delete_at = finished_at + std::chrono::seconds(ttl);
  if (ctx.now >= delete_at) {
    const auto& meta = ctx.ticket().metadata;
    draft.delete_ticket = DeleteTicket{meta.namespace_, meta.name, meta.uid};
  } else {
    draft.requeue(delete_at);
  }
}

bool guardian_is_foreign(const PlanContext& ctx) {
  return ctx.guardian() && foreign_guardian_why(*ctx.guardian(), ctx.ticket()).has_value();
}

void delete_guardian_if_present(const PlanContext& ctx, PlanDraft& draft) {
  const auto& guardian = ctx.guardian();
  if (guardian && !is_deleting(*guardian) && !guardian_is_foreign(ctx)) {
    draft.delete_guardian = DeleteGuardian{guardian->metadata.namespace_, guardian->metadata.name,
                                           guardian->metadata.uid};
  }
}

void mark_holding(const PlanContext& ctx, PlanDraft& draft) {
  draft.condition(ctx, TicketCondition::Ready, kTrue, TicketReason::GuardianRunning,
                  holding_message(draft.status));
}

}  // namespace korder::ticket::detail
