#include "korder/api/json.h"

#include <catch2/catch.hpp>
#include <limits>
#include <string>

#include "json_test_support.h"
#include "korder/api/base64.h"
#include "korder/api/order.h"
#include "korder/api/scheduling.h"

namespace korder::api {
namespace {

using testing::same_json;

std::string nested_arrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST_CASE("malformed JSON is a parse error that names the byte offset", "[unit][json]") {
  struct Case {
    std::string text;
    std::string message;
    std::string where;
  };
  const Case cases[] = {
      {R"({"a":)", "invalid JSON: Invalid value.", "offset 5"},
      {R"({"a":1,})", "invalid JSON: Missing a name for object member.", "offset 7"},
      {R"([1,2)", "invalid JSON: Missing a comma or ']' after an array element.", "offset 4"},
      {R"({"a":1} x)", "invalid JSON: The document root must not be followed by other values.",
       "offset 8"},
      {"", "invalid JSON: The document is empty.", "offset 0"},
      {R"({"a":"unterminated)", "invalid JSON: Missing a closing quotation mark in string.",
       "offset 18"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto order = parse_order(c.text);
    REQUIRE_FALSE(order.has_value());
    CHECK(order.error().message == c.message);
    CHECK(order.error().where == c.where);
  }
}

TEST_CASE("invalid UTF-8 and NUL bytes are rejected", "[unit][json]") {
  auto bad_utf8 = parse_order("{\"metadata\":{\"name\":\"a\xff\"}}");
  REQUIRE_FALSE(bad_utf8.has_value());
  CHECK(bad_utf8.error().message == "invalid JSON: Invalid encoding in string.");

  auto overlong = parse_order("{\"metadata\":{\"name\":\"\xc0\xaf\"}}");  // overlong '/'
  CHECK_FALSE(overlong.has_value());

  const std::string with_nul("{\"a\":1}\0{}", 10);
  auto nul = parse_order(with_nul);
  REQUIRE_FALSE(nul.has_value());
  CHECK(nul.error().to_string() == "offset 7: invalid JSON: NUL byte");
}

TEST_CASE("10,000-deep nesting is an error, not a stack overflow", "[unit][json]") {
  auto arrays = parse_order(nested_arrays(10000));
  REQUIRE_FALSE(arrays.has_value());
  CHECK(arrays.error().message == "invalid JSON: nested deeper than 1000 levels");

  std::string objects;
  for (int i = 0; i < 10000; ++i) {
    objects += R"({"a":)";
  }
  objects += "1" + std::string(10000, '}');
  auto nested = parse_order(objects);
  REQUIRE_FALSE(nested.has_value());
  CHECK(nested.error().message == "invalid JSON: nested deeper than 1000 levels");

  JsonDocument doc;
  CHECK(parse_json(nested_arrays(kMaxJsonDepth), doc).has_value());
  CHECK_FALSE(parse_json(nested_arrays(kMaxJsonDepth + 1), doc).has_value());
}

TEST_CASE("a deeply nested unknown member is kept and written back", "[unit][json]") {
  const std::string deep = nested_arrays(900);
  const std::string json = R"({"metadata":{"name":"o"},"spec":{"deep":)" + deep + "}}";
  auto order = parse_order(json);
  REQUIRE(order.has_value());
  CHECK(same_json(to_json(*order), json));
}

TEST_CASE("a top-level value that is not an object is an error", "[unit][json]") {
  for (const std::string text : {"[]", "\"order\"", "3", "null", "true"}) {
    INFO(text);
    auto order = parse_order(text);
    REQUIRE_FALSE(order.has_value());
    CHECK(order.error().message.rfind("expected object, got ", 0) == 0);
    CHECK(order.error().where.empty());
  }
}

TEST_CASE("a wrongly typed field is an error with its path", "[unit][json]") {
  struct Case {
    std::string json;
    std::string error;
  };
  const Case cases[] = {
      {R"({"spec":{"replicas":"3"}})", "spec.replicas: expected integer, got string"},
      {R"({"spec":{"replicas":1.5}})", "spec.replicas: expected integer, got number 1.5"},
      {R"({"spec":{"replicas":3000000000}})", "spec.replicas: integer out of range: 3000000000"},
      {R"({"spec":{"replicas":-3000000000}})", "spec.replicas: integer out of range: -3000000000"},
      {R"({"spec":{"paused":"yes"}})", "spec.paused: expected boolean, got string"},
      {R"({"spec":{"strategy":[]}})", "spec.strategy: expected object, got array"},
      {R"({"spec":{"template":{"spec":{"duration":5}}}})",
       "spec.template.spec.duration: expected string, got number"},
      {R"({"spec":{"template":{"spec":{"tolerations":[{"key":"a"},{"key":1}]}}}})",
       "spec.template.spec.tolerations[1].key: expected string, got number"},
      {R"({"spec":{"template":{"spec":{"resources":{"requests":{"cpu":true}}}}}})",
       "spec.template.spec.resources.requests[cpu]: expected string or number, got boolean"},
      {R"({"spec":{"template":{"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"a","operator":"In","values":"x"}]}]}}}}}}})",
       "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
       "nodeSelectorTerms[0].matchExpressions[0].values: expected array, got string"},
      {R"({"metadata":{"labels":{"app":1}}})", "metadata.labels[app]: expected string, got number"},
      {R"({"metadata":{"ownerReferences":{}}})",
       "metadata.ownerReferences: expected array, got object"},
      {R"({"status":{"conditions":[{"type":"Ready","lastTransitionTime":3}]}})",
       "status.conditions[0].lastTransitionTime: expected string, got number"},
      {R"({"status":{"slots":[{"slot":"r0","incarnation":"1"}]}})",
       "status.slots[0].incarnation: expected integer, got string"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto order = parse_order(c.json);
    REQUIRE_FALSE(order.has_value());
    CHECK(order.error().to_string() == c.error);
  }
}

TEST_CASE("a bad quantity or timestamp is an error at its field", "[unit][json]") {
  auto quantity =
      parse_order(R"({"spec":{"template":{"spec":{"resources":{"requests":{"cpu":"12x"}}}}}})");
  REQUIRE_FALSE(quantity.has_value());
  CHECK(quantity.error().where == "spec.template.spec.resources.requests[cpu]");
  CHECK(quantity.error().message.find("\"12x\"") != std::string::npos);

  auto time = parse_order(R"({"metadata":{"creationTimestamp":"yesterday"}})");
  REQUIRE_FALSE(time.has_value());
  CHECK(time.error().where == "metadata.creationTimestamp");
  CHECK(time.error().message.find("yesterday") != std::string::npos);
}

TEST_CASE("an integral number written with a fraction is accepted as an integer", "[unit][json]") {
  auto order = parse_order(R"({"spec":{"replicas":3.0}})");
  REQUIRE(order.has_value());
  CHECK(order->spec.replicas == 3);
}

TEST_CASE("null members count as absent", "[unit][json]") {
  auto order = parse_order(
      R"({"metadata":{"name":"o","creationTimestamp":null},"spec":{"replicas":null,"template":{"spec":{"nodeName":null}}}})");
  REQUIRE(order.has_value());
  CHECK_FALSE(order->metadata.creation_timestamp.has_value());
  CHECK_FALSE(order->spec.replicas.has_value());
  CHECK(same_json(to_json(*order), R"({"metadata":{"name":"o"}})"));
}

TEST_CASE("quantities are read from strings and numbers and written canonically", "[unit][json]") {
  auto spec = decode<TicketSpec>(
      R"({"resources":{"requests":{"cpu":2,"memory":"1Gi","ephemeral-storage":" 100Mi ",)"
      R"("example.com/fpga":0.5},"limits":{"cpu":"1000m","memory":"1024Mi"}}})");
  REQUIRE(spec.has_value());
  const auto& requests = spec->resources.requests;
  CHECK(requests.at("cpu") == Quantity::from_int(2));
  CHECK(requests.at("memory") == Quantity::from_int(1024 * 1024 * 1024));
  CHECK(requests.at("example.com/fpga") == Quantity::from_milli(500));
  CHECK(same_json(encode(*spec), R"({"resources":{"requests":{"cpu":"2","memory":"1Gi",)"
                                 R"("ephemeral-storage":"100Mi","example.com/fpga":"500m"},)"
                                 R"("limits":{"cpu":"1","memory":"1Gi"}}})"));
}

TEST_CASE("duplicate member names keep one value and write it once", "[unit][json]") {
  auto order = parse_order(R"({"spec":{"replicas":1,"replicas":2,"x":1,"x":2}})");
  REQUIRE(order.has_value());
  CHECK(order->spec.replicas == 1);
  CHECK(to_json(*order) == R"({"metadata":{},"spec":{"replicas":1,"x":1}})");
}

TEST_CASE("extras hold the unmodelled members of an object", "[unit][json]") {
  auto extras = Extras::parse(R"({"volumes": [{"name":"v"}], "hostNetwork": true})");
  REQUIRE(extras.has_value());
  CHECK(extras->json() == R"({"volumes":[{"name":"v"}],"hostNetwork":true})");
  CHECK(extras->keys() == std::vector<std::string>{"volumes", "hostNetwork"});
  CHECK(*extras == *Extras::parse(R"({"volumes":[{"name":"v"}],"hostNetwork":true})"));
  CHECK_FALSE(*extras == Extras());

  auto empty = Extras::parse("{}");
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
  CHECK(empty->json() == "{}");

  auto not_object = Extras::parse("[1]");
  REQUIRE_FALSE(not_object.has_value());
  CHECK(not_object.error().message == "expected object, got array");
}

TEST_CASE("extras set by code are written after the modelled members", "[unit][json]") {
  Toleration toleration;
  toleration.key = "gpu";
  toleration.op = "Exists";
  toleration.extras = *Extras::parse(R"({"futureField":{"a":[1,2.5,"x",null]},"key":"dup"})");
  // A member that duplicates a modelled one is not written twice.
  CHECK(encode(toleration) ==
        R"({"key":"gpu","operator":"Exists","futureField":{"a":[1,2.5,"x",null]}})");
}

TEST_CASE("raw JSON keeps any value verbatim and null as absent", "[unit][json]") {
  auto raw = RawJson::parse(R"( {"b": [1, 2], "a": "x"} )");
  REQUIRE(raw.has_value());
  CHECK(raw->has_value());
  CHECK(raw->json() == R"({"b":[1,2],"a":"x"})");

  auto null = RawJson::parse("null");
  REQUIRE(null.has_value());
  CHECK_FALSE(null->has_value());
  CHECK(null->json().empty());

  CHECK_FALSE(RawJson::parse("{").has_value());
}

TEST_CASE("a value-level decode reports paths relative to the value", "[unit][json]") {
  JsonDocument doc;
  REQUIRE(parse_json(R"({"key":"a","tolerationSeconds":"10"})", doc).has_value());
  auto toleration = decode_value<Toleration>(doc);
  REQUIRE_FALSE(toleration.has_value());
  CHECK(toleration.error().to_string() == "tolerationSeconds: expected integer, got string");

  // And values built with to_json_value embed in another document.
  JsonDocument out(rapidjson::kObjectType);
  Toleration t;
  t.key = "k";
  t.toleration_seconds = 30;
  out.AddMember("toleration", to_json_value(t, out.GetAllocator()), out.GetAllocator());
  CHECK(write_json(out) == R"({"toleration":{"key":"k","tolerationSeconds":30}})");
}

TEST_CASE("a non-finite number in a document built by code is an error, not a crash",
          "[unit][json]") {
  JsonDocument doc(rapidjson::kObjectType);
  doc.AddMember("key", "k", doc.GetAllocator());
  doc.AddMember("futureField", std::numeric_limits<double>::quiet_NaN(), doc.GetAllocator());
  auto toleration = decode_value<Toleration>(doc);
  REQUIRE_FALSE(toleration.has_value());
  CHECK(toleration.error().to_string() == "futureField: NaN or infinite number");

  JsonValue infinity(std::numeric_limits<double>::infinity());
  RawJson raw;
  CHECK_FALSE(from_json_value(infinity, raw).has_value());
}

TEST_CASE("base64 follows the RFC 4648 test vectors", "[unit][json]") {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    INFO(plain);
    CHECK(base64_encode(plain) == encoded);
    auto decoded = base64_decode(encoded);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == plain);
  }
}

TEST_CASE("base64 encodes a JSON patch as the Kubernetes documentation shows", "[unit][json]") {
  const std::string patch = R"([{"op": "add", "path": "/spec/replicas", "value": 3}])";
  const std::string encoded =
      "W3sib3AiOiAiYWRkIiwgInBhdGgiOiAiL3NwZWMvcmVwbGljYXMiLCAidmFsdWUiOiAzfV0=";
  CHECK(base64_encode(patch) == encoded);
  CHECK(base64_decode(encoded).value() == patch);
}

TEST_CASE("base64 round-trips every byte value and ignores line breaks", "[unit][json]") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes += static_cast<char>(i);
  }
  CHECK(base64_decode(base64_encode(bytes)).value() == bytes);
  CHECK(base64_decode("Zm9v\r\nYmFy\n").value() == "foobar");
}

TEST_CASE("malformed base64 is an error naming the offending byte", "[unit][json]") {
  const std::pair<std::string, std::string> cases[] = {
      {"Zg=", "illegal base64 data at input byte 3"},
      {"Zg", "illegal base64 data at input byte 0"},
      {"Z===", "illegal base64 data at input byte 1"},
      {"Zm9v!", "illegal base64 data at input byte 4"},
      {"Zg==Zg==", "illegal base64 data at input byte 4"},
      {"Zm9v-_", "illegal base64 data at input byte 4"},
      {"dGhpcyBpcyBhI@HRlc3Qgc3RyaW5nLg==", "illegal base64 data at input byte 13"},  // Go's
  };
  for (const auto& [text, message] : cases) {
    INFO(text);
    auto decoded = base64_decode(text);
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error().message == message);
  }
}

}  // namespace
}  // namespace korder::api
