#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "korder/base/check.h"
#include "korder/kclient/object_decoder.h"
#include "korder/kclient/reflector.h"
#include "korder/kclient/relist_diff.h"
#include "korder/kclient/store.h"
#include "korder/kclient/watcher.h"

namespace korder::kclient {

/// The callbacks of one informer consumer (client-go's `ResourceEventHandlerFuncs`). Any may be
/// empty. They run on the informer's strand, one at a time, in the order of the changes:
///  - `on_add(object)`: an object appeared (from the first list, a relist, or a watch event);
///  - `on_update(old, new)`: it changed (old != new), or a periodic resync re-delivers it
///    (old == new);
///  - `on_delete(deleted)`: it is gone; `deleted.final_state_unknown` marks a tombstone found by
///    a relist (see DeletedObject).
/// Handlers must only map the object to keys and enqueue them (a work queue's `add`): they
/// must not block, call the API, or throw. An exception that escapes one is caught, counted and
/// logged as the bug it is; the informer goes on.
template <typename T>
struct ResourceEventHandler {
  std::function<void(const std::shared_ptr<const T>&)> on_add;
  std::function<void(const std::shared_ptr<const T>& old_object,
                     const std::shared_ptr<const T>& new_object)>
      on_update;
  std::function<void(const DeletedObject<T>&)> on_delete;
};

/// A handler that calls `handle` with every object the informer reports: the added object, the
/// old and the new object of an update (once if they are the same object), and the last known
/// state of a deleted one. This is what the enqueue helpers (enqueue_self, enqueue_owner)
/// expect.
template <typename T>
ResourceEventHandler<T> for_each_object(std::function<void(const T&)> handle) {
  auto shared = std::make_shared<std::function<void(const T&)>>(std::move(handle));
  return ResourceEventHandler<T>{
      [shared](const std::shared_ptr<const T>& object) { (*shared)(*object); },
      [shared](const std::shared_ptr<const T>& old_object,
               const std::shared_ptr<const T>& new_object) {
        if (old_object != new_object) {
          (*shared)(*old_object);
        }
        (*shared)(*new_object);
      },
      [shared](const DeletedObject<T>& deleted) { (*shared)(*deleted.object); }};
}

/// The typed, I/O-free half of an Informer (client-go's `HandleDeltas` plus the processor):
/// it decodes what the Reflector fetched, steps the watcher state machine, writes the Store and
/// runs the event handlers. An Informer owns one and hands it to its Reflector as the sink; tests
/// and benchmarks drive it directly with raw outcomes.
///
/// Not thread-safe except for `store()` readers and `has_synced()`: the sink calls come one at a
/// time (the reflector's strand). Register handlers and indexers before the first call
/// (checked).
template <typename T>
class InformerCore final : public ReflectorSink {
 public:
  using ObjectPtr = std::shared_ptr<const T>;

  explicit InformerCore(Indexers<T> indexers = {}, DecodeOptions decode_options = {})
      : store_(std::move(indexers)), decode_options_(decode_options) {}

  /// Adds a consumer. Precondition (checked): before the first sink call.
  void add_event_handler(ResourceEventHandler<T> handler) {
    KORDER_CHECK(!used_, "Informer: add event handlers before start()");
    handlers_.push_back(std::move(handler));
  }

  /// Adds indexes to the store. Preconditions (checked): before the first sink call; no name
  /// is taken.
  void add_indexers(Indexers<T> indexers) {
    KORDER_CHECK(!used_, "Informer: add indexers before start()");
    store_.add_indexers(std::move(indexers));
  }

  /// Called once, on the sink's thread, right after the first complete list was stored and
  /// delivered. Set before the first sink call.
  void set_on_synced(std::function<void()> on_synced) { on_synced_ = std::move(on_synced); }

  /// Whether the first complete list is in the store and has been delivered. Thread-safe.
  bool has_synced() const { return synced_; }

  /// The cache (thread-safe readers).
  const Store<T>& store() const { return store_; }

  /// The watcher's state (sink thread only; for tests).
  const watcher::State<T>& state() const { return state_; }

  // ---- ReflectorSink ----

  watcher::Action next_action() override {
    used_ = true;
    return watcher::next_action(state_);
  }

  ReflectorReport apply(RawOutcome raw) override {
    used_ = true;
    ReflectorReport report;
    watcher::Step<T> step = watcher::step(std::move(state_), decode(std::move(raw), report));
    state_ = std::move(step.next);
    report.error = std::move(step.error);
    if (step.event) {
      handle(std::move(*step.event), report.handler_failures);
    }
    if (const auto* watching = std::get_if<watcher::Watching>(&state_)) {
      store_.set_resource_version(watching->resource_version);
    }
    return report;
  }

  std::vector<std::string> resync() override {
    std::vector<std::string> failures;
    if (!synced_) {
      return failures;
    }
    for (const ObjectPtr& object : store_.list()) {
      for (const auto& h : handlers_) {
        if (h.on_update) {
          call([&] { h.on_update(object, object); }, failures);
        }
      }
    }
    return failures;
  }

 private:
  watcher::Outcome<T> decode(RawOutcome raw, ReflectorReport& report) {
    if (auto* page = std::get_if<RawListPage>(&raw)) {
      auto decoded = decode_list_page<T>(page->body, report.decode_failures, decode_options_);
      if (!decoded) {
        return std::move(decoded).error();
      }
      return std::move(decoded).value();
    }
    if (auto* event = std::get_if<WatchEvent>(&raw)) {
      return decode_watch_item<T>(*event, report.decode_failures, decode_options_);
    }
    if (std::holds_alternative<watcher::WatchOpened>(raw)) {
      return watcher::WatchOpened{};
    }
    if (std::holds_alternative<watcher::WatchEnded>(raw)) {
      return watcher::WatchEnded{};
    }
    return std::get<ApiError>(std::move(raw));
  }

  void handle(watcher::Event<T> event, std::vector<std::string>& failures) {
    if (auto* restarted = std::get_if<watcher::Restarted<T>>(&event)) {
      const RelistDiff<T> diff = diff_relist(store_.list(), restarted->objects);
      store_.replace(restarted->objects, std::move(restarted->resource_version));
      deliver(diff, failures);
      if (!synced_) {
        synced_ = true;
        if (on_synced_) {
          on_synced_();
        }
      }
    } else if (auto* applied = std::get_if<watcher::Applied<T>>(&event)) {
      const ObjectPtr old_object = store_.upsert(applied->object);
      for (const auto& h : handlers_) {
        if (old_object && h.on_update) {
          call([&] { h.on_update(old_object, applied->object); }, failures);
        } else if (!old_object && h.on_add) {
          call([&] { h.on_add(applied->object); }, failures);
        }
      }
    } else {
      const ObjectPtr& object = std::get<watcher::Deleted<T>>(event).object;
      const DeletedObject<T> deleted{object_key(*object), object, false};
      store_.remove(object_key_view(*object));
      for (const auto& h : handlers_) {
        if (h.on_delete) {
          call([&] { h.on_delete(deleted); }, failures);
        }
      }
    }
  }

  void deliver(const RelistDiff<T>& diff, std::vector<std::string>& failures) {
    for (const auto& h : handlers_) {
      for (const DeletedObject<T>& deleted : diff.deleted) {
        if (h.on_delete) {
          call([&] { h.on_delete(deleted); }, failures);
        }
      }
      for (const ObjectPtr& added : diff.added) {
        if (h.on_add) {
          call([&] { h.on_add(added); }, failures);
        }
      }
      for (const auto& [old_object, new_object] : diff.updated) {
        if (h.on_update) {
          call([&] { h.on_update(old_object, new_object); }, failures);
        }
      }
    }
  }

  template <typename F>
  static void call(F&& f, std::vector<std::string>& failures) {
    try {
      f();
    } catch (const std::exception& e) {
      failures.emplace_back(e.what());  // reported and logged by the reflector
    }
  }

  Store<T> store_;
  const DecodeOptions decode_options_;
  std::vector<ResourceEventHandler<T>> handlers_;  // fixed once used
  watcher::State<T> state_ = watcher::Empty{};
  std::function<void()> on_synced_;
  bool used_ = false;
  std::atomic<bool> synced_{false};
};

}  // namespace korder::kclient
