#include "plan_executor.h"

#include <glog/logging.h>

#include <string_view>
#include <utility>
#include <variant>

#include "pod_state.h"
#include "ticket_names.h"

namespace korder::ticket {
namespace {

std::string key_of(const api::Ticket& ticket) {
  return ticket.metadata.namespace_ + "/" + ticket.metadata.name;
}

std::string_view result_label(const kclient::ApiError& error) {
  if (error.is_conflict()) {
    return "conflict";
  }
  if (error.is_not_found()) {
    return "not_found";
  }
  if (error.is_already_exists()) {
    return "already_exists";
  }
  if (error.is_invalid()) {
    return "invalid";
  }
  return "error";
}

bool is_write(const TicketAction& action) { return !std::holds_alternative<RecordEvent>(action); }

}  // namespace

Expected<void, kclient::ReconcileError> PlanExecutor::execute(const api::Ticket& ticket,
                                                              const TicketPlan& plan,
                                                              ExecutionResult& result) {
  ticket_ = ticket;
  result_ = &result;
  guardian_created_ = false;
  pods_ungated_ = 0;
  bool first_write_done = false;
  bool any_write = false;
  Step failure;
  for (const TicketAction& action : plan.actions) {
    if (!is_write(action)) {
      continue;
    }
    any_write = true;
    Step step = apply(action);
    if (!step) {
      failure = std::move(step);
      break;
    }
    first_write_done = true;
    if (result.ticket_gone) {
      return {};
    }
  }
  if (first_write_done || !any_write) {
    for (const TicketAction& action : plan.actions) {
      if (const auto* event = std::get_if<RecordEvent>(&action)) {
        record(*event);
      }
    }
  }
  return failure;
}

PlanExecutor::Step PlanExecutor::apply(const TicketAction& action) {
  if (const auto* a = std::get_if<AddFinalizer>(&action)) {
    return add_or_remove_finalizer(a->json_patch, "adding the finalizer to");
  }
  if (const auto* r = std::get_if<RemoveFinalizer>(&action)) {
    return add_or_remove_finalizer(r->json_patch, "removing the finalizer from");
  }
  if (const auto* s = std::get_if<UpdateTicketStatus>(&action)) {
    return update_status(*s);
  }
  if (const auto* p = std::get_if<PatchPod>(&action)) {
    return patch_pod(*p);
  }
  if (const auto* d = std::get_if<DeleteGuardian>(&action)) {
    return delete_guardian(*d);
  }
  if (const auto* c = std::get_if<CreateGuardian>(&action)) {
    return create_guardian(*c);
  }
  if (const auto* t = std::get_if<DeleteTicket>(&action)) {
    return delete_ticket(*t);
  }
  // VerifyClaimPodAbsent is answered by the reconciler before execution; one reaching here is a
  // bug in the caller, and retrying cannot fix it.
  return Unexpected(kclient::ReconcileError::terminal_error(
      "ticket " + key_of(ticket_) + ": the plan still asks for a live LIST"));
}

kclient::ReconcileError PlanExecutor::failed(const char* operation, const kclient::ApiError& error,
                                             const std::string& context) {
  metrics_.api_call(operation, result_label(error));
  kclient::ReconcileError reconcile_error = kclient::ReconcileError::from_api_error(error, context);
  // A failed JSON-patch `test` (422) means the object changed since we read it, like a 409.
  if (error.is_invalid() && std::string_view(operation).starts_with("patch")) {
    reconcile_error.conflict = true;
  }
  return reconcile_error;
}

PlanExecutor::Step PlanExecutor::add_or_remove_finalizer(const std::string& json_patch,
                                                         const char* what) {
  auto patched = api_.patch_ticket(ticket_.metadata.namespace_, ticket_.metadata.name, json_patch);
  if (!patched) {
    if (patched.error().is_not_found()) {
      metrics_.api_call("patch_ticket", "not_found");
      result_->ticket_gone = true;
      return {};
    }
    return Unexpected(
        failed("patch_ticket", patched.error(), std::string(what) + " ticket " + key_of(ticket_)));
  }
  metrics_.api_call("patch_ticket", "success");
  VLOG(1) << "ticket finalizer patched"
          << " controller=ticket ticket=" << key_of(ticket_) << " op=" << what;
  ticket_ = std::move(patched).value();
  result_->written = ticket_;
  return {};
}

PlanExecutor::Step PlanExecutor::update_status(const UpdateTicketStatus& action) {
  api::Ticket desired = ticket_;
  desired.status = action.status;
  auto updated = api_.update_ticket_status(desired);
  if (!updated) {
    if (updated.error().is_not_found()) {
      metrics_.api_call("update_status", "not_found");
      result_->ticket_gone = true;
      return {};
    }
    return Unexpected(failed("update_status", updated.error(),
                             "updating the status of ticket " + key_of(ticket_)));
  }
  metrics_.api_call("update_status", "success");
  const std::string& old_phase = ticket_.status.phase;
  const std::string& new_phase = action.status.phase;
  if (old_phase != new_phase) {
    LOG(INFO) << "ticket phase changed"
              << " controller=ticket ticket=" << key_of(ticket_)
              << " from=" << (old_phase.empty() ? "-" : old_phase) << " to=" << new_phase
              << " node=" << action.status.node_name;
    if (new_phase == api::TicketPhase::Claimed) {
      metrics_.claim_outcome("claimed");
      if (action.status.claim && action.status.claim->claimed_at) {
        metrics_.handoff_latency(std::chrono::duration_cast<std::chrono::nanoseconds>(
            clock_.now() - *action.status.claim->claimed_at));
      }
    }
  }
  ticket_ = std::move(updated).value();
  result_->written = ticket_;
  return {};
}

PlanExecutor::Step PlanExecutor::patch_pod(const PatchPod& action) {
  const bool handoff = action.kind == PodPatchKind::HandOff;
  const std::string pod = action.namespace_ + "/" + action.name;
  auto patched = api_.patch_pod(action.namespace_, action.name, action.json_patch);
  if (!patched) {
    if (!handoff && patched.error().is_not_found()) {
      metrics_.api_call("patch_pod", "not_found");
      return {};  // nothing left to ungate
    }
    auto error = failed("patch_pod", patched.error(),
                        std::string(handoff ? "handing off to pod " : "ungating pod ") + pod +
                            " for ticket " + key_of(ticket_));
    if (patched.error().is_not_found()) {
      error.conflict = true;  // the pod went away: plan again (the claim is released)
    }
    return Unexpected(std::move(error));
  }
  metrics_.api_call("patch_pod", "success");
  if (handoff) {
    LOG(INFO) << "pod pinned and ungated"
              << " controller=ticket ticket=" << key_of(ticket_) << " pod=" << pod
              << " node=" << ticket_.status.node_name;
  } else {
    metrics_.claim_outcome("ungated");
    ++pods_ungated_;
    LOG(INFO) << "pod ungated"
              << " controller=ticket ticket=" << key_of(ticket_) << " pod=" << pod;
  }
  return {};
}

PlanExecutor::Step PlanExecutor::delete_guardian(const DeleteGuardian& action) {
  auto deleted =
      api_.delete_pod(action.namespace_, action.name, action.uid, action.grace_period_seconds);
  if (!deleted) {
    if (deleted.error().is_not_found()) {
      metrics_.api_call("delete_guardian", "not_found");
      result_->deleted_guardian_uid = action.uid;
      return {};
    }
    return Unexpected(failed("delete_guardian", deleted.error(),
                             "deleting guardian pod " + action.namespace_ + "/" + action.name +
                                 " of ticket " + key_of(ticket_)));
  }
  metrics_.api_call("delete_guardian", "success");
  result_->deleted_guardian_uid = action.uid;
  LOG(INFO) << "guardian deleted"
            << " controller=ticket ticket=" << key_of(ticket_) << " pod=" << action.name
            << " uid=" << action.uid;
  return {};
}

PlanExecutor::Step PlanExecutor::create_guardian(const CreateGuardian& action) {
  const auto& meta = action.pod.metadata;
  auto created = api_.create_pod(action.pod);
  if (!created) {
    if (created.error().is_already_exists()) {
      metrics_.api_call("create_guardian", "already_exists");
      return read_name_holder(meta);
    }
    return Unexpected(failed("create_guardian", created.error(),
                             "creating guardian pod " + meta.namespace_ + "/" + meta.name +
                                 " of ticket " + key_of(ticket_)));
  }
  metrics_.api_call("create_guardian", "success");
  guardian_created_ = true;
  LOG(INFO) << "guardian created"
            << " controller=ticket ticket=" << key_of(ticket_) << " pod=" << meta.name
            << " uid=" << created->metadata.uid;
  return {};
}

PlanExecutor::Step PlanExecutor::read_name_holder(const api::ObjectMeta& meta) {
  const std::string pod = meta.namespace_ + "/" + meta.name;
  auto live = api_.get_pod(meta.namespace_, meta.name);
  if (!live) {
    if (live.error().is_not_found()) {
      metrics_.api_call("get_pod", "not_found");
      // Gone between our create and our read: plan again (and create it then).
      auto error =
          kclient::ReconcileError::retry("creating guardian pod " + pod + " of ticket " +
                                         key_of(ticket_) + ": it already existed, then was gone");
      error.conflict = true;
      return Unexpected(std::move(error));
    }
    return Unexpected(failed(
        "get_pod", live.error(),
        "reading pod " + pod + ", which holds the guardian name of ticket " + key_of(ticket_)));
  }
  metrics_.api_call("get_pod", "success");
  if (!is_owned_by(*live, ticket_)) {
    LOG(WARNING) << "guardian name held by another pod"
                 << " controller=ticket ticket=" << key_of(ticket_) << " pod=" << pod
                 << " uid=" << live->metadata.uid;
    result_->guardian_name_holder = std::move(live).value();
  }
  return {};  // ours: an earlier create the cache has not shown yet
}

PlanExecutor::Step PlanExecutor::delete_ticket(const DeleteTicket& action) {
  auto deleted = api_.delete_ticket(action.namespace_, action.name, action.uid);
  if (!deleted) {
    if (deleted.error().is_not_found()) {
      metrics_.api_call("delete_ticket", "not_found");
      result_->ticket_gone = true;
      return {};
    }
    return Unexpected(
        failed("delete_ticket", deleted.error(), "deleting finished ticket " + key_of(ticket_)));
  }
  metrics_.api_call("delete_ticket", "success");
  LOG(INFO) << "finished ticket deleted"
            << " controller=ticket ticket=" << key_of(ticket_) << " phase=" << ticket_.status.phase;
  return {};
}

void PlanExecutor::record(const RecordEvent& event) {
  // Events about one write are recorded only when that write happened: a create that found the
  // guardian already there was recorded when it made it, and a failed one is recorded on retry.
  if ((event.reason == TicketEvent::GuardianCreated && !guardian_created_) ||
      (event.reason == TicketEvent::PodUngated && pods_ungated_ == 0)) {
    return;
  }
  if (event.reason == TicketEvent::GuardianLost) {
    metrics_.guardian_recreated();
  } else if (event.reason == TicketEvent::ClaimReleased) {
    metrics_.claim_outcome("released");
  } else if (event.reason == TicketEvent::HandOffLost) {
    metrics_.claim_outcome("handoff_lost");
  }
  if (events_) {
    events_(ticket_, event);
  }
}

}  // namespace korder::ticket
