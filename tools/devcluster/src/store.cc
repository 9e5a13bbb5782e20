#include "store.h"

#include <algorithm>

namespace korder::devcluster {
namespace {

std::string namespace_prefix(std::string_view namespace_) {
  std::string prefix(namespace_);
  prefix += '/';
  return prefix;
}

}  // namespace

std::string object_key(std::string_view namespace_, std::string_view name) {
  std::string key;
  key.reserve(namespace_.size() + name.size() + 1);
  key.append(namespace_);
  key += '/';
  key.append(name);
  return key;
}

std::string_view to_string(EventType type) {
  switch (type) {
    case EventType::Added:
      return "ADDED";
    case EventType::Modified:
      return "MODIFIED";
    case EventType::Deleted:
      return "DELETED";
  }
  return "ERROR";
}

ObjectPtr make_stored(JsonDocument doc, std::uint64_t rv) {
  auto object = std::make_shared<StoredObject>();
  JsonValue& metadata = ensure_object(doc, "metadata", doc.GetAllocator());
  if (rv != 0) {
    set_string(metadata, "resourceVersion", std::to_string(rv), doc.GetAllocator());
  }
  object->namespace_ = std::string(string_at(metadata, {"namespace"}));
  object->name = std::string(string_at(metadata, {"name"}));
  object->uid = std::string(string_at(metadata, {"uid"}));
  object->labels = string_map(find_member(metadata, "labels"));
  if (const JsonValue* owners = find_member(metadata, "ownerReferences");
      owners != nullptr && owners->IsArray()) {
    for (const auto& owner : owners->GetArray()) {
      std::string_view uid = string_at(owner, {"uid"});
      if (!uid.empty()) {
        object->owner_uids.emplace_back(uid);
      }
    }
  }
  object->rv = rv;
  object->json = api::write_json(doc);
  object->doc = std::move(doc);
  return object;
}

// ---- Subscription ------------------------------------------------------------------------

Subscription::~Subscription() { store_.unsubscribe(this); }

Subscription::Batch Subscription::take() {
  std::lock_guard lock(store_.mu_);
  Batch batch;
  batch.events.assign(std::make_move_iterator(pending_.begin()),
                      std::make_move_iterator(pending_.end()));
  pending_.clear();
  batch.closed = closed_;
  return batch;
}

void Subscription::set_notify(std::function<void()> notify) {
  std::lock_guard lock(store_.mu_);
  notify_ = std::move(notify);
  if (notify_ && (closed_ || !pending_.empty())) {
    notify_();
  }
}

std::optional<std::uint64_t> Subscription::bookmark_rv() const {
  std::lock_guard lock(store_.mu_);
  if (!pending_.empty() || closed_) {
    return std::nullopt;
  }
  return store_.rv_;
}

void Subscription::push(const EventPtr& event) {
  if (closed_) {
    return;
  }
  if (!spec_.namespace_.empty() && event->object->namespace_ != spec_.namespace_) {
    return;
  }
  if (pending_.size() >= spec_.max_pending) {
    close();
    return;
  }
  const bool was_empty = pending_.empty();
  pending_.push_back(event);
  if (was_empty && notify_) {
    notify_();
  }
}

void Subscription::close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  pending_.clear();
  if (notify_) {
    notify_();
  }
}

// ---- Store -------------------------------------------------------------------------------

Store::Store(std::size_t history) : history_limit_(std::max<std::size_t>(history, 1)) {}

std::uint64_t Store::current_rv() const {
  std::lock_guard lock(mu_);
  return rv_;
}

std::uint64_t Store::compacted_rv() const {
  std::lock_guard lock(mu_);
  return compacted_rv_;
}

ObjectPtr Store::get(const std::string& storage_id, std::string_view namespace_,
                     std::string_view name) const {
  const std::string key = object_key(namespace_, name);
  std::lock_guard lock(mu_);
  auto table = tables_.find(storage_id);
  if (table == tables_.end()) {
    return nullptr;
  }
  auto it = table->second.find(key);
  return it == table->second.end() ? nullptr : it->second;
}

ObjectPtr Store::get(const ObjectRef& ref) const {
  std::lock_guard lock(mu_);
  auto table = tables_.find(ref.storage_id);
  if (table == tables_.end()) {
    return nullptr;
  }
  auto it = table->second.find(ref.key);
  return it == table->second.end() ? nullptr : it->second;
}

Store::ListResult Store::list(const std::string& storage_id, std::string_view namespace_,
                              std::string_view start_after, std::size_t limit,
                              const std::function<bool(const StoredObject&)>& filter) const {
  ListResult result;
  std::vector<ObjectPtr> candidates;
  {
    std::lock_guard lock(mu_);
    result.rv = rv_;
    auto table = tables_.find(storage_id);
    if (table == tables_.end()) {
      return result;
    }
    const Table& objects = table->second;
    const std::string prefix = namespace_.empty() ? std::string() : namespace_prefix(namespace_);
    auto it = start_after.empty() ? objects.lower_bound(prefix) : objects.upper_bound(start_after);
    candidates.reserve(std::min<std::size_t>(objects.size(), 4096));
    for (; it != objects.end(); ++it) {
      if (!prefix.empty() && it->first.compare(0, prefix.size(), prefix) != 0) {
        break;
      }
      candidates.push_back(it->second);
    }
  }
  // Filtering runs without the lock: the candidates are immutable snapshots.
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const ObjectPtr& object = candidates[i];
    if (filter && !filter(*object)) {
      continue;
    }
    if (limit != 0 && result.items.size() == limit) {
      result.more = true;
      for (std::size_t j = i; j < candidates.size(); ++j) {
        if (!filter || filter(*candidates[j])) {
          ++result.remaining;
        }
      }
      break;
    }
    result.items.push_back(object);
  }
  return result;
}

std::size_t Store::count(const std::string& storage_id, std::string_view namespace_) const {
  std::lock_guard lock(mu_);
  auto table = tables_.find(storage_id);
  if (table == tables_.end()) {
    return 0;
  }
  if (namespace_.empty()) {
    return table->second.size();
  }
  const std::string prefix = namespace_prefix(namespace_);
  std::size_t n = 0;
  for (auto it = table->second.lower_bound(prefix);
       it != table->second.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    ++n;
  }
  return n;
}

Expected<ObjectPtr, CommitError> Store::create(const std::string& storage_id, JsonDocument doc) {
  const std::string key =
      object_key(string_at(doc, {"metadata", "namespace"}), string_at(doc, {"metadata", "name"}));
  std::lock_guard lock(mu_);
  Table& table = tables_[storage_id];
  if (table.count(key) != 0) {
    return Unexpected(CommitError::AlreadyExists);
  }
  ObjectPtr object = make_stored(std::move(doc), ++rv_);
  table.emplace(key, object);
  index(storage_id, object);
  publish(EventType::Added, storage_id, object, nullptr);
  return object;
}

Expected<ObjectPtr, CommitError> Store::update(const std::string& storage_id, JsonDocument doc,
                                               std::uint64_t expected_rv) {
  const std::string key =
      object_key(string_at(doc, {"metadata", "namespace"}), string_at(doc, {"metadata", "name"}));
  std::lock_guard lock(mu_);
  Table& table = tables_[storage_id];
  auto it = table.find(key);
  if (it == table.end()) {
    return Unexpected(CommitError::NotFound);
  }
  if (it->second->rv != expected_rv) {
    return Unexpected(CommitError::Conflict);
  }
  ObjectPtr previous = it->second;
  ObjectPtr object = make_stored(std::move(doc), ++rv_);
  unindex(storage_id, previous);
  it->second = object;
  index(storage_id, object);
  publish(EventType::Modified, storage_id, object, previous);
  return object;
}

Expected<ObjectPtr, CommitError> Store::remove(const std::string& storage_id,
                                               std::string_view namespace_, std::string_view name,
                                               std::uint64_t expected_rv,
                                               std::optional<JsonDocument> final_state) {
  const std::string key = object_key(namespace_, name);
  std::lock_guard lock(mu_);
  auto table = tables_.find(storage_id);
  if (table == tables_.end()) {
    return Unexpected(CommitError::NotFound);
  }
  auto it = table->second.find(key);
  if (it == table->second.end()) {
    return Unexpected(CommitError::NotFound);
  }
  if (expected_rv != 0 && it->second->rv != expected_rv) {
    return Unexpected(CommitError::Conflict);
  }
  ObjectPtr previous = it->second;
  JsonDocument last = final_state ? std::move(*final_state) : copy_document(previous->doc);
  ObjectPtr object = make_stored(std::move(last), ++rv_);
  unindex(storage_id, previous);
  table->second.erase(it);
  publish(EventType::Deleted, storage_id, object, previous);
  return object;
}

std::optional<ObjectRef> Store::find_uid(const std::string& uid) const {
  std::lock_guard lock(mu_);
  auto it = by_uid_.find(uid);
  if (it == by_uid_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::vector<ObjectRef> Store::dependents(const std::string& owner_uid) const {
  std::lock_guard lock(mu_);
  auto it = dependents_.find(owner_uid);
  if (it == dependents_.end()) {
    return {};
  }
  return {it->second.begin(), it->second.end()};
}

std::vector<std::string> Store::storage_ids_in_namespace(std::string_view namespace_) const {
  const std::string prefix = namespace_prefix(namespace_);
  std::vector<std::string> out;
  std::lock_guard lock(mu_);
  for (const auto& [id, table] : tables_) {
    auto it = table.lower_bound(prefix);
    if (it != table.end() && it->first.compare(0, prefix.size(), prefix) == 0) {
      out.push_back(id);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void Store::index(const std::string& storage_id, const ObjectPtr& object) {
  ObjectRef ref{storage_id, object_key(object->namespace_, object->name)};
  if (!object->uid.empty()) {
    by_uid_[object->uid] = ref;
  }
  for (const auto& owner : object->owner_uids) {
    dependents_[owner].insert(ref);
  }
}

void Store::unindex(const std::string& storage_id, const ObjectPtr& object) {
  ObjectRef ref{storage_id, object_key(object->namespace_, object->name)};
  if (!object->uid.empty()) {
    by_uid_.erase(object->uid);
  }
  for (const auto& owner : object->owner_uids) {
    auto it = dependents_.find(owner);
    if (it != dependents_.end()) {
      it->second.erase(ref);
      if (it->second.empty()) {
        dependents_.erase(it);
      }
    }
  }
}

void Store::publish(EventType type, const std::string& storage_id, ObjectPtr object,
                    ObjectPtr previous) {
  auto event = std::make_shared<StoreEvent>();
  event->type = type;
  event->storage_id = storage_id;
  event->rv = object->rv;
  event->object = std::move(object);
  event->previous = std::move(previous);
  EventPtr shared = std::move(event);
  history_.push_back(shared);
  while (history_.size() > history_limit_) {
    compacted_rv_ = history_.front()->rv;
    history_.pop_front();
  }
  if (auto it = subscribers_.find(storage_id); it != subscribers_.end()) {
    for (Subscription* s : it->second) {
      s->push(shared);
    }
  }
  for (Subscription* s : all_subscribers_) {
    s->push(shared);
  }
}

Expected<Store::Subscribed, std::uint64_t> Store::subscribe(SubscriptionSpec spec) {
  std::lock_guard lock(mu_);
  if (spec.from_rv && *spec.from_rv < compacted_rv_) {
    return Unexpected(compacted_rv_);
  }
  Subscribed out;
  out.rv = spec.from_rv ? *spec.from_rv : rv_;
  if (spec.initial_state && !spec.storage_id.empty()) {
    if (auto table = tables_.find(spec.storage_id); table != tables_.end()) {
      for (const auto& [key, object] : table->second) {
        if (!spec.namespace_.empty() && object->namespace_ != spec.namespace_) {
          continue;
        }
        auto event = std::make_shared<StoreEvent>();
        event->type = EventType::Added;
        event->storage_id = spec.storage_id;
        event->rv = object->rv;
        event->object = object;
        out.initial.push_back(std::move(event));
      }
    }
  }
  auto subscription =
      std::shared_ptr<Subscription>(new Subscription(*this, spec));  // private constructor
  if (spec.from_rv) {
    for (const auto& event : history_) {
      if (event->rv > *spec.from_rv &&
          (spec.storage_id.empty() || event->storage_id == spec.storage_id)) {
        subscription->push(event);
      }
    }
  }
  if (spec.storage_id.empty()) {
    all_subscribers_.push_back(subscription.get());
  } else {
    subscribers_[spec.storage_id].push_back(subscription.get());
  }
  out.subscription = std::move(subscription);
  return out;
}

void Store::unsubscribe(Subscription* subscription) {
  std::lock_guard lock(mu_);
  auto drop = [&](std::vector<Subscription*>& list) {
    list.erase(std::remove(list.begin(), list.end(), subscription), list.end());
  };
  if (subscription->spec_.storage_id.empty()) {
    drop(all_subscribers_);
  } else if (auto it = subscribers_.find(subscription->spec_.storage_id);
             it != subscribers_.end()) {
    drop(it->second);
    if (it->second.empty()) {
      subscribers_.erase(it);
    }
  }
}

void Store::compact() {
  std::lock_guard lock(mu_);
  compacted_rv_ = rv_;
  history_.clear();
}

void Store::drop_watches() {
  std::lock_guard lock(mu_);
  auto close_external = [](std::vector<Subscription*>& list) {
    for (Subscription* s : list) {
      if (!s->spec_.internal) {
        s->close();
      }
    }
  };
  for (auto& [id, list] : subscribers_) {
    close_external(list);
  }
  close_external(all_subscribers_);
}

}  // namespace korder::devcluster
