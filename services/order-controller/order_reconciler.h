#pragma once

// The order controller's reconciler (STYLE §3 "Reconciler shape"): read the Order and its
// Tickets (and, for daemonSet orders, the Nodes) from the caches, run the finalizer step, call
// the pure plan() and carry the plan out through the API:
//
//   1. Order gone → forget it. Being deleted → delete its tickets (uid preconditions), wait
//      until a live LIST finds none left, then remove the finalizer `korder.dev/order-protection`.
//      Otherwise add the finalizer if it is missing.
//   2. plan(order, tickets, nodes, now, last quota denial).
//   3. Create tickets under their deterministic names (AlreadyExists: read the ticket and make
//      sure it is the same ticket, else report a name collision). A 403 whose message contains
//      `korder quota exceeded:` stops the creates and is remembered as the order's QuotaDenial
//      (the next plan holds creates back for the retry interval and sets QuotaExceeded); the
//      first create that succeeds clears it.
//   4. Delete tickets with uid + resourceVersion preconditions (NotFound is done; Conflict means
//      the ticket changed under us: requeue and plan again).
//   5. Write the status through the status subresource when it differs from the stored one.
//   6. Record each action's event after the action, then the plan's events.
//   7. Requeue after the plan's requeue_after (cron fire, window end, expiry, quota retry).
//
// Our own writes are overlaid on the caches until they show them (RecentWrites), so the
// reconcile woken by our own write does not act on a stale view. Deterministic ticket names make
// every create idempotent: a crash between a create and the status write, a second worker or a
// new leader recomputes the same names, so no ticket is ever duplicated.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/api/order.h"
#include "korder/base/clock.h"
#include "korder/kclient/reconciler.h"
#include "order_api.h"
#include "order_cache.h"
#include "order_metrics.h"
#include "order_status.h"
#include "plan.h"
#include "recent_writes.h"

namespace korder::order {

/// The finalizer the order controller keeps on every Order (DESIGN.md §8).
inline constexpr std::string_view kOrderFinalizer = "korder.dev/order-protection";

/// The marker of a quota webhook denial in an API error's message (DESIGN.md §4).
inline constexpr std::string_view kQuotaDenialMarker = "korder quota exceeded:";

/// True for a quota denial: a 403 whose message contains `korder quota exceeded:` anywhere (the
/// API server prefixes the webhook's message), never an RBAC 403.
bool is_quota_denial(const kclient::ApiError& error);

/// Records an event on an Order (wired to kclient's EventRecorder in the daemon).
using OrderEventFunc = std::function<void(const api::Order& order, const PlannedEvent& event)>;

/// Tunables of the reconciler.
struct OrderReconcilerOptions {
  /// How long creations wait after a quota denial (DESIGN.md §2: every 30 s by default).
  std::chrono::nanoseconds quota_retry_interval = kDefaultQuotaRetryInterval;
  /// While an order being deleted waits for its tickets to go, look again after this long
  /// (ticket deletions wake it sooner).
  std::chrono::nanoseconds deletion_recheck = std::chrono::seconds(10);
  /// How long our own writes are overlaid on the caches at most.
  std::chrono::nanoseconds recent_write_ttl = std::chrono::seconds(60);
};

/// See the file comment. Thread-safe (the controller runs different orders concurrently and
/// never one order twice at once). `cache`, `api`, `clock` and `metrics` must outlive it.
class OrderReconciler final : public kclient::Reconciler {
 public:
  OrderReconciler(OrderCache cache, OrderApi& api, OrderEventFunc events, Clock& clock,
                  OrderMetrics& metrics, OrderReconcilerOptions options = {});

  Expected<kclient::ReconcileResult, kclient::ReconcileError> reconcile(
      const kclient::Request& request) override;

  /// The quota denial recorded for the order with key `ns/name` and uid `uid` (for tests).
  std::optional<QuotaDenial> quota_denial(const std::string& key, const std::string& uid) const;

 private:
  struct Outcome;

  std::shared_ptr<const api::Order> read_order(const kclient::Request& request);
  Expected<kclient::ReconcileResult, kclient::ReconcileError> finalize(const api::Order& order);
  Expected<std::shared_ptr<const api::Order>, kclient::ReconcileError> ensure_finalizer(
      std::shared_ptr<const api::Order> order);
  Expected<kclient::ReconcileResult, kclient::ReconcileError> sync(
      std::shared_ptr<const api::Order> order);
  PlanInput plan_input(std::shared_ptr<const api::Order> order);
  void create_tickets(const api::Order& order, const Plan& plan, Outcome& outcome);
  void create_one(const api::Order& order, const TicketCreate& create, Outcome& outcome);
  void delete_tickets(const api::Order& order, const Plan& plan, Outcome& outcome);
  void write_status(const api::Order& order, const Plan& plan, Outcome& outcome);
  void remember_denial(const api::Order& order, std::optional<QuotaDenial> denial);
  void record(const api::Order& order, const PlannedEvent& event) const;

  const OrderCache cache_;
  OrderApi& api_;
  const OrderEventFunc events_;
  Clock& clock_;
  OrderMetrics& metrics_;
  const OrderReconcilerOptions options_;
  RecentWrites<api::Order> recent_orders_;
  RecentWrites<api::Ticket> recent_tickets_;
  mutable absl::Mutex mu_;
  // The last quota denial of each order, by key, with the order's uid (a new order of the same
  // name starts afresh).
  std::map<std::string, std::pair<std::string, QuotaDenial>> denials_ ABSL_GUARDED_BY(mu_);
};

}  // namespace korder::order
