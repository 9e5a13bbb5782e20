#pragma once

// The whole suite as `make run` and the README show it, for end-to-end tests: the development
// cluster with all four daemons as separate processes, the webhook registered through
// deploy/webhook's configurations (certificates from scripts/certs.sh), the quota service over
// mutual TLS.
//
//   korder::testing::Suite suite;                 // everything up when the constructor returns
//   suite.cluster().kubectl({"apply", "-f", source_dir() + "/examples/order.yaml"});
//   REQUIRE(eventually([&] { return suite.tickets_in("Ready") == 3; }, 30s));
//
// The constructor uses Catch2's REQUIRE, so a Suite lives inside a TEST_CASE.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "korder/api/json.h"
#include "korder/api/list.h"
#include "korder/api/pod.h"
#include "korder/api/ticket.h"
#include "process.h"
#include "test_cluster.h"

namespace korder::testing {

/// What a test changes in the suite's setup. The defaults are those of `make run`, with short
/// timings.
struct SuiteOptions {
  /// Appended to the development cluster's command line (after the webhook service map).
  std::vector<std::string> cluster_args = {"--kubelet-delay", "100ms"};
  /// `--claim-deadline` of the webhook and the ticket controller.
  std::string claim_deadline = "10s";
  /// Appended to each daemon's command line (e.g. `--qps=500`, `--concurrency=4`).
  std::vector<std::string> order_flags;
  std::vector<std::string> ticket_flags;
  std::vector<std::string> quota_flags;
  std::vector<std::string> webhook_flags;
};

/// A loopback port free right now (bound, read, released).
int free_port();

/// `object[member]` as a string ("" when missing or not a string).
std::string str(const api::JsonValue& object, const char* member);
/// `object[name]` (a null value when missing).
const api::JsonValue& member(const api::JsonValue& object, const char* name);

/// Like eventually(), for conditions that are expensive to evaluate (large lists): polls every
/// `interval` until `condition` holds or `timeout` passes; returns its last value.
bool eventually_every(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds interval);

/// The whole suite as `make run` starts it, on a development cluster that enforces RBAC: each
/// daemon runs as its own ServiceAccount (`korder-<component>` in korder-system) with
/// deploy/rbac's grants, and the suite checks at its end that none of their requests was
/// forbidden. Tests act as the cluster's admin (kubectl, `cluster().api`).
class Suite {
 public:
  explicit Suite(SuiteOptions options = {});
  ~Suite();
  Suite(const Suite&) = delete;
  Suite& operator=(const Suite&) = delete;

  TestCluster& cluster() { return cluster_; }

  /// Everything the daemons printed, for failure messages.
  std::string logs() const;

  Process& quota_controller() { return *quota_; }
  Process& webhook() { return *webhook_; }
  /// Starts the webhook (again, after a kill) on its port and waits until it serves.
  void start_webhook();

  /// `kubectl get KIND -n NAMESPACE -o json` (fails the test when kubectl fails).
  api::JsonDocument list(const std::string& kind, const std::string& namespace_ = "default");
  /// Tickets of `namespace_` in `phase`.
  int tickets_in(const std::string& phase, const std::string& namespace_ = "default");
  /// `kubectl apply -f -` of `manifest`.
  CommandResult apply(const std::string& manifest);

  /// Tickets / pods of `namespace_` read over the API (fails the test when the read fails).
  api::TicketList tickets(const std::string& namespace_ = "default");
  api::PodList pods(const std::string& namespace_ = "default",
                    const std::string& label_selector = "");

 private:
  Process& start(const std::string& name, std::vector<std::string> argv);
  void start_quota_controller(const std::vector<std::string>& flags);

  SuiteOptions options_;
  int webhook_port_;
  int quota_port_;
  TestCluster cluster_;
  std::map<std::string, std::string> kubeconfigs_;  // component → its ServiceAccount's kubeconfig
  std::string certs_;
  std::vector<std::unique_ptr<Process>> processes_;
  Process* quota_ = nullptr;
  Process* webhook_ = nullptr;
  int webhook_starts_ = 0;
};

}  // namespace korder::testing
