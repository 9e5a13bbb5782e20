// The CA Secret: its layout, its validation, and who wins when two replicas create it.

#include "korder/certs/ca_secret.h"

#include <catch2/catch.hpp>

#include "fake_secret_client.h"
#include "korder/api/base64.h"
#include "korder/api/json.h"

namespace korder::certs {
namespace {

const TimePoint kNow = std::chrono::system_clock::from_time_t(1'800'000'000);

TEST_CASE("the CA Secret is a kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt",
          "[unit]") {
  const KeyPair ca = *create_ca("korder-ca", kNow);
  const CaSecretRef ref;
  const std::string json = ca_secret_json(ref, ca);
  api::JsonDocument doc;
  REQUIRE(api::parse_json(json, doc).has_value());
  CHECK(std::string(doc["kind"].GetString()) == "Secret");
  CHECK(std::string(doc["type"].GetString()) == "kubernetes.io/tls");
  CHECK(std::string(doc["metadata"]["name"].GetString()) == "korder-ca");
  CHECK(std::string(doc["metadata"]["namespace"].GetString()) == "korder-system");
  CHECK(*api::base64_decode(doc["data"]["tls.crt"].GetString()) == ca.cert_pem);
  CHECK(*api::base64_decode(doc["data"]["ca.crt"].GetString()) == ca.cert_pem);
  CHECK(*api::base64_decode(doc["data"]["tls.key"].GetString()) == ca.key_pem);
  auto parsed = parse_ca_secret(ref, json);
  REQUIRE(parsed.has_value());
  CHECK(*parsed == ca);
}

TEST_CASE("a Secret without a valid CA is an error naming the Secret and the key", "[unit]") {
  const CaSecretRef ref;
  const KeyPair ca = *create_ca("korder-ca", kNow);
  const KeyPair other = *create_ca("korder-ca", kNow);
  CertificateRequest request;
  request.common_name = "leaf";
  const KeyPair leaf = *issue_certificate(ca, request, kNow);
  struct Case {
    std::string json;
    std::string error;
  };
  const std::vector<Case> cases = {
      {R"({"kind":"Secret"})", "secret korder-system/korder-ca: data: missing"},
      {R"({"data":{"tls.crt":"aGk="}})",
       R"(secret korder-system/korder-ca: data["tls.key"]: missing)"},
      {R"({"data":{"tls.crt":"%%","tls.key":"aGk="}})",
       R"(secret korder-system/korder-ca: data["tls.crt"]: illegal base64 data at input byte 0)"},
      {ca_secret_json(ref, leaf),
       R"(secret korder-system/korder-ca: data["tls.crt"]: not a CA certificate (CN "leaf"))"},
      {ca_secret_json(ref, KeyPair{ca.cert_pem, other.key_pem}),
       R"(secret korder-system/korder-ca: data["tls.key"]: the key does not match the certificate)"},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    auto parsed = parse_ca_secret(ref, c.json);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error() == c.error);
  }
}

TEST_CASE("the first replica creates the CA Secret and later ones read it", "[unit]") {
  testing::FakeSecretClient client;
  auto first = ensure_ca(client, CaSecretRef(), kNow);
  REQUIRE(first.has_value());
  CHECK(first->created);
  CHECK(client.creates == 1);
  auto second = ensure_ca(client, CaSecretRef(), kNow);
  REQUIRE(second.has_value());
  CHECK_FALSE(second->created);
  CHECK(second->ca == first->ca);
  CHECK(client.creates == 1);
}

TEST_CASE("a replica that loses the create race uses the winner's CA", "[unit]") {
  testing::FakeSecretClient client;
  const KeyPair winner = *create_ca("korder-ca", kNow);
  client.before_create = [&] { client.stored = ca_secret_json(CaSecretRef(), winner); };
  auto loaded = ensure_ca(client, CaSecretRef(), kNow);
  REQUIRE(loaded.has_value());
  CHECK_FALSE(loaded->created);
  CHECK(loaded->ca == winner);
  CHECK(client.gets == 2);
}

TEST_CASE("an API error other than NotFound is returned with context, and nothing is created",
          "[unit]") {
  testing::FakeSecretClient client;
  client.get_error = kclient::ApiError::from_response(
      403,
      R"({"kind":"Status","status":"Failure","reason":"Forbidden","message":"secrets \"korder-ca\" is forbidden","code":403})",
      "GET");
  auto loaded = ensure_ca(client, CaSecretRef(), kNow);
  REQUIRE_FALSE(loaded.has_value());
  CHECK(loaded.error().find("getting secret korder-system/korder-ca: ") == 0);
  CHECK(loaded.error().find("forbidden") != std::string::npos);
  CHECK(client.creates == 0);
}

}  // namespace
}  // namespace korder::certs
