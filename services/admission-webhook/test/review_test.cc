#include "review.h"

#include <catch2/catch.hpp>

#include "korder/api/base64.h"
#include "korder/api/json.h"
#include "review_router.h"
#include "test_support.h"

namespace korder::webhook {
namespace {

using testing::review_json;

TEST_CASE("a well-formed review decodes with its uid, operation and object", "[unit]") {
  const auto request = decode_review_request(
      review_json("CREATE", "Pod", R"({"metadata":{"name":"p"}})", "", true, "team-a"));
  REQUIRE(request.has_value());
  CHECK(request->uid == "705ab4f5-6393-11e8-b7cc-42010a800002");
  CHECK(request->operation == "CREATE");
  CHECK(request->namespace_ == "team-a");
  CHECK(request->dry_run == true);
  CHECK(request->object.json() == R"({"metadata":{"name":"p"}})");
}

TEST_CASE("malformed and hostile review bodies are errors, never crashes", "[unit]") {
  const std::string ok_prefix =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":)";
  struct Case {
    std::string name;
    std::string body;
    std::string expected;
  };
  std::vector<Case> cases = {
      {"not JSON", "hello", "malformed AdmissionReview"},
      {"empty", "", "malformed AdmissionReview"},
      {"truncated", review_json("CREATE", "Pod", "{}").substr(0, 60), "malformed AdmissionReview"},
      {"trailing garbage", review_json("CREATE", "Pod", "{}") + "}", "malformed AdmissionReview"},
      {"invalid UTF-8", ok_prefix + "{\"uid\":\"\xff\xfe\"}}", "malformed AdmissionReview"},
      {"wrong type of uid", ok_prefix + R"({"uid":42}})", "request.uid"},
      {"wrong type of request", ok_prefix + R"("yes"})", "request"},
      {"wrong type of dryRun", ok_prefix + R"({"uid":"u","dryRun":"maybe"}})", "dryRun"},
      {"missing uid", ok_prefix + R"({"operation":"CREATE"}})", "request.uid: required"},
      {"missing request", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})",
       "request: required"},
      {"old version",
       R"({"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u"}})",
       "apiVersion"},
      {"wrong kind", R"({"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{"uid":"u"}})",
       "kind"},
      {"top level array", "[1,2,3]", "malformed AdmissionReview"},
  };
  std::string deep = ok_prefix + R"({"uid":"u","object":)";
  for (int i = 0; i < 5000; ++i) {
    deep += "[";
  }
  cases.push_back({"deep nesting", deep, "malformed AdmissionReview"});
  std::string wide = ok_prefix + R"({"uid":"u","userInfo":{"groups":[)";
  for (int i = 0; i < 200000; ++i) {
    wide += "1,";
  }
  wide += "1]}}}";
  cases.push_back({"huge array of the wrong type", wide, "groups"});
  for (const Case& c : cases) {
    INFO(c.name);
    const auto decoded = decode_review_request(c.body);
    REQUIRE_FALSE(decoded.has_value());
    CHECK_THAT(decoded.error(), Catch::Contains(c.expected));
  }
}

TEST_CASE("the response echoes the uid and carries the patch base64-encoded", "[unit]") {
  const std::string patch = R"([{"op":"add","path":"/metadata/labels","value":{"a":"b"}}])";
  const std::string body = encode_review_response(allow("uid-1", patch, {"careful"}));
  api::JsonDocument doc;
  REQUIRE(api::parse_json(body, doc).has_value());
  CHECK(std::string(doc["apiVersion"].GetString()) == "admission.k8s.io/v1");
  CHECK(std::string(doc["kind"].GetString()) == "AdmissionReview");
  const auto& response = doc["response"];
  CHECK(std::string(response["uid"].GetString()) == "uid-1");
  CHECK(response["allowed"].GetBool());
  CHECK(std::string(response["patchType"].GetString()) == "JSONPatch");
  CHECK(*api::base64_decode(response["patch"].GetString()) == patch);
  CHECK(std::string(response["warnings"][0].GetString()) == "careful");
}

TEST_CASE("every response is written byte for byte as api::to_json writes it", "[unit]") {
  const auto reference = [](const api::AdmissionResponse& response) {
    api::AdmissionReview review;
    review.api_version = std::string(api::kAdmissionReviewApiVersion);
    review.kind = std::string(api::kAdmissionReviewKind);
    review.response = response;
    return api::to_json(review);
  };
  const std::string patch = R"([{"op":"add","path":"/metadata/labels/a~1b","value":"c\"d"}])";
  std::vector<api::AdmissionResponse> responses = {
      allow("5b0c7f4e-2a9d-4c1b-8e3f-6d7a8b9c0d1e"),
      allow("uid-1", patch),
      allow("uid-1", patch, {"careful"}),
      allow(""),
      allow("quote\"back\\slash"),
      allow("tab\there"),
      allow("caf\xC3\xA9"),
      allow("ctl\x01"),
      allow("del\x7F", patch),
      deny("uid-2", 403, "Forbidden", "no"),
  };
  api::AdmissionResponse custom_type = allow("uid-3", patch);
  custom_type.patch_type = "Odd\"Type";
  responses.push_back(custom_type);
  api::AdmissionResponse audited = allow("uid-4");
  audited.audit_annotations["a"] = "b";
  responses.push_back(audited);
  api::AdmissionResponse extra = allow("uid-5");
  extra.extras = *api::Extras::parse(R"({"future":1})");
  responses.push_back(extra);
  for (const api::AdmissionResponse& response : responses) {
    INFO(response.uid);
    CHECK(encode_review_response(response) == reference(response));
  }
}

TEST_CASE("a denial carries a Status with code, reason and message", "[unit]") {
  const std::string body = encode_review_response(deny("uid-2", 403, "Forbidden", "no"));
  api::JsonDocument doc;
  REQUIRE(api::parse_json(body, doc).has_value());
  const auto& response = doc["response"];
  CHECK_FALSE(response["allowed"].GetBool());
  CHECK(response["status"]["code"].GetInt() == 403);
  CHECK(std::string(response["status"]["reason"].GetString()) == "Forbidden");
  CHECK(std::string(response["status"]["message"].GetString()) == "no");
  CHECK_FALSE(response.HasMember("patch"));
}

// The router end to end, without a network: status codes for bad requests.
struct RouterFixture {
  WebhookAnswer handle(std::string method, std::string target, std::string body) {
    WebhookRequest request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.body = std::move(body);
    return testing::run(io, router.handle(std::move(request)));
  }

  boost::asio::io_context io;
  testing::FixedClock clock;
  testing::FakeTicketSource source;
  testing::NoClaims writer;
  testing::NoEvents events;
  kclient::MetricsRegistry registry;
  WebhookMetrics metrics{registry};
  ClaimTracker tracker{clock};
  PodAdmission pods{source,
                    writer,
                    events,
                    tracker,
                    metrics,
                    clock,
                    [] { return 1; },
                    [] { return true; },
                    PodAdmissionOptions()};
  ObjectAdmission objects{nullptr, metrics, ObjectAdmissionOptions()};
  ReviewRouter router{pods, objects, metrics, clock, std::chrono::seconds(8)};
};

TEST_CASE("the router answers 404, 405 and 400 for what is not a review", "[unit]") {
  RouterFixture f;
  CHECK(f.handle("POST", "/nope", "{}").status == 404);
  CHECK(f.handle("GET", "/mutate-pods", "").status == 405);
  const auto bad = f.handle("POST", "/mutate-pods?timeout=10s", "{not json");
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body, Catch::Contains("malformed AdmissionReview"));
  CHECK(f.metrics.requests.with({"/mutate-pods", "bad_request"}).value() == 1);
}

TEST_CASE("the router answers a review with an AdmissionReview and counts it", "[unit]") {
  RouterFixture f;
  const auto answer = f.handle("POST", "/mutate-pods?timeout=10s",
                               review_json("CREATE", "Pod", R"({"metadata":{"name":"p"}})"));
  CHECK(answer.status == 200);
  CHECK(answer.content_type == "application/json");
  CHECK_THAT(answer.body, Catch::Contains(R"("uid":"705ab4f5-6393-11e8-b7cc-42010a800002")"));
  CHECK(f.metrics.requests.with({"/mutate-pods", "allowed"}).value() == 1);
  CHECK(f.metrics.duration.with({"/mutate-pods"}).snapshot().count == 1);
}

}  // namespace
}  // namespace korder::webhook
