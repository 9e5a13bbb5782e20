#pragma once

// The ticket controller's reconciler (STYLE §3 "Reconciler shape"): read the Ticket, its guardian
// and the pods labelled for it from the caches, call the pure plan() (plan.h) with the injected
// clock's time, and carry the plan out through the API:
//
//   1. Ticket not in the (synced) cache: a live GET confirms it is gone, then every pod still
//      gated for it is ungated (DESIGN.md §3 step 7, plan_orphaned_pods).
//   2. plan(). A VerifyClaimPodAbsent asks for a live LIST of the ticket's pods (never the
//      cache, DESIGN.md §3 step 6); plan() runs again with its result.
//   3. The actions in order, stopping at the first failure: the finalizer JSON patches, the
//      status PUT (resourceVersion precondition), the hand-off / ungate JSON patches on pods, the
//      guardian's deletion (grace 0, uid precondition), the guardian's creation under its
//      deterministic name (AlreadyExists: a live GET of the pod; ours is success, anyone
//      else's is planned again as the guardian: GuardianNameTaken, never deleted), the TTL deletion
//      of the ticket (uid precondition). NotFound on a delete is success. A 409, or a 422 from a
//      JSON patch whose `test` failed, means our view was stale: requeue at once and plan again.
//   4. The plan's events are recorded once its first write succeeded (so a failed attempt
//      records nothing and its retry records them then); GuardianCreated only when the create
//      made the pod.
//   5. Requeue after the plan's requeue_after (window start, expiry, claim deadline, hand-off
//      timeout, TTL), or with the key's rate-limited backoff while a foreign pod holds the
//      guardian's name (its removal may never reach the pod informer: a ticket whose Ready
//      reason is GuardianNameTaken reads that name live before planning). Never sleeps.
//
// Our own ticket writes are overlaid on the cache until it shows them, so the reconcile woken by
// our own write does not act on (and 409 against) the ticket we just replaced; likewise a
// guardian we deleted counts as being deleted until the cache shows it gone (kube's
// ControllerExpectations for deletions), so a stale cache never reports the same loss twice. The
// guardian's deterministic name makes creation idempotent: a crash between writes, a second worker
// or a new leader recomputes the same name, so no ticket ever has two guardians.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/api/ticket.h"
#include "korder/base/clock.h"
#include "korder/kclient/reconciler.h"
#include "plan.h"
#include "plan_executor.h"
#include "ticket_api.h"
#include "ticket_cache.h"
#include "ticket_metrics.h"

namespace korder::ticket {

/// Records an event on a Ticket (wired to kclient's EventRecorder in the daemon).
using TicketEventFunc = std::function<void(const api::Ticket& ticket, const RecordEvent& event)>;

/// Tunables of the reconciler.
struct TicketReconcilerOptions {
  /// --guardian-image, --handoff-timeout, --claim-deadline.
  TicketPlanOptions plan;
  /// When a ticket the cache no longer has is still found by a live GET (the cache lags), look
  /// again after this long.
  std::chrono::nanoseconds orphan_recheck = std::chrono::seconds(1);
};

/// See the file comment. Thread-safe (the controller runs different tickets concurrently and
/// never one ticket twice at once). `cache`'s stores, `api`, `clock` and `metrics` must outlive
/// it.
class TicketReconciler final : public kclient::Reconciler {
 public:
  TicketReconciler(TicketCache cache, TicketApi& api, TicketEventFunc events, Clock& clock,
                   TicketMetrics& metrics, TicketReconcilerOptions options = {});

  Expected<kclient::ReconcileResult, kclient::ReconcileError> reconcile(
      const kclient::Request& request) override;

 private:
  using Outcome = Expected<kclient::ReconcileResult, kclient::ReconcileError>;

  /// The ticket from the cache, or the one we wrote last if the cache still shows what we
  /// replaced (`ticket` is null when the cache has no such ticket), and the resourceVersion the
  /// cache shows.
  struct Read {
    std::shared_ptr<const api::Ticket> ticket;
    std::string cached_rv;
  };
  Read read_ticket(const kclient::Request& request);
  /// Remembers `written` as the newest state of a ticket the cache shows at `cached_rv`.
  void remember_write(const std::string& cached_rv, const api::Ticket& written);
  TicketPlanInput plan_input(const api::Ticket& ticket);
  /// The guardian from the cache, marked as being deleted when we deleted it already.
  std::optional<api::Pod> read_guardian(const api::Ticket& ticket);
  void remember_deleted_guardian(const api::Ticket& ticket, const std::string& uid);
  Outcome reconcile_orphans(const kclient::Request& request);
  /// Runs `plan` on `ticket` (read at `cached_rv`) and remembers what it wrote and deleted.
  Expected<void, kclient::ReconcileError> execute(const api::Ticket& ticket, const TicketPlan& plan,
                                                  const std::string& cached_rv,
                                                  ExecutionResult& executed);
  /// A live GET of the pod under the ticket's guardian name (nullopt: none).
  Expected<std::optional<api::Pod>, kclient::ReconcileError> read_name_holder(
      const api::Ticket& ticket);

  const TicketCache cache_;
  TicketApi& api_;
  const TicketEventFunc events_;
  Clock& clock_;
  TicketMetrics& metrics_;
  const TicketReconcilerOptions options_;

  struct Written {
    std::string cached_rv;  // the cache's resourceVersion when we wrote
    std::shared_ptr<const api::Ticket> ticket;
  };
  absl::Mutex mu_;
  std::map<std::string, Written> written_ ABSL_GUARDED_BY(mu_);
  // Ticket key -> uid of the guardian we deleted, until the cache no longer shows that pod.
  std::map<std::string, std::string> deleted_guardians_ ABSL_GUARDED_BY(mu_);
};

}  // namespace korder::ticket
