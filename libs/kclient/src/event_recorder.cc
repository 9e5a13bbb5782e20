#include "korder/kclient/event_recorder.h"

#include <glog/logging.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <utility>

#include "korder/base/check.h"

namespace korder::kclient {
namespace {

// Joins key parts with a separator that cannot occur in names, so distinct tuples never collide.
std::string join_key(std::initializer_list<std::string_view> parts) {
  std::string key;
  for (const std::string_view part : parts) {
    key += part;
    key += '\x1f';
  }
  return key;
}

Counter& dropped(MetricsRegistry& metrics, const std::string& cause) {
  return metrics
      .counter("korder_events_dropped_total",
               "Kubernetes Events not written, by cause (queue_full, rate_limited, write_failed, "
               "invalid).",
               {"cause"})
      .with({cause});
}

Counter& written(MetricsRegistry& metrics, const std::string& operation) {
  return metrics
      .counter("korder_events_written_total",
               "Kubernetes Events written, by operation (create, or patch of a repeated event).",
               {"operation"})
      .with({operation});
}

}  // namespace

template <typename V>
V* EventRecorder::Lru<V>::find(const std::string& key) {
  const auto it = index.find(key);
  if (it == index.end()) {
    return nullptr;
  }
  order.splice(order.begin(), order, it->second);
  return &it->second->second;
}

template <typename V>
V& EventRecorder::Lru<V>::insert(const std::string& key, V value, std::size_t capacity) {
  if (V* existing = find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  order.emplace_front(key, std::move(value));
  index[key] = order.begin();
  while (order.size() > capacity) {
    index.erase(order.back().first);
    order.pop_back();
  }
  return order.front().second;
}

EventRecorder::EventRecorder(EventSink& sink, Clock& clock, MetricsRegistry& metrics,
                             EventRecorderOptions options)
    : sink_(sink),
      clock_(clock),
      options_(std::move(options)),
      created_(written(metrics, "create")),
      patched_(written(metrics, "patch")),
      dropped_queue_full_(dropped(metrics, "queue_full")),
      dropped_rate_limited_(dropped(metrics, "rate_limited")),
      dropped_write_failed_(dropped(metrics, "write_failed")),
      dropped_invalid_(dropped(metrics, "invalid")) {
  KORDER_CHECK(!options_.component.empty(), "EventRecorder: a component is required");
  KORDER_CHECK(options_.queue_capacity >= 1 && options_.cache_size >= 1,
               "EventRecorder: queue and cache sizes must be at least 1");
  KORDER_CHECK(options_.spam_burst >= 1 && options_.spam_qps > 0,
               "EventRecorder: the spam filter needs burst >= 1 and qps > 0");
}

EventRecorder::~EventRecorder() { stop(); }

void EventRecorder::start() {
  KORDER_CHECK(!thread_.joinable(), "EventRecorder::start called twice");
  thread_ = std::jthread([this] { run(); });
}

void EventRecorder::stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    changed_.SignalAll();
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

void EventRecorder::event(const api::ObjectReference& object, std::string_view type,
                          std::string_view reason, std::string message) {
  if (type != api::EventType::Normal && type != api::EventType::Warning) {
    LOG(ERROR) << "unsupported event type, event dropped"
               << " type=" << type << " reason=" << reason;
    dropped_invalid_.inc();
    return;
  }
  Pending pending{object, std::string(type), std::string(reason), std::move(message), clock_.now()};
  absl::MutexLock lock(&mu_);
  if (stopping_) {
    return;
  }
  if (queue_.size() >= options_.queue_capacity) {
    dropped_queue_full_.inc();
    return;
  }
  queue_.push_back(std::move(pending));
  changed_.Signal();
}

void EventRecorder::run() {
  while (true) {
    Pending pending;
    {
      absl::MutexLock lock(&mu_);
      while (queue_.empty() && !stopping_) {
        changed_.Wait(&mu_);
      }
      if (queue_.empty()) {
        return;  // stopping, and everything queued is written
      }
      pending = std::move(queue_.front());
      queue_.pop_front();
    }
    write(pending);
  }
}

api::Event EventRecorder::make_event(const Pending& pending) {
  api::Event event;
  event.api_version = "v1";
  event.kind = "Event";
  event.metadata.namespace_ =
      pending.object.namespace_.empty() ? "default" : pending.object.namespace_;
  const std::int64_t nanos = std::max<std::int64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(pending.time.time_since_epoch()).count(),
      last_name_nanos_ + 1);
  last_name_nanos_ = nanos;
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "%" PRIx64, static_cast<std::uint64_t>(nanos));
  event.metadata.name = pending.object.name + "." + suffix;
  event.involved_object = pending.object;
  event.reason = pending.reason;
  event.message = pending.message;
  event.source.component = options_.component;
  event.source.host = options_.host;
  event.first_timestamp = pending.time;
  event.last_timestamp = pending.time;
  event.count = 1;
  event.type = pending.type;
  event.reporting_component = options_.component;
  event.reporting_instance = options_.instance;
  return event;
}

void EventRecorder::write(const Pending& pending) {
  const api::ObjectReference& o = pending.object;
  const std::string spam_key = join_key({options_.component, options_.host, o.kind, o.namespace_,
                                         o.name, o.uid, o.api_version, pending.type});
  auto* limiter = spam_.find(spam_key);
  if (limiter == nullptr) {
    limiter = &spam_.insert(
        spam_key, std::make_unique<RateLimiter>(clock_, options_.spam_qps, options_.spam_burst),
        options_.cache_size);
  }
  if (!(*limiter)->try_accept()) {
    VLOG(1) << "event rate-limited"
            << " object=" << o.namespace_ << "/" << o.name << " reason=" << pending.reason;
    dropped_rate_limited_.inc();
    return;
  }

  const std::string key = join_key({spam_key, o.field_path, pending.reason, pending.message});
  api::Event event = make_event(pending);
  // The window is measured between the times the events were recorded (not written), so a
  // writer that lags behind does not change what is de-duplicated.
  if (Written* previous = written_.find(key);
      previous != nullptr && pending.time - previous->last_seen < options_.dedupe_window) {
    previous->count += 1;
    previous->last_seen = pending.time;
    auto patched =
        sink_.patch_count(previous->namespace_, previous->name, previous->count, pending.time);
    if (patched) {
      patched_.inc();
      return;
    }
    if (!patched.error().is_not_found()) {
      LOG(WARNING) << "could not update event"
                   << " event=" << previous->namespace_ << "/" << previous->name
                   << " error=" << patched.error();
      dropped_write_failed_.inc();
      return;
    }
    // The Event expired meanwhile: create it again, keeping the running count.
    event.metadata.name = previous->name;
    event.count = previous->count;
    event.first_timestamp = previous->first_timestamp;
  }
  auto created = sink_.create(event);
  if (!created) {
    LOG(WARNING) << "could not create event"
                 << " event=" << event.metadata.namespace_ << "/" << event.metadata.name
                 << " reason=" << event.reason << " error=" << created.error();
    dropped_write_failed_.inc();
    return;
  }
  created_.inc();
  written_.insert(key,
                  Written{event.metadata.namespace_, event.metadata.name, event.count.value_or(1),
                          event.first_timestamp.value_or(pending.time), pending.time},
                  options_.cache_size);
}

}  // namespace korder::kclient
