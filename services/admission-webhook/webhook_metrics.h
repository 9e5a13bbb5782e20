#pragma once

// The webhook's metrics (DESIGN.md §8 names), registered and initialised to zero at startup.

#include <string_view>

#include "korder/kclient/metrics.h"

namespace korder::webhook {

/// The endpoints, as the `endpoint` label spells them.
inline constexpr std::string_view kMutatePods = "/mutate-pods";
inline constexpr std::string_view kValidateOrders = "/validate-orders";
inline constexpr std::string_view kValidateTickets = "/validate-tickets";
inline constexpr std::string_view kValidateQuotas = "/validate-quotas";

/// The webhook's series. Thread-safe (the families are).
struct WebhookMetrics {
  explicit WebhookMetrics(kclient::MetricsRegistry& registry);

  /// `korder_admission_requests_total{endpoint,result}`: result `allowed`, `patched`,
  /// `denied`, `bad_request`.
  kclient::CounterFamily& requests;
  /// `korder_admission_duration_seconds{endpoint}`.
  kclient::HistogramFamily& duration;
  /// `korder_claims_total{outcome}`: `claimed`, `dry_run`, `no_fit`, `conflict` (one per lost
  /// race), `error`, `already_claimed`, `not_synced`, `invalid_request`.
  kclient::CounterFamily& claims;
  /// `korder_quota_reserve_total{result}` (Reserve calls) and `korder_quota_check_total{result}`
  /// (Check calls, for dry runs): result `allowed`, `denied`, `unavailable`.
  kclient::CounterFamily& quota_reserve;
  kclient::CounterFamily& quota_check;
};

}  // namespace korder::webhook
