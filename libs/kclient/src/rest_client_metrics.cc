#include "korder/kclient/rest_client_metrics.h"

#include <string>

namespace korder::kclient {
namespace {

std::string code_label(int code) { return code > 0 ? std::to_string(code) : "error"; }

}  // namespace

RestClientMetrics::RestClientMetrics(MetricsRegistry& registry)
    : requests_(registry.counter("korder_rest_client_requests_total",
                                 "HTTP requests the REST client sent to the API server, by "
                                 "Kubernetes verb and HTTP status (error: no response).",
                                 {"verb", "code"})),
      durations_(registry.histogram("korder_rest_client_request_duration_seconds",
                                    "Latency of the REST client's requests (each attempt), by "
                                    "Kubernetes verb; watches excluded.",
                                    {"verb"}, exponential_buckets(0.001, 2, 15))) {}

void RestClientMetrics::observe(std::string_view verb, int code, std::chrono::nanoseconds latency) {
  const std::string verb_label(verb);
  requests_.with({verb_label, code_label(code)}).inc();
  durations_.with({verb_label}).observe(latency);
}

void RestClientMetrics::observe_watch(int code) {
  requests_.with({std::string(RestVerb::Watch), code_label(code)}).inc();
}

}  // namespace korder::kclient
