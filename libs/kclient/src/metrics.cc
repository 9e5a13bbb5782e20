#include "korder/kclient/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>

#include "korder/base/check.h"

namespace korder::kclient {
namespace {

bool is_metric_name(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool is_label_name(std::string_view name) {
  return is_metric_name(name) && name.find(':') == std::string_view::npos &&
         !name.starts_with("__");
}

// HELP text escapes only backslash and newline (client_golang's `escaper`).
std::string escape_help(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// `{a="x",b="y"}` (with an optional trailing `le`), or nothing without labels.
void write_labels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, const std::string* le = nullptr) {
  if (names.empty() && le == nullptr) {
    return;
  }
  char separator = '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += separator;
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
    separator = ',';
  }
  if (le != nullptr) {
    out += separator;
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

void write_sample(std::string& out, const std::string& name, std::string_view suffix,
                  const std::vector<std::string>& label_names,
                  const std::vector<std::string>& values, double value,
                  const std::string* le = nullptr) {
  out += name;
  out += suffix;
  write_labels(out, label_names, values, le);
  out += ' ';
  out += format_metric_value(value);
  out += '\n';
}

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Histogram:
      return "histogram";
  }
  return "untyped";
}

template <typename M>
std::unique_ptr<M> make_series(const std::vector<double>& buckets);
template <>
std::unique_ptr<Counter> make_series(const std::vector<double>& /*buckets*/) {
  return std::make_unique<Counter>();
}
template <>
std::unique_ptr<Gauge> make_series(const std::vector<double>& /*buckets*/) {
  return std::make_unique<Gauge>();
}
template <>
std::unique_ptr<Histogram> make_series(const std::vector<double>& buckets) {
  return std::make_unique<Histogram>(buckets);
}

}  // namespace

std::string format_metric_value(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  if (v == 0) {
    return "0";
  }
  // The shortest round-tripping digits, in scientific form "d.ddde+XX".
  char buf[64];
  const auto result =
      std::to_chars(buf, buf + sizeof buf, std::abs(v), std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<std::size_t>(result.ptr - buf));
  const std::size_t e = sci.find('e');
  std::string digits;
  for (const char c : sci.substr(0, e)) {
    if (c != '.') {
      digits += c;
    }
  }
  const int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
  std::string out = v < 0 ? "-" : "";
  // Go's %g with the shortest precision switches to %e when exp < -4 || exp >= 6 (eprec = 6).
  if (exponent < -4 || exponent >= 6) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += exponent < 0 ? "e-" : "e+";
    const int magnitude = std::abs(exponent);
    if (magnitude < 10) {
      out += '0';
    }
    out += std::to_string(magnitude);
    return out;
  }
  const int point = exponent + 1;  // digits before the decimal point
  const int count = static_cast<int>(digits.size());
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-point), '0');
    out += digits;
  } else if (point >= count) {
    out += digits;
    out.append(static_cast<std::size_t>(point - count), '0');
  } else {
    out += digits.substr(0, static_cast<std::size_t>(point));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(point));
  }
  return out;
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds_.size() + 1)) {
  for (std::size_t i = 0; i < upper_bounds_.size(); ++i) {
    KORDER_CHECK(std::isfinite(upper_bounds_[i]), "Histogram: bucket bounds must be finite");
    KORDER_CHECK(i == 0 || upper_bounds_[i - 1] < upper_bounds_[i],
                 "Histogram: bucket bounds must be strictly increasing");
  }
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
    counts_[i].store(0, std::memory_order_relaxed);
  }
}

void Histogram::observe(double v) {
  const auto it = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), v);
  const auto index = static_cast<std::size_t>(it - upper_bounds_.begin());
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.upper_bounds = upper_bounds_;
  s.cumulative.reserve(upper_bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> default_duration_buckets() {
  return {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
}

std::vector<double> exponential_buckets(double start, double factor, int count) {
  KORDER_CHECK(count >= 1 && start > 0 && factor > 1, "exponential_buckets: bad parameters");
  std::vector<double> buckets;
  buckets.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    buckets.push_back(start);
    start *= factor;
  }
  return buckets;
}

template <typename M>
M& MetricFamily<M>::with(const std::vector<std::string>& label_values) {
  KORDER_CHECK(label_values.size() == label_names_.size(),
               "MetricFamily::with: wrong number of label values");
  absl::MutexLock lock(&mu_);
  auto& slot = series_[label_values];
  if (slot == nullptr) {
    slot = make_series<M>(buckets_);
  }
  return *slot;
}

template <typename M>
bool MetricFamily<M>::remove(const std::vector<std::string>& label_values) {
  KORDER_CHECK(label_values.size() == label_names_.size(),
               "MetricFamily::remove: wrong number of label values");
  absl::MutexLock lock(&mu_);
  return series_.erase(label_values) > 0;
}

template <typename M>
std::size_t MetricFamily<M>::remove_matching(const std::string& label_name,
                                             const std::string& value) {
  const auto name = std::find(label_names_.begin(), label_names_.end(), label_name);
  KORDER_CHECK(name != label_names_.end(), "MetricFamily::remove_matching: unknown label name");
  const auto index = static_cast<std::size_t>(name - label_names_.begin());
  absl::MutexLock lock(&mu_);
  return std::erase_if(series_, [&](const auto& entry) { return entry.first[index] == value; });
}

template <typename M>
std::vector<std::vector<std::string>> MetricFamily<M>::series_label_values() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::vector<std::string>> out;
  out.reserve(series_.size());
  for (const auto& [values, series] : series_) {
    out.push_back(values);
  }
  return out;
}

template class MetricFamily<Counter>;
template class MetricFamily<Gauge>;
template class MetricFamily<Histogram>;

MetricsRegistry::Entry& MetricsRegistry::entry_locked(const std::string& name, MetricType type,
                                                      const std::string& help,
                                                      const std::vector<std::string>& label_names,
                                                      const std::vector<double>& buckets) {
  KORDER_CHECK(is_metric_name(name), "MetricsRegistry: invalid metric name");
  for (const auto& label : label_names) {
    KORDER_CHECK(is_label_name(label), "MetricsRegistry: invalid label name");
    KORDER_CHECK(type != MetricType::Histogram || label != "le",
                 "MetricsRegistry: a histogram may not have a label named le");
  }
  const auto [it, inserted] = families_.try_emplace(name);
  Entry& entry = it->second;
  if (!inserted) {
    KORDER_CHECK(entry.type == type, "MetricsRegistry: a metric was registered with two types");
    const std::vector<std::string>& existing =
        type == MetricType::Counter ? entry.counter->label_names()
        : type == MetricType::Gauge ? entry.gauge->label_names()
                                    : entry.histogram->label_names();
    KORDER_CHECK(existing == label_names,
                 "MetricsRegistry: a metric was registered with two label sets");
    KORDER_CHECK(type != MetricType::Histogram || entry.histogram->buckets_ == buckets,
                 "MetricsRegistry: a histogram was registered with two bucket layouts");
    return entry;
  }
  entry.type = type;
  entry.help = help;
  switch (type) {
    case MetricType::Counter:
      entry.counter.reset(new CounterFamily(name, label_names));
      break;
    case MetricType::Gauge:
      entry.gauge.reset(new GaugeFamily(name, label_names));
      break;
    case MetricType::Histogram: {
      const Histogram check(buckets);  // validates the bounds now, not at the first observation
      entry.histogram.reset(new HistogramFamily(name, label_names, buckets));
      break;
    }
  }
  return entry;
}

CounterFamily& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                        const std::vector<std::string>& label_names) {
  absl::MutexLock lock(&mu_);
  return *entry_locked(name, MetricType::Counter, help, label_names, {}).counter;
}

GaugeFamily& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                                    const std::vector<std::string>& label_names) {
  absl::MutexLock lock(&mu_);
  return *entry_locked(name, MetricType::Gauge, help, label_names, {}).gauge;
}

HistogramFamily& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                            const std::vector<std::string>& label_names,
                                            std::vector<double> buckets) {
  absl::MutexLock lock(&mu_);
  return *entry_locked(name, MetricType::Histogram, help, label_names, buckets).histogram;
}

std::string MetricsRegistry::expose() const {
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, entry] : families_) {
    std::string samples;
    if (entry.type == MetricType::Counter || entry.type == MetricType::Gauge) {
      const auto write_family = [&](const auto& family) {
        absl::MutexLock family_lock(&family.mu_);
        for (const auto& [values, series] : family.series_) {
          write_sample(samples, name, "", family.label_names(), values, series->value());
        }
      };
      if (entry.type == MetricType::Counter) {
        write_family(*entry.counter);
      } else {
        write_family(*entry.gauge);
      }
    } else {
      const HistogramFamily& family = *entry.histogram;
      absl::MutexLock family_lock(&family.mu_);
      for (const auto& [values, series] : family.series_) {
        const Histogram::Snapshot s = series->snapshot();
        for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
          const std::string le =
              i < s.upper_bounds.size() ? format_metric_value(s.upper_bounds[i]) : "+Inf";
          write_sample(samples, name, "_bucket", family.label_names(), values,
                       static_cast<double>(s.cumulative[i]), &le);
        }
        write_sample(samples, name, "_sum", family.label_names(), values, s.sum);
        write_sample(samples, name, "_count", family.label_names(), values,
                     static_cast<double>(s.count));
      }
    }
    if (samples.empty()) {
      continue;  // client_golang leaves out a family without series
    }
    out += "# HELP " + name + " " + escape_help(entry.help) + "\n";
    out += "# TYPE " + name + " " + std::string(type_name(entry.type)) + "\n";
    out += samples;
  }
  return out;
}

}  // namespace korder::kclient
