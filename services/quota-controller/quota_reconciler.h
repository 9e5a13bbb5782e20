#pragma once

// QuotaReconciler: writes each Quota's status from the engine's books and requeues it at its
// next time-window transition.

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/api/quota.h"
#include "korder/base/clock.h"
#include "korder/base/expected.h"
#include "korder/kclient/api_error.h"
#include "korder/kclient/metrics.h"
#include "korder/kclient/reconciler.h"
#include "quota_engine.h"
#include "quota_status.h"

namespace korder::quota {

/// The API side of the reconciler (an interface, so tests record the writes).
class QuotaStatusWriter {
 public:
  virtual ~QuotaStatusWriter() = default;
  /// PUT of the status subresource with `quota.metadata.resourceVersion` as precondition.
  virtual Expected<void, kclient::ApiError> update_status(const api::Quota& quota) = 0;
  /// Records an Event about `quota` (best effort, never blocks).
  virtual void record_event(const api::Quota& quota, const QuotaEvent& event) = 0;
};

/// Reads a Quota from the informer's cache by name (null when absent).
using QuotaLookup = std::function<std::shared_ptr<const api::Quota>(const std::string& name)>;

/// The reconciler of the `quota` controller (the leader only runs it):
/// 1. reads the Quota from the cache (gone: done);
/// 2. computes the status it should have now from the engine's snapshot (compute_quota_status:
///    effective `hard`, `used`, `activeTimeWindow`, `allocations[].used`, conditions Ready and
///    Exceeded, `observedGeneration`);
/// 3. writes it through the status subresource only when it differs from the cached status
///    (a converged quota costs no write), then records the Events of the change
///    (status_events: window opened/closed, exceeded / within limits again);
/// 4. sets `korder_quota_hard{quota,resource}` and `korder_quota_used{quota,resource}`, and
///    removes the series of a resource no longer in the status (and every series of a quota that
///    is gone), so /metrics never reports a limit or use that no longer exists;
/// 5. requeues exactly at the quota's next window transition, if any.
/// A 409 is retried by the controller (the cache was stale). Thread-safe as far as the engine,
/// writer and lookup are.
class QuotaReconciler final : public kclient::Reconciler {
 public:
  /// Everything must outlive the reconciler; `metrics` may be null.
  QuotaReconciler(QuotaLookup lookup, QuotaEngine& engine, QuotaStatusWriter& writer,
                  const Clock& clock, kclient::MetricsRegistry* metrics);

  Expected<kclient::ReconcileResult, kclient::ReconcileError> reconcile(
      const kclient::Request& request) override;

 private:
  void export_metrics(const std::string& quota, const api::QuotaStatus& status);
  // Sets `family`'s series of `quota` to `values` and removes those of resources not in it.
  void export_family(kclient::GaugeFamily& family,
                     std::map<std::string, std::set<std::string>>& exported,
                     const std::string& quota, const api::QuotaLimits& values);
  void forget_metrics(const std::string& quota);

  QuotaLookup lookup_;
  QuotaEngine& engine_;
  QuotaStatusWriter& writer_;
  const Clock& clock_;
  kclient::GaugeFamily* hard_ = nullptr;
  kclient::GaugeFamily* used_ = nullptr;
  // The resources each quota has series for (workers reconcile different quotas at once).
  absl::Mutex exported_mu_;
  std::map<std::string, std::set<std::string>> exported_hard_ ABSL_GUARDED_BY(exported_mu_);
  std::map<std::string, std::set<std::string>> exported_used_ ABSL_GUARDED_BY(exported_mu_);
};

}  // namespace korder::quota
