#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace korder::kclient {

/// A value that only goes up (Prometheus' counter): reconciles done, events dropped. Lock-free
/// and thread-safe; `add` costs one atomic read-modify-write.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void inc() { add(1.0); }
  /// Adds `v`; a negative or NaN `v` is ignored (a counter never goes down).
  void add(double v) {
    if (v > 0) {
      value_.fetch_add(v, std::memory_order_relaxed);
    }
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

/// A value that goes up and down (Prometheus' gauge): queue depth, "is leader". Lock-free and
/// thread-safe.
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  void inc() { add(1.0); }
  void dec() { add(-1.0); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

/// Observations counted in buckets (Prometheus' histogram): durations in seconds, sizes. An
/// observation costs a binary search over the bounds and two atomic adds; thread-safe. A scrape
/// that races with observations may see `_sum` lag `_count` by the observations in flight; the
/// buckets and `_count` always agree (the count is the sum of the buckets).
class Histogram {
 public:
  /// The cumulative view a scrape writes.
  struct Snapshot {
    std::vector<double> upper_bounds;       // without +Inf
    std::vector<std::uint64_t> cumulative;  // one per bound, then one for +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };

  /// Precondition (checked): `upper_bounds` is strictly increasing and finite; +Inf is implicit.
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  /// Counts `v` in the first bucket whose upper bound is >= `v` (Prometheus' `le`).
  void observe(double v);
  /// Observes a duration in seconds, the Prometheus base unit.
  void observe(std::chrono::nanoseconds d) { observe(static_cast<double>(d.count()) / 1e9); }

  Snapshot snapshot() const;

 private:
  const std::vector<double> upper_bounds_;
  // counts_[i] counts observations in (upper_bounds_[i-1], upper_bounds_[i]]; the last is +Inf.
  const std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<double> sum_{0.0};
};

/// Prometheus' default buckets for durations in seconds:
/// .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10.
std::vector<double> default_duration_buckets();

/// `count` buckets starting at `start`, each `factor` times the previous (client_golang's
/// ExponentialBuckets). Preconditions (checked): count >= 1, start > 0, factor > 1.
std::vector<double> exponential_buckets(double start, double factor, int count);

/// What kind of metric a family holds (the `# TYPE` line).
enum class MetricType { Counter, Gauge, Histogram };

/// The metrics of one name, one series per combination of label values (client_golang's
/// `CounterVec` & co). `with(values)` creates the series at zero the first time, which is how a
/// component initialises its series at startup so dashboards see zeros, not gaps. `with` takes a
/// short lock; hot paths keep the returned reference, which stays valid as long as the registry
/// unless that series is removed. `remove` and `remove_matching` drop series whose subject went
/// away (client_golang's `DeleteLabelValues` / `DeletePartialMatch`, e.g. the series of a deleted
/// object), so that /metrics stops reporting them; only the component that owns such series
/// removes them, and it must not keep references to them.
template <typename M>
class MetricFamily {
 public:
  /// The series with these label values (same count and order as the family's label names;
  /// checked). Thread-safe.
  M& with(const std::vector<std::string>& label_values);
  /// The series of a family without labels.
  M& get() { return with({}); }

  /// Removes the series with these label values (same count and order as the family's label
  /// names; checked); returns whether it existed. References to it become invalid. Thread-safe.
  bool remove(const std::vector<std::string>& label_values);
  /// Removes every series whose label `label_name` (one of the family's, checked) has `value`;
  /// returns how many. Thread-safe.
  std::size_t remove_matching(const std::string& label_name, const std::string& value);
  /// The label values of every series, sorted. Thread-safe.
  std::vector<std::vector<std::string>> series_label_values() const;

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  friend class MetricsRegistry;
  MetricFamily(std::string name, std::vector<std::string> label_names,
               std::vector<double> buckets = {})
      : name_(std::move(name)),
        label_names_(std::move(label_names)),
        buckets_(std::move(buckets)) {}

  const std::string name_;
  const std::vector<std::string> label_names_;
  const std::vector<double> buckets_;  // histograms only
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> series_ ABSL_GUARDED_BY(mu_);
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;

/// Every metric of one process, written out in the Prometheus text format 0.0.4 for /metrics.
/// Created in `main` and passed down by reference (no global registry: STYLE §6); it must
/// outlive every component that holds one of its metrics.
///
/// Registering a name twice with the same type, labels (and buckets) returns the same family, so
/// components that share a metric (every controller's `korder_workqueue_depth{name}`) each ask
/// for it. Registering a name again with a different shape, or an invalid metric or label name,
/// is a bug and stops the process. Thread-safe.
class MetricsRegistry {
 public:
  /// The Content-Type of `expose()`'s output.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  CounterFamily& counter(const std::string& name, const std::string& help,
                         const std::vector<std::string>& label_names = {});
  GaugeFamily& gauge(const std::string& name, const std::string& help,
                     const std::vector<std::string>& label_names = {});
  /// `buckets` as `Histogram` requires; `le` may not be a label name.
  HistogramFamily& histogram(const std::string& name, const std::string& help,
                             const std::vector<std::string>& label_names = {},
                             std::vector<double> buckets = default_duration_buckets());

  /// Every family with at least one series, sorted by name, series sorted by label values, in
  /// the text format 0.0.4 exactly as client_golang writes it: `# HELP` (backslash and newline
  /// escaped), `# TYPE`, then one line per sample; label values escape backslash, double quote
  /// and newline; histograms write cumulative `_bucket{le="..."}` lines ending with `+Inf`, then
  /// `_sum` and `_count`; numbers are Go's shortest `%g` form (`0.005`, `1e-08`, `+Inf`).
  std::string expose() const;

 private:
  struct Entry {
    MetricType type;
    std::string help;
    std::unique_ptr<CounterFamily> counter;
    std::unique_ptr<GaugeFamily> gauge;
    std::unique_ptr<HistogramFamily> histogram;
  };

  Entry& entry_locked(const std::string& name, MetricType type, const std::string& help,
                      const std::vector<std::string>& label_names,
                      const std::vector<double>& buckets) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Entry> families_ ABSL_GUARDED_BY(mu_);
};

/// A number in Go's `strconv.FormatFloat(v, 'g', -1, 64)` form, as the text format writes values
/// and `le` bounds: `0`, `1`, `0.25`, `123456`, `1.234567e+06`, `1e-05`, `+Inf`, `-Inf`, `NaN`.
std::string format_metric_value(double v);

/// A label value escaped for the text format (backslash, double quote, newline).
std::string escape_label_value(std::string_view v);

}  // namespace korder::kclient
