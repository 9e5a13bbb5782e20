#include "korder/kclient/work_queue_prometheus_metrics.h"

namespace korder::kclient {
namespace {

// client-go's workqueue duration buckets: prometheus.ExponentialBuckets(10e-9, 10, 10).
std::vector<double> work_queue_buckets() { return exponential_buckets(10e-9, 10, 10); }

}  // namespace

WorkQueuePrometheusMetrics::WorkQueuePrometheusMetrics(MetricsRegistry& registry,
                                                       const std::string& queue_name)
    : depth_(registry.gauge("korder_workqueue_depth", "Current depth of the work queue.", {"name"})
                 .with({queue_name})),
      adds_(registry
                .counter("korder_workqueue_adds_total",
                         "Total number of adds handled by the work queue.", {"name"})
                .with({queue_name})),
      retries_(registry
                   .counter("korder_workqueue_retries_total",
                            "Total number of retries (delayed adds) handled by the work queue.",
                            {"name"})
                   .with({queue_name})),
      queue_duration_(registry
                          .histogram("korder_workqueue_queue_duration_seconds",
                                     "How long in seconds an item stays in the work queue "
                                     "before being requested.",
                                     {"name"}, work_queue_buckets())
                          .with({queue_name})),
      work_duration_(registry
                         .histogram("korder_workqueue_work_duration_seconds",
                                    "How long in seconds processing an item from the work queue "
                                    "takes.",
                                    {"name"}, work_queue_buckets())
                         .with({queue_name})) {}

}  // namespace korder::kclient
