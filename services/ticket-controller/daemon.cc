#include "daemon.h"

#include <glog/logging.h>

#include <memory>
#include <utility>

#include "korder/api/korder_group.h"
#include "korder/kclient/daemon_runtime.h"
#include "korder/kclient/enqueue.h"
#include "korder/kclient/event_recorder.h"
#include "korder/kclient/informer_factory.h"
#include "korder/kclient/manager.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/typed_resources.h"
#include "ticket_api.h"
#include "ticket_cache.h"
#include "ticket_metrics.h"
#include "ticket_reconciler.h"

namespace korder::ticket {
namespace {

// Wires the informers' events to the controller's queue: a Ticket wakes itself, a Pod the ticket
// it is labelled for (or owned by), a deleted Node the tickets on it. Node updates (heartbeats)
// wake nothing: only a node's removal changes a ticket's plan.
void add_handlers(kclient::Controller& controller, kclient::Informer<api::Ticket>& tickets,
                  kclient::Informer<api::Pod>& pods, kclient::Informer<api::Node>& nodes,
                  const TicketCache& cache) {
  tickets.add_event_handler(
      kclient::for_each_object<api::Ticket>(kclient::enqueue_self<api::Ticket>(controller)));
  pods.add_event_handler(kclient::for_each_object<api::Pod>(
      kclient::enqueue_mapped<api::Pod>(controller, &tickets_of_pod)));
  kclient::ResourceEventHandler<api::Node> on_node;
  on_node.on_delete = [&controller, &cache](const kclient::DeletedObject<api::Node>& deleted) {
    for (const kclient::Request& request : cache.tickets_on_node(deleted.object->metadata.name)) {
      controller.enqueue(request);
    }
  };
  nodes.add_event_handler(std::move(on_node));
}

}  // namespace

int run_daemon(const Options& options) {
  SystemClock clock;
  kclient::MetricsRegistry metrics;
  kclient::DaemonRuntimeOptions runtime_options;
  runtime_options.name = kBinaryName;
  runtime_options.io_threads = options.io_threads;
  auto runtime =
      kclient::DaemonRuntime::create(options.common, std::move(runtime_options), clock, metrics);
  if (!runtime) {
    LOG(ERROR) << runtime.error();
    return 1;
  }
  const kclient::Config& config = (*runtime)->config();
  LOG(INFO) << "starting"
            << " controller=ticket source=" << config.source << " server=" << config.server
            << " guardian_image=" << options.plan.guardian_image;
  kclient::Manager& manager = (*runtime)->manager();
  kclient::RestClient& client = (*runtime)->client();
  kclient::InformerFactory& informers = (*runtime)->informers();
  auto& tickets = informers.informer<api::Ticket>();
  kclient::InformerScope pod_scope;
  pod_scope.label_selector = std::string(kPodInformerSelector);
  auto& pods = informers.informer<api::Pod>(pod_scope);
  auto& nodes = informers.informer<api::Node>();
  tickets.add_indexers(ticket_indexers());
  pods.add_indexers(pod_indexers());
  kclient::EventRecorder& recorder = (*runtime)->events();

  const TicketCache cache{tickets.store(), pods.store(), nodes.store()};
  RestTicketApi api(client);
  TicketMetrics ticket_metrics(metrics);
  tickets.add_event_handler(ticket_metrics.phase_handler());
  TicketReconcilerOptions reconciler_options;
  reconciler_options.plan = options.plan;
  TicketReconciler reconciler(
      cache, api,
      [&recorder](const api::Ticket& ticket, const RecordEvent& event) {
        recorder.event(
            kclient::object_reference(ticket, std::string(api::kKorderApiVersion), "Ticket"),
            event.type, event.reason, event.message);
      },
      clock, ticket_metrics, reconciler_options);

  kclient::ControllerOptions controller_options;
  controller_options.name = "ticket";
  controller_options.concurrency = options.common.concurrency;
  kclient::Controller& controller =
      manager.add_controller(std::move(controller_options), reconciler);
  controller.add_synced_check([&informers] { return informers.has_synced(); });
  add_handlers(controller, tickets, pods, nodes, cache);
  return manager.run();
}

}  // namespace korder::ticket
