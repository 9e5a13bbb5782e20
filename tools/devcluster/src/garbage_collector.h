#pragma once

// What kube-controller-manager's garbage collector and namespace controller do, for the
// devcluster: dependents of a deleted owner are deleted (background), a `foregroundDeletion`
// owner waits until its blocking dependents are gone, an `orphan` owner's dependents lose the
// reference, dangling dependents (owners all absent) are deleted, and a terminating namespace
// is emptied and then removed. Runs as one coroutine on its own strand, fed by an internal store
// subscription; writes go through the Registry like any client's.

#include <memory>
#include <set>
#include <string>

#include "asio.h"
#include "registry.h"

namespace korder::devcluster {

/// The collector. start() once; stop() before the io_context stops.
class GarbageCollector {
 public:
  GarbageCollector(net::io_context& ioc, Registry& registry);
  ~GarbageCollector();

  void start();
  void stop();

 private:
  struct State;
  Awaitable<void> run(std::shared_ptr<State> state);
  Awaitable<void> handle(const StoreEvent& event);
  Awaitable<void> collect_dependents_of(const std::string& owner_uid);
  Awaitable<void> process_owner(const ObjectRef& ref);
  Awaitable<void> process_dependent(const ObjectRef& ref);
  Awaitable<void> process_namespace(const std::string& name);
  Awaitable<void> remove_finalizer(const ResourceInfo& info, const StoredObject& object,
                                   std::string_view finalizer);
  ResourcePtr info_of(const std::string& storage_id) const;
  bool owner_present(const StoredObject& dependent, const std::string& owner_uid) const;

  net::io_context& ioc_;
  Registry& registry_;
  std::shared_ptr<State> state_;
  std::set<std::string> terminating_namespaces_;  // used on the collector's strand only
};

}  // namespace korder::devcluster
