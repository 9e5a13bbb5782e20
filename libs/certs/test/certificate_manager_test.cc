// CertificateManager: files written once, rotation at 2/3 of the lifetime and on a new CA,
// driven by a fake clock (also through its own thread).

#include "korder/certs/certificate_manager.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "fake_secret_client.h"
#include "korder/kclient/testing/eventually.h"
#include "korder/kclient/testing/fake_clock.h"
#include "korder/kclient/testing/temp_dir.h"

namespace korder::certs {
namespace {

using std::chrono::hours;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

struct Fixture {
  kclient::testing::FakeClock clock;
  kclient::testing::TempDir dir;
  testing::FakeSecretClient secrets;
  std::string file(const char* name) const { return (dir.path() / name).string(); }

  CertificateManagerConfig config() const {
    CertificateManagerConfig c;
    c.ca_file = file("ca.crt");
    c.check_interval = std::chrono::minutes(1);
    c.leaves.push_back(
        LeafCertificate{"serving", file("tls.crt"), file("tls.key"),
                        serving_request("korder-webhook", "korder-system", hours(24 * 90))});
    CertificateRequest client;
    client.common_name = "korder-admission-webhook";
    client.usage = Usage::Client;
    client.validity = hours(24 * 30);
    c.leaves.push_back(
        LeafCertificate{"quota-client", file("client.crt"), file("client.key"), client});
    return c;
  }
};

TEST_CASE("the first pass creates the CA and writes the CA file and every certificate", "[unit]") {
  Fixture f;
  CertificateManager manager(f.config(), f.clock);
  std::vector<std::string> changes;
  manager.on_ca_changed([&changes](const std::string& ca) { changes.push_back(ca); });
  auto next = manager.sync(f.secrets);
  REQUIRE(next.has_value());
  CHECK(f.secrets.creates == 1);
  const std::string ca = slurp(f.file("ca.crt"));
  CHECK(ca == manager.ca_pem());
  CHECK(changes == std::vector<std::string>{ca});
  CHECK(manager.issued() == 2);
  CHECK(verify_certificate(ca, slurp(f.file("tls.crt")), Usage::Server, f.clock.now(),
                           "korder-webhook.korder-system.svc")
            .has_value());
  CHECK(verify_certificate(ca, slurp(f.file("client.crt")), Usage::Client, f.clock.now())
            .has_value());
  CHECK(check_key_pair(KeyPair{slurp(f.file("tls.crt")), slurp(f.file("tls.key"))}).has_value());
  CHECK(mode_of(f.file("tls.key")) == 0600);
  CHECK(mode_of(f.file("client.key")) == 0600);
  CHECK(mode_of(f.file("tls.crt")) == 0644);
  // Nothing falls due within the check interval: the next pass is one interval away.
  CHECK(*next == f.clock.now() + std::chrono::minutes(1));
}

TEST_CASE("a second pass keeps current certificates and their files untouched", "[unit]") {
  Fixture f;
  CertificateManager manager(f.config(), f.clock);
  REQUIRE(manager.sync(f.secrets).has_value());
  const std::string cert = slurp(f.file("tls.crt"));
  f.clock.advance(hours(24));
  REQUIRE(manager.sync(f.secrets).has_value());
  CHECK(manager.issued() == 2);
  CHECK(slurp(f.file("tls.crt")) == cert);
  CHECK(f.secrets.creates == 1);
}

TEST_CASE("a certificate is renewed once 2/3 of its lifetime has passed, the others kept",
          "[unit]") {
  Fixture f;
  CertificateManager manager(f.config(), f.clock);
  REQUIRE(manager.sync(f.secrets).has_value());
  const std::string serving = slurp(f.file("tls.crt"));
  const std::string client = slurp(f.file("client.crt"));
  // The 30-day client certificate falls due after 20 days; the 90-day one after 60.
  f.clock.advance(hours(24 * 20));
  REQUIRE(manager.sync(f.secrets).has_value());
  CHECK(manager.issued() == 3);
  CHECK(slurp(f.file("tls.crt")) == serving);
  CHECK(slurp(f.file("client.crt")) != client);
  f.clock.advance(hours(24 * 40));
  REQUIRE(manager.sync(f.secrets).has_value());
  CHECK(slurp(f.file("tls.crt")) != serving);
  auto info = inspect_certificate(slurp(f.file("tls.crt")));
  REQUIRE(info.has_value());
  CHECK(info->not_after == f.clock.now() + hours(24 * 90));
}

TEST_CASE("a new CA in the Secret re-issues every certificate and is reported", "[unit]") {
  Fixture f;
  CertificateManager manager(f.config(), f.clock);
  int changes = 0;
  manager.on_ca_changed([&changes](const std::string&) { ++changes; });
  REQUIRE(manager.sync(f.secrets).has_value());
  const std::string old_ca = manager.ca_pem();
  f.secrets.stored.reset();  // someone deleted korder-ca; the next pass makes a new CA
  REQUIRE(manager.sync(f.secrets).has_value());
  CHECK(manager.ca_pem() != old_ca);
  CHECK(changes == 2);
  CHECK(manager.issued() == 4);
  CHECK(verify_certificate(manager.ca_pem(), slurp(f.file("tls.crt")), Usage::Server, f.clock.now())
            .has_value());
}

TEST_CASE("a pass fails with the reason when the CA Secret cannot be read", "[unit]") {
  Fixture f;
  CertificateManager manager(f.config(), f.clock);
  f.secrets.get_error = kclient::ApiError::transport("connecting to 10.0.0.1:443: refused");
  auto next = manager.sync(f.secrets);
  REQUIRE_FALSE(next.has_value());
  CHECK(next.error().find("getting secret korder-system/korder-ca") == 0);
  CHECK(manager.ca_pem().empty());
}

TEST_CASE("the manager's thread renews when the clock reaches the renewal time", "[unit]") {
  Fixture f;
  CertificateManager manager(f.config(), f.clock);
  manager.start(f.secrets);
  CHECK(kclient::testing::eventually([&] { return manager.issued() == 2; }));
  f.clock.advance(hours(24 * 20));
  CHECK(kclient::testing::eventually([&] { return manager.issued() == 3; }));
  manager.stop();
  manager.stop();  // idempotent
}

TEST_CASE("an invalid configuration lists every problem", "[unit]") {
  CertificateManagerConfig config;
  config.ca_secret.name = "";
  config.leaves.push_back(LeafCertificate{"serving", "", "", CertificateRequest()});
  config.leaves.back().request.validity = std::chrono::seconds(1);
  config.check_interval = std::chrono::nanoseconds::zero();
  CHECK(config.validate().size() == 5);
}

}  // namespace
}  // namespace korder::certs
