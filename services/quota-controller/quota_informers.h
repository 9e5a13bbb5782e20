#pragma once

// How the quota controller's informers feed the engine and wake the quota controller.

#include "korder/api/namespace.h"
#include "korder/api/order.h"
#include "korder/api/quota.h"
#include "korder/api/ticket.h"
#include "korder/kclient/controller.h"
#include "korder/kclient/informer.h"
#include "quota_engine.h"

namespace korder::quota {

/// Registers the event handlers (before the informers start) that keep `engine` equal to the
/// caches and enqueue the quotas whose status a change may affect:
/// - Quota: upsert/delete in the engine (a status-only change is not re-parsed); enqueue it.
/// - Order, Ticket: upsert/delete the object's summary (unchanged summaries are skipped, so
///   status writes of other controllers cost nothing); enqueue the quotas covering the old and
///   the new object.
/// - Namespace: record its labels (re-evaluating NamespaceSelector scopes); enqueue every quota
///   when the labels changed.
/// Every replica runs them (a warm standby: a new leader's books are already equal to its
/// synced caches when it starts serving). Handlers run on the informers' strands and never
/// block: the engine's lock is held for microseconds. `engine` and `controller` must outlive
/// the informers.
void connect_informers(kclient::Informer<api::Quota>& quotas, kclient::Informer<api::Order>& orders,
                       kclient::Informer<api::Ticket>& tickets,
                       kclient::Informer<api::Namespace>& namespaces, QuotaEngine& engine,
                       kclient::Controller& controller);

}  // namespace korder::quota
