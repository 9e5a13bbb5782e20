// Idempotence: applying a plan (JSON patches really applied) and planning again yields no
// actions, for every transition of DESIGN.md §3's writer table, and a ticket's whole life runs
// through the simulated world step by step.

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>

#include "plan.h"
#include "pod_state.h"
#include "support/fixtures.h"
#include "ticket_names.h"

namespace korder::ticket {
namespace {

using namespace std::chrono_literals;
using testing::gated_pod;
using testing::kinds;
using testing::kToken;
using testing::t0;
using testing::World;
using Kinds = std::vector<std::string>;

World world(api::Ticket ticket, TimePoint now) {
  World w;
  w.ticket = std::move(ticket);
  w.now = now;
  return w;
}

std::vector<std::string> event_reasons(const World& w) {
  std::vector<std::string> out;
  for (const auto& e : w.events) {
    out.push_back(e.reason);
  }
  return out;
}

TEST_CASE("a ticket's whole life converges after every step", "[unit]") {
  api::Ticket created = testing::new_ticket();
  created.metadata.finalizers.clear();
  World w = world(created, t0());

  CHECK(kinds(w.reconcile()) == Kinds{"AddFinalizer"});
  CHECK(w.ticket.metadata.finalizers == std::vector<std::string>{std::string(kFinalizer)});
  CHECK(kinds(w.reconcile()) ==
        Kinds{"UpdateTicketStatus", "CreateGuardian", "Event(GuardianCreated)"});
  CHECK(w.converge() == 0);

  w.now += 8s;
  w.run_guardian();
  CHECK(kinds(w.reconcile()) == Kinds{"UpdateTicketStatus", "Event(Ready)"});
  CHECK(w.converge() == 0);
  CHECK(w.ticket.status.phase == "Ready");

  // The webhook claims the ticket, then the pod is created gated.
  w.now = t0() + 20min;
  w.ticket.status.claim = testing::claimed_ticket(w.now).status.claim;
  CHECK(w.converge() == 0);  // waiting for the pod
  w.now += 1s;
  w.pods.push_back(gated_pod("web-x7k2p", kToken, w.now));
  CHECK(kinds(w.reconcile()) == Kinds{"UpdateTicketStatus", "PatchPod(HandOff)", "DeleteGuardian",
                                      "Event(HandOffStarted)"});
  CHECK_FALSE(w.guardian.has_value());
  CHECK(w.pod("web-x7k2p").spec.scheduling_gates.empty());
  CHECK(w.converge() == 0);

  w.now += 2s;
  w.bind("web-x7k2p", "node-a");
  CHECK(kinds(w.reconcile()) == Kinds{"UpdateTicketStatus", "Event(Claimed)"});
  CHECK(w.converge() == 0);
  CHECK(w.ticket.status.phase == "Claimed");
  CHECK(w.ticket.status.claimed_pod == "team-a/web-x7k2p");

  w.now += 3600s;
  CHECK(kinds(w.reconcile()) == Kinds{"DeleteTicket"});
  CHECK(kinds(w.reconcile()) == Kinds{"RemoveFinalizer"});
  CHECK(w.ticket_gone);
  CHECK(event_reasons(w) == Kinds{"GuardianCreated", "Ready", "HandOffStarted", "Claimed"});
}

TEST_CASE("a ticket expires, is kept its TTL, and goes", "[unit]") {
  World w = world(testing::ready_ticket(), t0() + 1h);
  w.guardian = testing::running_guardian(w.ticket);
  CHECK(kinds(w.reconcile()) == Kinds{"UpdateTicketStatus", "DeleteGuardian", "Event(Expired)"});
  CHECK(w.converge() == 0);
  w.now += 3599s;
  CHECK(w.converge() == 0);
  w.now += 1s;
  CHECK(w.converge() == 2);  // DeleteTicket, then RemoveFinalizer
  CHECK(w.ticket_gone);
}

TEST_CASE("every transition of the writer table converges in the expected number of plans",
          "[unit]") {
  const TimePoint claimed_at = t0() + 20min;
  struct Case {
    const char* what;
    std::function<World()> setup;
    int plans;
  };
  const Case cases[] = {
      {"Pending, window not open",
       [] {
         api::Ticket t = testing::new_ticket();
         t.spec.window.emplace().start_time = t0() + 2h;
         return world(t, t0());
       },
       1},
      {"Pending, window open: create the guardian",
       [] { return world(testing::new_ticket(), t0()); }, 1},
      {"Pending, guardian Running and Ready",
       [] {
         World w = world(testing::new_ticket(), t0());
         w.reconcile();
         w.run_guardian();
         return w;
       },
       1},
      {"Ready, no claim, expiration reached",
       [] {
         World w = world(testing::ready_ticket(), t0() + 1h);
         w.guardian = testing::running_guardian(w.ticket);
         return w;
       },
       1},
      {"Ready, guardian deleted", [] { return world(testing::ready_ticket(), t0() + 5min); }, 1},
      {"Ready, guardian evicted: delete it, then recreate it",
       [] {
         World w = world(testing::ready_ticket(), t0() + 5min);
         w.guardian = testing::running_guardian(w.ticket);
         w.guardian->status.phase = "Failed";
         return w;
       },
       2},
      {"Ready + claim, gated pod with the token seen",
       [claimed_at] {
         World w = world(testing::claimed_ticket(claimed_at), claimed_at + 2s);
         w.guardian = testing::running_guardian(w.ticket);
         w.pods.push_back(gated_pod("web-x7k2p", kToken, claimed_at + 1s));
         return w;
       },
       1},
      {"Ready + claim, deadline passed, live LIST finds no pod",
       [claimed_at] {
         World w = world(testing::claimed_ticket(claimed_at), claimed_at + 31s);
         w.guardian = testing::running_guardian(w.ticket);
         return w;
       },
       1},
      {"Ready + claim, expiry reached, deadline passed, no pod",
       [] {
         const TimePoint expiry = t0() + 1h;
         World w = world(testing::claimed_ticket(expiry - 10s), expiry + 21s);
         w.guardian = testing::running_guardian(w.ticket);
         return w;
       },
       1},
      {"handing off, pod bound to the ticket's node",
       [claimed_at] {
         World w = world(testing::claimed_ticket(claimed_at), claimed_at + 2s);
         w.guardian = testing::running_guardian(w.ticket);
         w.pods.push_back(gated_pod("web-x7k2p", kToken, claimed_at + 1s));
         w.reconcile();
         w.now += 5s;
         w.bind("web-x7k2p", "node-a");
         return w;
       },
       1},
      {"handing off, pod unscheduled past the hand-off timeout",
       [claimed_at] {
         World w = world(testing::claimed_ticket(claimed_at), claimed_at + 2s);
         w.guardian = testing::running_guardian(w.ticket);
         w.pods.push_back(gated_pod("web-x7k2p", kToken, claimed_at + 1s));
         w.reconcile();
         w.now += 31s;
         return w;
       },
       1},
      {"token mismatch",
       [claimed_at] {
         World w = world(testing::claimed_ticket(claimed_at), claimed_at + 2s);
         w.guardian = testing::running_guardian(w.ticket);
         w.pods.push_back(gated_pod("web-zz9", "tok-other", claimed_at - 1min));
         return w;
       },
       1},
      {"deletionTimestamp with a claimed pod not yet handed off",
       [claimed_at] {
         World w = world(testing::claimed_ticket(claimed_at), claimed_at + 2s);
         w.ticket.metadata.deletion_timestamp = w.now;
         w.guardian = testing::running_guardian(w.ticket);
         w.pods.push_back(gated_pod("web-x7k2p", kToken, claimed_at + 1s));
         return w;
       },
       2},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.what) {
      World w = c.setup();
      CHECK(w.converge() == c.plans);
      for (const auto& pod : w.pods) {
        INFO("pod " << pod.metadata.name);
        CHECK_FALSE(has_korder_gate(pod));  // no pod is ever left gated
      }
    }
  }
}

TEST_CASE("a pod handed off by the world is pinned to the ticket's node and nowhere else",
          "[unit]") {
  const TimePoint claimed_at = t0() + 20min;
  World w = world(testing::claimed_ticket(claimed_at), claimed_at + 2s);
  w.guardian = testing::running_guardian(w.ticket);
  api::Pod pod = gated_pod("web-x7k2p", kToken, claimed_at + 1s);
  pod.spec.scheduling_gates.push_back(api::PodSchedulingGate{"example.com/quota", {}});
  w.pods.push_back(pod);
  CHECK(w.converge() == 1);
  const api::Pod& after = w.pod("web-x7k2p");
  REQUIRE(after.spec.scheduling_gates.size() == 1);
  CHECK(after.spec.scheduling_gates[0].name == "example.com/quota");
  CHECK(w.guardian.has_value());  // held until the pod can be scheduled
  const auto& terms =
      after.spec.affinity->node_affinity->required_during_scheduling_ignored_during_execution
          ->node_selector_terms;
  REQUIRE(terms.size() == 1);
  CHECK(terms[0].match_fields[0].values == std::vector<std::string>{"node-a"});
}

}  // namespace
}  // namespace korder::ticket
