#pragma once

#include <utility>

#include "korder/kclient/controller.h"
#include "korder/kclient/enqueue.h"
#include "korder/kclient/informer.h"

namespace korder::kclient {

/// Connects an informer to a controller (controller-runtime's `Watches(source, handler)`): every
/// object the informer reports goes through `handler` (one of the enqueue helpers), and the
/// controller reconciles nothing before the informer has synced. Call before starting either.
/// The informer and the controller must outlive each other's use (the Manager stops the
/// controllers before the informers).
template <typename T>
void watches(Controller& controller, Informer<T>& informer, ObjectHandler<T> handler) {
  informer.add_event_handler(for_each_object<T>(std::move(handler)));
  controller.add_synced_check([&informer] { return informer.has_synced(); });
}

}  // namespace korder::kclient
