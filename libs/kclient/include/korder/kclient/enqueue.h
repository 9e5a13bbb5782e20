#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "korder/api/meta.h"
#include "korder/kclient/controller.h"
#include "korder/kclient/request.h"

namespace korder::kclient {

// Event handlers only map an object to keys and enqueue them (STYLE §3, controller-runtime's
// handler package). Each helper returns an `ObjectHandler<T>`: call it with every object an
// informer reports — the added object, both the old and the new object of an update, and the
// last known state of a deleted one (a tombstone's object) — and it enqueues the keys that
// object maps to. It never reads the cache and never blocks: it is safe on an informer's strand.
// `T` is any object with a `metadata` (`api::ObjectMeta`). The controller must outlive the
// handler.

/// A function that receives one object an informer reported.
template <typename T>
using ObjectHandler = std::function<void(const T&)>;

/// The Request naming `object` itself.
template <typename T>
Request request_for(const T& object) {
  return Request{object.metadata.namespace_, object.metadata.name};
}

/// Enqueues the object itself (controller-runtime's `EnqueueRequestForObject`).
template <typename T>
ObjectHandler<T> enqueue_self(Controller& controller) {
  return [&controller](const T& object) { controller.enqueue(request_for(object)); };
}

/// The kind of an owner: its API group (`core.korder.dev`; empty for the core group) and kind
/// (`Order`).
struct OwnerKind {
  std::string group;
  std::string kind;
  /// Whether owners of this kind are cluster-scoped (then the Request has no namespace);
  /// otherwise the owner is in the object's namespace, as Kubernetes requires.
  bool cluster_scoped = false;
};

/// The group part of an apiVersion: `core.korder.dev/v1alpha1` → `core.korder.dev`, `v1` → ``.
inline std::string_view api_group_of(std::string_view api_version) {
  const auto slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
}

/// The Request of `object`'s controller owner of kind `owner` (the ownerReference with
/// `controller: true` whose group and kind match; the version is ignored, as
/// controller-runtime does), or none.
template <typename T>
std::vector<Request> controller_owner_requests(const T& object, const OwnerKind& owner) {
  for (const api::OwnerReference& ref : object.metadata.owner_references) {
    if (ref.controller.value_or(false) && ref.kind == owner.kind &&
        api_group_of(ref.api_version) == owner.group) {
      return {Request{owner.cluster_scoped ? std::string() : object.metadata.namespace_, ref.name}};
    }
  }
  return {};
}

/// Enqueues the object's controller owner of kind `owner` (controller-runtime's
/// `EnqueueRequestForOwner` with `OnlyControllerOwner`): a Ticket event wakes its Order.
template <typename T>
ObjectHandler<T> enqueue_owner(Controller& controller, OwnerKind owner) {
  return [&controller, owner = std::move(owner)](const T& object) {
    for (const Request& request : controller_owner_requests(object, owner)) {
      controller.enqueue(request);
    }
  };
}

/// Enqueues whatever `map` returns for the object (controller-runtime's
/// `EnqueueRequestsFromMapFunc`): a Node event wakes the tickets on it. `map` must be quick and
/// must not block; it may read other caches.
template <typename T>
ObjectHandler<T> enqueue_mapped(Controller& controller,
                                std::function<std::vector<Request>(const T&)> map) {
  return [&controller, map = std::move(map)](const T& object) {
    for (const Request& request : map(object)) {
      controller.enqueue(request);
    }
  };
}

}  // namespace korder::kclient
