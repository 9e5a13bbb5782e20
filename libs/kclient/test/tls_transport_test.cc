#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/testing/scripted_api_server.h"
#include "korder/kclient/testing/test_certificates.h"
#include "korder/kclient/transport.h"

namespace korder::kclient {
namespace {

using testing::ExpectedRequest;
using testing::IoThread;
using testing::ScriptedApiServer;
using testing::ScriptedResponse;
using testing::ScriptedTls;
using testing::TestCertificates;

HttpRequest get_version() {
  HttpRequest request;
  request.target = "/version";
  request.idempotent = true;
  return request;
}

// Sends GET /version to `server` with `config` and returns the outcome.
Expected<HttpResponse, ApiError> call(const Config& config) {
  IoThread io;
  SystemClock clock;
  auto transport = Transport::create(io.io(), config, clock);
  REQUIRE(transport.has_value());
  return io.run((*transport)->async_request(get_version()));
}

ScriptedResponse version() { return ScriptedResponse::json(200, R"({"major":"1","minor":"32"})"); }

TEST_CASE("TLS succeeds when the server's certificate chains to the configured CA",
          "[integration][kclient]") {
  const TestCertificates certs = testing::make_test_certificates();
  ScriptedApiServer server(ScriptedTls{certs.server_cert_pem, certs.server_key_pem, ""});
  server.expect(ExpectedRequest("GET", "/version"), version());
  server.expect(ExpectedRequest("GET", "/version"), version());
  Config config = server.config();
  config.tls.ca_pem = certs.ca_pem;
  IoThread io;
  SystemClock clock;
  auto transport = Transport::create(io.io(), config, clock);
  REQUIRE(transport.has_value());
  for (int i = 0; i < 2; ++i) {
    auto response = io.run((*transport)->async_request(get_version()));
    REQUIRE(response.has_value());
    CHECK(response->status == 200);
  }
  CHECK(server.connections_accepted() == 1);  // keep-alive works over TLS too
  CHECK(server.failures() == std::vector<std::string>{});
}

TEST_CASE("TLS fails against the system roots or another CA", "[integration][kclient]") {
  const TestCertificates certs = testing::make_test_certificates();
  ScriptedApiServer server(ScriptedTls{certs.server_cert_pem, certs.server_key_pem, ""});
  for (const std::string& ca : {std::string(), certs.other_ca_pem}) {
    Config config = server.config();
    config.tls.ca_pem = ca;
    auto response = call(config);
    REQUIRE_FALSE(response.has_value());
    CHECK(response.error().is_transport());
    CHECK(response.error().message() ==
          "TLS handshake with " + config.url.authority() +
              ": certificate verify failed: unable to get local issuer certificate");
  }
  CHECK(server.requests().empty());
}

TEST_CASE("TLS checks the server's name, or the tls-server-name override",
          "[integration][kclient]") {
  const TestCertificates certs = testing::make_test_certificates({"api.korder.test"}, {});
  ScriptedApiServer server(ScriptedTls{certs.server_cert_pem, certs.server_key_pem, ""});
  server.expect(ExpectedRequest("GET", "/version"), version());
  Config config = server.config();
  config.tls.ca_pem = certs.ca_pem;

  // 127.0.0.1 is not in the certificate.
  auto by_address = call(config);
  REQUIRE_FALSE(by_address.has_value());
  CHECK(by_address.error().message() == "TLS handshake with " + config.url.authority() +
                                            ": certificate verify failed: IP address mismatch");

  config.tls.server_name = "other.korder.test";
  auto wrong_name = call(config);
  REQUIRE_FALSE(wrong_name.has_value());
  CHECK(wrong_name.error().message() == "TLS handshake with " + config.url.authority() +
                                            ": certificate verify failed: hostname mismatch");

  config.tls.server_name = "api.korder.test";
  auto right_name = call(config);
  REQUIRE(right_name.has_value());
  CHECK(right_name->status == 200);
}

TEST_CASE("insecure-skip-tls-verify connects without checking the server",
          "[integration][kclient]") {
  const TestCertificates certs = testing::make_test_certificates({"elsewhere.test"}, {});
  ScriptedApiServer server(ScriptedTls{certs.server_cert_pem, certs.server_key_pem, ""});
  server.expect(ExpectedRequest("GET", "/version"), version());
  Config config = server.config();
  config.tls.insecure_skip_verify = true;
  auto response = call(config);
  REQUIRE(response.has_value());
  CHECK(response->status == 200);
}

TEST_CASE("a client certificate is presented when the server asks for one",
          "[integration][kclient]") {
  const TestCertificates certs = testing::make_test_certificates();
  ScriptedApiServer server(ScriptedTls{certs.server_cert_pem, certs.server_key_pem, certs.ca_pem});
  server.expect(ExpectedRequest("GET", "/version"), version());
  Config config = server.config();
  config.tls.ca_pem = certs.ca_pem;

  auto without = call(config);
  REQUIRE_FALSE(without.has_value());
  CHECK(without.error().is_transport());
  CHECK(server.failed_handshakes() == 1);

  config.tls.client_cert_pem = certs.client_cert_pem;
  config.tls.client_key_pem = certs.client_key_pem;
  auto with = call(config);
  REQUIRE(with.has_value());
  CHECK(with->status == 200);
  CHECK(server.failures() == std::vector<std::string>{});
}

TEST_CASE("TLS material OpenSSL rejects is a configuration error", "[integration][kclient]") {
  const TestCertificates certs = testing::make_test_certificates();
  const TestCertificates others = testing::make_test_certificates();
  IoThread io;
  SystemClock clock;
  Config config;
  config.server = "https://127.0.0.1:6443";
  config.url = parse_server_url(config.server).value();

  config.tls.ca_pem = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  auto bad_ca = Transport::create(io.io(), config, clock);
  REQUIRE_FALSE(bad_ca.has_value());
  CHECK(bad_ca.error().message.rfind("tls: certificate authority: ", 0) == 0);

  config.tls.ca_pem = certs.ca_pem;
  config.tls.client_cert_pem = certs.client_cert_pem;
  config.tls.client_key_pem = others.client_key_pem;
  auto mismatch = Transport::create(io.io(), config, clock);
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(mismatch.error().message.rfind("tls: client key", 0) == 0);
}

}  // namespace
}  // namespace korder::kclient
