// The whole suite end to end, as `make run` and the README show it: the development cluster with
// all four daemons as separate processes, the webhook registered through deploy/webhook's
// configurations (certificates from scripts/certs.sh), the quota service over mutual TLS.

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "korder/api/json.h"
#include "suite_fixture.h"

namespace korder::testing {
namespace {

using namespace std::chrono_literals;

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
