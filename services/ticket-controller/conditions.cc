#include "conditions.h"

#include <algorithm>
#include <utility>

namespace korder::ticket {

const api::Condition* find_condition(const std::vector<api::Condition>& conditions,
                                     std::string_view type) {
  for (const auto& condition : conditions) {
    if (condition.type == type) {
      return &condition;
    }
  }
  return nullptr;
}

void set_condition(std::vector<api::Condition>& conditions, std::string_view type,
                   std::string_view status, std::string_view reason, std::string message,
                   std::int64_t observed_generation, TimePoint now) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const api::Condition& c) { return c.type == type; });
  if (it == conditions.end()) {
    api::Condition condition;
    condition.type = std::string(type);
    condition.status = std::string(status);
    condition.last_transition_time = now;
    conditions.push_back(std::move(condition));
    it = std::prev(conditions.end());
  } else if (it->status != status) {
    it->status = std::string(status);
    it->last_transition_time = now;
  }
  it->reason = std::string(reason);
  it->message = std::move(message);
  it->observed_generation = observed_generation;
}

void remove_condition(std::vector<api::Condition>& conditions, std::string_view type) {
  conditions.erase(std::remove_if(conditions.begin(), conditions.end(),
                                  [&](const api::Condition& c) { return c.type == type; }),
                   conditions.end());
}

}  // namespace korder::ticket
