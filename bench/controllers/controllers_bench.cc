// controllers_bench: the order and ticket controllers at scale (issue 7). For each replica count
// (default 100, then 1,000) it starts a fresh development cluster with 100 nodes and both daemons
// as processes, creates an Order of N tickets, and reports the seconds until every ticket is
// Ready, the API requests per ticket (both daemons' korder_rest_client_requests_total, by verb),
// the controllers' CPU seconds and peak memory, and the per-ticket ratios between the largest and
// the smallest N, so "the cost per ticket stays flat" can be judged. See README.md.
//
//   controllers_bench [--replicas=100,1000] [--nodes=100] [--kubelet-delay=100ms] [--qps=1000]
//                     [--burst=2000] [--concurrency=4] [--timeout=600] [--repeat=3]
//
// Each N runs `--repeat` times (fresh cluster and daemons each time); the table shows medians.
//
// `--benchmark_*` flags (scripts/bench.sh passes them to every bench) are ignored.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "bench_run.h"

namespace {

using korder::bench::BenchConfig;
using korder::bench::DaemonCost;
using korder::bench::RunResult;

struct Args {
  BenchConfig config;
  std::vector<int> replicas = {100, 1000};
  int repeat = 3;
};

// The runs of one N.
using Group = std::vector<RunResult>;

std::vector<int> parse_counts(const std::string& value) {
  std::vector<int> out;
  std::istringstream in(value);
  std::string item;
  while (std::getline(in, item, ',')) {
    const int n = std::stoi(item);
    if (n <= 0) {
      throw std::invalid_argument("--replicas: each count must be positive, got " + item);
    }
    out.push_back(n);
  }
  if (out.empty()) {
    throw std::invalid_argument("--replicas: empty");
  }
  return out;
}

Args parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (name.rfind("--benchmark_", 0) == 0) {
      continue;
    }
    if (name == "--replicas") {
      args.replicas = parse_counts(value);
    } else if (name == "--nodes") {
      args.config.nodes = std::stoi(value);
    } else if (name == "--kubelet-delay") {
      args.config.kubelet_delay = value;
    } else if (name == "--qps") {
      args.config.qps = std::stod(value);
    } else if (name == "--burst") {
      args.config.burst = std::stoi(value);
    } else if (name == "--concurrency") {
      args.config.concurrency = std::stoi(value);
    } else if (name == "--repeat") {
      args.repeat = std::stoi(value);
      if (args.repeat < 1) {
        throw std::invalid_argument("--repeat: must be at least 1, got " + value);
      }
    } else if (name == "--timeout") {
      args.config.timeout = std::chrono::seconds(std::stoi(value));
    } else {
      throw std::invalid_argument("unknown flag " + arg);
    }
  }
  return args;
}

double median(const Group& runs, const std::function<double(const RunResult&)>& value) {
  std::vector<double> values;
  for (const RunResult& run : runs) {
    values.push_back(value(run));
  }
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// One table row: the median value per N, and the ratio of the last N's to the first's.
void row(const std::vector<Group>& groups, const char* label,
         const std::function<double(const RunResult&)>& value, const char* format = "%12.2f") {
  std::printf("%-44s", label);
  for (const Group& runs : groups) {
    std::printf(format, median(runs, value));
  }
  const double first = median(groups.front(), value);
  if (groups.size() > 1 && first != 0) {
    std::printf("%10.2fx", median(groups.back(), value) / first);
  }
  std::printf("\n");
}

double per_ticket(double value, const RunResult& run) { return value / run.replicas; }

double both(const RunResult& run, const std::function<double(const DaemonCost&)>& f) {
  return f(run.order) + f(run.ticket);
}

void print_table(const Args& args, const std::vector<Group>& runs) {
  const auto& c = args.config;
  std::printf(
      "\ncontrollers_bench: OneTime Order of N tickets (10m CPU, 16Mi each), %d devcluster "
      "nodes, --kubelet-delay=%s; daemons --qps=%g --burst=%d --concurrency=%d; median of %d "
      "runs each\n\n",
      c.nodes, c.kubelet_delay.c_str(), c.qps, c.burst, c.concurrency, args.repeat);
  std::printf("%-44s", "");
  for (const Group& group : runs) {
    std::printf("%12s", ("N=" + std::to_string(group.front().replicas)).c_str());
  }
  std::printf("%11s\n", runs.size() > 1 ? "last/first" : "");
  row(runs, "seconds until all tickets exist", [](auto& r) { return r.seconds_to_created; });
  row(runs, "seconds until all tickets Ready", [](auto& r) { return r.seconds_to_ready; });
  row(runs, "  ms per ticket", [](auto& r) { return 1000 * per_ticket(r.seconds_to_ready, r); });
  row(runs, "API requests per ticket (both daemons)",
      [](auto& r) { return per_ticket(both(r, [](auto& d) { return d.requests; }), r); });
  for (const char* verb : {"GET", "LIST", "WATCH", "CREATE", "UPDATE", "PATCH", "DELETE"}) {
    const std::string label = std::string("  ") + verb + " per ticket";
    row(runs, label.c_str(), [verb](auto& r) {
      return per_ticket(both(r,
                             [verb](auto& d) {
                               const auto it = d.requests_by_verb.find(verb);
                               return it == d.requests_by_verb.end() ? 0.0 : it->second;
                             }),
                        r);
    });
  }
  row(runs, "  non-2xx answers per ticket",
      [](auto& r) { return per_ticket(both(r, [](auto& d) { return d.non_2xx; }), r); });
  row(runs, "order-controller requests per ticket",
      [](auto& r) { return per_ticket(r.order.requests, r); });
  row(runs, "ticket-controller requests per ticket",
      [](auto& r) { return per_ticket(r.ticket.requests, r); });
  row(
      runs, "startup requests (both, before the Order)",
      [](auto& r) { return both(r, [](auto& d) { return d.startup_requests; }); }, "%12.0f");
  row(runs, "order-controller reconciles per ticket",
      [](auto& r) { return per_ticket(r.order.reconciles, r); });
  row(runs, "ticket-controller reconciles per ticket",
      [](auto& r) { return per_ticket(r.ticket.reconciles, r); });
  row(runs, "order-controller CPU seconds (run)", [](auto& r) { return r.order.cpu_seconds; });
  row(runs, "ticket-controller CPU seconds (run)", [](auto& r) { return r.ticket.cpu_seconds; });
  row(runs, "  CPU ms per ticket (both)",
      [](auto& r) { return 1000 * per_ticket(both(r, [](auto& d) { return d.cpu_seconds; }), r); });
  row(runs, "order-controller peak RSS (MiB)",
      [](auto& r) { return r.order.peak_rss_bytes / (1024 * 1024); });
  row(runs, "ticket-controller peak RSS (MiB)",
      [](auto& r) { return r.ticket.peak_rss_bytes / (1024 * 1024); });
  row(runs, "devcluster CPU seconds (run, context)",
      [](auto& r) { return r.devcluster_cpu_seconds; });
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  try {
    args = parse_args(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "controllers_bench: %s\n", e.what());
    return 2;
  }
  std::vector<Group> runs;
  for (const int n : args.replicas) {
    runs.emplace_back();
    for (int i = 1; i <= args.repeat; ++i) {
      std::fprintf(stderr, "controllers_bench: N=%d on %d nodes, run %d of %d...\n", n,
                   args.config.nodes, i, args.repeat);
      try {
        runs.back().push_back(korder::bench::run_bench(args.config, n));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "controllers_bench: N=%d failed: %s\n", n, e.what());
        return 1;
      }
    }
  }
  print_table(args, runs);
  return 0;
}
