#include "daemon.h"

#include <glog/logging.h>

#include <memory>
#include <utility>

#include "korder/api/event.h"
#include "korder/api/korder_group.h"
#include "korder/kclient/daemon_runtime.h"
#include "korder/kclient/enqueue.h"
#include "korder/kclient/event_recorder.h"
#include "korder/kclient/informer_factory.h"
#include "korder/kclient/manager.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/typed_resources.h"
#include "order_api.h"
#include "order_cache.h"
#include "order_metrics.h"
#include "order_reconciler.h"

namespace korder::order {
namespace {

// Wires the informers' events to the controller's queue: an Order wakes itself, a Ticket its
// Order, a Node every daemonSet Order.
void add_handlers(kclient::Controller& controller, kclient::Informer<api::Order>& orders,
                  kclient::Informer<api::Ticket>& tickets, kclient::Informer<api::Node>& nodes,
                  const OrderCache& cache) {
  orders.add_event_handler(
      kclient::for_each_object<api::Order>(kclient::enqueue_self<api::Order>(controller)));
  tickets.add_event_handler(kclient::for_each_object<api::Ticket>(
      kclient::enqueue_mapped<api::Ticket>(controller, &orders_of_ticket)));
  nodes.add_event_handler(kclient::for_each_object<api::Node>(kclient::enqueue_mapped<api::Node>(
      controller, [&cache](const api::Node&) { return cache.daemon_set_orders(); })));
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
            << " controller=order source=" << config.source << " server=" << config.server;
  kclient::Manager& manager = (*runtime)->manager();
  kclient::RestClient& client = (*runtime)->client();
  kclient::InformerFactory& informers = (*runtime)->informers();
  auto& orders = informers.informer<api::Order>();
  auto& tickets = informers.informer<api::Ticket>();
  auto& nodes = informers.informer<api::Node>();
  tickets.add_indexers(ticket_indexers());
  kclient::EventRecorder& recorder = (*runtime)->events();

  const OrderCache cache{orders.store(), tickets.store(), nodes.store()};
  RestOrderApi api(client);
  OrderMetrics order_metrics(metrics);
  TicketPhaseMetrics phase_metrics(metrics);
  tickets.add_event_handler(phase_metrics.handler());
  OrderReconcilerOptions reconciler_options;
  reconciler_options.quota_retry_interval = options.quota_retry_interval;
  OrderReconciler reconciler(
      cache, api,
      [&recorder](const api::Order& order, const PlannedEvent& event) {
        recorder.event(kclient::object_reference(order, std::string(api::kKorderApiVersion),
                                                 std::string(api::kOrderKind)),
                       event.type, event.reason, event.message);
      },
      clock, order_metrics, reconciler_options);

  kclient::ControllerOptions controller_options;
  controller_options.name = "order";
  controller_options.concurrency = options.common.concurrency;
  kclient::Controller& controller =
      manager.add_controller(std::move(controller_options), reconciler);
  controller.add_synced_check([&informers] { return informers.has_synced(); });
  add_handlers(controller, orders, tickets, nodes, cache);
  return manager.run();
}

}  // namespace korder::order
