#pragma once

// The kubelets of the simulated nodes, as one event-driven loop:
// - a pod bound to an existing node becomes Running after the kubelet delay (0: at once), with
//   PodReadyToStartContainers/Initialized/ContainersReady/Ready/PodScheduled True, hostIP(s),
//   podIP(s) (10.244.<node>.<n>), startTime and a running status per container (init
//   containers completed, sidecars running); a pod bound to a node that does not exist waits for
//   it, as it would for a kubelet that never registered;
// - the kubelet turns graceful pod deletion on in the Registry: a deleted bound pod gets its
//   deletionTimestamp and the kubelet removes it (DELETE with grace 0 and a uid precondition)
//   once its containers have stopped. Simulated containers stop on SIGTERM after the kubelet
//   delay, so that is min(grace period, kubelet delay); a pod annotated
//   `devcluster.korder.dev/ignore-sigterm: "true"` waits its whole grace period, and a pod the
//   kubelet has not started yet (or whose node is gone) is removed at once;
// - kubelet admission: a pod bound past the scheduler (spec.nodeName) that does not fit next to
//   the node's running pods fails with reason OutOf<resource>, as the kubelet rejects it;
// - pods of a deleted node fail (phase Failed, reason NodeLost), terminating ones are removed;
// - evict() fails a pod as node-pressure eviction does (phase Failed, reason Evicted,
//   DisruptionTarget True); it stays until deleted.
// Timers are the loop's own deadline (one steady_timer on its strand), never sleeping threads.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "asio.h"
#include "registry.h"

namespace korder::devcluster {

/// The annotation that makes a pod's simulated containers ignore SIGTERM.
inline constexpr std::string_view kIgnoreSigtermAnnotation = "devcluster.korder.dev/ignore-sigterm";

/// The kubelet simulator. start() once; stop() before the io_context stops.
class Kubelet {
 public:
  Kubelet(net::io_context& ioc, Registry& registry, std::chrono::milliseconds delay);
  ~Kubelet();
  Kubelet(const Kubelet&) = delete;
  Kubelet& operator=(const Kubelet&) = delete;

  /// Turns graceful pod deletion on and starts the loop.
  void start();
  void stop();

  /// Fails pod `namespace_/name` as an eviction does. 404 when it does not exist, 409 when it is
  /// not bound to a node or has already terminated. Returns the failed pod.
  Awaitable<ApiResult<ObjectPtr>> evict(std::string namespace_, std::string name);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace korder::devcluster
