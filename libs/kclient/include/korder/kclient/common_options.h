#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace korder::kclient {

/// The flags every korder daemon shares (DESIGN §8), parsed by each service's `options.cc` into
/// this plain struct so that every daemon spells and checks them the same way. Libraries never
/// read flags; the fields map one to one to the flags named in the comments. The defaults are
/// the production ones.
struct CommonOptions {
  /// --kubeconfig: empty means $KUBECONFIG, then in-cluster, then ~/.kube/config.
  std::string kubeconfig;
  /// --context: empty means the kubeconfig's current-context.
  std::string context;
  /// --qps and --burst: the client-side request rate (controller-runtime's defaults).
  double qps = 20.0;
  int burst = 30;
  /// --leader-elect: only the holder of the Lease acts (DESIGN §1).
  bool leader_elect = true;
  /// --leader-election-namespace: empty means the namespace the process runs in
  /// (`Config::namespace_`).
  std::string leader_election_namespace;
  /// --leader-election-lease-duration, --leader-election-renew-deadline,
  /// --leader-election-retry-period (client-go's defaults).
  std::chrono::nanoseconds lease_duration = std::chrono::seconds(15);
  std::chrono::nanoseconds renew_deadline = std::chrono::seconds(10);
  std::chrono::nanoseconds retry_period = std::chrono::seconds(2);
  /// --concurrency: reconcile workers per controller.
  int concurrency = 1;
  /// --metrics-bind-address and --health-probe-bind-address: host:port, or "0" to disable.
  std::string metrics_bind_address = ":8080";
  std::string health_probe_bind_address = ":8081";
  /// -v: glog verbosity.
  int verbosity = 0;

  /// Every problem with the values, one clear line each naming the flag (empty when valid), e.g.
  /// `--leader-election-renew-deadline (15s) must be shorter than
  /// --leader-election-lease-duration (15s)`. The leader-election timing rules are client-go's
  /// `NewLeaderElector` checks: all positive, lease duration > renew deadline >
  /// 1.2 x retry period.
  std::vector<std::string> validate() const;
};

}  // namespace korder::kclient
