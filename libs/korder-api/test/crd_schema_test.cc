// Keeps deploy/crds and libs/korder-api from drifting apart.
//
// For each kind, test/testdata/<kind>-full.json sets every field korder defines (it is a field
// inventory, not a valid object). Three checks tie the CRD, the fixture and the C++ model:
//  1. every field of the fixture is declared by the CRD schema with a compatible type and an
//     allowed enum value, and every field the CRD declares appears in the fixture;
//  2. (object_model_drift_test.cc) the C++ model decodes the fixture with no unknown fields and
//     encodes it back unchanged, so the model knows exactly the fixture's fields;
// hence the CRD and the model declare the same fields. The README examples in examples/ must
// also conform to the CRDs as written.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "korder/api/json.h"
#include "korder/api/yaml.h"

namespace korder::api {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string source_path(const std::string& relative) {
  return std::string(KORDER_SOURCE_DIR) + "/" + relative;
}

// Loads a YAML or JSON file into `doc`.
void load(const std::string& relative, JsonDocument& doc) {
  const std::string text = read_file(source_path(relative));
  auto json = yaml_to_json(text);
  REQUIRE(json.has_value());
  auto parsed = parse_json(*json, doc);
  REQUIRE(parsed.has_value());
}

const JsonValue& crd_schema(const JsonDocument& crd) {
  REQUIRE(crd.HasMember("spec"));
  const auto& versions = crd["spec"]["versions"];
  REQUIRE(versions.IsArray());
  REQUIRE(versions.Size() == 1);
  return versions[0]["schema"]["openAPIV3Schema"];
}

bool flag(const JsonValue& schema, const char* name) {
  return schema.HasMember(name) && schema[name].IsBool() && schema[name].GetBool();
}

// Walks a JSON value against an OpenAPI v3 structural schema. Records every problem in
// `problems` and every schema property path the value visited in `visited`.
class Walker {
 public:
  std::vector<std::string> problems;
  std::set<std::string> visited;

  void walk(const JsonValue& value, const JsonValue& schema, const std::string& path) {
    visited.insert(path);
    if (value.IsNull()) {
      problems.push_back(path + ": null value");
      return;
    }
    check_type(value, schema, path);
    if (schema.HasMember("enum")) {
      bool found = false;
      for (const auto& e : schema["enum"].GetArray()) {
        found = found || e == value;
      }
      if (!found) {
        problems.push_back(path + ": value " + write_json(value) + " not in the CRD's enum");
      }
    }
    if (value.IsObject()) {
      walk_object(value, schema, path);
    } else if (value.IsArray() && schema.HasMember("items")) {
      for (const auto& item : value.GetArray()) {
        walk(item, schema["items"], path + "[]");
      }
    }
  }

 private:
  void check_type(const JsonValue& value, const JsonValue& schema, const std::string& path) {
    if (flag(schema, "x-kubernetes-int-or-string")) {
      if (!value.IsInt64() && !value.IsString()) {
        problems.push_back(path + ": int-or-string field holds " + write_json(value));
      }
      return;
    }
    if (!schema.HasMember("type")) {
      if (!flag(schema, "x-kubernetes-preserve-unknown-fields")) {
        problems.push_back(path + ": schema has no type");
      }
      return;
    }
    const std::string type = schema["type"].GetString();
    const bool ok = (type == "object" && value.IsObject()) ||
                    (type == "array" && value.IsArray()) ||
                    (type == "string" && value.IsString()) ||
                    (type == "integer" && value.IsInt64()) ||
                    (type == "number" && value.IsNumber()) ||
                    (type == "boolean" && value.IsBool());
    if (!ok) {
      problems.push_back(path + ": CRD type " + type + " but value " + write_json(value));
    }
  }

  void walk_object(const JsonValue& value, const JsonValue& schema, const std::string& path) {
    for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
      const std::string key = it->name.GetString();
      const std::string child = path.empty() ? key : path + "." + key;
      if (schema.HasMember("properties") && schema["properties"].HasMember(key.c_str())) {
        walk(it->value, schema["properties"][key.c_str()], child);
      } else if (schema.HasMember("additionalProperties") &&
                 schema["additionalProperties"].IsObject()) {
        walk(it->value, schema["additionalProperties"], path + "[*]");
      } else if (!flag(schema, "x-kubernetes-preserve-unknown-fields") &&
                 !(path == "metadata")) {
        problems.push_back(child + ": not declared in the CRD schema (it would be pruned)");
      }
    }
  }
};

// Every property path the schema declares (maps' values appear as `path[*]`, list items as
// `path[]`), below `path`.
void declared_paths(const JsonValue& schema, const std::string& path, std::set<std::string>& out) {
  if (schema.HasMember("properties")) {
    for (auto it = schema["properties"].MemberBegin(); it != schema["properties"].MemberEnd();
         ++it) {
      const std::string key = it->name.GetString();
      const std::string child = path.empty() ? key : path + "." + key;
      out.insert(child);
      declared_paths(it->value, child, out);
    }
  }
  if (schema.HasMember("additionalProperties") && schema["additionalProperties"].IsObject()) {
    out.insert(path + "[*]");
    declared_paths(schema["additionalProperties"], path + "[*]", out);
  }
  if (schema.HasMember("items")) {
    declared_paths(schema["items"], path + "[]", out);
  }
}

struct Kind {
  const char* crd;
  const char* fixture;
};

const Kind kKinds[] = {
    {"deploy/crds/core.korder.dev_orders.yaml", "libs/korder-api/test/testdata/order-full.json"},
    {"deploy/crds/core.korder.dev_tickets.yaml",
     "libs/korder-api/test/testdata/ticket-full.json"},
    {"deploy/crds/core.korder.dev_quotas.yaml", "libs/korder-api/test/testdata/quota-full.json"},
};

TEST_CASE("every field of the full fixtures is declared by the CRDs with its type and enum",
          "[unit][crd]") {
  for (const auto& kind : kKinds) {
    INFO(kind.crd);
    JsonDocument crd;
    load(kind.crd, crd);
    JsonDocument fixture;
    load(kind.fixture, fixture);
    Walker walker;
    walker.walk(fixture, crd_schema(crd), "");
    CHECK(walker.problems == std::vector<std::string>{});
  }
}

TEST_CASE("every field the CRDs declare appears in the full fixtures", "[unit][crd]") {
  for (const auto& kind : kKinds) {
    INFO(kind.crd);
    JsonDocument crd;
    load(kind.crd, crd);
    JsonDocument fixture;
    load(kind.fixture, fixture);
    Walker walker;
    walker.walk(fixture, crd_schema(crd), "");
    std::set<std::string> declared;
    declared_paths(crd_schema(crd), "", declared);
    std::vector<std::string> missing;
    for (const auto& path : declared) {
      if (!walker.visited.count(path)) {
        missing.push_back(path);
      }
    }
    CHECK(missing == std::vector<std::string>{});
  }
}

TEST_CASE("the README examples conform to the CRDs as written", "[unit][crd]") {
  const std::pair<const char*, const char*> examples[] = {
      {"examples/order.yaml", "deploy/crds/core.korder.dev_orders.yaml"},
      {"examples/scheduled-order.yaml", "deploy/crds/core.korder.dev_orders.yaml"},
      {"examples/daemonset-order.yaml", "deploy/crds/core.korder.dev_orders.yaml"},
      {"examples/quota.yaml", "deploy/crds/core.korder.dev_quotas.yaml"},
  };
  for (const auto& [example, crd_path] : examples) {
    INFO(example);
    JsonDocument crd;
    load(crd_path, crd);
    JsonDocument object;
    load(example, object);
    Walker walker;
    walker.walk(object, crd_schema(crd), "");
    CHECK(walker.problems == std::vector<std::string>{});
  }
}

TEST_CASE("the CRDs carry the names, scope, status subresource and printer columns of the design",
          "[unit][crd]") {
  struct Expect {
    const char* crd;
    const char* plural;
    const char* kind;
    const char* short_name;
    const char* scope;
    std::vector<std::string> columns;
  };
  const Expect expects[] = {
      {"deploy/crds/core.korder.dev_orders.yaml", "orders", "Order", "ord", "Namespaced",
       {"Strategy", "Desired", "Ready", "Claimed", "Next", "Age"}},
      {"deploy/crds/core.korder.dev_tickets.yaml", "tickets", "Ticket", "tkt", "Namespaced",
       {"Phase", "Node", "Claimed-By", "Expiration", "Age"}},
      {"deploy/crds/core.korder.dev_quotas.yaml", "quotas", "Quota", "kq", "Cluster",
       {"Scope", "Orders", "Tickets", "Window", "Age"}},
  };
  for (const auto& e : expects) {
    INFO(e.crd);
    JsonDocument crd;
    load(e.crd, crd);
    const auto& spec = crd["spec"];
    CHECK(std::string(crd["metadata"]["name"].GetString()) ==
          std::string(e.plural) + ".core.korder.dev");
    CHECK(std::string(spec["group"].GetString()) == "core.korder.dev");
    CHECK(std::string(spec["names"]["plural"].GetString()) == e.plural);
    CHECK(std::string(spec["names"]["kind"].GetString()) == e.kind);
    CHECK(std::string(spec["names"]["shortNames"][0].GetString()) == e.short_name);
    CHECK(std::string(spec["scope"].GetString()) == e.scope);
    bool korder_category = false;
    for (const auto& c : spec["names"]["categories"].GetArray()) {
      korder_category = korder_category || std::string(c.GetString()) == "korder";
    }
    CHECK(korder_category);
    const auto& version = spec["versions"][0];
    CHECK(std::string(version["name"].GetString()) == "v1alpha1");
    CHECK(version["subresources"].HasMember("status"));
    std::vector<std::string> columns;
    for (const auto& c : version["additionalPrinterColumns"].GetArray()) {
      columns.emplace_back(c["name"].GetString());
    }
    CHECK(columns == e.columns);
    // DESIGN §5: no CEL rules in our CRDs; every rule lives in korder-api and the webhook.
    CHECK(write_json(crd).find("x-kubernetes-validations") == std::string::npos);
  }
}

}  // namespace
}  // namespace korder::api
