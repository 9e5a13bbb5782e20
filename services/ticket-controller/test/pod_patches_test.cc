#include "pod_patches.h"

#include <catch2/catch.hpp>
#include <string>

#include "guardian_builder.h"
#include "json_patch.h"
#include "korder/api/scheduling_predicates.h"
#include "support/fixtures.h"
#include "support/json_patch_apply.h"

namespace korder::ticket {
namespace {

using testing::apply_json_patch;
using testing::gated_pod;
using testing::t0;

constexpr const char* kGuards =
    R"([{"op":"test","path":"/metadata/resourceVersion","value":"500"},)"
    R"({"op":"test","path":"/spec/schedulingGates","value":[{"name":"korder.dev/ticket"}]},)";
constexpr const char* kPin = R"({"key":"metadata.name","operator":"In","values":["node-a"]})";
constexpr const char* kTermsPath =
    "/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/"
    "nodeSelectorTerms";

api::Pod business_pod() { return gated_pod("web-x7k2p", testing::kToken, t0()); }

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

api::Pod apply_to(const api::Pod& pod, const std::string& patch) {
  const auto applied = apply_json_patch(api::to_json(pod), patch);
  INFO(patch);
  REQUIRE(applied.has_value());
  auto parsed = api::parse_pod(*applied);
  REQUIRE(parsed.has_value());
  return *parsed;
}

TEST_CASE("a JSON pointer escapes ~ and / in member names", "[unit]") {
  CHECK(json_pointer_escape("korder.dev/unassigned-reason") == "korder.dev~1unassigned-reason");
  CHECK(json_pointer_escape("a~b/c") == "a~0b~1c");
  CHECK(json_pointer_escape("plain") == "plain");
}

TEST_CASE("the hand-off patch of a pod without affinity adds the whole pin and drops the gate",
          "[unit]") {
  const api::Pod pod = business_pod();
  const std::string patch = handoff_patch(pod, "node-a");
  CHECK(patch == std::string(kGuards) +
                     R"({"op":"add","path":"/spec/affinity","value":{"nodeAffinity":)"
                     R"({"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":)"
                     R"([{"matchFields":[)" +
                     kPin + R"(]}]}}}},)" + R"({"op":"remove","path":"/spec/schedulingGates/0"}])");
  const api::Pod after = apply_to(pod, patch);
  CHECK(after.spec.scheduling_gates.empty());
  CHECK(api::required_node_affinity_matches({}, after.spec.affinity, node_named("node-a")));
  CHECK_FALSE(api::required_node_affinity_matches({}, after.spec.affinity, node_named("node-b")));
}

TEST_CASE("the hand-off patch ANDs the pin into every existing node-affinity term", "[unit]") {
  api::Pod pod = business_pod();
  api::NodeSelector required;
  required.node_selector_terms.resize(2);
  required.node_selector_terms[0].match_expressions = {expr("zone", "In", {"a"})};
  required.node_selector_terms[1].match_expressions = {expr("zone", "In", {"b"})};
  required.node_selector_terms[1].match_fields = {expr("metadata.name", "NotIn", {"node-z"})};
  pod.spec.affinity.emplace()
      .node_affinity.emplace()
      .required_during_scheduling_ignored_during_execution = required;

  const std::string patch = handoff_patch(pod, "node-a");
  CHECK(patch == std::string(kGuards) + R"({"op":"add","path":")" + kTermsPath +
                     R"(/0/matchFields","value":[)" + kPin + R"(]},)" + R"({"op":"add","path":")" +
                     kTermsPath + R"(/1/matchFields/-","value":)" + kPin + R"(},)" +
                     R"({"op":"remove","path":"/spec/schedulingGates/0"}])");

  const api::Pod after = apply_to(pod, patch);
  const auto& terms =
      after.spec.affinity->node_affinity->required_during_scheduling_ignored_during_execution
          ->node_selector_terms;
  REQUIRE(terms.size() == 2);
  CHECK(terms[0].match_expressions == required.node_selector_terms[0].match_expressions);
  CHECK(terms[0].match_fields == std::vector{node_pin("node-a")});
  CHECK(terms[1].match_fields ==
        std::vector{expr("metadata.name", "NotIn", {"node-z"}), node_pin("node-a")});
  CHECK(api::required_node_affinity_matches({}, after.spec.affinity,
                                            node_named("node-a", {{"zone", "b"}})));
  CHECK_FALSE(api::required_node_affinity_matches({}, after.spec.affinity,
                                                  node_named("node-c", {{"zone", "a"}})));
}

TEST_CASE("the hand-off patch creates the first missing level of the affinity structure",
          "[unit]") {
  api::Pod pod = business_pod();
  const std::string pin_term = std::string(R"({"matchFields":[)") + kPin + "]}";
  SECTION("affinity with only pod anti-affinity: add nodeAffinity") {
    pod.spec.affinity.emplace().pod_anti_affinity = *api::RawJson::parse(R"({"k":"v"})");
    CHECK(handoff_patch(pod, "node-a") ==
          std::string(kGuards) + R"({"op":"add","path":"/spec/affinity/nodeAffinity","value":)" +
              R"({"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[)" +
              pin_term + R"(]}}},{"op":"remove","path":"/spec/schedulingGates/0"}])");
    CHECK(apply_to(pod, handoff_patch(pod, "node-a")).spec.affinity->pod_anti_affinity ==
          pod.spec.affinity->pod_anti_affinity);
  }
  SECTION("node affinity with only preferred terms: add the required selector") {
    api::PreferredSchedulingTerm preferred;
    preferred.weight = 10;
    preferred.preference.match_expressions = {expr("disk", "In", {"ssd"})};
    pod.spec.affinity.emplace()
        .node_affinity.emplace()
        .preferred_during_scheduling_ignored_during_execution = {preferred};
    CHECK(handoff_patch(pod, "node-a") ==
          std::string(kGuards) + R"({"op":"add","path":")" +
              std::string(kRequiredNodeAffinityPath) + R"(","value":{"nodeSelectorTerms":[)" +
              pin_term + R"(]}},{"op":"remove","path":"/spec/schedulingGates/0"}])");
  }
  SECTION("a required selector with no terms: add the term list") {
    pod.spec.affinity.emplace()
        .node_affinity.emplace()
        .required_during_scheduling_ignored_during_execution.emplace();
    CHECK(handoff_patch(pod, "node-a") ==
          std::string(kGuards) + R"({"op":"add","path":")" + kTermsPath + R"(","value":[)" +
              pin_term + R"(]},{"op":"remove","path":"/spec/schedulingGates/0"}])");
  }
}

TEST_CASE("the hand-off patch adds nothing to a term that is already pinned", "[unit]") {
  api::Pod pod = business_pod();
  pin_to_node(pod.spec.affinity, "node-a");
  CHECK(handoff_patch(pod, "node-a") ==
        std::string(kGuards) + R"({"op":"remove","path":"/spec/schedulingGates/0"}])");
}

TEST_CASE("the hand-off patch removes only the korder gate and keeps the others", "[unit]") {
  api::Pod pod = business_pod();
  pod.spec.scheduling_gates.insert(pod.spec.scheduling_gates.begin(),
                                   api::PodSchedulingGate{"example.com/quota", {}});
  const std::string patch = handoff_patch(pod, "node-a");
  CHECK(patch.find(R"({"op":"test","path":"/spec/schedulingGates","value":)"
                   R"([{"name":"example.com/quota"},{"name":"korder.dev/ticket"}]})") !=
        std::string::npos);
  CHECK(patch.find(R"({"op":"remove","path":"/spec/schedulingGates/1"})") != std::string::npos);
  const api::Pod after = apply_to(pod, patch);
  REQUIRE(after.spec.scheduling_gates.size() == 1);
  CHECK(after.spec.scheduling_gates[0].name == "example.com/quota");
}

TEST_CASE("a pod patch fails when the pod changed since it was read", "[unit]") {
  const api::Pod seen = business_pod();
  const std::string patch = handoff_patch(seen, "node-a");
  SECTION("a new resourceVersion") {
    api::Pod now = seen;
    now.metadata.resource_version = "501";
    const auto applied = apply_json_patch(api::to_json(now), patch);
    REQUIRE_FALSE(applied.has_value());
    CHECK(applied.error() == "testing value /metadata/resourceVersion failed");
  }
  SECTION("different gates (the same resourceVersion is not enough)") {
    api::Pod now = seen;
    now.spec.scheduling_gates.insert(now.spec.scheduling_gates.begin(),
                                     api::PodSchedulingGate{"example.com/other", {}});
    const auto applied = apply_json_patch(api::to_json(now), patch);
    REQUIRE_FALSE(applied.has_value());
    CHECK(applied.error() == "testing value /spec/schedulingGates failed");
  }
}

TEST_CASE("a pod without a resourceVersion is guarded by its gates alone", "[unit]") {
  api::Pod pod = business_pod();
  pod.metadata.resource_version.clear();
  CHECK(handoff_patch(pod, "node-a")
            .starts_with(R"([{"op":"test","path":"/spec/schedulingGates","value":)"));
}

TEST_CASE("the ungate patch removes the gate and says why, without pinning", "[unit]") {
  const api::Pod pod = business_pod();
  const std::string patch = ungate_patch(pod, "ticket t1 was deleted before the hand-off");
  CHECK(patch == std::string(kGuards) + R"({"op":"remove","path":"/spec/schedulingGates/0"},)" +
                     R"({"op":"add","path":"/metadata/annotations/korder.dev~1unassigned-reason",)"
                     R"("value":"ticket t1 was deleted before the hand-off"}])");
  const api::Pod after = apply_to(pod, patch);
  CHECK(after.spec.scheduling_gates.empty());
  CHECK_FALSE(after.spec.affinity.has_value());
  CHECK(after.metadata.annotations.at("korder.dev/unassigned-reason") ==
        "ticket t1 was deleted before the hand-off");
  CHECK(after.metadata.annotations.at("korder.dev/claim-token") == testing::kToken);
}

TEST_CASE("the ungate patch creates the annotations of a pod that has none", "[unit]") {
  api::Pod pod = business_pod();
  pod.metadata.annotations.clear();
  const std::string patch = ungate_patch(pod, "why");
  CHECK(patch.ends_with(R"({"op":"add","path":"/metadata/annotations",)"
                        R"("value":{"korder.dev/unassigned-reason":"why"}}])"));
  CHECK(apply_to(pod, patch).metadata.annotations ==
        std::map<std::string, std::string>{{"korder.dev/unassigned-reason", "why"}});
}

TEST_CASE("adding the finalizer tests the list it extends", "[unit]") {
  api::ObjectMeta meta;
  CHECK(add_finalizer_patch(meta) ==
        R"([{"op":"test","path":"/metadata/finalizers","value":null},)"
        R"({"op":"add","path":"/metadata/finalizers","value":["korder.dev/ticket-protection"]}])");
  meta.finalizers = {"example.com/keep"};
  CHECK(add_finalizer_patch(meta) ==
        R"([{"op":"test","path":"/metadata/finalizers","value":["example.com/keep"]},)"
        R"({"op":"add","path":"/metadata/finalizers/-","value":"korder.dev/ticket-protection"}])");
}

TEST_CASE("removing the finalizer tests its index first and never removes another", "[unit]") {
  api::ObjectMeta meta;
  meta.finalizers = {"example.com/keep", "korder.dev/ticket-protection"};
  const auto patch = remove_finalizer_patch(meta);
  REQUIRE(patch.has_value());
  CHECK(*patch ==
        R"([{"op":"test","path":"/metadata/finalizers/1","value":"korder.dev/ticket-protection"},)"
        R"({"op":"remove","path":"/metadata/finalizers/1"}])");
  // Someone removed the first finalizer meanwhile: index 1 is gone, the patch fails.
  const auto shifted =
      apply_json_patch(R"({"metadata":{"finalizers":["korder.dev/ticket-protection"]}})", *patch);
  CHECK_FALSE(shifted.has_value());
  meta.finalizers = {"example.com/keep"};
  CHECK_FALSE(remove_finalizer_patch(meta).has_value());
}

}  // namespace
}  // namespace korder::ticket
