// JSON merge patch (RFC 7386 appendix A), JSON patch (RFC 6902) and strategic merge patch.
#include "patch.h"

#include <catch2/catch.hpp>

#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

std::string merged(const std::string& target, const std::string& patch) {
  JsonDocument t = parse(target);
  JsonDocument p = parse(patch);
  if (target == "null") {
    t.SetNull();
  }
  apply_merge_patch(t, p, t.GetAllocator());
  return api::write_json(t);
}

Expected<std::string, std::string> json_patched(const std::string& target,
                                                const std::string& patch) {
  JsonDocument t = parse(target);
  JsonDocument p;
  REQUIRE(api::parse_json(patch, p));
  auto applied = apply_json_patch(t, p);
  if (!applied) {
    return Unexpected(applied.error());
  }
  return api::write_json(t);
}

Expected<std::string, std::string> strategic(const std::string& target, const std::string& patch) {
  JsonDocument t = parse(target);
  JsonDocument p = parse(patch);
  auto applied = apply_strategic_merge_patch(t, p, t.GetAllocator());
  if (!applied) {
    return Unexpected(applied.error());
  }
  return api::write_json(t);
}

}  // namespace

TEST_CASE("merge patches follow the examples of RFC 7386", "[unit]") {
  struct Case {
    const char* target;
    const char* patch;
    const char* result;
  };
  // RFC 7386 appendix A (those whose target is an object).
  const Case cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const auto& c : cases) {
    INFO(c.target << " + " << c.patch);
    CHECK(merged(c.target, c.patch) == c.result);
  }
}

TEST_CASE("JSON patches apply every operation of RFC 6902", "[unit]") {
  CHECK(*json_patched(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])") ==
        R"({"foo":"bar","baz":"qux"})");
  CHECK(*json_patched(R"({"foo":["bar","baz"]})",
                      R"([{"op":"add","path":"/foo/1","value":"qux"}])") ==
        R"({"foo":["bar","qux","baz"]})");
  CHECK(*json_patched(R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/-","value":"x"}])") ==
        R"({"foo":["bar","x"]})");
  CHECK(*json_patched(R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])") ==
        R"({"foo":"bar"})");
  CHECK(*json_patched(R"({"baz":"qux"})", R"([{"op":"replace","path":"/baz","value":"boo"}])") ==
        R"({"baz":"boo"})");
  CHECK(*json_patched(R"({"foo":{"bar":"baz"}})",
                      R"([{"op":"move","from":"/foo/bar","path":"/qux"}])") ==
        R"({"foo":{},"qux":"baz"})");
  CHECK(*json_patched(R"({"a":[1]})", R"([{"op":"copy","from":"/a","path":"/b"}])") ==
        R"({"a":[1],"b":[1]})");
  CHECK(*json_patched(
            R"({"a/b":1,"m~n":2})",
            R"([{"op":"replace","path":"/a~1b","value":3},{"op":"remove","path":"/m~0n"}])") ==
        R"({"a/b":3})");
  SECTION("a failing test leaves the document unchanged") {
    auto r = json_patched(
        R"({"a":"x"})",
        R"([{"op":"replace","path":"/a","value":"y"},{"op":"test","path":"/a","value":"x"}])");
    REQUIRE(!r);
    CHECK(r.error() == "testing value /a failed: test failed");
  }
  SECTION("a passing test lets the patch apply") {
    CHECK(
        *json_patched(
            R"({"metadata":{"finalizers":["a","b"]}})",
            R"([{"op":"test","path":"/metadata/finalizers/0","value":"a"},{"op":"remove","path":"/metadata/finalizers/0"}])") ==
        R"({"metadata":{"finalizers":["b"]}})");
  }
  SECTION("paths that do not exist are errors") {
    CHECK(!json_patched(R"({})", R"([{"op":"remove","path":"/a"}])"));
    CHECK(!json_patched(R"({})", R"([{"op":"add","path":"/a/b","value":1}])"));
    CHECK(!json_patched(R"({"a":[1]})", R"([{"op":"add","path":"/a/5","value":1}])"));
    CHECK(!json_patched(R"({})", R"([{"op":"replace","path":"/a","value":1}])"));
    CHECK(!json_patched(R"({})", R"([{"op":"frobnicate","path":"/a"}])"));
  }
}

TEST_CASE("strategic merge patches merge containers and env by name", "[unit]") {
  const std::string pod =
      R"({"spec":{"containers":[{"name":"a","image":"x:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},{"name":"b","image":"y:1"}]}})";
  SECTION("an element is merged by its key, others are kept") {
    CHECK(
        *strategic(pod, R"({"spec":{"containers":[{"name":"b","image":"y:2"}]}})") ==
        R"({"spec":{"containers":[{"name":"a","image":"x:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},{"name":"b","image":"y:2"}]}})");
  }
  SECTION("kubectl's setElementOrder and nested env merges") {
    CHECK(
        *strategic(
            pod,
            R"({"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"$setElementOrder/env":[{"name":"B"},{"name":"A"}],"env":[{"name":"A","value":"9"}],"name":"a"}]}})") ==
        R"({"spec":{"containers":[{"name":"b","image":"y:1"},{"name":"a","image":"x:1","env":[{"name":"B","value":"2"},{"name":"A","value":"9"}]}]}})");
  }
  SECTION("$patch: delete removes a list element") {
    CHECK(
        *strategic(pod, R"({"spec":{"containers":[{"name":"b","$patch":"delete"}]}})") ==
        R"({"spec":{"containers":[{"name":"a","image":"x:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}})");
  }
  SECTION("$patch: replace replaces a map") {
    CHECK(*strategic(R"({"m":{"a":1,"b":2}})", R"({"m":{"$patch":"replace","c":3}})") ==
          R"({"m":{"c":3}})");
  }
  SECTION("$retainKeys drops keys not listed") {
    CHECK(*strategic(R"({"s":{"type":"A","a":1,"b":2}})",
                     R"({"s":{"$retainKeys":["type","b"],"type":"B"}})") ==
          R"({"s":{"type":"B","b":2}})");
  }
  SECTION("finalizers merge as a set and $deleteFromPrimitiveList removes") {
    CHECK(*strategic(R"({"metadata":{"finalizers":["a"]}})",
                     R"({"metadata":{"finalizers":["b","a"]}})") ==
          R"({"metadata":{"finalizers":["a","b"]}})");
    CHECK(*strategic(R"({"metadata":{"finalizers":["a","b"]}})",
                     R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})") ==
          R"({"metadata":{"finalizers":["b"]}})");
  }
  SECTION("lists without a merge key are replaced; null deletes") {
    CHECK(*strategic(R"({"spec":{"tolerations":[{"key":"a"}],"x":1}})",
                     R"({"spec":{"tolerations":[{"key":"b"}],"x":null}})") ==
          R"({"spec":{"tolerations":[{"key":"b"}]}})");
  }
  SECTION("container ports merge by containerPort") {
    CHECK(
        *strategic(
            R"({"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"}]}]}})",
            R"({"spec":{"containers":[{"name":"a","ports":[{"containerPort":443}]}]}})") ==
        R"({"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"},{"containerPort":443}]}]}})");
  }
  SECTION("an element without its merge key is an error") {
    CHECK(!strategic(pod, R"({"spec":{"containers":[{"image":"z"}]}})"));
  }
}

}  // namespace korder::devcluster::testing
