#include "metered_backend.h"

#include <utility>

namespace korder::quota {
namespace {

kclient::CounterFamily& reserve_total(kclient::MetricsRegistry& metrics) {
  return metrics.counter("korder_quota_reserve_total",
                         "Reserve calls decided, by result (allowed, denied, invalid).",
                         {"result"});
}

}  // namespace

MeteredBackend::MeteredBackend(QuotaBackend& inner, kclient::MetricsRegistry& metrics)
    : inner_(inner),
      allowed_(reserve_total(metrics).with({"allowed"})),
      denied_(reserve_total(metrics).with({"denied"})),
      invalid_(reserve_total(metrics).with({"invalid"})) {}

Expected<Decision, ParseError> MeteredBackend::reserve(QuotaRequest request) {
  auto decision = inner_.reserve(std::move(request));
  if (!decision) {
    invalid_.inc();
  } else if (decision->allowed) {
    allowed_.inc();
  } else {
    denied_.inc();
  }
  return decision;
}

}  // namespace korder::quota
