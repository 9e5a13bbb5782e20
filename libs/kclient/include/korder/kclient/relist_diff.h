#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "korder/kclient/object_key.h"

namespace korder::kclient {

/// What an informer's `on_delete` handler receives: the deleted object's key and its last known
/// state.
///
/// When `final_state_unknown` is false, the watch delivered the DELETED event and `object` is
/// the object's final state. When it is true, the delete was discovered by a relist (the watch
/// broke and the object was gone from the fresh list): this is client-go's
/// `DeletedFinalStateUnknown` tombstone, and `object` is the last state the cache held, which
/// may be older than the object's final state. Handlers normally treat both alike: they only
/// enqueue `key`.
template <typename T>
struct DeletedObject {
  std::string key;
  std::shared_ptr<const T> object;
  bool final_state_unknown = false;
};

/// The notifications that turn a cache holding `cached` into one holding a fresh list: what an
/// informer delivers after a relist so that its handlers see every change, deletions included.
template <typename T>
struct RelistDiff {
  /// In the list, not in the cache (or in the cache under the same key with another uid: the
  /// object was deleted and re-created while the watch was down).
  std::vector<std::shared_ptr<const T>> added;
  /// In both, with a different resourceVersion: (cached, listed).
  std::vector<std::pair<std::shared_ptr<const T>, std::shared_ptr<const T>>> updated;
  /// In the cache and not in the list (or replaced by another uid), as tombstones
  /// (`final_state_unknown` set) carrying the cached state.
  std::vector<DeletedObject<T>> deleted;

  /// Whether nothing changed.
  bool empty() const { return added.empty() && updated.empty() && deleted.empty(); }
};

/// Compares the cache's content with a fresh list and returns the add / update / delete
/// notifications that bring handlers from one to the other. Pure.
///
/// Objects are matched by key (`ns/name`). An object in both with the same uid and the same
/// resourceVersion is unchanged and gives nothing (a resourceVersion changes with every write,
/// so equal versions mean equal objects; handlers that want every object again use the
/// informer's resync). Same key with a different uid (both set) is a delete of the cached object
/// followed by an add of the listed one. Order: `added` and `updated` follow `listed`;
/// `deleted` follows `cached`, recreated objects first. Null pointers are ignored; of two
/// listed objects with the same key, the later counts (as `Store::replace` does).
template <typename T>
RelistDiff<T> diff_relist(const std::vector<std::shared_ptr<const T>>& cached,
                          const std::vector<std::shared_ptr<const T>>& listed) {
  using ObjectPtr = std::shared_ptr<const T>;
  // Keys view into the objects, which both vectors keep alive for the whole call.
  absl::flat_hash_map<ObjectKeyView, const ObjectPtr*, detail::ObjectKeyHash<T>,
                      detail::ObjectKeyEq<T>>
      listed_by_key;
  listed_by_key.reserve(listed.size());
  for (const ObjectPtr& object : listed) {
    if (object) {
      listed_by_key.insert_or_assign(object_key_view(*object), &object);
    }
  }
  absl::flat_hash_map<ObjectKeyView, const ObjectPtr*, detail::ObjectKeyHash<T>,
                      detail::ObjectKeyEq<T>>
      cached_by_key;
  cached_by_key.reserve(cached.size());
  for (const ObjectPtr& object : cached) {
    if (object) {
      cached_by_key.insert_or_assign(object_key_view(*object), &object);
    }
  }

  RelistDiff<T> diff;
  for (const ObjectPtr& object : listed) {
    if (!object) {
      continue;
    }
    const ObjectKeyView key = object_key_view(*object);
    if (listed_by_key.at(key) != &object) {
      continue;  // an earlier duplicate: the later one counts
    }
    const auto it = cached_by_key.find(key);
    if (it == cached_by_key.end()) {
      diff.added.push_back(object);
      continue;
    }
    const ObjectPtr& old = *it->second;
    const auto& old_meta = old->metadata;
    const auto& new_meta = object->metadata;
    if (!old_meta.uid.empty() && !new_meta.uid.empty() && old_meta.uid != new_meta.uid) {
      diff.deleted.push_back({object_key(*old), old, true});
      diff.added.push_back(object);
    } else if (old_meta.resource_version != new_meta.resource_version) {
      diff.updated.emplace_back(old, object);
    }
  }
  // Then the plain deletions (recreated objects were added above), in the cache's order.
  for (const ObjectPtr& object : cached) {
    if (object && !listed_by_key.contains(object_key_view(*object)) &&
        cached_by_key.at(object_key_view(*object)) == &object) {
      diff.deleted.push_back({object_key(*object), object, true});
    }
  }
  return diff;
}

}  // namespace korder::kclient
