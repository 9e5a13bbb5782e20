#pragma once

// What exists when the devcluster starts: the usual namespaces (default, kube-system,
// kube-public, kube-node-lease, korder-system) and nodes, from a YAML file or generated.

#include <map>
#include <string>
#include <vector>

#include "json_access.h"
#include "korder/base/expected.h"

namespace korder::devcluster {

/// One simulated node.
struct NodeSpec {
  std::string name;
  std::map<std::string, std::string> labels;               // besides the standard ones
  std::map<std::string, std::string> allocatable;          // cpu, memory, pods, extended resources
  std::vector<std::map<std::string, std::string>> taints;  // key, value, effect
  bool unschedulable = false;
};

/// `count` heterogeneous nodes (`dev-node-1`...): shapes cycle through 8 CPU/32Gi compute,
/// 4 CPU/16Gi general and 16 CPU/64Gi compute with 2 GPUs. Count 0 gives none; a negative
/// count gives the default four.
std::vector<NodeSpec> default_nodes(int count);

/// Reads a YAML list of nodes: each item either `{name, labels, allocatable, taints,
/// unschedulable}` or a whole `kind: Node` object (then used as is).
Expected<std::vector<JsonDocument>, std::string> load_nodes_file(const std::string& path,
                                                                 const std::string& now);

/// The Node object for `spec`: standard labels (`kubernetes.io/os: linux`,
/// `kubernetes.io/arch`, `kubernetes.io/hostname`), capacity = allocatable, Ready condition,
/// an InternalIP, node info. `index` picks the address.
JsonDocument node_object(const NodeSpec& spec, int index, const std::string& now);

/// The namespaces created at startup.
std::vector<std::string> bootstrap_namespaces();

}  // namespace korder::devcluster
