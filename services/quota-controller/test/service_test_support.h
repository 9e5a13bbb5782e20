#pragma once

// An in-process quota server on 127.0.0.1:0 for the gRPC tests.

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "korder/kclient/testing/fake_clock.h"
#include "korder/quota/v1/quota.grpc.pb.h"
#include "quota_engine.h"
#include "quota_server.h"
#include "test/grpc/health/v1/health.grpc.pb.h"  // generated from test/grpc/health/v1
#include "test_support.h"

namespace korder::quota::testing {

/// A deadline for test calls, so a bug fails a test instead of hanging it.
inline void set_test_deadline(grpc::ClientContext& context,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  context.set_deadline(std::chrono::system_clock::now() + timeout);
}

/// A QuotaServer (plaintext) over `backend`, and a channel to it.
struct ServerUnderTest {
  std::unique_ptr<QuotaServer> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::QuotaService::Stub> stub;

  explicit ServerUnderTest(QuotaBackend& backend, QuotaServerOptions options = insecure()) {
    auto started = QuotaServer::start(backend, std::move(options));
    INFO((started ? "" : started.error()));
    REQUIRE(started.has_value());
    server = std::move(*started);
    channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server->port()),
                                  grpc::InsecureChannelCredentials());
    stub = v1::QuotaService::NewStub(channel);
  }

  static QuotaServerOptions insecure() {
    QuotaServerOptions options;
    options.address = "127.0.0.1:0";
    options.insecure = true;
    return options;
  }

  /// grpc.health.v1 Check of `service`.
  grpc::health::v1::HealthCheckResponse::ServingStatus health(const std::string& service) {
    auto health_stub = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext context;
    set_test_deadline(context);
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = health_stub->Check(&context, request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return response.status();
  }
};

/// An engine on a fake (thread-safe) clock.
struct EngineUnderTest {
  kclient::testing::FakeClock clock{at("2024-05-06T12:00:00Z")};
  QuotaEngine engine{clock};
};

}  // namespace korder::quota::testing
