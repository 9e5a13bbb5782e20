#include "quota_status.h"

#include <set>
#include <sstream>

#include "korder/api/quota_limits.h"
#include "quota_evaluator.h"

namespace korder::quota {
namespace {

// `used` for every key of `hard` but max-duration.
api::QuotaLimits used_for(const api::QuotaLimits& hard, const Usage& used) {
  api::QuotaLimits out;
  for (const auto& [key, value] : hard) {
    if (key == api::QuotaResourceName::MaxDuration) {
      continue;
    }
    if (key == api::QuotaResourceName::Orders) {
      out[key] = std::to_string(used.orders);
    } else if (key == api::QuotaResourceName::Tickets) {
      out[key] = std::to_string(used.tickets);
    } else {
      out[key] =
          used.reserved_of(key.substr(api::QuotaResourceName::ReservedPrefix.size())).to_string();
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += separator;
    }
    out += parts[i];
  }
  return out;
}

std::string exceeded_message(const std::vector<Violation>& over) {
  std::vector<std::string> parts;
  for (const Violation& v : over) {
    std::string part;
    if (v.scope == LimitScope::Allocation) {
      part = "allocation of namespace \"" + v.namespace_ + "\": ";
    }
    parts.push_back(part + v.resource + ": used " + v.used + ", limit " + v.limit);
  }
  return join(parts, "; ");
}

api::Condition make_condition(std::string_view type, bool status, std::string reason,
                              std::string message, const QuotaSnapshot& snapshot,
                              const api::QuotaStatus& previous, TimePoint now) {
  api::Condition out;
  out.type = std::string(type);
  out.status = std::string(status ? api::ConditionStatus::True : api::ConditionStatus::False);
  out.reason = std::move(reason);
  out.message = std::move(message);
  out.observed_generation = snapshot.generation;
  out.last_transition_time = now;
  for (const api::Condition& old : previous.conditions) {
    if (old.type == out.type && old.status == out.status && old.last_transition_time) {
      out.last_transition_time = old.last_transition_time;
    }
  }
  return out;
}

const api::Condition* find_condition(const api::QuotaStatus& status, std::string_view type) {
  for (const api::Condition& condition : status.conditions) {
    if (condition.type == type) {
      return &condition;
    }
  }
  return nullptr;
}

std::set<std::string> split_windows(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string name; std::getline(in, name, ',');) {
    if (!name.empty()) {
      out.insert(name);
    }
  }
  return out;
}

}  // namespace

api::QuotaStatus compute_quota_status(const QuotaSnapshot& snapshot,
                                      const api::QuotaStatus& previous, TimePoint now) {
  api::QuotaStatus out;
  out.hard = api::to_quota_limits(snapshot.hard);
  out.used = used_for(out.hard, snapshot.used);
  out.active_time_window = join(snapshot.active_windows, ",");
  for (const AllocationSnapshot& allocation : snapshot.allocations) {
    api::QuotaAllocationStatus status;
    status.namespace_ = allocation.namespace_;
    status.hard = api::to_quota_limits(allocation.hard);
    status.used = used_for(status.hard, allocation.used);
    out.allocations.push_back(std::move(status));
  }
  out.observed_generation = snapshot.generation;
  if (snapshot.valid()) {
    out.conditions.push_back(make_condition(QuotaConditionType::Ready, true, "Active",
                                            "the quota is enforced", snapshot, previous, now));
  } else {
    out.conditions.push_back(make_condition(
        QuotaConditionType::Ready, false, "InvalidSpec",
        "the quota is not enforced: " + to_string(snapshot.errors), snapshot, previous, now));
  }
  if (snapshot.over_limit.empty()) {
    out.conditions.push_back(make_condition(QuotaConditionType::Exceeded, false, "WithinLimits",
                                            "usage is within every limit", snapshot, previous,
                                            now));
  } else {
    out.conditions.push_back(make_condition(QuotaConditionType::Exceeded, true, "LimitExceeded",
                                            exceeded_message(snapshot.over_limit), snapshot,
                                            previous, now));
  }
  return out;
}

std::vector<QuotaEvent> status_events(const api::QuotaStatus& previous,
                                      const api::QuotaStatus& next) {
  std::vector<QuotaEvent> out;
  const std::set<std::string> before = split_windows(previous.active_time_window);
  const std::set<std::string> after = split_windows(next.active_time_window);
  for (const std::string& name : after) {
    if (before.count(name) == 0) {
      out.push_back({"Normal", "TimeWindowOpened", "time window \"" + name + "\" opened"});
    }
  }
  for (const std::string& name : before) {
    if (after.count(name) == 0) {
      out.push_back({"Normal", "TimeWindowClosed", "time window \"" + name + "\" closed"});
    }
  }
  const api::Condition* was = find_condition(previous, QuotaConditionType::Exceeded);
  const api::Condition* now = find_condition(next, QuotaConditionType::Exceeded);
  const bool was_exceeded = was != nullptr && was->status == api::ConditionStatus::True;
  const bool is_exceeded = now != nullptr && now->status == api::ConditionStatus::True;
  if (is_exceeded && !was_exceeded) {
    out.push_back({"Warning", "QuotaExceeded", "usage is above a limit: " + now->message});
  } else if (was_exceeded && !is_exceeded) {
    out.push_back({"Normal", "QuotaWithinLimits", "usage is within every limit again"});
  }
  return out;
}

}  // namespace korder::quota
