#include "order_status.h"

#include "korder/api/event.h"
#include "korder/api/time.h"
#include "ticket_builder.h"

namespace korder::order {
namespace {

api::Condition make(std::string_view type, std::string_view status, std::string_view reason,
                    std::string message) {
  api::Condition c;
  c.type = std::string(type);
  c.status = std::string(status);
  c.reason = std::string(reason);
  c.message = std::move(message);
  return c;
}

std::string ready_ratio(const ConditionFacts& f) {
  return std::to_string(f.wanted_ready) + " of " + std::to_string(f.wanted) + " tickets ready";
}

api::Condition ready_condition(const ConditionFacts& f) {
  using api::ConditionStatus;
  const auto& type = api::OrderConditionType::Ready;
  if (f.invalid_spec) {
    return make(type, ConditionStatus::False, OrderReason::InvalidSpec, *f.invalid_spec);
  }
  if (f.wanted == 0) {
    if (f.desired == 0) {
      return f.daemon_set ? make(type, ConditionStatus::False, OrderReason::NoEligibleNodes,
                                 "no Ready, schedulable node qualifies for this daemonSet order")
                          : make(type, ConditionStatus::False, OrderReason::NoReplicas,
                                 "spec.replicas is 0");
    }
    if (f.periodic && !f.open) {
      return make(type, ConditionStatus::False, OrderReason::OutsideWindow,
                  f.next_fire ? "no period is open; the next fire is at " +
                                    api::format_rfc3339(*f.next_fire)
                              : std::string("no period is open and the schedule fires no more"));
    }
    return make(type, ConditionStatus::False, OrderReason::AllSlotsConsumed,
                "every slot's ticket was claimed or has expired, and refreshPolicy " +
                    f.refresh_policy + " does not replace it");
  }
  if (f.wanted_ready == f.wanted) {
    return make(type, ConditionStatus::True, OrderReason::TicketsReady, ready_ratio(f));
  }
  return make(type, ConditionStatus::False, OrderReason::TicketsNotReady, ready_ratio(f));
}

api::Condition progressing_condition(const ConditionFacts& f) {
  using api::ConditionStatus;
  const auto& type = api::OrderConditionType::Progressing;
  if (f.invalid_spec) {
    return make(type, ConditionStatus::False, OrderReason::InvalidSpec, *f.invalid_spec);
  }
  if (f.paused) {
    return make(type, ConditionStatus::Unknown, OrderReason::Paused,
                "the order is paused: no tickets are created or deleted");
  }
  if (f.collision) {
    return make(type, ConditionStatus::False, OrderReason::TicketNameCollision, *f.collision);
  }
  if (f.one_at_a_time) {
    return make(type, ConditionStatus::True, OrderReason::RollingOutOneAtATime,
                "the template changed and a quota denied the extra ticket a new-before-old "
                "replacement needs: replacing tickets one at a time, old before new");
  }
  if (f.quota_retry_at) {
    return make(
        type, ConditionStatus::True, OrderReason::WaitingForQuota,
        "a quota denied a ticket creation; retrying at " + api::format_rfc3339(*f.quota_retry_at));
  }
  if (f.rollout) {
    return make(type, ConditionStatus::True, OrderReason::ReplacingTickets,
                "the template changed: replacing tickets, new before old");
  }
  if (f.creates > 0) {
    return make(type, ConditionStatus::True, OrderReason::CreatingTickets,
                "creating " + std::to_string(f.creates) + " ticket(s)");
  }
  if (f.deletes > 0) {
    return make(type, ConditionStatus::True, OrderReason::DeletingTickets,
                "deleting " + std::to_string(f.deletes) + " ticket(s)");
  }
  if (f.wanted_ready < f.wanted) {
    return make(type, ConditionStatus::True, OrderReason::WaitingForTickets, ready_ratio(f));
  }
  return make(type, ConditionStatus::False, OrderReason::Stable,
              "the order holds the tickets it asks for");
}

api::Condition quota_condition(const ConditionFacts& f) {
  const auto& type = api::OrderConditionType::QuotaExceeded;
  if (f.quota_denied_message) {
    return make(type, api::ConditionStatus::True, OrderReason::TicketCreationDenied,
                *f.quota_denied_message);
  }
  return make(type, api::ConditionStatus::False, OrderReason::WithinQuota, "");
}

bool is_true(const api::Condition* c) {
  return c != nullptr && c->status == api::ConditionStatus::True;
}

}  // namespace

const api::Condition* find_condition(const std::vector<api::Condition>& conditions,
                                     std::string_view type) {
  for (const api::Condition& c : conditions) {
    if (c.type == type) {
      return &c;
    }
  }
  return nullptr;
}

std::vector<api::Condition> compute_conditions(const ConditionFacts& facts,
                                               const std::vector<api::Condition>& previous,
                                               std::int64_t generation, TimePoint now) {
  std::vector<api::Condition> out = {ready_condition(facts), progressing_condition(facts),
                                     quota_condition(facts)};
  for (api::Condition& c : out) {
    c.observed_generation = generation;
    const api::Condition* old = find_condition(previous, c.type);
    if (old != nullptr && old->status == c.status && old->last_transition_time.has_value()) {
      c.last_transition_time = old->last_transition_time;
    } else {
      // metav1.Time has whole seconds; truncating here keeps a read-back status equal.
      c.last_transition_time = std::chrono::time_point_cast<std::chrono::seconds>(now);
    }
  }
  return out;
}

void count_tickets(const ObservedTickets& observed, TimePoint now, api::OrderStatus& status) {
  status.pending = status.ready = status.claimed = status.expired = 0;
  for (const api::Ticket* ticket : observed.owned) {
    if (is_deleting(*ticket)) {
      continue;
    }
    const std::string_view phase = effective_phase(*ticket, now);
    if (phase == api::TicketPhase::Pending) {
      ++status.pending;
    } else if (phase == api::TicketPhase::Ready) {
      ++status.ready;
    } else if (phase == api::TicketPhase::Claimed) {
      ++status.claimed;
    } else if (phase == api::TicketPhase::Expired) {
      ++status.expired;
    }
  }
}

std::vector<PlannedEvent> condition_events(const std::vector<api::Condition>& previous,
                                           const std::vector<api::Condition>& current) {
  std::vector<PlannedEvent> events;
  const auto* old_quota = find_condition(previous, api::OrderConditionType::QuotaExceeded);
  const auto* new_quota = find_condition(current, api::OrderConditionType::QuotaExceeded);
  if (!is_true(old_quota) && is_true(new_quota)) {
    events.push_back({std::string(api::EventType::Warning), "QuotaExceeded", new_quota->message});
  } else if (is_true(old_quota) && !is_true(new_quota)) {
    events.push_back({std::string(api::EventType::Normal), "QuotaAvailable",
                      "ticket creations are admitted by the quota again"});
  }
  const auto* old_progress = find_condition(previous, api::OrderConditionType::Progressing);
  const auto* new_progress = find_condition(current, api::OrderConditionType::Progressing);
  if (new_progress != nullptr && new_progress->reason == OrderReason::RollingOutOneAtATime &&
      (old_progress == nullptr || old_progress->reason != OrderReason::RollingOutOneAtATime)) {
    events.push_back({std::string(api::EventType::Warning),
                      std::string(OrderReason::RollingOutOneAtATime), new_progress->message});
  }
  return events;
}

}  // namespace korder::order
