#include "korder/api/scheduling_predicates.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace korder::api {
namespace {

using Labels = std::map<std::string, std::string>;
using Strings = std::vector<std::string>;

Quantity q(const std::string& text) {
  auto parsed = Quantity::parse(text);
  INFO("quantity " << text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

ResourceList rl(const std::vector<std::pair<std::string, std::string>>& entries) {
  ResourceList out;
  for (const auto& [name, text] : entries) {
    out[name] = q(text);
  }
  return out;
}

std::string show(const ResourceList& list) {
  std::string out = "{";
  for (const auto& [name, quantity] : list) {
    out += " " + name + ": " + quantity.to_string();
  }
  return out + " }";
}

Container container(ResourceList requests, ResourceList limits = {}, std::string restart = "") {
  Container c;
  c.name = "c";
  c.image = "registry.k8s.io/pause:3.9";
  c.resources.requests = std::move(requests);
  c.resources.limits = std::move(limits);
  c.restart_policy = std::move(restart);
  return c;
}

Container sidecar(ResourceList requests) { return container(std::move(requests), {}, "Always"); }

Node make_node(std::string name, Labels labels = {}) {
  Node node;
  node.metadata.name = std::move(name);
  node.metadata.labels = std::move(labels);
  return node;
}

NodeSelectorRequirement expr(std::string key, std::string op, Strings values = {}) {
  NodeSelectorRequirement r;
  r.key = std::move(key);
  r.op = std::move(op);
  r.values = std::move(values);
  return r;
}

NodeSelectorTerm term(std::vector<NodeSelectorRequirement> expressions,
                      std::vector<NodeSelectorRequirement> fields = {}) {
  NodeSelectorTerm t;
  t.match_expressions = std::move(expressions);
  t.match_fields = std::move(fields);
  return t;
}

NodeSelector selector(std::vector<NodeSelectorTerm> terms) {
  NodeSelector s;
  s.node_selector_terms = std::move(terms);
  return s;
}

std::optional<Affinity> required(std::vector<NodeSelectorTerm> terms) {
  NodeAffinity node_affinity;
  node_affinity.required_during_scheduling_ignored_during_execution = selector(std::move(terms));
  Affinity affinity;
  affinity.node_affinity = std::move(node_affinity);
  return affinity;
}

Toleration toleration(std::string key, std::string op, std::string value = "",
                      std::string effect = "") {
  Toleration t;
  t.key = std::move(key);
  t.op = std::move(op);
  t.value = std::move(value);
  t.effect = std::move(effect);
  return t;
}

Taint taint(std::string key, std::string value, std::string effect) {
  Taint t;
  t.key = std::move(key);
  t.value = std::move(value);
  t.effect = std::move(effect);
  return t;
}

// ---- Effective requests -------------------------------------------------------------------------

struct RequestsCase {
  std::string name;
  PodSpec spec;
  ResourceList want;
};

PodSpec pod_spec(std::vector<Container> containers, std::vector<Container> init = {},
                 ResourceList overhead = {}) {
  PodSpec spec;
  spec.containers = std::move(containers);
  spec.init_containers = std::move(init);
  spec.overhead = std::move(overhead);
  return spec;
}

void check_requests(const std::vector<RequestsCase>& cases) {
  for (const auto& c : cases) {
    const ResourceList got = effective_requests(c.spec);
    INFO(c.name << ": got " << show(got) << ", want " << show(c.want));
    CHECK(got == c.want);
  }
}

TEST_CASE(
    "effective requests follow Kubernetes' PodRequests for containers, init containers and "
    "overhead",
    "[unit][scheduling]") {
  check_requests({
      // TestPodRequestsAndLimits (component-helpers/resource).
      {"just-overhead", pod_spec({container({})}, {}, rl({{"cpu", "5"}, {"memory", "5"}})),
       rl({{"cpu", "5"}, {"memory", "5"}})},
      {"req-and-overhead",
       pod_spec({container(rl({{"cpu", "1"}, {"memory", "10"}}))}, {},
                rl({{"cpu", "5"}, {"memory", "5"}})),
       rl({{"cpu", "6"}, {"memory", "15"}})},
      {"all-req-lim-and-overhead",
       pod_spec(
           {container(rl({{"cpu", "1"}, {"memory", "10"}}), rl({{"cpu", "2"}, {"memory", "12"}}))},
           {}, rl({{"cpu", "5"}, {"memory", "5"}})),
       rl({{"cpu", "6"}, {"memory", "15"}})},
      {"req-some-lim-and-overhead",
       pod_spec({container(rl({{"cpu", "1"}, {"memory", "10"}}), rl({{"cpu", "2"}}))}, {},
                rl({{"cpu", "5"}, {"memory", "5"}})),
       rl({{"cpu", "6"}, {"memory", "15"}})},
      // TestPodRequestsAndLimitsWithoutOverhead.
      {"two containers are summed",
       pod_spec({container(rl({{"cpu", "1"}, {"memory", "5"}})),
                 container(rl({{"cpu", "4"}, {"memory", "12"}}))}),
       rl({{"cpu", "5"}, {"memory", "17"}})},
      {"a massive init container wins, and overhead is added on top",
       pod_spec({container(rl({{"cpu", "1"}, {"memory", "5"}})),
                 container(rl({{"cpu", "4"}, {"memory", "12"}}))},
                {container(rl({{"cpu", "1"}, {"memory", "5"}})),
                 container(rl({{"cpu", "40"}, {"memory", "120"}}))},
                rl({{"cpu", "3"}, {"memory", "8"}})),
       rl({{"cpu", "43"}, {"memory", "128"}})},
      // TestPodResourceRequests.
      {"larger init container",
       pod_spec({container(rl({{"cpu", "1"}}))}, {container(rl({{"cpu", "4"}}))}),
       rl({{"cpu", "4"}})},
      {"larger containers",
       pod_spec({container(rl({{"cpu", "2"}})), container(rl({{"cpu", "3"}}))},
                {container(rl({{"cpu", "2"}}))}),
       rl({{"cpu", "5"}})},
      {"pod overhead included",
       pod_spec({container(rl({{"cpu", "2"}})), container(rl({{"cpu", "3"}}))},
                {container(rl({{"cpu", "2"}}), rl({{"cpu", "2"}}))},
                rl({{"cpu", "1"}, {"memory", "1Gi"}})),
       rl({{"cpu", "6"}, {"memory", "1Gi"}})},
      {"init containers are maxed per resource, not as a whole",
       pod_spec({container(rl({{"cpu", "1"}, {"memory", "1Gi"}}))},
                {container(rl({{"cpu", "3"}})), container(rl({{"memory", "2Gi"}}))}),
       rl({{"cpu", "3"}, {"memory", "2Gi"}})},
      {"an empty pod requests nothing", pod_spec({container({})}), ResourceList{}},
  });
}

TEST_CASE(
    "sidecar init containers add to the pod and to every init container after them "
    "(KEP-753)",
    "[unit][scheduling]") {
  check_requests({
      // TestPodResourceRequests' restartable init container cases.
      {"restartable init container: sidecar + regular container",
       pod_spec({container(rl({{"cpu", "1"}}))}, {sidecar(rl({{"cpu", "1"}}))}),
       rl({{"cpu", "2"}})},
      {"multiple restartable init containers: max(5, 3+2+1 + 1) = 7",
       pod_spec({container(rl({{"cpu", "1"}}))},
                {container(rl({{"cpu", "5"}})), sidecar(rl({{"cpu", "1"}})),
                 sidecar(rl({{"cpu", "2"}})), sidecar(rl({{"cpu", "3"}}))}),
       rl({{"cpu", "7"}})},
      {"multiple restartable and regular init containers: init-2 needs 5 + 1 + 2 = 8",
       pod_spec(
           {container(rl({{"cpu", "1"}}))},
           {container(rl({{"cpu", "5"}})), sidecar(rl({{"cpu", "1"}})), sidecar(rl({{"cpu", "2"}})),
            container(rl({{"cpu", "5"}})), sidecar(rl({{"cpu", "3"}}))}),
       rl({{"cpu", "8"}})},
      {"restartable-init, init and regular: 10 + 200 = 210",
       pod_spec({container(rl({{"cpu", "100"}}))},
                {sidecar(rl({{"cpu", "10"}})), container(rl({{"cpu", "200"}}))}),
       rl({{"cpu", "210"}})},
      {"a sidecar declared after an init container does not add to it",
       pod_spec({container(rl({{"cpu", "1"}}))},
                {container(rl({{"cpu", "10"}})), sidecar(rl({{"cpu", "4"}}))}),
       rl({{"cpu", "10"}})},
      {"sidecars of other resources still count alongside an init container",
       pod_spec(
           {container(rl({{"cpu", "100m"}}))},
           {sidecar(rl({{"memory", "64Mi"}})), container(rl({{"cpu", "2"}, {"memory", "1Gi"}}))}),
       rl({{"cpu", "2"}, {"memory", "1088Mi"}})},
      {"restartPolicy other than Always is a regular init container",
       pod_spec({container(rl({{"cpu", "1"}}))}, {container(rl({{"cpu", "1"}}), {}, "OnFailure")}),
       rl({{"cpu", "1"}})},
      {"sidecars and overhead",
       pod_spec({container(rl({{"cpu", "500m"}}))}, {sidecar(rl({{"cpu", "250m"}}))},
                rl({{"cpu", "250m"}})),
       rl({{"cpu", "1"}})},
  });
}

TEST_CASE("effective requests apply the API server's limits-to-requests defaulting",
          "[unit][scheduling]") {
  check_requests({
      // SetDefaults_Pod: a limit without a request becomes the request (Kubernetes' own
      // "just-limit-no-overhead" pod, cpu limit 9, is scheduled as requesting 9 once created).
      {"a limit alone is the request", pod_spec({container({}, rl({{"cpu", "9"}}))}),
       rl({{"cpu", "9"}})},
      {"defaulting is per resource",
       pod_spec({container(rl({{"cpu", "100m"}}), rl({{"cpu", "1"}, {"memory", "1Gi"}}))}),
       rl({{"cpu", "100m"}, {"memory", "1Gi"}})},
      {"an explicit zero request is kept, not replaced by the limit",
       pod_spec({container(rl({{"cpu", "0"}}), rl({{"cpu", "2"}}))}), rl({{"cpu", "0"}})},
      {"init containers are defaulted too",
       pod_spec({container(rl({{"cpu", "1"}}))}, {container({}, rl({{"cpu", "4"}}))}),
       rl({{"cpu", "4"}})},
      {"extended resources are requested at their limit",
       pod_spec({container(rl({{"cpu", "1"}}), rl({{"nvidia.com/gpu", "2"}}))}),
       rl({{"cpu", "1"}, {"nvidia.com/gpu", "2"}})},
  });
  CHECK(container_requests(container({}, rl({{"memory", "128Mi"}}))) == rl({{"memory", "128Mi"}}));
}

TEST_CASE("effective requests add quantities exactly and saturate instead of overflowing",
          "[unit][scheduling]") {
  const auto exact = effective_requests(pod_spec(
      {container(rl({{"cpu", "100m"}, {"memory", "1Gi"}})),
       container(rl({{"cpu", "200m"}, {"memory", "512Mi"}})), container(rl({{"cpu", "1n"}}))}));
  CHECK(exact.at("cpu").nanos() == 300'000'001);
  CHECK(exact.at("memory") == q("1536Mi"));

  // 1e29 is the largest order of magnitude Quantity holds; two of them do not fit in 128 bits.
  const auto huge =
      effective_requests(pod_spec({container(rl({{"cpu", "100000000000000000000000000000"}})),
                                   container(rl({{"cpu", "100000000000000000000000000000"}}))}));
  CHECK(huge.at("cpu") > q("100000000000000000000000000000"));
  CHECK(
      insufficient_resources(rl({{"cpu", "1000000"}, {"pods", "110"}}), NodeUsage{}, huge).size() ==
      1);
}

// ---- Node selector and node affinity ------------------------------------------------------------

struct AffinityCase {
  std::string name;
  Labels node_selector;
  std::optional<Affinity> affinity;
  std::string node_name;
  Labels labels;
  bool want;
};

void check_affinity(const std::vector<AffinityCase>& cases) {
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(required_node_affinity_matches(c.node_selector, c.affinity,
                                         make_node(c.node_name, c.labels)) == c.want);
  }
}

TEST_CASE(
    "nodeSelector and required node affinity match as in Kubernetes' "
    "TestPodMatchesNodeSelectorAndAffinityTerms",
    "[unit][scheduling]") {
  check_affinity({
      {"no selector", {}, std::nullopt, "", {}, true},
      {"missing labels", {{"foo", "bar"}}, std::nullopt, "", {}, false},
      {"same labels", {{"foo", "bar"}}, std::nullopt, "", {{"foo", "bar"}}, true},
      {"node labels are superset",
       {{"foo", "bar"}},
       std::nullopt,
       "",
       {{"foo", "bar"}, {"baz", "blah"}},
       true},
      {"node labels are subset",
       {{"foo", "bar"}, {"baz", "blah"}},
       std::nullopt,
       "",
       {{"foo", "bar"}},
       false},
      {"matchExpressions In matches",
       {},
       required({term({expr("foo", "In", {"bar", "value2"})})}),
       "",
       {{"foo", "bar"}},
       true},
      {"matchExpressions Gt matches (kernel-version 0206 > 0204)",
       {},
       required({term({expr("kernel-version", "Gt", {"0204"})})}),
       "",
       {{"kernel-version", "0206"}},
       true},
      {"matchExpressions NotIn matches",
       {},
       required({term({expr("mem-type", "NotIn", {"DDR", "DDR2"})})}),
       "",
       {{"mem-type", "DDR3"}},
       true},
      {"matchExpressions Exists matches",
       {},
       required({term({expr("GPU", "Exists")})}),
       "",
       {{"GPU", "NVIDIA-GRID-K1"}},
       true},
      {"affinity that doesn't match the node's labels",
       {},
       required({term({expr("foo", "In", {"value1", "value2"})})}),
       "",
       {{"foo", "bar"}},
       false},
      {"an empty []NodeSelectorTerm matches nothing",
       {},
       required({}),
       "",
       {{"foo", "bar"}},
       false},
      {"an empty MatchExpressions term matches nothing",
       {},
       required({term({})}),
       "",
       {{"foo", "bar"}},
       false},
      {"no affinity schedules anywhere", {}, std::nullopt, "", {{"foo", "bar"}}, true},
      {"affinity without a node affinity", {}, Affinity{}, "", {{"foo", "bar"}}, true},
      {"multiple matchExpressions ANDed that match",
       {},
       required({term({expr("GPU", "Exists"), expr("GPU", "NotIn", {"AMD", "INTER"})})}),
       "",
       {{"GPU", "NVIDIA-GRID-K1"}},
       true},
      {"multiple matchExpressions ANDed that don't match",
       {},
       required({term({expr("GPU", "Exists"), expr("GPU", "In", {"AMD", "INTER"})})}),
       "",
       {{"GPU", "NVIDIA-GRID-K1"}},
       false},
      {"multiple NodeSelectorTerms ORed",
       {},
       required({term({expr("foo", "In", {"bar", "value2"})}),
                 term({expr("diffkey", "In", {"wrong", "value2"})})}),
       "",
       {{"foo", "bar"}},
       true},
      {"affinity and nodeSelector both satisfied",
       {{"foo", "bar"}},
       required({term({expr("foo", "Exists")})}),
       "",
       {{"foo", "bar"}},
       true},
      {"affinity satisfied but nodeSelector not",
       {{"foo", "bar"}},
       required({term({expr("foo", "Exists")})}),
       "",
       {{"foo", "barrrrrr"}},
       false},
      {"an invalid value in an affinity term",
       {},
       required({term({expr("foo", "NotIn", {"invalid value: ___@#$%^"})})}),
       "",
       {{"foo", "bar"}},
       false},
      {"matchFields In matches the node name",
       {},
       required({term({}, {expr("metadata.name", "In", {"node_1"})})}),
       "node_1",
       {},
       true},
      {"matchFields In does not match another node",
       {},
       required({term({}, {expr("metadata.name", "In", {"node_1"})})}),
       "node_2",
       {},
       false},
      {"two terms: matchFields does not match, matchExpressions does",
       {},
       required({term({}, {expr("metadata.name", "In", {"node_1"})}),
                 term({expr("foo", "In", {"bar"})})}),
       "node_2",
       {{"foo", "bar"}},
       true},
      {"one term: matchFields does not match, matchExpressions does",
       {},
       required({term({expr("foo", "In", {"bar"})}, {expr("metadata.name", "In", {"node_1"})})}),
       "node_2",
       {{"foo", "bar"}},
       false},
      {"one term: both match",
       {},
       required({term({expr("foo", "In", {"bar"})}, {expr("metadata.name", "In", {"node_1"})})}),
       "node_1",
       {{"foo", "bar"}},
       true},
      {"two terms: neither matches",
       {},
       required({term({}, {expr("metadata.name", "In", {"node_1"})}),
                 term({expr("foo", "In", {"not-match-to-bar"})})}),
       "node_2",
       {{"foo", "bar"}},
       false},
  });
}

TEST_CASE("node affinity edge cases: empty terms, Gt and Lt, invalid expressions",
          "[unit][scheduling]") {
  check_affinity({
      {"a term with no expressions and no fields is skipped, a later term can still match",
       {},
       required({term({}), term({expr("zone", "In", {"a"})})}),
       "n1",
       {{"zone", "a"}},
       true},
      {"Gt compares integers, not strings (10 > 9)",
       {},
       required({term({expr("cores", "Gt", {"9"})})}),
       "",
       {{"cores", "10"}},
       true},
      {"Gt is strict",
       {},
       required({term({expr("cores", "Gt", {"8"})})}),
       "",
       {{"cores", "8"}},
       false},
      {"Lt matches a smaller label",
       {},
       required({term({expr("cores", "Lt", {"8"})})}),
       "",
       {{"cores", "4"}},
       true},
      {"Lt is strict",
       {},
       required({term({expr("cores", "Lt", {"4"})})}),
       "",
       {{"cores", "4"}},
       false},
      {"Gt with a non-integer value fails the term",
       {},
       required({term({expr("cores", "Gt", {"abc"})})}),
       "",
       {{"cores", "10"}},
       false},
      {"Gt with two values fails the term",
       {},
       required({term({expr("cores", "Gt", {"1", "2"})})}),
       "",
       {{"cores", "10"}},
       false},
      {"Gt without values fails the term",
       {},
       required({term({expr("cores", "Gt")})}),
       "",
       {{"cores", "10"}},
       false},
      {"Gt with a negative bound fails the term (not a valid label value)",
       {},
       required({term({expr("cores", "Gt", {"-1"})})}),
       "",
       {{"cores", "5"}},
       false},
      {"Gt against a non-integer node label does not match",
       {},
       required({term({expr("cores", "Gt", {"1"})})}),
       "",
       {{"cores", "many"}},
       false},
      {"Lt against a missing label does not match",
       {},
       required({term({expr("cores", "Lt", {"100"})})}),
       "",
       {},
       false},
      {"a bad term does not stop a good one from matching",
       {},
       required({term({expr("invalid key", "In", {"label_value"})}),
                 term({expr("label_1", "In", {"label_1_val"})})}),
       "host_1",
       {{"label_1", "label_1_val"}},
       true},
      {"an invalid expression fails its term even after a non-matching one",
       {},
       required({term({expr("foo", "In", {"nope"}), expr("foo", "Bogus", {"bar"})})}),
       "",
       {{"foo", "bar"}},
       false},
      {"operators are case-sensitive",
       {},
       required({term({expr("foo", "in", {"bar"})})}),
       "",
       {{"foo", "bar"}},
       false},
      {"In without values fails the term",
       {},
       required({term({expr("foo", "In")})}),
       "",
       {{"foo", "bar"}},
       false},
      {"Exists with values fails the term",
       {},
       required({term({expr("foo", "Exists", {"bar", "baz"})})}),
       "",
       {{"foo", "bar"}},
       false},
      {"DoesNotExist matches a node without the label",
       {},
       required({term({expr("spot", "DoesNotExist")})}),
       "",
       {{"foo", "bar"}},
       true},
      {"NotIn matches a node without the label",
       {},
       required({term({expr("tier", "NotIn", {"batch"})})}),
       "",
       {},
       true},
      {"a nodeSelector value may be empty but the label must exist",
       {{"edge", ""}},
       std::nullopt,
       "",
       {{"edge", ""}},
       true},
      {"an empty nodeSelector value does not match an absent label",
       {{"edge", ""}},
       std::nullopt,
       "",
       {},
       false},
  });

  // Preferred terms never filter.
  NodeAffinity preferred_only;
  PreferredSchedulingTerm preference;
  preference.weight = 100;
  preference.preference = term({expr("zone", "In", {"nowhere"})});
  preferred_only.preferred_during_scheduling_ignored_during_execution = {preference};
  Affinity affinity;
  affinity.node_affinity = preferred_only;
  CHECK(required_node_affinity_matches({}, affinity, make_node("n1", {{"zone", "a"}})));
}

TEST_CASE("matchFields allow only In and NotIn with one value on the node's fields",
          "[unit][scheduling]") {
  const Node node_1 = make_node("node_1");
  struct Case {
    std::string name;
    NodeSelectorRequirement field;
    bool want;
  };
  const std::vector<Case> cases = {
      {"In the node's name", expr("metadata.name", "In", {"node_1"}), true},
      {"In another name", expr("metadata.name", "In", {"node_2"}), false},
      {"NotIn another name", expr("metadata.name", "NotIn", {"node_2"}), true},
      {"NotIn the node's name", expr("metadata.name", "NotIn", {"node_1"}), false},
      {"In with two values is invalid (must have one element)",
       expr("metadata.name", "In", {"node_1", "node_2"}), false},
      {"In without values is invalid", expr("metadata.name", "In"), false},
      {"Exists is not a field operator", expr("metadata.name", "Exists"), false},
      {"Gt is not a field operator", expr("metadata.name", "Gt", {"1"}), false},
      {"an unknown field reads as empty: In", expr("metadata.uid", "In", {"node_1"}), false},
      {"an unknown field reads as empty: NotIn", expr("metadata.uid", "NotIn", {"x"}), true},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(node_selector_term_matches(term({}, {c.field}), node_1) == c.want);
  }
  // Kubernetes skips valid matchFields for a node without a name (its field set is empty), but
  // still fails a term whose matchFields are invalid.
  CHECK(node_selector_term_matches(term({}, {expr("metadata.name", "In", {"node_1"})}),
                                   make_node("")));
  CHECK_FALSE(
      node_selector_term_matches(term({}, {expr("metadata.name", "Exists")}), make_node("")));
  // An empty selector matches nothing.
  CHECK_FALSE(node_selector_matches(NodeSelector{}, node_1));
}

// ---- Taints and tolerations ---------------------------------------------------------------------

TEST_CASE("a toleration tolerates a taint by key, operator, value and effect",
          "[unit][scheduling]") {
  const Taint foo_bar = taint("foo", "bar", "NoSchedule");
  struct Case {
    std::string name;
    Toleration toleration;
    Taint taint;
    bool want;
  };
  const std::vector<Case> cases = {
      {"Equal with the same key, value and effect", toleration("foo", "Equal", "bar", "NoSchedule"),
       foo_bar, true},
      {"an empty operator means Equal", toleration("foo", "", "bar", "NoSchedule"), foo_bar, true},
      {"Equal with another value", toleration("foo", "Equal", "baz", "NoSchedule"), foo_bar, false},
      {"Equal with an empty value does not match a valued taint",
       toleration("foo", "Equal", "", "NoSchedule"), foo_bar, false},
      {"Exists ignores the value", toleration("foo", "Exists", "", "NoSchedule"), foo_bar, true},
      {"an empty effect matches every effect", toleration("foo", "Exists"), foo_bar, true},
      {"an empty effect matches NoExecute", toleration("foo", "Equal", "bar"),
       taint("foo", "bar", "NoExecute"), true},
      {"an empty effect matches PreferNoSchedule", toleration("foo", "Exists"),
       taint("foo", "", "PreferNoSchedule"), true},
      {"another effect does not match", toleration("foo", "Exists", "", "NoExecute"), foo_bar,
       false},
      {"PreferNoSchedule does not tolerate NoSchedule",
       toleration("foo", "Equal", "bar", "PreferNoSchedule"), foo_bar, false},
      {"NoSchedule does not tolerate NoExecute", toleration("foo", "Exists", "", "NoSchedule"),
       taint("foo", "bar", "NoExecute"), false},
      {"another key does not match", toleration("other", "Exists"), foo_bar, false},
      {"Exists with an empty key tolerates every taint", toleration("", "Exists"), foo_bar, true},
      {"Exists with an empty key still checks the effect",
       toleration("", "Exists", "", "NoExecute"), foo_bar, false},
      {"Exists with an empty key and matching effect", toleration("", "Exists", "", "NoSchedule"),
       taint("node-role.kubernetes.io/master", "", "NoSchedule"), true},
      {"an empty key with Equal matches any key with that value (no validation at match time)",
       toleration("", "Equal", "bar"), foo_bar, true},
      {"empty values are equal", toleration("foo", "", ""), taint("foo", "", "NoSchedule"), true},
      {"operators are case-sensitive", toleration("foo", "exists"), foo_bar, false},
      {"Gt is not supported and tolerates nothing", toleration("foo", "Gt", "1"),
       taint("foo", "5", "NoSchedule"), false},
      {"Lt is not supported and tolerates nothing", toleration("foo", "Lt", "10"),
       taint("foo", "5", "NoSchedule"), false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(tolerates_taint(c.toleration, c.taint) == c.want);
    CHECK(tolerations_tolerate_taint({toleration("unrelated", "Exists"), c.toleration}, c.taint) ==
          c.want);
  }
  CHECK_FALSE(tolerations_tolerate_taint({}, foo_bar));
}

TEST_CASE(
    "only NoSchedule and NoExecute taints block scheduling, the first untolerated one is "
    "reported",
    "[unit][scheduling]") {
  const std::vector<Taint> taints = {
      taint("soft", "x", "PreferNoSchedule"),
      taint("dedicated", "gpu", "NoSchedule"),
      taint("node.kubernetes.io/not-ready", "", "NoExecute"),
      taint("later", "y", "NoSchedule"),
  };
  auto first = find_untolerated_taint(taints, {});
  REQUIRE(first.has_value());
  CHECK(first->key == "dedicated");

  auto next = find_untolerated_taint(taints, {toleration("dedicated", "Equal", "gpu")});
  REQUIRE(next.has_value());
  CHECK(next->key == "node.kubernetes.io/not-ready");

  CHECK_FALSE(find_untolerated_taint(taints, {toleration("", "Exists")}).has_value());
  CHECK_FALSE(find_untolerated_taint({taint("soft", "x", "PreferNoSchedule")}, {}).has_value());
  CHECK_FALSE(find_untolerated_taint({taint("odd", "x", "SomethingElse")}, {}).has_value());
  CHECK_FALSE(find_untolerated_taint({}, {}).has_value());

  CHECK(untolerated_taint_message(taint("node-role.kubernetes.io/master", "", "NoSchedule")) ==
        "node(s) had untolerated taint {node-role.kubernetes.io/master: }");
  CHECK(untolerated_taint_message(taint("node", "node01", "NoSchedule")) ==
        "node(s) had untolerated taint {node: node01}");
}

TEST_CASE("a cordoned node blocks pods unless they tolerate node.kubernetes.io/unschedulable",
          "[unit][scheduling]") {
  Node cordoned = make_node("n1");
  cordoned.spec.unschedulable = true;
  struct Case {
    std::string name;
    std::vector<Toleration> tolerations;
    bool blocked;
  };
  const std::vector<Case> cases = {
      {"no tolerations", {}, true},
      {"Exists on the unschedulable key with NoSchedule",
       {toleration("node.kubernetes.io/unschedulable", "Exists", "", "NoSchedule")},
       false},
      {"Equal with the empty value",
       {toleration("node.kubernetes.io/unschedulable", "Equal")},
       false},
      {"tolerate everything", {toleration("", "Exists")}, false},
      {"only NoExecute",
       {toleration("node.kubernetes.io/unschedulable", "Exists", "", "NoExecute")},
       true},
      {"another key", {toleration("node.kubernetes.io/not-ready", "Exists")}, true},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(unschedulable_blocks(cordoned, c.tolerations) == c.blocked);
  }
  Node open = make_node("n2");
  CHECK_FALSE(unschedulable_blocks(open, {}));
  open.spec.unschedulable = false;
  CHECK_FALSE(unschedulable_blocks(open, {}));
}

// ---- Node state and placement -------------------------------------------------------------------

NodeCondition condition(std::string type, std::string status) {
  NodeCondition c;
  c.type = std::move(type);
  c.status = std::move(status);
  return c;
}

TEST_CASE("a node is Ready only when its Ready condition is True", "[unit][scheduling]") {
  struct Case {
    std::string name;
    std::vector<NodeCondition> conditions;
    bool want;
  };
  const std::vector<Case> cases = {
      {"Ready True", {condition("MemoryPressure", "False"), condition("Ready", "True")}, true},
      {"Ready False", {condition("Ready", "False")}, false},
      {"Ready Unknown", {condition("Ready", "Unknown")}, false},
      {"no Ready condition", {condition("DiskPressure", "False")}, false},
      {"no conditions", {}, false},
      {"status is case-sensitive", {condition("Ready", "true")}, false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    Node node = make_node("n1");
    node.status.conditions = c.conditions;
    CHECK(node_ready(node) == c.want);
  }
}

TEST_CASE("node_admits reports the first failing check in kube-scheduler's plugin order",
          "[unit][scheduling]") {
  Node node = make_node("worker-1", {{"pool", "compute"}});
  node.spec.taints = {taint("dedicated", "batch", "NoSchedule")};

  PlacementConstraints fits;
  fits.node_selector = {{"pool", "compute"}};
  fits.tolerations = {toleration("dedicated", "Equal", "batch", "NoSchedule")};
  CHECK(node_admits(fits, node).has_value());

  PlacementConstraints untolerated = fits;
  untolerated.tolerations.clear();
  auto refused = node_admits(untolerated, node);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error() == "node(s) had untolerated taint {dedicated: batch}");

  PlacementConstraints wrong_pool = fits;
  wrong_pool.node_selector = {{"pool", "gpu"}};
  refused = node_admits(wrong_pool, node);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error() == "node(s) didn't match Pod's node affinity/selector");

  PlacementConstraints wrong_affinity = fits;
  wrong_affinity.affinity = required({term({}, {expr("metadata.name", "In", {"worker-2"})})});
  refused = node_admits(wrong_affinity, node);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error() == "node(s) didn't match Pod's node affinity/selector");

  PlacementConstraints pinned = fits;
  pinned.affinity = required({term({}, {expr("metadata.name", "In", {"worker-1"})})});
  CHECK(node_admits(pinned, node).has_value());

  PlacementConstraints other_name = fits;
  other_name.node_name = "worker-2";
  refused = node_admits(other_name, node);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error() == "node(s) didn't match the requested node name");

  // Cordoning is checked first, before the taint and the selector that would also fail.
  Node cordoned = node;
  cordoned.spec.unschedulable = true;
  refused = node_admits(wrong_pool, cordoned);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error() == "node(s) were unschedulable");
  // The taint comes before the selector.
  PlacementConstraints both_wrong = wrong_pool;
  both_wrong.tolerations.clear();
  refused = node_admits(both_wrong, node);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error() == "node(s) had untolerated taint {dedicated: batch}");

  PlacementConstraints tolerates_cordon = fits;
  tolerates_cordon.tolerations.push_back(
      toleration("node.kubernetes.io/unschedulable", "Exists", "", "NoSchedule"));
  CHECK(node_admits(tolerates_cordon, cordoned).has_value());

  // Readiness is not part of admission.
  Node not_ready = node;
  not_ready.status.conditions = {condition("Ready", "False")};
  CHECK(node_admits(fits, not_ready).has_value());
}

TEST_CASE("placement constraints are taken from a pod spec", "[unit][scheduling]") {
  PodSpec spec;
  spec.node_selector = {{"pool", "compute"}};
  spec.affinity = required({term({expr("zone", "In", {"a"})})});
  spec.tolerations = {toleration("dedicated", "Exists")};
  spec.node_name = "worker-1";
  spec.containers = {container(rl({{"cpu", "1"}}))};
  const PlacementConstraints c = placement_constraints(spec);
  CHECK(c.node_selector == spec.node_selector);
  CHECK(c.affinity == spec.affinity);
  CHECK(c.tolerations == spec.tolerations);
  CHECK(c.node_name == "worker-1");
}

TEST_CASE("placement constraints and held requests are taken from a ticket spec",
          "[unit][scheduling]") {
  TicketSpec spec;
  spec.node_selector = {{"pool", "compute"}};
  spec.affinity = required({term({}, {expr("metadata.name", "In", {"worker-1"})})});
  spec.tolerations = {toleration("dedicated", "Exists")};
  spec.node_name = "worker-1";
  spec.resources.requests = rl({{"cpu", "500m"}});
  spec.resources.limits = rl({{"cpu", "1"}, {"memory", "1Gi"}});
  const PlacementConstraints c = placement_constraints(spec);
  CHECK(c.node_selector == spec.node_selector);
  CHECK(c.affinity == spec.affinity);
  CHECK(c.tolerations == spec.tolerations);
  CHECK(c.node_name == "worker-1");
  CHECK(node_admits(c, make_node("worker-1", {{"pool", "compute"}})).has_value());
  CHECK_FALSE(node_admits(c, make_node("worker-2", {{"pool", "compute"}})).has_value());
  CHECK(ticket_requests(spec) == rl({{"cpu", "500m"}, {"memory", "1Gi"}}));
}

// ---- Resource fit -------------------------------------------------------------------------------

std::vector<std::string> reasons(const std::vector<InsufficientResource>& insufficient) {
  std::vector<std::string> out;
  for (const auto& r : insufficient) {
    out.push_back(r.reason);
  }
  return out;
}

NodeUsage usage_of(const std::vector<ResourceList>& pods) {
  NodeUsage usage;
  for (const auto& pod : pods) {
    usage.add_pod(pod);
  }
  return usage;
}

TEST_CASE(
    "resource fit reports every insufficient resource in the NodeResourcesFit plugin's "
    "words",
    "[unit][scheduling]") {
  // The node of the plugin's TestEnoughRequests: 10 cpu, 20 memory, 32 pods, 5 example.com/aaa.
  const ResourceList allocatable = rl({{"cpu", "10"},
                                       {"memory", "20"},
                                       {"pods", "32"},
                                       {"example.com/aaa", "5"},
                                       {"hugepages-2Mi", "4Mi"}});
  struct Case {
    std::string name;
    ResourceList pod;
    std::vector<ResourceList> existing;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"no resources requested always fits", {}, {rl({{"cpu", "10"}, {"memory", "20"}})}, {}},
      {"zero requests fit a full node",
       rl({{"cpu", "0"}, {"nvidia.com/gpu", "0"}}),
       {rl({{"cpu", "10"}, {"memory", "20"}})},
       {}},
      {"too many resources fails",
       rl({{"cpu", "1"}, {"memory", "1"}}),
       {rl({{"cpu", "10"}, {"memory", "20"}})},
       {"Insufficient cpu", "Insufficient memory"}},
      {"equal capacity fits",
       rl({{"cpu", "5"}, {"memory", "5"}}),
       {rl({{"cpu", "5"}, {"memory", "15"}})},
       {}},
      {"cpu alone insufficient",
       rl({{"cpu", "2"}, {"memory", "1"}}),
       {rl({{"cpu", "9"}, {"memory", "5"}})},
       {"Insufficient cpu"}},
      {"memory alone insufficient",
       rl({{"cpu", "1"}, {"memory", "2"}}),
       {rl({{"cpu", "5"}, {"memory", "19"}})},
       {"Insufficient memory"}},
      {"extended resource the node has",
       rl({{"example.com/aaa", "1"}}),
       {rl({{"example.com/aaa", "4"}})},
       {}},
      {"extended resource exhausted",
       rl({{"example.com/aaa", "2"}}),
       {rl({{"example.com/aaa", "4"}})},
       {"Insufficient example.com/aaa"}},
      {"extended resource the node lacks",
       rl({{"nvidia.com/gpu", "1"}}),
       {},
       {"Insufficient nvidia.com/gpu"}},
      {"hugepages are accounted",
       rl({{"hugepages-2Mi", "6Mi"}}),
       {},
       {"Insufficient hugepages-2Mi"}},
      {"ephemeral storage the node does not report",
       rl({{"ephemeral-storage", "1Gi"}}),
       {},
       {"Insufficient ephemeral-storage"}},
      {"every insufficient resource is reported, scalars sorted by name",
       rl({{"cpu", "11"}, {"memory", "21"}, {"nvidia.com/gpu", "1"}, {"example.com/aaa", "6"}}),
       {},
       {"Insufficient cpu", "Insufficient memory", "Insufficient example.com/aaa",
        "Insufficient nvidia.com/gpu"}},
      {"unprefixed unknown resources are ignored by the scheduler", rl({{"foo", "1"}}), {}, {}},
      {"requests.-prefixed names are not extended resources",
       rl({{"requests.example.com/x", "1"}}),
       {},
       {}},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(reasons(insufficient_resources(allocatable, usage_of(c.existing), c.pod)) == c.want);
  }
}

TEST_CASE("resource fit counts pods against the allocatable pods", "[unit][scheduling]") {
  const ResourceList one_pod = rl({{"cpu", "10"}, {"memory", "20"}, {"pods", "1"}});
  CHECK(insufficient_resources(one_pod, NodeUsage{}, rl({{"cpu", "1"}})).empty());

  const auto full = insufficient_resources(one_pod, usage_of({{}}), {});
  REQUIRE(full.size() == 1);
  CHECK(full[0] == InsufficientResource{"pods", "Too many pods", q("1"), q("1"), q("1")});

  CHECK(reasons(
            insufficient_resources(one_pod, usage_of({rl({{"cpu", "10"}})}), rl({{"cpu", "1"}}))) ==
        std::vector<std::string>{"Too many pods", "Insufficient cpu"});

  // A node that lists no pods allocatable takes no pod at all.
  CHECK(reasons(insufficient_resources(rl({{"cpu", "10"}}), NodeUsage{}, {})) ==
        std::vector<std::string>{"Too many pods"});
}

TEST_CASE(
    "resource fit compares cpu in millicores and the rest in whole units, rounding each pod "
    "up",
    "[unit][scheduling]") {
  CHECK(scheduler_amount("cpu", q("0.5m")) == q("1m"));
  CHECK(scheduler_amount("cpu", q("1500m")) == q("1500m"));
  CHECK(scheduler_amount("memory", q("1.5")) == q("2"));
  CHECK(scheduler_amount("nvidia.com/gpu", q("100m")) == q("1"));

  const ResourceList allocatable = rl({{"cpu", "2m"}, {"pods", "110"}});
  // Each 0.5m pod is accounted as 1m, so only two fit although three would fit exactly.
  const ResourceList half = rl({{"cpu", "0.5m"}});
  CHECK(insufficient_resources(allocatable, usage_of({half}), half).empty());
  const auto third = insufficient_resources(allocatable, usage_of({half, half}), half);
  REQUIRE(third.size() == 1);
  CHECK(third[0] == InsufficientResource{"cpu", "Insufficient cpu", q("1m"), q("2m"), q("2m")});

  NodeUsage usage = usage_of({rl({{"cpu", "250m"}, {"memory", "1Gi"}, {"foo", "3"}}),
                              rl({{"cpu", "0.1m"}, {"nvidia.com/gpu", "1"}})});
  CHECK(usage.pod_count == 2);
  CHECK(usage.requested == rl({{"cpu", "251m"}, {"memory", "1Gi"}, {"nvidia.com/gpu", "1"}}));
}

TEST_CASE("scalar resource names are the ones the scheduler accounts", "[unit][scheduling]") {
  struct Case {
    std::string name;
    bool want;
  };
  const std::vector<Case> cases = {
      {"nvidia.com/gpu", true},
      {"example.com/aaa", true},
      {"hugepages-2Mi", true},
      {"hugepages-1Gi", true},
      {"attachable-volumes-aws-ebs", true},
      {"kubernetes.io/something", true},
      {"cpu", false},
      {"memory", false},
      {"ephemeral-storage", false},
      {"pods", false},
      {"foo", false},
      {"requests.example.com/aaa", false},
      {"bad name!/x", false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(is_scalar_resource_name(c.name) == c.want);
  }
}

// ---- Ticket matching ----------------------------------------------------------------------------

TEST_CASE("a ticket's requests cover a pod when every positive request is held",
          "[unit][scheduling]") {
  const ResourceList held = rl({{"cpu", "1"}, {"memory", "1Gi"}, {"nvidia.com/gpu", "1"}});
  struct Case {
    std::string name;
    ResourceList wanted;
    bool want;
  };
  const std::vector<Case> cases = {
      {"smaller requests", rl({{"cpu", "500m"}, {"memory", "512Mi"}}), true},
      {"exactly the held amounts", held, true},
      {"one millicore too much", rl({{"cpu", "1001m"}}), false},
      {"one byte too much", rl({{"memory", "1073741825"}}), false},
      {"equal values in different notation", rl({{"cpu", "1000m"}, {"memory", "1024Mi"}}), true},
      {"a resource the ticket does not hold", rl({{"example.com/fpga", "1"}}), false},
      {"zero requests are ignored", rl({{"cpu", "0"}, {"example.com/fpga", "0"}}), true},
      {"nothing requested", {}, true},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(resources_cover(held, c.wanted) == c.want);
  }
}

TEST_CASE(
    "the best-fit score sums the unused fraction of each requested resource in parts per "
    "billion",
    "[unit][scheduling]") {
  const ResourceList pod = rl({{"cpu", "500m"}});
  CHECK(fit_score(rl({{"cpu", "500m"}}), pod) == 0);
  CHECK(fit_score(rl({{"cpu", "1"}}), pod) == 500'000'000);
  CHECK(fit_score(rl({{"cpu", "2"}}), pod) == 750'000'000);
  // Resources the pod does not ask for do not count.
  CHECK(fit_score(rl({{"cpu", "1"}, {"memory", "64Gi"}}), pod) == 500'000'000);
  // Two resources add up.
  CHECK(fit_score(rl({{"cpu", "1"}, {"memory", "1Gi"}}),
                  rl({{"cpu", "500m"}, {"memory", "256Mi"}})) == 1'250'000'000);
  // Truncated to a whole part per billion: 2/3.
  CHECK(fit_score(rl({{"cpu", "3"}}), rl({{"cpu", "1"}})) == 666'666'666);
  // Not covered: no score.
  CHECK_FALSE(fit_score(rl({{"cpu", "250m"}}), pod).has_value());
  CHECK_FALSE(fit_score(rl({{"cpu", "1"}}), rl({{"nvidia.com/gpu", "1"}})).has_value());
  // A pod asking for nothing fits every ticket equally.
  CHECK(fit_score(rl({{"cpu", "4"}}), {}) == 0);
  CHECK(fit_score(rl({{"cpu", "4"}}), rl({{"cpu", "0"}})) == 0);
  // Values beyond 2^96 nano-units stay close to exact.
  const auto huge = fit_score(rl({{"memory", "100000000000000000000000000000"}}),
                              rl({{"memory", "50000000000000000000000000000"}}));
  REQUIRE(huge.has_value());
  CHECK(*huge >= 499'999'999);
  CHECK(*huge <= 500'000'000);
}

TEST_CASE("a ticket's fit score reads requests, then limits, as fit_score of ticket_requests",
          "[unit][scheduling]") {
  TicketSpec spec;
  spec.resources.requests = rl({{"cpu", "500m"}, {"memory", "0"}});
  spec.resources.limits = rl({{"cpu", "4"}, {"memory", "2Gi"}, {"nvidia.com/gpu", "1"}});
  const std::vector<ResourceList> pods = {
      {},
      rl({{"cpu", "0"}}),
      rl({{"cpu", "250m"}}),
      rl({{"cpu", "500m"}}),
      rl({{"cpu", "501m"}}),    // the request (500m) wins over the limit (4): too small
      rl({{"memory", "1Mi"}}),  // memory requested as 0 wins over the limit: too small
      rl({{"nvidia.com/gpu", "1"}}),
      rl({{"nvidia.com/gpu", "1"}, {"cpu", "100m"}}),
      rl({{"nvidia.com/gpu", "2"}}),
      rl({{"example.com/foo", "1"}}),
      rl({{"example.com/foo", "-1"}, {"cpu", "1m"}}),
  };
  for (const ResourceList& pod : pods) {
    const auto expected = fit_score(ticket_requests(spec), pod);
    CHECK(ticket_fit_score(spec, pod) == expected);
  }
  CHECK(ticket_fit_score(spec, rl({{"cpu", "250m"}})) == 500'000'000);
  CHECK(ticket_fit_score(spec, rl({{"nvidia.com/gpu", "1"}})) == 0);
  CHECK_FALSE(ticket_fit_score(spec, rl({{"cpu", "501m"}})).has_value());
  CHECK_FALSE(ticket_fit_score(spec, rl({{"memory", "1Mi"}})).has_value());
  // Many resources, and names that sort between, before and after the held ones.
  TicketSpec many;
  for (int i = 0; i < 12; ++i) {
    many.resources.requests["example.com/r" + std::to_string(i)] = Quantity::from_int(i + 1);
    many.resources.limits["example.com/l" + std::to_string(i)] = Quantity::from_int(i + 1);
  }
  const std::vector<ResourceList> wants = {
      rl({{"example.com/r3", "2"}, {"example.com/l11", "12"}}),
      rl({{"example.com/r3", "5"}}),
      rl({{"example.com/l0", "1"}, {"example.com/x", "1"}}),
      rl({{"example.com/l5", "500m"}, {"example.com/r9", "10"}}),
  };
  for (const ResourceList& pod : wants) {
    CHECK(ticket_fit_score(many, pod) == fit_score(ticket_requests(many), pod));
  }
  CHECK(ticket_fit_score(many, wants[0]) == 500'000'000);
}

TEST_CASE("prepared fit resources score as fit_score does, reused across pods and tickets",
          "[unit][scheduling]") {
  std::vector<TicketSpec> specs(4);
  specs[0].resources.requests = rl({{"cpu", "2"}, {"memory", "4Gi"}});
  specs[1].resources.requests = rl({{"cpu", "1"}});
  specs[1].resources.limits = rl({{"cpu", "8"}, {"memory", "1Gi"}, {"nvidia.com/gpu", "1"}});
  specs[2].resources.limits = rl({{"aaa.example/first", "3"}, {"zzz.example/last", "3"}});
  specs[3].resources.requests = rl({{"cpu", "0"}, {"memory", "-1"}});
  const std::vector<ResourceList> pods = {
      {},
      rl({{"cpu", "1"}}),
      rl({{"cpu", "500m"}, {"memory", "1Gi"}}),
      rl({{"cpu", "0"}, {"memory", "1Gi"}, {"nvidia.com/gpu", "1"}}),
      rl({{"aaa.example/first", "1"}, {"zzz.example/last", "3"}}),
      rl({{"aaa.example/first", "1"}, {"mmm.example/middle", "1"}}),
      rl({{"zzz.example/zzz", "1"}}),
      rl({{"cpu", "-1"}}),
  };
  std::vector<FitResources> held;
  for (const TicketSpec& spec : specs) {
    held.push_back(FitResources::held(spec));
  }
  for (const ResourceList& pod : pods) {
    const FitResources wanted = FitResources::wanted(pod);
    for (std::size_t i = 0; i < specs.size(); ++i) {
      INFO("ticket " << i);
      CHECK(fit_score(held[i], wanted) == fit_score(ticket_requests(specs[i]), pod));
    }
  }
  // Spot checks of the above against hand-computed values.
  CHECK(fit_score(held[1], FitResources::wanted(rl({{"memory", "512Mi"}}))) == 500'000'000);
  CHECK(fit_score(held[2], FitResources::wanted(rl({{"zzz.example/last", "3"}}))) == 0);
  CHECK_FALSE(fit_score(held[3], FitResources::wanted(rl({{"memory", "1"}}))).has_value());
  CHECK(FitResources::wanted(rl({{"cpu", "0"}, {"memory", "1"}})).size() == 1);
  CHECK(fit_score(held[0], FitResources()) == 0);
}

TEST_CASE("best-fit scores order tickets from the tightest to the loosest", "[unit][scheduling]") {
  const ResourceList pod = rl({{"cpu", "500m"}, {"memory", "1Gi"}});
  const std::vector<std::pair<std::string, ResourceList>> tickets = {
      {"loose", rl({{"cpu", "4"}, {"memory", "8Gi"}})},
      {"exact", rl({{"cpu", "500m"}, {"memory", "1Gi"}})},
      {"roomy-cpu", rl({{"cpu", "1"}, {"memory", "1Gi"}})},
      {"roomy-both", rl({{"cpu", "1"}, {"memory", "2Gi"}})},
  };
  std::vector<std::pair<std::int64_t, std::string>> scored;
  for (const auto& [name, held] : tickets) {
    const auto score = fit_score(held, pod);
    REQUIRE(score.has_value());
    scored.emplace_back(*score, name);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> order;
  for (const auto& entry : scored) {
    order.push_back(entry.second);
  }
  CHECK(order == std::vector<std::string>{"exact", "roomy-cpu", "roomy-both", "loose"});
}

}  // namespace
}  // namespace korder::api
