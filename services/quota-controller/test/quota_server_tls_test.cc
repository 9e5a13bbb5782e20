// QuotaServer: TLS, mutual TLS, option errors, reflection.

#include <grpcpp/generic/generic_stub.h>

#include <catch2/catch.hpp>

#include "korder/kclient/testing/eventually.h"
#include "korder/kclient/testing/temp_dir.h"
#include "korder/kclient/testing/test_certificates.h"
#include "quota_server.h"
#include "service_test_support.h"

namespace korder::quota {
namespace {

using kclient::testing::TempDir;
using kclient::testing::TestCertificates;
using testing::set_test_deadline;

struct TlsFixture {
  testing::EngineUnderTest world;
  TestCertificates certs =
      kclient::testing::make_test_certificates({"korder-quota.korder-system.svc"});
  TempDir dir;
  QuotaServerOptions options;

  TlsFixture() {
    options.address = "127.0.0.1:0";
    options.tls_cert_file = dir.write("tls.crt", certs.server_cert_pem);
    options.tls_key_file = dir.write("tls.key", certs.server_key_pem);
  }

  // Lists quotas through a TLS channel that verifies `korder-quota.korder-system.svc` (as
  // `--quota-server-name` sets it) against `ca`, presenting the client certificate if asked.
  grpc::Status call(int port, const std::string& ca, bool client_cert) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ca;
    if (client_cert) {
      ssl.pem_private_key = certs.client_key_pem;
      ssl.pem_cert_chain = certs.client_cert_pem;
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("korder-quota.korder-system.svc");
    auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                             grpc::SslCredentials(ssl), args);
    auto stub = v1::QuotaService::NewStub(channel);
    grpc::ClientContext context;
    set_test_deadline(context, std::chrono::seconds(5));
    v1::ListQuotasResponse response;
    return stub->ListQuotas(&context, v1::ListQuotasRequest(), &response);
  }
};

TEST_CASE("the quota service serves TLS with the certificate from its files", "[integration]") {
  TlsFixture f;
  auto server = QuotaServer::start(f.world.engine, f.options);
  REQUIRE(server.has_value());
  (*server)->set_serving(true);
  CHECK(f.call((*server)->port(), f.certs.ca_pem, false).ok());
  // A client that trusts another CA refuses the server.
  CHECK(f.call((*server)->port(), f.certs.other_ca_pem, false).error_code() ==
        grpc::StatusCode::UNAVAILABLE);
  // A plaintext client cannot talk to it.
  auto plain = v1::QuotaService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string((*server)->port()), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  set_test_deadline(context, std::chrono::seconds(5));
  v1::ListQuotasResponse response;
  CHECK_FALSE(plain->ListQuotas(&context, v1::ListQuotasRequest(), &response).ok());
}

TEST_CASE("with a client CA the quota service requires a client certificate from it",
          "[integration]") {
  TlsFixture f;
  f.options.client_ca_file = f.dir.write("client-ca.crt", f.certs.ca_pem);
  auto server = QuotaServer::start(f.world.engine, f.options);
  REQUIRE(server.has_value());
  (*server)->set_serving(true);
  CHECK(f.call((*server)->port(), f.certs.ca_pem, true).ok());
  CHECK(f.call((*server)->port(), f.certs.ca_pem, false).error_code() ==
        grpc::StatusCode::UNAVAILABLE);
}

TEST_CASE("a rotated certificate in the files is served without a restart", "[integration]") {
  TlsFixture f;
  f.options.cert_refresh_interval = std::chrono::seconds(1);
  auto server = QuotaServer::start(f.world.engine, f.options);
  REQUIRE(server.has_value());
  (*server)->set_serving(true);
  REQUIRE(f.call((*server)->port(), f.certs.ca_pem, false).ok());
  // New files from another CA (the key first, as CertificateManager writes them): new
  // handshakes present the new certificate once the file watcher has read them.
  const TestCertificates rotated =
      kclient::testing::make_test_certificates({"korder-quota.korder-system.svc"});
  f.dir.write("tls.key", rotated.server_key_pem);
  f.dir.write("tls.crt", rotated.server_cert_pem);
  CHECK(kclient::testing::eventually(
      [&] { return f.call((*server)->port(), rotated.ca_pem, false).ok(); },
      std::chrono::seconds(10)));
  CHECK(f.call((*server)->port(), f.certs.ca_pem, false).error_code() ==
        grpc::StatusCode::UNAVAILABLE);
}

TEST_CASE("bad server options stop startup with one clear message", "[integration]") {
  TlsFixture f;
  struct Case {
    QuotaServerOptions options;
    std::string message;
  };
  QuotaServerOptions no_tls;
  no_tls.address = "127.0.0.1:0";
  QuotaServerOptions both = f.options;
  both.insecure = true;
  QuotaServerOptions missing = f.options;
  missing.tls_key_file = (f.dir.path() / "nope.key").string();
  QuotaServerOptions bad_address = testing::ServerUnderTest::insecure();
  bad_address.address = "256.0.0.1:1";
  const Case cases[] = {
      {no_tls,
       "the quota service needs --tls-cert-file and --tls-key-file (or --insecure for "
       "plaintext)"},
      {both,
       "--insecure serves plaintext: it cannot be combined with --tls-cert-file, "
       "--tls-key-file or --client-ca-file"},
      {missing, "reading --tls-key-file " + missing.tls_key_file + ": No such file or directory"},
      {bad_address, "cannot serve gRPC on 256.0.0.1:1 (address in use or invalid?)"},
  };
  for (const Case& c : cases) {
    auto server = QuotaServer::start(f.world.engine, c.options);
    REQUIRE_FALSE(server.has_value());
    CHECK(server.error() == c.message);
  }
}

TEST_CASE("server reflection lists the quota service", "[integration]") {
  testing::EngineUnderTest world;
  testing::ServerUnderTest grpc(world.engine);
  // grpc.reflection.v1alpha.ServerReflectionRequest{list_services: ""}, encoded by hand:
  // field 7, length-delimited, empty.
  const std::string request("\x3a\x00", 2);
  grpc::GenericStub stub(grpc.channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  set_test_deadline(context);
  auto call = stub.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  const auto step = [&](void* expected) {
    REQUIRE(cq.Next(&tag, &ok));
    CHECK(tag == expected);
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  REQUIRE(step(reinterpret_cast<void*>(1)));
  grpc::Slice slice(request);
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  REQUIRE(step(reinterpret_cast<void*>(2)));
  call->WritesDone(reinterpret_cast<void*>(3));
  REQUIRE(step(reinterpret_cast<void*>(3)));
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(4));
  REQUIRE(step(reinterpret_cast<void*>(4)));
  std::vector<grpc::Slice> slices;
  REQUIRE(in.Dump(&slices).ok());
  std::string response;
  for (const grpc::Slice& s : slices) {
    response.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  CHECK(response.find("korder.quota.v1.QuotaService") != std::string::npos);
  CHECK(response.find("grpc.health.v1.Health") != std::string::npos);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(reinterpret_cast<void*>(5));
  CHECK(status.ok());
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace
}  // namespace korder::quota
