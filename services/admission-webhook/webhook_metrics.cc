#include "webhook_metrics.h"

#include <string>
#include <vector>

namespace korder::webhook {

WebhookMetrics::WebhookMetrics(kclient::MetricsRegistry& registry)
    : requests(registry.counter("korder_admission_requests_total",
                                "Admission reviews answered, by endpoint and result.",
                                {"endpoint", "result"})),
      duration(registry.histogram(
          "korder_admission_duration_seconds", "Time to answer one admission review.", {"endpoint"},
          {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      claims(registry.counter("korder_claims_total",
                              "Ticket claims by the pod webhook, by outcome.", {"outcome"})),
      quota_reserve(registry.counter("korder_quota_reserve_total",
                                     "Reserve calls to the quota service, by result.", {"result"})),
      quota_check(registry.counter("korder_quota_check_total",
                                   "Check calls (dry runs) to the quota service, by result.",
                                   {"result"})) {
  for (const std::string_view endpoint :
       {kMutatePods, kValidateOrders, kValidateTickets, kValidateQuotas}) {
    for (const char* result : {"allowed", "patched", "denied", "bad_request"}) {
      requests.with({std::string(endpoint), result});
    }
    duration.with({std::string(endpoint)});
  }
  for (const char* outcome : {"claimed", "dry_run", "no_fit", "conflict", "error",
                              "already_claimed", "not_synced", "invalid_request"}) {
    claims.with({outcome});
  }
  for (const char* result : {"allowed", "denied", "unavailable"}) {
    quota_reserve.with({result});
    quota_check.with({result});
  }
}

}  // namespace korder::webhook
