#include <catch2/catch.hpp>
#include <string>

#include "json_test_support.h"
#include "korder/api/quota.h"

namespace korder::api {
namespace {

using testing::round_trip;
using testing::same_json;

// The README's "Configure resource quota", as JSON.
constexpr const char* kTeamQuota = R"({
  "apiVersion": "core.korder.dev/v1alpha1", "kind": "Quota",
  "metadata": {"name": "team-quota"},
  "spec": {
    "scope": {"type": "NamespaceSelector",
              "namespaceSelector": {"matchLabels": {"team": "backend"}}},
    "hard": {"orders": "10", "tickets": "50", "reserved.cpu": "20",
             "reserved.memory": "40Gi", "max-duration": "24h"}}})";

// Every field of DESIGN.md §2 for a Quota, with status.
constexpr const char* kFullQuota = R"({
  "apiVersion": "core.korder.dev/v1alpha1", "kind": "Quota",
  "metadata": {"name": "full", "uid": "q-uid", "resourceVersion": "9", "generation": 2},
  "spec": {
    "scope": {"type": "ObjectSelector",
              "namespaceSelector": {"matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "staging"]}]},
              "namespaces": ["a", "b"],
              "objectSelector": {"matchLabels": {"korder.dev/group": "batch"}}},
    "hard": {"orders": "10", "tickets": "40", "reserved.cpu": "20",
             "reserved.nvidia.com/gpu": "4", "max-duration": "24h"},
    "timeWindows": [
      {"name": "night", "schedule": "0 22 * * *", "duration": "8h",
       "timeZone": "America/New_York", "hard": {"reserved.cpu": "40"}},
      {"name": "weekend", "schedule": "0 0 * * 6", "duration": "48h", "multiplier": "1.5"}],
    "allocations": [{"namespace": "a", "hard": {"tickets": "10", "reserved.cpu": "5"}}]},
  "status": {
    "hard": {"orders": "10", "tickets": "40", "reserved.cpu": "40"},
    "used": {"orders": "3", "tickets": "7", "reserved.cpu": "3500m"},
    "activeTimeWindow": "night",
    "allocations": [{"namespace": "a", "hard": {"tickets": "10"}, "used": {"tickets": "2"}}],
    "conditions": [{"type": "Ready", "status": "True", "reason": "Synced",
                    "message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"}],
    "observedGeneration": 2}})";

TEST_CASE("the README's quota decodes and round-trips", "[unit][json]") {
  auto quota = parse_quota(kTeamQuota);
  REQUIRE(quota.has_value());
  CHECK(quota->kind == kQuotaKind);
  CHECK(quota->metadata.namespace_.empty());  // cluster-scoped
  CHECK(quota->spec.scope.type == QuotaScopeType::NamespaceSelector);
  REQUIRE(quota->spec.scope.namespace_selector.has_value());
  CHECK(quota->spec.scope.namespace_selector->match_labels.at("team") == "backend");
  CHECK_FALSE(quota->spec.scope.object_selector.has_value());
  CHECK(quota->spec.hard == QuotaLimits{{"orders", "10"},
                                        {"tickets", "50"},
                                        {"reserved.cpu", "20"},
                                        {"reserved.memory", "40Gi"},
                                        {"max-duration", "24h"}});
  CHECK(same_json(to_json(*quota), kTeamQuota));
}

TEST_CASE("a maximal quota round-trips exactly and has no unknown fields", "[unit][json]") {
  auto quota = parse_quota(kFullQuota);
  REQUIRE(quota.has_value());
  CHECK(same_json(to_json(*quota), kFullQuota));
  CHECK(unknown_field_paths(*quota).empty());
  CHECK(parse_quota(to_json(*quota)).value() == *quota);
  CHECK(quota->spec.time_windows[1].multiplier == "1.5");
  CHECK(quota->spec.time_windows[1].hard.empty());
  CHECK(quota->spec.allocations[0].namespace_ == "a");
  CHECK(quota->status.used.at("reserved.cpu") == "3500m");
  CHECK(quota->status.allocations[0].used.at("tickets") == "2");
  CHECK(quota->status.active_time_window == "night");
}

TEST_CASE("hard values and multipliers accept numbers and keep their text", "[unit][json]") {
  auto quota = parse_quota(
      R"({"metadata":{"name":"q"},"spec":{"hard":{"orders":10,"tickets":"50","reserved.cpu":2.5,)"
      R"("reserved.memory":"40Gi","max-duration":"24h"},"timeWindows":[{"name":"w",)"
      R"("multiplier":1.5,"hard":{"orders":20}},{"name":"v","multiplier":2}],)"
      R"("allocations":[{"namespace":"a","hard":{"orders":3}}]},"status":{"used":{"orders":4}}})");
  REQUIRE(quota.has_value());
  CHECK(quota->spec.hard.at("orders") == "10");
  CHECK(quota->spec.hard.at("tickets") == "50");
  CHECK(quota->spec.hard.at("reserved.cpu") == "2.5");
  CHECK(quota->spec.hard.at("max-duration") == "24h");
  CHECK(quota->spec.time_windows[0].multiplier == "1.5");
  CHECK(quota->spec.time_windows[0].hard.at("orders") == "20");
  CHECK(quota->spec.time_windows[1].multiplier == "2");
  CHECK(quota->spec.allocations[0].hard.at("orders") == "3");
  CHECK(quota->status.used.at("orders") == "4");
  // Written back as strings, the canonical int-or-string form.
  CHECK(same_json(
      to_json(*quota),
      R"({"metadata":{"name":"q"},"spec":{"hard":{"orders":"10","tickets":"50","reserved.cpu":"2.5",)"
      R"("reserved.memory":"40Gi","max-duration":"24h"},"timeWindows":[{"name":"w",)"
      R"("hard":{"orders":"20"},"multiplier":"1.5"},{"name":"v","multiplier":"2"}],)"
      R"("allocations":[{"namespace":"a","hard":{"orders":"3"}}]},)"
      R"("status":{"used":{"orders":"4"},"observedGeneration":0}})"));
}

TEST_CASE("an empty selector is kept apart from an absent one", "[unit][json]") {
  const char* json =
      R"({"metadata":{"name":"q"},"spec":{"scope":{"type":"Cluster","namespaceSelector":{}}}})";
  auto quota = parse_quota(json).value();
  REQUIRE(quota.spec.scope.namespace_selector.has_value());
  CHECK(quota.spec.scope.namespace_selector->match_labels.empty());
  CHECK_FALSE(quota.spec.scope.object_selector.has_value());
  CHECK(same_json(to_json(quota), json));
}

TEST_CASE("a malformed quota is an error with its path", "[unit][json]") {
  struct Case {
    std::string json;
    std::string error;
  };
  const Case cases[] = {
      {R"({"spec":{"hard":{"orders":true}}})",
       "spec.hard[orders]: expected string or number, got boolean"},
      {R"({"spec":{"hard":["orders"]}})", "spec.hard: expected object, got array"},
      {R"({"spec":{"timeWindows":[{"name":"w"},{"multiplier":[1]}]}})",
       "spec.timeWindows[1].multiplier: expected string or number, got array"},
      {R"({"spec":{"timeWindows":[{"hard":{"orders":null}}]}})",
       "spec.timeWindows[0].hard[orders]: expected string or number, got null"},
      {R"({"spec":{"scope":{"namespaces":"a"}}})",
       "spec.scope.namespaces: expected array, got string"},
      {R"({"spec":{"scope":{"namespaceSelector":{"matchExpressions":[{"key":"a","operator":5}]}}}})",
       "spec.scope.namespaceSelector.matchExpressions[0].operator: expected string, got number"},
      {R"({"spec":{"allocations":[{"namespace":"a","hard":{"tickets":{}}}]}})",
       "spec.allocations[0].hard[tickets]: expected string or number, got object"},
      {R"({"status":{"observedGeneration":"2"}})",
       "status.observedGeneration: expected integer, got string"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto quota = parse_quota(c.json);
    REQUIRE_FALSE(quota.has_value());
    CHECK(quota.error().to_string() == c.error);
  }
}

TEST_CASE("unknown fields of a quota are kept and reported by path", "[unit][json]") {
  const char* json = R"({"metadata":{"name":"q","managedFields":[{}]},
    "spec":{"scope":{"type":"Cluster","priority":1},"burst":{"orders":"2"},
            "timeWindows":[{"name":"w","grace":"5m"}],
            "allocations":[{"namespace":"a","weight":3}]},
    "status":{"observedGeneration":1,"lastSync":"x",
              "allocations":[{"namespace":"a","ratio":"0.5"}],
              "conditions":[{"type":"Ready","status":"True","message":"","hint":1}]}})";
  auto quota = parse_quota(json);
  REQUIRE(quota.has_value());
  CHECK(same_json(to_json(*quota), json));
  CHECK(unknown_field_paths(*quota) ==
        std::vector<std::string>{"spec.scope.priority", "spec.timeWindows[0].grace",
                                 "spec.allocations[0].weight", "spec.burst",
                                 "status.allocations[0].ratio", "status.conditions[0].hint",
                                 "status.lastSync"});
}

TEST_CASE("a quota built in code encodes with the wire names", "[unit][json]") {
  Quota quota;
  quota.api_version = kKorderApiVersion;
  quota.kind = kQuotaKind;
  quota.metadata.name = "q";
  quota.spec.scope.type = QuotaScopeType::NamespaceList;
  quota.spec.scope.namespaces = {"a"};
  quota.spec.hard[std::string(QuotaResourceName::MaxDuration)] = "24h";
  quota.status.hard = quota.spec.hard;
  quota.status.used[std::string(QuotaResourceName::Orders)] = "1";
  quota.status.observed_generation = 4;
  CHECK(to_json(quota) ==
        R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Quota","metadata":{"name":"q"},)"
        R"("spec":{"scope":{"type":"NamespaceList","namespaces":["a"]},)"
        R"("hard":{"max-duration":"24h"}},"status":{"hard":{"max-duration":"24h"},)"
        R"("used":{"orders":"1"},"observedGeneration":4}})");
  CHECK(same_json(round_trip<Quota>(to_json(quota)), to_json(quota)));
}

}  // namespace
}  // namespace korder::api
