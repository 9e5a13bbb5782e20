#include "korder/kclient/common_flags.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

// This test binary plays the part of a service's options.cc.
KORDER_DEFINE_COMMON_FLAGS();

namespace korder::kclient {
namespace {

using std::chrono::seconds;

TEST_CASE("the common flags default to the CommonOptions defaults", "[unit][kclient]") {
  gflags::FlagSaver saver;
  const auto parsed = parse_common_flags();
  REQUIRE(parsed);
  const CommonOptions defaults;
  CHECK(parsed->kubeconfig == defaults.kubeconfig);
  CHECK(parsed->context == defaults.context);
  CHECK(parsed->qps == defaults.qps);
  CHECK(parsed->burst == defaults.burst);
  CHECK(parsed->leader_elect == defaults.leader_elect);
  CHECK(parsed->leader_election_namespace == defaults.leader_election_namespace);
  CHECK(parsed->lease_duration == defaults.lease_duration);
  CHECK(parsed->renew_deadline == defaults.renew_deadline);
  CHECK(parsed->retry_period == defaults.retry_period);
  CHECK(parsed->concurrency == defaults.concurrency);
  CHECK(parsed->metrics_bind_address == defaults.metrics_bind_address);
  CHECK(parsed->health_probe_bind_address == defaults.health_probe_bind_address);
}

TEST_CASE("the common flags are spelled with dashes and take Go durations", "[unit][kclient]") {
  gflags::FlagSaver saver;
  std::vector<std::string> args = {"korder-order-controller",
                                   "--kubeconfig=/etc/kube/config",
                                   "--context=dev",
                                   "--qps=5.5",
                                   "--burst=7",
                                   "--leader-elect=false",
                                   "--leader-election-namespace=ops",
                                   "--leader-election-lease-duration=1m",
                                   "--leader-election-renew-deadline=40s",
                                   "--leader-election-retry-period=5s",
                                   "--concurrency=4",
                                   "--metrics-bind-address=0",
                                   "--health-probe-bind-address=127.0.0.1:0",
                                   "-v=2"};
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  int argc = static_cast<int>(argv.size());
  char** argv_ptr = argv.data();
  gflags::ParseCommandLineFlags(&argc, &argv_ptr, /*remove_flags=*/false);

  const auto parsed = parse_common_flags();
  REQUIRE(parsed);
  CHECK(parsed->kubeconfig == "/etc/kube/config");
  CHECK(parsed->context == "dev");
  CHECK(parsed->qps == 5.5);
  CHECK(parsed->burst == 7);
  CHECK_FALSE(parsed->leader_elect);
  CHECK(parsed->leader_election_namespace == "ops");
  CHECK(parsed->lease_duration == seconds(60));
  CHECK(parsed->renew_deadline == seconds(40));
  CHECK(parsed->retry_period == seconds(5));
  CHECK(parsed->concurrency == 4);
  CHECK(parsed->metrics_bind_address == "0");
  CHECK(parsed->health_probe_bind_address == "127.0.0.1:0");
  CHECK(parsed->verbosity == 2);
}

std::optional<std::string> from(const std::map<std::string, std::string>& values,
                                const std::string& name) {
  const auto it = values.find(name);
  if (it == values.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::map<std::string, std::string> defaults() {
  return {{"kubeconfig", ""},
          {"context", ""},
          {"qps", "20"},
          {"burst", "30"},
          {"leader_elect", "true"},
          {"leader_election_namespace", ""},
          {"leader_election_lease_duration", "15s"},
          {"leader_election_renew_deadline", "10s"},
          {"leader_election_retry_period", "2s"},
          {"concurrency", "1"},
          {"metrics_bind_address", ":8080"},
          {"health_probe_bind_address", ":8081"},
          {"v", "0"}};
}

TEST_CASE("a positive duration flag of a daemon is parsed or reported by name", "[unit][kclient]") {
  std::vector<std::string> errors;
  CHECK(positive_duration_flag("hold-ttl", "1m30s", errors) == std::chrono::seconds(90));
  CHECK(errors.empty());
  CHECK_FALSE(positive_duration_flag("hold-ttl", "0s", errors).has_value());
  CHECK_FALSE(positive_duration_flag("claim-deadline", "soon", errors).has_value());
  REQUIRE(errors.size() == 2);
  CHECK(errors[0] == "--hold-ttl: must be positive, got \"0s\"");
  CHECK(errors[1].rfind("--claim-deadline: ", 0) == 0);
  CHECK(errors[1].find("\"soon\"") != std::string::npos);
}

TEST_CASE("values that do not convert are reported one line per flag", "[unit][kclient]") {
  auto values = defaults();
  values["leader_election_lease_duration"] = "15x";
  values["burst"] = "lots";
  values["leader_elect"] = "yes";
  const auto parsed =
      common_options_from_flags([&](const std::string& name) { return from(values, name); });
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error() ==
        std::vector<std::string>{
            "--burst: invalid value \"lots\", want an integer",
            "--leader-elect: invalid value \"yes\", want true or false",
            "--leader-election-lease-duration: time: unknown unit \"x\" in duration \"15x\"",
        });
}

TEST_CASE("converted values are validated like CommonOptions", "[unit][kclient]") {
  auto values = defaults();
  values["leader_election_renew_deadline"] = "20s";
  values["concurrency"] = "0";
  const auto parsed =
      common_options_from_flags([&](const std::string& name) { return from(values, name); });
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error() == std::vector<std::string>{
                              "--leader-election-renew-deadline (20s) must be shorter than "
                              "--leader-election-lease-duration (15s)",
                              "--concurrency must be at least 1, got 0",
                          });
}

TEST_CASE("a binary that forgot to define the common flags is told so", "[unit][kclient]") {
  auto values = defaults();
  values.erase("qps");
  const auto parsed =
      common_options_from_flags([&](const std::string& name) { return from(values, name); });
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error() ==
        std::vector<std::string>{
            "--qps: flag not defined (call KORDER_DEFINE_COMMON_FLAGS() in options.cc)"});
}

TEST_CASE("the common flag names match DESIGN section 8", "[unit][kclient]") {
  CHECK(common_flag_names() ==
        std::vector<std::string>{"kubeconfig", "context", "qps", "burst", "leader_elect",
                                 "leader_election_namespace", "leader_election_lease_duration",
                                 "leader_election_renew_deadline", "leader_election_retry_period",
                                 "concurrency", "metrics_bind_address", "health_probe_bind_address",
                                 "v"});
  for (const std::string& name : common_flag_names()) {
    INFO(name);
    std::string value;
    CHECK(gflags::GetCommandLineOption(name.c_str(), &value));
  }
}

}  // namespace
}  // namespace korder::kclient
