#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/check.h"
#include "korder/kclient/object_key.h"

namespace korder::kclient {

/// The name of the index every Store has: objects by `metadata.namespace` (empty for
/// cluster-scoped objects), client-go's `cache.NamespaceIndex`.
inline constexpr std::string_view kNamespaceIndex = "namespace";

/// An index function (client-go's `IndexFunc`): the values under which an object is found in
/// one named index (`tickets_by_node`: the ticket's node name; none while it has no node). Must
/// be pure and fast: it runs for every object the store takes in, outside the store's lock.
template <typename T>
using IndexFunc = std::function<std::vector<std::string>(const T&)>;

/// The custom indexes of a Store, by name (client-go's `Indexers`).
template <typename T>
using Indexers = std::map<std::string, IndexFunc<T>, std::less<>>;

/// client-go's thread-safe `Indexer`: the informer's cache of objects of one kind, keyed by
/// `ns/name` (see object_key), with named secondary indexes.
///
/// Objects are `std::shared_ptr<const T>` and never change once stored: readers get immutable
/// snapshots they may keep as long as they like, and code that wants a changed object copies,
/// modifies and writes it through the API (never into the store). Readers (`get`, `list`,
/// `by_index`, ...) are thread-safe and take a shared lock for a few microseconds (`list`: for
/// the time to copy the pointers).
///
/// Writers (`upsert`, `remove`, `replace`) are the informer's: one writer at a time (they are
/// thread-safe against readers, not against each other). An informer hands out the store only as
/// `const Store&`, so nothing else can write.
///
/// Memory: no key strings are stored (a key is looked up through the object it names), so an
/// object costs its own size, one make_shared control block, a hash-set slot (16 bytes plus
/// slack) in the main set and one per index value it has.
template <typename T>
class Store {
 public:
  using ObjectPtr = std::shared_ptr<const T>;

  /// A store with the built-in `namespace` index and `indexers`. Precondition (checked): no
  /// indexer is named `namespace`, and none is empty.
  explicit Store(Indexers<T> indexers = {}) {
    KORDER_CHECK(indexers.find(kNamespaceIndex) == indexers.end(),
                 "the namespace index is built in");
    indexes_.push_back(IndexDef{std::string(kNamespaceIndex), [](const T& object) {
                                  return std::vector<std::string>{object.metadata.namespace_};
                                }});
    for (auto& [name, func] : indexers) {
      KORDER_CHECK(func != nullptr, "an index function is empty");
      indexes_.push_back(IndexDef{name, std::move(func)});
    }
    absl::MutexLock lock(&mu_);
    buckets_.resize(indexes_.size());
  }

  /// Registers more indexes (client-go's `AddIndexers`). Preconditions (checked): the store
  /// is empty and not yet shared with other threads (an informer calls this before it starts),
  /// no name is taken, no function is empty.
  void add_indexers(Indexers<T> indexers) {
    absl::MutexLock lock(&mu_);
    KORDER_CHECK(items_.empty(), "Store: indexes must be added before the first object");
    for (auto& [name, func] : indexers) {
      KORDER_CHECK(func != nullptr, "an index function is empty");
      for (const IndexDef& def : indexes_) {
        KORDER_CHECK(def.name != name, "Store: an index with this name exists");
      }
      indexes_.push_back(IndexDef{name, std::move(func)});
      buckets_.emplace_back();
    }
  }

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // ---- Readers (thread-safe) --------------------------------------------------------------

  /// The object with key `key` (`ns/name`, or `name`), or nullptr.
  ObjectPtr get(std::string_view key) const { return get(split_object_key(key)); }

  /// The object with namespace `ns` and name `name`, or nullptr.
  ObjectPtr get(std::string_view ns, std::string_view name) const {
    return get(ObjectKeyView{ns, name});
  }

  /// The object named by `key`, or nullptr.
  ObjectPtr get(ObjectKeyView key) const {
    absl::ReaderMutexLock lock(&mu_);
    const auto it = items_.find(key);
    return it == items_.end() ? nullptr : *it;
  }

  /// Every object, in no particular order: a consistent snapshot of the store at one instant.
  std::vector<ObjectPtr> list() const {
    absl::ReaderMutexLock lock(&mu_);
    return std::vector<ObjectPtr>(items_.begin(), items_.end());
  }

  /// The keys of every object, in no particular order.
  std::vector<std::string> list_keys() const {
    absl::ReaderMutexLock lock(&mu_);
    std::vector<std::string> keys;
    keys.reserve(items_.size());
    for (const ObjectPtr& object : items_) {
      keys.push_back(object_key(*object));
    }
    return keys;
  }

  /// The objects whose index `index` has value `value` (client-go's `ByIndex`), in no
  /// particular order. Precondition (checked): `index` was registered (or is `namespace`).
  std::vector<ObjectPtr> by_index(std::string_view index, std::string_view value) const {
    const std::size_t i = index_position(index);
    absl::ReaderMutexLock lock(&mu_);
    const auto it = buckets_[i].find(absl::string_view(value.data(), value.size()));
    if (it == buckets_[i].end()) {
      return {};
    }
    return std::vector<ObjectPtr>(it->second.begin(), it->second.end());
  }

  /// The values index `index` currently has objects under (client-go's
  /// `ListIndexFuncValues`), in no particular order. Precondition as for `by_index`.
  std::vector<std::string> index_values(std::string_view index) const {
    const std::size_t i = index_position(index);
    absl::ReaderMutexLock lock(&mu_);
    std::vector<std::string> values;
    values.reserve(buckets_[i].size());
    for (const auto& [value, objects] : buckets_[i]) {
      values.push_back(value);
    }
    return values;
  }

  /// The number of objects.
  std::size_t size() const {
    absl::ReaderMutexLock lock(&mu_);
    return items_.size();
  }

  /// The resourceVersion the store's content was last brought up to (by `replace`, or a
  /// writer's `set_resource_version`); empty before the first list.
  std::string resource_version() const {
    absl::ReaderMutexLock lock(&mu_);
    return resource_version_;
  }

  /// The names of the indexes, `namespace` first.
  std::vector<std::string> index_names() const {
    std::vector<std::string> names;
    for (const IndexDef& def : indexes_) {
      names.push_back(def.name);
    }
    return names;
  }

  // ---- Writers (the informer only; one at a time) -----------------------------------------

  /// Stores `object` (precondition: not null), replacing any object with the same key, and
  /// returns the object replaced, or nullptr.
  ObjectPtr upsert(ObjectPtr object) {
    KORDER_CHECK(object != nullptr, "Store::upsert of a null object");
    ObjectPtr old = get(object_key_view(*object));
    // Index values are computed outside the lock: the objects are immutable, and this is the
    // only writer.
    const Values old_values = old ? values_of(*old) : Values{};
    const Values new_values = values_of(*object);
    absl::MutexLock lock(&mu_);
    if (old) {
      items_.erase(object_key_view(*old));
      unindex(old, old_values);
    }
    items_.insert(object);
    index(object, new_values);
    return old;  // released by the caller, outside the lock
  }

  /// Removes the object with key `key` and returns it, or nullptr if there was none.
  ObjectPtr remove(std::string_view key) { return remove(split_object_key(key)); }

  /// Removes the object named by `key` and returns it, or nullptr if there was none.
  ObjectPtr remove(ObjectKeyView key) {
    ObjectPtr old = get(key);
    if (!old) {
      return nullptr;
    }
    const Values old_values = values_of(*old);
    absl::MutexLock lock(&mu_);
    items_.erase(key);
    unindex(old, old_values);
    return old;
  }

  /// Replaces the whole content with `objects` (null ones are skipped; of two with the same key
  /// the later wins) and records `resource_version`, in one atomic swap: readers see either the
  /// old content or the new, never a mix. The new content and its indexes are built before the
  /// lock is taken, and the old content is released after it is dropped.
  void replace(const std::vector<ObjectPtr>& objects, std::string resource_version) {
    ItemSet items;
    items.reserve(objects.size());
    for (const ObjectPtr& object : objects) {
      if (!object) {
        continue;
      }
      if (auto [it, inserted] = items.insert(object); !inserted) {
        items.erase(it);  // set elements are immutable: the later duplicate replaces the earlier
        items.insert(object);
      }
    }
    std::vector<Buckets> buckets(indexes_.size());
    for (const ObjectPtr& object : items) {
      for (std::size_t i = 0; i < indexes_.size(); ++i) {
        add_to(buckets[i], object, indexes_[i].func(*object));
      }
    }
    {
      absl::MutexLock lock(&mu_);
      items_.swap(items);
      buckets_.swap(buckets);
      resource_version_ = std::move(resource_version);
    }
    // `items` and `buckets` now hold the old content, released here outside the lock.
  }

  /// Records the resourceVersion the content has been brought up to by watch events.
  void set_resource_version(std::string resource_version) {
    absl::MutexLock lock(&mu_);
    resource_version_ = std::move(resource_version);
  }

 private:
  using Values = std::vector<std::vector<std::string>>;
  using ItemSet = absl::flat_hash_set<ObjectPtr, detail::ObjectKeyHash<T>, detail::ObjectKeyEq<T>>;
  using Bucket = absl::flat_hash_set<ObjectPtr>;
  using Buckets = absl::flat_hash_map<std::string, Bucket>;

  struct IndexDef {
    std::string name;
    IndexFunc<T> func;
  };

  std::size_t index_position(std::string_view index) const {
    for (std::size_t i = 0; i < indexes_.size(); ++i) {
      if (indexes_[i].name == index) {
        return i;
      }
    }
    KORDER_CHECK(false, "Store: no index with this name was registered");
    return 0;
  }

  // The index values of `object`, one list per index.
  Values values_of(const T& object) const {
    Values values;
    values.reserve(indexes_.size());
    for (const IndexDef& def : indexes_) {
      values.push_back(def.func(object));
    }
    return values;
  }

  static void add_to(Buckets& buckets, const ObjectPtr& object,
                     const std::vector<std::string>& values) {
    for (const std::string& value : values) {
      buckets[value].insert(object);
    }
  }

  void index(const ObjectPtr& object, const Values& values) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
      add_to(buckets_[i], object, values[i]);
    }
  }

  void unindex(const ObjectPtr& object, const Values& values) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
      for (const std::string& value : values[i]) {
        const auto it = buckets_[i].find(value);
        if (it == buckets_[i].end()) {
          continue;
        }
        it->second.erase(object);
        if (it->second.empty()) {
          buckets_[i].erase(it);  // a value with no objects left is forgotten
        }
      }
    }
  }

  std::vector<IndexDef> indexes_;  // fixed before the first object (read without the lock)

  mutable absl::Mutex mu_;
  ItemSet items_ ABSL_GUARDED_BY(mu_);
  std::vector<Buckets> buckets_ ABSL_GUARDED_BY(mu_);  // parallel to indexes_
  std::string resource_version_ ABSL_GUARDED_BY(mu_);
};

}  // namespace korder::kclient
