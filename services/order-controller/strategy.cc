#include "strategy.h"

#include <utility>

#include "korder/api/ticket.h"

namespace korder::order {

Expected<OrderPolicy, std::string> parse_policy(const api::OrderSpec& spec) {
  OrderPolicy policy;
  const std::string& type = spec.strategy.type;
  if (type.empty() || type == api::StrategyType::OneTime) {
    policy.strategy = Strategy::OneTime;
  } else if (type == api::StrategyType::Scheduled) {
    policy.strategy = Strategy::Scheduled;
  } else if (type == api::StrategyType::Recurring) {
    policy.strategy = Strategy::Recurring;
  } else {
    return Unexpected("spec.strategy.type: unsupported value \"" + type + "\"");
  }

  const std::string_view refresh = spec.strategy.effective_refresh_policy();
  if (refresh == api::RefreshPolicy::Always) {
    policy.refresh = Refresh::Always;
  } else if (refresh == api::RefreshPolicy::OnClaim) {
    policy.refresh = Refresh::OnClaim;
  } else if (refresh == api::RefreshPolicy::Never) {
    policy.refresh = Refresh::Never;
  } else {
    return Unexpected("spec.strategy.refreshPolicy: unsupported value \"" + std::string(refresh) +
                      "\"");
  }

  auto duration = api::Duration::parse(spec.template_.spec.duration);
  if (!duration) {
    return Unexpected("spec.template.spec.duration: " + duration.error().message);
  }
  if (duration->count() <= 0) {
    return Unexpected("spec.template.spec.duration: must be positive, got \"" +
                      spec.template_.spec.duration + "\"");
  }
  policy.duration = *duration;

  if (policy.periodic()) {
    if (spec.strategy.schedule.empty()) {
      return Unexpected("spec.strategy.schedule: required for strategy " + type);
    }
    auto schedule = api::CronSchedule::parse(spec.strategy.schedule, spec.strategy.time_zone);
    if (!schedule) {
      return Unexpected("spec.strategy.schedule: " + schedule.error().message);
    }
    policy.schedule.emplace(*schedule);
  }
  return policy;
}

PeriodState evaluate_period(const OrderPolicy& policy, TimePoint now) {
  PeriodState state;
  if (!policy.periodic()) {
    state.open = true;
    return state;
  }
  state.fire = policy.schedule->prev(now);
  state.next_fire = policy.schedule->next(now);
  if (state.fire.has_value()) {
    state.end = *state.fire +
                std::chrono::duration_cast<TimePoint::duration>(policy.duration.nanoseconds());
    state.open = now < *state.end;
  }
  return state;
}

bool refresh_replaces(Refresh refresh, std::string_view phase) {
  switch (refresh) {
    case Refresh::Always:
      return phase == api::TicketPhase::Claimed || phase == api::TicketPhase::Expired;
    case Refresh::OnClaim:
      return phase == api::TicketPhase::Claimed;
    case Refresh::Never:
      return false;
  }
  return false;
}

std::string_view to_string(Refresh refresh) {
  switch (refresh) {
    case Refresh::Always:
      return api::RefreshPolicy::Always;
    case Refresh::OnClaim:
      return api::RefreshPolicy::OnClaim;
    case Refresh::Never:
      return api::RefreshPolicy::Never;
  }
  return "";
}

}  // namespace korder::order
