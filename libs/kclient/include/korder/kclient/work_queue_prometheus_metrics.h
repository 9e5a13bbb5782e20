#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "korder/kclient/metrics.h"
#include "korder/kclient/work_queue_metrics.h"

namespace korder::kclient {

/// Exports one work queue's metrics into a `MetricsRegistry` under client-go's workqueue names,
/// prefixed `korder_` and labelled `name=<queue name>` (the controller's name):
/// `korder_workqueue_depth` (gauge), `korder_workqueue_adds_total`,
/// `korder_workqueue_retries_total` (counters), `korder_workqueue_queue_duration_seconds` and
/// `korder_workqueue_work_duration_seconds` (histograms with client-go's buckets, 10 ns to
/// 10 s by powers of ten plus Prometheus' +Inf). Every series exists, at zero, from
/// construction. Thread-safe and lock-free after construction; the registry must outlive it.
class WorkQueuePrometheusMetrics final : public WorkQueueMetrics {
 public:
  WorkQueuePrometheusMetrics(MetricsRegistry& registry, const std::string& queue_name);

  void set_depth(std::size_t depth) override { depth_.set(static_cast<double>(depth)); }
  void add() override { adds_.inc(); }
  void observe_queue_latency(std::chrono::nanoseconds latency) override {
    queue_duration_.observe(latency);
  }
  void observe_work_duration(std::chrono::nanoseconds duration) override {
    work_duration_.observe(duration);
  }
  void retry() override { retries_.inc(); }

 private:
  Gauge& depth_;
  Counter& adds_;
  Counter& retries_;
  Histogram& queue_duration_;
  Histogram& work_duration_;
};

}  // namespace korder::kclient
