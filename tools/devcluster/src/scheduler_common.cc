#include "scheduler_common.h"

#include <glog/logging.h>

#include "korder/api/time.h"
#include "korder/base/check.h"

namespace korder::devcluster {
namespace {

constexpr int kMaxStatusAttempts = 16;
// Passed by name: g++ 12 destroys a braced temporary inside a co_await expression twice.
const WriteOptions kNoOptions;

}  // namespace

Awaitable<ApiResult<ObjectPtr>> update_pod_status(Registry& registry, std::string namespace_,
                                                  std::string name, std::string uid,
                                                  PodChange change) {
  ResourcePtr pods = registry.catalog().find("", "v1", "pods");
  for (int attempt = 0; attempt < kMaxStatusAttempts; ++attempt) {
    ObjectPtr current = registry.store().get(pods->storage_id(), namespace_, name);
    if (current == nullptr || (!uid.empty() && current->uid != uid)) {
      co_return Unexpected(not_found(pods->subject(name)));
    }
    JsonDocument doc = copy_document(current->doc);
    if (!change(doc)) {
      co_return current;
    }
    set_string(ensure_object(doc, "metadata", doc.GetAllocator()), "resourceVersion",
               std::to_string(current->rv), doc.GetAllocator());
    auto written =
        co_await registry.update(*pods, namespace_, name, "status", std::move(doc), kNoOptions);
    if (written) {
      co_return written->object;
    }
    if (written.error().code != 409) {
      co_return Unexpected(std::move(written).error());
    }
  }
  co_return Unexpected(conflict_modified(pods->subject(name)));
}

Awaitable<void> record_event(Registry& registry, ObjectPtr object, std::string kind,
                             std::string type, std::string reason, std::string message,
                             std::string component) {
  ResourcePtr events = registry.catalog().find("", "v1", "events");
  if (events == nullptr || object == nullptr) {
    co_return;
  }
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  const std::string now = api::format_rfc3339(registry.clock().now());
  set_string(doc, "apiVersion", "v1", alloc);
  set_string(doc, "kind", "Event", alloc);
  JsonValue& metadata = ensure_object(doc, "metadata", alloc);
  set_string(metadata, "generateName", object->name + ".", alloc);
  set_string(metadata, "namespace", object->namespace_, alloc);
  JsonValue& involved = ensure_object(doc, "involvedObject", alloc);
  set_string(involved, "apiVersion", string_at(object->doc, {"apiVersion"}), alloc);
  set_string(involved, "kind", kind, alloc);
  set_string(involved, "namespace", object->namespace_, alloc);
  set_string(involved, "name", object->name, alloc);
  set_string(involved, "uid", object->uid, alloc);
  set_string(involved, "resourceVersion", std::to_string(object->rv), alloc);
  set_string(doc, "reason", reason, alloc);
  set_string(doc, "message", message, alloc);
  set_string(ensure_object(doc, "source", alloc), "component", component, alloc);
  set_string(doc, "firstTimestamp", now, alloc);
  set_string(doc, "lastTimestamp", now, alloc);
  set_member(doc, "count", JsonValue(1), alloc);
  set_string(doc, "type", type, alloc);
  set_string(doc, "reportingComponent", component, alloc);
  set_string(doc, "reportingInstance", component + "-korder-devcluster", alloc);
  const std::string ns = object->namespace_;
  auto created = co_await registry.create(*events, ns, std::move(doc), kNoOptions);
  if (!created) {
    VLOG(1) << "event not recorded"
            << " object=" << ns << "/" << object->name << " reason=" << reason
            << " error=" << created.error().message;
  }
}

const JsonValue* find_pod_condition(const JsonValue& pod, std::string_view type) {
  const JsonValue* conditions = find_path(pod, {"status", "conditions"});
  if (conditions == nullptr || !conditions->IsArray()) {
    return nullptr;
  }
  for (const auto& c : conditions->GetArray()) {
    if (string_at(c, {"type"}) == type) {
      return &c;
    }
  }
  return nullptr;
}

void set_pod_condition(JsonDocument& pod, std::string_view type, std::string_view status,
                       std::string_view reason, std::string_view message, std::string_view now) {
  auto& alloc = pod.GetAllocator();
  JsonValue& pod_status = ensure_object(pod, "status", alloc);
  JsonValue* conditions = find_member(pod_status, "conditions");
  if (conditions == nullptr || !conditions->IsArray()) {
    set_member(pod_status, "conditions", JsonValue(rapidjson::kArrayType), alloc);
    conditions = find_member(pod_status, "conditions");
  }
  std::string transition(now);
  for (auto it = conditions->Begin(); it != conditions->End(); ++it) {
    if (string_at(*it, {"type"}) != type) {
      continue;
    }
    if (string_at(*it, {"status"}) == status) {
      transition = std::string(string_at(*it, {"lastTransitionTime"}));
    }
    conditions->Erase(it);
    break;
  }
  JsonValue condition(rapidjson::kObjectType);
  set_string(condition, "type", type, alloc);
  set_string(condition, "status", status, alloc);
  set_member(condition, "lastProbeTime", JsonValue(), alloc);
  set_string(condition, "lastTransitionTime", transition.empty() ? std::string(now) : transition,
             alloc);
  if (!reason.empty()) {
    set_string(condition, "reason", reason, alloc);
  }
  if (!message.empty()) {
    set_string(condition, "message", message, alloc);
  }
  conditions->PushBack(std::move(condition), alloc);
}

// ---- EventLoop ----------------------------------------------------------------------------

struct EventLoop::State {
  State(net::io_context& ioc, Store& store_in, std::vector<std::string> ids)
      : strand(net::make_strand(ioc)),
        timer(strand),
        store(store_in),
        storage_ids(std::move(ids)) {}
  net::strand<net::io_context::executor_type> strand;
  net::steady_timer timer;
  Store& store;
  const std::vector<std::string> storage_ids;
  std::vector<std::shared_ptr<Subscription>> subscriptions;
  std::vector<EventPtr> initial;
  bool stopped = false;  // used on the strand only
  bool woken = false;    // used on the strand only: events or a wake() since the last take
};

void EventLoop::wake_state(const std::weak_ptr<State>& weak) {
  if (auto state = weak.lock()) {
    net::post(state->strand, [weak] {
      if (auto s = weak.lock()) {
        s->woken = true;
        s->timer.cancel();
      }
    });
  }
}

EventLoop::EventLoop(net::io_context& ioc, Store& store, std::vector<std::string> storage_ids)
    : state_(std::make_shared<State>(ioc, store, std::move(storage_ids))) {}

EventLoop::~EventLoop() { stop(); }

net::strand<net::io_context::executor_type>& EventLoop::strand() { return state_->strand; }

void EventLoop::start(Handler handler) {
  std::weak_ptr<State> weak = state_;
  for (const auto& id : state_->storage_ids) {
    SubscriptionSpec spec;
    spec.storage_id = id;
    spec.internal = true;
    spec.initial_state = true;
    spec.max_pending = static_cast<std::size_t>(-1);
    auto subscribed = state_->store.subscribe(spec);
    KORDER_CHECK(subscribed.has_value(), "an internal subscription from now cannot fail");
    subscribed->subscription->set_notify([weak] { wake_state(weak); });
    for (auto& e : subscribed->initial) {
      state_->initial.push_back(std::move(e));
    }
    state_->subscriptions.push_back(std::move(subscribed->subscription));
  }
  net::co_spawn(state_->strand, run(state_, std::move(handler)), net::detached);
}

void EventLoop::wake() { wake_state(state_); }

void EventLoop::stop() {
  std::weak_ptr<State> weak = state_;
  net::post(state_->strand, [weak] {
    if (auto s = weak.lock()) {
      s->stopped = true;
      s->timer.cancel();
    }
  });
}

Awaitable<void> EventLoop::run(std::shared_ptr<State> state, Handler handler) {
  std::vector<EventPtr> events = std::move(state->initial);
  while (!state->stopped) {
    state->woken = false;
    for (const auto& subscription : state->subscriptions) {
      for (auto& e : subscription->take().events) {
        events.push_back(std::move(e));
      }
    }
    const bool had_events = !events.empty();
    std::optional<std::chrono::steady_clock::time_point> deadline =
        co_await handler(std::move(events));
    events.clear();
    if (had_events || state->woken || state->stopped) {
      continue;  // handling may have taken a while: look for more before sleeping
    }
    // No deadline: sleep until woken (a day is "forever"; waking early costs nothing).
    state->timer.expires_at(
        deadline.value_or(std::chrono::steady_clock::now() + std::chrono::hours(24)));
    boost::system::error_code ec;
    co_await state->timer.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
  state->subscriptions.clear();
}

}  // namespace korder::devcluster
