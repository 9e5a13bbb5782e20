// plan() for daemonSet orders: one ticket per eligible node, nodes joining and leaving.

#include <catch2/catch.hpp>

#include "korder/api/scheduling_predicates.h"
#include "plan.h"
#include "plan_test_support.h"
#include "slot_selection.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

using namespace testing;  // NOLINT: test helpers
using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kT0 = utc("2026-05-01T12:00:00Z");

World compute_daemon_set() {
  World w{make_order("agents", 1, "24h")};
  w.order.spec.daemon_set = true;
  w.order.spec.template_.spec.node_selector["node-type"] = "compute";
  return w;
}

api::Node compute_node(std::string name) {
  return make_node(std::move(name), {{"node-type", "compute"}});
}

std::string node_of(const api::Ticket& t) { return t.metadata.annotations.at("korder.dev/node"); }

TEST_CASE("a daemonSet order wants one ticket per Ready, schedulable, admitted node", "[unit]") {
  World w = compute_daemon_set();
  w.nodes.push_back(compute_node("c-1"));
  api::Node not_ready = compute_node("c-2");
  not_ready.status.conditions[0].status = "False";
  w.nodes.push_back(not_ready);
  api::Node cordoned = compute_node("c-3");
  cordoned.spec.unschedulable = true;
  w.nodes.push_back(cordoned);
  w.nodes.push_back(make_node("web-1"));  // no node-type label
  api::Node tainted = compute_node("c-4");
  tainted.spec.taints.push_back({"dedicated", "gpu", "NoSchedule", {}, {}});
  w.nodes.push_back(tainted);
  api::Node soft = compute_node("c-5");
  soft.spec.taints.push_back({"busy", "", "PreferNoSchedule", {}, {}});  // never blocks
  w.nodes.push_back(soft);
  api::Node leaving = compute_node("c-6");
  leaving.metadata.deletion_timestamp = kT0;
  w.nodes.push_back(leaving);

  const Plan p = plan_at(w, kT0);
  REQUIRE(p.creates.size() == 2);
  std::vector<std::string> nodes;
  for (const TicketCreate& c : p.creates) {
    nodes.push_back(node_of(c.ticket));
    CHECK(slot_of(c.ticket) == node_slot(node_of(c.ticket)));
    CHECK(c.ticket.spec.node_name.empty());
    const auto& terms =
        c.ticket.spec.affinity->node_affinity->required_during_scheduling_ignored_during_execution
            ->node_selector_terms;
    REQUIRE(terms.size() == 1);
    CHECK(terms[0].match_fields[0].values == std::vector<std::string>{node_of(c.ticket)});
    CHECK(c.ticket.spec.node_selector.at("node-type") == "compute");
  }
  std::sort(nodes.begin(), nodes.end());
  CHECK(nodes == std::vector<std::string>{"c-1", "c-5"});
  CHECK(p.status.desired == 2);
}

TEST_CASE("a daemonSet template that tolerates a taint or cordon covers those nodes", "[unit]") {
  api::TicketSpec spec;
  api::Node cordoned = make_node("n-1");
  cordoned.spec.unschedulable = true;
  api::Node tainted = make_node("n-2");
  tainted.spec.taints.push_back({"dedicated", "gpu", "NoExecute", {}, {}});
  CHECK_FALSE(node_eligible(spec, cordoned));
  CHECK_FALSE(node_eligible(spec, tainted));
  spec.tolerations.push_back({std::string(api::kTaintNodeUnschedulable), "Exists", "", "", {}, {}});
  spec.tolerations.push_back({"dedicated", "Equal", "gpu", "", {}, {}});
  CHECK(node_eligible(spec, cordoned));
  CHECK(node_eligible(spec, tainted));
}

TEST_CASE("daemonSet tickets follow nodes joining, leaving and being cordoned", "[unit]") {
  World w = compute_daemon_set();
  w.nodes = {compute_node("c-1"), compute_node("c-2")};
  converge(w, kT0);
  set_pending_to(w, "Ready");
  converge(w, kT0);
  require_no_writes(w, kT0);

  SECTION("a new node gets a ticket") {
    w.nodes.push_back(compute_node("c-3"));
    const Plan p = plan_at(w, kT0);
    REQUIRE(p.creates.size() == 1);
    CHECK(node_of(p.creates[0].ticket) == "c-3");
    CHECK(p.status.desired == 3);
  }
  SECTION("a removed node's unclaimed ticket is deleted") {
    w.nodes.erase(w.nodes.begin());  // c-1 is gone
    const Plan p = plan_at(w, kT0);
    CHECK(p.creates.empty());
    REQUIRE(p.deletes.size() == 1);
    CHECK(p.deletes[0].name == current(w, node_slot("c-1")).metadata.name);
    CHECK(p.deletes[0].event.reason == "TicketDeleted");
    CHECK(p.deletes[0].event.message.find("node c-1 no longer qualifies") != std::string::npos);
    CHECK(p.status.desired == 1);
    CHECK(p.status.slots.size() == 1);
    apply(w, p, kT0);
    converge(w, kT0);
    require_no_writes(w, kT0);
  }
  SECTION("a removed node's claimed ticket is left alone") {
    current(w, node_slot("c-1")).status.phase = "Claimed";
    w.nodes.erase(w.nodes.begin());
    const Plan p = plan_at(w, kT0);
    CHECK(p.creates.empty());
    CHECK(p.deletes.empty());
    CHECK(p.status.claimed == 1);
    CHECK(p.status.desired == 1);
  }
  SECTION("a cordoned node's ticket is deleted") {
    w.nodes[1].spec.unschedulable = true;
    const Plan p = plan_at(w, kT0);
    CHECK(delete_slots(w, p) == std::vector<std::string>{node_slot("c-2")});
  }
  SECTION("a node that turns NotReady loses its ticket and gets a fresh one back") {
    w.nodes[1].status.conditions[0].status = "Unknown";
    const Plan gone = plan_at(w, kT0);
    REQUIRE(gone.deletes.size() == 1);
    apply(w, gone, kT0);
    w.nodes[1].status.conditions[0].status = "True";
    const Plan back = plan_at(w, kT0 + minutes(5));
    REQUIRE(back.creates.size() == 1);
    CHECK(node_of(back.creates[0].ticket) == "c-2");
    CHECK(incarnation_label(back.creates[0].ticket) == "0");
  }
  SECTION("a node labelled out of the template's selector loses its ticket") {
    w.nodes[0].metadata.labels["node-type"] = "web";
    const Plan p = plan_at(w, kT0);
    CHECK(delete_slots(w, p) == std::vector<std::string>{node_slot("c-1")});
  }
}

TEST_CASE("a daemonSet order with no eligible node says so", "[unit]") {
  World w = compute_daemon_set();
  w.nodes = {make_node("web-1")};
  const Plan p = plan_at(w, kT0);
  CHECK(p.creates.empty());
  CHECK(p.status.desired == 0);
  CHECK(condition(p.status, "Ready").reason == "NoEligibleNodes");
}

TEST_CASE("a daemonSet order with a template nodeName covers that node only", "[unit]") {
  World w = compute_daemon_set();
  w.order.spec.template_.spec.node_name = "c-2";
  w.nodes = {compute_node("c-1"), compute_node("c-2")};
  const Plan p = plan_at(w, kT0);
  REQUIRE(p.creates.size() == 1);
  CHECK(node_of(p.creates[0].ticket) == "c-2");
  CHECK(p.creates[0].ticket.spec.node_name.empty());
}

TEST_CASE("a Recurring daemonSet order tops up each node at every fire", "[unit]") {
  World w = compute_daemon_set();
  w.order.spec.template_.spec.duration = "1h";
  set_strategy(w.order, "Recurring", "0 * * * *", "OnClaim");
  w.nodes = {compute_node("c-1"), compute_node("c-2")};
  const TimePoint f0 = utc("2026-05-01T12:00:00Z");
  converge(w, f0);
  set_pending_to(w, "Ready");
  converge(w, f0);
  CHECK(live_count(w, f0) == 2);

  // c-1's ticket is claimed mid-period: replaced until the end of the period.
  current(w, node_slot("c-1")).status.phase = "Claimed";
  const Plan mid = plan_at(w, f0 + minutes(20));
  REQUIRE(mid.creates.size() == 1);
  CHECK(node_of(mid.creates[0].ticket) == "c-1");
  CHECK(mid.creates[0].ticket.spec.window->start_time == f0);
  apply(w, mid, f0 + minutes(20));

  // A node joining mid-period gets a ticket for the current period.
  w.nodes.push_back(compute_node("c-3"));
  const Plan joined = plan_at(w, f0 + minutes(30));
  REQUIRE(joined.creates.size() == 1);
  CHECK(node_of(joined.creates[0].ticket) == "c-3");
  CHECK(joined.creates[0].ticket.spec.window->start_time == f0);
  apply(w, joined, f0 + minutes(30));
  set_pending_to(w, "Ready");

  const TimePoint f1 = f0 + hours(1);
  const Plan next = plan_at(w, f1);
  CHECK(next.creates.size() == 3);
  apply(w, next, f1);
  CHECK(live_count(w, f1) == 3);
}

TEST_CASE("switching an order to daemonSet replaces replica tickets with node tickets", "[unit]") {
  World w{make_order("agents", 2, "24h")};
  w.nodes = {compute_node("c-1")};
  converge(w, kT0);
  w.order.spec.daemon_set = true;
  const Plan p = plan_at(w, kT0);
  REQUIRE(p.creates.size() == 1);
  CHECK(node_of(p.creates[0].ticket) == "c-1");
  CHECK(delete_slots(w, p) == std::vector<std::string>{"r1", "r0"});
  CHECK(p.status.slots.size() == 1);
}

}  // namespace
}  // namespace korder::order
