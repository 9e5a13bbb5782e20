// CustomResourceDefinitions from deploy/crds: serving, pruning, defaults, validation,
// status subresource and generation rules, deletion.
#include <catch2/catch.hpp>

#include "korder/api/yaml.h"
#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

std::string str(const JsonValue& v, std::initializer_list<std::string_view> path) {
  return std::string(string_at(v, path));
}

void install_crds(HttpClient& c) {
  for (const char* file : {"core.korder.dev_orders.yaml", "core.korder.dev_tickets.yaml",
                           "core.korder.dev_quotas.yaml"}) {
    auto docs = api::yaml_documents_to_json(read_file(source_dir() + "/deploy/crds/" + file));
    REQUIRE(docs);
    for (const auto& json : *docs) {
      auto r = c.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json);
      INFO(r.body);
      REQUIRE(r.status == 201);
    }
  }
}

const char* kOrder = R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Order",
  "metadata":{"name":"o1","namespace":"default"},
  "spec":{"strategy":{"type":"OneTime"},"template":{"spec":{"duration":"24h","undeclared":1}},
          "undeclaredTop":"x"},
  "status":{"desired":5}})";

const char* kOrders = "/apis/core.korder.dev/v1alpha1/namespaces/default/orders";

}  // namespace

TEST_CASE("installing deploy/crds serves orders, tickets and quotas with Established conditions",
          "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  install_crds(c);
  auto crd =
      c.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/orders.core.korder.dev");
  REQUIRE(crd.status == 200);
  bool established = false;
  JsonDocument crd_doc = crd.json();
  for (const auto& condition : find_path(crd_doc, {"status", "conditions"})->GetArray()) {
    established = established || (str(condition, {"type"}) == "Established" &&
                                  str(condition, {"status"}) == "True");
  }
  CHECK(established);
  auto resources = c.get("/apis/core.korder.dev/v1alpha1");
  REQUIRE(resources.status == 200);
  CHECK(resources.body.find(R"("name":"orders")") != std::string::npos);
  CHECK(resources.body.find(R"("name":"orders/status")") != std::string::npos);
  CHECK(resources.body.find(R"("shortNames":["ord"])") != std::string::npos);
  CHECK(resources.body.find(R"("name":"quotas","singularName":"quota","namespaced":false)") !=
        std::string::npos);
  CHECK(c.get("/apis/core.korder.dev/v1alpha1/namespaces/default/orders").status == 200);
  CHECK(c.get("/apis/core.korder.dev/v1alpha1/quotas").status == 200);
  CHECK(c.get("/apis/core.korder.dev/v1alpha1/namespaces/default/quotas").status == 404);
}

TEST_CASE("custom resources are pruned to the schema and defaulted, status dropped on create",
          "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  install_crds(c);
  auto r = c.post(kOrders, kOrder);
  REQUIRE(r.status == 201);
  JsonDocument o = r.json();
  CHECK(find_path(o, {"spec", "undeclaredTop"}) == nullptr);
  CHECK(find_path(o, {"spec", "template", "spec", "undeclared"}) == nullptr);
  CHECK(str(o, {"spec", "template", "spec", "duration"}) == "24h");
  CHECK(int_at(o, {"spec", "replicas"}) == 1);                        // default: 1
  CHECK(str(o, {"spec", "strategy", "refreshPolicy"}) == "OnClaim");  // default inside
  CHECK(find_member(o, "status") == nullptr);                         // status subresource
  CHECK(int_at(o, {"metadata", "generation"}) == 1);
  // The default fieldValidation (Warn) reports what it dropped.
  CHECK(r.headers["warning"].find(R"(unknown field \"spec.undeclaredTop\")") != std::string::npos);

  SECTION("fieldValidation=Strict rejects unknown fields with 400") {
    auto strict = c.post(
        std::string(kOrders) + "?fieldValidation=Strict",
        R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Order","metadata":{"name":"o2"},"spec":{"foo":1}})");
    CHECK(strict.status == 400);
    CHECK(
        str(strict.json(), {"message"}) ==
        R"(Order in version "v1alpha1" cannot be handled as a Order: strict decoding error: unknown field "spec.foo")");
  }
  SECTION("schema types and enums are validated with 422 causes") {
    auto bad = c.post(
        kOrders,
        R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Order","metadata":{"name":"o3"},"spec":{"replicas":"three","strategy":{"type":"Sometimes"}}})");
    CHECK(bad.status == 422);
    const std::string message = str(bad.json(), {"message"});
    CHECK(
        message.find(
            R"(spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string")") !=
        std::string::npos);
    CHECK(
        message.find(
            R"(spec.strategy.type: Unsupported value: "Sometimes": supported values: "OneTime", "Scheduled", "Recurring")") !=
        std::string::npos);
    CHECK(find_path(bad.json(), {"details", "causes"})->Size() == 2);
  }
  SECTION("a minimum is enforced") {
    auto bad = c.post(
        kOrders,
        R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Order","metadata":{"name":"o4"},"spec":{"replicas":-1}})");
    CHECK(bad.status == 422);
    CHECK(str(bad.json(), {"message"})
              .find("spec.replicas: Invalid value: -1: spec.replicas in body should be greater "
                    "than or equal to 0") != std::string::npos);
  }
  SECTION("a custom resource without kind is rejected") {
    auto bad = c.post(kOrders, R"({"metadata":{"name":"o5"}})");
    CHECK(bad.status == 400);
  }
}

TEST_CASE("generation counts spec changes; status goes only through /status", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  install_crds(c);
  REQUIRE(c.post(kOrders, kOrder).status == 201);
  const std::string item = std::string(kOrders) + "/o1";

  auto labelled = c.patch(item, R"({"metadata":{"labels":{"a":"b"}}})");
  CHECK(int_at(labelled.json(), {"metadata", "generation"}) == 1);

  auto status_via_main = c.patch(item, R"({"status":{"desired":3}})");
  CHECK(status_via_main.status == 200);
  CHECK(find_member(status_via_main.json(), "status") == nullptr);
  CHECK(str(status_via_main.json(), {"metadata", "resourceVersion"}) ==
        str(labelled.json(), {"metadata", "resourceVersion"}));  // a no-op

  auto status = c.patch(item + "/status", R"({"status":{"desired":3},"spec":{"replicas":9}})");
  REQUIRE(status.status == 200);
  CHECK(int_at(status.json(), {"status", "desired"}) == 3);
  CHECK(int_at(status.json(), {"spec", "replicas"}) == 1);  // spec ignored on /status
  CHECK(int_at(status.json(), {"metadata", "generation"}) == 1);

  auto spec = c.patch(item, R"({"spec":{"replicas":2}})");
  CHECK(int_at(spec.json(), {"metadata", "generation"}) == 2);
  CHECK(int_at(spec.json(), {"status", "desired"}) == 3);  // status kept

  SECTION("PUT of a custom resource without resourceVersion is 422") {
    JsonDocument current = c.get(item).json();
    remove_member(*find_member(current, "metadata"), "resourceVersion");
    auto put = c.put(item, api::write_json(current));
    CHECK(put.status == 422);
    CHECK(
        str(put.json(), {"message"}) ==
        R"(Order.core.korder.dev "o1" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update)");
  }
  SECTION("PUT with the current resourceVersion bumps generation on spec change") {
    JsonDocument current = c.get(item).json();
    find_member(*find_member(current, "spec"), "replicas")->SetInt(4);
    auto put = c.put(item, api::write_json(current));
    CHECK(put.status == 200);
    CHECK(int_at(put.json(), {"metadata", "generation"}) == 3);
  }
}

TEST_CASE("deleting a CRD stops serving its resource and removes its objects", "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  install_crds(c);
  REQUIRE(c.post(kOrders, kOrder).status == 201);
  auto deleted =
      c.del("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/orders.core.korder.dev");
  CHECK(deleted.status == 200);
  CHECK(c.get(kOrders).status == 404);
  CHECK(tc.cluster().store().count("core.korder.dev/orders", "") == 0);
  CHECK(c.get("/apis/core.korder.dev/v1alpha1").body.find(R"("name":"orders")") ==
        std::string::npos);
}

TEST_CASE("a custom resource deleted without finalizers answers a Success Status",
          "[integration]") {
  TestCluster tc;
  auto& c = tc.client();
  install_crds(c);
  auto created = c.post(kOrders, kOrder);
  auto r = c.del(std::string(kOrders) + "/o1", R"({"propagationPolicy":"Background"})");
  REQUIRE(r.status == 200);
  CHECK(str(r.json(), {"kind"}) == "Status");
  CHECK(str(r.json(), {"status"}) == "Success");
  CHECK(str(r.json(), {"details", "uid"}) == str(created.json(), {"metadata", "uid"}));
  CHECK(str(c.del(std::string(kOrders) + "/o1").json(), {"reason"}) == "NotFound");
}

}  // namespace korder::devcluster::testing
