#include "ticket_builder.h"

#include <catch2/catch.hpp>

#include "korder/api/json.h"
#include "korder/api/scheduling_predicates.h"
#include "plan_test_support.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

using testing::make_order;
using testing::utc;

TicketParams params(std::string slot, std::int64_t incarnation) {
  TicketParams p;
  p.slot = std::move(slot);
  p.incarnation = incarnation;
  p.template_hash = "0123456789";
  return p;
}

api::NodeSelectorRequirement name_in(std::string node) {
  return api::NodeSelectorRequirement{"metadata.name", "In", {std::move(node)}, {}};
}

TEST_CASE("a built ticket carries the template, korder labels, owner and finalizer", "[unit]") {
  api::Order order = make_order("db", 3, "24h");
  order.spec.template_.metadata.annotations["team"] = "payments";
  const api::Ticket t = build_ticket(order, params("r2", 4));

  CHECK(t.api_version == "core.korder.dev/v1alpha1");
  CHECK(t.kind == "Ticket");
  CHECK(t.metadata.name == ticket_name("db", {"uid-db", "r2", 4, std::nullopt}));
  CHECK(t.metadata.namespace_ == "team-a");
  CHECK(t.metadata.labels ==
        std::map<std::string, std::string>{{"app", "db"},
                                           {"korder.dev/order", "db"},
                                           {"korder.dev/slot", "r2"},
                                           {"korder.dev/incarnation", "4"},
                                           {"korder.dev/template-hash", "0123456789"}});
  CHECK(t.metadata.annotations == std::map<std::string, std::string>{{"team", "payments"}});
  REQUIRE(t.metadata.owner_references.size() == 1);
  const api::OwnerReference& owner = t.metadata.owner_references[0];
  CHECK(owner.api_version == "core.korder.dev/v1alpha1");
  CHECK(owner.kind == "Order");
  CHECK(owner.name == "db");
  CHECK(owner.uid == "uid-db");
  CHECK(owner.controller == true);
  CHECK(owner.block_owner_deletion == true);
  CHECK(t.metadata.finalizers == std::vector<std::string>{"korder.dev/ticket-protection"});
  CHECK(t.spec.duration == "24h");
  CHECK(t.spec.resources == order.spec.template_.spec.resources);
  CHECK_FALSE(t.spec.window.has_value());
  CHECK_FALSE(t.spec.affinity.has_value());
  CHECK(t.status == api::TicketStatus{});
}

TEST_CASE("korder labels win over template labels of the same key", "[unit]") {
  api::Order order = make_order();
  order.spec.template_.metadata.labels["korder.dev/slot"] = "mine";
  const api::Ticket t = build_ticket(order, params("r0", 0));
  CHECK(t.metadata.labels.at("korder.dev/slot") == "r0");
}

TEST_CASE("a scheduled ticket starts at its fire and hashes the fire into its name", "[unit]") {
  const api::Order order = make_order();
  TicketParams p = params("r0", 0);
  p.fire = utc("2026-03-08T07:00:00Z");
  p.start_time = p.fire;
  const api::Ticket t = build_ticket(order, p);
  REQUIRE(t.spec.window.has_value());
  CHECK(t.spec.window->start_time == utc("2026-03-08T07:00:00Z"));
  CHECK(t.metadata.name == ticket_name("db", {"uid-db", "r0", 0, p.fire}));
}

TEST_CASE("a OneTime ticket uses the template start for the first incarnation or a future one",
          "[unit]") {
  api::TicketSpec spec;
  const TimePoint now = utc("2026-05-01T12:00:00Z");
  CHECK_FALSE(one_time_start(spec, 0, now).has_value());
  spec.window.emplace().start_time = utc("2026-05-01T10:00:00Z");  // already started
  CHECK(one_time_start(spec, 0, now) == utc("2026-05-01T10:00:00Z"));
  CHECK_FALSE(one_time_start(spec, 1, now).has_value());  // a replacement lives from creation
  spec.window->start_time = utc("2026-05-02T00:00:00Z");  // still ahead
  CHECK(one_time_start(spec, 3, now) == utc("2026-05-02T00:00:00Z"));
}

TEST_CASE("a node pin is a new required term when the template has no node affinity", "[unit]") {
  api::Order order = make_order();
  TicketParams p = params(node_slot("node-1"), 0);
  p.node_name = "node-1";
  const api::Ticket t = build_ticket(order, p);
  CHECK(t.metadata.annotations.at("korder.dev/node") == "node-1");
  CHECK(t.spec.node_name.empty());
  REQUIRE(t.spec.affinity.has_value());
  const auto& required =
      t.spec.affinity->node_affinity->required_during_scheduling_ignored_during_execution;
  REQUIRE(required.has_value());
  REQUIRE(required->node_selector_terms.size() == 1);
  CHECK(required->node_selector_terms[0].match_expressions.empty());
  CHECK(required->node_selector_terms[0].match_fields ==
        std::vector<api::NodeSelectorRequirement>{name_in("node-1")});
}

TEST_CASE("a node pin is merged into every existing required term", "[unit]") {
  api::Order order = make_order();
  auto tmpl = api::decode<api::TicketSpec>(
      R"({"duration":"1h","affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":)"
      R"({"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]},)"
      R"({"matchExpressions":[{"key":"gpu","operator":"Exists"}]}]},)"
      R"("preferredDuringSchedulingIgnoredDuringExecution":[{"weight":1,"preference":)"
      R"({"matchExpressions":[{"key":"ssd","operator":"Exists"}]}}]}}})");
  REQUIRE(tmpl.has_value());
  order.spec.template_.spec = *tmpl;
  TicketParams p = params(node_slot("node-1"), 0);
  p.node_name = "node-1";
  const api::Ticket t = build_ticket(order, p);
  const auto& node_affinity = *t.spec.affinity->node_affinity;
  const auto& terms =
      node_affinity.required_during_scheduling_ignored_during_execution->node_selector_terms;
  REQUIRE(terms.size() == 2);
  for (const auto& term : terms) {
    CHECK(term.match_expressions.size() == 1);
    CHECK(term.match_fields == std::vector<api::NodeSelectorRequirement>{name_in("node-1")});
  }
  // Preferred terms are preferences, not constraints: left as they were.
  REQUIRE(node_affinity.preferred_during_scheduling_ignored_during_execution.size() == 1);
  CHECK(node_affinity.preferred_during_scheduling_ignored_during_execution[0]
            .preference.match_fields.empty());

  // The pinned ticket admits its node only where the template did.
  api::Node zone_a = testing::make_node("node-1", {{"zone", "a"}});
  api::Node other = testing::make_node("node-2", {{"zone", "a"}});
  CHECK(api::node_admits(api::placement_constraints(t.spec), zone_a).has_value());
  CHECK_FALSE(api::node_admits(api::placement_constraints(t.spec), other).has_value());
}

TEST_CASE("a template nodeName becomes a node-affinity pin, never spec.nodeName", "[unit]") {
  api::Order order = make_order();
  order.spec.template_.spec.node_name = "node-7";
  const api::Ticket t = build_ticket(order, params("r0", 0));
  CHECK(t.spec.node_name.empty());
  const auto& terms =
      t.spec.affinity->node_affinity->required_during_scheduling_ignored_during_execution
          ->node_selector_terms;
  REQUIRE(terms.size() == 1);
  CHECK(terms[0].match_fields == std::vector<api::NodeSelectorRequirement>{name_in("node-7")});

  // daemonSet on the same node: one requirement, not two.
  TicketParams p = params(node_slot("node-7"), 0);
  p.node_name = "node-7";
  const api::Ticket pinned = build_ticket(order, p);
  const auto& pinned_terms =
      pinned.spec.affinity->node_affinity->required_during_scheduling_ignored_during_execution
          ->node_selector_terms;
  CHECK(pinned_terms[0].match_fields.size() == 1);
}

TEST_CASE("expiration is the window start or the creation time plus the duration", "[unit]") {
  api::Ticket t;
  t.spec.duration = "1h30m";
  const TimePoint created = utc("2026-05-01T12:00:00Z");
  auto e = expiration_of(t, created);
  REQUIRE(e.has_value());
  CHECK(*e == utc("2026-05-01T13:30:00Z"));
  t.spec.window.emplace().start_time = utc("2026-05-01T10:00:00Z");
  e = expiration_of(t, created);
  REQUIRE(e.has_value());
  CHECK(*e == utc("2026-05-01T11:30:00Z"));
  t.spec.duration = "3x";
  e = expiration_of(t, created);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().to_string() == "spec.duration: time: unknown unit \"x\" in duration \"3x\"");
}

TEST_CASE("the effective phase reads a live ticket past its expiration as Expired", "[unit]") {
  api::Ticket t;
  t.spec.duration = "1h";
  t.metadata.creation_timestamp = utc("2026-05-01T12:00:00Z");
  CHECK(effective_phase(t, utc("2026-05-01T12:30:00Z")) == "Pending");
  t.status.phase = "Ready";
  CHECK(effective_phase(t, utc("2026-05-01T12:59:59Z")) == "Ready");
  CHECK(effective_phase(t, utc("2026-05-01T13:00:00Z")) == "Expired");
  t.status.claim.emplace().token = "abc";  // an in-flight claim decides
  CHECK(effective_phase(t, utc("2026-05-01T13:00:00Z")) == "Ready");
  t.status.claim.reset();
  t.status.expiration_time = utc("2026-05-01T14:00:00Z");  // the ticket controller's word wins
  CHECK(effective_phase(t, utc("2026-05-01T13:00:00Z")) == "Ready");
  t.status.phase = "Claimed";
  CHECK(effective_phase(t, utc("2026-05-02T00:00:00Z")) == "Claimed");
}

TEST_CASE("check_same_ticket tells a hash collision from the ticket itself", "[unit]") {
  const api::Order order = make_order();
  const api::Ticket wanted = build_ticket(order, params("r1", 2));
  CHECK(check_same_ticket(wanted, wanted).has_value());
  api::Ticket other_slot = wanted;
  other_slot.metadata.labels["korder.dev/slot"] = "r5";
  const auto mismatch = check_same_ticket(other_slot, wanted);
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(mismatch.error().find("korder.dev/slot=r5, not r1") != std::string::npos);
  api::Ticket foreign = wanted;
  foreign.metadata.owner_references[0].uid = "uid-other";
  CHECK_FALSE(check_same_ticket(foreign, wanted).has_value());
}

}  // namespace
}  // namespace korder::order
