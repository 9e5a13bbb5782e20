#pragma once

// The webhook's metrics (DESIGN.md §8 names), registered and initialised to zero at startup.

#include <array>
#include <string_view>
#include <utility>

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

  /// The series of one endpoint, resolved at startup: a review counts and times itself without
  /// the families' lock and label lookup.
  struct EndpointSeries {
    std::string_view endpoint;
    kclient::Counter* allowed = nullptr;
    kclient::Counter* patched = nullptr;
    kclient::Counter* denied = nullptr;
    kclient::Counter* bad_request = nullptr;
    kclient::Histogram* duration = nullptr;
  };
  /// The series of `endpoint` (one of the four; checked).
  const EndpointSeries& series_of(std::string_view endpoint) const;
  /// `korder_claims_total{outcome}` for one of the outcomes listed above (checked).
  kclient::Counter& claim_outcome(std::string_view outcome) const;

 private:
  std::array<EndpointSeries, 4> endpoints_;
  std::array<std::pair<std::string_view, kclient::Counter*>, 8> claim_outcomes_;
};

}  // namespace korder::webhook
