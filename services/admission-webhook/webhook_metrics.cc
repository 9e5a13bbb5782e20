#include "webhook_metrics.h"

#include <string>
#include <vector>

#include "korder/base/check.h"

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
  // Every series starts at zero; the hot paths keep references to them (never removed).
  std::size_t e = 0;
  for (const std::string_view endpoint :
       {kMutatePods, kValidateOrders, kValidateTickets, kValidateQuotas}) {
    const std::string label(endpoint);
    endpoints_[e++] = EndpointSeries{endpoint,
                                     &requests.with({label, "allowed"}),
                                     &requests.with({label, "patched"}),
                                     &requests.with({label, "denied"}),
                                     &requests.with({label, "bad_request"}),
                                     &duration.with({label})};
  }
  std::size_t o = 0;
  for (const std::string_view outcome : {"claimed", "dry_run", "no_fit", "conflict", "error",
                                         "already_claimed", "not_synced", "invalid_request"}) {
    claim_outcomes_[o++] = {outcome, &claims.with({std::string(outcome)})};
  }
  for (const char* result : {"allowed", "denied", "unavailable"}) {
    quota_reserve.with({result});
    quota_check.with({result});
  }
}

const WebhookMetrics::EndpointSeries& WebhookMetrics::series_of(std::string_view endpoint) const {
  for (const EndpointSeries& series : endpoints_) {
    if (series.endpoint == endpoint) {
      return series;
    }
  }
  KORDER_CHECK(false, "an endpoint the webhook serves");
  return endpoints_.front();
}

kclient::Counter& WebhookMetrics::claim_outcome(std::string_view outcome) const {
  for (const auto& [name, counter] : claim_outcomes_) {
    if (name == outcome) {
      return *counter;
    }
  }
  KORDER_CHECK(false, "a claim outcome listed in webhook_metrics.h");
  return *claim_outcomes_.front().second;
}

}  // namespace korder::webhook
