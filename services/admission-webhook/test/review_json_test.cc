// The hot-path parse of /mutate-pods (review_json.h, decode_pod_review): the same verdicts as
// api::parse_json and decode_review_request on well-formed, malformed and hostile input.

#include "review_json.h"

#include <catch2/catch.hpp>
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
    api::JsonDocument expected;
    const auto reference = api::parse_json(input, expected);
    std::string body = input;
    api::JsonDocument doc;
    const auto parsed = parse_review_json(body, doc);
    REQUIRE(parsed.has_value() == reference.has_value());
    if (reference) {
      CHECK(api::write_json(doc) == api::write_json(expected));
    } else {
      CHECK(parsed.error().message == reference.error().message);
    }
  }
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
