// libs/quota-client against in-process QuotaServers: retries, deadlines, TLS with a server name,
// async calls, and following the leader when serving moves between two replicas.

#include "korder/quota_client/quota_client.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "korder/kclient/testing/temp_dir.h"
#include "korder/kclient/testing/test_certificates.h"
#include "quota_service.h"
#include "service_test_support.h"

namespace korder::quota {
namespace {

using quota_client::CallOptions;
using quota_client::QuotaClient;
using quota_client::QuotaClientOptions;
using testing::quota_from_yaml;

constexpr char kQuota[] = R"(
metadata: {name: team-quota, generation: 1}
spec:
  scope: {type: Cluster}
  hard: {tickets: "100", reserved.cpu: "2"}
)";

v1::ReserveRequest reserve_request(const std::string& name, const std::string& cpu) {
  v1::ReserveRequest request;
  request.set_operation(v1::OPERATION_CREATE);
  v1::ObjectSummary& object = *request.mutable_object();
  object.set_kind(v1::OBJECT_KIND_TICKET);
  object.set_namespace_("team-a");
  object.set_name(name);
  object.set_uid(name + "-uid");
  (*object.mutable_requests())["cpu"] = cpu;
  return request;
}

// One replica: an engine with the quota and a plaintext server, not serving until told.
struct Replica {
  testing::EngineUnderTest world;
  std::unique_ptr<QuotaServer> server;

  explicit Replica(QuotaServerOptions options = testing::ServerUnderTest::insecure()) {
    world.engine.upsert_quota(quota_from_yaml(kQuota));
    auto started = QuotaServer::start(world.engine, std::move(options));
    INFO((started ? "" : started.error()));
    REQUIRE(started.has_value());
    server = std::move(*started);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(server->port()); }
};

std::unique_ptr<QuotaClient> client_for(
    const std::string& target, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  QuotaClientOptions options;
  options.target = target;
  options.insecure = true;
  options.default_timeout = timeout;
  auto client = QuotaClient::create(options);
  INFO((client ? "" : client.error()));
  REQUIRE(client.has_value());
  return std::move(*client);
}

TEST_CASE(
    "calls reach only the serving replica of an address list and follow it when serving "
    "moves",
    "[integration]") {
  Replica a;
  Replica b;
  a.server->set_serving(true);
  auto client = client_for("ipv4:" + a.address() + "," + b.address());

  for (int i = 0; i < 6; ++i) {
    auto reserved = client->reserve(reserve_request("t" + std::to_string(i), "100m"));
    INFO((reserved ? "" : reserved.error().to_string()));
    REQUIRE(reserved.has_value());
    CHECK(reserved->allowed());
  }
  CHECK(a.world.engine.hold_count() == 6);
  CHECK(b.world.engine.hold_count() == 0);

  // Leadership moves: a stops serving, b starts a moment later. Calls in between wait (or retry
  // an UNAVAILABLE answer) within their deadline and land on b.
  a.server->set_serving(false);
  std::jthread promote([&b] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    b.server->set_serving(true);
  });
  for (int i = 0; i < 6; ++i) {
    auto reserved = client->reserve(reserve_request("u" + std::to_string(i), "100m"));
    INFO((reserved ? "" : reserved.error().to_string()));
    REQUIRE(reserved.has_value());
    CHECK(reserved->allowed());
  }
  CHECK(a.world.engine.hold_count() == 6);
  CHECK(b.world.engine.hold_count() == 6);
}

TEST_CASE("with no serving replica a call fails at its deadline with a clear message",
          "[integration]") {
  Replica a;  // never serving
  auto client = client_for("ipv4:" + a.address(), std::chrono::milliseconds(400));
  const auto start = std::chrono::steady_clock::now();
  auto listed = client->list_quotas();
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(listed.has_value());
  CHECK(listed.error().unreachable());
  CHECK(listed.error().message.find("ipv4:" + a.address()) != std::string::npos);
  CHECK(took >= std::chrono::milliseconds(350));
  CHECK(took < std::chrono::seconds(5));
}

// A service whose health says SERVING but whose ListQuotas answers UNAVAILABLE a few times (a
// replica that just lost leadership before its health status changed).
class FlakyService final : public v1::QuotaService::CallbackService {
 public:
  explicit FlakyService(int failures) : failures_(failures) {}
  grpc::ServerUnaryReactor* ListQuotas(grpc::CallbackServerContext* context,
                                       const v1::ListQuotasRequest*,
                                       v1::ListQuotasResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    ++calls;
    if (failures_-- > 0) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "not the leader"));
    } else {
      response->add_quotas()->set_name("team-quota");
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }
  std::atomic<int> calls{0};

 private:
  std::atomic<int> failures_;
};

TEST_CASE("a replica that answers UNAVAILABLE is retried with backoff within the deadline",
          "[integration]") {
  FlakyService service(3);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  REQUIRE(server != nullptr);
  server->GetHealthCheckService()->SetServingStatus(std::string(kQuotaServiceName), true);

  auto client = client_for("127.0.0.1:" + std::to_string(port));
  auto listed = client->list_quotas();
  INFO((listed ? "" : listed.error().to_string()));
  REQUIRE(listed.has_value());
  CHECK(listed->quotas_size() == 1);
  CHECK(service.calls == 4);

  // Within a deadline too short for the retries, the UNAVAILABLE answer is returned.
  FlakyService always(1000);
  grpc::ServerBuilder builder2;
  int port2 = 0;
  builder2.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port2);
  builder2.RegisterService(&always);
  std::unique_ptr<grpc::Server> server2 = builder2.BuildAndStart();
  server2->GetHealthCheckService()->SetServingStatus(std::string(kQuotaServiceName), true);
  auto short_client =
      client_for("127.0.0.1:" + std::to_string(port2), std::chrono::milliseconds(300));
  auto failed = short_client->list_quotas();
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == static_cast<int>(grpc::StatusCode::UNAVAILABLE));
  CHECK(always.calls > 1);
  server->Shutdown();
  server2->Shutdown();
}

TEST_CASE("status codes other than UNAVAILABLE are returned at once", "[integration]") {
  Replica a;
  a.server->set_serving(true);
  auto client = client_for(a.address());
  v1::GetUsageRequest request;
  request.set_quota("nope");
  auto usage = client->get_usage(request);
  REQUIRE_FALSE(usage.has_value());
  CHECK(usage.error().not_found());

  auto invalid = client->reserve(reserve_request("", "1"));
  REQUIRE_FALSE(invalid.has_value());
  CHECK(invalid.error().invalid_argument());
  CHECK(invalid.error().message.find("object.name") != std::string::npos);
}

TEST_CASE("async calls deliver the decision, and denials are answers, not errors",
          "[integration]") {
  Replica a;
  a.server->set_serving(true);
  auto client = client_for(a.address());
  std::promise<quota_client::Result<v1::ReserveResponse>> allowed;
  client->async_reserve(reserve_request("t1", "1500m"), CallOptions{},
                        [&allowed](auto result) { allowed.set_value(std::move(result)); });
  auto first = allowed.get_future().get();
  REQUIRE(first.has_value());
  CHECK(first->allowed());

  std::promise<quota_client::Result<v1::CheckResponse>> denied;
  v1::CheckRequest check;
  check.set_operation(v1::OPERATION_CREATE);
  *check.mutable_object() = reserve_request("t2", "1").object();
  client->async_check(check, CallOptions{},
                      [&denied](auto result) { denied.set_value(std::move(result)); });
  auto second = denied.get_future().get();
  REQUIRE(second.has_value());
  CHECK_FALSE(second->allowed());
  CHECK(second->message() ==
        "korder quota exceeded: quota \"team-quota\": reserved.cpu: requested 1, used 1500m, "
        "limit 2");
}

TEST_CASE("an async call waits for a replica to serve within its deadline", "[integration]") {
  Replica a;
  Replica b;
  auto client = client_for("ipv4:" + a.address() + "," + b.address());
  std::jthread promote([&b] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    b.server->set_serving(true);
  });
  std::promise<quota_client::Result<v1::ReserveResponse>> done;
  client->async_reserve(reserve_request("t1", "100m"), CallOptions{std::chrono::seconds(10)},
                        [&done](auto result) { done.set_value(std::move(result)); });
  auto result = done.get_future().get();
  INFO((result ? "" : result.error().to_string()));
  REQUIRE(result.has_value());
  CHECK(b.world.engine.hold_count() == 1);
}

TEST_CASE(
    "TLS verifies the server under the name given, and mutual TLS presents the client "
    "certificate",
    "[integration]") {
  const auto certs =
      kclient::testing::make_test_certificates({"korder-quota.korder-system.svc"}, {});
  kclient::testing::TempDir dir;
  QuotaServerOptions server_options;
  server_options.address = "127.0.0.1:0";
  server_options.tls_cert_file = dir.write("tls.crt", certs.server_cert_pem);
  server_options.tls_key_file = dir.write("tls.key", certs.server_key_pem);
  server_options.client_ca_file = dir.write("ca.crt", certs.ca_pem);
  Replica a(server_options);
  a.server->set_serving(true);

  QuotaClientOptions options;
  options.target = "ipv4:" + a.address();
  options.ca_file = dir.write("client-ca.crt", certs.ca_pem);
  options.client_cert_file = dir.write("client.crt", certs.client_cert_pem);
  options.client_key_file = dir.write("client.key", certs.client_key_pem);
  options.server_name = "korder-quota.korder-system.svc";
  options.default_timeout = std::chrono::seconds(5);
  auto good = QuotaClient::create(options);
  REQUIRE(good.has_value());
  auto listed = (*good)->list_quotas();
  INFO((listed ? "" : listed.error().to_string()));
  REQUIRE(listed.has_value());
  CHECK(listed->quotas_size() == 1);

  options.server_name = "someone-else.example";
  options.default_timeout = std::chrono::milliseconds(500);
  auto wrong_name = QuotaClient::create(options);
  REQUIRE(wrong_name.has_value());
  auto refused = (*wrong_name)->list_quotas();
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().unreachable());
}

TEST_CASE("client options that contradict each other are refused", "[unit]") {
  QuotaClientOptions options;
  CHECK_FALSE(QuotaClient::create(options).has_value());  // no target
  options.target = "127.0.0.1:1";
  options.insecure = true;
  options.ca_file = "/nonexistent";
  CHECK_FALSE(QuotaClient::create(options).has_value());
  options.insecure = false;
  options.ca_file = "/nonexistent/ca.crt";
  auto missing = QuotaClient::create(options);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().find("/nonexistent/ca.crt") != std::string::npos);
  options.ca_file.clear();
  options.client_cert_file = "/x.crt";
  CHECK_FALSE(QuotaClient::create(options).has_value());
}

}  // namespace
}  // namespace korder::quota
