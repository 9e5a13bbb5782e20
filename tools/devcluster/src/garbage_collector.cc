#include "garbage_collector.h"

#include <glog/logging.h>

#include "kind_rules.h"

namespace korder::devcluster {
namespace {

constexpr std::string_view kForeground = "foregroundDeletion";
constexpr std::string_view kOrphan = "orphan";
// Passed by name: g++ 12 destroys a braced temporary inside a co_await expression twice.
const WriteOptions kNoOptions;

bool has_finalizer(const StoredObject& object, std::string_view finalizer) {
  for (const auto& f : string_list(find_path(object.doc, {"metadata", "finalizers"}))) {
    if (f == finalizer) {
      return true;
    }
  }
  return false;
}

bool blocks_owner(const StoredObject& dependent, const std::string& owner_uid) {
  const JsonValue* owners = find_path(dependent.doc, {"metadata", "ownerReferences"});
  if (owners == nullptr || !owners->IsArray()) {
    return false;
  }
  for (const auto& owner : owners->GetArray()) {
    const JsonValue* block = find_member(owner, "blockOwnerDeletion");
    if (string_at(owner, {"uid"}) == owner_uid && block != nullptr && block->IsBool() &&
        block->GetBool()) {
      return true;
    }
  }
  return false;
}

}  // namespace

struct GarbageCollector::State {
  explicit State(net::io_context& ioc) : strand(net::make_strand(ioc)), timer(strand) {}
  net::strand<net::io_context::executor_type> strand;
  net::steady_timer timer;
  std::shared_ptr<Subscription> subscription;
  bool stopped = false;
};

GarbageCollector::GarbageCollector(net::io_context& ioc, Registry& registry)
    : ioc_(ioc), registry_(registry), state_(std::make_shared<State>(ioc)) {}

GarbageCollector::~GarbageCollector() { stop(); }

void GarbageCollector::start() {
  SubscriptionSpec spec;
  spec.internal = true;
  spec.max_pending = static_cast<std::size_t>(-1);
  auto subscribed = registry_.store().subscribe(spec);
  state_->subscription = std::move(subscribed->subscription);
  std::weak_ptr<State> weak = state_;
  state_->subscription->set_notify([weak] {
    if (auto state = weak.lock()) {
      net::post(state->strand, [weak] {
        if (auto s = weak.lock()) {
          s->timer.cancel();
        }
      });
    }
  });
  net::co_spawn(state_->strand, run(state_), net::detached);
}

void GarbageCollector::stop() {
  std::weak_ptr<State> weak = state_;
  net::post(state_->strand, [weak] {
    if (auto s = weak.lock()) {
      s->stopped = true;
      s->timer.cancel();
    }
  });
}

Awaitable<void> GarbageCollector::run(std::shared_ptr<State> state) {
  while (!state->stopped) {
    Subscription::Batch batch = state->subscription->take();
    for (const auto& event : batch.events) {
      if (state->stopped) {
        break;
      }
      co_await handle(*event);
    }
    if (!batch.events.empty() || state->stopped) {
      continue;
    }
    state->timer.expires_after(std::chrono::seconds(1));
    boost::system::error_code ec;
    co_await state->timer.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
  state->subscription.reset();
}

ResourcePtr GarbageCollector::info_of(const std::string& storage_id) const {
  const std::size_t slash = storage_id.find('/');
  return registry_.catalog().find_any_version(storage_id.substr(0, slash),
                                              storage_id.substr(slash + 1));
}

bool GarbageCollector::owner_present(const StoredObject& dependent,
                                     const std::string& owner_uid) const {
  auto ref = registry_.store().find_uid(owner_uid);
  if (!ref) {
    return false;
  }
  ObjectPtr owner = registry_.store().get(*ref);
  // A namespaced owner must share the dependent's namespace; other references count as absent.
  return owner != nullptr &&
         (owner->namespace_.empty() || owner->namespace_ == dependent.namespace_);
}

Awaitable<void> GarbageCollector::handle(const StoreEvent& event) {
  const StoredObject& object = *event.object;
  const ObjectRef ref{event.storage_id, object_key(object.namespace_, object.name)};
  if (event.type == EventType::Deleted) {
    co_await collect_dependents_of(object.uid);
    for (const auto& owner_uid : object.owner_uids) {
      if (auto owner = registry_.store().find_uid(owner_uid)) {
        co_await process_owner(*owner);  // a foreground owner may be free to go now
      }
    }
    if (!object.namespace_.empty() && terminating_namespaces_.count(object.namespace_) != 0) {
      co_await process_namespace(object.namespace_);
    }
    co_return;
  }
  if (is_terminating(object.doc)) {
    co_await process_owner(ref);
  }
  if (event.type == EventType::Added && !object.owner_uids.empty()) {
    co_await process_dependent(ref);
  }
  if (event.storage_id == "/namespaces" && is_terminating(object.doc)) {
    terminating_namespaces_.insert(object.name);
    co_await process_namespace(object.name);
  }
}

Awaitable<void> GarbageCollector::collect_dependents_of(const std::string& owner_uid) {
  if (owner_uid.empty()) {
    co_return;
  }
  for (const auto& dependent : registry_.store().dependents(owner_uid)) {
    co_await process_dependent(dependent);
  }
}

Awaitable<void> GarbageCollector::process_dependent(const ObjectRef& ref) {
  ObjectPtr object = registry_.store().get(ref);
  ResourcePtr info = info_of(ref.storage_id);
  if (object == nullptr || info == nullptr || is_terminating(object->doc)) {
    co_return;
  }
  bool any_present = false;
  bool any_absent = false;
  for (const auto& owner_uid : object->owner_uids) {
    if (owner_present(*object, owner_uid)) {
      any_present = true;
    } else {
      any_absent = true;
    }
  }
  if (!any_present && any_absent) {
    DeleteOptions options;
    options.propagation_policy = "Background";
    auto result = co_await registry_.remove(*info, object->namespace_, object->name, options);
    if (!result && result.error().code != 404) {
      LOG(WARNING) << "garbage collection failed"
                   << " object=" << ref.key << " error=" << result.error().message;
    }
  }
}

Awaitable<void> GarbageCollector::process_owner(const ObjectRef& ref) {
  ObjectPtr owner = registry_.store().get(ref);
  ResourcePtr info = info_of(ref.storage_id);
  if (owner == nullptr || info == nullptr || !is_terminating(owner->doc)) {
    co_return;
  }
  const std::vector<ObjectRef> dependents = registry_.store().dependents(owner->uid);
  if (has_finalizer(*owner, kOrphan)) {
    for (const auto& dep_ref : dependents) {
      ObjectPtr dep = registry_.store().get(dep_ref);
      ResourcePtr dep_info = info_of(dep_ref.storage_id);
      if (dep == nullptr || dep_info == nullptr) {
        continue;
      }
      JsonDocument patch(rapidjson::kArrayType);
      const JsonValue* owners = find_path(dep->doc, {"metadata", "ownerReferences"});
      for (rapidjson::SizeType i = owners->Size(); i-- > 0;) {
        if (string_at((*owners)[i], {"uid"}) == owner->uid) {
          JsonValue op(rapidjson::kObjectType);
          set_string(op, "op", "remove", patch.GetAllocator());
          set_string(op, "path", "/metadata/ownerReferences/" + std::to_string(i),
                     patch.GetAllocator());
          patch.PushBack(std::move(op), patch.GetAllocator());
        }
      }
      (void)co_await registry_.patch(*dep_info, dep->namespace_, dep->name, "", PatchType::Json,
                                     api::write_json(patch), kNoOptions);
    }
    co_await remove_finalizer(*info, *owner, kOrphan);
    co_return;
  }
  if (!has_finalizer(*owner, kForeground)) {
    co_return;
  }
  bool blocked = false;
  for (const auto& dep_ref : dependents) {
    ObjectPtr dep = registry_.store().get(dep_ref);
    ResourcePtr dep_info = info_of(dep_ref.storage_id);
    if (dep == nullptr || dep_info == nullptr) {
      continue;
    }
    blocked = blocked || blocks_owner(*dep, owner->uid);
    if (!is_terminating(dep->doc)) {
      DeleteOptions options;
      options.propagation_policy = "Foreground";
      (void)co_await registry_.remove(*dep_info, dep->namespace_, dep->name, options);
    }
  }
  if (!blocked) {
    co_await remove_finalizer(*info, *owner, kForeground);
  }
}

Awaitable<void> GarbageCollector::remove_finalizer(const ResourceInfo& info,
                                                   const StoredObject& object,
                                                   std::string_view finalizer) {
  JsonDocument patch(rapidjson::kObjectType);
  auto& alloc = patch.GetAllocator();
  JsonValue remaining(rapidjson::kArrayType);
  for (const auto& f : string_list(find_path(object.doc, {"metadata", "finalizers"}))) {
    if (f != finalizer) {
      remaining.PushBack(make_string(f, alloc), alloc);
    }
  }
  JsonValue& metadata = ensure_object(patch, "metadata", alloc);
  set_member(metadata, "finalizers", remaining.Empty() ? JsonValue() : std::move(remaining), alloc);
  auto result = co_await registry_.patch(info, object.namespace_, object.name, "", PatchType::Merge,
                                         api::write_json(patch), kNoOptions);
  if (!result && result.error().code != 404) {
    LOG(WARNING) << "removing finalizer failed"
                 << " object=" << object.name << " finalizer=" << finalizer
                 << " error=" << result.error().message;
  }
}

Awaitable<void> GarbageCollector::process_namespace(const std::string& name) {
  Store& store = registry_.store();
  ObjectPtr ns = store.get("/namespaces", "", name);
  if (ns == nullptr || !is_terminating(ns->doc)) {
    terminating_namespaces_.erase(name);
    co_return;
  }
  bool remaining = false;
  for (const auto& storage_id : store.storage_ids_in_namespace(name)) {
    ResourcePtr info = info_of(storage_id);
    if (info == nullptr) {
      continue;
    }
    for (const auto& object : store.list(storage_id, name, "", 0, nullptr).items) {
      remaining = true;
      if (!is_terminating(object->doc)) {
        DeleteOptions options;
        options.propagation_policy = "Background";
        (void)co_await registry_.remove(*info, name, object->name, options);
      }
    }
  }
  bool still_there = false;
  for (const auto& storage_id : store.storage_ids_in_namespace(name)) {
    still_there = still_there || store.count(storage_id, name) > 0;
  }
  if (remaining && still_there) {
    co_return;  // objects with finalizers: the namespace waits for them
  }
  ResourcePtr namespaces = registry_.catalog().find("", "v1", "namespaces");
  auto result = co_await registry_.patch(*namespaces, "", name, "", PatchType::Merge,
                                         R"({"spec":{"finalizers":null}})", kNoOptions);
  if (!result && result.error().code != 404) {
    LOG(WARNING) << "finalizing namespace failed"
                 << " namespace=" << name << " error=" << result.error().message;
  }
  terminating_namespaces_.erase(name);
}

}  // namespace korder::devcluster
