#pragma once

// Daemons under test as real processes: replicas started with their POD_NAME, each logging to a
// file of its own, killed when the set is destroyed; and what tests read from them (the ports
// their servers logged, the holder of their Lease).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "process.h"
#include "test_cluster.h"

namespace korder::testing {

/// The replicas of one daemon started by a test.
class DaemonReplicas {
 public:
  /// Logs go to `log_dir` (e.g. the cluster's directory).
  explicit DaemonReplicas(std::string log_dir) : log_dir_(std::move(log_dir)) {}
  /// Kills (SIGKILL) the replicas still running.
  ~DaemonReplicas() = default;
  DaemonReplicas(const DaemonReplicas&) = delete;
  DaemonReplicas& operator=(const DaemonReplicas&) = delete;

  /// Starts `argv` with POD_NAME=`pod_name` (a daemon's leader-election identity), its output in
  /// `<log_dir>/<pod_name>-<n>.log`, and waits up to `timeout` until the output shows
  /// `ready_text`. Throws std::runtime_error with the output when it does not.
  Process& start(const std::string& pod_name, std::vector<std::string> argv,
                 const std::string& ready_text = "server=metrics",
                 std::chrono::milliseconds timeout = std::chrono::seconds(20));

 private:
  std::string log_dir_;
  std::vector<std::unique_ptr<Process>> replicas_;
};

/// The command line of a leader-elected controller under test: `binary` against `kubeconfig`,
/// its Lease in korder-system with short timings (2s lease, 1500ms renew deadline, 300ms retry),
/// its metrics and health servers on free loopback ports, --qps=200 --burst=400 and -v=1.
/// Append the controller's own flags.
std::vector<std::string> controller_argv(const std::string& binary, const std::string& kubeconfig);

/// The port a daemon logged for its `server` (`server=metrics address=… port=N`); 0 when none.
int logged_port(const std::string& output, const std::string& server);

/// GET `path` on the daemon's `server` (`health` or `metrics`, port read from its output).
/// Throws std::runtime_error when it logged no port for that server.
HttpAnswer probe_daemon(Process& daemon, const std::string& server, const std::string& path);

/// The holderIdentity of Lease `namespace_`/`name`: "" when the Lease is missing, unreadable or
/// held by no one.
std::string lease_holder(TestCluster& cluster, const std::string& namespace_,
                         const std::string& name);

}  // namespace korder::testing
