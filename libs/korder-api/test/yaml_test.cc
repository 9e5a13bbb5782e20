#include "korder/api/yaml.h"

#include <catch2/catch.hpp>

namespace korder::api {
namespace {

TEST_CASE("yaml scalars become json types the way kubectl reads them", "[unit][yaml]") {
  struct Case {
    const char* yaml;
    const char* json;
  };
  const Case cases[] = {
      {"a: 1", R"({"a":1})"},
      {"a: -12", R"({"a":-12})"},
      {"a: \"10\"", R"({"a":"10"})"},
      {"a: '10'", R"({"a":"10"})"},
      {"a: true", R"({"a":true})"},
      {"a: \"true\"", R"({"a":"true"})"},
      {"a: False", R"({"a":false})"},
      {"a: 1.5", R"({"a":1.5})"},
      {"a: .5", R"({"a":0.5})"},
      {"a: 2e3", R"({"a":2e3})"},
      {"a: 500m", R"({"a":"500m"})"},
      {"a: 1Gi", R"({"a":"1Gi"})"},
      {"a: 24h", R"({"a":"24h"})"},
      {"a: 0 2 * * *", R"({"a":"0 2 * * *"})"},
      {"a: ~", R"({"a":null})"},
      {"a:", R"({"a":null})"},
      {"a: null", R"({"a":null})"},
      {"a: [1, b, \"c\"]", R"({"a":[1,"b","c"]})"},
      {"a: {b: {c: d}}", R"({"a":{"b":{"c":"d"}}})"},
      {"a: 99999999999999999999", R"({"a":99999999999999999999})"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    auto json = yaml_to_json(c.yaml);
    REQUIRE(json.has_value());
    CHECK(*json == c.json);
  }
}

TEST_CASE("a yaml block sequence of maps converts in order", "[unit][yaml]") {
  auto json = yaml_to_json(
      "tolerations:\n"
      "  - operator: Exists\n"
      "    effect: NoSchedule\n"
      "  - key: a\n");
  REQUIRE(json.has_value());
  CHECK(*json == R"({"tolerations":[{"operator":"Exists","effect":"NoSchedule"},{"key":"a"}]})");
}

TEST_CASE("malformed yaml is an error that names the line", "[unit][yaml]") {
  auto json = yaml_to_json("a: [1, 2\nb: 3\n");
  REQUIRE_FALSE(json.has_value());
  CHECK_THAT(json.error().message, Catch::Matchers::StartsWith("yaml: line "));
}

TEST_CASE("several yaml documents convert one by one and empty ones are skipped",
          "[unit][yaml]") {
  auto docs = yaml_documents_to_json("a: 1\n---\n---\nb: 2\n");
  REQUIRE(docs.has_value());
  REQUIRE(docs->size() == 2);
  CHECK((*docs)[0] == R"({"a":1})");
  CHECK((*docs)[1] == R"({"b":2})");
  auto one = yaml_to_json("a: 1\n---\nb: 2\n");
  REQUIRE_FALSE(one.has_value());
  CHECK(one.error().message == "yaml: expected one document, found 2");
}

TEST_CASE("yaml anchors and aliases are resolved", "[unit][yaml]") {
  auto json = yaml_to_json("base: &b {cpu: 1}\ncopy: *b\n");
  REQUIRE(json.has_value());
  CHECK(*json == R"({"base":{"cpu":1},"copy":{"cpu":1}})");
}

TEST_CASE("deeply nested yaml is an error, not a crash", "[unit][yaml]") {
  std::string deep(5000, '[');
  deep += std::string(5000, ']');
  auto json = yaml_to_json(deep);
  CHECK_FALSE(json.has_value());
}

TEST_CASE("an empty yaml document is null", "[unit][yaml]") {
  auto json = yaml_to_json("");
  REQUIRE(json.has_value());
  CHECK(*json == "null");
}

}  // namespace
}  // namespace korder::api
