#include "cel.h"

#include <catch2/catch.hpp>

#include "test_support.h"

namespace korder::devcluster {
namespace {

using testing::parse;

const char* const kPod = R"({
  "metadata": {"name": "p1", "namespace": "team-a",
               "labels": {"app": "web"},
               "annotations": {"korder.dev/required": "true", "n": "1"}},
  "spec": {"containers": [{"name": "c", "image": "nginx"}], "priority": 5}
})";

const char* const kRequest = R"({"operation": "CREATE", "namespace": "team-a",
  "resource": {"group": "", "version": "v1", "resource": "pods"}})";

Expected<bool, std::string> eval(const std::string& text, const JsonValue* object,
                                 const JsonValue* old_object = nullptr) {
  auto compiled = CelExpression::compile(text);
  if (!compiled) {
    return Unexpected("compile: " + compiled.error());
  }
  static const JsonDocument request = parse(kRequest);
  CelVariables vars{{"object", object}, {"oldObject", old_object}, {"request", &request}};
  return compiled->evaluate_bool(vars);
}

bool truth(const std::string& text) {
  static const JsonDocument pod = parse(kPod);
  auto result = eval(text, &pod);
  INFO(text << " -> " << (result ? "" : result.error()));
  REQUIRE(result.has_value());
  return *result;
}

std::string eval_error(const std::string& text) {
  static const JsonDocument pod = parse(kPod);
  auto result = eval(text, &pod);
  REQUIRE_FALSE(result.has_value());
  return result.error();
}

std::string compile_error(const std::string& text) {
  auto compiled = CelExpression::compile(text);
  INFO(text);
  REQUIRE_FALSE(compiled.has_value());
  return compiled.error();
}

TEST_CASE("CEL map indexing, has() and in read annotations and labels", "[unit]") {
  CHECK(truth("object.metadata.annotations['korder.dev/required'] == 'true'"));
  CHECK(truth("object.metadata.annotations[\"korder.dev/required\"] == \"true\""));
  CHECK_FALSE(truth("object.metadata.annotations['korder.dev/required'] != 'true'"));
  CHECK(truth("has(object.metadata.annotations)"));
  CHECK_FALSE(truth("has(object.metadata.deletionTimestamp)"));
  CHECK(truth("!has(object.metadata.deletionTimestamp)"));
  CHECK(truth("'korder.dev/required' in object.metadata.annotations"));
  CHECK_FALSE(truth("'missing' in object.metadata.annotations"));
  CHECK(truth("object.metadata.labels.app in ['web', 'api']"));
  CHECK_FALSE(truth("object.metadata.labels.app in ['db']"));
  CHECK(truth("object.spec.containers[0].image == 'nginx'"));
}

TEST_CASE("CEL boolean operators, precedence and literals", "[unit]") {
  CHECK(truth("request.operation == 'CREATE' && request.namespace == 'team-a'"));
  CHECK(truth("request.operation == 'UPDATE' || object.spec.priority == 5"));
  CHECK(truth("!(request.operation == 'DELETE')"));
  CHECK(truth("true && (false || true)"));
  CHECK_FALSE(truth("false || false && true"));
  CHECK(truth("object.spec.priority > 3 && object.spec.priority <= 5"));
  CHECK(truth("object.spec.priority == 5.0"));        // int and double compare by value
  CHECK_FALSE(truth("object.spec.priority == '5'"));  // different types are never equal
  CHECK(truth("request.resource.group == ''"));
  CHECK(truth("has(request.resource.group)"));
  CHECK(truth("request.__namespace__ == request.namespace"));
  CHECK(truth("oldObject == null"));
  CHECK(truth("-1 < 0"));
}

TEST_CASE("CEL errors: missing keys, wrong types, and && / || absorbing them", "[unit]") {
  CHECK(eval_error("object.metadata.annotations['absent'] == 'x'") == "no such key: absent");
  CHECK(eval_error("object.status.phase == 'Running'") == "no such key: status");
  CHECK(eval_error("oldObject.metadata.name == 'x'").find("no such key: metadata") == 0);
  CHECK(eval_error("object.metadata.name").find("expected a bool") == 0);
  CHECK(eval_error("!object.metadata.name").find("no such overload") == 0);
  // A deciding side wins over an error on the other, as in CEL.
  CHECK_FALSE(truth("object.status.phase == 'x' && false"));
  CHECK(truth("true || object.status.phase == 'x'"));
  CHECK(eval_error("object.status.phase == 'x' && true") == "no such key: status");
}

TEST_CASE("CEL outside the subset is a compile error saying what is unsupported", "[unit]") {
  CHECK(compile_error("object.metadata.name.startsWith('a')").find("method call") !=
        std::string::npos);
  CHECK(compile_error("size(object.metadata.labels) > 0").find("function call 'size()'") !=
        std::string::npos);
  CHECK(compile_error("object.spec.priority + 1 == 2").find("operator '+'") != std::string::npos);
  CHECK(compile_error("true ? true : false").find("conditional") != std::string::npos);
  CHECK(compile_error("params.x == 1").find("undeclared reference to 'params'") !=
        std::string::npos);
  CHECK(compile_error("has(object.metadata.labels['a'])").find("has()") != std::string::npos);
  CHECK(compile_error("{'a': 1} == x").find("map literals") != std::string::npos);
  CHECK(compile_error("object.metadata.name == 'a").find("unterminated") != std::string::npos);
  CHECK(compile_error("'text'").find("must evaluate to a bool") != std::string::npos);
  CHECK(compile_error("object.x == 1u").find("unsigned") != std::string::npos);
  CHECK(compile_error("(object.x == 1").find("expected ')'") != std::string::npos);
  CHECK(compile_error("").find("end of expression") != std::string::npos);
  CHECK(compile_error(std::string(200, '(') + "true" + std::string(200, ')'))
            .find("nested too deeply") != std::string::npos);
}

}  // namespace
}  // namespace korder::devcluster
