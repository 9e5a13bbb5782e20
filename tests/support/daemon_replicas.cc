#include "daemon_replicas.h"

#include <cstdint>
#include <map>
#include <regex>
#include <stdexcept>
#include <utility>

#include "korder/api/lease.h"

namespace korder::testing {

Process& DaemonReplicas::start(const std::string& pod_name, std::vector<std::string> argv,
                               const std::string& ready_text, std::chrono::milliseconds timeout) {
  const std::string log =
      log_dir_ + "/" + pod_name + "-" + std::to_string(replicas_.size()) + ".log";
  replicas_.push_back(std::make_unique<Process>(
      std::move(argv), std::map<std::string, std::string>{{"POD_NAME", pod_name}}, log));
  Process& replica = *replicas_.back();
  if (!replica.wait_for_output(ready_text, timeout)) {
    throw std::runtime_error("replica " + pod_name + " did not print \"" + ready_text + "\":\n" +
                             replica.output());
  }
  return replica;
}

std::vector<std::string> controller_argv(const std::string& binary, const std::string& kubeconfig) {
  return {
      binary,
      "--kubeconfig=" + kubeconfig,
      "--leader-election-namespace=korder-system",
      "--leader-election-lease-duration=2s",
      "--leader-election-renew-deadline=1500ms",
      "--leader-election-retry-period=300ms",
      "--metrics-bind-address=127.0.0.1:0",
      "--health-probe-bind-address=127.0.0.1:0",
      "--qps=200",
      "--burst=400",
      "-v=1",
  };
}

int logged_port(const std::string& output, const std::string& server) {
  const std::regex re("server=" + server + " address=\\S+ port=(\\d+)");
  std::smatch m;
  if (std::regex_search(output, m, re)) {
    return std::stoi(m[1]);
  }
  return 0;
}

HttpAnswer probe_daemon(Process& daemon, const std::string& server, const std::string& path) {
  const int port = logged_port(daemon.output(), server);
  if (port <= 0) {
    throw std::runtime_error("the daemon logged no port for server=" + server + ":\n" +
                             daemon.output());
  }
  return http_request(static_cast<std::uint16_t>(port), "GET", path);
}

std::string lease_holder(TestCluster& cluster, const std::string& namespace_,
                         const std::string& name) {
  const HttpAnswer answer = cluster.api(
      "GET", "/apis/coordination.k8s.io/v1/namespaces/" + namespace_ + "/leases/" + name);
  if (answer.status != 200) {
    return "";
  }
  const auto lease = api::parse_lease(answer.body);
  if (!lease || !lease->spec.holder_identity) {
    return "";
  }
  return *lease->spec.holder_identity;
}

}  // namespace korder::testing
