#pragma once

// MeteredBackend: counts the quota decisions the gRPC service makes.

#include "korder/kclient/metrics.h"
#include "quota_backend.h"

namespace korder::quota {

/// A QuotaBackend that forwards to another and counts Reserve outcomes in
/// `korder_quota_reserve_total{result}` (result: allowed, denied, invalid; every label at zero
/// from construction). Thread-safe; `inner` and `metrics` must outlive it.
class MeteredBackend final : public QuotaBackend {
 public:
  MeteredBackend(QuotaBackend& inner, kclient::MetricsRegistry& metrics);

  Expected<Decision, ParseError> reserve(QuotaRequest request) override;
  Expected<Decision, ParseError> check(QuotaRequest request) override {
    return inner_.check(std::move(request));
  }
  bool release(const ObjectKey& key, std::string_view uid) override {
    return inner_.release(key, uid);
  }
  std::optional<QuotaSnapshot> usage(const std::string& quota) override {
    return inner_.usage(quota);
  }
  std::vector<QuotaSnapshot> usage_for_namespace(const std::string& ns) override {
    return inner_.usage_for_namespace(ns);
  }
  std::vector<QuotaSnapshot> usage_all() override { return inner_.usage_all(); }
  void subscribe(UsageSubscriber& subscriber) override { inner_.subscribe(subscriber); }
  void unsubscribe(UsageSubscriber& subscriber) override { inner_.unsubscribe(subscriber); }

 private:
  QuotaBackend& inner_;
  kclient::Counter& allowed_;
  kclient::Counter& denied_;
  kclient::Counter& invalid_;
};

}  // namespace korder::quota
