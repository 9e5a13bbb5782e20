#include "plan_test_support.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>

#include "korder/api/json.h"
#include "korder/api/quantity.h"
#include "korder/api/time.h"
#include "korder/base/check.h"
#include "slot_view.h"
#include "ticket_builder.h"
#include "ticket_naming.h"

namespace korder::order::testing {

TimePoint utc(std::string_view text) {
  // No Catch2 macros: tests call this for namespace-scope constants, before Catch2 runs.
  auto t = api::parse_rfc3339(text);
  KORDER_CHECK(t.has_value(), "a test time does not parse");
  return *t;
}

std::string str(std::optional<TimePoint> t) { return t ? api::format_rfc3339(*t) : "none"; }

api::Order make_order(std::string name, int replicas, std::string duration) {
  api::Order order;
  order.api_version = "core.korder.dev/v1alpha1";
  order.kind = "Order";
  order.metadata.name = name;
  order.metadata.namespace_ = "team-a";
  order.metadata.uid = "uid-" + name;
  order.metadata.generation = 1;
  order.spec.replicas = replicas;
  order.spec.template_.metadata.labels["app"] = "db";
  order.spec.template_.spec.duration = std::move(duration);
  auto cpu = api::Quantity::parse("500m");
  REQUIRE(cpu.has_value());
  order.spec.template_.spec.resources.requests["cpu"] = *cpu;
  return order;
}

void set_strategy(api::Order& order, std::string type, std::string schedule, std::string refresh,
                  std::string zone) {
  order.spec.strategy.type = std::move(type);
  order.spec.strategy.schedule = std::move(schedule);
  order.spec.strategy.refresh_policy = std::move(refresh);
  order.spec.strategy.time_zone = std::move(zone);
}

api::Node make_node(std::string name, std::map<std::string, std::string> labels) {
  api::Node node;
  node.metadata.name = name;
  node.metadata.labels = std::move(labels);
  node.metadata.labels["kubernetes.io/hostname"] = name;
  api::NodeCondition ready;
  ready.type = "Ready";
  ready.status = "True";
  node.status.conditions.push_back(ready);
  return node;
}

PlanInput input_of(const World& world, TimePoint now) {
  PlanInput input;
  input.order = std::make_shared<const api::Order>(world.order);
  for (const api::Ticket& t : world.tickets) {
    input.tickets.push_back(std::make_shared<const api::Ticket>(t));
  }
  for (const api::Node& n : world.nodes) {
    input.nodes.push_back(std::make_shared<const api::Node>(n));
  }
  input.now = now;
  input.quota_denial = world.denial;
  return input;
}

Plan plan_at(const World& world, TimePoint now) { return plan(input_of(world, now)); }

void apply(World& world, const Plan& plan, TimePoint now, bool deny_creates) {
  for (const TicketCreate& create : plan.creates) {
    if (deny_creates) {
      world.denial = QuotaDenial{now,
                                 "admission webhook \"tickets.korder.dev\" denied the request: "
                                 "korder quota exceeded: quota \"team-quota\": tickets: "
                                 "requested 1, used 3, limit 3"};
      break;  // the reconciler stops at the first denial
    }
    const auto clash = std::find_if(
        world.tickets.begin(), world.tickets.end(),
        [&](const api::Ticket& t) { return t.metadata.name == create.ticket.metadata.name; });
    REQUIRE(clash == world.tickets.end());  // a plan never creates a duplicate
    api::Ticket ticket = create.ticket;
    ticket.metadata.uid = "t-" + std::to_string(++world.serial);
    ticket.metadata.resource_version = std::to_string(world.serial);
    ticket.metadata.creation_timestamp = now;
    world.tickets.push_back(std::move(ticket));
    world.denial.reset();
  }
  for (const TicketDelete& del : plan.deletes) {
    const auto it = std::find_if(world.tickets.begin(), world.tickets.end(),
                                 [&](const api::Ticket& t) { return t.metadata.name == del.name; });
    REQUIRE(it != world.tickets.end());
    CHECK(it->metadata.uid == del.uid);
    CHECK(it->metadata.resource_version == del.resource_version);
    if (world.deletions_linger) {
      it->metadata.deletion_timestamp = now;
    } else {
      world.tickets.erase(it);
    }
  }
  world.order.status = plan.status;
}

Plan converge(World& world, TimePoint now) {
  for (int round = 0; round < 20; ++round) {
    Plan p = plan_at(world, now);
    apply(world, p, now);
    if (!p.has_actions()) {
      return p;
    }
  }
  FAIL("the plan did not converge in 20 rounds");
  return {};
}

void require_no_writes(const World& world, TimePoint now) {
  const Plan p = plan_at(world, now);
  CHECK(p.creates.empty());
  CHECK(p.deletes.empty());
  CHECK(event_reasons(p).empty());
  CHECK(p.status == world.order.status);
}

std::vector<api::Ticket*> in_slot(World& world, std::string_view slot) {
  std::vector<api::Ticket*> out;
  for (api::Ticket& t : world.tickets) {
    if (slot_of(t) == slot && !t.metadata.deletion_timestamp) {
      out.push_back(&t);
    }
  }
  std::sort(out.begin(), out.end(), [](const api::Ticket* a, const api::Ticket* b) {
    return incarnation_of(*a) < incarnation_of(*b);
  });
  return out;
}

api::Ticket& current(World& world, std::string_view slot) {
  auto tickets = in_slot(world, slot);
  INFO("slot " << slot);
  REQUIRE(!tickets.empty());
  return *tickets.back();
}

void set_pending_to(World& world, std::string_view phase) {
  for (api::Ticket& t : world.tickets) {
    if (!t.metadata.deletion_timestamp &&
        (t.status.phase.empty() || t.status.phase == api::TicketPhase::Pending)) {
      t.status.phase = std::string(phase);
    }
  }
}

void finish_deletions(World& world) {
  std::erase_if(world.tickets,
                [](const api::Ticket& t) { return t.metadata.deletion_timestamp.has_value(); });
}

void remove_ticket(World& world, std::string_view name) {
  const auto removed =
      std::erase_if(world.tickets, [&](const api::Ticket& t) { return t.metadata.name == name; });
  REQUIRE(removed == 1);
}

namespace {
std::string label(const api::Ticket& ticket, std::string_view key) {
  const auto it = ticket.metadata.labels.find(std::string(key));
  return it == ticket.metadata.labels.end() ? "" : it->second;
}
}  // namespace

std::string slot_of(const api::Ticket& ticket) { return label(ticket, kLabelSlot); }
std::string incarnation_label(const api::Ticket& ticket) {
  return label(ticket, kLabelIncarnation);
}
std::string hash_label(const api::Ticket& ticket) { return label(ticket, kLabelTemplateHash); }

std::vector<std::string> create_slots(const Plan& plan) {
  std::vector<std::string> out;
  for (const TicketCreate& c : plan.creates) {
    out.push_back(slot_of(c.ticket));
  }
  return out;
}

std::vector<std::string> delete_slots(const World& world, const Plan& plan) {
  std::vector<std::string> out;
  for (const TicketDelete& d : plan.deletes) {
    for (const api::Ticket& t : world.tickets) {
      if (t.metadata.name == d.name) {
        out.push_back(slot_of(t));
      }
    }
  }
  return out;
}

std::vector<std::string> event_reasons(const Plan& plan) {
  std::vector<std::string> out;
  for (const PlannedEvent& e : plan.events) {
    out.push_back(e.reason);
  }
  return out;
}

const api::Condition& condition(const api::OrderStatus& status, std::string_view type) {
  const api::Condition* c = find_condition(status.conditions, type);
  INFO("condition " << type);
  REQUIRE(c != nullptr);
  return *c;
}

int live_count(const World& world, TimePoint now) {
  return static_cast<int>(
      std::count_if(world.tickets.begin(), world.tickets.end(), [&](const api::Ticket& t) {
        return !t.metadata.deletion_timestamp && is_live_phase(effective_phase(t, now));
      }));
}

}  // namespace korder::order::testing

namespace Catch {
std::string StringMaker<korder::api::OrderStatus>::convert(const korder::api::OrderStatus& status) {
  return korder::api::encode(status);
}
std::string StringMaker<korder::api::OrderSlotStatus>::convert(
    const korder::api::OrderSlotStatus& slot) {
  return korder::api::encode(slot);
}
}  // namespace Catch
