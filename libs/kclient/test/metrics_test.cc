#include "korder/kclient/metrics.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "korder/kclient/work_queue_prometheus_metrics.h"

namespace korder::kclient {
namespace {

TEST_CASE("metric values are written in Go's shortest %g form", "[unit][kclient]") {
  struct Case {
    double value;
    const char* text;
  };
  // Outputs of Go's strconv.FormatFloat(v, 'g', -1, 64), which client_golang uses.
  const Case cases[] = {
      {0, "0"},
      {1, "1"},
      {-1, "-1"},
      {0.005, "0.005"},
      {2.5, "2.5"},
      {100, "100"},
      {123456, "123456"},
      {1234567, "1.234567e+06"},
      {1e6, "1e+06"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {1e-8, "1e-08"},
      {9.999999999999999e-06, "9.999999999999999e-06"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1.5e300, "1.5e+300"},
      {-0.25, "-0.25"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
      {std::nan(""), "NaN"},
  };
  for (const Case& c : cases) {
    INFO("expected " << c.text);
    CHECK(format_metric_value(c.value) == c.text);
  }
}

TEST_CASE("label values escape backslash, double quote and newline only", "[unit][kclient]") {
  CHECK(escape_label_value("plain") == "plain");
  CHECK(escape_label_value("a\\b") == "a\\\\b");
  CHECK(escape_label_value("say \"hi\"") == "say \\\"hi\\\"");
  CHECK(escape_label_value("two\nlines") == "two\\nlines");
  CHECK(escape_label_value("tab\tstays") == "tab\tstays");
}

TEST_CASE("counters and gauges are exposed in the text format 0.0.4 exactly", "[unit][kclient]") {
  MetricsRegistry registry;
  auto& reconciles = registry.counter("korder_reconcile_total", "Total number of reconciliations.",
                                      {"controller", "result"});
  reconciles.with({"order", "success"}).add(3);
  reconciles.with({"order", "error"});  // initialised at zero
  registry.gauge("korder_leader", "Whether this replica leads.\nOne or zero \\ always.")
      .get()
      .set(1);
  registry.gauge("korder_odd_labels", "Escaping.", {"path"}).with({"C:\\dir \"x\"\n"}).set(-2.5);
  registry.counter("korder_unused_total", "A family without series is left out.", {"x"});

  CHECK(registry.expose() ==
        "# HELP korder_leader Whether this replica leads.\\nOne or zero \\\\ always.\n"
        "# TYPE korder_leader gauge\n"
        "korder_leader 1\n"
        "# HELP korder_odd_labels Escaping.\n"
        "# TYPE korder_odd_labels gauge\n"
        "korder_odd_labels{path=\"C:\\\\dir \\\"x\\\"\\n\"} -2.5\n"
        "# HELP korder_reconcile_total Total number of reconciliations.\n"
        "# TYPE korder_reconcile_total counter\n"
        "korder_reconcile_total{controller=\"order\",result=\"error\"} 0\n"
        "korder_reconcile_total{controller=\"order\",result=\"success\"} 3\n");
}

TEST_CASE("a histogram writes cumulative buckets ending with +Inf, then sum and count",
          "[unit][kclient]") {
  MetricsRegistry registry;
  auto& h = registry
                .histogram("korder_reconcile_duration_seconds", "Reconcile time.", {"controller"},
                           {0.1, 0.5, 1})
                .with({"order"});
  h.observe(0.05);
  h.observe(0.1);  // on a bound: counts in that bucket (le means <=)
  h.observe(std::chrono::milliseconds(700));
  h.observe(3.0);

  CHECK(registry.expose() ==
        "# HELP korder_reconcile_duration_seconds Reconcile time.\n"
        "# TYPE korder_reconcile_duration_seconds histogram\n"
        "korder_reconcile_duration_seconds_bucket{controller=\"order\",le=\"0.1\"} 2\n"
        "korder_reconcile_duration_seconds_bucket{controller=\"order\",le=\"0.5\"} 2\n"
        "korder_reconcile_duration_seconds_bucket{controller=\"order\",le=\"1\"} 3\n"
        "korder_reconcile_duration_seconds_bucket{controller=\"order\",le=\"+Inf\"} 4\n"
        "korder_reconcile_duration_seconds_sum{controller=\"order\"} 3.85\n"
        "korder_reconcile_duration_seconds_count{controller=\"order\"} 4\n");
}

TEST_CASE("a histogram without labels writes le as its only label", "[unit][kclient]") {
  MetricsRegistry registry;
  registry.histogram("korder_claim_handoff_seconds", "Hand-off time.", {}, {1}).get().observe(2);
  CHECK(registry.expose() ==
        "# HELP korder_claim_handoff_seconds Hand-off time.\n"
        "# TYPE korder_claim_handoff_seconds histogram\n"
        "korder_claim_handoff_seconds_bucket{le=\"1\"} 0\n"
        "korder_claim_handoff_seconds_bucket{le=\"+Inf\"} 1\n"
        "korder_claim_handoff_seconds_sum 2\n"
        "korder_claim_handoff_seconds_count 1\n");
}

TEST_CASE("the default duration buckets are Prometheus' defaults", "[unit][kclient]") {
  CHECK(default_duration_buckets() ==
        std::vector<double>{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10});
  CHECK(exponential_buckets(1, 2, 4) == std::vector<double>{1, 2, 4, 8});
}

TEST_CASE("registering a metric twice with the same shape returns the same family",
          "[unit][kclient]") {
  MetricsRegistry registry;
  auto& first = registry.counter("korder_x_total", "X.", {"a"});
  auto& second = registry.counter("korder_x_total", "X.", {"a"});
  CHECK(&first == &second);
  first.with({"1"}).inc();
  CHECK(second.with({"1"}).value() == 1);
}

TEST_CASE("a series keeps its identity so hot paths can hold a reference", "[unit][kclient]") {
  MetricsRegistry registry;
  auto& family = registry.counter("korder_y_total", "Y.", {"a"});
  Counter& held = family.with({"v"});
  for (int i = 0; i < 100; ++i) {
    family.with({"other" + std::to_string(i)});
  }
  held.inc();
  CHECK(&family.with({"v"}) == &held);
  CHECK(family.with({"v"}).value() == 1);
}

TEST_CASE("removed series disappear from the exposition; the others stay", "[unit][kclient]") {
  MetricsRegistry registry;
  auto& family = registry.gauge("korder_z", "Z.", {"quota", "resource"});
  family.with({"a", "cpu"}).set(1);
  family.with({"a", "memory"}).set(2);
  family.with({"b", "cpu"}).set(3);

  CHECK(family.remove({"a", "memory"}));
  CHECK_FALSE(family.remove({"a", "memory"}));
  CHECK(registry.expose() ==
        "# HELP korder_z Z.\n"
        "# TYPE korder_z gauge\n"
        "korder_z{quota=\"a\",resource=\"cpu\"} 1\n"
        "korder_z{quota=\"b\",resource=\"cpu\"} 3\n");

  family.with({"a", "tickets"}).set(4);
  CHECK(family.remove_matching("quota", "a") == 2);
  CHECK(family.remove_matching("quota", "a") == 0);
  CHECK(family.series_label_values() == std::vector<std::vector<std::string>>{{"b", "cpu"}});
  CHECK(registry.expose().find("quota=\"a\"") == std::string::npos);

  // A removed series comes back at zero when asked for again.
  CHECK(family.with({"a", "cpu"}).value() == 0);
  CHECK(family.remove_matching("resource", "cpu") == 2);
  CHECK(registry.expose().empty());  // a family without series is left out
}

TEST_CASE("a counter ignores negative additions", "[unit][kclient]") {
  Counter c;
  c.add(2);
  c.add(-5);
  c.add(std::nan(""));
  CHECK(c.value() == 2);
}

TEST_CASE("counters and histograms count every observation from concurrent threads",
          "[unit][kclient]") {
  MetricsRegistry registry;
  Counter& counter = registry.counter("korder_c_total", "C.").get();
  Histogram& histogram = registry.histogram("korder_h", "H.", {}, {1}).get();
  std::vector<std::jthread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        counter.inc();
        histogram.observe(0.5);
      }
    });
  }
  threads.clear();
  CHECK(counter.value() == 40000);
  const Histogram::Snapshot s = histogram.snapshot();
  CHECK(s.count == 40000);
  CHECK(s.cumulative == std::vector<std::uint64_t>{40000, 40000});
  CHECK(s.sum == 20000);
}

TEST_CASE("a work queue's metrics are exported under client-go's names labelled by queue",
          "[unit][kclient]") {
  MetricsRegistry registry;
  WorkQueuePrometheusMetrics metrics(registry, "order");
  const std::string initial = registry.expose();
  CHECK(initial.find("korder_workqueue_depth{name=\"order\"} 0\n") != std::string::npos);
  CHECK(initial.find("korder_workqueue_adds_total{name=\"order\"} 0\n") != std::string::npos);
  CHECK(initial.find("korder_workqueue_retries_total{name=\"order\"} 0\n") != std::string::npos);
  // client-go's buckets, whose fourth bound Go prints as 9.999999999999999e-06.
  CHECK(initial.find("korder_workqueue_queue_duration_seconds_bucket{name=\"order\",le=\"9."
                     "999999999999999e-06\"} 0\n") != std::string::npos);
  CHECK(initial.find("korder_workqueue_work_duration_seconds_count{name=\"order\"} 0\n") !=
        std::string::npos);

  metrics.add();
  metrics.set_depth(3);
  metrics.retry();
  metrics.observe_queue_latency(std::chrono::milliseconds(20));
  metrics.observe_work_duration(std::chrono::seconds(2));
  const std::string after = registry.expose();
  CHECK(after.find("korder_workqueue_depth{name=\"order\"} 3\n") != std::string::npos);
  CHECK(after.find("korder_workqueue_adds_total{name=\"order\"} 1\n") != std::string::npos);
  CHECK(after.find("korder_workqueue_retries_total{name=\"order\"} 1\n") != std::string::npos);
  CHECK(
      after.find("korder_workqueue_queue_duration_seconds_bucket{name=\"order\",le=\"0.1\"} 1\n") !=
      std::string::npos);
  CHECK(after.find("korder_workqueue_work_duration_seconds_sum{name=\"order\"} 2\n") !=
        std::string::npos);

  // A second queue shares the families.
  WorkQueuePrometheusMetrics other(registry, "ticket");
  CHECK(registry.expose().find("korder_workqueue_depth{name=\"ticket\"} 0\n") != std::string::npos);
}

}  // namespace
}  // namespace korder::kclient
