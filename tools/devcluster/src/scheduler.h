#pragma once

// The development cluster's scheduler: kube-scheduler's default filters over the simulated
// nodes, with libs/korder-api's scheduling predicates (the same code korder's webhook uses).
//
// Pending pods (no spec.nodeName, no scheduling gates, not terminating, not terminated, and
// spec.schedulerName empty or `default-scheduler`) are taken in order of spec.priority (higher
// first), then creationTimestamp, then namespace/name, and bound through pods/binding to the
// feasible node with the most free cpu and memory (least allocated; ties by name). A node is
// feasible when it is not cordoned, is Ready (a node that is not Ready counts as tainted
// `node.kubernetes.io/not-ready:NoSchedule`, `.../unreachable` when its status is Unknown, as the
// node lifecycle controller does), its taints are tolerated, nodeSelector and required node
// affinity match, and its allocatable (pods count and extended resources included) holds the
// pod's effective requests on top of the bound, non-terminated pods already there.
//
// A pod that fits nowhere gets PodScheduled=False/Unschedulable with kube-scheduler's message
// (`0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't match Pod's node
// affinity/selector.`) and a FailedScheduling event; it is retried when a bound pod is deleted or
// terminates, a node is added or changes, or the pod itself changes. A gated pod gets
// PodScheduled=False/SchedulingGated. Event-driven: an internal store subscription, no polling.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "asio.h"
#include "korder/api/node.h"
#include "korder/api/pod.h"
#include "korder/api/scheduling_predicates.h"
#include "korder/base/expected.h"
#include "registry.h"

namespace korder::devcluster {

/// A node as the scheduler sees it: the node, with the lifecycle controller's taints for a node
/// that is not Ready, and what is bound to it.
struct SchedulerNode {
  api::Node node;
  api::NodeUsage usage;
};

/// The node for a pod with `spec` and effective `requests`, or kube-scheduler's FitError
/// message. Deterministic: least allocated (mean free share of cpu and memory after placing the
/// pod), ties broken by node name.
Expected<std::string, std::string> choose_node(const api::PodSpec& spec,
                                               const api::ResourceList& requests,
                                               const std::vector<const SchedulerNode*>& nodes);

/// `node` with the taints kube's node lifecycle controller gives a node that is not Ready.
api::Node with_lifecycle_taints(api::Node node);

/// The scheduler. start() once; stop() before the io_context stops.
class Scheduler {
 public:
  Scheduler(net::io_context& ioc, Registry& registry);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void start();
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace korder::devcluster
