// korder-order-controller's daemonSet mode end to end (DESIGN.md §2): the development cluster,
// the order controller and the ticket controller as separate processes; nodes are added,
// marked Ready, cordoned and deleted through the API, as a cluster's nodes come and go.

#include <algorithm>
#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "korder/api/ticket.h"
#include "strategy_e2e_support.h"

namespace korder::order::e2e {
namespace {

using namespace std::chrono_literals;

const char* const kInfraOrder = R"(apiVersion: core.korder.dev/v1alpha1
kind: Order
metadata:
  name: infra
  namespace: default
spec:
  daemonSet: true
  strategy:
    type: OneTime
  template:
    metadata:
      labels:
        app: infra
    spec:
      duration: 1h
      resources:
        requests:
          cpu: 100m
      nodeSelector:
        node-type: compute
      tolerations:
      - key: dedicated
        operator: Equal
        value: infra
        effect: NoSchedule
)";

// The nodes of the order's tickets (annotation korder.dev/node), of those not being deleted.
std::set<std::string> ticket_nodes(StrategyE2e& env) {
  std::set<std::string> nodes;
  for (const api::Ticket& t : env.live_tickets("infra")) {
    nodes.insert(annotation(t.metadata, "korder.dev/node"));
  }
  return nodes;
}

// Every ticket of the order (terminating ones included) is Ready on its own node, and its
// guardian runs there: the set of those nodes.
bool all_ready_on(StrategyE2e& env, const std::set<std::string>& nodes) {
  const auto tickets = env.tickets("infra");
  if (tickets.size() != nodes.size()) {
    return false;
  }
  std::set<std::string> seen;
  for (const api::Ticket& t : tickets) {
    const std::string node = annotation(t.metadata, "korder.dev/node");
    if (t.metadata.deletion_timestamp || t.status.phase != "Ready" || t.status.node_name != node) {
      return false;
    }
    seen.insert(node);
  }
  std::set<std::string> guardian_nodes;
  for (const api::Pod& pod : env.pods("korder.dev/role=guardian,korder.dev/order=infra")) {
    if (!is_running_and_ready(pod)) {
      return false;
    }
    guardian_nodes.insert(pod.spec.node_name);
  }
  return seen == nodes && guardian_nodes == nodes;
}

TEST_CASE(
    "a daemonSet order keeps one ticket per Ready schedulable node its template admits, pinned "
    "by node affinity, and follows nodes that join, become Ready, are cordoned or leave",
    "[e2e]") {
  StrategyE2e env;
  env.start_controller("order-controller", {"--leader-elect=false"});
  env.start_ticket_controller();
  const auto compute = env.node_names("node-type=compute");
  std::set<std::string> expected(compute.begin(), compute.end());
  REQUIRE(expected.size() >= 2);
  REQUIRE(env.node_names("node-type!=compute").size() >= 1);  // a node the selector rejects
  env.apply(kInfraOrder);

  REQUIRE(eventually([&] { return all_ready_on(env, expected); }));
  std::set<std::string> slots;
  for (const api::Ticket& t : env.tickets("infra")) {
    const std::string node = annotation(t.metadata, "korder.dev/node");
    INFO("ticket " << t.metadata.name << " for node " << node);
    // Pinned the way DaemonSets are: required node affinity on metadata.name, never nodeName.
    CHECK(t.spec.node_name.empty());
    CHECK(pinned_to(t.spec.affinity, node));
    CHECK(t.spec.node_selector == std::map<std::string, std::string>{{"node-type", "compute"}});
    CHECK(std::regex_match(label(t.metadata, "korder.dev/slot"), std::regex("n-[0-9a-f]{12}")));
    slots.insert(label(t.metadata, "korder.dev/slot"));
    const auto guardian = env.pod(t.status.guardian_pod);
    REQUIRE(guardian.has_value());
    CHECK(guardian->spec.node_name == node);  // bound by the scheduler through the pin
    CHECK(pinned_to(guardian->spec.affinity, node));
  }
  CHECK(slots.size() == expected.size());
  CHECK(env.order("infra")->status.desired == static_cast<int>(expected.size()));

  // Nodes join: a Ready compute node and a compute node tainted with what the template
  // tolerates get tickets; a NotReady one, one with another taint and a general one do not.
  env.create_node("joined", R"({"node-type":"compute","kubernetes.io/hostname":"joined"})");
  env.create_node("late", R"({"node-type":"compute","kubernetes.io/hostname":"late"})", false);
  env.create_node("infra-only", R"({"node-type":"compute","kubernetes.io/hostname":"infra-only"})",
                  true, R"([{"key":"dedicated","value":"infra","effect":"NoSchedule"}])");
  env.create_node("gpu-only", R"({"node-type":"compute","kubernetes.io/hostname":"gpu-only"})",
                  true, R"([{"key":"gpu","value":"only","effect":"NoSchedule"}])");
  env.create_node("general", R"({"node-type":"general","kubernetes.io/hostname":"general"})");
  expected.insert({"joined", "infra-only"});
  REQUIRE(eventually([&] { return all_ready_on(env, expected); }));
  CHECK(ticket_nodes(env) == expected);
  CHECK(eventually(
      [&] { return env.order("infra")->status.desired == static_cast<int>(expected.size()); }));

  // The NotReady node becomes Ready, one node is cordoned and one deleted.
  const std::string cordoned = *compute.begin();
  env.set_node_ready("late", true);
  env.cordon(cordoned);
  env.delete_node("joined");
  expected.insert("late");
  expected.erase(cordoned);
  expected.erase("joined");
  // The leaving nodes' tickets are deleted (their guardians with them), the new one is Ready.
  REQUIRE(eventually([&] { return all_ready_on(env, expected); }));
  CHECK(ticket_nodes(env) == expected);
  const api::Order order = *env.order("infra");
  CHECK(order.status.desired == static_cast<int>(expected.size()));
  CHECK(order.status.ready == static_cast<int>(expected.size()));
  // Nothing more happens once the set matches the nodes.
  CHECK_FALSE(eventually([&] { return env.tickets("infra").size() != expected.size(); }, 1s));
}

}  // namespace
}  // namespace korder::order::e2e
