#include "plan.h"

#include <algorithm>
#include <set>
#include <utility>

#include "korder/api/event.h"
#include "korder/api/time.h"
#include "korder/base/check.h"
#include "slot_decisions.h"
#include "slot_selection.h"
#include "slot_view.h"
#include "strategy.h"
#include "ticket_builder.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

// Everything plan() derives before it builds the result.
struct Planning {
  const PlanInput* input = nullptr;
  const api::Order* order = nullptr;
  ObservedTickets observed;
  OrderPolicy policy;
  PeriodState period;
  std::vector<SlotView> views;
  DecisionContext ctx;
  std::vector<SlotDecision> decisions;
  bool paused = false;
  /// Creations are held back until quota_retry_at (a recent quota denial).
  std::optional<TimePoint> quota_retry_at;
};

std::int64_t generation_of(const api::Order& order) {
  return order.metadata.generation.value_or(0);
}

void keep_earliest(std::optional<TimePoint>& best, std::optional<TimePoint> candidate,
                   TimePoint now) {
  if (candidate.has_value() && *candidate > now && (!best || *candidate < *best)) {
    best = candidate;
  }
}

// Whether one-at-a-time replacement applies: a template rollout is under way and a quota has
// denied a ticket, now or earlier in this rollout (the Progressing reason remembers it, so the
// mode does not flip back to new-before-old as soon as one creation succeeds).
bool one_at_a_time(const Planning& p) {
  const bool rollout = std::any_of(p.views.begin(), p.views.end(), [&](const SlotView& v) {
    return rollout_pending(v, p.ctx.template_hash);
  });
  if (!rollout) {
    return false;
  }
  const api::Condition* progressing =
      find_condition(p.order->status.conditions, api::OrderConditionType::Progressing);
  return p.input->quota_denial.has_value() ||
         (progressing != nullptr && progressing->reason == OrderReason::RollingOutOneAtATime);
}

void decide(Planning& p) {
  const api::Order& order = *p.order;
  p.ctx.order = &order;
  p.ctx.policy = &p.policy;
  p.ctx.period = &p.period;
  p.ctx.now = p.input->now;
  p.ctx.template_hash = template_hash(order.spec.template_);
  p.ctx.new_period = p.policy.periodic() && p.period.open && !p.paused &&
                     order.status.last_schedule_time != p.period.fire;
  p.ctx.one_at_a_time = one_at_a_time(p);
  p.decisions.reserve(p.views.size());
  for (const SlotView& view : p.views) {
    p.decisions.push_back(decide_slot(p.ctx, view));
  }
  step_one_at_a_time(p.ctx, p.decisions);
  if (const auto& denial = p.input->quota_denial) {
    const TimePoint retry_at =
        denial->at + std::chrono::duration_cast<TimePoint::duration>(p.input->quota_retry_interval);
    if (p.input->now < retry_at) {
      p.quota_retry_at = retry_at;
    }
  }
}

TicketDelete make_delete(const DeleteIntent& intent) {
  const api::Ticket& t = *intent.ticket;
  return TicketDelete{
      t.metadata.namespace_, t.metadata.name, t.metadata.uid, t.metadata.resource_version,
      PlannedEvent{std::string(api::EventType::Normal), std::string(kReasonTicketDeleted),
                   "deleted ticket " + t.metadata.name + ": " + intent.message}};
}

// Builds the creates, guarding against name collisions (DESIGN.md §2: a collision must never
// silently drop a slot, so it is an error, and the slot stays empty until it is resolved).
void add_creates(const Planning& p, Plan& out) {
  std::set<std::string> names;
  for (const SlotDecision& d : p.decisions) {
    if (!d.create.has_value()) {
      continue;
    }
    api::Ticket ticket = build_ticket(*p.order, d.create->params);
    const std::string& name = ticket.metadata.name;
    const auto existing = p.observed.by_name.find(name);
    if (existing != p.observed.by_name.end()) {
      if (auto same = check_same_ticket(*existing->second, ticket); !same) {
        out.errors.push_back("slot " + d.view->slot + ": " + same.error());
      }
      continue;  // the very ticket exists already: nothing to create
    }
    if (!names.insert(name).second) {
      out.errors.push_back("slot " + d.view->slot + ": ticket name " + name +
                           " is also computed for another slot (ticket name hash collision)");
      continue;
    }
    if (p.paused || p.quota_retry_at.has_value()) {
      continue;
    }
    std::string message = "created ticket " + name + ": " + d.create->message;
    out.creates.push_back(TicketCreate{
        std::move(ticket),
        PlannedEvent{std::string(api::EventType::Normal), d.create->reason, std::move(message)}});
  }
}

void add_deletes(const Planning& p, Plan& out) {
  if (p.paused) {
    return;
  }
  std::vector<DeleteIntent> intents;
  for (const SlotDecision& d : p.decisions) {
    intents.insert(intents.end(), d.deletes.begin(), d.deletes.end());
  }
  const auto removed =
      removals(p.observed, p.views, p.order->spec.daemon_set.value_or(false), p.input->now);
  // Removals first: they follow the scale-down order (Pending before Ready, highest index).
  for (const DeleteIntent& intent : removed) {
    out.deletes.push_back(make_delete(intent));
  }
  for (const DeleteIntent& intent : intents) {
    out.deletes.push_back(make_delete(intent));
  }
}

ConditionFacts facts_of(const Planning& p, const Plan& out) {
  ConditionFacts f;
  f.paused = p.paused;
  f.daemon_set = p.order->spec.daemon_set.value_or(false);
  f.periodic = p.policy.periodic();
  f.open = p.period.open;
  f.next_fire = p.period.next_fire;
  f.refresh_policy = std::string(to_string(p.policy.refresh));
  f.desired = static_cast<std::int32_t>(p.views.size());
  bool wants_creation = false;
  for (const SlotDecision& d : p.decisions) {
    f.rollout = f.rollout || d.rolling;
    wants_creation = wants_creation || d.create.has_value() || d.waiting;
    if (d.wanted) {
      ++f.wanted;
      if (d.view->kind == SlotKind::Live && d.view->phase == api::TicketPhase::Ready) {
        ++f.wanted_ready;
      }
    }
  }
  f.creates = static_cast<std::int32_t>(out.creates.size());
  f.deletes = static_cast<std::int32_t>(out.deletes.size());
  f.one_at_a_time = p.ctx.one_at_a_time;
  if (!out.errors.empty()) {
    f.collision = out.errors.front();
  }
  // A denial matters while tickets still need creating; once none do, QuotaExceeded clears.
  if (p.input->quota_denial.has_value() && wants_creation) {
    f.quota_denied_message = p.input->quota_denial->message;
    if (!p.paused) {
      f.quota_retry_at = p.quota_retry_at;
    }
  }
  return f;
}

void fill_status(const Planning& p, Plan& out) {
  const api::Order& order = *p.order;
  api::OrderStatus& status = out.status;
  status.extras = order.status.extras;
  status.desired = static_cast<std::int32_t>(p.views.size());
  count_tickets(p.observed, p.input->now, status);
  for (const SlotDecision& d : p.decisions) {
    if (p.paused) {
      const SlotView& v = *d.view;
      status.slots.push_back(api::OrderSlotStatus{v.slot, v.incarnation, v.phase, {}});
    } else {
      status.slots.push_back(d.memory);
    }
  }
  status.observed_generation = generation_of(order);
  status.last_schedule_time = p.ctx.new_period ? p.period.fire : order.status.last_schedule_time;
  if (p.policy.periodic()) {
    status.next_schedule_time = p.period.next_fire;
  }
  status.conditions = compute_conditions(facts_of(p, out), order.status.conditions,
                                         generation_of(order), p.input->now);
}

void add_events(const Planning& p, Plan& out) {
  if (p.ctx.new_period) {
    out.events.push_back({std::string(api::EventType::Normal), "ScheduleFired",
                          "schedule fired at " + api::format_rfc3339(*p.period.fire) +
                              "; the period is open until " + api::format_rfc3339(*p.period.end)});
  }
  for (const std::string& error : out.errors) {
    out.events.push_back({std::string(api::EventType::Warning),
                          std::string(OrderReason::TicketNameCollision), error});
  }
  for (PlannedEvent& e : condition_events(p.order->status.conditions, out.status.conditions)) {
    out.events.push_back(std::move(e));
  }
}

void set_requeue(const Planning& p, Plan& out) {
  const TimePoint now = p.input->now;
  std::optional<TimePoint> next;
  keep_earliest(next, p.period.next_fire, now);
  if (p.period.open) {
    keep_earliest(next, p.period.end, now);
  }
  for (const api::Ticket* ticket : p.observed.owned) {
    if (!is_deleting(*ticket) && is_live_phase(effective_phase(*ticket, now))) {
      keep_earliest(next, observed_expiration(*ticket), now);
    }
  }
  keep_earliest(next, p.quota_retry_at, now);
  if (next.has_value()) {
    out.requeue_after = std::chrono::duration_cast<std::chrono::nanoseconds>(*next - now);
  }
}

// An order whose spec cannot be planned (the validating webhook normally prevents it): no
// actions, status with the counts and the old memory, and the reason in the conditions.
Plan plan_invalid(const Planning& p, const std::string& problem) {
  const api::Order& order = *p.order;
  Plan out;
  out.errors.push_back(problem);
  out.status = order.status;
  out.status.desired = 0;
  count_tickets(p.observed, p.input->now, out.status);
  out.status.observed_generation = generation_of(order);
  ConditionFacts facts;
  facts.invalid_spec = problem;
  out.status.conditions =
      compute_conditions(facts, order.status.conditions, generation_of(order), p.input->now);
  return out;
}

}  // namespace

Plan plan(const PlanInput& input) {
  KORDER_CHECK(input.order != nullptr, "plan() needs an order");
  Planning p;
  p.input = &input;
  p.order = input.order.get();
  p.observed = index_tickets(input.tickets, p.order->metadata.uid);
  auto policy = parse_policy(p.order->spec);
  if (!policy) {
    return plan_invalid(p, policy.error());
  }
  p.policy = *policy;
  p.period = evaluate_period(p.policy, input.now);
  p.paused = p.order->spec.paused.value_or(false);
  p.views = select_slots(*p.order, input.nodes, p.observed, input.now);
  decide(p);

  Plan out;
  add_creates(p, out);
  add_deletes(p, out);
  fill_status(p, out);
  add_events(p, out);
  set_requeue(p, out);
  return out;
}

}  // namespace korder::order
