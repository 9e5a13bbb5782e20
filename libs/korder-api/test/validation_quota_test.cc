#include <catch2/catch.hpp>

#include "korder/api/validation.h"
#include "validation_test_support.h"

namespace korder::api {
namespace {

using testing::Case;
using testing::kDns1123LabelMsg;
using testing::kDns1123SubdomainMsg;
using testing::messages;
using testing::Messages;
using testing::valid_quota;

LabelSelector team_backend() { return LabelSelector{{{"team", "backend"}}, {}}; }

TEST_CASE("a quota is cluster-scoped and named by a DNS-1123 subdomain", "[unit][validation]") {
  const std::vector<Case<Quota>> cases = {
      {"a dotted name", [](Quota& q) { q.metadata.name = "team.quota"; }, {}},
      {"upper case",
       [](Quota& q) { q.metadata.name = "TeamQuota"; },
       {"metadata.name: Invalid value: \"TeamQuota\": " + kDns1123SubdomainMsg}},
      {"a namespace",
       [](Quota& q) { q.metadata.namespace_ = "default"; },
       {"metadata.namespace: Forbidden: not allowed on this type"}},
      {"generateName",
       [](Quota& q) {
         q.metadata.name.clear();
         q.metadata.generate_name = "team-";
       },
       {}},
      {"a generateName ending in a dot",
       [](Quota& q) {
         q.metadata.name.clear();
         q.metadata.generate_name = "team.";
       },
       {"metadata.generateName: Invalid value: \"team.\": " + kDns1123SubdomainMsg}},
  };
  testing::run_cases(valid_quota(), cases, validate_quota);
}

TEST_CASE("a quota scope has the selector or list its type needs and no other",
          "[unit][validation]") {
  const std::vector<Case<Quota>> cases = {
      {"Cluster", [](Quota&) {}, {}},
      {"NamespaceSelector",
       [](Quota& q) {
         q.spec.scope.type = "NamespaceSelector";
         q.spec.scope.namespace_selector = team_backend();
       },
       {}},
      {"an empty namespace selector selects every namespace",
       [](Quota& q) {
         q.spec.scope.type = "NamespaceSelector";
         q.spec.scope.namespace_selector = LabelSelector{};
       },
       {}},
      {"NamespaceList",
       [](Quota& q) {
         q.spec.scope.type = "NamespaceList";
         q.spec.scope.namespaces = {"team-a", "team-b"};
       },
       {}},
      {"ObjectSelector",
       [](Quota& q) {
         q.spec.scope.type = "ObjectSelector";
         q.spec.scope.object_selector = team_backend();
       },
       {}},
      {"no type",
       [](Quota& q) { q.spec.scope.type.clear(); },
       {"spec.scope.type: Required value: must be one of \"Cluster\", \"NamespaceList\", "
        "\"NamespaceSelector\", \"ObjectSelector\""}},
      {"an unknown type",
       [](Quota& q) { q.spec.scope.type = "Global"; },
       {"spec.scope.type: Unsupported value: \"Global\": supported values: \"Cluster\", "
        "\"NamespaceList\", \"NamespaceSelector\", \"ObjectSelector\""}},
      {"NamespaceSelector without a selector",
       [](Quota& q) { q.spec.scope.type = "NamespaceSelector"; },
       {"spec.scope.namespaceSelector: Required value: required when scope.type is "
        "NamespaceSelector"}},
      {"NamespaceList without namespaces",
       [](Quota& q) { q.spec.scope.type = "NamespaceList"; },
       {"spec.scope.namespaces: Required value: at least one namespace is required when "
        "scope.type is NamespaceList"}},
      {"ObjectSelector without a selector",
       [](Quota& q) { q.spec.scope.type = "ObjectSelector"; },
       {"spec.scope.objectSelector: Required value: required when scope.type is "
        "ObjectSelector"}},
      {"Cluster with everything else",
       [](Quota& q) {
         q.spec.scope.namespace_selector = team_backend();
         q.spec.scope.namespaces = {"team-a"};
         q.spec.scope.object_selector = team_backend();
       },
       {"spec.scope.namespaceSelector: Forbidden: may only be set when scope.type is "
        "NamespaceSelector",
        "spec.scope.namespaces: Forbidden: may only be set when scope.type is NamespaceList",
        "spec.scope.objectSelector: Forbidden: may only be set when scope.type is "
        "ObjectSelector"}},
      {"bad, duplicate and empty namespaces",
       [](Quota& q) {
         q.spec.scope.type = "NamespaceList";
         q.spec.scope.namespaces = {"team-a", "Team_B", "team-a", ""};
       },
       {"spec.scope.namespaces[1]: Invalid value: \"Team_B\": " + kDns1123LabelMsg,
        "spec.scope.namespaces[2]: Duplicate value: \"team-a\"",
        "spec.scope.namespaces[3]: Required value"}},
      {"an invalid selector",
       [](Quota& q) {
         q.spec.scope.type = "NamespaceSelector";
         q.spec.scope.namespace_selector =
             LabelSelector{{}, {LabelSelectorRequirement{"tier", "Gt", {"1"}}}};
       },
       {"spec.scope.namespaceSelector.matchExpressions[0].operator: Invalid value: \"Gt\": not a "
        "valid selector operator"}},
  };
  testing::run_cases(valid_quota(), cases, validate_quota);
}

TEST_CASE("a quota's hard limits use the known keys and value kinds", "[unit][validation]") {
  const std::vector<Case<Quota>> cases = {
      {"extended resources and quantity syntax",
       [](Quota& q) {
         q.spec.hard["reserved.nvidia.com/gpu"] = "8";
         q.spec.hard["reserved.ephemeral-storage"] = "100Gi";
         q.spec.hard["orders"] = "1k";
       },
       {}},
      {"no limits at all", [](Quota& q) { q.spec.hard.clear(); }, {}},
      {"an unknown key",
       [](Quota& q) { q.spec.hard["foo"] = "1"; },
       {"spec.hard[foo]: Unsupported value: \"foo\": supported values: \"max-duration\", "
        "\"orders\", \"reserved.<resource>\", \"tickets\""}},
      {"fractional orders",
       [](Quota& q) { q.spec.hard["orders"] = "1.5"; },
       {"spec.hard[orders]: Invalid value: \"1.5\": must be an integer"}},
      {"negative cpu",
       [](Quota& q) { q.spec.hard["reserved.cpu"] = "-1"; },
       {"spec.hard[reserved.cpu]: Invalid value: \"-1\": must be greater than or equal to 0"}},
      {"a bad max-duration",
       [](Quota& q) { q.spec.hard["max-duration"] = "1d"; },
       {"spec.hard[max-duration]: Invalid value: \"1d\": time: unknown unit \"d\" in duration "
        "\"1d\""}},
  };
  testing::run_cases(valid_quota(), cases, validate_quota);
}

QuotaTimeWindow window(std::string name, QuotaLimits hard, std::string multiplier = "") {
  QuotaTimeWindow w;
  w.name = std::move(name);
  w.schedule = "0 22 * * *";
  w.duration = "8h";
  w.hard = std::move(hard);
  w.multiplier = std::move(multiplier);
  return w;
}

TEST_CASE("quota time windows have a unique name, a schedule, a duration and one kind of limit",
          "[unit][validation]") {
  const std::string w0 = "spec.timeWindows[0]";
  const std::vector<Case<Quota>> cases = {
      {"a hard window and a multiplier window",
       [](Quota& q) {
         q.spec.time_windows = {window("night", {{"reserved.cpu", "40"}}),
                                window("weekend", {}, "1.5")};
         q.spec.time_windows[1].schedule = "0 0 * * SAT";
         q.spec.time_windows[1].time_zone = "America/New_York";
         q.spec.time_windows[1].duration = "48h";
       },
       {}},
      {"no name",
       [](Quota& q) { q.spec.time_windows = {window("", {}, "2")}; },
       {w0 + ".name: Required value"}},
      {"a name that is not a label",
       [](Quota& q) { q.spec.time_windows = {window("Night", {}, "2")}; },
       {w0 + ".name: Invalid value: \"Night\": " + kDns1123LabelMsg}},
      {"two windows with one name",
       [](Quota& q) {
         q.spec.time_windows = {window("night", {}, "2"), window("night", {}, "3")};
       },
       {"spec.timeWindows[1].name: Duplicate value: \"night\""}},
      {"no schedule",
       [](Quota& q) {
         q.spec.time_windows = {window("night", {}, "2")};
         q.spec.time_windows[0].schedule.clear();
       },
       {w0 + ".schedule: Required value"}},
      {"a bad schedule and zone",
       [](Quota& q) {
         q.spec.time_windows = {window("night", {}, "2")};
         q.spec.time_windows[0].schedule = "0 25 * * *";
         q.spec.time_windows[0].time_zone = "Nowhere/Land";
       },
       {w0 + ".schedule: invalid cron expression \"0 25 * * *\": hour 25 out of range 0-23",
        w0 + ".timeZone: unknown time zone \"Nowhere/Land\""}},
      {"no duration",
       [](Quota& q) {
         q.spec.time_windows = {window("night", {}, "2")};
         q.spec.time_windows[0].duration.clear();
       },
       {w0 + ".duration: Required value"}},
      {"neither hard nor multiplier",
       [](Quota& q) { q.spec.time_windows = {window("night", {})}; },
       {w0 + ": Required value: must specify one of: `hard`, `multiplier`"}},
      {"both hard and multiplier",
       [](Quota& q) {
         q.spec.time_windows = {window("night", {{"orders", "5"}}, "2")};
       },
       {w0 + ".multiplier: Forbidden: may not be set together with `hard`: a window either "
             "replaces limits (hard) or scales them (multiplier)"}},
      {"a multiplier with a suffix",
       [](Quota& q) { q.spec.time_windows = {window("night", {}, "1.5x")}; },
       {w0 + ".multiplier: Invalid value: \"1.5x\": must be a decimal number of digits and at "
             "most one '.' (e.g. 1.5 or 2)"}},
      {"a zero multiplier",
       [](Quota& q) { q.spec.time_windows = {window("night", {}, "0")}; },
       {w0 + ".multiplier: Invalid value: \"0\": must be greater than zero"}},
      {"a bad key in a window's hard",
       [](Quota& q) {
         q.spec.time_windows = {window("night", {{"cpu", "40"}})};
       },
       {w0 + ".hard[cpu]: Unsupported value: \"cpu\": supported values: \"max-duration\", "
             "\"orders\", \"reserved.<resource>\", \"tickets\""}},
  };
  testing::run_cases(valid_quota(), cases, validate_quota);
}

QuotaAllocation allocation(std::string ns, QuotaLimits hard) {
  return QuotaAllocation{std::move(ns), std::move(hard), {}};
}

TEST_CASE("quota allocations fit inside the quota's base limits", "[unit][validation]") {
  const std::vector<Case<Quota>> cases = {
      {"allocations that add up to exactly the limits",
       [](Quota& q) {
         q.spec.allocations = {
             allocation("team-a", {{"reserved.cpu", "12"}, {"orders", "4"}}),
             allocation("team-b", {{"reserved.cpu", "8000m"}, {"orders", "6"}}),
         };
       },
       {}},
      {"keys the base does not limit are not summed",
       [](Quota& q) {
         q.spec.allocations = {allocation("team-a", {{"reserved.nvidia.com/gpu", "100"}}),
                               allocation("team-b", {{"reserved.nvidia.com/gpu", "100"}})};
       },
       {}},
      {"cpu over the limit",
       [](Quota& q) {
         q.spec.allocations = {allocation("team-a", {{"reserved.cpu", "10"}}),
                               allocation("team-b", {{"reserved.cpu", "15"}})};
       },
       {"spec.allocations: Invalid value: \"25\": allocations of reserved.cpu sum to 25, more "
        "than the quota's hard 20"}},
      {"memory and tickets over the limits",
       [](Quota& q) {
         q.spec.allocations = {
             allocation("team-a", {{"reserved.memory", "30Gi"}, {"tickets", "30"}}),
             allocation("team-b", {{"reserved.memory", "20Gi"}, {"tickets", "21"}})};
       },
       {"spec.allocations: Invalid value: \"51\": allocations of tickets sum to 51, more than "
        "the quota's hard 50",
        "spec.allocations: Invalid value: \"50Gi\": allocations of reserved.memory sum to 50Gi, "
        "more than the quota's hard 40Gi"}},
      {"a longer max-duration than the quota's",
       [](Quota& q) {
         q.spec.allocations = {allocation("team-a", {{"max-duration", "48h"}})};
       },
       {"spec.allocations[0].hard[max-duration]: Invalid value: \"48h\": must not exceed the "
        "quota's max-duration 24h"}},
      {"a shorter max-duration",
       [](Quota& q) {
         q.spec.allocations = {allocation("team-a", {{"max-duration", "1h"}})};
       },
       {}},
      {"namespaces missing, malformed and repeated",
       [](Quota& q) {
         q.spec.allocations = {allocation("", {}), allocation("Team_A", {}),
                               allocation("team-b", {}), allocation("team-b", {})};
       },
       {"spec.allocations[0].namespace: Required value",
        "spec.allocations[1].namespace: Invalid value: \"Team_A\": " + kDns1123LabelMsg,
        "spec.allocations[3].namespace: Duplicate value: \"team-b\""}},
      {"a bad allocation value is reported and left out of the sums",
       [](Quota& q) {
         q.spec.allocations = {allocation("team-a", {{"orders", "lots"}, {"reserved.cpu", "21"}})};
       },
       {"spec.allocations[0].hard[orders]: Invalid value: \"lots\": quantities must match the "
        "regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        "spec.allocations: Invalid value: \"21\": allocations of reserved.cpu sum to 21, more "
        "than the quota's hard 20"}},
  };
  testing::run_cases(valid_quota(), cases, validate_quota);
}

TEST_CASE("an invalid quota reports every problem at once, and updates are validated the same",
          "[unit][validation]") {
  Quota quota = valid_quota();
  quota.metadata.namespace_ = "default";
  quota.spec.scope.type = "NamespaceList";
  quota.spec.hard["orders"] = "-1";
  quota.spec.time_windows = {window("night", {})};
  quota.spec.allocations = {allocation("team-a", {{"reserved.cpu", "30"}})};
  const Messages expected = {
      "metadata.namespace: Forbidden: not allowed on this type",
      "spec.scope.namespaces: Required value: at least one namespace is required when scope.type "
      "is NamespaceList",
      "spec.hard[orders]: Invalid value: \"-1\": must be greater than or equal to 0",
      "spec.timeWindows[0]: Required value: must specify one of: `hard`, `multiplier`",
      "spec.allocations: Invalid value: \"30\": allocations of reserved.cpu sum to 30, more than "
      "the quota's hard 20",
  };
  CHECK(messages(validate_quota(quota)) == expected);
  CHECK(messages(validate_quota_update(quota, valid_quota())) == expected);

  Quota rescoped = valid_quota();
  rescoped.spec.scope.type = "ObjectSelector";
  rescoped.spec.scope.object_selector = team_backend();
  CHECK(validate_quota_update(rescoped, valid_quota()).empty());
}

}  // namespace
}  // namespace korder::api
