#include "korder/kclient/daemon_runtime.h"

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "korder/kclient/event_recorder.h"
#include "korder/kclient/informer_factory.h"
#include "korder/kclient/leader_elector.h"
#include "korder/kclient/manager.h"
#include "korder/kclient/rate_limiter.h"
#include "korder/kclient/rest_client_metrics.h"
#include "korder/kclient/rest_event_sink.h"
#include "korder/kclient/rest_lease_client.h"
#include "korder/kclient/transport.h"

namespace korder::kclient {
namespace {

std::string random_identity() {
  std::random_device device;
  const std::uint64_t random = (static_cast<std::uint64_t>(device()) << 32) | device();
  return leader_election_identity(identity_sources_from_environment(), random);
}

}  // namespace

DaemonRuntime::~DaemonRuntime() = default;

Expected<std::unique_ptr<DaemonRuntime>, std::string> DaemonRuntime::create(
    const CommonOptions& common, DaemonRuntimeOptions options, Clock& clock,
    MetricsRegistry& metrics) {
  ConfigLoadingRules rules;
  rules.kubeconfig = common.kubeconfig;
  rules.context = common.context;
  auto config = load_config(rules);
  if (!config) {
    return Unexpected("cannot load the client configuration error=" + config.error().message);
  }

  std::unique_ptr<DaemonRuntime> runtime(new DaemonRuntime());
  runtime->config_ = std::move(config).value();
  runtime->identity_ = random_identity();
  ManagerOptions wanted =
      manager_options(common, options.name, runtime->identity_, runtime->config_.namespace_);
  wanted.io_threads = options.io_threads;
  if (!options.leader_election) {
    wanted.leader_elect = false;
  }
  if (const std::vector<std::string> problems = wanted.validate(); !problems.empty()) {
    std::string joined;
    for (const std::string& problem : problems) {
      joined += joined.empty() ? "" : "; ";
      joined += problem;
    }
    return Unexpected("invalid options error=" + joined);
  }
  runtime->manager_ = std::make_unique<Manager>(std::move(wanted), clock, metrics);
  Manager& manager = *runtime->manager_;

  auto transport = Transport::create(manager.io(), runtime->config_, clock);
  if (!transport) {
    return Unexpected("cannot create the API transport error=" + transport.error().message);
  }
  runtime->transport_ = std::move(transport).value();
  runtime->limiter_ = std::make_unique<RateLimiter>(clock, common.qps, common.burst);
  runtime->rest_metrics_ = std::make_unique<RestClientMetrics>(metrics);
  options.rest.metrics = runtime->rest_metrics_.get();
  runtime->client_ = std::make_unique<RestClient>(*runtime->transport_, clock,
                                                  runtime->limiter_.get(), options.rest);
  runtime->informers_ = std::make_unique<InformerFactory>(*runtime->client_, manager.io(), clock);
  manager.set_informers(*runtime->informers_);
  if (options.leader_election) {
    runtime->leases_ = std::make_unique<RestLeaseClient>(*runtime->client_, manager.io());
    manager.set_lease_client(*runtime->leases_);
  }
  runtime->sink_ = std::make_unique<RestEventSink>(*runtime->client_, manager.io());
  runtime->events_ = &manager.set_event_sink(*runtime->sink_);
  return runtime;
}

}  // namespace korder::kclient
