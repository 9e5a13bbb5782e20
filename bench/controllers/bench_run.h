#pragma once

// One run of the controllers benchmark: a fresh development cluster with `nodes` nodes, korder's
// CRDs, korder-order-controller and korder-ticket-controller as separate processes, and an Order
// of `replicas` tickets; measured until every ticket is Ready and the daemons have gone quiet.

#include <chrono>
#include <map>
#include <string>

namespace korder::bench {

/// What every run uses (the command line of controllers_bench).
struct BenchConfig {
  int nodes = 100;
  /// The devcluster's `--kubelet-delay`: how long a bound pod takes to run.
  std::string kubelet_delay = "100ms";
  /// The daemons' `--qps`, `--burst`, `--concurrency`.
  double qps = 1000;
  int burst = 2000;
  int concurrency = 4;
  /// How long a run may take to reach all-Ready before it fails.
  std::chrono::seconds timeout{600};
  /// How often the ticket list is polled.
  std::chrono::milliseconds poll{200};
};

/// One daemon's cost. "Run" numbers are deltas from the moment the Order was created (the
/// daemon started, synced its caches and went quiet before) to the moment, after every ticket
/// was Ready, when its request counter stopped moving for a second.
struct DaemonCost {
  /// korder_rest_client_requests_total during the run, by verb.
  std::map<std::string, double> requests_by_verb;
  double requests = 0;
  /// Of those, answers that were not 2xx (409 conflicts, 404s, ..., and `error`).
  double non_2xx = 0;
  /// Requests from the start to the Order's creation (informer LIST/WATCH, leader election).
  double startup_requests = 0;
  /// korder_reconcile_total during the run.
  double reconciles = 0;
  /// utime + stime during the run, and from the process's start to the run's.
  double cpu_seconds = 0;
  double startup_cpu_seconds = 0;
  /// VmHWM at the end: the peak resident memory of the whole life.
  double peak_rss_bytes = 0;
};

struct RunResult {
  int replicas = 0;
  /// From creating the Order to seeing `replicas` tickets (any phase), then all Ready.
  double seconds_to_created = 0;
  double seconds_to_ready = 0;
  DaemonCost order;
  DaemonCost ticket;
  /// The devcluster's CPU during the run (context: it shares the machine).
  double devcluster_cpu_seconds = 0;
};

/// Runs one measurement. Throws std::runtime_error naming what failed (a process that would not
/// start, the timeout with the phases seen).
RunResult run_bench(const BenchConfig& config, int replicas);

}  // namespace korder::bench
