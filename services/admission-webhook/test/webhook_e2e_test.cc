// End to end: the development cluster calls korder-admission-webhook exactly as kube-apiserver
// would, through deploy/webhook's configurations (caBundle from scripts/certs.sh, the Service
// mapped to the webhook's loopback port), and the real kubectl creates objects.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "korder/api/pod.h"
#include "korder/api/ticket.h"
#include "process.h"
#include "test_cluster.h"

namespace korder::webhook {
namespace {

using korder::testing::Process;
using korder::testing::TempDir;
using korder::testing::TestCluster;

// A loopback port free right now (bound, read, released).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class E2eFixture {
 public:
  E2eFixture()
      : port_(free_port()),
        cluster_({"--webhook-service-map",
                  "korder-system/korder-webhook=127.0.0.1:" + std::to_string(port_)}) {
    cluster_.install_crds();
    certs_ = dir_.path() + "/certs";
    const auto made = korder::testing::run_command(
        {"bash", korder::testing::source_dir() + "/scripts/certs.sh", certs_}, {},
        std::chrono::seconds(30));
    REQUIRE(made.exit_code == 0);
    webhook_ = std::make_unique<Process>(
        std::vector<std::string>{KORDER_WEBHOOK_BINARY, "--kubeconfig=" + cluster_.kubeconfig(),
                                 "--tls-cert-file=" + certs_ + "/webhook.crt",
                                 "--tls-key-file=" + certs_ + "/webhook.key",
                                 "--bind-address=127.0.0.1:" + std::to_string(port_),
                                 "--quota-address=", "--metrics-bind-address=0",
                                 "--health-probe-bind-address=0"},
        std::map<std::string, std::string>{}, dir_.path() + "/webhook.log");
    REQUIRE(webhook_->wait_for_output("webhook serving", std::chrono::seconds(20)));
    const auto applied = cluster_.kubectl({"apply", "-f", certs_ + "/webhook-configurations.yaml"});
    INFO(applied.out << applied.err);
    REQUIRE(applied.exit_code == 0);
  }

  ~E2eFixture() {
    if (webhook_ && webhook_->running()) {
      webhook_->terminate(std::chrono::seconds(10));
    }
  }

  TestCluster& cluster() { return cluster_; }
  Process& webhook() { return *webhook_; }

  // A Ready ticket on `node`, created through the validating webhook.
  void make_ready_ticket(const std::string& name, const std::string& node) {
    const std::string manifest =
        R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Ticket","metadata":{"name":")" + name +
        R"(","namespace":"default"},"spec":{"duration":"1h","resources":{"requests":{"cpu":"1","memory":"1Gi"}}}})";
    const auto created = cluster_.kubectl({"create", "-f", "-"}, manifest);
    INFO(created.out << created.err);
    REQUIRE(created.exit_code == 0);
    const auto got =
        cluster_.api("GET", "/apis/core.korder.dev/v1alpha1/namespaces/default/tickets/" + name);
    auto ticket = api::parse_ticket(got.body);
    REQUIRE(ticket.has_value());
    ticket->status.phase = "Ready";
    ticket->status.node_name = node;
    ticket->status.expiration_time = std::chrono::system_clock::now() + std::chrono::hours(1);
    REQUIRE(
        cluster_
            .api("PUT",
                 "/apis/core.korder.dev/v1alpha1/namespaces/default/tickets/" + name + "/status",
                 api::to_json(*ticket))
            .status == 200);
  }

 private:
  int port_;
  TestCluster cluster_;
  TempDir dir_;
  std::string certs_;
  std::unique_ptr<Process> webhook_;
};

const std::string kBusinessPod =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"shop-","namespace":"default","annotations":{"korder.dev/required":"true"}},"spec":{"containers":[{"name":"app","image":"nginx","resources":{"requests":{"cpu":"500m","memory":"256Mi"}}}]}})";

TEST_CASE("kubectl creating a business pod gets a ticket through the registered webhook", "[e2e]") {
  E2eFixture f;
  f.make_ready_ticket("shop-ticket", "dev-node-1");
  // The webhook's cache sees the Ready ticket within moments; until then pods pass unassigned.
  api::Pod pod;
  const bool claimed = korder::testing::eventually(
      [&] {
        const auto created = f.cluster().kubectl({"create", "-f", "-", "-o", "json"}, kBusinessPod);
        if (created.exit_code != 0) {
          return false;
        }
        auto parsed = api::parse_pod(created.out);
        if (!parsed) {
          return false;
        }
        pod = std::move(parsed).value();
        return pod.metadata.labels.contains("korder.dev/ticket");
      },
      std::chrono::seconds(20));
  REQUIRE(claimed);
  CHECK(pod.metadata.labels.at("korder.dev/ticket") == "shop-ticket");
  REQUIRE(pod.spec.scheduling_gates.size() == 1);
  CHECK(pod.spec.scheduling_gates[0].name == "korder.dev/ticket");
  const auto got = f.cluster().api(
      "GET", "/apis/core.korder.dev/v1alpha1/namespaces/default/tickets/shop-ticket");
  auto ticket = api::parse_ticket(got.body);
  REQUIRE(ticket.has_value());
  REQUIRE(ticket->status.claim.has_value());
  CHECK(ticket->status.claim->token == pod.metadata.annotations.at("korder.dev/claim-token"));

  // A pod that did not opt in is never sent (matchConditions) and comes back untouched.
  const auto plain = f.cluster().kubectl(
      {"create", "-f", "-", "-o", "json"},
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"plain","namespace":"default"},"spec":{"containers":[{"name":"app","image":"nginx"}]}})");
  REQUIRE(plain.exit_code == 0);
  auto plain_pod = api::parse_pod(plain.out);
  REQUIRE(plain_pod.has_value());
  CHECK(plain_pod->spec.scheduling_gates.empty());
  CHECK_FALSE(plain_pod->metadata.annotations.contains("korder.dev/unassigned-reason"));
}

TEST_CASE("kubectl shows the field errors of an invalid order from the validating webhook",
          "[e2e]") {
  E2eFixture f;
  const auto denied = f.cluster().kubectl(
      {"create", "-f", "-"},
      R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Order","metadata":{"name":"bad","namespace":"default"},"spec":{"replicas":1,"template":{"spec":{"duration":"3x","resources":{"requests":{"cpu":"500m"}}}}}})");
  CHECK(denied.exit_code != 0);
  // kubectl prints a Status with field causes as `The Order... is invalid: <field>: ...`.
  CHECK_THAT(denied.err, Catch::Contains("Order.core.korder.dev \"bad\" is invalid") &&
                             Catch::Contains("spec.template.spec.duration: Invalid value: \"3x\""));
  CHECK(f.cluster()
            .api("GET", "/apis/core.korder.dev/v1alpha1/namespaces/default/orders/bad")
            .status == 404);
}

TEST_CASE("pods are still created while the webhook is down", "[e2e]") {
  E2eFixture f;
  f.webhook().kill();
  const auto created = f.cluster().kubectl({"create", "-f", "-", "-o", "json"}, kBusinessPod);
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  auto pod = api::parse_pod(created.out);
  REQUIRE(pod.has_value());
  CHECK(pod->spec.scheduling_gates.empty());
}

}  // namespace
}  // namespace korder::webhook
