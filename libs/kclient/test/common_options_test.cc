#include "korder/kclient/common_options.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace korder::kclient {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("common options default to the production values and are valid", "[unit][kclient]") {
  const CommonOptions options;
  CHECK(options.metrics_bind_address == ":8080");
  CHECK(options.health_probe_bind_address == ":8081");
  CHECK(options.lease_duration == seconds(15));
  CHECK(options.renew_deadline == seconds(10));
  CHECK(options.retry_period == seconds(2));
  CHECK(options.qps == 20.0);
  CHECK(options.burst == 30);
  CHECK(options.concurrency == 1);
  CHECK(options.leader_elect);
  CHECK(options.validate().empty());
}

TEST_CASE("valid non-default common options pass validation", "[unit][kclient]") {
  CommonOptions options;
  options.qps = 0.5;
  options.burst = 1;
  options.leader_election_namespace = "korder-system";
  options.lease_duration = seconds(2);  // the integration tests' short lease
  options.renew_deadline = milliseconds(1500);
  options.retry_period = milliseconds(500);
  options.concurrency = 8;
  options.metrics_bind_address = "0";
  options.health_probe_bind_address = "[::1]:0";
  options.verbosity = 2;
  CHECK(options.validate().empty());
  options.metrics_bind_address = "127.0.0.1:9090";
  CHECK(options.validate().empty());
}

TEST_CASE("each invalid common option is reported with its flag", "[unit][kclient]") {
  struct Case {
    const char* name;
    std::function<void(CommonOptions&)> change;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"qps zero", [](CommonOptions& o) { o.qps = 0; }, {"--qps must be greater than 0, got 0"}},
      {"qps negative",
       [](CommonOptions& o) { o.qps = -1.5; },
       {"--qps must be greater than 0, got -1.5"}},
      {"burst zero", [](CommonOptions& o) { o.burst = 0; }, {"--burst must be at least 1, got 0"}},
      {"renew deadline not shorter than the lease",
       [](CommonOptions& o) { o.renew_deadline = seconds(15); },
       {"--leader-election-renew-deadline (15s) must be shorter than "
        "--leader-election-lease-duration (15s)"}},
      {"renew deadline too close to the retry period",
       [](CommonOptions& o) { o.retry_period = milliseconds(8500); },
       {"--leader-election-renew-deadline (10s) must be longer than 1.2 x "
        "--leader-election-retry-period (8500ms)"}},
      {"retry period zero",
       [](CommonOptions& o) { o.retry_period = std::chrono::nanoseconds::zero(); },
       {"--leader-election-retry-period must be greater than 0, got 0ns"}},
      {"lease duration negative",
       [](CommonOptions& o) { o.lease_duration = seconds(-1); },
       {"--leader-election-lease-duration must be greater than 0, got -1s",
        "--leader-election-renew-deadline (10s) must be shorter than "
        "--leader-election-lease-duration (-1s)"}},
      {"an invalid namespace",
       [](CommonOptions& o) { o.leader_election_namespace = "Korder_System"; },
       {"--leader-election-namespace \"Korder_System\" is not a valid namespace name (lowercase "
        "letters, digits and '-', at most 63, starting and ending with a letter or digit)"}},
      {"concurrency zero",
       [](CommonOptions& o) { o.concurrency = 0; },
       {"--concurrency must be at least 1, got 0"}},
      {"metrics address without a port",
       [](CommonOptions& o) { o.metrics_bind_address = "localhost"; },
       {"--metrics-bind-address \"localhost\" is not host:port (or 0 to disable)"}},
      {"health address with a port out of range",
       [](CommonOptions& o) { o.health_probe_bind_address = ":65536"; },
       {"--health-probe-bind-address \":65536\" is not host:port (or 0 to disable)"}},
      {"an unbracketed IPv6 address",
       [](CommonOptions& o) { o.health_probe_bind_address = "::1:8081"; },
       {"--health-probe-bind-address \"::1:8081\" is not host:port (or 0 to disable)"}},
      {"negative verbosity",
       [](CommonOptions& o) { o.verbosity = -1; },
       {"-v must be 0 or more, got -1"}},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      CommonOptions options;
      c.change(options);
      CHECK(options.validate() == c.want);
    }
  }
}

TEST_CASE("every problem is reported, not just the first", "[unit][kclient]") {
  CommonOptions options;
  options.qps = 0;
  options.burst = 0;
  options.concurrency = 0;
  CHECK(options.validate().size() == 3);
}

}  // namespace
}  // namespace korder::kclient
