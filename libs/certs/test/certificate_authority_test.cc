// The CA and the certificates it issues, verified with OpenSSL's own chain verification.

#include "korder/certs/certificate_authority.h"

#include <catch2/catch.hpp>

namespace korder::certs {
namespace {

using std::chrono::hours;

const TimePoint kNow = std::chrono::system_clock::from_time_t(1'800'000'000);

KeyPair make_ca() {
  auto ca = create_ca("korder-ca", kNow);
  REQUIRE(ca.has_value());
  return *ca;
}

CertificateRequest webhook_request() {
  CertificateRequest request;
  request.common_name = "korder-webhook.korder-system.svc";
  request.dns_names = {"korder-webhook", "korder-webhook.korder-system",
                       "korder-webhook.korder-system.svc",
                       "korder-webhook.korder-system.svc.cluster.local"};
  request.usage = Usage::Server;
  request.validity = hours(24 * 90);
  return request;
}

TEST_CASE("a new CA is self-signed, a CA, and valid for about ten years", "[unit]") {
  const KeyPair ca = make_ca();
  CHECK(ca.cert_pem.find("-----BEGIN CERTIFICATE-----") == 0);
  CHECK(ca.key_pem.find("-----BEGIN PRIVATE KEY-----") == 0);
  CHECK(check_key_pair(ca).has_value());
  auto info = inspect_certificate(ca.cert_pem);
  REQUIRE(info.has_value());
  CHECK(info->is_ca);
  CHECK(info->common_name == "korder-ca");
  CHECK(info->not_before == kNow - kBackdate);
  CHECK(info->not_after == kNow + kDefaultCaValidity);
  CHECK(info->fingerprint.size() == 64);
}

TEST_CASE("two CAs are different keys and certificates", "[unit]") {
  const KeyPair a = make_ca();
  const KeyPair b = make_ca();
  CHECK(a.key_pem != b.key_pem);
  CHECK(inspect_certificate(a.cert_pem)->fingerprint !=
        inspect_certificate(b.cert_pem)->fingerprint);
}

TEST_CASE("a serving certificate chains to its CA for every service name it carries", "[unit]") {
  const KeyPair ca = make_ca();
  auto leaf = issue_certificate(ca, webhook_request(), kNow);
  REQUIRE(leaf.has_value());
  CHECK(check_key_pair(*leaf).has_value());
  auto info = inspect_certificate(leaf->cert_pem);
  REQUIRE(info.has_value());
  CHECK_FALSE(info->is_ca);
  CHECK(info->common_name == "korder-webhook.korder-system.svc");
  CHECK(info->dns_names == webhook_request().dns_names);
  CHECK(info->not_after == kNow + hours(24 * 90));
  for (const std::string& name : webhook_request().dns_names) {
    INFO(name);
    CHECK(verify_certificate(ca.cert_pem, leaf->cert_pem, Usage::Server, kNow, name).has_value());
  }
  auto wrong_name = verify_certificate(ca.cert_pem, leaf->cert_pem, Usage::Server, kNow,
                                       "korder-quota.korder-system.svc");
  REQUIRE_FALSE(wrong_name.has_value());
  CHECK(wrong_name.error().find("ostname mismatch") != std::string::npos);
}

TEST_CASE("a serving certificate is not a client certificate, and the reverse", "[unit]") {
  const KeyPair ca = make_ca();
  CertificateRequest client;
  client.common_name = "korder-admission-webhook";
  client.usage = Usage::Client;
  auto client_leaf = issue_certificate(ca, client, kNow);
  auto server_leaf = issue_certificate(ca, webhook_request(), kNow);
  REQUIRE(client_leaf.has_value());
  REQUIRE(server_leaf.has_value());
  CHECK(verify_certificate(ca.cert_pem, client_leaf->cert_pem, Usage::Client, kNow).has_value());
  CHECK_FALSE(verify_certificate(ca.cert_pem, client_leaf->cert_pem, Usage::Server, kNow));
  CHECK_FALSE(verify_certificate(ca.cert_pem, server_leaf->cert_pem, Usage::Client, kNow));
}

TEST_CASE("a certificate does not verify against another CA, before or after its lifetime",
          "[unit]") {
  const KeyPair ca = make_ca();
  const KeyPair other = make_ca();
  auto leaf = issue_certificate(ca, webhook_request(), kNow);
  REQUIRE(leaf.has_value());
  CHECK_FALSE(verify_certificate(other.cert_pem, leaf->cert_pem, Usage::Server, kNow));
  auto expired =
      verify_certificate(ca.cert_pem, leaf->cert_pem, Usage::Server, kNow + hours(24 * 91));
  REQUIRE_FALSE(expired.has_value());
  CHECK(expired.error() == "certificate has expired");
  CHECK_FALSE(verify_certificate(ca.cert_pem, leaf->cert_pem, Usage::Server, kNow - hours(1)));
}

TEST_CASE("a leaf never outlives its CA", "[unit]") {
  auto ca = create_ca("korder-ca", kNow, hours(24 * 30));
  REQUIRE(ca.has_value());
  auto leaf = issue_certificate(*ca, webhook_request(), kNow);
  REQUIRE(leaf.has_value());
  CHECK(inspect_certificate(leaf->cert_pem)->not_after == kNow + hours(24 * 30));
}

TEST_CASE("issuing fails clearly on a broken CA or a bad name", "[unit]") {
  const KeyPair ca = make_ca();
  const KeyPair other = make_ca();
  auto mismatched = issue_certificate(KeyPair{ca.cert_pem, other.key_pem}, webhook_request(), kNow);
  REQUIRE_FALSE(mismatched.has_value());
  CHECK(mismatched.error() == "the CA: the key does not match the certificate");
  auto garbage = issue_certificate(KeyPair{"not pem", ca.key_pem}, webhook_request(), kNow);
  REQUIRE_FALSE(garbage.has_value());
  CHECK(garbage.error().find("no PEM certificate") != std::string::npos);
  CertificateRequest bad = webhook_request();
  bad.dns_names.push_back("Bad Name");
  auto named = issue_certificate(ca, bad, kNow);
  REQUIRE_FALSE(named.has_value());
  CHECK(named.error() == "invalid DNS name \"Bad Name\" for a certificate");
  CHECK_FALSE(inspect_certificate("").has_value());
}

}  // namespace
}  // namespace korder::certs
