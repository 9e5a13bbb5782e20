#pragma once

// QuotaEngine: the quota controller's in-memory accounting and admission decisions.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/api/namespace.h"
#include "korder/api/order.h"
#include "korder/api/quota.h"
#include "korder/api/ticket.h"
#include "korder/base/clock.h"
#include "quota_backend.h"
#include "reservations.h"
#include "usage_index.h"

namespace korder::quota {

/// Engine settings.
struct QuotaEngineOptions {
  /// How long a hold lasts when its object is never observed (`--hold-ttl`).
  std::chrono::nanoseconds hold_ttl = std::chrono::seconds(30);
};

/// The books of every quota and the admission decisions made against them (DESIGN.md §4).
///
/// Informers feed it (upsert_*/delete_*), and usage is exact after every call. reserve()
/// decides a CREATE/UPDATE against every valid quota covering the object and, when all admit
/// it, records a hold keyed by (kind, namespace, name); a later reserve() for the same key
/// replaces that hold (a retried create never holds twice; an UPDATE of an object admitted but
/// not yet observed holds from the state before both). A hold ends when:
/// - its object is observed with the same uid (a CREATE hold at once; an UPDATE hold once the
///   observed labels/spec equal what was admitted; until then it is re-based on the observed
///   state, holding only what is still missing), or the object is observed being deleted;
/// - release() drops it; or
/// - `hold_ttl` passes (steady clock): expired holds are dropped by the next decision and by
///   expire_holds(), which the process calls about once a second so that watchers hear of
///   it (reads never change state, so they can run inside a subscriber's notification).
/// DELETE, and objects with a deletionTimestamp, are admitted without a check or hold. An
/// UPDATE that changes neither labels nor the quota-relevant spec is admitted without a check.
///
/// Thread-safe: one mutex guards all state, held for the few microseconds of each call.
/// Subscribers are told after every change, outside the lock.
class QuotaEngine final : public QuotaBackend {
 public:
  /// `clock` must outlive the engine.
  explicit QuotaEngine(const Clock& clock, QuotaEngineOptions options = {});

  // Informer side.
  void upsert_quota(const api::Quota& quota);
  void delete_quota(const std::string& name);
  void upsert_namespace(const api::Namespace& ns);
  void delete_namespace(const std::string& name);
  void upsert_object(ObjectSummary object);
  /// Removes the object of `key` if its uid is `uid` (or `uid` is empty).
  void delete_object(const ObjectKey& key, std::string_view uid);
  void upsert_order(const api::Order& order) { upsert_object(summarize(order)); }
  void upsert_ticket(const api::Ticket& ticket) { upsert_object(summarize(ticket)); }

  // QuotaBackend.
  Expected<Decision, ParseError> reserve(QuotaRequest request) override;
  Expected<Decision, ParseError> check(QuotaRequest request) override;
  bool release(const ObjectKey& key, std::string_view uid) override;
  std::optional<QuotaSnapshot> usage(const std::string& quota) override;
  std::vector<QuotaSnapshot> usage_for_namespace(const std::string& ns) override;
  std::vector<QuotaSnapshot> usage_all() override;
  void subscribe(UsageSubscriber& subscriber) override;
  void unsubscribe(UsageSubscriber& subscriber) override;

  /// Drops the holds whose TTL has passed (decisions also do this first) and tells subscribers;
  /// returns how many.
  std::size_t expire_holds();
  /// The earliest next time-window transition of any quota (when the controller should
  /// recompute status and call notify_subscribers()).
  std::optional<TimePoint> next_transition();
  /// Tells subscribers that something may have changed (e.g. a window opened).
  void notify_subscribers();

  /// The names of the valid quotas covering `object` now (namespace labels and object labels as
  /// observed), sorted: the quotas whose status an informer event about it may change.
  std::vector<std::string> quotas_covering(const ObjectSummary& object);
  /// Every quota's name, sorted.
  std::vector<std::string> quota_names() const;

  std::size_t object_count() const;
  std::size_t hold_count() const;
  /// The hold of `key`, if any (a copy).
  std::optional<Hold> find_hold(const ObjectKey& key) const;

 private:
  struct Evaluation {
    std::vector<QuotaCharge> charges;
    std::vector<Violation> violations;
  };
  // A quota covering an object's target state: what the change charges it and whether its
  // max-duration must be checked.
  struct Covered {
    QuotaAccount* account = nullptr;
    std::shared_ptr<const Usage> charge;  // never null
    bool check_duration = false;
  };

  // Decides `request` (consuming its objects).
  Expected<Decision, ParseError> decide(QuotaRequest& request, bool record);
  // `after` is contribution(target).
  Evaluation evaluate(const std::optional<ObjectSummary>& base, const ObjectSummary& target,
                      const std::shared_ptr<const Usage>& after, TimePoint now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<Covered> cover(const std::optional<ObjectSummary>& base, const ObjectSummary& target,
                             const std::shared_ptr<const Usage>& after)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<std::string> order_warnings(Operation operation, const ObjectSummary& order,
                                          const std::optional<ObjectSummary>& old, TimePoint now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void charge(const Hold& hold, bool add) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void observe_hold(const ObjectSummary& observed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool expire_locked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  QuotaSnapshot snapshot(QuotaAccount& account, TimePoint now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const QuotaEngineOptions options_;

  mutable absl::Mutex mu_;
  UsageIndex index_ ABSL_GUARDED_BY(mu_);
  Reservations holds_ ABSL_GUARDED_BY(mu_);

  // Lock order: subscribers_mu_ (held while calling subscribers) -> mu_ (a subscriber may read).
  absl::Mutex subscribers_mu_;
  std::vector<UsageSubscriber*> subscribers_ ABSL_GUARDED_BY(subscribers_mu_);
  // Lets notify_subscribers() skip the lock when nobody listens (the common case).
  std::atomic<std::size_t> subscriber_count_{0};
};

/// Checks the shape of `request` (what the gRPC layer cannot): namespace and name present,
/// UPDATE with an old object naming the same object, count >= 0, no negative requests.
/// Errors name the field: `object.name: required`.
Expected<void, ParseError> validate_request(const QuotaRequest& request);

}  // namespace korder::quota
