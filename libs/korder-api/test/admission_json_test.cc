#include <catch2/catch.hpp>
#include <string>

#include "json_test_support.h"
#include "korder/api/admission.h"
#include "korder/api/base64.h"
#include "korder/api/order.h"
#include "korder/api/pod.h"

namespace korder::api {
namespace {

using testing::same_json;

// An UPDATE review of an Order, shaped as kube-apiserver sends it.
constexpr const char* kOrderUpdateReview = R"({
  "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
  "request": {
    "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
    "kind": {"group": "core.korder.dev", "version": "v1alpha1", "kind": "Order"},
    "resource": {"group": "core.korder.dev", "version": "v1alpha1", "resource": "orders"},
    "requestKind": {"group": "core.korder.dev", "version": "v1alpha1", "kind": "Order"},
    "requestResource": {"group": "core.korder.dev", "version": "v1alpha1", "resource": "orders"},
    "name": "my-order", "namespace": "default", "operation": "UPDATE",
    "userInfo": {"username": "admin", "uid": "014fbff9a07c",
                 "groups": ["system:authenticated"], "extra": {"some-key": ["v1", "v2"]}},
    "object": {"apiVersion": "core.korder.dev/v1alpha1", "kind": "Order",
               "metadata": {"name": "my-order", "namespace": "default"},
               "spec": {"replicas": 5}},
    "oldObject": {"apiVersion": "core.korder.dev/v1alpha1", "kind": "Order",
                  "metadata": {"name": "my-order", "namespace": "default"},
                  "spec": {"replicas": 3}},
    "dryRun": false,
    "options": {"apiVersion": "meta.k8s.io/v1", "kind": "UpdateOptions",
                "fieldManager": "kubectl-client-side-apply"}}})";

TEST_CASE("an admission request decodes with its object and old object", "[unit][json]") {
  auto review = parse_admission_review(kOrderUpdateReview);
  REQUIRE(review.has_value());
  CHECK(review->api_version == kAdmissionReviewApiVersion);
  REQUIRE(review->request.has_value());
  const AdmissionRequest& request = *review->request;
  CHECK(request.uid == "705ab4f5-6393-11e8-b7cc-42010a800002");
  CHECK(request.kind.kind == "Order");
  CHECK(request.resource.resource == "orders");
  CHECK(request.operation == AdmissionOperation::Update);
  CHECK(request.namespace_ == "default");
  CHECK(request.user_info.extra.at("some-key") == std::vector<std::string>{"v1", "v2"});
  CHECK(request.dry_run == false);

  auto object = parse_order(request.object.json());
  auto old_object = parse_order(request.old_object.json());
  REQUIRE(object.has_value());
  REQUIRE(old_object.has_value());
  CHECK(object->spec.replicas == 5);
  CHECK(old_object->spec.replicas == 3);
  CHECK(same_json(to_json(*review), kOrderUpdateReview));
}

TEST_CASE("a pod CREATE from generateName has no name and a DELETE no object", "[unit][json]") {
  auto create = parse_admission_review(R"({"apiVersion":"admission.k8s.io/v1",
    "kind":"AdmissionReview","request":{"uid":"u1",
    "kind":{"group":"","version":"v1","kind":"Pod"},
    "resource":{"group":"","version":"v1","resource":"pods"},
    "namespace":"shop","operation":"CREATE","userInfo":{"username":"system:serviceaccount:x"},
    "object":{"metadata":{"generateName":"web-","annotations":{"korder.dev/required":"true"}},
              "spec":{"containers":[{"name":"c","image":"nginx"}]}},
    "oldObject":null,"dryRun":true}})");
  REQUIRE(create.has_value());
  CHECK(create->request->name.empty());
  CHECK(create->request->kind.group.empty());
  CHECK_FALSE(create->request->old_object.has_value());
  CHECK(create->request->dry_run == true);
  auto pod = parse_pod(create->request->object.json());
  REQUIRE(pod.has_value());
  CHECK(pod->metadata.generate_name == "web-");
  // The core group is written as "" (present), as the API server does.
  CHECK(to_json(*create).find(R"("kind":{"group":"","version":"v1","kind":"Pod"})") !=
        std::string::npos);

  auto remove = parse_admission_review(R"({"request":{"uid":"u2","operation":"DELETE",
    "object":null,"oldObject":{"metadata":{"name":"o"}}}})");
  REQUIRE(remove.has_value());
  CHECK_FALSE(remove->request->object.has_value());
  CHECK(remove->request->old_object.has_value());
}

TEST_CASE("an allowing response with a patch encodes the patch in base64", "[unit][json]") {
  AdmissionReview review;
  review.api_version = kAdmissionReviewApiVersion;
  review.kind = kAdmissionReviewKind;
  AdmissionResponse& response = review.response.emplace();
  response.uid = "705ab4f5-6393-11e8-b7cc-42010a800002";
  response.allowed = true;
  response.patch = R"([{"op": "add", "path": "/spec/replicas", "value": 3}])";
  response.patch_type = kJsonPatchType;
  response.warnings = {"duplicate envvar entries specified with name MY_ENV"};
  response.audit_annotations = {{"mutated", "true"}};
  const std::string json = to_json(review);
  CHECK(same_json(json, R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
    "response":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","allowed":true,
    "patchType":"JSONPatch",
    "patch":"W3sib3AiOiAiYWRkIiwgInBhdGgiOiAiL3NwZWMvcmVwbGljYXMiLCAidmFsdWUiOiAzfV0=",
    "warnings":["duplicate envvar entries specified with name MY_ENV"],
    "auditAnnotations":{"mutated":"true"}}})"));
  // And back: the patch is decoded from base64.
  auto decoded = parse_admission_review(json);
  REQUIRE(decoded.has_value());
  CHECK(decoded->response->patch == response.patch);
  CHECK(*decoded == review);
}

TEST_CASE("a denial carries allowed false and a status", "[unit][json]") {
  AdmissionReview review;
  review.api_version = kAdmissionReviewApiVersion;
  review.kind = kAdmissionReviewKind;
  AdmissionResponse& response = review.response.emplace();
  response.uid = "u";
  Status& status = response.status.emplace();
  status.code = 403;
  status.reason = "Forbidden";
  status.message =
      "korder quota exceeded: quota \"team-quota\": reserved.cpu: requested 500m, used 19800m, "
      "limit 20";
  CHECK(to_json(review) ==
        R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u",)"
        R"("allowed":false,"status":{"message":"korder quota exceeded: quota \"team-quota\": )"
        R"(reserved.cpu: requested 500m, used 19800m, limit 20","reason":"Forbidden",)"
        R"("code":403}}})");
}

TEST_CASE("a response with a patch that is not base64 is an error at the patch", "[unit][json]") {
  auto review = parse_admission_review(R"({"response":{"uid":"u","allowed":true,"patch":"!!"}})");
  REQUIRE_FALSE(review.has_value());
  CHECK(review.error().to_string() == "response.patch: illegal base64 data at input byte 0");
}

TEST_CASE("hostile admission reviews are errors, never crashes", "[unit][json]") {
  std::string deep = R"({"request":{"uid":"u","object":)";
  for (int i = 0; i < 10000; ++i) {
    deep += R"({"a":)";
  }
  deep += "null" + std::string(10000, '}') + "}}";

  std::string huge_groups = R"({"request":{"uid":"u","userInfo":{"groups":[)";
  for (int i = 0; i < 1000000; ++i) {
    huge_groups += i == 0 ? "1" : ",1";
  }
  huge_groups += "]}}}";

  struct Case {
    std::string name;
    std::string json;
    std::string error;
  };
  const Case cases[] = {
      {"wrong top-level type", "[]", "expected object, got array"},
      {"wrong request type", R"({"request":"x"})", "request: expected object, got string"},
      {"wrong uid type", R"({"request":{"uid":7}})", "request.uid: expected string, got number"},
      {"wrong kind type", R"({"request":{"kind":[]}})", "request.kind: expected object, got array"},
      {"wrong dryRun type", R"({"request":{"dryRun":"true"}})",
       "request.dryRun: expected boolean, got string"},
      {"huge array of the wrong type", huge_groups,
       "request.userInfo.groups[0]: expected string, got number"},
      {"wrong extra values", R"({"request":{"userInfo":{"extra":{"k":"v"}}}})",
       "request.userInfo.extra[k]: expected array, got string"},
      {"deep nesting", deep, "offset 5021: invalid JSON: nested deeper than 1000 levels"},
      {"invalid UTF-8", "{\"request\":{\"uid\":\"\xed\xa0\x80\"}}",
       "offset 19: invalid JSON: Invalid encoding in string."},
      {"truncated", R"({"request":{"uid":"u","object":{"a")",
       "offset 35: invalid JSON: Missing a colon after a name of object member."},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto review = parse_admission_review(c.json);
    REQUIRE_FALSE(review.has_value());
    CHECK(review.error().to_string() == c.error);
  }
}

TEST_CASE("every prefix of a review is rejected or decoded, never crashes", "[unit][json]") {
  const std::string full = kOrderUpdateReview;
  int decoded = 0;
  for (std::size_t n = 0; n < full.size(); ++n) {
    if (parse_admission_review(std::string_view(full).substr(0, n)).has_value()) {
      ++decoded;
    }
  }
  CHECK(decoded == 0);  // no proper prefix of an object is a complete document
  CHECK(parse_admission_review(full).has_value());
}

}  // namespace
}  // namespace korder::api
