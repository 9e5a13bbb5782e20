#include "quota_informers.h"

#include <memory>
#include <string>

namespace korder::quota {
namespace {

using kclient::Controller;
using kclient::DeletedObject;
using kclient::Request;

void enqueue(Controller& controller, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    controller.enqueue(Request{"", name});
  }
}

void enqueue_all(Controller& controller, QuotaEngine& engine) {
  enqueue(controller, engine.quota_names());
}

// Order and Ticket handlers: the engine sees summaries; the quotas covering the object before
// and after the change are woken.
template <typename T>
kclient::ResourceEventHandler<T> object_handler(QuotaEngine& engine, Controller& controller) {
  kclient::ResourceEventHandler<T> handler;
  handler.on_add = [&engine, &controller](const std::shared_ptr<const T>& object) {
    ObjectSummary summary = summarize(*object);
    engine.upsert_object(summary);
    enqueue(controller, engine.quotas_covering(summary));
  };
  handler.on_update = [&engine, &controller](const std::shared_ptr<const T>& old_object,
                                             const std::shared_ptr<const T>& new_object) {
    ObjectSummary before = summarize(*old_object);
    ObjectSummary after = summarize(*new_object);
    if (before == after) {
      return;
    }
    std::vector<std::string> names = engine.quotas_covering(before);
    engine.upsert_object(after);
    const std::vector<std::string> now = engine.quotas_covering(after);
    names.insert(names.end(), now.begin(), now.end());
    enqueue(controller, names);
  };
  handler.on_delete = [&engine, &controller](const DeletedObject<T>& deleted) {
    const ObjectSummary summary = summarize(*deleted.object);
    const std::vector<std::string> names = engine.quotas_covering(summary);
    engine.delete_object(summary.key(), summary.uid);
    enqueue(controller, names);
  };
  return handler;
}

}  // namespace

void connect_informers(kclient::Informer<api::Quota>& quotas, kclient::Informer<api::Order>& orders,
                       kclient::Informer<api::Ticket>& tickets,
                       kclient::Informer<api::Namespace>& namespaces, QuotaEngine& engine,
                       Controller& controller) {
  kclient::ResourceEventHandler<api::Quota> quota_handler;
  quota_handler.on_add = [&engine, &controller](const std::shared_ptr<const api::Quota>& quota) {
    engine.upsert_quota(*quota);
    controller.enqueue(Request{"", quota->metadata.name});
  };
  quota_handler.on_update = [&engine, &controller](
                                const std::shared_ptr<const api::Quota>& old_quota,
                                const std::shared_ptr<const api::Quota>& new_quota) {
    // Our own status writes come back here: only a spec or generation change is re-parsed.
    if (old_quota->spec != new_quota->spec ||
        old_quota->metadata.generation != new_quota->metadata.generation) {
      engine.upsert_quota(*new_quota);
    }
    controller.enqueue(Request{"", new_quota->metadata.name});
  };
  quota_handler.on_delete = [&engine](const DeletedObject<api::Quota>& deleted) {
    engine.delete_quota(deleted.object->metadata.name);
  };
  quotas.add_event_handler(std::move(quota_handler));

  orders.add_event_handler(object_handler<api::Order>(engine, controller));
  tickets.add_event_handler(object_handler<api::Ticket>(engine, controller));

  kclient::ResourceEventHandler<api::Namespace> ns_handler;
  ns_handler.on_add = [&engine, &controller](const std::shared_ptr<const api::Namespace>& ns) {
    engine.upsert_namespace(*ns);
    enqueue_all(controller, engine);
  };
  ns_handler.on_update = [&engine, &controller](const std::shared_ptr<const api::Namespace>& old_ns,
                                                const std::shared_ptr<const api::Namespace>& ns) {
    if (old_ns->metadata.labels == ns->metadata.labels) {
      return;
    }
    engine.upsert_namespace(*ns);
    enqueue_all(controller, engine);
  };
  ns_handler.on_delete = [&engine, &controller](const DeletedObject<api::Namespace>& deleted) {
    engine.delete_namespace(deleted.object->metadata.name);
    enqueue_all(controller, engine);
  };
  namespaces.add_event_handler(std::move(ns_handler));
}

}  // namespace korder::quota
