// The caBundle patch: only the webhooks that differ, guarded by test ops; nothing when current.

#include "korder/certs/ca_bundle.h"

#include <catch2/catch.hpp>

namespace korder::certs {
namespace {

const std::string kConfiguration = R"({
  "apiVersion": "admissionregistration.k8s.io/v1",
  "kind": "ValidatingWebhookConfiguration",
  "metadata": {"name": "korder-admission-webhook", "resourceVersion": "42"},
  "webhooks": [
    {"name": "validate.orders.core.korder.dev",
     "clientConfig": {"service": {"namespace": "korder-system", "name": "korder-webhook"}}},
    {"name": "validate.tickets.core.korder.dev",
     "clientConfig": {"caBundle": "Q0E=", "service": {"name": "korder-webhook"}}},
    {"name": "validate.quotas.core.korder.dev",
     "clientConfig": {"caBundle": "b2xk", "service": {"name": "korder-webhook"}}}
  ]
})";

TEST_CASE("the caBundle patch sets only the webhooks whose bundle differs", "[unit]") {
  auto patch = ca_bundle_patch(kConfiguration, "Q0E=");
  REQUIRE(patch.has_value());
  REQUIRE(patch->has_value());
  CHECK(**patch ==
        R"([{"op":"test","path":"/metadata/resourceVersion","value":"42"},)"
        R"({"op":"test","path":"/webhooks/0/name","value":"validate.orders.core.korder.dev"},)"
        R"({"op":"add","path":"/webhooks/0/clientConfig/caBundle","value":"Q0E="},)"
        R"({"op":"test","path":"/webhooks/2/name","value":"validate.quotas.core.korder.dev"},)"
        R"({"op":"add","path":"/webhooks/2/clientConfig/caBundle","value":"Q0E="}])");
}

TEST_CASE("a configuration whose webhooks all carry the CA needs no patch", "[unit]") {
  const std::string current = R"({"metadata":{"resourceVersion":"7"},"webhooks":[
    {"name":"a","clientConfig":{"caBundle":"Q0E="}},{"name":"b","clientConfig":{"caBundle":"Q0E="}}]})";
  auto patch = ca_bundle_patch(current, "Q0E=");
  REQUIRE(patch.has_value());
  CHECK_FALSE(patch->has_value());
  auto empty = ca_bundle_patch(R"({"metadata":{"resourceVersion":"7"}})", "Q0E=");
  REQUIRE(empty.has_value());
  CHECK_FALSE(empty->has_value());
}

TEST_CASE("a body that is not a webhook configuration is an error naming the field", "[unit]") {
  struct Case {
    std::string json;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"[]", "metadata: missing"},
      {R"({"metadata":{}})", "metadata.resourceVersion: missing"},
      {R"({"metadata":{"resourceVersion":"1"},"webhooks":{}})",
       "webhooks: expected array, got object"},
      {R"({"metadata":{"resourceVersion":"1"},"webhooks":[{"clientConfig":{}}]})",
       "webhooks[0].name: missing"},
      {R"({"metadata":{"resourceVersion":"1"},"webhooks":[{"name":"a"}]})",
       "webhooks[0].clientConfig: missing"},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    auto patch = ca_bundle_patch(c.json, "Q0E=");
    REQUIRE_FALSE(patch.has_value());
    CHECK(patch.error() == c.error);
  }
  CHECK_FALSE(ca_bundle_patch("{", "Q0E=").has_value());
}

TEST_CASE("configuration requests carry the resource and the name", "[unit]") {
  CHECK(mutating_configuration("korder-admission-webhook").to_string() ==
        "mutatingwebhookconfigurations/korder-admission-webhook");
  CHECK(validating_configuration("x").to_string() == "validatingwebhookconfigurations/x");
}

}  // namespace
}  // namespace korder::certs
