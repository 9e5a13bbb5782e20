#include "quota_account.h"

namespace korder::quota {

const EffectiveLimits& QuotaAccount::limits_at(TimePoint t) {
  const bool fresh = limits_valid_ && t >= limits_from_ && (!limits_until_ || t < *limits_until_);
  if (!fresh) {
    limits_ = effective_limits(definition->hard, definition->windows, t);
    limits_from_ = t;
    limits_until_ = quota::next_transition(definition->windows, t);
    limits_valid_ = true;
  }
  return limits_;
}

const Usage& usage_in(const std::map<std::string, Usage>& map, const std::string& key) {
  static const Usage kEmpty;
  const auto it = map.find(key);
  return it == map.end() ? kEmpty : it->second;
}

void add_usage(std::map<std::string, Usage>& map, const std::string& key, const Usage& delta) {
  if (delta.empty()) {
    return;
  }
  Usage& entry = map[key];
  entry += delta;
  if (entry.empty()) {
    map.erase(key);
  }
}

void subtract_usage(std::map<std::string, Usage>& map, const std::string& key, const Usage& delta) {
  if (delta.empty()) {
    return;
  }
  Usage& entry = map[key];
  entry -= delta;
  if (entry.empty()) {
    map.erase(key);
  }
}

}  // namespace korder::quota
