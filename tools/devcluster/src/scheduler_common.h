#pragma once

// Helpers shared by the simulated scheduler and kubelet: status writes through the status
// subresource with optimistic concurrency, Events, a wake-up loop fed by internal store
// subscriptions, and pod conditions.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asio.h"
#include "registry.h"

namespace korder::devcluster {

/// Edits a copy of the current pod; returns false to leave the pod as it is.
using PodChange = std::function<bool(JsonDocument& pod)>;

/// Writes the status of pod `namespace_/name` (whose uid must be `uid`, when given) through the
/// status subresource: reads the current object, applies `change` to a copy and PUTs it with
/// its resourceVersion, retrying on conflicts. Returns the stored object (unchanged when
/// `change` declined) or the error (404 when the pod or the uid is gone).
Awaitable<ApiResult<ObjectPtr>> update_pod_status(Registry& registry, std::string namespace_,
                                                  std::string name, std::string uid,
                                                  PodChange change);

/// Creates a core/v1 Event about `object` (kind `kind`, e.g. "Pod"), from `component`.
/// Failures are logged and otherwise ignored (events are best effort, as in Kubernetes).
Awaitable<void> record_event(Registry& registry, ObjectPtr object, std::string kind,
                             std::string type, std::string reason, std::string message,
                             std::string component);

/// Sets condition `type` in `pod.status.conditions` (replacing one of that type). The
/// lastTransitionTime changes only when the status does, as the kubelet and scheduler do.
void set_pod_condition(JsonDocument& pod, std::string_view type, std::string_view status,
                       std::string_view reason, std::string_view message, std::string_view now);

/// The condition `type` of `pod`, or nullptr.
const JsonValue* find_pod_condition(const JsonValue& pod, std::string_view type);

/// A loop body run on its own strand whenever the subscribed resources change, or when the
/// deadline it asked for passes: the scheduler and the kubelet are each one of these. It owns
/// internal store subscriptions (one per storage id, with the current objects first) and never
/// polls: it sleeps until an event arrives or its next deadline.
class EventLoop {
 public:
  /// Handles a batch of events (current objects first, as synthetic ADDED events) and returns
  /// when the next deadline is, if any.
  using Handler = std::function<Awaitable<std::optional<std::chrono::steady_clock::time_point>>(
      std::vector<EventPtr> events)>;

  EventLoop(net::io_context& ioc, Store& store, std::vector<std::string> storage_ids);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Subscribes and starts running `handler` on the loop's strand.
  void start(Handler handler);
  /// Stops the loop (it ends after the batch in progress).
  void stop();
  /// Wakes the loop (from any thread): the handler runs again with whatever is pending.
  void wake();
  /// The loop's strand (run work that touches the owner's state here).
  net::strand<net::io_context::executor_type>& strand();

 private:
  struct State;
  static void wake_state(const std::weak_ptr<State>& weak);
  static Awaitable<void> run(std::shared_ptr<State> state, Handler handler);
  std::shared_ptr<State> state_;
};

}  // namespace korder::devcluster
