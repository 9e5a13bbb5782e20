#include "daemon.h"

// clang-format off
#include "korder/kclient/detail/asio.h"  // before any Boost header (STYLE §1)
// clang-format on

#include <glog/logging.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "korder/certs/bootstrap_client.h"
#include "korder/certs/certificate_manager.h"
#include "korder/kclient/daemon_runtime.h"
#include "korder/kclient/event_recorder.h"
#include "korder/kclient/informer_factory.h"
#include "korder/kclient/manager.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/typed_resources.h"
#include "metered_backend.h"
#include "quota_engine.h"
#include "quota_informers.h"
#include "quota_reconciler.h"
#include "quota_server.h"

namespace korder::quota {
namespace {

constexpr const char* kName = "korder-quota-controller";

// Writes Quota status and Events through the API.
class RestQuotaStatusWriter final : public QuotaStatusWriter {
 public:
  RestQuotaStatusWriter(kclient::RestClient& client, kclient::EventRecorder& events)
      : client_(client), events_(events) {}

  Expected<void, kclient::ApiError> update_status(const api::Quota& quota) override {
    auto written = client_.update_status(quota);
    if (!written) {
      return Unexpected(std::move(written).error());
    }
    return {};
  }

  void record_event(const api::Quota& quota, const QuotaEvent& event) override {
    events_.event(kclient::object_reference(quota, std::string(api::kKorderApiVersion),
                                            std::string(api::kQuotaKind)),
                  event.type, event.reason, event.message);
  }

 private:
  kclient::RestClient& client_;
  kclient::EventRecorder& events_;
};

// Calls `tick` every `period` on a thread of its own until destroyed (hold expiry, so that
// WatchUsage streams hear of expired holds without waiting for the next decision).
class Ticker {
 public:
  Ticker(std::chrono::milliseconds period, std::function<void()> tick)
      : thread_([period, tick = std::move(tick)](std::stop_token stop) {
          std::mutex mu;
          std::condition_variable_any cv;
          std::unique_lock lock(mu);
          while (!stop.stop_requested()) {
            // Wakes at the period or at once when the jthread is asked to stop.
            cv.wait_for(lock, stop, period, [] { return false; });
            if (!stop.stop_requested()) {
              tick();
            }
          }
        }) {}

 private:
  std::jthread thread_;
};

}  // namespace

int run_daemon(const Options& options) {
  SystemClock clock;
  kclient::MetricsRegistry metrics;
  kclient::DaemonRuntimeOptions runtime_options;
  runtime_options.name = kName;
  auto runtime =
      kclient::DaemonRuntime::create(options.common, std::move(runtime_options), clock, metrics);
  if (!runtime) {
    LOG(ERROR) << runtime.error();
    return 1;
  }
  LOG(INFO) << "client configuration loaded"
            << " source=" << (*runtime)->config().source
            << " server=" << (*runtime)->config().server;
  const std::string& identity = (*runtime)->identity();
  kclient::Manager& manager = (*runtime)->manager();
  kclient::RestClient& client = (*runtime)->client();
  kclient::InformerFactory& informers = (*runtime)->informers();

  // Self-managed serving certificate: on disk before the gRPC server reads it, renewed by the
  // manager's thread on every replica (not only the leader), re-read by gRPC's file watcher.
  certs::RestSecretClient secrets(client);  // outlives the manager's thread
  std::unique_ptr<certs::CertificateManager> certificates;
  std::optional<TimePoint> next_certificate_pass;
  if (options.self_managed_serving) {
    certs::CertificateManagerConfig config;
    config.ca_secret = certs::CaSecretRef{options.certs.namespace_, options.certs.ca_secret_name};
    config.ca_file = options.certs.path("ca.crt");
    config.check_interval = options.certs.check_interval;
    config.leaves.push_back(certs::LeafCertificate{
        "serving", options.server.tls_cert_file, options.server.tls_key_file,
        certs::serving_request(options.service_name, options.certs.namespace_,
                               options.certs.validity)});
    certificates = std::make_unique<certs::CertificateManager>(std::move(config), clock);
    auto first = certs::first_sync(*certificates, (*runtime)->config(), clock);
    if (!first) {
      LOG(ERROR) << "cannot set up the self-managed certificates"
                 << " dir=" << options.certs.cert_dir << " error=" << first.error();
      return 1;
    }
    next_certificate_pass = *first;
  }

  QuotaEngineOptions engine_options;
  engine_options.hold_ttl = options.hold_ttl;
  QuotaEngine engine(clock, engine_options);
  MeteredBackend backend(engine, metrics);
  auto server = QuotaServer::start(backend, options.server);
  if (!server) {
    LOG(ERROR) << "cannot start the quota service"
               << " error=" << server.error();
    return 1;
  }
  LOG(INFO) << "quota service listening"
            << " address=" << options.server.address << " port=" << (*server)->port()
            << " tls=" << (options.server.insecure ? "off" : "on")
            << " mtls=" << (options.server.client_ca_file.empty() ? "off" : "on");
  kclient::Gauge& serving_gauge =
      metrics
          .gauge("korder_quota_serving",
                 "1 while this replica answers the quota service (leader, caches synced).", {})
          .get();

  kclient::EventRecorder& events = (*runtime)->events();
  RestQuotaStatusWriter writer(client, events);

  auto& quotas = informers.informer<api::Quota>();
  auto& orders = informers.informer<api::Order>();
  auto& tickets = informers.informer<api::Ticket>();
  auto& namespaces = informers.informer<api::Namespace>();
  const auto synced = [&informers] { return informers.has_synced(); };

  QuotaReconciler reconciler(
      [&quotas](const std::string& name) { return quotas.store().get("", name); }, engine, writer,
      clock, &metrics);
  kclient::ControllerOptions controller_options;
  controller_options.name = "quota";
  controller_options.concurrency = options.common.concurrency;
  kclient::Controller& controller =
      manager.add_controller(std::move(controller_options), reconciler);
  controller.add_synced_check(synced);
  connect_informers(quotas, orders, tickets, namespaces, engine, controller);

  // Serving starts only under the Lease and after the caches synced: the books were built from
  // them by the handlers above, so the new leader's usage is complete before it answers.
  QuotaServer& quota_server = **server;
  kclient::ReconcilerFunc serve(
      [&](const kclient::Request&) -> Expected<kclient::ReconcileResult, kclient::ReconcileError> {
        quota_server.set_serving(true);
        serving_gauge.set(1);
        LOG(INFO) << "quota service serving"
                  << " identity=" << identity << " quotas=" << engine.quota_names().size()
                  << " objects=" << engine.object_count();
        return kclient::ReconcileResult::done();
      });
  kclient::ControllerOptions serving_options;
  serving_options.name = "quota-serving";
  kclient::Controller& serving = manager.add_controller(std::move(serving_options), serve);
  serving.add_synced_check(synced);
  manager.on_started_leading([&serving] { serving.enqueue(kclient::Request{"", "serve"}); });
  manager.on_shutdown([&] {
    quota_server.set_serving(false);
    serving_gauge.set(0);
  });
  if (certificates) {
    certificates->start(secrets, next_certificate_pass);
    manager.on_shutdown([&certificates] { certificates->stop(); });
  }

  int code = 0;
  {
    Ticker expire_holds(std::chrono::seconds(1), [&engine] { engine.expire_holds(); });
    code = manager.run();
  }
  quota_server.shutdown();
  return code;
}

}  // namespace korder::quota
