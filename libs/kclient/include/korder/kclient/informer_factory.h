#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <typeindex>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/check.h"
#include "korder/base/clock.h"
#include "korder/kclient/informer.h"
#include "korder/kclient/resource_ref.h"

namespace korder::kclient {

/// Maps an api type to its resource (declared with the REST client; include
/// korder/kclient/typed_resources.h to use `InformerFactory::informer<T>(scope)`).
template <typename T>
struct ResourceTraits;

/// Which objects of a resource an informer caches: one namespace (empty: all) and selectors.
struct InformerScope {
  std::string namespace_;
  std::string label_selector;
  std::string field_selector;

  bool operator==(const InformerScope&) const = default;
};

/// client-go's `SharedInformerFactory`: one shared informer per (resource, scope) per process,
/// so every controller in a daemon that watches tickets shares one watch and one cache.
///
/// Informers are created on first request with the factory's default options (page size,
/// watch timeout, resync, backoff); register their handlers and indexers, then `start()`.
/// Asking again for the same resource and scope gives the same informer. Thread-safe. Destroying
/// the factory stops and destroys its informers; the client, io_context and clock must outlive
/// it.
class InformerFactory {
 public:
  /// `defaults` gives every informer's timings and randomness; its resource, namespace and
  /// selectors are ignored.
  InformerFactory(RestClient& client, boost::asio::io_context& io, Clock& clock,
                  InformerOptions defaults = {})
      : client_(client), io_(io), clock_(clock), defaults_(std::move(defaults)) {}

  InformerFactory(const InformerFactory&) = delete;
  InformerFactory& operator=(const InformerFactory&) = delete;
  ~InformerFactory() { stop(); }

  /// The shared informer of T's resource in `scope` (needs ResourceTraits<T>: include
  /// typed_resources.h).
  template <typename T>
  Informer<T>& informer(InformerScope scope = {}) {
    return informer<T>(ResourceTraits<T>::resource(), std::move(scope));
  }

  /// The shared informer of `resource` in `scope`, with objects decoded as T. Precondition
  /// (checked): the same resource and scope are never asked for with two different types.
  template <typename T>
  Informer<T>& informer(const ResourceRef& resource, InformerScope scope) {
    absl::MutexLock lock(&mu_);
    for (Entry& entry : entries_) {
      if (entry.resource == resource && entry.scope == scope) {
        KORDER_CHECK(entry.type == std::type_index(typeid(T)),
                     "InformerFactory: one resource and scope asked for with two types");
        return static_cast<Informer<T>&>(*entry.informer);
      }
    }
    InformerOptions options = defaults_;
    options.resource = resource;
    options.namespace_ = scope.namespace_;
    options.label_selector = scope.label_selector;
    options.field_selector = scope.field_selector;
    options.name = name_of(resource, scope);
    auto created = std::make_unique<Informer<T>>(client_, io_, clock_, std::move(options));
    Informer<T>& result = *created;
    entries_.push_back(
        Entry{resource, std::move(scope), std::type_index(typeid(T)), std::move(created), false});
    return result;
  }

  /// Starts every informer not started yet (call again after creating more).
  void start() {
    absl::MutexLock lock(&mu_);
    for (Entry& entry : entries_) {
      if (!entry.started) {
        entry.started = true;
        entry.informer->start();
      }
    }
  }

  /// Stops every informer (their caches stay readable) and waits, up to `timeout` of real time
  /// in all, for their loops to exit; returns whether all did (see Reflector::stop_and_wait).
  bool stop(std::chrono::nanoseconds timeout = std::chrono::seconds(30)) {
    std::vector<InformerBase*> informers;
    {
      absl::MutexLock lock(&mu_);
      for (Entry& entry : entries_) {
        entry.informer->stop();
        informers.push_back(entry.informer.get());
      }
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool all = true;
    for (InformerBase* informer : informers) {
      const auto left = std::max(deadline - std::chrono::steady_clock::now(),
                                 std::chrono::steady_clock::duration::zero());
      all = informer->stop_and_wait(left) && all;
    }
    return all;
  }

  /// Blocks until every started informer has synced or `timeout` (on the factory's clock) has
  /// passed; returns whether all have synced. For `main` and worker threads, never an io thread.
  bool wait_for_cache_sync(std::chrono::nanoseconds timeout) {
    const SteadyTimePoint deadline = clock_.steady_now() + timeout;
    std::vector<InformerBase*> started;
    {
      absl::MutexLock lock(&mu_);
      for (Entry& entry : entries_) {
        if (entry.started) {
          started.push_back(entry.informer.get());
        }
      }
    }
    bool all = true;
    for (InformerBase* informer : started) {
      const auto left = std::max(deadline - clock_.steady_now(), SteadyTimePoint::duration::zero());
      all = informer->wait_for_sync(left) && all;
    }
    return all;
  }

  /// Whether every started informer has synced (a readiness check).
  bool has_synced() const {
    absl::MutexLock lock(&mu_);
    for (const Entry& entry : entries_) {
      if (entry.started && !entry.informer->has_synced()) {
        return false;
      }
    }
    return true;
  }

 private:
  struct Entry {
    ResourceRef resource;
    InformerScope scope;
    std::type_index type;
    std::unique_ptr<InformerBase> informer;
    bool started = false;
  };

  // `tickets.core.korder.dev ns=team-a labels=app=shop` (for logs).
  static std::string name_of(const ResourceRef& resource, const InformerScope& scope) {
    std::string name = resource.qualified_name();
    if (!scope.namespace_.empty()) {
      name += " ns=" + scope.namespace_;
    }
    if (!scope.label_selector.empty()) {
      name += " labels=" + scope.label_selector;
    }
    if (!scope.field_selector.empty()) {
      name += " fields=" + scope.field_selector;
    }
    return name;
  }

  RestClient& client_;
  boost::asio::io_context& io_;
  Clock& clock_;
  const InformerOptions defaults_;
  mutable absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace korder::kclient
