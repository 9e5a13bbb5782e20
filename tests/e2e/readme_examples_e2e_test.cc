// The README's examples end to end (the original README in shared/seeds, our README.md and the
// files under examples/), applied with the real kubectl as written, against the development
// cluster with all four daemons as processes: the scheduled order, the business pod pinned to
// its order by `korder.dev/order`, the daemonSet order, and a pod no ticket fits.
// (The simple order + business pod and the quota denial are in suite_e2e_test.)

#include <time.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "korder/api/time.h"
#include "suite_fixture.h"

namespace korder::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kTicketLabel = "korder.dev/ticket";
constexpr const char* kReasonAnnotation = "korder.dev/unassigned-reason";

std::string label(const api::Pod& pod, const std::string& key) {
  const auto it = pod.metadata.labels.find(key);
  return it == pod.metadata.labels.end() ? "" : it->second;
}

std::string annotation(const api::Pod& pod, const std::string& key) {
  const auto it = pod.metadata.annotations.find(key);
  return it == pod.metadata.annotations.end() ? "" : it->second;
}

/// `kubectl apply -f FILE` of a file under examples/; fails the test when kubectl fails.
void apply_example(Suite& suite, const std::string& file) {
  const auto applied = suite.cluster().kubectl({"apply", "-f", source_dir() + "/examples/" + file});
  INFO(file << ": " << applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
}

std::optional<api::Pod> get_pod(Suite& suite, const std::string& namespace_,
                                const std::string& name) {
  const auto got = suite.cluster().api("GET", "/api/v1/namespaces/" + namespace_ + "/pods/" + name);
  auto pod = api::parse_pod(got.body);
  if (got.status != 200 || !pod) {
    return std::nullopt;
  }
  return std::move(pod).value();
}

std::optional<api::Ticket> find_ticket(Suite& suite, const std::string& namespace_,
                                       const std::string& name) {
  for (auto& ticket : suite.tickets(namespace_).items) {
    if (ticket.metadata.name == name) {
      return std::move(ticket);
    }
  }
  return std::nullopt;
}

/// Waits until pod `name` runs on the node its ticket held and that ticket is Claimed by it;
/// returns the ticket's name ("" when that never happens; the reason goes to `problem`).
std::string wait_handed_off(Suite& suite, const std::string& namespace_, const std::string& name,
                            std::string& problem) {
  std::string ticket_name;
  const bool done = eventually_every(
      [&] {
        const auto pod = get_pod(suite, namespace_, name);
        if (!pod) {
          problem = "pod " + name + " not found";
          return false;
        }
        ticket_name = label(*pod, kTicketLabel);
        if (ticket_name.empty()) {
          problem = "pod " + name + " has no ticket: " + annotation(*pod, kReasonAnnotation);
          return false;
        }
        const auto ticket = find_ticket(suite, namespace_, ticket_name);
        if (!ticket) {
          problem = "ticket " + ticket_name + " not found";
          return false;
        }
        if (pod->status.phase != "Running" || pod->spec.node_name != ticket->status.node_name ||
            !pod->spec.scheduling_gates.empty()) {
          problem = "pod " + name + " " + pod->status.phase + " on \"" + pod->spec.node_name +
                    "\", ticket node " + ticket->status.node_name;
          return false;
        }
        if (ticket->status.phase != "Claimed" ||
            ticket->status.claimed_pod != namespace_ + "/" + name) {
          problem = "ticket " + ticket_name + " " + ticket->status.phase + " claimedPod " +
                    ticket->status.claimed_pod;
          return false;
        }
        return true;
      },
      30s, 100ms);
  return done ? ticket_name : "";
}

int ready_of_order(Suite& suite, const std::string& namespace_, const std::string& order) {
  int n = 0;
  for (const auto& ticket : suite.tickets(namespace_).items) {
    const auto it = ticket.metadata.labels.find("korder.dev/order");
    n += it != ticket.metadata.labels.end() && it->second == order && ticket.status.phase == "Ready"
             ? 1
             : 0;
  }
  return n;
}

std::string business_pod(const std::string& name, const std::string& namespace_,
                         const std::string& extra_annotations, const std::string& cpu,
                         const std::string& memory, const std::string& node_selector = "") {
  std::string spec =
      R"("containers":[{"name":"app","image":"nginx:latest","resources":{"requests":{"cpu":")" +
      cpu + R"(","memory":")" + memory + R"("}}}])";
  if (!node_selector.empty()) {
    spec += R"(,"nodeSelector":)" + node_selector;
  }
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"(","namespace":")" +
         namespace_ + R"(","annotations":{"korder.dev/required":"true")" + extra_annotations +
         "}},\"spec\":{" + spec + "}}";
}

TEST_CASE(
    "README scheduled order: inside its window it holds 2 tickets, a pod claims one, "
    "Always refills",
    "[e2e]") {
  Suite suite;
  // As written, except the hour: `0 2 * * *` opens its 8-hour window at 02:00 UTC; the hour of
  // now puts the test inside today's window (opened at the top of this hour).
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::string manifest = read_file(source_dir() + "/examples/scheduled-order.yaml");
  const std::string schedule = "schedule: \"0 2 * * *\"";
  const auto at = manifest.find(schedule);
  REQUIRE(at != std::string::npos);
  manifest.replace(at, schedule.size(),
                   "schedule: \"0 " + std::to_string(utc.tm_hour) + " * * *\"");
  const auto applied = suite.apply(manifest);
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  INFO(suite.logs());
  REQUIRE(eventually_every([&] { return ready_of_order(suite, "default", "scheduled-order") == 2; },
                           30s, 100ms));

  // The tickets end with the window: this hour's fire + 8h.
  utc.tm_min = 0;
  utc.tm_sec = 0;
  const auto fire = std::chrono::system_clock::from_time_t(timegm(&utc));
  for (const auto& ticket : suite.tickets().items) {
    INFO(ticket.metadata.name);
    REQUIRE(ticket.status.expiration_time.has_value());
    CHECK(*ticket.status.expiration_time == fire + 8h);
  }
  const auto order = suite.cluster().kubectl(
      {"get", "order", "scheduled-order", "-o", "jsonpath={.status.lastScheduleTime}"});
  CHECK(order.out == api::format_rfc3339(fire));

  // A pod of that order (200m/512Mi) claims one and runs on its node.
  const auto created = suite.cluster().kubectl(
      {"create", "-f", "-"},
      business_pod("nightly-job", "default", R"(,"korder.dev/order":"scheduled-order")", "200m",
                   "512Mi"));
  INFO(created.out << created.err);
  REQUIRE(created.exit_code == 0);
  std::string problem;
  const std::string claimed = wait_handed_off(suite, "default", "nightly-job", problem);
  INFO(problem);
  REQUIRE_FALSE(claimed.empty());
  // refreshPolicy Always: the window keeps 2 Ready tickets, the replacement ending with it.
  REQUIRE(eventually_every([&] { return ready_of_order(suite, "default", "scheduled-order") == 2; },
                           30s, 100ms));
  for (const auto& ticket : suite.tickets().items) {
    if (ticket.status.phase == "Ready") {
      INFO(ticket.metadata.name);
      REQUIRE(ticket.status.expiration_time.has_value());
      CHECK(*ticket.status.expiration_time == fire + 8h);
    }
  }
}

TEST_CASE(
    "README business pod pinned by korder.dev/order gets a ticket of that order, not a "
    "better-ranked one of another order",
    "[e2e]") {
  Suite suite;
  apply_example(suite, "order.yaml");
  // Another order in the namespace with tickets of the same size that expire sooner: the
  // webhook ranks them first for a pod that names no order.
  const std::string other = R"(apiVersion: core.korder.dev/v1alpha1
kind: Order
metadata:
  name: other-order
  namespace: default
spec:
  replicas: 3
  strategy:
    type: OneTime
    refreshPolicy: Never
  template:
    spec:
      duration: 1h
      resources:
        requests:
          cpu: 500m
          memory: 1Gi
      nodeSelector:
        node-type: compute
)";
  const auto applied = suite.apply(other);
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  INFO(suite.logs());
  REQUIRE(eventually_every(
      [&] {
        return ready_of_order(suite, "default", "my-order") == 3 &&
               ready_of_order(suite, "default", "other-order") == 3;
      },
      30s, 100ms));

  // A pod naming no order takes the better-ranked ticket, of other-order.
  const auto control = suite.cluster().kubectl(
      {"create", "-f", "-"}, business_pod("unpinned", "default", "", "500m", "1Gi"));
  INFO(control.out << control.err);
  REQUIRE(control.exit_code == 0);
  std::string problem;
  const std::string control_ticket = wait_handed_off(suite, "default", "unpinned", problem);
  INFO(problem);
  REQUIRE_FALSE(control_ticket.empty());
  CHECK(find_ticket(suite, "default", control_ticket)->metadata.labels.at("korder.dev/order") ==
        "other-order");

  // The README's pod names my-order and gets one of its tickets although other-order still
  // has two better-ranked ones.
  apply_example(suite, "business-pod.yaml");
  const std::string ticket = wait_handed_off(suite, "default", "my-business-pod", problem);
  INFO(problem);
  REQUIRE_FALSE(ticket.empty());
  const auto claimed = find_ticket(suite, "default", ticket);
  REQUIRE(claimed);
  CHECK(claimed->metadata.labels.at("korder.dev/order") == "my-order");
  REQUIRE_FALSE(claimed->metadata.owner_references.empty());
  CHECK(claimed->metadata.owner_references.front().name == "my-order");
  CHECK(ready_of_order(suite, "default", "other-order") == 2);
  // What the README shows: `kubectl get pods my-business-pod -o yaml | grep korder.dev/`.
  const auto shown =
      suite.cluster().kubectl({"get", "pods", "my-business-pod", "-n", "default", "-o", "yaml"});
  CHECK_THAT(shown.out, Catch::Contains("korder.dev/ticket: " + ticket));
  // OnClaim: my-order is back to three Ready tickets.
  CHECK(eventually_every([&] { return ready_of_order(suite, "default", "my-order") == 3; }, 30s,
                         100ms));
}

TEST_CASE("README daemonSet order: one ticket per node, a pod on a node claims that node's ticket",
          "[e2e]") {
  Suite suite;
  apply_example(suite, "daemonset-order.yaml");
  INFO(suite.logs());
  const std::string ns = "korder-system";
  const std::string order = "monitoring-agent-reservation";
  // The development cluster's four nodes are Linux nodes: one Ready ticket on each.
  std::map<std::string, std::string> ticket_by_node;
  REQUIRE(eventually_every(
      [&] {
        ticket_by_node.clear();
        for (const auto& ticket : suite.tickets(ns).items) {
          if (ticket.status.phase == "Ready") {
            ticket_by_node[ticket.status.node_name] = ticket.metadata.name;
          }
        }
        return ready_of_order(suite, ns, order) == 4 && ticket_by_node.size() == 4;
      },
      30s, 100ms));
  for (const auto& ticket : suite.tickets(ns).items) {
    INFO(ticket.metadata.name);
    CHECK(ticket.metadata.annotations.at("korder.dev/node") == ticket.status.node_name);
  }
  // As the README checks them: tickets by order label, guardians on each node.
  const auto tickets = suite.cluster().kubectl(
      {"get", "tickets", "-n", ns, "-l", "korder.dev/order=" + order, "-o", "name"});
  CHECK(std::count(tickets.out.begin(), tickets.out.end(), '\n') == 4);
  std::set<std::string> guardian_nodes;
  for (const auto& pod : suite.pods(ns, "korder.dev/role=guardian").items) {
    guardian_nodes.insert(pod.spec.node_name);
  }
  CHECK(guardian_nodes.size() == 4);

  // The monitoring agent's pod on dev-node-3 claims the ticket held there.
  const auto created = suite.cluster().kubectl(
      {"create", "-f", "-"},
      business_pod("monitoring-agent-dev-node-3", ns, R"(,"korder.dev/order":")" + order + "\"",
                   "100m", "200Mi", R"({"kubernetes.io/hostname":"dev-node-3"})"));
  INFO(created.out << created.err);
  REQUIRE(created.exit_code == 0);
  std::string problem;
  const std::string ticket = wait_handed_off(suite, ns, "monitoring-agent-dev-node-3", problem);
  INFO(problem);
  REQUIRE_FALSE(ticket.empty());
  CHECK(ticket == ticket_by_node.at("dev-node-3"));
  // OnClaim: a new ticket holds dev-node-3 again.
  CHECK(eventually_every(
      [&] {
        std::set<std::string> nodes;
        for (const auto& t : suite.tickets(ns).items) {
          if (t.status.phase == "Ready") {
            nodes.insert(t.status.node_name);
          }
        }
        return nodes.size() == 4;
      },
      30s, 100ms));
}

TEST_CASE("a business pod no ticket fits is admitted unchanged with the reason and runs", "[e2e]") {
  Suite suite;
  apply_example(suite, "order.yaml");
  INFO(suite.logs());
  REQUIRE(eventually_every([&] { return ready_of_order(suite, "default", "my-order") == 3; }, 30s,
                           100ms));
  // Wait until the webhook's caches hold the tickets (a dry run of a fitting pod gets one).
  REQUIRE(eventually([&] {
    const auto answer = suite.cluster().api("POST", "/api/v1/namespaces/default/pods?dryRun=All",
                                            business_pod("probe", "default", "", "500m", "1Gi"));
    auto pod = api::parse_pod(answer.body);
    return answer.status == 201 && pod && !label(*pod, kTicketLabel).empty();
  }));

  // Twice the tickets' size, naming the order.
  const auto created = suite.cluster().kubectl(
      {"create", "-f", "-", "-o", "json"},
      business_pod("too-big", "default", R"(,"korder.dev/order":"my-order")", "1", "2Gi"));
  INFO(created.out << created.err);
  REQUIRE(created.exit_code == 0);
  auto pod = api::parse_pod(created.out);
  REQUIRE(pod);
  CHECK(label(*pod, kTicketLabel).empty());
  CHECK(pod->spec.scheduling_gates.empty());
  CHECK_FALSE(pod->metadata.annotations.contains("korder.dev/claim-token"));
  CHECK_THAT(annotation(*pod, kReasonAnnotation), Catch::Contains("default") &&
                                                      Catch::Contains("3 ticket(s)") &&
                                                      Catch::Contains("too small"));
  // It schedules normally, and the tickets stay Ready and unclaimed.
  CHECK(eventually_every(
      [&] {
        const auto live = get_pod(suite, "default", "too-big");
        return live && live->status.phase == "Running" && !live->spec.node_name.empty();
      },
      20s, 100ms));
  for (const auto& ticket : suite.tickets().items) {
    INFO(ticket.metadata.name);
    CHECK(ticket.status.phase == "Ready");
    CHECK_FALSE(ticket.status.claim.has_value());
  }
  // The order named by the pod gets a Warning event saying why.
  CHECK(eventually_every(
      [&] {
        const auto events =
            suite.cluster().kubectl({"get", "events", "-n", "default", "--field-selector",
                                     "involvedObject.kind=Order,involvedObject.name=my-order", "-o",
                                     "jsonpath={.items[*].reason}"});
        return events.out.find("TicketNotAssigned") != std::string::npos;
      },
      10s, 200ms));
}

}  // namespace
}  // namespace korder::testing
