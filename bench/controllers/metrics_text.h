#pragma once

// The few numbers the bench reads from a daemon's /metrics (Prometheus text format 0.0.4).

#include <map>
#include <string>

namespace korder::bench {

/// The samples of counter `name` in `text`, summed by the value of `label` (`verb` of
/// `korder_rest_client_requests_total`). Series without that label are summed under "".
std::map<std::string, double> sum_by_label(const std::string& text, const std::string& name,
                                           const std::string& label);

/// The sum of every sample of `name` in `text` (0 when there is none).
double sum_all(const std::string& text, const std::string& name);

}  // namespace korder::bench
