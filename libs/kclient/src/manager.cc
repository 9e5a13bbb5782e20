#include "korder/kclient/manager.h"

// clang-format off
#include "korder/kclient/detail/asio.h"  // before any Boost header (STYLE §1)
// clang-format on

#include <glog/logging.h>

#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdlib>
#include <random>
#include <utility>

#include "absl/time/time.h"
#include "korder/base/check.h"
#include "korder/kclient/backoff.h"
#include "korder/kclient/informer_factory.h"

namespace korder::kclient {
namespace {

namespace net = boost::asio;

// How far past its lease duration a stuck leader may go before /healthz fails
// (controller-runtime's default HealthzAdaptor tolerance).
constexpr std::chrono::seconds kLeaderElectionTolerance(20);

}  // namespace

struct Manager::IoThreads {
  explicit IoThreads(net::io_context& io) : guard(net::make_work_guard(io)), signals(io) {}

  net::executor_work_guard<net::io_context::executor_type> guard;
  net::signal_set signals;
  std::vector<std::jthread> threads;
};

std::vector<std::string> ManagerOptions::validate() const {
  std::vector<std::string> problems;
  if (name.empty()) {
    problems.push_back("the manager needs a name (the binary's)");
  }
  if (io_threads < 1) {
    problems.push_back("--io-threads must be at least 1, got " + std::to_string(io_threads));
  }
  if (graceful_shutdown_timeout <= std::chrono::nanoseconds::zero()) {
    problems.push_back("the graceful shutdown timeout must be positive");
  }
  if (leader_elect) {
    LeaderElectionConfig config;
    config.namespace_ = leader_election_namespace;
    config.name = name;
    config.identity = identity;
    config.lease_duration = lease_duration;
    config.renew_deadline = renew_deadline;
    config.retry_period = retry_period;
    if (const std::string problem = config.validate(); !problem.empty()) {
      problems.push_back("leader election: " + problem);
    }
  }
  return problems;
}

ManagerOptions manager_options(const CommonOptions& common, std::string name, std::string identity,
                               std::string namespace_) {
  ManagerOptions options;
  options.name = std::move(name);
  options.identity = std::move(identity);
  options.leader_elect = common.leader_elect;
  options.leader_election_namespace = common.leader_election_namespace.empty()
                                          ? std::move(namespace_)
                                          : common.leader_election_namespace;
  options.lease_duration = common.lease_duration;
  options.renew_deadline = common.renew_deadline;
  options.retry_period = common.retry_period;
  options.metrics_bind_address = common.metrics_bind_address;
  options.health_probe_bind_address = common.health_probe_bind_address;
  return options;
}

Manager::Manager(ManagerOptions options, Clock& clock, MetricsRegistry& metrics)
    : options_(std::move(options)),
      clock_(clock),
      metrics_(metrics),
      io_(std::make_unique<net::io_context>(options_.io_threads)) {
  const auto problems = options_.validate();
  KORDER_CHECK(problems.empty(), "Manager: invalid options (validate them in main first)");
}

Manager::~Manager() = default;

net::io_context& Manager::io() { return *io_; }

void Manager::set_informers(InformerFactory& informers) { informers_ = &informers; }

EventRecorder& Manager::set_event_sink(EventSink& sink) {
  KORDER_CHECK(event_recorder_ == nullptr, "Manager::set_event_sink called twice");
  EventRecorderOptions options;
  options.component = options_.name;
  options.instance = options_.identity;
  event_recorder_ = std::make_unique<EventRecorder>(sink, clock_, metrics_, std::move(options));
  return *event_recorder_;
}

EventRecorder& Manager::event_recorder() {
  KORDER_CHECK(event_recorder_ != nullptr, "Manager::event_recorder: no event sink set");
  return *event_recorder_;
}

Controller& Manager::add_controller(ControllerOptions options, Reconciler& reconciler) {
  KORDER_CHECK(!running_, "Manager::add_controller called while running");
  controllers_.push_back(
      std::make_unique<Controller>(std::move(options), reconciler, clock_, metrics_));
  return *controllers_.back();
}

void Manager::on_started_leading(std::function<void()> callback) {
  leading_callbacks_.push_back(std::move(callback));
}

void Manager::on_shutdown(std::function<void()> callback) {
  shutdown_callbacks_.push_back(std::move(callback));
}

int Manager::health_port() const { return health_server_ ? health_server_->port() : 0; }
int Manager::metrics_port() const { return metrics_server_ ? metrics_server_->port() : 0; }

void Manager::exit(int code) {
  if (options_.exit) {
    options_.exit(code);
    return;
  }
  google::FlushLogFiles(google::GLOG_INFO);
  std::_Exit(code);
}

void Manager::request_shutdown() {
  if (shutdown_requests_.fetch_add(1) == 0) {
    LOG(INFO) << "shutdown requested"
              << " manager=" << options_.name;
    shutdown_requested_.Notify();
    return;
  }
  LOG(WARNING) << "second shutdown request, exiting at once"
               << " manager=" << options_.name;
  exit(1);
}

void Manager::on_lost_lease() {
  LOG(ERROR) << "leader election lost, exiting"
             << " manager=" << options_.name << " identity=" << options_.identity;
  exit(1);
}

void Manager::start_controllers() {
  {
    absl::MutexLock lock(&mu_);
    if (controllers_started_ || shutting_down_) {
      return;
    }
    controllers_started_ = true;
    for (const auto& controller : controllers_) {
      controller->start();
    }
  }
  for (const auto& callback : leading_callbacks_) {
    callback();
  }
}

void Manager::wait_for_signal() {
  // Runs on the io thread: the first signal starts the ordered shutdown on run()'s thread, a
  // second one exits at once (request_shutdown decides).
  io_threads_->signals.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) {
      return;  // the signal set is going away
    }
    LOG(INFO) << "signal received"
              << " signal=" << signal;
    request_shutdown();
    wait_for_signal();
  });
}

bool Manager::start_servers() {
  const auto start = [&](const std::string& address, std::unique_ptr<ProbeServer>& server,
                         const char* what) {
    if (address == "0") {
      return true;
    }
    ProbeServerOptions options;
    options.bind_address = address;
    server = std::make_unique<ProbeServer>(*io_, options);
    if (std::string_view(what) == "health") {
      serve_health_checks(*server, health_checks_);
    } else {
      serve_metrics(*server, metrics_);
    }
    if (auto started = server->start(); !started) {
      LOG(ERROR) << "cannot start server"
                 << " server=" << what << " error=" << started.error();
      return false;
    }
    LOG(INFO) << "serving"
              << " server=" << what << " address=" << address << " port=" << server->port();
    return true;
  };
  return start(options_.health_probe_bind_address, health_server_, "health") &&
         start(options_.metrics_bind_address, metrics_server_, "metrics");
}

int Manager::run() {
  KORDER_CHECK(io_threads_ == nullptr, "Manager::run called twice");
  KORDER_CHECK(!options_.leader_elect || lease_client_ != nullptr,
               "Manager::run: leader election needs a lease client");
  io_threads_ = std::make_unique<IoThreads>(*io_);
  io_threads_->signals.add(SIGTERM);
  io_threads_->signals.add(SIGINT);
  wait_for_signal();
  for (int i = 0; i < options_.io_threads; ++i) {
    io_threads_->threads.emplace_back([this] { io_->run(); });
  }

  health_checks_.add_readyz_check("shutdown", [this]() -> Expected<void, std::string> {
    if (shutting_down_) {
      return Unexpected(std::string("the process is shutting down"));
    }
    return {};
  });
  if (informers_ != nullptr) {
    health_checks_.add_readyz_check("informers-synced", [this]() -> Expected<void, std::string> {
      if (!informers_->has_synced()) {
        return Unexpected(std::string("informers have not synced yet"));
      }
      return {};
    });
  }
  const bool servers_started = start_servers();
  if (servers_started) {
    if (informers_ != nullptr) {
      informers_->start();
    }
    if (event_recorder_ != nullptr) {
      event_recorder_->start();
    }
    if (options_.leader_elect) {
      LeaderElectionConfig config;
      config.namespace_ = options_.leader_election_namespace;
      config.name = options_.name;
      config.identity = options_.identity;
      config.lease_duration = options_.lease_duration;
      config.renew_deadline = options_.renew_deadline;
      config.retry_period = options_.retry_period;
      LeaderCallbacks callbacks;
      callbacks.on_started_leading = [this] { start_controllers(); };
      callbacks.on_stopped_leading = [this] {
        if (!shutting_down_) {
          on_lost_lease();
        }
      };
      callbacks.on_new_leader = [this](const std::string& leader) {
        LOG(INFO) << "new leader observed"
                  << " manager=" << options_.name << " leader=" << leader;
      };
      auto elector =
          LeaderElector::create(std::move(config), std::move(callbacks), *lease_client_, clock_,
                                uniform_random(std::random_device()()), &metrics_);
      KORDER_CHECK(elector.has_value(), "Manager: leader election options were validated");
      elector_ = std::move(elector).value();
      health_checks_.add_healthz_check(
          "leader-election", [this] { return elector_->check(kLeaderElectionTolerance); });
      elector_->start();
    } else {
      start_controllers();
    }
    running_ = true;
    shutdown_requested_.WaitForNotification();
  }
  shutdown();
  return servers_started ? 0 : 1;
}

void Manager::shutdown() {
  // 1. Readiness off: /readyz fails its `shutdown` check from now on.
  shutting_down_ = true;
  LOG(INFO) << "shutting down"
            << " manager=" << options_.name;
  for (const auto& callback : shutdown_callbacks_) {
    callback();
  }

  // 2. Controllers stop taking work; their workers finish the current reconcile.
  absl::Notification controllers_stopped;
  std::jthread stopper([&] {
    for (const auto& controller : controllers_) {
      controller->shutdown();
    }
    controllers_stopped.Notify();
  });
  if (!controllers_stopped.WaitForNotificationWithTimeout(
          absl::FromChrono(options_.graceful_shutdown_timeout))) {
    // Releasing the Lease now could let a new leader overlap with our workers: leave it to
    // expire instead.
    LOG(ERROR) << "workers did not finish within the graceful shutdown timeout, exiting"
               << " manager=" << options_.name;
    exit(1);
  }
  stopper.join();

  // 3. Release the Lease (only now: a new leader never overlaps with our workers).
  if (elector_ != nullptr) {
    elector_->stop();
  }
  // 4. Informers, then events still queued, then the servers.
  if (informers_ != nullptr) {
    informers_->stop();
  }
  if (event_recorder_ != nullptr) {
    event_recorder_->stop();
  }
  if (health_server_ != nullptr) {
    health_server_->stop();
  }
  if (metrics_server_ != nullptr) {
    metrics_server_->stop();
  }
  // 5. The io threads.
  running_ = false;
  io_threads_->guard.reset();
  io_->stop();
  io_threads_->threads.clear();
  LOG(INFO) << "stopped"
            << " manager=" << options_.name;
}

}  // namespace korder::kclient
