#include "daemon.h"

// clang-format off
#include "korder/kclient/detail/asio.h"  // before any Boost header (STYLE §1)
// clang-format on

#include <glog/logging.h>

#include <memory>
#include <mutex>
#include <optional>
#include <random>

#include "korder/certs/bootstrap_client.h"
#include "korder/certs/ca_bundle.h"
#include "korder/certs/certificate_manager.h"
#include "korder/kclient/daemon_runtime.h"
#include "korder/kclient/event_recorder.h"
#include "korder/kclient/informer_factory.h"
#include "korder/kclient/manager.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/typed_resources.h"
#include "object_admission.h"
#include "pod_admission.h"
#include "quota_admitter.h"
#include "review_router.h"
#include "webhook_caches.h"
#include "webhook_metrics.h"
#include "webhook_server.h"

namespace korder::webhook {
namespace {

constexpr const char* kName = "korder-admission-webhook";

// Claims through the API: PUT of the ticket's /status with the resourceVersion read.
class RestClaimWriter final : public ClaimWriter {
 public:
  explicit RestClaimWriter(kclient::RestClient& client) : client_(client) {}

  boost::asio::awaitable<Expected<void, kclient::ApiError>> write_claim(
      api::Ticket ticket) override {
    kclient::UpdateOptions options;
    options.field_manager = kName;
    auto written = co_await client_.async_update_status(ticket, options);
    if (!written) {
      co_return Unexpected(std::move(written).error());
    }
    co_return Expected<void, kclient::ApiError>();
  }

 private:
  kclient::RestClient& client_;
};

// Events on the Order a pod named, with its uid from the cache when known.
class RecorderOrderEvents final : public OrderEvents {
 public:
  RecorderOrderEvents(kclient::EventRecorder& recorder, const kclient::Store<api::Order>& orders)
      : recorder_(recorder), orders_(orders) {}

  void no_ticket(const std::string& namespace_, const std::string& order,
                 const std::string& message) override {
    api::ObjectReference ref;
    if (const auto cached = orders_.get(namespace_, order)) {
      ref = kclient::object_reference(*cached, std::string(api::kKorderApiVersion), "Order");
    } else {
      ref.api_version = std::string(api::kKorderApiVersion);
      ref.kind = "Order";
      ref.namespace_ = namespace_;
      ref.name = order;
    }
    recorder_.warning(ref, "TicketNotAssigned", message);
  }

 private:
  kclient::EventRecorder& recorder_;
  const kclient::Store<api::Order>& orders_;
};

// Thread-safe randomness for tokens and tie-breaks.
class Random {
 public:
  Random() : engine_(std::random_device()()) {}
  std::uint64_t next() {
    std::lock_guard lock(mu_);
    return engine_();
  }

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

// What the webhook's CertificateManager keeps: the serving certificate for its Service and the
// client certificate for the quota service, each only when its files were not given.
certs::CertificateManagerConfig certificate_config(const Options& options) {
  certs::CertificateManagerConfig config;
  config.ca_secret = certs::CaSecretRef{options.certs.namespace_, options.certs.ca_secret_name};
  config.ca_file = options.certs.path("ca.crt");
  config.check_interval = options.certs.check_interval;
  if (options.self_managed_serving) {
    config.leaves.push_back(certs::LeafCertificate{
        "serving", options.server.tls_cert_file, options.server.tls_key_file,
        certs::serving_request(options.service_name, options.certs.namespace_,
                               options.certs.validity)});
  }
  if (options.self_managed_quota_client) {
    certs::CertificateRequest client;
    client.common_name = options.quota_client_name;
    client.usage = certs::Usage::Client;
    client.validity = options.certs.validity;
    config.leaves.push_back(certs::LeafCertificate{"quota-client", options.quota.client_cert_file,
                                                   options.quota.client_key_file, client});
  }
  return config;
}

}  // namespace

int run_daemon(const Options& options) {
  SystemClock clock;
  kclient::MetricsRegistry metrics;
  Random random;
  kclient::DaemonRuntimeOptions runtime_options;
  runtime_options.name = kName;
  runtime_options.io_threads = options.io_threads;
  // Every replica serves; claims are safe by resourceVersion.
  runtime_options.leader_election = false;
  runtime_options.rest.request_timeout = options.review_timeout / 2;  // a claim write fits a review
  runtime_options.rest.retry.max_retries = 1;
  // Fed by the Ticket informer's handler: declared before the runtime, so it outlives it.
  TicketIndex ticket_index;
  auto runtime =
      kclient::DaemonRuntime::create(options.common, std::move(runtime_options), clock, metrics);
  if (!runtime) {
    LOG(ERROR) << runtime.error();
    return 1;
  }
  kclient::Manager& manager = (*runtime)->manager();
  kclient::RestClient& client = (*runtime)->client();
  kclient::InformerFactory& informers = (*runtime)->informers();
  kclient::EventRecorder& events = (*runtime)->events();

  auto& tickets = informers.informer<api::Ticket>();
  tickets.add_event_handler(ticket_index.handler());
  auto& nodes = informers.informer<api::Node>();
  auto& orders = informers.informer<api::Order>();
  InformerTicketSource source(ticket_index, nodes.store());

  // Self-managed certificates: the first ones are on disk before the server and the quota
  // client read them (DESIGN.md §6).
  certs::RestSecretClient secrets(client);  // outlives the manager's thread
  std::unique_ptr<certs::CertificateManager> certificates;
  std::optional<TimePoint> next_certificate_pass;
  if (options.self_managed()) {
    certificates = std::make_unique<certs::CertificateManager>(certificate_config(options), clock);
    auto first = certs::first_sync(*certificates, (*runtime)->config(), clock);
    if (!first) {
      LOG(ERROR) << "cannot set up the self-managed certificates"
                 << " dir=" << options.certs.cert_dir << " error=" << first.error();
      return 1;
    }
    next_certificate_pass = *first;
  }

  std::unique_ptr<quota_client::QuotaClient> quota_client;
  std::unique_ptr<QuotaAdmitter> quota;
  if (!options.quota.target.empty()) {
    auto created = quota_client::QuotaClient::create(options.quota);
    if (!created) {
      LOG(ERROR) << "cannot create the quota client"
                 << " error=" << created.error();
      return 1;
    }
    quota_client = std::move(created).value();
    quota = make_quota_admitter(*quota_client, clock);
  } else {
    LOG(WARNING) << "quota admission disabled (--quota-address is empty)";
  }

  WebhookMetrics webhook_metrics(metrics);
  RestClaimWriter writer(client);
  RecorderOrderEvents order_events(events, orders.store());
  ClaimTracker tracker(clock);
  PodAdmission pods(
      source, writer, order_events, tracker, webhook_metrics, clock,
      [&random] { return random.next(); }, [&informers] { return informers.has_synced(); },
      options.claims);
  ObjectAdmissionOptions object_options;
  object_options.quota_fail_open = options.quota_fail_open;
  ObjectAdmission objects(quota.get(), webhook_metrics, object_options);
  ReviewRouter router(pods, objects, webhook_metrics, clock, options.review_timeout);
  WebhookServerOptions server_options = options.server;
  server_options.single_threaded_io = options.io_threads == 1;
  WebhookServer server(manager.io(), server_options, router);
  if (auto started = server.start(); !started) {
    LOG(ERROR) << "cannot start the webhook server"
               << " error=" << started.error();
    return 1;
  }
  LOG(INFO) << "webhook serving"
            << " address=" << options.server.bind_address << " port=" << server.port()
            << " quota=" << (quota ? options.quota.target : std::string("disabled"));
  // The CA goes into the caBundle of the webhook configurations when the serving certificate is
  // self-managed (with --tls-cert-file, whoever made the certificate also sets caBundle).
  std::unique_ptr<certs::CaBundleReconciler> bundles;
  if (certificates) {
    if (options.self_managed_serving) {
      bundles = std::make_unique<certs::CaBundleReconciler>(
          client, [&certificates] { return certificates->ca_pem(); }, options.certs.check_interval);
      kclient::ControllerOptions bundle_options;
      bundle_options.name = "ca-bundle";
      bundle_options.concurrency = 1;
      kclient::Controller& controller = manager.add_controller(std::move(bundle_options), *bundles);
      std::vector<kclient::Request> configurations;
      if (!options.mutating_configuration.empty()) {
        configurations.push_back(certs::mutating_configuration(options.mutating_configuration));
      }
      if (!options.validating_configuration.empty()) {
        configurations.push_back(certs::validating_configuration(options.validating_configuration));
      }
      for (const kclient::Request& request : configurations) {
        controller.enqueue(request);
      }
      certificates->on_ca_changed([&controller, configurations](const std::string&) {
        for (const kclient::Request& request : configurations) {
          controller.enqueue(request);
        }
      });
    }
    certificates->start(secrets, next_certificate_pass);
    manager.on_shutdown([&certificates] { certificates->stop(); });
  }
  manager.on_shutdown([&server, &options] {
    server.shutdown();
    const bool drained = server.wait_idle(options.review_timeout + std::chrono::seconds(2));
    LOG(INFO) << "webhook server drained"
              << " complete=" << (drained ? "true" : "false");
  });
  return manager.run();
}

}  // namespace korder::webhook
