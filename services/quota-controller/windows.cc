#include "windows.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <string>

namespace korder::quota {
namespace {

constexpr std::int64_t kNanosPerUnit = 1'000'000'000;
constexpr int kMaxExtendingFires = 1000;

TimePoint add(TimePoint t, const api::Duration& d) {
  return t + std::chrono::duration_cast<TimePoint::duration>(d.nanoseconds());
}

// floor(count x multiplier) for count >= 0, multiplier > 0, saturating at int64's maximum.
std::int64_t scale_count(std::int64_t count, const api::Quantity& multiplier) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const api::Int128 nanos = multiplier.nanos();
  // count * nanos must stay below 2^127: count < 2^63, so nanos below 2^63 is always safe.
  if (nanos >= (static_cast<api::Int128>(1) << 63) && count > 0) {
    return kMax;
  }
  const api::Int128 product = static_cast<api::Int128>(count) * nanos / kNanosPerUnit;
  return product > kMax ? kMax : static_cast<std::int64_t>(product);
}

// Folds `candidate` into `acc`, keeping the smaller value for every key either sets.
void merge_min(api::ParsedQuotaLimits& acc, const api::ParsedQuotaLimits& candidate) {
  const auto min_count = [](std::optional<std::int64_t>& a, const std::optional<std::int64_t>& b) {
    if (b && (!a || *b < *a)) {
      a = b;
    }
  };
  min_count(acc.orders, candidate.orders);
  min_count(acc.tickets, candidate.tickets);
  if (candidate.max_duration &&
      (!acc.max_duration || *candidate.max_duration < *acc.max_duration)) {
    acc.max_duration = candidate.max_duration;
  }
  for (const auto& [resource, quantity] : candidate.reserved) {
    auto [it, inserted] = acc.reserved.emplace(resource, quantity);
    if (!inserted && quantity < it->second) {
      it->second = quantity;
    }
  }
}

// Puts every key `overrides` sets into `limits`.
void apply_overrides(api::ParsedQuotaLimits& limits, const api::ParsedQuotaLimits& overrides) {
  if (overrides.orders) {
    limits.orders = overrides.orders;
  }
  if (overrides.tickets) {
    limits.tickets = overrides.tickets;
  }
  if (overrides.max_duration) {
    limits.max_duration = overrides.max_duration;
  }
  for (const auto& [resource, quantity] : overrides.reserved) {
    limits.reserved.insert_or_assign(resource, quantity);
  }
}

// The instant `window` (open at `t`, its latest fire being `fire`) next closes.
TimePoint closing_time(const TimeWindow& window, TimePoint t, TimePoint fire) {
  TimePoint close = add(fire, window.duration);
  std::optional<TimePoint> next = window.schedule.next(t);
  // A fire at or before the close re-opens the window before it shuts: it stays open.
  for (int i = 0; i < kMaxExtendingFires && next && *next <= close; ++i) {
    close = std::max(close, add(*next, window.duration));
    next = window.schedule.next(*next);
  }
  return close;
}

}  // namespace

bool is_open(const TimeWindow& window, TimePoint t) {
  const std::optional<TimePoint> fire = window.schedule.prev(t);
  return fire && t < add(*fire, window.duration);
}

api::ParsedQuotaLimits scale_limits(const api::ParsedQuotaLimits& base,
                                    const api::Quantity& multiplier) {
  api::ParsedQuotaLimits out;
  if (base.orders) {
    out.orders = scale_count(*base.orders, multiplier);
  }
  if (base.tickets) {
    out.tickets = scale_count(*base.tickets, multiplier);
  }
  for (const auto& [resource, quantity] : base.reserved) {
    std::optional<api::Quantity> product = quantity.checked_mul(multiplier);
    if (!product) {
      // Beyond 1.7e29 units: as good as unlimited.
      product = api::Quantity::from_nanos((static_cast<api::Int128>(1) << 126) - 1 +
                                          (static_cast<api::Int128>(1) << 126));
    }
    out.reserved.emplace(resource, *product);
  }
  // max-duration is never scaled: a window that scales limits leaves it as it is.
  return out;
}

EffectiveLimits effective_limits(const api::ParsedQuotaLimits& base,
                                 const std::vector<TimeWindow>& windows, TimePoint t) {
  EffectiveLimits out;
  out.limits = base;
  std::optional<api::ParsedQuotaLimits> overrides;
  for (const TimeWindow& window : windows) {
    if (!is_open(window, t)) {
      continue;
    }
    out.active_windows.push_back(window.name);
    const api::ParsedQuotaLimits candidate =
        window.hard ? *window.hard
                    : scale_limits(base, window.multiplier.value_or(api::Quantity::from_int(1)));
    if (!overrides) {
      overrides = candidate;
    } else {
      merge_min(*overrides, candidate);
    }
  }
  if (overrides) {
    apply_overrides(out.limits, *overrides);
  }
  return out;
}

std::optional<TimePoint> next_transition(const std::vector<TimeWindow>& windows, TimePoint t) {
  std::optional<TimePoint> earliest;
  for (const TimeWindow& window : windows) {
    std::optional<TimePoint> candidate;
    const std::optional<TimePoint> fire = window.schedule.prev(t);
    if (fire && t < add(*fire, window.duration)) {
      candidate = closing_time(window, t, *fire);
    } else {
      candidate = window.schedule.next(t);
    }
    if (candidate && (!earliest || *candidate < *earliest)) {
      earliest = candidate;
    }
  }
  return earliest;
}

}  // namespace korder::quota
