#include "daemon.h"

#include <glog/logging.h>

#include <memory>
#include <random>
#include <utility>

#include "korder/api/event.h"
#include "korder/api/korder_group.h"
#include "korder/kclient/config.h"
#include "korder/kclient/enqueue.h"
#include "korder/kclient/event_recorder.h"
#include "korder/kclient/informer_factory.h"
#include "korder/kclient/leader_elector.h"
#include "korder/kclient/manager.h"
#include "korder/kclient/rate_limiter.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/rest_event_sink.h"
#include "korder/kclient/rest_lease_client.h"
#include "korder/kclient/transport.h"
#include "korder/kclient/typed_resources.h"
#include "order_api.h"
#include "order_cache.h"
#include "order_metrics.h"
#include "order_reconciler.h"

namespace korder::order {
namespace {

std::string identity() {
  std::random_device device;
  const std::uint64_t random = (static_cast<std::uint64_t>(device()) << 32) | device();
  return kclient::leader_election_identity(kclient::identity_sources_from_environment(), random);
}

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
  kclient::ConfigLoadingRules rules;
  rules.kubeconfig = options.common.kubeconfig;
  rules.context = options.common.context;
  auto config = kclient::load_config(rules);
  if (!config) {
    LOG(ERROR) << "cannot load the client configuration"
               << " error=" << config.error().message;
    return 1;
  }
  LOG(INFO) << "starting"
            << " controller=order source=" << config->source << " server=" << config->server;

  SystemClock clock;
  kclient::MetricsRegistry metrics;
  kclient::ManagerOptions manager_options =
      kclient::manager_options(options.common, kBinaryName, identity(), config->namespace_);
  manager_options.io_threads = options.io_threads;
  if (auto problems = manager_options.validate(); !problems.empty()) {
    for (const std::string& problem : problems) {
      LOG(ERROR) << "invalid options"
                 << " error=" << problem;
    }
    return 1;
  }
  kclient::Manager manager(std::move(manager_options), clock, metrics);

  auto transport = kclient::Transport::create(manager.io(), *config, clock);
  if (!transport) {
    LOG(ERROR) << "cannot create the transport"
               << " error=" << transport.error().message;
    return 1;
  }
  kclient::RateLimiter limiter(clock, options.common.qps, options.common.burst);
  kclient::RestClient client(**transport, clock, &limiter);
  kclient::InformerFactory informers(client, manager.io(), clock);
  auto& orders = informers.informer<api::Order>();
  auto& tickets = informers.informer<api::Ticket>();
  auto& nodes = informers.informer<api::Node>();
  tickets.add_indexers(ticket_indexers());

  kclient::RestLeaseClient leases(client, manager.io());
  kclient::RestEventSink sink(client, manager.io());
  manager.set_lease_client(leases);
  kclient::EventRecorder& recorder = manager.set_event_sink(sink);

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
  manager.set_informers(informers);
  return manager.run();
}

}  // namespace korder::order
