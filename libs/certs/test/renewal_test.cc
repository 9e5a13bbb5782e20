// The renewal decision: 2/3 of the lifetime, a changed CA, changed names, broken files.

#include "korder/certs/renewal.h"

#include <catch2/catch.hpp>

namespace korder::certs {
namespace {

using std::chrono::hours;

const TimePoint kNow = std::chrono::system_clock::from_time_t(1'800'000'000);

CertificateRequest request() {
  CertificateRequest r;
  r.common_name = "korder-quota.korder-system.svc";
  r.dns_names = {"korder-quota", "korder-quota.korder-system.svc"};
  r.validity = hours(24 * 90);
  return r;
}

struct World {
  KeyPair ca = *create_ca("korder-ca", kNow);
  KeyPair leaf = *issue_certificate(ca, request(), kNow);
};

TEST_CASE("a missing certificate is issued", "[unit]") {
  World w;
  const auto d = decide_leaf(w.ca.cert_pem, std::nullopt, request(), kNow);
  CHECK(d.issue);
  CHECK(d.reason == "missing");
}

TEST_CASE("a certificate is kept until 2/3 of its lifetime, then renewed", "[unit]") {
  World w;
  // Lifetime: notBefore (now - 5m) to now + 90d; 2/3 of it is 60 days minus 5m/3 in.
  const TimePoint due = (kNow - kBackdate) + (hours(24 * 90) + kBackdate) / 3 * 2;
  auto kept = decide_leaf(w.ca.cert_pem, w.leaf, request(), kNow);
  CHECK_FALSE(kept.issue);
  CHECK(kept.renew_at == due);
  CHECK_FALSE(decide_leaf(w.ca.cert_pem, w.leaf, request(), due - std::chrono::seconds(1)).issue);
  auto renewed = decide_leaf(w.ca.cert_pem, w.leaf, request(), due);
  CHECK(renewed.issue);
  CHECK(renewed.reason == "due for renewal");
  // Long expired: still renewed (not reported as a broken chain).
  auto expired = decide_leaf(w.ca.cert_pem, w.leaf, request(), kNow + hours(24 * 400));
  CHECK(expired.issue);
  CHECK(expired.reason == "due for renewal");
}

TEST_CASE("a certificate from another CA is re-issued", "[unit]") {
  World w;
  const KeyPair new_ca = *create_ca("korder-ca", kNow);
  auto d = decide_leaf(new_ca.cert_pem, w.leaf, request(), kNow);
  CHECK(d.issue);
  CHECK(d.reason.find("not signed by the current CA") == 0);
}

TEST_CASE("a certificate whose names or usage differ from the request is re-issued", "[unit]") {
  World w;
  CertificateRequest more = request();
  more.dns_names.push_back("korder-quota.korder-system.svc.cluster.local");
  CHECK(decide_leaf(w.ca.cert_pem, w.leaf, more, kNow).reason == "names changed");
  CertificateRequest client = request();
  client.usage = Usage::Client;
  CHECK(decide_leaf(w.ca.cert_pem, w.leaf, client, kNow).issue);
  // The same names in another order are the same certificate.
  CertificateRequest reordered = request();
  std::swap(reordered.dns_names[0], reordered.dns_names[1]);
  CHECK_FALSE(decide_leaf(w.ca.cert_pem, w.leaf, reordered, kNow).issue);
}

TEST_CASE("an unreadable certificate or a key from another pair is re-issued", "[unit]") {
  World w;
  CHECK(decide_leaf(w.ca.cert_pem, KeyPair{"junk", w.leaf.key_pem}, request(), kNow)
            .reason.find("unreadable") == 0);
  const KeyPair other = *issue_certificate(w.ca, request(), kNow);
  CHECK(
      decide_leaf(w.ca.cert_pem, KeyPair{w.leaf.cert_pem, other.key_pem}, request(), kNow).reason ==
      "the key does not match the certificate");
}

}  // namespace
}  // namespace korder::certs
