// The whole suite end to end, as `make run` and the README show it: the development cluster with
// all four daemons as separate processes, the webhook registered through deploy/webhook's
// configurations (certificates from scripts/certs.sh), the quota service over mutual TLS.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "korder/api/json.h"
#include "process.h"
#include "test_cluster.h"

namespace korder::testing {
namespace {

using namespace std::chrono_literals;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string str(const api::JsonValue& object, const char* member) {
  if (!object.IsObject()) {
    return "";
  }
  const auto it = object.FindMember(member);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

const api::JsonValue& member(const api::JsonValue& object, const char* name) {
  static const api::JsonValue null_value;
  if (!object.IsObject()) {
    return null_value;
  }
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() ? it->value : null_value;
}

class Suite {
 public:
  Suite()
      : webhook_port_(free_port()),
        quota_port_(free_port()),
        cluster_({"--kubelet-delay", "100ms", "--webhook-service-map",
                  "korder-system/korder-webhook=127.0.0.1:" + std::to_string(webhook_port_)}) {
    cluster_.install_crds();
    certs_ = cluster_.dir() + "/certs";
    const auto made = run_command({"bash", source_dir() + "/scripts/certs.sh", certs_}, {}, 30s);
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    start_quota_controller();
    start("order-controller", {KORDER_ORDER_CONTROLLER_BINARY, "--quota-retry-interval=1s"});
    start("ticket-controller", {KORDER_TICKET_CONTROLLER_BINARY, "--claim-deadline=10s"});
    start(
        "admission-webhook",
        {KORDER_WEBHOOK_BINARY, "--bind-address=127.0.0.1:" + std::to_string(webhook_port_),
         "--tls-cert-file=" + certs_ + "/webhook.crt", "--tls-key-file=" + certs_ + "/webhook.key",
         "--quota-address=127.0.0.1:" + std::to_string(quota_port_),
         "--quota-server-name=korder-quota.korder-system.svc",
         "--quota-ca-file=" + certs_ + "/ca.crt",
         "--quota-client-cert-file=" + certs_ + "/webhook-client.crt",
         "--quota-client-key-file=" + certs_ + "/webhook-client.key", "--claim-deadline=10s"});
    REQUIRE(processes_.back()->wait_for_output("webhook serving", 20s));
    const auto applied = cluster_.kubectl({"apply", "-f", certs_ + "/webhook-configurations.yaml"});
    INFO(applied.out << applied.err);
    REQUIRE(applied.exit_code == 0);
  }

  ~Suite() {
    for (auto it = processes_.rbegin(); it != processes_.rend(); ++it) {
      (*it)->terminate(10s);
    }
  }

  TestCluster& cluster() { return cluster_; }

  /// Everything the daemons printed, for failure messages.
  std::string logs() const {
    std::string text;
    for (const auto& process : processes_) {
      text += "==== " + process->argv().front() + "\n" + process->output();
    }
    return text;
  }

  void start_quota_controller() {
    start("quota-controller",
          {KORDER_QUOTA_CONTROLLER_BINARY,
           "--grpc-bind-address=127.0.0.1:" + std::to_string(quota_port_),
           "--tls-cert-file=" + certs_ + "/quota.crt", "--tls-key-file=" + certs_ + "/quota.key",
           "--client-ca-file=" + certs_ + "/ca.crt"});
    quota_ = processes_.back().get();
  }
  Process& quota_controller() { return *quota_; }

  /// `kubectl get KIND -o json` items (fails the test when kubectl fails).
  api::JsonDocument list(const std::string& kind) {
    const auto got = cluster_.kubectl({"get", kind, "-n", "default", "-o", "json"});
    INFO(got.err);
    REQUIRE(got.exit_code == 0);
    api::JsonDocument doc;
    REQUIRE(api::parse_json(got.out, doc));
    return doc;
  }

  /// Tickets in `phase`.
  int tickets_in(const std::string& phase) {
    const auto doc = list("tickets");
    int n = 0;
    for (const auto& item : member(doc, "items").GetArray()) {
      n += str(member(item, "status"), "phase") == phase ? 1 : 0;
    }
    return n;
  }

  CommandResult apply(const std::string& manifest) {
    return cluster_.kubectl({"apply", "-f", "-"}, manifest);
  }

 private:
  void start(const std::string& name, std::vector<std::string> argv) {
    for (const std::string& flag :
         {"--kubeconfig=" + cluster_.kubeconfig(), std::string("--leader-elect=true"),
          std::string("--leader-election-namespace=korder-system"),
          std::string("--metrics-bind-address=0"), std::string("--health-probe-bind-address=0")}) {
      argv.push_back(flag);
    }
    processes_.push_back(std::make_unique<Process>(argv, std::map<std::string, std::string>{},
                                                   cluster_.dir() + "/" + name + ".log"));
  }

  int webhook_port_;
  int quota_port_;
  TestCluster cluster_;
  std::string certs_;
  std::vector<std::unique_ptr<Process>> processes_;
  Process* quota_ = nullptr;
};

TEST_CASE("the README example: a business pod claims a ticket, runs on its node, the order refills",
          "[e2e]") {
  Suite suite;
  const auto order =
      suite.cluster().kubectl({"apply", "-f", source_dir() + "/examples/order.yaml"});
  INFO(order.out << order.err);
  REQUIRE(order.exit_code == 0);
  INFO(suite.logs());
  REQUIRE(eventually([&] { return suite.tickets_in("Ready") == 3; }, 30s));

  const auto pod =
      suite.cluster().kubectl({"apply", "-f", source_dir() + "/examples/business-pod.yaml"});
  INFO(pod.out << pod.err);
  REQUIRE(pod.exit_code == 0);

  // The pod runs, on the node its ticket held, and the ticket is Claimed by it.
  std::string ticket_name;
  std::string node;
  const bool running = eventually(
      [&] {
        const auto got = suite.cluster().kubectl(
            {"get", "pod", "my-business-pod", "-n", "default", "-o", "json"});
        api::JsonDocument doc;
        if (got.exit_code != 0 || !api::parse_json(got.out, doc)) {
          return false;
        }
        ticket_name = str(member(member(doc, "metadata"), "labels"), "korder.dev/ticket");
        node = str(member(doc, "spec"), "nodeName");
        return str(member(doc, "status"), "phase") == "Running";
      },
      30s);
  REQUIRE(running);
  REQUIRE_FALSE(ticket_name.empty());
  std::string ticket_json;
  const bool claimed = eventually(
      [&] {
        const auto got =
            suite.cluster().kubectl({"get", "ticket", ticket_name, "-n", "default", "-o", "json"});
        ticket_json = got.out;
        api::JsonDocument doc;
        if (got.exit_code != 0 || !api::parse_json(got.out, doc)) {
          return false;
        }
        const auto& status = member(doc, "status");
        return str(status, "phase") == "Claimed" && str(status, "nodeName") == node &&
               str(status, "claimedPod") == "default/my-business-pod";
      },
      30s);
  INFO("pod node " << node << "; ticket " << ticket_json);
  CHECK(claimed);
  // Its guardian is gone; the pod carries no scheduling gate any more.
  const auto guardian = suite.cluster().kubectl(
      {"get", "pod", ticket_name + "-guardian", "-n", "default", "-o", "name"});
  CHECK(guardian.exit_code == 1);
  const auto gates = suite.cluster().kubectl(
      {"get", "pod", "my-business-pod", "-n", "default", "-o", "jsonpath={.spec.schedulingGates}"});
  INFO("gates " << gates.out);
  CHECK((gates.out.empty() || gates.out == "[]"));
  // OnClaim: a replacement brings the order back to three Ready tickets.
  CHECK(eventually([&] { return suite.tickets_in("Ready") == 3; }, 30s));
}

TEST_CASE("a quota denial reaches the order controller and clears when room appears", "[e2e]") {
  Suite suite;
  const std::string quota = R"(apiVersion: core.korder.dev/v1alpha1
kind: Quota
metadata:
  name: small
spec:
  scope:
    type: Cluster
  hard:
    tickets: "2"
)";
  auto applied = suite.apply(quota);
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  INFO(suite.logs());
  // The quota service must see the quota before the order arrives.
  REQUIRE(eventually(
      [&] {
        const auto got = suite.cluster().kubectl(
            {"get", "kq", "small", "-o", "jsonpath={.status.hard.tickets}"});
        return got.out == "2";
      },
      20s));
  applied = suite.cluster().kubectl({"apply", "-f", source_dir() + "/examples/order.yaml"});
  REQUIRE(applied.exit_code == 0);

  auto condition = [&](const std::string& type) {
    const auto got = suite.cluster().kubectl({"get", "order", "my-order", "-n", "default", "-o",
                                              "jsonpath={.status.conditions[?(@.type==\"" + type +
                                                  "\")].status} "
                                                  "{.status.conditions[?(@.type==\"" +
                                                  type + "\")].message}"});
    return got.out;
  };
  std::string exceeded;
  REQUIRE(eventually(
      [&] {
        exceeded = condition("QuotaExceeded");
        return exceeded.rfind("True ", 0) == 0;
      },
      30s));
  CHECK(exceeded.find("korder quota exceeded:") != std::string::npos);
  CHECK(exceeded.find("quota \"small\": tickets") != std::string::npos);
  CHECK(suite.list("tickets")["items"].Size() == 2);

  applied = suite.apply(quota.substr(0, quota.find("tickets: \"2\"")) + "tickets: \"5\"\n");
  REQUIRE(applied.exit_code == 0);
  CHECK(eventually([&] { return suite.list("tickets")["items"].Size() == 3; }, 30s));
  CHECK(eventually([&] { return condition("QuotaExceeded").rfind("True", 0) != 0; }, 30s));
}

TEST_CASE("with the quota service down, Orders are denied with a message that says so", "[e2e]") {
  Suite suite;
  suite.quota_controller().terminate(10s);
  const auto applied =
      suite.cluster().kubectl({"apply", "-f", source_dir() + "/examples/order.yaml"});
  INFO(applied.out << applied.err << suite.logs());
  CHECK(applied.exit_code != 0);
  CHECK(applied.err.find("quota") != std::string::npos);
  const auto got = suite.cluster().kubectl({"get", "orders", "-n", "default", "-o", "name"});
  CHECK(got.out.empty());
}

}  // namespace
}  // namespace korder::testing
