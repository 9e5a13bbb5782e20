#pragma once

// The client side of kclient's integration tests: a real korder-devcluster process (the shared
// `korder::testing::TestCluster` fixture) and kclient's own stack in front of it, built the way a
// daemon builds it: load_kubeconfig → Transport::create → RestClient, on an io_context run by a
// background thread.

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "korder/api/order.h"
#include "korder/api/pod.h"
#include "korder/base/clock.h"
#include "korder/kclient/config.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/testing/io_thread.h"
#include "korder/kclient/transport.h"
#include "korder/kclient/typed_resources.h"
#include "process.h"
#include "test_cluster.h"

namespace korder::kclient::integration {

/// Config, io thread, transport and REST client for one kubeconfig; destroyed in reverse
/// (client, transport, then the io thread stops).
class ClusterClient {
 public:
  explicit ClusterClient(const std::string& kubeconfig, RestClientOptions options = {},
                         TransportOptions transport_options = {}) {
    auto loaded = load_kubeconfig(kubeconfig);
    INFO("loading " << kubeconfig);
    REQUIRE(loaded.has_value());
    config_ = std::move(loaded).value();
    auto made = Transport::create(io_.io(), config_, clock_, std::move(transport_options));
    REQUIRE(made.has_value());
    transport_ = std::move(made).value();
    client_ = std::make_unique<RestClient>(*transport_, clock_, nullptr, std::move(options));
  }

  RestClient& client() { return *client_; }
  RestClient* operator->() { return client_.get(); }
  Transport& transport() { return *transport_; }
  const Config& config() const { return config_; }
  boost::asio::io_context& io() { return io_.io(); }
  Clock& clock() { return clock_; }

  /// Runs `op` on the io thread and waits for its result.
  template <typename T>
  T run(boost::asio::awaitable<T> op) {
    return io_.run(std::move(op));
  }

 private:
  Config config_;
  SystemClock clock_;
  testing::IoThread io_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<RestClient> client_;
};

/// A kubeconfig for `server` (with `ca_file` when it is https), written to `path`; returns
/// `path`. For clients that reach the cluster through a proxy.
inline std::string write_kubeconfig(const std::string& path, const std::string& server,
                                    const std::string& ca_file = "") {
  std::string text =
      "apiVersion: v1\nkind: Config\nclusters:\n- name: dev\n  cluster:\n    server: " + server +
      "\n";
  if (!ca_file.empty()) {
    text += "    certificate-authority: " + ca_file + "\n";
  }
  text +=
      "users:\n- name: dev\n  user:\n    token: dev\ncontexts:\n- name: dev\n  context:\n"
      "    cluster: dev\n    user: dev\n    namespace: default\ncurrent-context: dev\n";
  korder::testing::write_file(path, text);
  return path;
}

/// A small, valid Order in `ns`.
inline api::Order make_order(const std::string& ns, const std::string& name) {
  api::Order order;
  order.api_version = "core.korder.dev/v1alpha1";
  order.kind = "Order";
  order.metadata.namespace_ = ns;
  order.metadata.name = name;
  order.spec.replicas = 2;
  order.spec.strategy.type = "OneTime";
  order.spec.template_.spec.duration = "1h";
  return order;
}

/// A pod held by a scheduling gate, so no simulated scheduler or kubelet writes it while a test
/// looks at it.
inline api::Pod make_pod(const std::string& ns, const std::string& name) {
  api::Pod pod;
  pod.api_version = "v1";
  pod.kind = "Pod";
  pod.metadata.namespace_ = ns;
  pod.metadata.name = name;
  api::Container container;
  container.name = "pause";
  container.image = "registry.k8s.io/pause:3.10";
  pod.spec.containers.push_back(container);
  api::PodSchedulingGate gate;
  gate.name = "example.com/held-by-test";
  pod.spec.scheduling_gates.push_back(gate);
  return pod;
}

/// Polls `condition` until it holds or `timeout` passes (never a fixed sleep).
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  return korder::testing::eventually(condition, timeout);
}

}  // namespace korder::kclient::integration
