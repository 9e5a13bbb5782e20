#pragma once

// metav1.Condition bookkeeping with apimachinery's meta.SetStatusCondition semantics.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/meta.h"
#include "korder/base/clock.h"

namespace korder::ticket {

/// The condition of `type`, or nullptr.
const api::Condition* find_condition(const std::vector<api::Condition>& conditions,
                                     std::string_view type);

/// Sets the condition of `type` as meta.SetStatusCondition does: a new condition is appended
/// with lastTransitionTime `now`; an existing one gets `now` as lastTransitionTime only when its
/// status changes, and always the new reason, message and observedGeneration. Other conditions
/// keep their order.
void set_condition(std::vector<api::Condition>& conditions, std::string_view type,
                   std::string_view status, std::string_view reason, std::string message,
                   std::int64_t observed_generation, TimePoint now);

/// Removes the condition of `type`, if present.
void remove_condition(std::vector<api::Condition>& conditions, std::string_view type);

}  // namespace korder::ticket
