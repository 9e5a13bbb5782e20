#include "korder/kclient/common_options.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string_view>

namespace korder::kclient {
namespace {

// "15s", "1500ms", "250us", "7ns": exact, in the largest unit that divides the value.
std::string format_duration(std::chrono::nanoseconds d) {
  const std::int64_t n = d.count();
  if (n != 0 && n % 1'000'000'000 == 0) {
    return std::to_string(n / 1'000'000'000) + "s";
  }
  if (n != 0 && n % 1'000'000 == 0) {
    return std::to_string(n / 1'000'000) + "ms";
  }
  if (n != 0 && n % 1'000 == 0) {
    return std::to_string(n / 1'000) + "us";
  }
  return std::to_string(n) + "ns";
}

// RFC 1123 label, as Kubernetes requires for namespace names.
bool is_dns1123_label(std::string_view s) {
  if (s.empty() || s.size() > 63) {
    return false;
  }
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (const char c : s) {
    if (!alnum(c) && c != '-') {
      return false;
    }
  }
  return alnum(s.front()) && alnum(s.back());
}

// "0" (disabled), or "[host]:port" with a port in 0-65535 (":8080", "127.0.0.1:0", "[::1]:9").
bool is_bind_address(std::string_view address) {
  if (address == "0") {
    return true;
  }
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) {
    return false;
  }
  const std::string_view host = address.substr(0, colon);
  const std::string_view port = address.substr(colon + 1);
  if (host.find(':') != std::string_view::npos &&
      (host.size() < 2 || host.front() != '[' || host.back() != ']')) {
    return false;  // an IPv6 address needs brackets
  }
  if (host.find_first_of(" \t") != std::string_view::npos) {
    return false;
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return !port.empty() && ec == std::errc() && end == port.data() + port.size() && value <= 65535;
}

void check_positive(std::vector<std::string>& errors, const char* flag,
                    std::chrono::nanoseconds d) {
  if (d <= std::chrono::nanoseconds::zero()) {
    errors.push_back(std::string(flag) + " must be greater than 0, got " + format_duration(d));
  }
}

}  // namespace

std::vector<std::string> CommonOptions::validate() const {
  std::vector<std::string> errors;
  if (!(qps > 0) || !std::isfinite(qps)) {
    std::ostringstream got;
    got << qps;
    errors.push_back("--qps must be greater than 0, got " + got.str());
  }
  if (burst < 1) {
    errors.push_back("--burst must be at least 1, got " + std::to_string(burst));
  }
  if (!leader_election_namespace.empty() && !is_dns1123_label(leader_election_namespace)) {
    errors.push_back("--leader-election-namespace \"" + leader_election_namespace +
                     "\" is not a valid namespace name (lowercase letters, digits and '-', at "
                     "most 63, starting and ending with a letter or digit)");
  }
  check_positive(errors, "--leader-election-lease-duration", lease_duration);
  check_positive(errors, "--leader-election-renew-deadline", renew_deadline);
  check_positive(errors, "--leader-election-retry-period", retry_period);
  if (lease_duration <= renew_deadline) {
    errors.push_back("--leader-election-renew-deadline (" + format_duration(renew_deadline) +
                     ") must be shorter than --leader-election-lease-duration (" +
                     format_duration(lease_duration) + ")");
  }
  // client-go: renewDeadline must be greater than retryPeriod * JitterFactor (1.2), so a renewal
  // can be retried at least once, jittered, before the deadline.
  if (renew_deadline.count() * 10 <= retry_period.count() * 12) {
    errors.push_back("--leader-election-renew-deadline (" + format_duration(renew_deadline) +
                     ") must be longer than 1.2 x --leader-election-retry-period (" +
                     format_duration(retry_period) + ")");
  }
  if (concurrency < 1) {
    errors.push_back("--concurrency must be at least 1, got " + std::to_string(concurrency));
  }
  if (!is_bind_address(metrics_bind_address)) {
    errors.push_back("--metrics-bind-address \"" + metrics_bind_address +
                     "\" is not host:port (or 0 to disable)");
  }
  if (!is_bind_address(health_probe_bind_address)) {
    errors.push_back("--health-probe-bind-address \"" + health_probe_bind_address +
                     "\" is not host:port (or 0 to disable)");
  }
  if (verbosity < 0) {
    errors.push_back("-v must be 0 or more, got " + std::to_string(verbosity));
  }
  return errors;
}

}  // namespace korder::kclient
