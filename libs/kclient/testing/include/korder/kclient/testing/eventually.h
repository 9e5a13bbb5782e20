#pragma once

#include <chrono>
#include <functional>

namespace korder::kclient::testing {

/// Waits until `condition()` holds, re-checking it (with a yield in between) until `timeout` of
/// real time has passed; returns whether it held. For tests where threads must meet and no
/// notification exists to wait on; never a substitute for a condition variable in production
/// code, and never a sleep: it returns as soon as the condition holds.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace korder::kclient::testing
