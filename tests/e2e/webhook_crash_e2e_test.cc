// The webhook killed (SIGKILL) in the middle of claims, end to end with all four daemons as
// processes (DESIGN.md §3 steps 6 and 7): the claim writes it had sent still land, but the API
// server never gets its answers, so the pods are created without a ticket (failurePolicy
// Ignore). Those claims are released by the ticket controller at their deadline after a live
// LIST, pods that did get a ticket are handed off, and no pod is left gated.
//
// To kill it exactly mid-claim, the development cluster holds the ticket status writes
// (`/admin/stall`) until the webhook is dead, then lets them through.

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "suite_fixture.h"

namespace korder::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kTicketLabel = "korder.dev/ticket";
constexpr const char* kTokenAnnotation = "korder.dev/claim-token";
constexpr const char* kTicketsPath = "/apis/core.korder.dev/v1alpha1/namespaces/default/tickets";
constexpr const char* kPodsPath = "/api/v1/namespaces/default/pods";

// Six tickets never replaced (refreshPolicy Never), so every claim is accounted for.
const std::string kOrder = R"(apiVersion: core.korder.dev/v1alpha1
kind: Order
metadata:
  name: crash
  namespace: default
spec:
  replicas: 6
  strategy:
    type: OneTime
    refreshPolicy: Never
  template:
    spec:
      duration: 1h
      resources:
        requests:
          cpu: 100m
          memory: 128Mi
)";

std::string pod_json(const std::string& name, const std::string& ticket_request = "") {
  std::string annotations = R"("korder.dev/required":"true")";
  if (!ticket_request.empty()) {
    annotations += R"(,"korder.dev/ticket-request":")" + ticket_request + "\"";
  }
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"(","annotations":{)" +
         annotations +
         R"(}},"spec":{"containers":[{"name":"app","image":"nginx","resources":{"requests":{"cpu":"100m","memory":"128Mi"}}}]}})";
}

std::string label(const api::Pod& pod, const std::string& key) {
  const auto it = pod.metadata.labels.find(key);
  return it == pod.metadata.labels.end() ? "" : it->second;
}

std::string annotation(const api::Pod& pod, const std::string& key) {
  const auto it = pod.metadata.annotations.find(key);
  return it == pod.metadata.annotations.end() ? "" : it->second;
}

/// Creates `name` over the API; nullopt (with the answer in `error`) when it was not created.
std::optional<api::Pod> create_pod(Suite& suite, const std::string& body, std::string& error) {
  const auto answer = suite.cluster().api("POST", kPodsPath, body);
  auto pod = api::parse_pod(answer.body);
  if (answer.status != 201 || !pod) {
    error = std::to_string(answer.status) + " " + answer.body;
    return std::nullopt;
  }
  return std::move(pod).value();
}

/// Sets (or clears, with 0) the stall of ticket writes; returns how many requests it holds.
int stall_ticket_writes(Suite& suite, double seconds) {
  const std::string rule = R"({"pathPrefix":")" + std::string(kTicketsPath) + R"(/","seconds":)" +
                           std::to_string(seconds) + "}";
  const auto answer = suite.cluster().admin("/admin/stall", rule);
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  api::JsonDocument doc;
  REQUIRE(api::parse_json(answer.body, doc));
  const auto& stalled = member(doc, "stalled");
  REQUIRE(stalled.IsNumber());
  return stalled.GetInt();
}

TEST_CASE("a webhook killed mid-claim leaves no ticket claimed and no pod gated", "[e2e]") {
  SuiteOptions options;
  options.claim_deadline = "3s";
  Suite suite(options);
  const auto applied = suite.apply(kOrder);
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  INFO(suite.logs());
  REQUIRE(eventually_every([&] { return suite.tickets_in("Ready") == 6; }, 30s, 100ms));
  REQUIRE(eventually([&] {
    const auto answer =
        suite.cluster().api("POST", std::string(kPodsPath) + "?dryRun=All", pod_json("probe"));
    auto pod = api::parse_pod(answer.body);
    return answer.status == 201 && pod && !label(*pod, kTicketLabel).empty();
  }));

  // Two pods get their tickets the ordinary way and are handed off.
  std::set<std::string> handed_off;
  std::string error;
  for (const std::string name : {"before-1", "before-2"}) {
    const auto pod = create_pod(suite, pod_json(name), error);
    INFO(error);
    REQUIRE(pod);
    REQUIRE_FALSE(label(*pod, kTicketLabel).empty());
    handed_off.insert(label(*pod, kTicketLabel));
  }
  REQUIRE(handed_off.size() == 2);
  REQUIRE(eventually_every([&] { return suite.tickets_in("Claimed") == 2; }, 20s, 100ms));

  // Three more pods while the ticket writes are held: the webhook sends three claims, and dies.
  REQUIRE(stall_ticket_writes(suite, 60) == 0);
  std::vector<std::optional<api::Pod>> during(3);
  std::vector<std::string> errors(3);
  std::vector<std::thread> clients;
  for (int i = 0; i < 3; ++i) {
    clients.emplace_back([&, i] {
      during[i] = create_pod(suite, pod_json("during-" + std::to_string(i + 1)), errors[i]);
    });
  }
  const bool caught = eventually([&] { return stall_ticket_writes(suite, 60) >= 3; }, 20s);
  suite.webhook().kill();
  for (auto& client : clients) {
    client.join();
  }
  REQUIRE(caught);
  // The API server could not get the webhook's answers: the pods exist, unchanged.
  for (int i = 0; i < 3; ++i) {
    INFO("pod during-" << i + 1 << ": " << errors[i]);
    REQUIRE(during[i]);
    CHECK(label(*during[i], kTicketLabel).empty());
    CHECK(annotation(*during[i], kTokenAnnotation).empty());
    CHECK(during[i]->spec.scheduling_gates.empty());
  }

  // The held claim writes land now, for pods that will never carry their tokens.
  REQUIRE(stall_ticket_writes(suite, 0) == 0);
  std::set<std::string> orphaned;
  REQUIRE(eventually_every(
      [&] {
        orphaned.clear();
        for (const auto& ticket : suite.tickets().items) {
          if (ticket.status.phase == "Ready" && ticket.status.claim) {
            orphaned.insert(ticket.metadata.name);
          }
        }
        return orphaned.size() == 3;
      },
      5s, 50ms));
  for (const auto& name : orphaned) {
    CHECK_FALSE(handed_off.contains(name));
  }

  // At the deadline (3 s) the ticket controller finds no pod with those tokens and releases
  // the claims: six tickets, two Claimed by the first pods, four Ready and unclaimed; every pod
  // runs, none is gated.
  std::string problem;
  const bool settled = eventually_every(
      [&] {
        int ready = 0;
        for (const auto& ticket : suite.tickets().items) {
          if (handed_off.contains(ticket.metadata.name)) {
            if (ticket.status.phase != "Claimed") {
              problem = ticket.metadata.name + " is " + ticket.status.phase;
              return false;
            }
          } else if (ticket.status.phase != "Ready" || ticket.status.claim) {
            problem = ticket.metadata.name + " is " + ticket.status.phase + " with a claim";
            return false;
          } else {
            ++ready;
          }
        }
        if (ready != 4) {
          problem = std::to_string(ready) + " Ready tickets";
          return false;
        }
        for (const auto& pod : suite.pods().items) {
          if (!pod.spec.scheduling_gates.empty() || pod.status.phase != "Running") {
            problem = "pod " + pod.metadata.name + " " + pod.status.phase +
                      (pod.spec.scheduling_gates.empty() ? "" : " gated");
            return false;
          }
        }
        return true;
      },
      20s, 100ms);
  INFO(problem);
  REQUIRE(settled);
  for (const auto& pod : suite.pods().items) {
    const std::string ticket = label(pod, kTicketLabel);
    if (pod.metadata.name.rfind("before-", 0) == 0) {
      CHECK(handed_off.contains(ticket));
    } else if (pod.metadata.name.rfind("during-", 0) == 0) {
      CHECK(ticket.empty());
    }
  }

  // A released ticket is claimable again: the restarted webhook gives it to a new pod.
  suite.start_webhook();
  const std::string released = *orphaned.begin();
  std::optional<api::Pod> after;
  REQUIRE(eventually(
      [&] {
        after = create_pod(suite, pod_json("after", "name:" + released), error);
        if (after && label(*after, kTicketLabel).empty()) {
          // Admitted before the new webhook's caches synced: try again with a fresh pod.
          suite.cluster().api("DELETE", std::string(kPodsPath) + "/after");
          eventually([&] {
            return suite.cluster().api("GET", std::string(kPodsPath) + "/after").status == 404;
          });
          return false;
        }
        return after.has_value();
      },
      20s));
  CHECK(label(*after, kTicketLabel) == released);
  CHECK(eventually_every(
      [&] {
        const auto tickets = suite.tickets();
        for (const auto& ticket : tickets.items) {
          if (ticket.metadata.name == released) {
            return ticket.status.phase == "Claimed" && ticket.status.claimed_pod == "default/after";
          }
        }
        return false;
      },
      20s, 100ms));
}

}  // namespace
}  // namespace korder::testing
