// The CRDs in deploy/crds against libs/korder-api, beyond the field-by-field drift check in
// libs/korder-api/test/crd_schema_test.cc (every field of the model is in the schema with its
// type, and vice versa): every field is documented for `kubectl explain`, every enum is exactly
// the set of wire values korder-api names, the CRD defaults are the ones korder-api applies to
// an absent field, and exactly the fields that hold RFC 3339 times are `format: date-time`.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "korder/api/order.h"
#include "korder/api/quota.h"
#include "korder/api/ticket.h"
#include "korder/api/time.h"
#include "manifests.h"

namespace korder::testing {
namespace {

struct Crd {
  std::string file;
  std::string fixture;
};

const std::vector<Crd>& crds() {
  static const std::vector<Crd> all = {
      {"deploy/crds/core.korder.dev_orders.yaml", "libs/korder-api/test/testdata/order-full.json"},
      {"deploy/crds/core.korder.dev_tickets.yaml",
       "libs/korder-api/test/testdata/ticket-full.json"},
      {"deploy/crds/core.korder.dev_quotas.yaml", "libs/korder-api/test/testdata/quota-full.json"},
  };
  return all;
}

const api::JsonValue& schema_of(const Manifests& crd) {
  REQUIRE(crd.objects().size() == 1);
  const api::JsonValue* schema = at(*crd.objects()[0], "spec.versions.0.schema.openAPIV3Schema");
  REQUIRE(schema != nullptr);
  return *schema;
}

// Calls `visit(path, schema)` for every named property below `schema` (list items as `[]`,
// map values as `[*]` in the path).
template <typename Visit>
void walk(const api::JsonValue& schema, const std::string& path, const Visit& visit) {
  if (schema.HasMember("properties")) {
    for (const auto& member : schema["properties"].GetObject()) {
      const std::string child =
          (path.empty() ? "" : path + ".") + std::string(member.name.GetString());
      visit(child, member.value);
      walk(member.value, child, visit);
    }
  }
  if (schema.HasMember("additionalProperties") && schema["additionalProperties"].IsObject()) {
    walk(schema["additionalProperties"], path + "[*]", visit);
  }
  if (schema.HasMember("items")) {
    walk(schema["items"], path + "[]", visit);
  }
}

// The schema node at a walk path (`spec.strategy.type`, `status.conditions[].status`).
const api::JsonValue* schema_at(const api::JsonValue& root, const std::string& path) {
  const api::JsonValue* found = nullptr;
  walk(root, "", [&](const std::string& p, const api::JsonValue& node) {
    if (p == path) {
      found = &node;
    }
  });
  return found;
}

std::set<std::string> enum_of(const api::JsonValue& root, const std::string& path) {
  const api::JsonValue* node = schema_at(root, path);
  std::set<std::string> out;
  if (node != nullptr && node->HasMember("enum")) {
    for (const auto& value : (*node)["enum"].GetArray()) {
      out.emplace(value.GetString());
    }
  }
  return out;
}

// Every string value in `value` with the walk path it sits at.
void string_values(const api::JsonValue& value, const std::string& path,
                   std::vector<std::pair<std::string, std::string>>& out) {
  if (value.IsString()) {
    out.emplace_back(path, value.GetString());
  } else if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      const std::string key = member.name.GetString();
      string_values(member.value, path.empty() ? key : path + "." + key, out);
    }
  } else if (value.IsArray()) {
    for (const auto& item : value.GetArray()) {
      string_values(item, path + "[]", out);
    }
  }
}

TEST_CASE("every field of the korder CRDs has a description for kubectl explain", "[unit]") {
  for (const auto& crd : crds()) {
    INFO(crd.file);
    const Manifests manifests(read_source(crd.file));
    const auto& schema = schema_of(manifests);
    CHECK_FALSE(str(schema, "description").empty());
    std::vector<std::string> undocumented;
    walk(schema, "", [&](const std::string& path, const api::JsonValue& node) {
      // The root metadata may carry nothing but `type: object` (the API server publishes
      // ObjectMeta's schema instead).
      if (path != "metadata" && str(node, "description").empty()) {
        undocumented.push_back(path);
      }
    });
    CHECK(undocumented == std::vector<std::string>{});
  }
}

TEST_CASE("the korder CRDs' enums are exactly the wire values korder-api names", "[unit]") {
  using api::CleanupPolicy;
  using api::QuotaScopeType;
  using api::RefreshPolicy;
  using api::StrategyType;
  using api::TicketPhase;
  const std::set<std::string> cleanup = {std::string(CleanupPolicy::Delete),
                                         std::string(CleanupPolicy::Retain)};
  const std::set<std::string> phases = {
      std::string(TicketPhase::Pending), std::string(TicketPhase::Ready),
      std::string(TicketPhase::Claimed), std::string(TicketPhase::Expired)};
  const std::set<std::string> condition_status = {"True", "False", "Unknown"};

  const Manifests orders(read_source("deploy/crds/core.korder.dev_orders.yaml"));
  const auto& order = schema_of(orders);
  CHECK(enum_of(order, "spec.strategy.type") ==
        std::set<std::string>{std::string(StrategyType::OneTime),
                              std::string(StrategyType::Scheduled),
                              std::string(StrategyType::Recurring)});
  CHECK(enum_of(order, "spec.strategy.refreshPolicy") ==
        std::set<std::string>{std::string(RefreshPolicy::Always),
                              std::string(RefreshPolicy::OnClaim),
                              std::string(RefreshPolicy::Never)});
  CHECK(enum_of(order, "spec.template.spec.lifecycle.cleanupPolicy") == cleanup);
  CHECK(enum_of(order, "status.slots[].phase") == phases);
  CHECK(enum_of(order, "status.conditions[].status") == condition_status);

  const Manifests tickets(read_source("deploy/crds/core.korder.dev_tickets.yaml"));
  const auto& ticket = schema_of(tickets);
  CHECK(enum_of(ticket, "spec.lifecycle.cleanupPolicy") == cleanup);
  CHECK(enum_of(ticket, "status.phase") == phases);
  CHECK(enum_of(ticket, "status.conditions[].status") == condition_status);

  const Manifests quotas(read_source("deploy/crds/core.korder.dev_quotas.yaml"));
  const auto& quota = schema_of(quotas);
  CHECK(enum_of(quota, "spec.scope.type") ==
        std::set<std::string>{std::string(QuotaScopeType::Cluster),
                              std::string(QuotaScopeType::NamespaceSelector),
                              std::string(QuotaScopeType::NamespaceList),
                              std::string(QuotaScopeType::ObjectSelector)});
  CHECK(enum_of(quota, "status.conditions[].status") == condition_status);
}

TEST_CASE("the Order CRD's defaults are the ones korder-api applies to absent fields", "[unit]") {
  const Manifests orders(read_source("deploy/crds/core.korder.dev_orders.yaml"));
  const auto& order = schema_of(orders);
  const api::OrderSpec spec;  // every optional field absent
  const api::JsonValue* replicas = schema_at(order, "spec.replicas");
  REQUIRE(replicas != nullptr);
  CHECK(integer(*replicas, "default") == spec.effective_replicas());
  const api::JsonValue* refresh = schema_at(order, "spec.strategy.refreshPolicy");
  REQUIRE(refresh != nullptr);
  CHECK(str(*refresh, "default") == spec.strategy.effective_refresh_policy());
  // korder-api validates an absent strategy type as OneTime, and an absent cleanup policy is
  // Delete to the ticket controller; the CRD writes those defaults down.
  CHECK(str(*schema_at(order, "spec.strategy.type"), "default") == api::StrategyType::OneTime);
  CHECK(str(*schema_at(order, "spec.template.spec.lifecycle.cleanupPolicy"), "default") ==
        api::CleanupPolicy::Delete);
  // The template's lifecycle defaults are the Ticket CRD's, so a ticket made from a template
  // and one created directly get the same.
  const Manifests tickets(read_source("deploy/crds/core.korder.dev_tickets.yaml"));
  const auto& ticket = schema_of(tickets);
  for (const char* field : {"ttlSecondsAfterFinished", "cleanupPolicy"}) {
    INFO(field);
    const std::string order_path = std::string("spec.template.spec.lifecycle.") + field;
    const std::string ticket_path = std::string("spec.lifecycle.") + field;
    REQUIRE(schema_at(order, order_path) != nullptr);
    REQUIRE(schema_at(ticket, ticket_path) != nullptr);
    CHECK((*schema_at(order, order_path))["default"] ==
          (*schema_at(ticket, ticket_path))["default"]);
  }
}

TEST_CASE("exactly the CRD fields that hold RFC 3339 times are format date-time", "[unit]") {
  for (const auto& crd : crds()) {
    INFO(crd.file);
    const Manifests manifests(read_source(crd.file));
    const auto& schema = schema_of(manifests);
    std::set<std::string> date_time;
    walk(schema, "", [&](const std::string& path, const api::JsonValue& node) {
      if (str(node, "format") == "date-time") {
        date_time.insert(path);
      }
    });
    // The full fixture sets every field; the times in it are the ones korder-api reads as
    // TimePoint (it rejects anything else there).
    api::JsonDocument fixture;
    REQUIRE(api::parse_json(read_source(crd.fixture), fixture).has_value());
    std::vector<std::pair<std::string, std::string>> values;
    string_values(fixture, "", values);
    std::set<std::string> times;
    for (const auto& [path, value] : values) {
      if (path.rfind("metadata", 0) != 0 && value.size() >= 20 &&
          api::parse_rfc3339(value).has_value()) {
        times.insert(path);
      }
    }
    CHECK(times == date_time);
  }
}

}  // namespace
}  // namespace korder::testing
