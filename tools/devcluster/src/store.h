#pragma once

// The in-memory object store: what etcd plus the watch cache are to kube-apiserver. Objects are
// immutable JSON documents shared by pointer; every successful write takes the next value of
// one global revision counter (the resourceVersion) and appends one event to a bounded history
// from which watches resume. Subscriptions receive events in revision order without ever
// blocking writers: each has a bounded queue and is closed when it falls too far behind.
//
// Thread-safe: one mutex guards everything; writers hold it only to check preconditions,
// stamp the revision, serialise and publish.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "json_access.h"
#include "korder/base/expected.h"

namespace korder::devcluster {

/// One stored object version. Never modified after construction.
struct StoredObject {
  JsonDocument doc;
  std::string json;  // compact JSON of doc, the wire form
  std::string namespace_;
  std::string name;
  std::string uid;
  std::uint64_t rv = 0;
  std::map<std::string, std::string> labels;
  std::vector<std::string> owner_uids;
};
using ObjectPtr = std::shared_ptr<const StoredObject>;

/// Builds a stored object from `doc`, stamping `metadata.resourceVersion` with `rv` (unless 0,
/// which keeps what the document says: dry-run answers).
ObjectPtr make_stored(JsonDocument doc, std::uint64_t rv);

/// `namespace/name` (cluster-scoped objects have an empty namespace).
std::string object_key(std::string_view namespace_, std::string_view name);

enum class EventType { Added, Modified, Deleted };

/// `ADDED`, `MODIFIED`, `DELETED`.
std::string_view to_string(EventType type);

/// One committed change.
struct StoreEvent {
  EventType type = EventType::Added;
  std::string storage_id;
  std::uint64_t rv = 0;
  ObjectPtr object;    // the new state; for Deleted the last state, stamped with the new rv
  ObjectPtr previous;  // the state before the change (null for Added)
};
using EventPtr = std::shared_ptr<const StoreEvent>;

/// Where an object lives: its resource's storage id and key.
struct ObjectRef {
  std::string storage_id;
  std::string key;
  bool operator<(const ObjectRef& o) const {
    return storage_id != o.storage_id ? storage_id < o.storage_id : key < o.key;
  }
};

/// Why a conditional write failed.
enum class CommitError { AlreadyExists, NotFound, Conflict };

/// What a subscription watches.
struct SubscriptionSpec {
  std::string storage_id;  // empty: every resource
  std::string namespace_;  // empty: every namespace
  /// Resume after this revision (events with a larger rv are replayed from the history).
  /// nullopt: start at the current revision.
  std::optional<std::uint64_t> from_rv;
  /// Synthetic ADDED events for the current objects (watch without a resourceVersion).
  bool initial_state = false;
  /// Internal subscribers (garbage collector, simulators) survive `drop_watches`.
  bool internal = false;
  /// Queue bound; the subscription closes when more events are pending.
  std::size_t max_pending = 100000;
};

class Store;

/// A stream of events from the store. Thread-safe. Destroying it unsubscribes.
class Subscription {
 public:
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  /// Events taken at once; `closed` when the store closed the subscription (dropped, too slow),
  /// after which no more events come.
  struct Batch {
    std::vector<EventPtr> events;
    bool closed = false;
  };
  /// Takes every pending event.
  Batch take();
  /// Sets the callback run when events arrive or the subscription closes. It runs on the
  /// writer's thread with the store locked, so it must only post work elsewhere.
  void set_notify(std::function<void()> notify);
  /// The revision a bookmark may carry now: the store's revision when no event is pending,
  /// else nullopt.
  std::optional<std::uint64_t> bookmark_rv() const;

 private:
  friend class Store;
  Subscription(Store& store, SubscriptionSpec spec) : store_(store), spec_(std::move(spec)) {}
  void push(const EventPtr& event);  // store lock held
  void close();                      // store lock held

  Store& store_;
  const SubscriptionSpec spec_;
  // Guarded by store_.mu_:
  std::deque<EventPtr> pending_;
  bool closed_ = false;
  std::function<void()> notify_;
};

/// The store.
class Store {
 public:
  /// `history` is the number of events kept for resuming watches.
  explicit Store(std::size_t history);

  /// The current revision.
  std::uint64_t current_rv() const;
  /// Revisions at or below this are compacted: watches from them get 410.
  std::uint64_t compacted_rv() const;

  ObjectPtr get(const std::string& storage_id, std::string_view namespace_,
                std::string_view name) const;

  /// A consistent view of a resource.
  struct ListResult {
    std::vector<ObjectPtr> items;
    std::uint64_t rv = 0;
    bool more = false;           // more items after the last one returned
    std::int64_t remaining = 0;  // how many more (when `more`)
  };
  /// Objects of `storage_id` in key order, in `namespace_` (empty: all), after key
  /// `start_after` (empty: from the start), that `filter` accepts; at most `limit` (0: all).
  ListResult list(const std::string& storage_id, std::string_view namespace_,
                  std::string_view start_after, std::size_t limit,
                  const std::function<bool(const StoredObject&)>& filter) const;
  /// How many objects `storage_id` holds in `namespace_` (empty: all).
  std::size_t count(const std::string& storage_id, std::string_view namespace_) const;

  /// Stores a new object (the key comes from doc's metadata).
  Expected<ObjectPtr, CommitError> create(const std::string& storage_id, JsonDocument doc);
  /// Replaces an object whose current revision is `expected_rv`.
  Expected<ObjectPtr, CommitError> update(const std::string& storage_id, JsonDocument doc,
                                          std::uint64_t expected_rv);
  /// Removes an object whose current revision is `expected_rv` (0: any). The DELETED event
  /// carries `final_state` when given, else the stored state, stamped with the new revision.
  Expected<ObjectPtr, CommitError> remove(const std::string& storage_id,
                                          std::string_view namespace_, std::string_view name,
                                          std::uint64_t expected_rv,
                                          std::optional<JsonDocument> final_state = {});

  /// Where the object with `uid` lives, if stored.
  std::optional<ObjectRef> find_uid(const std::string& uid) const;
  /// The object at `ref`, or null.
  ObjectPtr get(const ObjectRef& ref) const;
  /// Objects whose ownerReferences name `owner_uid`.
  std::vector<ObjectRef> dependents(const std::string& owner_uid) const;
  /// Every stored resource id with objects in `namespace_`.
  std::vector<std::string> storage_ids_in_namespace(std::string_view namespace_) const;

  /// Subscribes to changes. Errors with the compacted revision when `from_rv` is older.
  struct Subscribed {
    std::shared_ptr<Subscription> subscription;
    std::vector<EventPtr> initial;  // synthetic ADDED events when spec.initial_state
    std::uint64_t rv = 0;           // the revision the subscription starts after
  };
  Expected<Subscribed, std::uint64_t> subscribe(SubscriptionSpec spec);

  /// Forgets the history: every revision up to now becomes too old to watch from.
  void compact();
  /// Closes every non-internal subscription (watch clients must re-watch).
  void drop_watches();

 private:
  friend class Subscription;
  using Table = std::map<std::string, ObjectPtr, std::less<>>;

  void publish(EventType type, const std::string& storage_id, ObjectPtr object,
               ObjectPtr previous);                                      // mu_ held
  void index(const std::string& storage_id, const ObjectPtr& object);    // mu_ held
  void unindex(const std::string& storage_id, const ObjectPtr& object);  // mu_ held
  void unsubscribe(Subscription* subscription);

  mutable std::mutex mu_;
  const std::size_t history_limit_;
  std::uint64_t rv_ = 1000;                                                  // guarded by mu_
  std::uint64_t compacted_rv_ = 0;                                           // guarded by mu_
  std::unordered_map<std::string, Table> tables_;                            // guarded by mu_
  std::deque<EventPtr> history_;                                             // guarded by mu_
  std::unordered_map<std::string, ObjectRef> by_uid_;                        // guarded by mu_
  std::unordered_map<std::string, std::set<ObjectRef>> dependents_;          // guarded by mu_
  std::unordered_map<std::string, std::vector<Subscription*>> subscribers_;  // guarded by mu_
  std::vector<Subscription*> all_subscribers_;                               // guarded by mu_
};

}  // namespace korder::devcluster
