#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/clock.h"
#include "korder/kclient/clock_cond_var.h"
#include "korder/kclient/informer_core.h"
#include "korder/kclient/reflector.h"
#include "korder/kclient/store.h"

namespace korder::kclient {

/// An informer of any type, as the InformerFactory and the Manager hold it.
class InformerBase {
 public:
  virtual ~InformerBase() = default;
  /// Starts listing and watching (once).
  virtual void start() = 0;
  /// Stops the watch loop; the store keeps its content. Thread-safe, idempotent.
  virtual void stop() = 0;
  /// Stops the loop and waits (real time, up to `timeout`) until it has exited; see
  /// Reflector::stop_and_wait.
  virtual bool stop_and_wait(std::chrono::nanoseconds timeout) = 0;
  /// Whether the first complete list is in the store and has been delivered to the handlers.
  virtual bool has_synced() const = 0;
  /// Blocks until `has_synced()` or `timeout` has passed on the informer's clock; returns
  /// `has_synced()`. For worker threads and `main`, never an io thread.
  virtual bool wait_for_sync(std::chrono::nanoseconds timeout) = 0;
  virtual const InformerOptions& options() const = 0;
  virtual ReflectorStats stats() const = 0;
};

/// client-go's shared index informer for objects of type T (an api kind with its korder::api
/// codecs): a Reflector (list, then watch, relist on 410, backoff) feeding the watcher state
/// machine, a Store of immutable objects with named indexes, and event handlers (see
/// InformerCore, which holds the typed half).
///
/// After a (re)list the store's content is replaced in one swap and the handlers receive what
/// changed, including tombstone deletes for objects that vanished while the watch was down.
/// Objects that do not decode are skipped, logged and counted; they never stop the informer.
/// Handlers run on the informer's strand and must only enqueue (see ResourceEventHandler).
///
/// Register handlers and indexers before `start()` (checked). Everything else is thread-safe.
/// Readers use `store()`, which is read-only to them. The client, io_context and clock must
/// outlive the informer; destroying it stops the loop and waits for a handler in progress, so
/// never destroy an informer from inside its own handler.
template <typename T>
class Informer final : public InformerBase {
 public:
  Informer(RestClient& client, boost::asio::io_context& io, Clock& clock, InformerOptions options,
           Indexers<T> indexers = {})
      : clock_(clock),
        core_(std::move(indexers), options.decode),
        reflector_(client, io, clock, std::move(options), core_) {
    core_.set_on_synced([this] {
      absl::MutexLock lock(&sync_mu_);
      sync_cv_.signal_all();
    });
  }

  ~Informer() override = default;  // reflector_ goes first: stops, then detaches from core_

  /// Adds a consumer. Precondition (checked): before `start()`.
  void add_event_handler(ResourceEventHandler<T> handler) {
    KORDER_CHECK(!started_, "Informer: add event handlers before start()");
    core_.add_event_handler(std::move(handler));
  }

  /// Adds indexes to the store. Preconditions (checked): before `start()`; no name is taken.
  void add_indexers(Indexers<T> indexers) {
    KORDER_CHECK(!started_, "Informer: add indexers before start()");
    core_.add_indexers(std::move(indexers));
  }

  void start() override {
    started_ = true;
    reflector_.start();
  }
  void stop() override { reflector_.stop(); }
  bool stop_and_wait(std::chrono::nanoseconds timeout) override {
    return reflector_.stop_and_wait(timeout);
  }
  bool has_synced() const override { return core_.has_synced(); }

  bool wait_for_sync(std::chrono::nanoseconds timeout) override {
    const SteadyTimePoint deadline = clock_.steady_now() + timeout;
    absl::MutexLock lock(&sync_mu_);
    while (!core_.has_synced()) {
      if (sync_cv_.wait_until(deadline)) {
        break;
      }
    }
    return core_.has_synced();
  }

  /// The cache. Read-only: only the informer writes to it.
  const Store<T>& store() const { return core_.store(); }
  const InformerOptions& options() const override { return reflector_.options(); }
  ReflectorStats stats() const override { return reflector_.stats(); }

 private:
  Clock& clock_;
  InformerCore<T> core_;
  std::atomic<bool> started_{false};
  absl::Mutex sync_mu_;
  ClockCondVar sync_cv_{clock_, sync_mu_};
  Reflector reflector_;  // last: destroyed first
};

}  // namespace korder::kclient
