// The race of DESIGN.md §3 end to end: 1,000 business pods created by 16 concurrent clients
// against 100 Ready tickets, with all four daemons as processes and the webhook registered
// through deploy/webhook. Exactly 100 pods get a ticket, no ticket goes to two pods, each of
// those pods runs on its ticket's node, the other 900 are admitted unchanged with the reason
// annotation, and no pod is left gated.

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "suite_fixture.h"

namespace korder::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kTickets = 100;
constexpr int kPods = 1000;
constexpr int kClients = 16;

constexpr const char* kGate = "korder.dev/ticket";
constexpr const char* kTicketLabel = "korder.dev/ticket";
constexpr const char* kTokenAnnotation = "korder.dev/claim-token";
constexpr const char* kReasonAnnotation = "korder.dev/unassigned-reason";

// Room for the 100 guardians, the 100 business pods that replace them and the 900 others.
const std::string kNodes = R"(- name: race-node-1
  labels: {kubernetes.io/os: linux, kubernetes.io/hostname: race-node-1, node-type: compute}
  allocatable: {cpu: "32", memory: 128Gi, pods: "300"}
- name: race-node-2
  labels: {kubernetes.io/os: linux, kubernetes.io/hostname: race-node-2, node-type: compute}
  allocatable: {cpu: "32", memory: 128Gi, pods: "300"}
- name: race-node-3
  labels: {kubernetes.io/os: linux, kubernetes.io/hostname: race-node-3, node-type: compute}
  allocatable: {cpu: "32", memory: 128Gi, pods: "300"}
- name: race-node-4
  labels: {kubernetes.io/os: linux, kubernetes.io/hostname: race-node-4, node-type: compute}
  allocatable: {cpu: "32", memory: 128Gi, pods: "300"}
- name: race-node-5
  labels: {kubernetes.io/os: linux, kubernetes.io/hostname: race-node-5, node-type: compute}
  allocatable: {cpu: "32", memory: 128Gi, pods: "300"}
- name: race-node-6
  labels: {kubernetes.io/os: linux, kubernetes.io/hostname: race-node-6, node-type: compute}
  allocatable: {cpu: "32", memory: 128Gi, pods: "300"}
)";

// 100 tickets that are never replaced (refreshPolicy Never), so exactly 100 can be claimed.
const std::string kOrder = R"(apiVersion: core.korder.dev/v1alpha1
kind: Order
metadata:
  name: race
  namespace: default
spec:
  replicas: 100
  strategy:
    type: OneTime
    refreshPolicy: Never
  template:
    spec:
      duration: 1h
      resources:
        requests:
          cpu: 10m
          memory: 16Mi
)";

const std::string kPod =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"race-","annotations":{"korder.dev/required":"true"}},"spec":{"containers":[{"name":"app","image":"nginx","resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}})";

const std::string kPodsPath = "/api/v1/namespaces/default/pods";

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string label(const api::Pod& pod, const std::string& key) {
  const auto it = pod.metadata.labels.find(key);
  return it == pod.metadata.labels.end() ? "" : it->second;
}

std::string annotation(const api::Pod& pod, const std::string& key) {
  const auto it = pod.metadata.annotations.find(key);
  return it == pod.metadata.annotations.end() ? "" : it->second;
}

bool gated(const api::Pod& pod) {
  for (const auto& gate : pod.spec.scheduling_gates) {
    if (gate.name == kGate) {
      return true;
    }
  }
  return false;
}

SuiteOptions race_options(const std::string& nodes_file) {
  SuiteOptions options;
  options.cluster_args = {"--nodes", nodes_file, "--kubelet-delay", "100ms"};
  const std::vector<std::string> fast = {"--qps=1000", "--burst=2000"};
  options.order_flags = fast;
  options.ticket_flags = fast;
  options.ticket_flags.push_back("--concurrency=4");
  options.webhook_flags = fast;
  options.webhook_flags.push_back("--io-threads=2");
  return options;
}

TEST_CASE("1,000 pods from 16 clients race for 100 tickets: exactly 100 claimed, each once",
          "[e2e]") {
  TempDir dir;
  write_file(dir.path() + "/nodes.yaml", kNodes);
  const auto start = Clock::now();
  Suite suite(race_options(dir.path() + "/nodes.yaml"));
  std::printf("suite up: %.1fs\n", seconds_since(start));

  const auto applied = suite.apply(kOrder);
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  INFO(suite.logs());
  REQUIRE(eventually_every([&] { return suite.tickets_in("Ready") == kTickets; }, 30s, 200ms));
  // The webhook's caches see Ready tickets: a dry run of the pod would get one (no claim made).
  REQUIRE(eventually_every(
      [&] {
        const auto answer = suite.cluster().api("POST", kPodsPath + "?dryRun=All", kPod);
        auto pod = api::parse_pod(answer.body);
        return answer.status == 201 && pod && !label(*pod, kTicketLabel).empty();
      },
      10s, 50ms));
  std::printf("100 tickets Ready: %.1fs\n", seconds_since(start));

  // 16 clients, 1,000 creates, straight to the API (plain HTTP, one connection per request).
  std::vector<api::Pod> created;
  std::vector<std::string> failures;
  std::mutex mu;
  const auto race_start = Clock::now();
  {
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        for (int i = c; i < kPods; i += kClients) {
          std::string failure;
          std::optional<api::Pod> pod;
          try {
            const auto answer = suite.cluster().api("POST", kPodsPath, kPod);
            auto parsed = api::parse_pod(answer.body);
            if (answer.status != 201 || !parsed) {
              failure = std::to_string(answer.status) + " " + answer.body;
            } else {
              pod = std::move(parsed).value();
            }
          } catch (const std::exception& e) {
            failure = e.what();
          }
          std::lock_guard lock(mu);
          if (pod) {
            created.push_back(std::move(*pod));
          } else {
            failures.push_back(failure);
          }
        }
      });
    }
    for (auto& client : clients) {
      client.join();
    }
  }
  std::printf("1000 pods created: %.1fs (race %.1fs)\n", seconds_since(start),
              seconds_since(race_start));
  INFO((failures.empty() ? "" : failures.front()));
  REQUIRE(failures.empty());
  REQUIRE(created.size() == static_cast<std::size_t>(kPods));

  // What admission answered: 100 pods with distinct tickets, gated, with a token; 900 unchanged
  // apart from the reason.
  std::map<std::string, const api::Pod*> pod_by_ticket;
  int claimed = 0;
  int unassigned = 0;
  for (const auto& pod : created) {
    const std::string ticket = label(pod, kTicketLabel);
    if (!ticket.empty()) {
      ++claimed;
      INFO("pod " << pod.metadata.name << " ticket " << ticket);
      CHECK(pod_by_ticket.emplace(ticket, &pod).second);  // no two pods share a ticket
      CHECK(gated(pod));
      CHECK_FALSE(annotation(pod, kTokenAnnotation).empty());
      CHECK(annotation(pod, kReasonAnnotation).empty());
    } else {
      ++unassigned;
      INFO("pod " << pod.metadata.name);
      CHECK_FALSE(annotation(pod, kReasonAnnotation).empty());
      CHECK(pod.spec.scheduling_gates.empty());
      CHECK(annotation(pod, kTokenAnnotation).empty());
      CHECK(pod.spec.affinity == std::nullopt);
    }
  }
  CHECK(claimed == kTickets);
  CHECK(unassigned == kPods - kTickets);
  REQUIRE(pod_by_ticket.size() == static_cast<std::size_t>(kTickets));

  // The hand-offs: every ticket Claimed by the one pod that carries its label, with its token,
  // that pod Running on the ticket's node; no pod gated; the guardians gone.
  std::string problem;
  const bool settled = eventually_every(
      [&] {
        const auto tickets = suite.tickets();
        std::map<std::string, api::Pod> pods;
        for (auto& pod : suite.pods().items) {
          pods.emplace(pod.metadata.name, std::move(pod));
        }
        if (tickets.items.size() != static_cast<std::size_t>(kTickets)) {
          problem = std::to_string(tickets.items.size()) + " tickets";
          return false;
        }
        for (const auto& ticket : tickets.items) {
          const auto owner = pod_by_ticket.find(ticket.metadata.name);
          if (owner == pod_by_ticket.end()) {
            problem = "ticket " + ticket.metadata.name + " was given to no pod";
            return false;
          }
          const api::Pod& admitted = *owner->second;
          const std::string pod_ref = "default/" + admitted.metadata.name;
          if (ticket.status.phase != "Claimed" || ticket.status.claimed_pod != pod_ref) {
            problem = "ticket " + ticket.metadata.name + " phase " + ticket.status.phase +
                      " claimedPod " + ticket.status.claimed_pod + ", expected " + pod_ref;
            return false;
          }
          if (!ticket.status.claim ||
              ticket.status.claim->token != annotation(admitted, kTokenAnnotation)) {
            problem = "ticket " + ticket.metadata.name + " records another claim token";
            return false;
          }
          const auto live = pods.find(admitted.metadata.name);
          if (live == pods.end() || live->second.status.phase != "Running" ||
              live->second.spec.node_name != ticket.status.node_name) {
            problem =
                "pod " + admitted.metadata.name + " not Running on " + ticket.status.node_name;
            return false;
          }
        }
        int business = 0;
        for (const auto& [name, pod] : pods) {
          if (!pod.spec.scheduling_gates.empty()) {
            problem = "pod " + name + " is still gated";
            return false;
          }
          if (label(pod, "korder.dev/role") == "guardian") {
            problem = "guardian " + name + " still exists";
            return false;
          }
          business += 1;
        }
        if (business != kPods) {
          problem = std::to_string(business) + " pods";
          return false;
        }
        return true;
      },
      40s, 250ms);
  std::printf("hand-offs done: %.1fs\n", seconds_since(start));
  INFO(problem);
  CHECK(settled);

  // No pod that was admitted without a ticket gained one later, and labels stay unique.
  std::set<std::string> labelled;
  for (const auto& pod : suite.pods().items) {
    const std::string ticket = label(pod, kTicketLabel);
    if (!ticket.empty()) {
      INFO("pod " << pod.metadata.name << " ticket " << ticket);
      CHECK(labelled.insert(ticket).second);
      const auto owner = pod_by_ticket.find(ticket);
      REQUIRE(owner != pod_by_ticket.end());
      CHECK(owner->second->metadata.name == pod.metadata.name);
    }
  }
  CHECK(labelled.size() == static_cast<std::size_t>(kTickets));
}

}  // namespace
}  // namespace korder::testing
