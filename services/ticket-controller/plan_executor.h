#pragma once

// Carries one TicketPlan out through the API (step 3 and 4 of ticket_reconciler.h): the actions
// in order, stopping at the first failure, with each API answer interpreted as the writer table
// of DESIGN.md §3 needs (AlreadyExists on the guardian's creation and NotFound on a delete are
// success; 409, and 422 from a failed JSON-patch `test`, mean "plan again on fresher state").

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "korder/api/ticket.h"
#include "korder/base/clock.h"
#include "korder/base/expected.h"
#include "korder/kclient/reconciler.h"
#include "plan.h"
#include "ticket_api.h"
#include "ticket_metrics.h"

namespace korder::ticket {

/// What executing a plan did.
struct ExecutionResult {
  /// The ticket as last written by us (status PUT or finalizer patch), when we wrote it.
  std::optional<api::Ticket> written;
  /// True when the ticket turned out to be gone (NotFound on a ticket write): nothing more to do.
  bool ticket_gone = false;
  /// The uid of the guardian this execution deleted (or found gone), if any.
  std::string deleted_guardian_uid;
  /// When creating the guardian met AlreadyExists and a live GET found a pod that is not this
  /// ticket's (a foreign pod, or an earlier ticket's guardian the cache has not shown): that pod.
  /// The reconciler plans again with it as the guardian.
  std::optional<api::Pod> guardian_name_holder;
};

/// Executes plans for one reconcile. Not thread-safe: one per reconcile.
class PlanExecutor {
 public:
  using EventFunc = std::function<void(const api::Ticket& ticket, const RecordEvent& event)>;

  PlanExecutor(TicketApi& api, const EventFunc& events, TicketMetrics& metrics, Clock& clock)
      : api_(api), events_(events), metrics_(metrics), clock_(clock) {}

  /// Applies `plan`'s actions to `ticket` (as read), then records the plan's events. An error
  /// names the action and the ticket; `result` says what was written before it.
  Expected<void, kclient::ReconcileError> execute(const api::Ticket& ticket, const TicketPlan& plan,
                                                  ExecutionResult& result);

 private:
  using Step = Expected<void, kclient::ReconcileError>;

  Step apply(const TicketAction& action);
  Step add_or_remove_finalizer(const std::string& json_patch, const char* what);
  Step update_status(const UpdateTicketStatus& action);
  Step patch_pod(const PatchPod& action);
  Step delete_guardian(const DeleteGuardian& action);
  Step create_guardian(const CreateGuardian& action);
  /// After AlreadyExists: reads who holds the guardian's name.
  Step read_name_holder(const api::ObjectMeta& meta);
  Step delete_ticket(const DeleteTicket& action);
  void record(const RecordEvent& event);
  /// Counts the failed call and turns it into a ReconcileError with `context`.
  kclient::ReconcileError failed(const char* operation, const kclient::ApiError& error,
                                 const std::string& context);

  TicketApi& api_;
  const EventFunc& events_;
  TicketMetrics& metrics_;
  Clock& clock_;

  // The execution in progress.
  api::Ticket ticket_;
  ExecutionResult* result_ = nullptr;
  bool guardian_created_ = false;
  int pods_ungated_ = 0;
};

}  // namespace korder::ticket
