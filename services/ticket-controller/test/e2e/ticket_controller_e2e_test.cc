// End-to-end tests of korder-ticket-controller: the development cluster (API server, scheduler,
// kubelets) and the daemon as separate processes, checked only through the API.

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "ticket_e2e_support.h"

namespace korder::ticket::e2e {
namespace {

using std::chrono::seconds;

bool has(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::string phase_of(TicketE2e& e2e, const std::string& name) {
  auto ticket = e2e.ticket(name);
  return ticket ? ticket->status.phase : "<gone>";
}

TEST_CASE(
    "a ticket gets a guardian the scheduler places and becomes Ready with its node, "
    "guardian and times",
    "[e2e]") {
  TicketE2e e2e;
  auto& controller = e2e.start_controller("ticket-0");
  const auto created = e2e.create_ticket(make_ticket("db", "1h"));

  REQUIRE(eventually([&] { return phase_of(e2e, "db") == "Ready"; }));
  const auto ticket = *e2e.ticket("db");
  const auto guardian = e2e.pod("db-guardian");
  REQUIRE(guardian.has_value());
  CHECK(is_running_and_ready(*guardian));
  CHECK(ticket.status.node_name == guardian->spec.node_name);
  CHECK(ticket.status.guardian_pod == "db-guardian");
  REQUIRE(ticket.status.activation_time.has_value());
  CHECK(*ticket.status.activation_time >=
        std::chrono::floor<seconds>(*created.metadata.creation_timestamp));
  CHECK(ticket.status.expiration_time ==
        *created.metadata.creation_timestamp + std::chrono::hours(1));
  CHECK(ticket.metadata.finalizers == std::vector<std::string>{"korder.dev/ticket-protection"});

  // The guardian as DESIGN.md describes it.
  CHECK(guardian->metadata.labels.at("korder.dev/role") == "guardian");
  CHECK(guardian->metadata.labels.at("korder.dev/ticket") == "db");
  CHECK(guardian->metadata.labels.at("korder.dev/order") == "e2e");
  REQUIRE(guardian->metadata.owner_references.size() == 1);
  CHECK(guardian->metadata.owner_references[0].uid == created.metadata.uid);
  CHECK(guardian->metadata.owner_references[0].controller == true);
  CHECK(guardian->spec.termination_grace_period_seconds == 0);
  CHECK(guardian->spec.automount_service_account_token == false);
  REQUIRE(guardian->spec.containers.size() == 1);
  CHECK(guardian->spec.containers[0].image == "registry.k8s.io/pause:3.10");
  CHECK(guardian->spec.containers[0].resources.requests.at("cpu").to_string() == "500m");
  CHECK(guardian->spec.containers[0].resources.limits.at("memory").to_string() == "256Mi");

  REQUIRE(eventually([&] {
    const auto reasons = e2e.event_reasons("db");
    return has(reasons, "GuardianCreated") && has(reasons, "Ready");
  }));
  CHECK(e2e.probe(controller, "health", "/healthz").status == 200);
  CHECK(e2e.probe(controller, "health", "/readyz").status == 200);
  const auto metrics = e2e.probe(controller, "metrics", "/metrics");
  CHECK_THAT(metrics.body, Catch::Contains("korder_tickets{phase=\"Ready\"} 1"));
  CHECK_THAT(metrics.body, Catch::Contains("korder_reconcile_total{controller=\"ticket\""));
  CHECK_THAT(metrics.body, Catch::Contains("korder_claim_handoff_seconds_count 0"));
}

TEST_CASE(
    "short tickets expire at their expiration time: Delete removes one "
    "ttlSecondsAfterFinished later, Retain keeps the other",
    "[e2e]") {
  TicketE2e e2e;
  e2e.start_controller("ticket-0");
  auto deleted = make_ticket("short-delete", "3s");
  deleted.spec.lifecycle = api::TicketLifecycle{1, "Delete", {}};
  auto retained = make_ticket("short-retain", "3s");
  retained.spec.lifecycle = api::TicketLifecycle{0, "Retain", {}};
  e2e.create_ticket(deleted);
  const auto created = e2e.create_ticket(retained);
  REQUIRE(eventually([&] { return phase_of(e2e, "short-retain") == "Ready"; }));

  REQUIRE(eventually([&] { return phase_of(e2e, "short-retain") == "Expired"; }));
  const TimePoint seen_expired = std::chrono::system_clock::now();
  const auto expired = *e2e.ticket("short-retain");
  CHECK(expired.status.expiration_time ==
        std::chrono::ceil<seconds>(*created.metadata.creation_timestamp + seconds(3)));
  CHECK(seen_expired >= *expired.status.expiration_time);
  REQUIRE(eventually([&] { return !e2e.pod("short-retain-guardian").has_value(); }));
  REQUIRE(eventually([&] { return has(e2e.event_reasons("short-retain"), "Expired"); }));

  // Delete: gone (finalizer and all) a second after it finished; Retain: still there.
  REQUIRE(eventually([&] { return !e2e.ticket("short-delete").has_value(); }));
  CHECK_FALSE(e2e.pod("short-delete-guardian").has_value());
  CHECK_FALSE(eventually([&] { return !e2e.ticket("short-retain").has_value(); }, seconds(2)));
  CHECK(phase_of(e2e, "short-retain") == "Expired");
}

TEST_CASE(
    "an evicted guardian is recreated, the ticket returns to Pending then Ready, and an "
    "event says why",
    "[e2e]") {
  TicketE2e e2e;
  auto& controller = e2e.start_controller("ticket-0");
  e2e.create_ticket(make_ticket("cache", "1h"));
  REQUIRE(eventually([&] { return phase_of(e2e, "cache") == "Ready"; }));
  const std::string first_uid = e2e.pod("cache-guardian")->metadata.uid;

  e2e.evict("cache-guardian");
  REQUIRE(eventually([&] {
    const auto guardian = e2e.pod("cache-guardian");
    return guardian && guardian->metadata.uid != first_uid && is_running_and_ready(*guardian);
  }));
  REQUIRE(eventually([&] {
    const auto ticket = e2e.ticket("cache");
    return ticket && ticket->status.phase == "Ready" &&
           ticket->status.node_name == e2e.pod("cache-guardian")->spec.node_name;
  }));
  const auto events = e2e.events_of("cache");
  bool lost = false;
  for (const auto& event : events) {
    lost = lost || (event.reason == "GuardianLost" && event.type == "Warning");
  }
  CHECK(lost);
  CHECK(e2e.pods("korder.dev/role=guardian").size() == 1);
  const auto metrics = e2e.probe(controller, "metrics", "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("korder_ticket_guardian_recreations_total 1"));
  // Ready → Pending → Ready: the ticket was Pending in between (two Ready events).
  int ready_events = 0;
  for (const auto& event : e2e.events_of("cache")) {
    ready_events += event.reason == "Ready" ? event.count.value_or(1) : 0;
  }
  CHECK(ready_events == 2);
}

TEST_CASE("a ticket whose window starts later stays Pending without a guardian until it opens",
          "[e2e]") {
  TicketE2e e2e;
  e2e.start_controller("ticket-0");
  auto ticket = make_ticket("later", "10s");
  const TimePoint start = std::chrono::ceil<seconds>(std::chrono::system_clock::now()) + seconds(4);
  ticket.spec.window = api::TicketWindow{start, {}};
  e2e.create_ticket(ticket);

  REQUIRE(eventually([&] {
    const auto t = e2e.ticket("later");
    return t && t->status.phase == "Pending" && !t->status.conditions.empty() &&
           t->status.conditions[0].reason == "WindowNotOpen";
  }));
  CHECK(e2e.ticket("later")->status.expiration_time == start + seconds(10));
  // Until the window opens there is no guardian.
  const auto before_start = std::chrono::duration_cast<std::chrono::milliseconds>(
      start - std::chrono::system_clock::now() - seconds(1));
  CHECK_FALSE(eventually([&] { return e2e.pod("later-guardian").has_value(); },
                         std::max(before_start, std::chrono::milliseconds(0))));
  REQUIRE(eventually([&] { return phase_of(e2e, "later") == "Ready"; }));
  CHECK(*e2e.ticket("later")->status.activation_time >= start);
}

TEST_CASE(
    "a claimed ticket hands its capacity to the gated pod: pinned, ungated, guardian "
    "deleted, Claimed once bound",
    "[e2e]") {
  TicketE2e e2e;
  auto& controller = e2e.start_controller("ticket-0");
  e2e.create_ticket(make_ticket("web", "1h"));
  REQUIRE(eventually([&] { return phase_of(e2e, "web") == "Ready"; }));
  const std::string node = e2e.ticket("web")->status.node_name;

  e2e.claim_ticket("web", "tok-e2e-1", "web-", seconds(30));
  const auto pod = e2e.create_pod(business_pod("web-", "web", "tok-e2e-1"));
  const std::string name = pod.metadata.name;

  REQUIRE(eventually([&] { return phase_of(e2e, "web") == "Claimed"; }));
  const auto ticket = *e2e.ticket("web");
  REQUIRE(ticket.status.claim.has_value());
  CHECK(ticket.status.claim->pod_name == name);
  CHECK(ticket.status.claim->pod_uid == pod.metadata.uid);
  CHECK(ticket.status.claimed_pod == std::string("default/") + name);
  const auto handed = *e2e.pod(name);
  CHECK(handed.spec.scheduling_gates.empty());
  CHECK(pinned_to(handed, node));
  CHECK(handed.spec.node_name == node);
  REQUIRE(eventually([&] { return !e2e.pod("web-guardian").has_value(); }));
  REQUIRE(eventually([&] {
    const auto reasons = e2e.event_reasons("web");
    return has(reasons, "HandOffStarted") && has(reasons, "Claimed");
  }));
  const auto metrics = e2e.probe(controller, "metrics", "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("korder_claim_handoff_seconds_count 1"));
  CHECK_THAT(metrics, Catch::Contains("korder_claims_total{outcome=\"claimed\"} 1"));
}

TEST_CASE("a claim whose pod never comes is released after its deadline", "[e2e]") {
  TicketE2e e2e;
  e2e.start_controller("ticket-0");
  e2e.create_ticket(make_ticket("idle", "1h"));
  REQUIRE(eventually([&] { return phase_of(e2e, "idle") == "Ready"; }));

  const auto claim = e2e.claim_ticket("idle", "tok-nobody", "idle-", seconds(2));
  REQUIRE(eventually([&] {
    const auto ticket = e2e.ticket("idle");
    return ticket && !ticket->status.claim.has_value();
  }));
  CHECK(std::chrono::system_clock::now() >= *claim.deadline);
  const auto ticket = *e2e.ticket("idle");
  CHECK(ticket.status.phase == "Ready");
  CHECK(e2e.pod("idle-guardian").has_value());
  REQUIRE(eventually([&] { return has(e2e.event_reasons("idle"), "ClaimReleased"); }));
}

TEST_CASE("a gated pod whose ticket does not exist is ungated and annotated", "[e2e]") {
  TicketE2e e2e;
  e2e.start_controller("ticket-0");
  const auto pod = e2e.create_pod(business_pod("stray-", "no-such-ticket", "tok-stray"));
  REQUIRE(eventually([&] {
    const auto current = e2e.pod(pod.metadata.name);
    return current && current->spec.scheduling_gates.empty() && !current->spec.node_name.empty();
  }));
  const auto current = *e2e.pod(pod.metadata.name);
  CHECK_THAT(current.metadata.annotations.at("korder.dev/unassigned-reason"),
             Catch::Contains("no-such-ticket"));
  CHECK_FALSE(current.spec.affinity.has_value());
}

TEST_CASE("a controller killed and restarted mid-work never makes a second guardian", "[e2e]") {
  TicketE2e e2e;
  constexpr int kTickets = 12;
  for (int i = 0; i < kTickets; ++i) {
    e2e.create_ticket(make_ticket("t" + std::to_string(i), "1h"));
  }
  // A slow client, so the kills land while work is in flight.
  const std::vector<std::string> slow = {"--qps=8", "--burst=2"};
  for (int round = 0; round < 3; ++round) {
    auto& controller = e2e.start_controller("ticket-" + std::to_string(round), slow);
    const std::size_t before = e2e.pods("korder.dev/role=guardian").size();
    if (before < kTickets) {
      REQUIRE(eventually([&] { return e2e.pods("korder.dev/role=guardian").size() > before; }));
    }
    controller.kill();
  }
  e2e.start_controller("ticket-final");
  REQUIRE(eventually([&] {
    int ready = 0;
    for (const auto& ticket : e2e.tickets()) {
      ready += ticket.status.phase == "Ready" ? 1 : 0;
    }
    return ready == kTickets;
  }));
  const auto guardians = e2e.pods("korder.dev/role=guardian");
  CHECK(guardians.size() == kTickets);
  std::set<std::string> owners;
  for (const auto& guardian : guardians) {
    owners.insert(guardian.metadata.labels.at("korder.dev/ticket"));
    CHECK(guardian.metadata.name == guardian.metadata.labels.at("korder.dev/ticket") + "-guardian");
  }
  CHECK(owners.size() == kTickets);
  for (const auto& ticket : e2e.tickets()) {
    CHECK(ticket.status.guardian_pod == ticket.metadata.name + "-guardian");
  }
}

TEST_CASE("two replicas elect one leader and the other takes over when it dies", "[e2e]") {
  TicketE2e e2e;
  auto& a = e2e.start_controller("ticket-a");
  auto& b = e2e.start_controller("ticket-b");
  REQUIRE(eventually([&] { return !e2e.lease_holder().empty(); }));
  const std::string first = e2e.lease_holder();
  const bool a_leads = first.starts_with("ticket-a");
  CHECK((a_leads || first.starts_with("ticket-b")));
  e2e.create_ticket(make_ticket("one", "1h"));
  REQUIRE(eventually([&] { return phase_of(e2e, "one") == "Ready"; }));
  // Both replicas are ready (synced caches); only the leader reconciles.
  CHECK(e2e.probe(a, "health", "/readyz").status == 200);
  CHECK(e2e.probe(b, "health", "/readyz").status == 200);

  auto& leader = a_leads ? a : b;
  auto& follower = a_leads ? b : a;
  leader.kill();
  e2e.create_ticket(make_ticket("two", "1h"));
  REQUIRE(eventually([&] {
    const std::string holder = e2e.lease_holder();
    return !holder.empty() && holder != first;
  }));
  REQUIRE(eventually([&] { return phase_of(e2e, "two") == "Ready"; }));
  CHECK(e2e.pods("korder.dev/role=guardian").size() == 2);

  // A graceful stop releases the Lease at once and exits 0.
  CHECK(follower.terminate() == 0);
  CHECK(e2e.lease_holder().empty());
}

}  // namespace
}  // namespace korder::ticket::e2e
