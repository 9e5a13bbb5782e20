#include "quota_reconciler.h"

#include <glog/logging.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "korder/api/quantity.h"
#include "korder/api/quota_limits.h"

namespace korder::quota {
namespace {

// A limit or use as a metric value: counts and quantities in their units (`500m` → 0.5);
// nullopt for max-duration and anything unparsable.
std::optional<double> metric_value(const std::string& key, const std::string& text) {
  if (key == api::QuotaResourceName::MaxDuration) {
    return std::nullopt;
  }
  auto quantity = api::Quantity::parse(text);
  if (!quantity) {
    return std::nullopt;
  }
  return static_cast<double>(quantity->milli_value()) / 1000.0;
}

}  // namespace

QuotaReconciler::QuotaReconciler(QuotaLookup lookup, QuotaEngine& engine, QuotaStatusWriter& writer,
                                 const Clock& clock, kclient::MetricsRegistry* metrics)
    : lookup_(std::move(lookup)), engine_(engine), writer_(writer), clock_(clock) {
  if (metrics != nullptr) {
    hard_ = &metrics->gauge("korder_quota_hard",
                            "The effective limit of a quota now (time windows applied).",
                            {"quota", "resource"});
    used_ = &metrics->gauge("korder_quota_used", "What observed objects use of a quota.",
                            {"quota", "resource"});
  }
}

Expected<kclient::ReconcileResult, kclient::ReconcileError> QuotaReconciler::reconcile(
    const kclient::Request& request) {
  const std::shared_ptr<const api::Quota> quota = lookup_(request.name);
  if (quota == nullptr) {
    forget_metrics(request.name);
    return kclient::ReconcileResult::done();
  }
  const std::optional<QuotaSnapshot> snapshot = engine_.usage(request.name);
  if (!snapshot) {
    // The engine learns of the quota from the same informer event that enqueued it, so this
    // only happens in a race with a delete: the delete's event settles it.
    forget_metrics(request.name);
    return kclient::ReconcileResult::done();
  }
  const TimePoint now = clock_.now();
  api::QuotaStatus status = compute_quota_status(*snapshot, quota->status, now);
  if (status != quota->status) {
    api::Quota updated = *quota;
    updated.status = status;
    if (auto written = writer_.update_status(updated); !written) {
      if (written.error().is_not_found()) {
        return kclient::ReconcileResult::done();
      }
      return Unexpected(kclient::ReconcileError::from_api_error(
          written.error(), "updating the status of quota " + request.name));
    }
    VLOG(1) << "quota status updated"
            << " controller=quota quota=" << request.name
            << " window=" << status.active_time_window;
    for (const QuotaEvent& event : status_events(quota->status, status)) {
      LOG(INFO) << "quota event"
                << " controller=quota quota=" << request.name << " reason=" << event.reason
                << " message=" << event.message;
      writer_.record_event(*quota, event);
    }
  }
  export_metrics(request.name, status);
  if (snapshot->next_transition) {
    const auto delay = std::max(
        std::chrono::nanoseconds::zero(),
        std::chrono::duration_cast<std::chrono::nanoseconds>(*snapshot->next_transition - now));
    return kclient::ReconcileResult::requeue_after(delay);
  }
  return kclient::ReconcileResult::done();
}

void QuotaReconciler::export_metrics(const std::string& quota, const api::QuotaStatus& status) {
  if (hard_ == nullptr) {
    return;
  }
  absl::MutexLock lock(&exported_mu_);
  export_family(*hard_, exported_hard_, quota, status.hard);
  export_family(*used_, exported_used_, quota, status.used);
}

void QuotaReconciler::export_family(kclient::GaugeFamily& family,
                                    std::map<std::string, std::set<std::string>>& exported,
                                    const std::string& quota, const api::QuotaLimits& values) {
  std::set<std::string> now;
  for (const auto& [key, value] : values) {
    if (auto v = metric_value(key, value)) {
      family.with({quota, key}).set(*v);
      now.insert(key);
    }
  }
  std::set<std::string>& before = exported[quota];
  for (const std::string& key : before) {
    if (now.count(key) == 0) {
      family.remove({quota, key});
    }
  }
  before = std::move(now);
}

void QuotaReconciler::forget_metrics(const std::string& quota) {
  if (hard_ == nullptr) {
    return;
  }
  absl::MutexLock lock(&exported_mu_);
  hard_->remove_matching("quota", quota);
  used_->remove_matching("quota", quota);
  exported_hard_.erase(quota);
  exported_used_.erase(quota);
}

}  // namespace korder::quota
