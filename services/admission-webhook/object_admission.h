#pragma once

// /validate-orders, /validate-tickets, /validate-quotas: libs/korder-api validation with field
// paths (and the immutable fields of an update), then, for Orders and Tickets, the quota
// decision (DESIGN.md §4).

#include <string>

#include "korder/api/admission.h"
#include "korder/base/clock.h"
#include "korder/kclient/detail/asio.h"
#include "quota_admitter.h"
#include "webhook_metrics.h"

namespace korder::webhook {

/// How quota admission behaves.
struct ObjectAdmissionOptions {
  ObjectAdmissionOptions() = default;

  /// `--quota-fail-open`: admit (with a warning) when the quota service cannot be reached,
  /// instead of denying.
  bool quota_fail_open = false;
};

/// The validating endpoints. Thread-safe; the admitter (null: no quota admission), metrics and
/// clock must outlive it.
class ObjectAdmission {
 public:
  ObjectAdmission(QuotaAdmitter* quota, WebhookMetrics& metrics, ObjectAdmissionOptions options);

  boost::asio::awaitable<api::AdmissionResponse> review_order(api::AdmissionRequest request,
                                                              SteadyTimePoint deadline);
  boost::asio::awaitable<api::AdmissionResponse> review_ticket(api::AdmissionRequest request,
                                                               SteadyTimePoint deadline);
  /// Quotas are only validated (no quota counts them).
  api::AdmissionResponse review_quota(const api::AdmissionRequest& request);

 private:
  boost::asio::awaitable<api::AdmissionResponse> admit_quota(std::string uid,
                                                             quota::v1::ReserveRequest request,
                                                             SteadyTimePoint deadline);

  QuotaAdmitter* const quota_;
  WebhookMetrics& metrics_;
  const ObjectAdmissionOptions options_;
};

}  // namespace korder::webhook
