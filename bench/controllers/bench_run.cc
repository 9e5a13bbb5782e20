#include "bench_run.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <thread>
#include <vector>

#include "daemon_replicas.h"
#include "korder/api/list.h"
#include "korder/api/ticket.h"
#include "metrics_text.h"
#include "process_stats.h"
#include "test_cluster.h"

namespace korder::bench {
namespace {

using korder::testing::DaemonReplicas;
using korder::testing::Process;
using korder::testing::TestCluster;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kRequests = "korder_rest_client_requests_total";
constexpr const char* kReconciles = "korder_reconcile_total";
const std::string kGroupPath = "/apis/core.korder.dev/v1alpha1/namespaces/default";

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

std::string order_json(int replicas) {
  return R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Order",)"
         R"("metadata":{"name":"bench","namespace":"default"},)"
         R"("spec":{"replicas":)" +
         std::to_string(replicas) +
         R"(,"strategy":{"type":"OneTime","refreshPolicy":"OnClaim"},)"
         R"("template":{"metadata":{"labels":{"app":"bench"}},)"
         R"("spec":{"duration":"1h","resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}}}})";
}

std::vector<std::string> daemon_argv(const std::string& binary, const std::string& kubeconfig,
                                     const BenchConfig& config) {
  return {binary,
          "--kubeconfig=" + kubeconfig,
          "--leader-election-namespace=korder-system",
          "--metrics-bind-address=127.0.0.1:0",
          "--health-probe-bind-address=127.0.0.1:0",
          "--qps=" + std::to_string(config.qps),
          "--burst=" + std::to_string(config.burst),
          "--concurrency=" + std::to_string(config.concurrency)};
}

/// What one scrape of a daemon shows.
struct Scrape {
  std::string text;
  double requests = 0;
  ProcessStats stats;
};

Scrape scrape(Process& daemon) {
  Scrape s;
  s.text = korder::testing::probe_daemon(daemon, "metrics", "/metrics").body;
  s.requests = sum_all(s.text, kRequests);
  const auto stats = read_process_stats(daemon.pid());
  if (!stats) {
    throw std::runtime_error("cannot read /proc of " + daemon.argv().front() +
                             " (did it exit?):\n" + daemon.output());
  }
  s.stats = *stats;
  return s;
}

/// Waits until neither daemon's request counter moved for `quiet` (at most `limit`).
void wait_quiet(Process& a, Process& b, std::chrono::milliseconds quiet,
                std::chrono::seconds limit) {
  const auto deadline = SteadyClock::now() + limit;
  double last = -1;
  auto stable_since = SteadyClock::now();
  while (SteadyClock::now() < deadline) {
    const double now = scrape(a).requests + scrape(b).requests;
    if (now != last) {
      last = now;
      stable_since = SteadyClock::now();
    } else if (SteadyClock::now() - stable_since >= quiet) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

DaemonCost cost(const Scrape& before, const Scrape& after) {
  DaemonCost c;
  const auto by_verb_before = sum_by_label(before.text, kRequests, "verb");
  for (const auto& [verb, value] : sum_by_label(after.text, kRequests, "verb")) {
    const auto it = by_verb_before.find(verb);
    c.requests_by_verb[verb] = value - (it == by_verb_before.end() ? 0 : it->second);
  }
  c.requests = after.requests - before.requests;
  const auto codes_before = sum_by_label(before.text, kRequests, "code");
  for (const auto& [code, value] : sum_by_label(after.text, kRequests, "code")) {
    if (code.empty() || code[0] != '2') {
      const auto it = codes_before.find(code);
      c.non_2xx += value - (it == codes_before.end() ? 0 : it->second);
    }
  }
  c.startup_requests = before.requests;
  c.reconciles = sum_all(after.text, kReconciles) - sum_all(before.text, kReconciles);
  c.cpu_seconds = after.stats.cpu_seconds - before.stats.cpu_seconds;
  c.startup_cpu_seconds = before.stats.cpu_seconds;
  c.peak_rss_bytes = after.stats.peak_rss_bytes;
  return c;
}

/// Counts of the order's tickets: all of them, and the Ready ones; a summary of phases.
struct TicketCounts {
  int total = 0;
  int ready = 0;
  std::string phases;
};

TicketCounts count_tickets(TestCluster& cluster) {
  const auto answer =
      cluster.api("GET", kGroupPath + "/tickets?labelSelector=korder.dev%2Forder%3Dbench");
  if (answer.status != 200) {
    throw std::runtime_error("listing tickets: HTTP " + std::to_string(answer.status) + " " +
                             answer.body);
  }
  auto list = api::parse_list<api::Ticket>(answer.body);
  if (!list) {
    throw std::runtime_error("listing tickets: " + list.error().to_string());
  }
  TicketCounts counts;
  std::map<std::string, int> phases;
  for (const api::Ticket& t : list->items) {
    if (t.metadata.deletion_timestamp) {
      continue;
    }
    ++counts.total;
    ++phases[t.status.phase.empty() ? "(none)" : t.status.phase];
    if (t.status.phase == api::TicketPhase::Ready) {
      ++counts.ready;
    }
  }
  for (const auto& [phase, n] : phases) {
    counts.phases += (counts.phases.empty() ? "" : " ") + phase + "=" + std::to_string(n);
  }
  return counts;
}

}  // namespace

RunResult run_bench(const BenchConfig& config, int replicas) {
  TestCluster cluster(
      {"--node-count", std::to_string(config.nodes), "--kubelet-delay", config.kubelet_delay});
  cluster.install_crds();
  DaemonReplicas daemons(cluster.dir());
  Process& order = daemons.start("order-controller-0", daemon_argv(KORDER_ORDER_CONTROLLER_BINARY,
                                                                   cluster.kubeconfig(), config));
  Process& ticket =
      daemons.start("ticket-controller-0",
                    daemon_argv(KORDER_TICKET_CONTROLLER_BINARY, cluster.kubeconfig(), config));
  // Caches synced, leases taken: the requests from here on are the Order's.
  wait_quiet(order, ticket, std::chrono::milliseconds(1500), std::chrono::seconds(30));
  const Scrape order_before = scrape(order);
  const Scrape ticket_before = scrape(ticket);
  const auto cluster_before = read_process_stats(cluster.process().pid());

  RunResult result;
  result.replicas = replicas;
  const auto start = SteadyClock::now();
  const auto created = cluster.api("POST", kGroupPath + "/orders", order_json(replicas));
  if (created.status != 201) {
    throw std::runtime_error("creating the Order: HTTP " + std::to_string(created.status) + " " +
                             created.body);
  }
  const auto deadline = start + config.timeout;
  TicketCounts counts;
  while (true) {
    counts = count_tickets(cluster);
    if (result.seconds_to_created == 0 && counts.total >= replicas) {
      result.seconds_to_created = seconds_since(start);
    }
    if (counts.ready == replicas) {
      result.seconds_to_ready = seconds_since(start);
      break;
    }
    if (SteadyClock::now() > deadline || !order.running() || !ticket.running()) {
      throw std::runtime_error("not all " + std::to_string(replicas) + " tickets Ready after " +
                               std::to_string(seconds_since(start)) + " s: " + counts.phases);
    }
    std::this_thread::sleep_for(config.poll);
  }
  std::fprintf(stderr, "  N=%d: all Ready after %.2f s; waiting for the daemons to go quiet\n",
               replicas, result.seconds_to_ready);
  wait_quiet(order, ticket, std::chrono::milliseconds(1000), std::chrono::seconds(30));
  result.order = cost(order_before, scrape(order));
  result.ticket = cost(ticket_before, scrape(ticket));
  const auto cluster_after = read_process_stats(cluster.process().pid());
  if (cluster_before && cluster_after) {
    result.devcluster_cpu_seconds = cluster_after->cpu_seconds - cluster_before->cpu_seconds;
  }
  order.terminate();
  ticket.terminate();
  return result;
}

}  // namespace korder::bench
