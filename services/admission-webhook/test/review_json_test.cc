// The hot-path parse of /mutate-pods (review_json.h, decode_pod_review): the same verdicts as
// api::parse_json and decode_review_request on well-formed, malformed and hostile input.

#include "review_json.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "korder/api/json.h"
#include "review.h"
#include "test_support.h"

namespace korder::webhook {
namespace {

using testing::review_json;

TEST_CASE("the UTF-8 check accepts well-formed text and finds the first ill-formed byte",
          "[unit]") {
  CHECK_FALSE(first_invalid_utf8("").has_value());
  CHECK_FALSE(first_invalid_utf8("plain ASCII, longer than eight bytes").has_value());
  CHECK_FALSE(
      first_invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf").has_value());
  struct Case {
    std::string text;
    std::size_t offset;
  };
  const std::vector<Case> cases = {
      {"abc\xff", 3},                      // never a UTF-8 byte
      {"abcdefgh\x80", 8},                 // a lone continuation byte
      {"\xc0\xaf", 0},                     // overlong '/'
      {"x\xe0\x80\xaf", 1},                // overlong three-byte form
      {"\xed\xa0\x80", 0},                 // a UTF-16 surrogate
      {"\xf4\x90\x80\x80", 0},             // above U+10FFFF
      {"\xf5\x80\x80\x80", 0},             // never a lead byte
      {"ok \xe2\x82", 3},                  // truncated at the end
      {"\xe2\x28\xa1 and more text", 0},   // a bad continuation
      {"\xf0\x9f\x98\x80\xf0\x9f\x98", 4}  // a good character, then a cut one
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto bad = first_invalid_utf8(c.text);
    REQUIRE(bad.has_value());
    CHECK(*bad == c.offset);
  }
}

// parse_review_json against api::parse_json: the same document, or the same error message.
void check_same_as_parse_json(const std::string& input) {
  api::JsonDocument expected;
  const auto reference = api::parse_json(input, expected);
  std::string body = input;
  api::JsonDocument doc;
  const auto parsed = parse_review_json(body, doc);
  REQUIRE(parsed.has_value() == reference.has_value());
  if (reference) {
    CHECK(doc == expected);
    CHECK(api::write_json(doc) == api::write_json(expected));
  } else {
    CHECK(parsed.error().message == reference.error().message);
    CHECK(parsed.error().where == reference.error().where);
  }
}

TEST_CASE("the in-place parse gives the document and the errors of parse_json", "[unit]") {
  std::string deep;
  for (int i = 0; i < 5000; ++i) {
    deep += "[";
  }
  const std::vector<std::string> inputs = {
      R"({"a":[1,2.5,"x\u00e9\n",true,null],"b":{"c":-3e2}})",
      "{\"name\":\"caf\xc3\xa9\"}",
      "{\"name\":\"a\xff\"}",
      "{\"name\":\"\xed\xa0\x80\"}",
      std::string("{\"a\":\"b\0c\"}", 12),
      "{\"a\":1}}",
      "{\"a\":",
      "",
      deep,
  };
  for (const std::string& input : inputs) {
    INFO(input.substr(0, 40));
    check_same_as_parse_json(input);
  }
}

// Whether `a` and `b` have the same types all the way down, numbers included (operator==
// compares numbers by value: Int(5) equals Uint64(5)). Recursive: test documents are shallow.
bool same_representation(const api::JsonValue& a, const api::JsonValue& b) {
  if (a.GetType() != b.GetType() || a.IsInt() != b.IsInt() || a.IsUint() != b.IsUint() ||
      a.IsInt64() != b.IsInt64() || a.IsUint64() != b.IsUint64() || a.IsDouble() != b.IsDouble()) {
    return false;
  }
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) {
      return false;
    }
    for (auto x = a.MemberBegin(), y = b.MemberBegin(); x != a.MemberEnd(); ++x, ++y) {
      if (!same_representation(x->value, y->value)) {
        return false;
      }
    }
  } else if (a.IsArray()) {
    if (a.Size() != b.Size()) {
      return false;
    }
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
      if (!same_representation(a[i], b[i])) {
        return false;
      }
    }
  }
  return true;
}

// The fast path alone: whether it took `input`, and then the document RapidJSON's path builds.
bool fast_path_agrees(const std::string& input) {
  std::string fast_body = input;
  api::JsonDocument fast;
  if (!parse_review_json_fast(fast_body, fast)) {
    CHECK(fast.IsNull());  // a path that gives up leaves the document alone
    return false;
  }
  std::string reference_body = input;
  api::JsonDocument reference;
  REQUIRE(parse_review_json_rapidjson(reference_body, reference).has_value());
  CHECK(fast == reference);
  CHECK(api::write_json(fast) == api::write_json(reference));
  CHECK(same_representation(fast, reference));
  return true;
}

std::string bench_pod_review() {
  std::ifstream in(KORDER_BENCH_POD_JSON);
  std::stringstream pod;
  pod << in.rdbuf();
  REQUIRE(!pod.str().empty());
  return review_json("CREATE", "Pod", pod.str(), "", true);
}

TEST_CASE("the fast path takes what reviews hold and builds RapidJSON's document", "[unit]") {
  const std::vector<std::string> taken = {
      bench_pod_review(),
      review_json("CREATE", "Pod", R"({"metadata":{"name":"p"}})", R"({"metadata":{"name":"o"}})"),
      // Go's encoder escapes <, > and & as \u003c, \u003e, \u0026.
      R"({"env":[{"name":"URL","value":"a\u003cb\u003e\u0026c \u00e9 \u20ac"}]})",
      R"({"s":"q\"b\\s\/f\bf\fn\nr\rt\t end","k\"ey":"v"})",
      " \t\r\n{ \"a\" : [ 1 , -2 , 0 , -0 , true , false , null , { } , [ ] ] } \n",
      R"({"u32":4294967295,"u64":4294967296,"i32":-2147483648,"i64":-2147483649,)"
      R"("big":999999999999999999,"nbig":-999999999999999999})",
      "[\"\",{\"\":\"\"},[[[[]]]],\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"]",
      "\"just a string\"",
      "42",
      "[\"" + std::string(100, 'x') + "\\n" + std::string(40, 'y') + "\"]",
  };
  for (const std::string& input : taken) {
    INFO(input.substr(0, 80));
    CHECK(fast_path_agrees(input));
    check_same_as_parse_json(input);
  }
  // Left to RapidJSON (the fast path gives up; the answer is still parse_json's).
  const std::vector<std::string> left = {
      R"({"a":1.5})",
      R"({"a":1e3})",
      R"({"a":-1E-3})",
      R"({"a":1234567890123456789})",
      R"({"a":18446744073709551616})",
      R"({"a":"\ud83d\ude00"})",
      R"({"a":"\u0000"})",
      R"({"a":"\udc00"})",
      R"({"a":"\ud800x"})",
      R"({"a":01})",
      R"({"a":-})",
      R"({"a":"x)",
      R"({"a" "b"})",
      R"({"a":1,})",
      R"([1,])",
      R"({,"a":1})",
      R"({"a":tru})",
      R"({"a":nul})",
      R"({"a":truex})",
      R"({"a":1}x)",
      R"({"a":1} {"b":2})",
      "{\"a\":\"tab\there\"}",
      "{\"a\":\"line\nbreak\"}",
      R"({"a":"\x"})",
      R"({"a":"\u12"})",
      R"({"a":"\u12G4"})",
      R"({1:2})",
      "",
      "   ",
      "[",
      "{",
      R"({"a":[1,2)",
      R"({"a":{"b":1])",
      R"(["a"])"
      "]",
  };
  for (const std::string& input : left) {
    INFO(input);
    CHECK_FALSE(fast_path_agrees(input));
    check_same_as_parse_json(input);
  }
}

TEST_CASE("the fast path gives up at RapidJSON's depth limit", "[unit]") {
  std::string at_limit(api::kMaxJsonDepth, '[');
  at_limit += std::string(api::kMaxJsonDepth, ']');
  CHECK(fast_path_agrees(at_limit));
  check_same_as_parse_json(at_limit);
  std::string beyond(api::kMaxJsonDepth + 1, '[');
  beyond += std::string(api::kMaxJsonDepth + 1, ']');
  CHECK_FALSE(fast_path_agrees(beyond));
  check_same_as_parse_json(beyond);
}

TEST_CASE("mutated reviews get parse_json's verdict, whichever path answers", "[unit]") {
  // Random edits of a real review at JSON-significant bytes: deletions, insertions and
  // replacements with structural characters, quotes, escapes, digits and control bytes.
  const std::string review = bench_pod_review();
  const std::string alphabet = "{}[]:,\"\\/-+.eE0123456789 \t\n\x01\x7ftrufalsenu\xc3\xa9";
  std::mt19937_64 random(20261207);
  int fast = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string input = review;
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % input.size();
      const char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0:
          input.erase(at, 1);
          break;
        case 1:
          input.insert(at, 1, c);
          break;
        default:
          input[at] = c;
          break;
      }
    }
    INFO("mutation " << i);
    check_same_as_parse_json(input);
    std::string body = input;
    api::JsonDocument doc;
    if (parse_review_json_fast(body, doc)) {
      ++fast;
      CHECK(fast_path_agrees(input));
    }
  }
  // Edits inside string values keep the text valid: some mutants must go the fast way.
  CHECK(fast > 100);
}

TEST_CASE("a pod review decodes like any review, with the pod read from the same parse", "[unit]") {
  const std::string pod =
      R"({"metadata":{"name":"p","annotations":{"korder.dev/required":"true"}}})";
  std::string body = review_json("CREATE", "Pod", pod, R"({"metadata":{"name":"old"}})", true);
  const auto reference = decode_review_request(body);
  REQUIRE(reference.has_value());
  api::JsonDocument doc;
  const auto decoded = decode_pod_review(body, doc);
  REQUIRE(decoded.has_value());
  CHECK(decoded->request.uid == reference->uid);
  CHECK(decoded->request.operation == "CREATE");
  CHECK(decoded->request.dry_run == true);
  CHECK(decoded->request.namespace_ == reference->namespace_);
  CHECK_FALSE(decoded->request.object.has_value());  // read through `object` instead
  REQUIRE(decoded->object != nullptr);
  CHECK(api::write_json(*decoded->object) == pod);

  std::string without_object = review_json("DELETE", "Pod", "");
  api::JsonDocument doc2;
  const auto deleted = decode_pod_review(without_object, doc2);
  REQUIRE(deleted.has_value());
  CHECK(deleted->object == nullptr);
}

TEST_CASE("a malformed pod review is refused with decode_review_request's message", "[unit]") {
  const std::string prefix =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":)";
  const std::vector<std::string> bodies = {
      "hello",
      "",
      prefix + "{\"uid\":\"\xff\xfe\"}}",
      prefix + R"({"uid":42}})",
      prefix + R"({"uid":"u","dryRun":"maybe","object":{"a":1}}})",
      prefix + R"({"operation":"CREATE","object":{}}})",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})",
      R"({"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u"}})",
      "[1,2,3]",
      review_json("CREATE", "Pod", "{}") + "}",
  };
  for (const std::string& input : bodies) {
    INFO(input);
    const auto reference = decode_review_request(input);
    REQUIRE_FALSE(reference.has_value());
    std::string body = input;
    api::JsonDocument doc;
    const auto decoded = decode_pod_review(body, doc);
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error() == reference.error());
  }
}

}  // namespace
}  // namespace korder::webhook
