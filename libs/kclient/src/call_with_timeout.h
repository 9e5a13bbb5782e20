#pragma once

// Runs one REST client coroutine from a worker thread and waits for its result at most `timeout`
// of real time. Boost 1.74 cannot cancel the request itself, so on timeout the caller gets a
// Timeout error at once and the request finishes in the background (its result is dropped).
// Private to src/: used by the Lease and Event adapters of the REST client.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "korder/base/expected.h"
#include "korder/kclient/api_error.h"
#include "korder/kclient/detail/asio.h"

namespace korder::kclient::detail {

//
// `make_op` builds the coroutine on the io thread; it must own (capture by value) everything the
// call reads, since the caller may return before the call even starts.
template <typename T, typename MakeOp>
Expected<T, ApiError> call_with_timeout(boost::asio::io_context& io, MakeOp make_op,
                                        std::chrono::nanoseconds timeout, const std::string& what) {
  if (io.get_executor().running_in_this_thread()) {
    // Waiting here would hold an io thread (and deadlock a one-thread process).
    return Unexpected(ApiError::unknown(what + ": blocking call made from an io thread"));
  }
  struct State {
    std::mutex mu;
    std::condition_variable done;
    std::optional<Expected<T, ApiError>> result;
  };
  auto state = std::make_shared<State>();
  boost::asio::co_spawn(
      boost::asio::make_strand(io),
      [state, make_op = std::move(make_op)]() mutable -> boost::asio::awaitable<void> {
        Expected<T, ApiError> result = co_await make_op();
        std::lock_guard lock(state->mu);
        state->result.emplace(std::move(result));
        state->done.notify_all();
      },
      boost::asio::detached);
  std::unique_lock lock(state->mu);
  if (!state->done.wait_for(lock, timeout, [&] { return state->result.has_value(); })) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    return Unexpected(ApiError::timeout(what + ": timed out after " + std::to_string(ms) + "ms"));
  }
  return std::move(*state->result);
}

}  // namespace korder::kclient::detail
