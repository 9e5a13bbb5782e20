// Against the development cluster: replicas racing to create korder-ca all end with one CA, and
// the caBundle of the webhook configurations is patched once and then left alone.

#include <catch2/catch.hpp>
#include <latch>
#include <thread>

#include "korder/api/base64.h"
#include "korder/api/json.h"
#include "korder/base/clock.h"
#include "korder/certs/bootstrap_client.h"
#include "korder/certs/ca_bundle.h"
#include "korder/certs/ca_secret.h"
#include "korder/certs/certificate_authority.h"
#include "korder/kclient/config.h"
#include "korder/kclient/resource_ref.h"
#include "korder/kclient/rest_client.h"
#include "process.h"
#include "test_cluster.h"

namespace korder::certs {
namespace {

kclient::Config load(const korder::testing::TestCluster& cluster) {
  auto config = kclient::load_kubeconfig(cluster.kubeconfig());
  REQUIRE(config.has_value());
  return std::move(config).value();
}

// GETs a configuration as a DOM.
api::JsonDocument get_configuration(kclient::RestClient& client, const std::string& resource,
                                    const std::string& name) {
  const kclient::ResourceRef ref("admissionregistration.k8s.io", "v1", resource, false);
  auto got = client.get(ref, "", name);
  REQUIRE(got.has_value());
  api::JsonDocument doc;
  REQUIRE(api::parse_json(*got, doc).has_value());
  return doc;
}

TEST_CASE("replicas racing to create korder-ca all end with the same CA", "[integration]") {
  korder::testing::TestCluster cluster;
  const kclient::Config config = load(cluster);
  SystemClock clock;
  constexpr int kReplicas = 3;
  for (int round = 0; round < 4; ++round) {
    const CaSecretRef ref{"korder-system", "korder-ca-" + std::to_string(round)};
    std::vector<Expected<LoadedCa, std::string>> results(kReplicas,
                                                         Unexpected(std::string("not run")));
    std::latch start(kReplicas);
    std::vector<std::thread> replicas;
    for (int i = 0; i < kReplicas; ++i) {
      replicas.emplace_back([&, i] {
        auto done = with_bootstrap_client(config, clock, [&](kclient::RestClient& client) {
          RestSecretClient secrets(client);
          start.arrive_and_wait();  // every replica finds the Secret missing at about once
          results[i] = ensure_ca(secrets, ref, clock.now());
          return Expected<void, std::string>();
        });
        if (!done) {
          results[i] = Unexpected(done.error());
        }
      });
    }
    for (auto& t : replicas) {
      t.join();
    }
    int created = 0;
    for (const auto& result : results) {
      INFO("round " << round);
      REQUIRE(result.has_value());
      CHECK(result->ca == results[0]->ca);
      created += result->created ? 1 : 0;
    }
    CHECK(created == 1);
    // What the cluster stores is that CA.
    auto stored = with_bootstrap_client(config, clock, [&](kclient::RestClient& client) {
      RestSecretClient secrets(client);
      auto got = secrets.get(ref);
      REQUIRE(got.has_value());
      auto ca = parse_ca_secret(ref, *got);
      REQUIRE(ca.has_value());
      CHECK(*ca == results[0]->ca);
      return Expected<void, std::string>();
    });
    CHECK(stored.has_value());
  }
}

TEST_CASE("the caBundle of every korder webhook is patched once and then left alone",
          "[integration]") {
  korder::testing::TestCluster cluster;
  const auto applied = cluster.kubectl(
      {"apply", "-f",
       korder::testing::source_dir() + "/deploy/webhook/webhook-configurations.yaml"});
  REQUIRE(applied.exit_code == 0);
  const kclient::Config config = load(cluster);
  SystemClock clock;
  const KeyPair ca = *create_ca("korder-ca", clock.now());
  auto done = with_bootstrap_client(config, clock, [&](kclient::RestClient& client) {
    CaBundleReconciler reconciler(
        client, [&ca] { return ca.cert_pem; }, std::chrono::seconds(30));
    for (const auto& request : {mutating_configuration("korder-admission-webhook"),
                                validating_configuration("korder-admission-webhook")}) {
      INFO(request.to_string());
      auto first = reconciler.reconcile(request);
      REQUIRE(first.has_value());
      CHECK(*first == kclient::ReconcileResult::requeue_after(std::chrono::seconds(30)));
      const auto patched = get_configuration(client, request.namespace_, request.name);
      const std::string version = patched["metadata"]["resourceVersion"].GetString();
      REQUIRE(patched["webhooks"].Size() > 0);
      for (const auto& webhook : patched["webhooks"].GetArray()) {
        REQUIRE(webhook["clientConfig"].HasMember("caBundle"));
        CHECK(std::string(webhook["clientConfig"]["caBundle"].GetString()) ==
              api::base64_encode(ca.cert_pem));
        // Nothing else of the clientConfig was touched.
        CHECK(std::string(webhook["clientConfig"]["service"]["name"].GetString()) ==
              "korder-webhook");
      }
      // The second pass finds it current and writes nothing.
      REQUIRE(reconciler.reconcile(request).has_value());
      const auto again = get_configuration(client, request.namespace_, request.name);
      CHECK(std::string(again["metadata"]["resourceVersion"].GetString()) == version);
    }
    // Not installed: checked again later, not an error.
    auto missing = reconciler.reconcile(mutating_configuration("not-installed"));
    REQUIRE(missing.has_value());
    CHECK(*missing == kclient::ReconcileResult::requeue_after(std::chrono::seconds(30)));
    return Expected<void, std::string>();
  });
  CHECK(done.has_value());
  // A second `kubectl apply` of install's configurations (no caBundle) changes nothing.
  const auto reapplied = cluster.kubectl(
      {"apply", "-f",
       korder::testing::source_dir() + "/deploy/webhook/webhook-configurations.yaml"});
  REQUIRE(reapplied.exit_code == 0);
  CHECK(reapplied.out.find("unchanged") != std::string::npos);
}

}  // namespace
}  // namespace korder::certs
