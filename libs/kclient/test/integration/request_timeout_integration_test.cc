// The REST client's request timeout against the development cluster behind a proxy that can
// hang: a call to a server that stops answering ends with a Timeout instead of blocking its
// worker, and the client works again once the server answers.

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "cluster_client.h"
#include "korder/api/namespace.h"
#include "tcp_proxy.h"

namespace korder::kclient::integration {
namespace {

using namespace std::chrono_literals;
using korder::testing::TestCluster;
using Steady = std::chrono::steady_clock;

TEST_CASE(
    "a call to an API server that stops answering fails with a Timeout after the request "
    "timeout",
    "[integration]") {
  TestCluster cluster;
  TcpProxy proxy(korder::testing::port_of(cluster.https_url()));
  RestClientOptions options;
  options.request_timeout = 1s;
  ClusterClient c(
      write_kubeconfig(cluster.dir() + "/kubeconfig-proxied",
                       "https://127.0.0.1:" + std::to_string(proxy.port()), cluster.ca_file()),
      options);
  REQUIRE(c->get<api::Namespace>("", "default").has_value());

  proxy.stall();
  const auto accepted = proxy.connections_accepted();
  const auto start = Steady::now();
  auto hung = c->get<api::Namespace>("", "default");
  const auto elapsed = Steady::now() - start;
  REQUIRE_FALSE(hung.has_value());
  CHECK(hung.error().is_timeout());
  CHECK(hung.error().code() == 0);  // the client gave up: no answer from the server
  CHECK(elapsed >= 900ms);
  CHECK(elapsed < 3s);
  CHECK(proxy.connections_accepted() == accepted + 1);  // a timeout is not retried

  // The awaitable form is bounded the same way.
  const auto async_start = Steady::now();
  auto async_hung = c.run(c->async_list<api::Namespace>(""));
  REQUIRE_FALSE(async_hung.has_value());
  CHECK(async_hung.error().is_timeout());
  CHECK(Steady::now() - async_start < 3s);

  proxy.restore();
  auto answered = c->get<api::Namespace>("", "default");
  REQUIRE(answered.has_value());
  CHECK(answered->metadata.name == "default");
}

}  // namespace
}  // namespace korder::kclient::integration
