// Throttling, server errors and stalls injected by the development cluster (`/admin/faults`,
// `/admin/stall`): the REST client waits out a 429's Retry-After, retries a 500 only on
// idempotent calls, and gives up on a stalled call at its request timeout.
//
// The cluster's faults are deterministic: of the requests matching a rule, the n-th fails when
// floor(n * fraction) grows, so with fraction 0.5 the 2nd, 4th, 6th... fail.

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <string>

#include "cluster_client.h"
#include "korder/api/namespace.h"
#include "korder/api/pod.h"

namespace korder::kclient::integration {
namespace {

using namespace std::chrono_literals;
using korder::testing::TestCluster;
using Steady = std::chrono::steady_clock;

const std::string kPods = "/api/v1/namespaces/default/pods";

std::string fault(double fraction, int code, int retry_after = 1) {
  return R"({"fraction":)" + std::to_string(fraction) + R"(,"code":)" + std::to_string(code) +
         R"(,"retryAfter":)" + std::to_string(retry_after) + R"(,"pathPrefix":")" + kPods + R"("})";
}

RestClientOptions fast_backoff(int max_retries = 4) {
  RestClientOptions options;
  options.retry.max_retries = max_retries;
  options.retry.initial_backoff = 50ms;
  options.retry.max_backoff = 100ms;
  return options;
}

TEST_CASE("a 429 is retried after its Retry-After and succeeds once the faults are cleared",
          "[integration]") {
  TestCluster cluster;
  ClusterClient c(cluster.plain_kubeconfig());
  REQUIRE(c->create(make_pod("default", "p")).has_value());

  REQUIRE(cluster.admin("/admin/faults", fault(0.5, 429, 1)).status == 200);
  auto start = Steady::now();
  REQUIRE(c->get<api::Pod>("default", "p").has_value());  // 1st: passes
  CHECK(Steady::now() - start < 900ms);
  start = Steady::now();
  auto waited = c->get<api::Pod>("default", "p");  // 2nd: 429, then the 3rd passes
  REQUIRE(waited.has_value());
  CHECK(Steady::now() - start >= 1s);

  // Without retries the throttling comes back as a value with the server's Retry-After.
  RestClientOptions no_retries;
  no_retries.retry.max_retries = 0;
  ClusterClient impatient(cluster.plain_kubeconfig(), no_retries);
  auto throttled = impatient->get<api::Pod>("default", "p");  // 4th: 429
  REQUIRE_FALSE(throttled.has_value());
  CHECK(throttled.error().is_too_many_requests());
  CHECK(throttled.error().code() == 429);
  CHECK(throttled.error().retry_after() == 1s);

  // Every request throttled: the call keeps waiting and retrying while the faults last ...
  REQUIRE(cluster.admin("/admin/faults", fault(1, 429, 1)).status == 200);
  RestClientOptions patient;
  patient.retry.max_retries = 30;
  ClusterClient p(cluster.plain_kubeconfig(), patient);
  auto pending = std::async(std::launch::async, [&p] { return p->get<api::Pod>("default", "p"); });
  CHECK(pending.wait_for(2500ms) == std::future_status::timeout);  // throttled twice or more
  // ... and succeeds once they are cleared.
  REQUIRE(cluster.admin("/admin/faults", R"({"fraction":0})").status == 200);
  auto answered = pending.get();
  REQUIRE(answered.has_value());
  CHECK(answered->metadata.name == "p");
}

TEST_CASE("a 500 is retried on an idempotent GET but never on a create", "[integration]") {
  TestCluster cluster;
  ClusterClient c(cluster.kubeconfig(), fast_backoff());
  REQUIRE(c->create(make_pod("default", "p")).has_value());

  REQUIRE(cluster.admin("/admin/faults", fault(0.5, 500)).status == 200);
  REQUIRE(c->get<api::Pod>("default", "p").has_value());  // 1st: passes
  REQUIRE(c->get<api::Pod>("default", "p").has_value());  // 2nd: 500, retried: 3rd passes

  auto created = c->create(make_pod("default", "q"));  // 4th: 500, not retried
  REQUIRE_FALSE(created.has_value());
  CHECK(created.error().is_internal_error());
  CHECK(created.error().code() == 500);
  auto never_created = c->get<api::Pod>("default", "q");  // 5th: passes
  REQUIRE_FALSE(never_created.has_value());
  CHECK(never_created.error().is_not_found());

  // Every request failing: the GET gives up after its retries with the server's error.
  REQUIRE(cluster.admin("/admin/faults", fault(1, 500)).status == 200);
  ClusterClient few_retries(cluster.kubeconfig(), fast_backoff(2));
  auto failed = few_retries->get<api::Pod>("default", "p");
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().is_internal_error());
  CHECK(failed.error().message().find("injected fault") != std::string::npos);
  // Other paths are untouched.
  CHECK(few_retries->get<api::Namespace>("", "default").has_value());
}

TEST_CASE("a call the server stalls ends with a Timeout at the request timeout", "[integration]") {
  TestCluster cluster;
  RestClientOptions options;
  options.request_timeout = 1s;
  ClusterClient c(cluster.plain_kubeconfig(), options);
  REQUIRE(c->create(make_pod("default", "p")).has_value());

  REQUIRE(
      cluster.admin("/admin/stall", R"({"pathPrefix":")" + kPods + R"(","seconds":20})").status ==
      200);
  const auto start = Steady::now();
  auto stalled = c->get<api::Pod>("default", "p");
  const auto elapsed = Steady::now() - start;
  REQUIRE_FALSE(stalled.has_value());
  CHECK(stalled.error().is_timeout());
  CHECK(elapsed >= 900ms);
  CHECK(elapsed < 3s);
  CHECK(c->get<api::Namespace>("", "default").has_value());  // not stalled

  REQUIRE(cluster.admin("/admin/stall", R"({"seconds":0})").status == 200);
  auto answered = c->get<api::Pod>("default", "p");
  REQUIRE(answered.has_value());
}

}  // namespace
}  // namespace korder::kclient::integration
