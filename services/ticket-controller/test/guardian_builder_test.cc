#include "guardian_builder.h"

#include <catch2/catch.hpp>
#include <string>

#include "korder/api/json.h"
#include "korder/api/scheduling_predicates.h"
#include "support/fixtures.h"
#include "ticket_names.h"

namespace korder::ticket {
namespace {

using testing::new_ticket;
using testing::q;

api::NodeSelectorRequirement expr(std::string key, std::string op, std::vector<std::string> v) {
  api::NodeSelectorRequirement r;
  r.key = std::move(key);
  r.op = std::move(op);
  r.values = std::move(v);
  return r;
}

api::Node node_named(std::string name, std::map<std::string, std::string> labels = {}) {
  api::Node node;
  node.metadata.name = std::move(name);
  node.metadata.labels = std::move(labels);
  return node;
}

TEST_CASE("a guardian pod is named after its ticket and carries the korder labels", "[unit]") {
  const api::Pod pod = build_guardian_pod(new_ticket(), kDefaultGuardianImage);
  CHECK(pod.api_version == "v1");
  CHECK(pod.kind == "Pod");
  CHECK(pod.metadata.name == "web-3f9a1c2b7d4e-guardian");
  CHECK(pod.metadata.namespace_ == "team-a");
  CHECK(pod.metadata.labels ==
        std::map<std::string, std::string>{{"korder.dev/order", "web"},
                                           {"korder.dev/role", "guardian"},
                                           {"korder.dev/ticket", "web-3f9a1c2b7d4e"}});
  CHECK(pod.metadata.annotations.empty());
}

TEST_CASE("a guardian of a ticket without an order label has no order label", "[unit]") {
  api::Ticket ticket = new_ticket();
  ticket.metadata.labels.clear();
  const api::Pod pod = build_guardian_pod(ticket, kDefaultGuardianImage);
  CHECK(pod.metadata.labels.count("korder.dev/order") == 0);
  CHECK(pod.metadata.labels.at("korder.dev/role") == "guardian");
}

TEST_CASE("a guardian is controlled by its ticket and blocks the ticket's deletion", "[unit]") {
  const api::Pod pod = build_guardian_pod(new_ticket(), kDefaultGuardianImage);
  REQUIRE(pod.metadata.owner_references.size() == 1);
  const auto& owner = pod.metadata.owner_references.front();
  CHECK(owner.api_version == "core.korder.dev/v1alpha1");
  CHECK(owner.kind == "Ticket");
  CHECK(owner.name == "web-3f9a1c2b7d4e");
  CHECK(owner.uid == "8a6f3c52-ticket");
  CHECK(owner.controller == true);
  CHECK(owner.block_owner_deletion == true);
}

TEST_CASE("a guardian runs one pause container of the configured image", "[unit]") {
  const api::Pod by_default = build_guardian_pod(new_ticket(), kDefaultGuardianImage);
  REQUIRE(by_default.spec.containers.size() == 1);
  CHECK(by_default.spec.containers[0].name == "guardian");
  CHECK(by_default.spec.containers[0].image == "registry.k8s.io/pause:3.10");
  CHECK(by_default.spec.init_containers.empty());
  const api::Pod custom = build_guardian_pod(new_ticket(), "mirror.example.com/pause:3.10");
  CHECK(custom.spec.containers[0].image == "mirror.example.com/pause:3.10");
}

TEST_CASE("a guardian has no grace period, no token, no service links and restarts always",
          "[unit]") {
  const api::Pod pod = build_guardian_pod(new_ticket(), kDefaultGuardianImage);
  CHECK(pod.spec.restart_policy == "Always");
  CHECK(pod.spec.termination_grace_period_seconds == 0);
  CHECK(pod.spec.automount_service_account_token == false);
  CHECK(pod.spec.node_name.empty());  // the scheduler always places guardians
  CHECK(pod.spec.scheduling_gates.empty());
}

TEST_CASE("a guardian runs with the restricted pod security profile", "[unit]") {
  const api::Pod pod = build_guardian_pod(new_ticket(), kDefaultGuardianImage);
  CHECK(pod.spec.extras.json() ==
        R"({"securityContext":{"runAsNonRoot":true,"runAsUser":65535,"runAsGroup":65535,)"
        R"("seccompProfile":{"type":"RuntimeDefault"}},"enableServiceLinks":false})");
  CHECK(pod.spec.containers[0].extras.json() ==
        R"({"securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,)"
        R"("capabilities":{"drop":["ALL"]}}})");
}

TEST_CASE("a guardian copies the ticket's scheduling constraints", "[unit]") {
  api::Ticket ticket = new_ticket();
  ticket.spec.node_selector = {{"node-type", "compute"}};
  api::Toleration toleration;
  toleration.key = "dedicated";
  toleration.op = "Equal";
  toleration.value = "korder";
  toleration.effect = "NoSchedule";
  ticket.spec.tolerations = {toleration};
  api::TopologySpreadConstraint spread;
  spread.max_skew = 1;
  spread.topology_key = "topology.kubernetes.io/zone";
  spread.when_unsatisfiable = "DoNotSchedule";
  ticket.spec.topology_spread_constraints = {spread};
  ticket.spec.priority_class_name = "korder-guardian";
  ticket.spec.scheduler_name = "my-scheduler";
  ticket.spec.affinity.emplace();
  ticket.spec.affinity->pod_anti_affinity = *api::RawJson::parse(R"({"x":1})");

  const api::Pod pod = build_guardian_pod(ticket, kDefaultGuardianImage);
  CHECK(pod.spec.node_selector == ticket.spec.node_selector);
  CHECK(pod.spec.tolerations == ticket.spec.tolerations);
  CHECK(pod.spec.topology_spread_constraints == ticket.spec.topology_spread_constraints);
  CHECK(pod.spec.priority_class_name == "korder-guardian");
  CHECK(pod.spec.scheduler_name == "my-scheduler");
  CHECK(pod.spec.affinity == ticket.spec.affinity);  // no nodeName: copied unchanged
}

TEST_CASE("a ticket's nodeName becomes required node affinity on metadata.name in every term",
          "[unit]") {
  api::Ticket ticket = new_ticket();
  ticket.spec.node_name = "node-b";
  SECTION("without affinity, one term holding only the pin") {
    const api::Pod pod = build_guardian_pod(ticket, kDefaultGuardianImage);
    CHECK(pod.spec.node_name.empty());
    CHECK(api::encode(*pod.spec.affinity) ==
          R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":)"
          R"({"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In",)"
          R"("values":["node-b"]}]}]}}})");
  }
  SECTION("with two terms, each term also requires the node") {
    api::NodeSelector required;
    required.node_selector_terms.resize(2);
    required.node_selector_terms[0].match_expressions = {expr("zone", "In", {"a"})};
    required.node_selector_terms[1].match_expressions = {expr("zone", "In", {"b"})};
    ticket.spec.affinity.emplace()
        .node_affinity.emplace()
        .required_during_scheduling_ignored_during_execution = required;
    const api::Pod pod = build_guardian_pod(ticket, kDefaultGuardianImage);
    const auto& terms =
        pod.spec.affinity->node_affinity->required_during_scheduling_ignored_during_execution
            ->node_selector_terms;
    REQUIRE(terms.size() == 2);
    for (const auto& term : terms) {
      CHECK(term.match_fields == std::vector{node_pin("node-b")});
      CHECK(term.match_expressions.size() == 1);
    }
    // The scheduler's reading: node-b in zone a matches, node-c in zone a does not.
    CHECK(api::required_node_affinity_matches({}, pod.spec.affinity,
                                              node_named("node-b", {{"zone", "a"}})));
    CHECK_FALSE(api::required_node_affinity_matches({}, pod.spec.affinity,
                                                    node_named("node-c", {{"zone", "a"}})));
  }
}

TEST_CASE("pinning a term that already holds the pin changes nothing", "[unit]") {
  std::optional<api::Affinity> affinity;
  pin_to_node(affinity, "node-a");
  const auto once = affinity;
  pin_to_node(affinity, "node-a");
  CHECK(affinity == once);
  CHECK(term_has_pin(affinity->node_affinity->required_during_scheduling_ignored_during_execution
                         ->node_selector_terms[0],
                     "node-a"));
  CHECK_FALSE(
      term_has_pin(affinity->node_affinity->required_during_scheduling_ignored_during_execution
                       ->node_selector_terms[0],
                   "node-b"));
}

TEST_CASE("a guardian requests and limits exactly what the ticket holds", "[unit]") {
  struct Case {
    const char* what;
    api::ResourceList requests;
    api::ResourceList limits;
    api::ResourceList want_requests;
    api::ResourceList want_limits;
  };
  const Case cases[] = {
      {"cpu and memory requests: limits equal requests (Guaranteed)",
       {{"cpu", q("500m")}, {"memory", q("1Gi")}},
       {},
       {{"cpu", q("500m")}, {"memory", q("1Gi")}},
       {{"cpu", q("500m")}, {"memory", q("1Gi")}}},
      {"a larger cpu limit is kept (Burstable)",
       {{"cpu", q("500m")}, {"memory", q("1Gi")}},
       {{"cpu", q("2")}},
       {{"cpu", q("500m")}, {"memory", q("1Gi")}},
       {{"cpu", q("2")}, {"memory", q("1Gi")}}},
      {"a limit alone is also the request (the API server's defaulting)",
       {},
       {{"memory", q("2Gi")}},
       {{"memory", q("2Gi")}},
       {{"memory", q("2Gi")}}},
      {"an extended resource's limit always equals its request",
       {{"cpu", q("1")}, {"nvidia.com/gpu", q("1")}},
       {{"nvidia.com/gpu", q("2")}},
       {{"cpu", q("1")}, {"nvidia.com/gpu", q("1")}},
       {{"cpu", q("1")}, {"nvidia.com/gpu", q("1")}}},
      {"hugepages limits equal requests",
       {{"memory", q("1Gi")}, {"hugepages-2Mi", q("100Mi")}},
       {},
       {{"memory", q("1Gi")}, {"hugepages-2Mi", q("100Mi")}},
       {{"memory", q("1Gi")}, {"hugepages-2Mi", q("100Mi")}}},
      {"a cpu limit below its request is ignored",
       {{"cpu", q("1")}},
       {{"cpu", q("500m")}},
       {{"cpu", q("1")}},
       {{"cpu", q("1")}}},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.what) {
      api::TicketSpec spec;
      spec.resources.requests = c.requests;
      spec.resources.limits = c.limits;
      const auto resources = guardian_resources(spec);
      CHECK(resources.requests == c.want_requests);
      CHECK(resources.limits == c.want_limits);
      CHECK(resources.requests == api::ticket_requests(spec));  // what the webhook matches on
    }
  }
}

TEST_CASE("the guardian container carries guardian_resources", "[unit]") {
  const api::Ticket ticket = new_ticket();
  const api::Pod pod = build_guardian_pod(ticket, kDefaultGuardianImage);
  CHECK(pod.spec.containers[0].resources == guardian_resources(ticket.spec));
  CHECK(api::effective_requests(pod.spec) == api::ticket_requests(ticket.spec));
}

TEST_CASE("a guardian pod round-trips through its JSON codec", "[unit]") {
  api::Ticket ticket = new_ticket();
  ticket.spec.node_name = "node-a";
  const api::Pod pod = build_guardian_pod(ticket, kDefaultGuardianImage);
  const auto parsed = api::parse_pod(api::to_json(pod));
  REQUIRE(parsed.has_value());
  CHECK(*parsed == pod);
}

}  // namespace
}  // namespace korder::ticket
