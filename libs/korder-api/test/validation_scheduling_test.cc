// Scheduling constraints of a ticket spec (node affinity, tolerations, topology spread) and
// label selectors: Kubernetes' own pod validation rules and messages.

#include <catch2/catch.hpp>

#include "korder/api/validation.h"
#include "validation_test_support.h"

namespace korder::api {
namespace {

using testing::Case;
using testing::kDns1123SubdomainMsg;
using testing::kLabelValueMsg;
using testing::kNamePartMsg;
using testing::messages;
using testing::Messages;
using testing::valid_ticket_spec;

FieldErrors validate_spec(const TicketSpec& spec) { return validate_ticket_spec(spec, "spec"); }

NodeSelectorRequirement req(std::string key, std::string op, std::vector<std::string> values) {
  return NodeSelectorRequirement{std::move(key), std::move(op), std::move(values), {}};
}

// A spec whose required node affinity has one term with `expressions` and `fields`.
void set_required_term(TicketSpec& spec, std::vector<NodeSelectorRequirement> expressions,
                       std::vector<NodeSelectorRequirement> fields = {}) {
  NodeSelectorTerm term;
  term.match_expressions = std::move(expressions);
  term.match_fields = std::move(fields);
  NodeAffinity affinity;
  affinity.required_during_scheduling_ignored_during_execution = NodeSelector{{term}, {}};
  spec.affinity = Affinity{};
  spec.affinity->node_affinity = affinity;
}

void set_preferred_term(TicketSpec& spec, std::int32_t weight,
                        std::vector<NodeSelectorRequirement> expressions) {
  NodeAffinity affinity;
  PreferredSchedulingTerm preferred;
  preferred.weight = weight;
  preferred.preference.match_expressions = std::move(expressions);
  affinity.preferred_during_scheduling_ignored_during_execution = {preferred};
  spec.affinity = Affinity{};
  spec.affinity->node_affinity = affinity;
}

const std::string kTerm =
    "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
    "[0]";

TEST_CASE("node affinity follows Kubernetes' node selector requirement rules",
          "[unit][validation]") {
  const std::vector<Case<TicketSpec>> cases = {
      {"every operator used correctly",
       [](TicketSpec& s) {
         set_required_term(s,
                           {req("zone", "In", {"a", "b"}), req("tier", "NotIn", {"x"}),
                            req("gpu", "Exists", {}), req("spot", "DoesNotExist", {}),
                            req("cores", "Gt", {"4"}), req("cores", "Lt", {"65"})},
                           {req("metadata.name", "In", {"node-1"})});
       },
       {}},
      {"no terms",
       [](TicketSpec& s) {
         set_required_term(s, {});
         s.affinity->node_affinity->required_during_scheduling_ignored_during_execution
             ->node_selector_terms.clear();
       },
       {"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
        "nodeSelectorTerms: Required value: must have at least one node selector term"}},
      {"In without values",
       [](TicketSpec& s) { set_required_term(s, {req("zone", "In", {})}); },
       {kTerm + ".matchExpressions[0].values: Required value: must be specified when `operator` "
                "is 'In' or 'NotIn'"}},
      {"Exists with values",
       [](TicketSpec& s) { set_required_term(s, {req("gpu", "Exists", {"yes"})}); },
       {kTerm + ".matchExpressions[0].values: Forbidden: may not be specified when `operator` is "
                "'Exists' or 'DoesNotExist'"}},
      {"Gt with two values",
       [](TicketSpec& s) {
         set_required_term(s, {req("cores", "Gt", {"1", "2"})});
       },
       {kTerm + ".matchExpressions[0].values: Required value: must be specified single value "
                "when `operator` is 'Lt' or 'Gt'"}},
      {"Lt with a value that is not an integer",
       [](TicketSpec& s) { set_required_term(s, {req("cores", "Lt", {"many"})}); },
       {kTerm + ".matchExpressions[0].values[0]: Invalid value: \"many\": for 'Gt', 'Lt' "
                "operators, the value must be an integer"}},
      {"Gt with a negative bound, which no label value can match",
       [](TicketSpec& s) { set_required_term(s, {req("cores", "Gt", {"-5"})}); },
       {kTerm + ".matchExpressions[0].values[0]: Invalid value: \"-5\": " + kLabelValueMsg}},
      {"In with a value that is not a label value",
       [](TicketSpec& s) { set_required_term(s, {req("zone", "In", {"a b"})}); },
       {kTerm + ".matchExpressions[0].values[0]: Invalid value: \"a b\": " + kLabelValueMsg}},
      {"an unknown operator",
       [](TicketSpec& s) { set_required_term(s, {req("zone", "Equals", {"a"})}); },
       {kTerm + ".matchExpressions[0].operator: Invalid value: \"Equals\": not a valid selector "
                "operator"}},
      {"a bad key",
       [](TicketSpec& s) { set_required_term(s, {req("my zone", "Exists", {})}); },
       {kTerm + ".matchExpressions[0].key: Invalid value: \"my zone\": " + kNamePartMsg}},
      {"matchFields on another field",
       [](TicketSpec& s) { set_required_term(s, {}, {req("metadata.namespace", "In", {"a"})}); },
       {kTerm + ".matchFields[0].key: Invalid value: \"metadata.namespace\": not a valid field "
                "selector key"}},
      {"matchFields with Exists",
       [](TicketSpec& s) { set_required_term(s, {}, {req("metadata.name", "Exists", {})}); },
       {kTerm + ".matchFields[0].operator: Invalid value: \"Exists\": not a valid selector "
                "operator"}},
      {"matchFields with two names",
       [](TicketSpec& s) {
         set_required_term(s, {}, {req("metadata.name", "In", {"node-1", "node-2"})});
       },
       {kTerm + ".matchFields[0].values: Required value: must be only one value when `operator` "
                "is 'In' or 'NotIn' for node field selector"}},
      {"matchFields with a name that is not a node name",
       [](TicketSpec& s) { set_required_term(s, {}, {req("metadata.name", "NotIn", {"Node_1"})}); },
       {kTerm + ".matchFields[0].values[0]: Invalid value: \"Node_1\": " + kDns1123SubdomainMsg}},
  };
  testing::run_cases(valid_ticket_spec(), cases, validate_spec);
}

TEST_CASE("preferred node affinity weights are 1 to 100", "[unit][validation]") {
  const std::string pref =
      "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]";
  const std::vector<Case<TicketSpec>> cases = {
      {"weight 1", [](TicketSpec& s) { set_preferred_term(s, 1, {req("a", "Exists", {})}); }, {}},
      {"weight 100",
       [](TicketSpec& s) { set_preferred_term(s, 100, {req("a", "Exists", {})}); },
       {}},
      {"weight 0",
       [](TicketSpec& s) { set_preferred_term(s, 0, {req("a", "Exists", {})}); },
       {pref + ".weight: Invalid value: 0: must be in the range 1-100"}},
      {"weight 101 and a bad preference",
       [](TicketSpec& s) { set_preferred_term(s, 101, {req("a", "NotIn", {})}); },
       {pref + ".weight: Invalid value: 101: must be in the range 1-100",
        pref + ".preference.matchExpressions[0].values: Required value: must be specified when "
               "`operator` is 'In' or 'NotIn'"}},
  };
  testing::run_cases(valid_ticket_spec(), cases, validate_spec);
}

Toleration toleration(std::string key, std::string op, std::string value, std::string effect,
                      std::optional<std::int64_t> seconds = std::nullopt) {
  return Toleration{std::move(key),    std::move(op), std::move(value),
                    std::move(effect), seconds,       {}};
}

TEST_CASE("tolerations follow Kubernetes' validateTolerations", "[unit][validation]") {
  const std::string t = "spec.tolerations[0]";
  const std::vector<Case<TicketSpec>> cases = {
      {"tolerate everything",
       [](TicketSpec& s) { s.tolerations = {toleration("", "Exists", "", "")}; },
       {}},
      {"the README's daemonSet toleration",
       [](TicketSpec& s) { s.tolerations = {toleration("", "Exists", "", "NoSchedule")}; },
       {}},
      {"equal with an empty operator",
       [](TicketSpec& s) { s.tolerations = {toleration("dedicated", "", "gpu", "NoSchedule")}; },
       {}},
      {"NoExecute with seconds",
       [](TicketSpec& s) {
         s.tolerations = {
             toleration("node.kubernetes.io/unreachable", "Exists", "", "NoExecute", 300)};
       },
       {}},
      {"empty key with Equal",
       [](TicketSpec& s) { s.tolerations = {toleration("", "Equal", "", "")}; },
       {t + ".operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, "
            "which means \"match all values and all keys\""}},
      {"Exists with a value",
       [](TicketSpec& s) { s.tolerations = {toleration("dedicated", "Exists", "gpu", "")}; },
       {t + ".operator: Invalid value: \"gpu\": value must be empty when `operator` is "
            "'Exists'"}},
      {"an unknown operator",
       [](TicketSpec& s) { s.tolerations = {toleration("dedicated", "In", "gpu", "")}; },
       {t + ".operator: Unsupported value: \"In\": supported values: \"Equal\", \"Exists\""}},
      {"an unknown effect",
       [](TicketSpec& s) { s.tolerations = {toleration("dedicated", "Exists", "", "NoRun")}; },
       {t + ".effect: Unsupported value: \"NoRun\": supported values: \"NoSchedule\", "
            "\"PreferNoSchedule\", \"NoExecute\""}},
      {"seconds without NoExecute",
       [](TicketSpec& s) { s.tolerations = {toleration("a", "Exists", "", "NoSchedule", 60)}; },
       {t + ".effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when "
            "`tolerationSeconds` is set"}},
      {"a value that is not a label value",
       [](TicketSpec& s) { s.tolerations = {toleration("a", "Equal", "-gpu", "")}; },
       {t + ".operator: Invalid value: \"-gpu\": " + kLabelValueMsg}},
      {"a bad key",
       [](TicketSpec& s) { s.tolerations = {toleration("a b", "Exists", "", "")}; },
       {t + ".key: Invalid value: \"a b\": " + kNamePartMsg}},
  };
  testing::run_cases(valid_ticket_spec(), cases, validate_spec);
}

TopologySpreadConstraint spread(std::int32_t skew, std::string key, std::string action) {
  TopologySpreadConstraint c;
  c.max_skew = skew;
  c.topology_key = std::move(key);
  c.when_unsatisfiable = std::move(action);
  return c;
}

LabelSelector app_selector() {
  LabelSelector selector;
  selector.match_labels = {{"app", "web"}};
  return selector;
}

TEST_CASE("topology spread constraints follow Kubernetes' rules", "[unit][validation]") {
  const std::string c0 = "spec.topologySpreadConstraints[0]";
  const std::vector<Case<TicketSpec>> cases = {
      {"a full constraint",
       [](TicketSpec& s) {
         auto c = spread(1, "topology.kubernetes.io/zone", "DoNotSchedule");
         c.min_domains = 3;
         c.node_affinity_policy = "Honor";
         c.node_taints_policy = "Ignore";
         c.label_selector = app_selector();
         c.match_label_keys = {"pod-template-hash"};
         s.topology_spread_constraints = {c, spread(2, "kubernetes.io/hostname", "ScheduleAnyway")};
       },
       {}},
      {"zero skew",
       [](TicketSpec& s) { s.topology_spread_constraints = {spread(0, "zone", "DoNotSchedule")}; },
       {c0 + ".maxSkew: Invalid value: 0: must be greater than zero"}},
      {"no topology key",
       [](TicketSpec& s) { s.topology_spread_constraints = {spread(1, "", "DoNotSchedule")}; },
       {c0 + ".topologyKey: Required value: can not be empty"}},
      {"a topology key that is not a label key",
       [](TicketSpec& s) {
         s.topology_spread_constraints = {spread(1, "my zone", "DoNotSchedule")};
       },
       {c0 + ".topologyKey: Invalid value: \"my zone\": " + kNamePartMsg}},
      {"an unknown action",
       [](TicketSpec& s) { s.topology_spread_constraints = {spread(1, "zone", "Never")}; },
       {c0 + ".whenUnsatisfiable: Unsupported value: \"Never\": supported values: "
             "\"DoNotSchedule\", \"ScheduleAnyway\""}},
      {"the same key and action twice",
       [](TicketSpec& s) {
         s.topology_spread_constraints = {spread(1, "zone", "DoNotSchedule"),
                                          spread(2, "zone", "DoNotSchedule"),
                                          spread(1, "zone", "ScheduleAnyway")};
       },
       {c0 + ".{topologyKey, whenUnsatisfiable}: Duplicate value: \"{zone, DoNotSchedule}\""}},
      {"zero min domains",
       [](TicketSpec& s) {
         auto c = spread(1, "zone", "DoNotSchedule");
         c.min_domains = 0;
         s.topology_spread_constraints = {c};
       },
       {c0 + ".minDomains: Invalid value: 0: must be greater than zero"}},
      {"min domains with ScheduleAnyway",
       [](TicketSpec& s) {
         auto c = spread(1, "zone", "ScheduleAnyway");
         c.min_domains = 2;
         s.topology_spread_constraints = {c};
       },
       {c0 + ".minDomains: Invalid value: 2: can only use minDomains if "
             "whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway"}},
      {"an unknown node policy",
       [](TicketSpec& s) {
         auto c = spread(1, "zone", "DoNotSchedule");
         c.node_taints_policy = "Maybe";
         s.topology_spread_constraints = {c};
       },
       {c0 + ".nodeTaintsPolicy: Unsupported value: \"Maybe\": supported values: \"Honor\", "
             "\"Ignore\""}},
      {"match label keys without a selector",
       [](TicketSpec& s) {
         auto c = spread(1, "zone", "DoNotSchedule");
         c.match_label_keys = {"pod-template-hash"};
         s.topology_spread_constraints = {c};
       },
       {c0 + ".matchLabelKeys: Forbidden: must not be specified when labelSelector is not set"}},
      {"a match label key already in the selector",
       [](TicketSpec& s) {
         auto c = spread(1, "zone", "DoNotSchedule");
         c.label_selector = app_selector();
         c.match_label_keys = {"app"};
         s.topology_spread_constraints = {c};
       },
       {c0 + ".matchLabelKeys[0]: Invalid value: \"app\": exists in both matchLabelKeys and "
             "labelSelector"}},
      {"an invalid label selector",
       [](TicketSpec& s) {
         auto c = spread(1, "zone", "DoNotSchedule");
         c.label_selector = LabelSelector{{}, {LabelSelectorRequirement{"app", "In", {}}}};
         s.topology_spread_constraints = {c};
       },
       {c0 + ".labelSelector.matchExpressions[0].values: Required value: must be specified when "
             "`operator` is 'In' or 'NotIn'"}},
  };
  testing::run_cases(valid_ticket_spec(), cases, validate_spec);
}

TEST_CASE("label selectors are validated with a path for every problem", "[unit][validation]") {
  struct Row {
    const char* name;
    LabelSelector selector;
    Messages expected;
  };
  const std::vector<Row> rows = {
      {"empty (everything)", LabelSelector{}, {}},
      {"every operator",
       LabelSelector{{{"team", "backend"}},
                     {{"tier", "In", {"a", "b"}},
                      {"env", "NotIn", {"dev"}},
                      {"gpu", "Exists", {}},
                      {"spot", "DoesNotExist", {}}}},
       {}},
      {"bad match label key and value",
       LabelSelector{{{"a b", "x"}, {"ok", "-bad"}}, {}},
       {"sel.matchLabels: Invalid value: \"a b\": " + kNamePartMsg,
        "sel.matchLabels: Invalid value: \"-bad\": " + kLabelValueMsg}},
      {"Gt is not a label selector operator",
       LabelSelector{{}, {{"cores", "Gt", {"1"}}}},
       {"sel.matchExpressions[0].operator: Invalid value: \"Gt\": not a valid selector "
        "operator"}},
      {"NotIn without values",
       LabelSelector{{}, {{"env", "NotIn", {}}}},
       {"sel.matchExpressions[0].values: Required value: must be specified when `operator` is "
        "'In' or 'NotIn'"}},
      {"DoesNotExist with values",
       LabelSelector{{}, {{"env", "DoesNotExist", {"x"}}}},
       {"sel.matchExpressions[0].values: Forbidden: may not be specified when `operator` is "
        "'Exists' or 'DoesNotExist'"}},
      {"bad key and value in one expression",
       LabelSelector{{}, {{"a b", "In", {"ok", "no way"}}}},
       {"sel.matchExpressions[0].key: Invalid value: \"a b\": " + kNamePartMsg,
        "sel.matchExpressions[0].values[1]: Invalid value: \"no way\": " + kLabelValueMsg}},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const FieldErrors errors = validate_label_selector(row.selector, "sel");
    CHECK(messages(errors) == row.expected);
    // The same verdict as the selector parser the controllers use.
    CHECK(errors.empty() == from_label_selector(row.selector).has_value());
  }
}

}  // namespace
}  // namespace korder::api
