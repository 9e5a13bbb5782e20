// Structural schemas (pruning, defaults, validation), field selectors, Table helpers and the
// store's revision and history rules.
#include "schema.h"

#include <catch2/catch.hpp>

#include "field_selector.h"
#include "table.h"
#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

const char* kSchema = R"({"type":"object","properties":{
  "apiVersion":{"type":"string"},"kind":{"type":"string"},"metadata":{"type":"object"},
  "spec":{"type":"object","required":["size"],"properties":{
    "size":{"type":"integer","minimum":1,"maximum":10,"default":3},
    "mode":{"type":"string","enum":["A","B"],"default":"A"},
    "name":{"type":"string","maxLength":5,"pattern":"^[a-z]+$"},
    "when":{"type":"string","format":"date-time"},
    "limits":{"type":"object","additionalProperties":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]}},
    "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
    "nested":{"type":"object","default":{},"properties":{"flag":{"type":"boolean","default":true}}},
    "items":{"type":"array","maxItems":2,"items":{"type":"object","properties":{"k":{"type":"string"}}}}}},
  "status":{"type":"object","properties":{"phase":{"type":"string"}}}}})";

std::vector<std::string> fields_of(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) {
    out.push_back(e.to_string());
  }
  return out;
}

}  // namespace

TEST_CASE("pruning drops undeclared fields and keeps preserved and additional ones", "[unit]") {
  JsonDocument schema = parse(kSchema);
  JsonDocument object = parse(R"({"apiVersion":"x/v1","kind":"X","metadata":{"name":"n","extra":1},
    "spec":{"size":2,"bogus":true,"free":{"anything":{"deep":1}},"limits":{"cpu":"1","mem":2},
            "items":[{"k":"a","z":1}],"when":null},"status":{"phase":"P","other":1},"top":1})");
  const std::vector<std::string> pruned =
      prune_unknown_fields(object, schema, object.GetAllocator());
  CHECK(pruned == std::vector<std::string>{"spec.bogus", "spec.items[0].z", "status.other", "top"});
  CHECK(
      api::write_json(object) ==
      R"({"apiVersion":"x/v1","kind":"X","metadata":{"name":"n","extra":1},"spec":{"size":2,"free":{"anything":{"deep":1}},"limits":{"cpu":"1","mem":2},"items":[{"k":"a"}]},"status":{"phase":"P"}})");
}

TEST_CASE("defaults are applied top-down, including inside defaulted objects", "[unit]") {
  JsonDocument schema = parse(kSchema);
  JsonDocument object = parse(R"({"metadata":{"name":"n"},"spec":{"mode":"B"}})");
  apply_defaults(object, schema, object.GetAllocator());
  CHECK(api::write_json(*find_member(object, "spec")) ==
        R"({"mode":"B","size":3,"nested":{"flag":true}})");
  CHECK(find_path(object, {"metadata", "size"}) == nullptr);
}

TEST_CASE("schema validation reports types, enums, bounds, lengths, patterns and formats",
          "[unit]") {
  JsonDocument schema = parse(kSchema);
  JsonDocument object = parse(R"({"spec":{"size":11,"mode":"C","name":"toolong1","when":"yesterday",
    "limits":{"cpu":true},"items":[{},{},{}],"nested":{"flag":"yes"}}})");
  CHECK(
      fields_of(validate_against_schema(object, schema)) ==
      std::vector<std::string>{
          R"(spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10)",
          R"(spec.mode: Unsupported value: "C": supported values: "A", "B")",
          R"(spec.name: Too long: may not be more than 5 bytes)",
          R"(spec.name: Invalid value: "toolong1": spec.name in body should match '^[a-z]+$')",
          R"(spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday")",
          R"(spec.limits.cpu: Invalid value: "boolean": spec.limits.cpu in body must be of type integer,string: "boolean")",
          R"(spec.items: Too many: 3: must have at most 2 items)",
          R"(spec.nested.flag: Invalid value: "string": spec.nested.flag in body must be of type boolean: "string")"});
  JsonDocument missing = parse(R"({"spec":{}})");
  CHECK(fields_of(validate_against_schema(missing, schema)) ==
        std::vector<std::string>{"spec.size: Required value"});
}

TEST_CASE("a schema node without a type is not structural", "[unit]") {
  JsonDocument schema =
      parse(R"({"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}}}})");
  CHECK(fields_of(check_structural(schema, "spec.versions[0].schema.openAPIV3Schema")) ==
        std::vector<std::string>{"spec.versions[0].schema.openAPIV3Schema.properties[spec].type: "
                                 "Required value: must not be empty for specified object fields"});
}

TEST_CASE("field selectors parse Kubernetes' syntax and match nested fields", "[unit]") {
  JsonDocument pod = parse(
      R"({"metadata":{"name":"p","namespace":"ns"},"spec":{"nodeName":"n1","hostNetwork":true},"status":{"phase":"Running"}})");
  const std::vector<std::string> allowed = {"spec.nodeName", "status.phase", "spec.hostNetwork"};
  auto check = [&](const std::string& text) {
    auto selector = parse_field_selector(text, allowed);
    REQUIRE(selector);
    return matches(*selector, pod);
  };
  CHECK(check("spec.nodeName=n1"));
  CHECK(check("spec.nodeName==n1,status.phase=Running"));
  CHECK(!check("spec.nodeName!=n1"));
  CHECK(check("spec.hostNetwork=true"));
  CHECK(check("metadata.namespace=ns,metadata.name=p"));
  CHECK(!check("spec.nodeName="));  // an unscheduled pod has nodeName ""
  CHECK(check(""));
  auto unsupported = parse_field_selector("spec.other=x", allowed);
  REQUIRE(!unsupported);
  CHECK(unsupported.error() == "field label not supported: spec.other");
}

TEST_CASE("ages print as kubectl's HumanDuration", "[unit]") {
  using std::chrono::hours;
  using std::chrono::minutes;
  using std::chrono::seconds;
  const std::pair<std::chrono::nanoseconds, const char*> cases[] = {
      {seconds(-2), "<invalid>"},
      {seconds(-1), "0s"},
      {seconds(0), "0s"},
      {seconds(59), "59s"},
      {seconds(119), "119s"},
      {seconds(123), "2m3s"},
      {minutes(5), "5m"},
      {minutes(10), "10m"},
      {minutes(179), "179m"},
      {hours(3), "3h"},
      {hours(3) + minutes(5), "3h5m"},
      {hours(47), "47h"},
      {hours(48), "2d"},
      {hours(50), "2d2h"},
      {hours(24 * 8), "8d"},
      {hours(24 * 365 * 2), "2y"},
      {hours(24 * 365 * 3 + 24), "3y1d"},
      {hours(24 * 365 * 9), "9y"},
  };
  for (const auto& [d, text] : cases) {
    INFO(text);
    CHECK(human_duration(d) == text);
  }
}

TEST_CASE("simple JSONPaths select members, indices and filtered elements", "[unit]") {
  JsonDocument doc = parse(
      R"({"status":{"phase":"Ready","conditions":[{"type":"A","status":"False"},{"type":"Ready","status":"True"}]}})");
  CHECK(eval_jsonpath(doc, ".status.phase").front()->GetString() == std::string("Ready"));
  CHECK(eval_jsonpath(doc, ".status.conditions[1].type").front()->GetString() ==
        std::string("Ready"));
  CHECK(
      eval_jsonpath(doc, R"(.status.conditions[?(@.type=="Ready")].status)").front()->GetString() ==
      std::string("True"));
  CHECK(eval_jsonpath(doc, ".status.conditions[*].type").size() == 2);
  CHECK(eval_jsonpath(doc, ".spec.missing").empty());
}

TEST_CASE("the store stamps one global revision and keeps a bounded history", "[unit]") {
  Store store(2);
  const std::uint64_t start = store.current_rv();
  auto a = store.create("/configmaps", parse(R"({"metadata":{"name":"a","namespace":"d"}})"));
  REQUIRE(a);
  CHECK((*a)->rv == start + 1);
  CHECK(string_at((*a)->doc, {"metadata", "resourceVersion"}) == std::to_string(start + 1));
  CHECK(
      store.create("/configmaps", parse(R"({"metadata":{"name":"a","namespace":"d"}})")).error() ==
      CommitError::AlreadyExists);
  CHECK(store.update("/configmaps", parse(R"({"metadata":{"name":"a","namespace":"d"}})"), start)
            .error() == CommitError::Conflict);
  REQUIRE(store.update("/configmaps", parse(R"({"metadata":{"name":"a","namespace":"d"}})"),
                       start + 1));
  REQUIRE(store.remove("/configmaps", "d", "a", 0));
  // Three events with a history of two: the first is compacted.
  CHECK(store.compacted_rv() == start + 1);
  CHECK(!store.subscribe(SubscriptionSpec{"/configmaps", "", start, false, false, 10}));
  auto resumed = store.subscribe(SubscriptionSpec{"/configmaps", "", start + 1, false, false, 10});
  REQUIRE(resumed);
  CHECK(resumed->subscription->take().events.size() == 2);
}

TEST_CASE("a subscription that falls too far behind is closed", "[unit]") {
  Store store(100);
  auto subscribed =
      store.subscribe(SubscriptionSpec{"/configmaps", "", std::nullopt, false, false, 3});
  REQUIRE(subscribed);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(store.create("/configmaps", parse(R"({"metadata":{"name":"x)" + std::to_string(i) +
                                              R"(","namespace":"d"}})")));
  }
  auto batch = subscribed->subscription->take();
  CHECK(batch.closed);
  CHECK(batch.events.empty());
}

}  // namespace korder::devcluster::testing
