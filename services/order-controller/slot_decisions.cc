#include "slot_decisions.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "korder/api/time.h"
#include "ticket_naming.h"

namespace korder::order {
namespace {

std::string label_of(const api::Ticket& ticket, std::string_view key) {
  const auto it = ticket.metadata.labels.find(std::string(key));
  return it == ticket.metadata.labels.end() ? std::string() : it->second;
}

bool stale(const api::Ticket& ticket, const std::string& template_hash) {
  return label_of(ticket, kLabelTemplateHash) != template_hash;
}

CreateIntent make_create(const DecisionContext& ctx, const SlotView& view, std::int64_t incarnation,
                         std::string_view reason, std::string message) {
  CreateIntent intent;
  intent.params.slot = view.slot;
  intent.params.node_name = view.node_name;
  intent.params.incarnation = incarnation;
  intent.params.template_hash = ctx.template_hash;
  if (ctx.policy->periodic()) {
    intent.params.fire = ctx.period->fire;
    intent.params.start_time = ctx.period->fire;
  } else {
    intent.params.start_time = one_time_start(ctx.order->spec.template_.spec, incarnation, ctx.now);
  }
  intent.reason = std::string(reason);
  intent.message = std::move(message);
  return intent;
}

std::string current_name(const SlotView& view) {
  return view.current != nullptr ? view.current->metadata.name
                                 : "of incarnation " + std::to_string(view.incarnation);
}

std::string fire_message(const DecisionContext& ctx, const SlotView& view) {
  return "slot " + view.slot + ": ticket for the period opened by the fire at " +
         api::format_rfc3339(*ctx.period->fire) + " (until " +
         api::format_rfc3339(*ctx.period->end) + ")";
}

// Creates for a Finished slot: a top-up at a new fire (or when a ticket carried over from an
// earlier period expires), else whatever the refresh policy says.
void decide_finished(const DecisionContext& ctx, const SlotView& view, SlotDecision& d) {
  const bool current_is_this_period = view.current != nullptr && ctx.period->fire.has_value() &&
                                      start_of(*view.current) == ctx.period->fire;
  // A ticket carried over from an earlier period (periods overlap) stood in for this period's
  // top-up only while it lasted: when it expires, the slot gets its top-up after all.
  const bool carried_over_expired = ctx.policy->periodic() && view.current != nullptr &&
                                    !current_is_this_period &&
                                    view.phase == api::TicketPhase::Expired;
  if ((ctx.new_period && !current_is_this_period) || carried_over_expired) {
    d.create =
        make_create(ctx, view, view.incarnation + 1, kReasonTicketCreated, fire_message(ctx, view));
  } else if (refresh_replaces(ctx.policy->refresh, view.phase)) {
    d.create = make_create(ctx, view, view.incarnation + 1, kReasonTicketReplaced,
                           "slot " + view.slot + ": replacing ticket " + current_name(view) + " (" +
                               view.phase + ") under refreshPolicy " +
                               std::string(to_string(ctx.policy->refresh)));
  } else {
    d.wanted = false;  // consumed until the next period (or for good, for OneTime)
  }
}

void decide_open(const DecisionContext& ctx, const SlotView& view, SlotDecision& d) {
  d.wanted = true;
  switch (view.kind) {
    case SlotKind::Fresh:
    case SlotKind::Planned:
      d.create = make_create(
          ctx, view, view.incarnation, kReasonTicketCreated,
          ctx.policy->periodic() ? fire_message(ctx, view) : "slot " + view.slot + ": new ticket");
      break;
    case SlotKind::Live:
      if (stale(*view.current, ctx.template_hash) && !ctx.one_at_a_time) {
        d.create = make_create(ctx, view, view.incarnation + 1, kReasonTicketReplaced,
                               "slot " + view.slot + ": template changed, replacing ticket " +
                                   view.current->metadata.name +
                                   " (the old one stays until the new one is Ready)");
      }
      break;
    case SlotKind::Finished:
      decide_finished(ctx, view, d);
      break;
    case SlotKind::Lost:
      if (ctx.one_at_a_time && view.current != nullptr) {
        d.waiting = true;  // old-before-new: wait until the old ticket is gone
      } else if (ctx.new_period) {
        d.create = make_create(ctx, view, view.incarnation + 1, kReasonTicketCreated,
                               fire_message(ctx, view));
      } else {
        d.create = make_create(ctx, view, view.incarnation + 1, kReasonTicketReplaced,
                               "slot " + view.slot + ": ticket " + current_name(view) +
                                   " was deleted while " + view.phase + ", recreating it");
      }
      break;
  }
}

void hold_create(SlotDecision& d) {
  d.create.reset();
  d.waiting = true;
}

// Older live tickets of the slot go once the current one holds the slot (Ready, or finished so
// the slot no longer needs them): new before old. One at a time, a slot whose replacement could
// not be created keeps everything as it is until step_one_at_a_time() picks it.
void decide_superseded(const DecisionContext& ctx, const SlotView& view, SlotDecision& d) {
  if (!view.superseded.empty()) {
    const bool settled = view.current != nullptr && !is_deleting(*view.current) &&
                         view.phase != api::TicketPhase::Pending;
    const bool consumed = view.kind == SlotKind::Finished && !d.create.has_value();
    if (settled || consumed) {
      for (const api::Ticket* old : view.superseded) {
        d.deletes.push_back(
            {old, "slot " + view.slot + ": ticket superseded by " + current_name(view)});
      }
    } else if (ctx.one_at_a_time && view.kind != SlotKind::Live) {
      hold_create(d);
    }
  }
  if (ctx.one_at_a_time && view.other_deleting && d.create.has_value()) {
    hold_create(d);  // old before new: create once the old ticket is gone
  }
}

// One at a time, a slot is busy while anything of it is in flight: a creation outstanding, a
// deletion planned or under way, or a new ticket not yet Ready.
bool busy(const SlotDecision& d, const std::string& template_hash) {
  const SlotView& view = *d.view;
  if (d.create.has_value() || !d.deletes.empty() || view.other_deleting) {
    return true;
  }
  if (view.kind == SlotKind::Lost && view.current != nullptr) {
    return true;
  }
  if (view.kind == SlotKind::Live) {
    return !view.superseded.empty() ||
           (view.phase == api::TicketPhase::Pending && !stale(*view.current, template_hash));
  }
  return false;
}

// The tickets a one-at-a-time step would delete in this slot: the old tickets of a slot whose
// replacement is waiting, or the stale current ticket of a slot not yet started.
std::vector<const api::Ticket*> step_victims(const SlotDecision& d,
                                             const std::string& template_hash) {
  const SlotView& view = *d.view;
  if (view.kind != SlotKind::Live && !view.superseded.empty()) {
    return view.superseded;
  }
  if (view.kind == SlotKind::Live && view.superseded.empty() &&
      stale(*view.current, template_hash)) {
    return {view.current};
  }
  return {};
}

}  // namespace

bool rollout_pending(const SlotView& view, const std::string& template_hash) {
  if (!view.superseded.empty() || view.other_deleting) {
    return true;
  }
  return view.kind == SlotKind::Live && stale(*view.current, template_hash);
}

SlotDecision decide_slot(const DecisionContext& ctx, const SlotView& view) {
  SlotDecision d;
  d.view = &view;
  d.rolling = rollout_pending(view, ctx.template_hash);
  if (ctx.period->open) {
    decide_open(ctx, view, d);
  }
  decide_superseded(ctx, view, d);
  d.memory.slot = view.slot;
  if (d.create.has_value()) {
    d.memory.incarnation = d.create->params.incarnation;
  } else {
    d.memory.incarnation = view.incarnation;
    d.memory.phase = view.phase;
  }
  return d;
}

void step_one_at_a_time(const DecisionContext& ctx, std::vector<SlotDecision>& decisions) {
  if (!ctx.one_at_a_time || !ctx.period->open) {
    return;
  }
  for (const SlotDecision& d : decisions) {
    if (busy(d, ctx.template_hash)) {
      return;
    }
  }
  // Pending tickets first (they hold no capacity yet), then slot order.
  SlotDecision* pick = nullptr;
  std::vector<const api::Ticket*> victims;
  bool pick_pending = false;
  for (SlotDecision& d : decisions) {
    auto candidates = step_victims(d, ctx.template_hash);
    if (candidates.empty()) {
      continue;
    }
    const bool pending = std::all_of(candidates.begin(), candidates.end(), [&](auto* t) {
      return effective_phase(*t, ctx.now) == api::TicketPhase::Pending;
    });
    if (pick == nullptr || (pending && !pick_pending)) {
      pick = &d;
      victims = std::move(candidates);
      pick_pending = pending;
    }
  }
  if (pick == nullptr) {
    return;
  }
  for (const api::Ticket* victim : victims) {
    pick->deletes.push_back(
        {victim, "slot " + pick->view->slot +
                     ": template changed and a quota denied the extra ticket, replacing old "
                     "before new, one ticket at a time"});
  }
  pick->waiting = true;
}

std::vector<DeleteIntent> removals(const ObservedTickets& observed,
                                   const std::vector<SlotView>& desired, bool daemon_set,
                                   TimePoint now) {
  std::set<std::string> wanted;
  for (const SlotView& view : desired) {
    wanted.insert(view.slot);
  }
  std::vector<DeleteIntent> out;
  const auto consider = [&](const api::Ticket* ticket, const std::string& slot) {
    if (is_deleting(*ticket) || !is_live_phase(effective_phase(*ticket, now))) {
      return;
    }
    std::string why;
    if (daemon_set && is_node_slot(slot)) {
      const auto node = ticket->metadata.annotations.find(std::string(kAnnotationNode));
      why = "node " + (node == ticket->metadata.annotations.end() ? slot : node->second) +
            " no longer qualifies for this daemonSet order (gone, not Ready, cordoned, or not "
            "admitted by the template)";
    } else if (!daemon_set && replica_index(slot).has_value()) {
      why = "scaled down: slot " + slot + " is no longer wanted";
    } else {
      why = "slot \"" + slot + "\" is not a slot this order uses";
    }
    out.push_back({ticket, std::move(why)});
  };
  for (const auto& [slot, tickets] : observed.by_slot) {
    if (wanted.count(slot) == 0) {
      for (const api::Ticket* ticket : tickets) {
        consider(ticket, slot);
      }
    }
  }
  for (const api::Ticket* ticket : observed.unslotted) {
    consider(ticket, "");
  }
  const auto rank = [&](const DeleteIntent& d) {
    const auto& labels = d.ticket->metadata.labels;
    const auto slot = labels.find(std::string(kLabelSlot));
    const std::string name = slot == labels.end() ? "" : slot->second;
    const bool ready = effective_phase(*d.ticket, now) == api::TicketPhase::Ready;
    return std::make_tuple(ready, -replica_index(name).value_or(-1), name, d.ticket->metadata.name);
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const DeleteIntent& a, const DeleteIntent& b) { return rank(a) < rank(b); });
  return out;
}

}  // namespace korder::order
