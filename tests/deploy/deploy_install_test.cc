// deploy/ against real processes: the daemons accept every argument the Deployments pass them,
// and `kubectl apply -f deploy/install.yaml` installs korder on the development cluster, a
// second apply changing nothing.
#include <catch2/catch.hpp>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "manifests.h"
#include "process.h"
#include "test_cluster.h"

namespace korder::testing {
namespace {

const std::map<std::string, std::string>& binaries() {
  static const std::map<std::string, std::string> all = {
      {"korder-order-controller", KORDER_ORDER_CONTROLLER_BINARY},
      {"korder-ticket-controller", KORDER_TICKET_CONTROLLER_BINARY},
      {"korder-quota-controller", KORDER_QUOTA_CONTROLLER_BINARY},
      {"korder-admission-webhook", KORDER_WEBHOOK_BINARY},
  };
  return all;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) {
      out.push_back(line);
    }
  }
  return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Runs every korder Deployment's container of `manifests` with its args and a kubeconfig that
// does not exist: options that parse and validate get the daemon as far as loading the client
// configuration, which then fails.
void check_daemons_accept_args(const Manifests& manifests) {
  TempDir dir;
  for (const auto& [name, binary] : binaries()) {
    INFO(name);
    const auto& container =
        *at(manifests.get("Deployment", name), "spec.template.spec.containers.0");
    std::vector<std::string> argv = {binary};
    for (const auto& arg : strings(container, "args")) {
      argv.push_back(arg);
    }
    argv.push_back("--kubeconfig=" + dir.path() + "/missing-kubeconfig");
    const auto result = run_command(argv, {}, std::chrono::seconds(20));
    const std::string output = result.out + result.err;
    INFO(output);
    CHECK(result.exit_code != 0);
    CHECK(output.find("unknown command line flag") == std::string::npos);
    CHECK(output.find("cannot load the client configuration") != std::string::npos);
  }
}

TEST_CASE(
    "every daemon accepts the arguments its Deployment passes, in install.yaml and the "
    "cert-manager overlay",
    "[integration]") {
  SECTION("install.yaml") {
    check_daemons_accept_args(Manifests(read_source("deploy/install.yaml")));
  }
  SECTION("cert-manager overlay") {
    check_daemons_accept_args(Manifests(kustomize("deploy/overlays/cert-manager")));
  }
}

TEST_CASE(
    "kubectl apply -f deploy/install.yaml installs korder on the development cluster and "
    "a second apply changes nothing",
    "[integration]") {
  TestCluster cluster;
  const std::string install = source_dir() + "/deploy/install.yaml";
  const std::size_t objects = Manifests(read_source("deploy/install.yaml")).objects().size();

  const auto first = cluster.kubectl({"apply", "-f", install});
  INFO("first apply:\n" << first.out << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(lines(first.out).size() == objects);

  // What the server holds after the first apply: kind/name=resourceVersion of every object.
  const std::vector<std::string> get_versions = {
      "get", "-f", install, "-o",
      "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{\"\\n\"}"
      "{end}"};
  const auto before = cluster.kubectl(get_versions);
  REQUIRE(before.exit_code == 0);
  REQUIRE(lines(before.out).size() == objects);

  const auto second = cluster.kubectl({"apply", "-f", install});
  INFO("second apply:\n" << second.out << second.err);
  REQUIRE(second.exit_code == 0);
  CHECK(second.err.empty());
  const auto reported = lines(second.out);
  CHECK(reported.size() == objects);
  for (const auto& line : reported) {
    INFO(line);
    // kubectl's client-side apply always sends a PodDisruptionBudget's selector (policy/v1 marks
    // it patchStrategy=replace), so it prints "configured" for them on any cluster; the
    // resourceVersions below show that the server changed nothing.
    const bool budget = line.rfind("poddisruptionbudget.policy/", 0) == 0;
    CHECK((ends_with(line, " unchanged") || (budget && ends_with(line, " configured"))));
  }
  const auto after = cluster.kubectl(get_versions);
  REQUIRE(after.exit_code == 0);
  CHECK(after.out == before.out);
}

}  // namespace
}  // namespace korder::testing
