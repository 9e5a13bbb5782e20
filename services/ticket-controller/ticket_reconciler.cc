#include "ticket_reconciler.h"

#include <glog/logging.h>

#include <utility>
#include <variant>
#include <vector>

#include "plan_executor.h"
#include "pod_state.h"

namespace korder::ticket {
namespace {

using kclient::ReconcileError;
using kclient::ReconcileResult;

std::string key_of(const kclient::Request& request) { return request.to_string(); }

// True when the ticket last reported a foreign pod under its guardian's name.
bool guardian_name_was_taken(const api::Ticket& ticket) {
  for (const auto& condition : ticket.status.conditions) {
    if (condition.type == TicketCondition::Ready) {
      return condition.reason == TicketReason::GuardianNameTaken;
    }
  }
  return false;
}

const VerifyClaimPodAbsent* verify_request(const TicketPlan& plan) {
  if (plan.actions.size() != 1) {
    return nullptr;
  }
  return std::get_if<VerifyClaimPodAbsent>(&plan.actions.front());
}

ReconcileResult result_of(const TicketPlan& plan) {
  if (plan.backoff) {
    return ReconcileResult::requeue();
  }
  if (plan.requeue_after) {
    return ReconcileResult::requeue_after(*plan.requeue_after);
  }
  return ReconcileResult::done();
}

}  // namespace

TicketReconciler::TicketReconciler(TicketCache cache, TicketApi& api, TicketEventFunc events,
                                   Clock& clock, TicketMetrics& metrics,
                                   TicketReconcilerOptions options)
    : cache_(cache),
      api_(api),
      events_(std::move(events)),
      clock_(clock),
      metrics_(metrics),
      options_(std::move(options)) {}

TicketReconciler::Read TicketReconciler::read_ticket(const kclient::Request& request) {
  auto cached = cache_.tickets.get(request.namespace_, request.name);
  Read read{cached, cached ? cached->metadata.resource_version : std::string()};
  const std::string key = key_of(request);
  absl::MutexLock lock(&mu_);
  const auto it = written_.find(key);
  if (it == written_.end()) {
    return read;
  }
  if (cached && cached->metadata.uid == it->second.ticket->metadata.uid &&
      cached->metadata.resource_version == it->second.cached_rv) {
    read.ticket = it->second.ticket;  // the cache has not caught up with our write yet
    return read;
  }
  written_.erase(it);
  return read;
}

void TicketReconciler::remember_write(const std::string& cached_rv, const api::Ticket& written) {
  absl::MutexLock lock(&mu_);
  written_[written.metadata.namespace_ + "/" + written.metadata.name] =
      Written{cached_rv, std::make_shared<const api::Ticket>(written)};
}

std::optional<api::Pod> TicketReconciler::read_guardian(const api::Ticket& ticket) {
  const auto& meta = ticket.metadata;
  auto cached = cache_.pods.get(meta.namespace_, guardian_pod_name(meta.name));
  const std::string key = meta.namespace_ + "/" + meta.name;
  absl::MutexLock lock(&mu_);
  const auto it = deleted_guardians_.find(key);
  if (it != deleted_guardians_.end() && (!cached || cached->metadata.uid != it->second)) {
    deleted_guardians_.erase(it);  // the cache has seen the deletion
    return cached ? std::optional<api::Pod>(*cached) : std::nullopt;
  }
  if (!cached) {
    return std::nullopt;
  }
  api::Pod guardian = *cached;
  if (it != deleted_guardians_.end() && !guardian.metadata.deletion_timestamp) {
    guardian.metadata.deletion_timestamp = clock_.now();  // we deleted it; the cache lags
  }
  return guardian;
}

void TicketReconciler::remember_deleted_guardian(const api::Ticket& ticket,
                                                 const std::string& uid) {
  absl::MutexLock lock(&mu_);
  deleted_guardians_[ticket.metadata.namespace_ + "/" + ticket.metadata.name] = uid;
}

TicketPlanInput TicketReconciler::plan_input(const api::Ticket& ticket) {
  TicketPlanInput input;
  input.ticket = ticket;
  const auto& meta = ticket.metadata;
  input.guardian = read_guardian(ticket);
  for (const auto& pod : cache_.pods_of(meta.namespace_, meta.name)) {
    input.pods.push_back(*pod);
  }
  const std::string& node = ticket.status.node_name;
  input.node_removed = !node.empty() && cache_.nodes.get(node) == nullptr;
  input.now = clock_.now();
  input.options = options_.plan;
  return input;
}

Expected<ReconcileResult, ReconcileError> TicketReconciler::reconcile(
    const kclient::Request& request) {
  const Read read = read_ticket(request);
  const auto& ticket = read.ticket;
  if (!ticket) {
    return reconcile_orphans(request);
  }
  TicketPlanInput input = plan_input(*ticket);
  if (!input.guardian && guardian_name_was_taken(*ticket)) {
    // The pod informer does not cache unlabelled pods: only a live read says whether the
    // foreign pod still holds the name.
    auto holder = read_name_holder(*ticket);
    if (!holder) {
      return Unexpected(std::move(holder).error());
    }
    input.guardian = std::move(holder).value();
  }
  TicketPlan plan = ticket::plan(input);
  if (const auto* verify = verify_request(plan)) {
    auto live = api_.list_pods(verify->namespace_, verify->label_selector);
    if (!live) {
      metrics_.api_call("list_pods", "error");
      return Unexpected(ReconcileError::from_api_error(
          live.error(), "listing the pods of ticket " + key_of(request) + " to verify claim"));
    }
    metrics_.api_call("list_pods", "success");
    VLOG(1) << "claim pod verified with a live list"
            << " controller=ticket ticket=" << key_of(request) << " pods=" << live->size();
    input.live_list_result = std::move(live).value();
    plan = ticket::plan(input);
    if (verify_request(plan) != nullptr) {
      return Unexpected(ReconcileError::terminal_error("ticket " + key_of(request) +
                                                       ": plan asked for a live list twice"));
    }
  }
  if (plan.actions.empty()) {
    return result_of(plan);
  }
  ExecutionResult executed;
  if (auto done = execute(*ticket, plan, read.cached_rv, executed); !done) {
    return Unexpected(std::move(done).error());
  }
  if (executed.ticket_gone) {
    return ReconcileResult::done();
  }
  if (executed.guardian_name_holder) {
    // Creating the guardian met a pod the cache does not show: plan again with it.
    input.ticket = executed.written ? *executed.written : *ticket;
    input.guardian = *std::move(executed.guardian_name_holder);
    plan = ticket::plan(input);
    if (verify_request(plan) != nullptr) {
      return ReconcileResult::requeue();  // plan on the next pass, with the live list
    }
    const api::Ticket current = input.ticket;
    ExecutionResult again;
    if (auto done = execute(current, plan, read.cached_rv, again); !done) {
      return Unexpected(std::move(done).error());
    }
    if (again.ticket_gone) {
      return ReconcileResult::done();
    }
  }
  return result_of(plan);
}

Expected<void, ReconcileError> TicketReconciler::execute(const api::Ticket& ticket,
                                                         const TicketPlan& plan,
                                                         const std::string& cached_rv,
                                                         ExecutionResult& executed) {
  PlanExecutor executor(api_, events_, metrics_, clock_);
  auto done = executor.execute(ticket, plan, executed);
  if (executed.written) {
    remember_write(cached_rv, *executed.written);
  }
  if (!executed.deleted_guardian_uid.empty()) {
    remember_deleted_guardian(ticket, executed.deleted_guardian_uid);
  }
  return done;
}

Expected<std::optional<api::Pod>, ReconcileError> TicketReconciler::read_name_holder(
    const api::Ticket& ticket) {
  const auto& meta = ticket.metadata;
  const std::string name = guardian_pod_name(meta.name);
  auto live = api_.get_pod(meta.namespace_, name);
  if (live) {
    metrics_.api_call("get_pod", "success");
    return std::optional<api::Pod>(std::move(live).value());
  }
  if (live.error().is_not_found()) {
    metrics_.api_call("get_pod", "not_found");
    return std::optional<api::Pod>();
  }
  metrics_.api_call("get_pod", "error");
  return Unexpected(
      ReconcileError::from_api_error(live.error(), "reading pod " + meta.namespace_ + "/" + name +
                                                       ", which held the guardian name of ticket " +
                                                       meta.namespace_ + "/" + meta.name));
}

Expected<ReconcileResult, ReconcileError> TicketReconciler::reconcile_orphans(
    const kclient::Request& request) {
  std::vector<api::Pod> pods;
  for (const auto& pod : cache_.pods_of(request.namespace_, request.name)) {
    if (has_korder_gate(*pod) && !is_deleting(*pod)) {
      pods.push_back(*pod);
    }
  }
  if (pods.empty()) {
    return ReconcileResult::done();
  }
  // Ungating is for good only when the ticket is really gone: the ticket cache may lag.
  auto live = api_.get_ticket(request.namespace_, request.name);
  if (live) {
    return ReconcileResult::requeue_after(options_.orphan_recheck);
  }
  if (!live.error().is_not_found()) {
    return Unexpected(ReconcileError::from_api_error(
        live.error(), "reading ticket " + key_of(request) + " before ungating its pods"));
  }
  const TicketPlan plan = plan_orphaned_pods(request.namespace_, request.name, pods);
  api::Ticket gone;
  gone.metadata.namespace_ = request.namespace_;
  gone.metadata.name = request.name;
  PlanExecutor executor(api_, events_, metrics_, clock_);
  ExecutionResult executed;
  auto done = executor.execute(gone, plan, executed);
  if (!done) {
    return Unexpected(std::move(done).error());
  }
  return ReconcileResult::done();
}

}  // namespace korder::ticket
