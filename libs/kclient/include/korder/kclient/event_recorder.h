#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/api/event.h"
#include "korder/base/clock.h"
#include "korder/kclient/event_sink.h"
#include "korder/kclient/metrics.h"
#include "korder/kclient/rate_limiter.h"

namespace korder::kclient {

/// How an `EventRecorder` labels and limits its Events. The limits are client-go's.
struct EventRecorderOptions {
  /// `source.component` and `reportingComponent`: the binary (`korder-order-controller`).
  std::string component;
  /// `reportingInstance`: this replica (its leader-election identity).
  std::string instance;
  /// `source.host` (client-go puts the node name here); may be empty.
  std::string host;
  /// Events waiting to be written; when full, new events are dropped and counted.
  std::size_t queue_capacity = 1000;
  /// An identical event (same object, type, reason and message) within this window after the
  /// last one increments the existing Event's `count` instead of creating a new Event.
  std::chrono::nanoseconds dedupe_window = std::chrono::minutes(10);
  /// Per-object token bucket (client-go's spam filter: burst 25, one token per 5 minutes).
  int spam_burst = 25;
  double spam_qps = 1.0 / 300.0;
  /// Objects and event keys remembered (client-go's LRU size).
  std::size_t cache_size = 4096;
};

/// Builds the `involvedObject` reference to `object`. List items often lack `apiVersion` and
/// `kind`, so the caller names them (`core.korder.dev/v1alpha1`, `Order`).
template <typename T>
api::ObjectReference object_reference(const T& object, std::string api_version, std::string kind) {
  api::ObjectReference ref;
  ref.api_version = std::move(api_version);
  ref.kind = std::move(kind);
  ref.namespace_ = object.metadata.namespace_;
  ref.name = object.metadata.name;
  ref.uid = object.metadata.uid;
  ref.resource_version = object.metadata.resource_version;
  return ref;
}

/// Records core/v1 Events about objects, as client-go's `record.EventRecorder` (what
/// `kubectl describe` shows). `event()` never blocks the caller: it puts the event on a bounded
/// queue that the recorder's own thread drains into the `EventSink`.
///
/// What is kept of client-go's `EventCorrelator`:
/// - De-duplication: an event identical to one written within `dedupe_window` (same source,
///   object, type, reason and message) PATCHes that Event's `count` and `lastTimestamp`; if the
///   Event is gone (NotFound), it is created again with the running count.
/// - Spam filter: a token bucket per (source, object, type); an event without a token is dropped.
/// - Not kept: the aggregation of similar events with different messages
///   ("(combined from similar events)"), and client-go's 12 retries of a failed write (a failed
///   write is counted and dropped; events are best effort).
///
/// An Event is named `<object name>.<hex nanoseconds>` in the object's namespace (`default` for
/// a cluster-scoped object), with `source`, `reportingComponent`/`reportingInstance`,
/// `firstTimestamp`/`lastTimestamp` and `count`.
///
/// Metrics: `korder_events_written_total{operation=create|patch}`,
/// `korder_events_dropped_total{cause=queue_full|rate_limited|write_failed|invalid}`.
/// Thread-safe. The sink, clock and registry must outlive it.
class EventRecorder {
 public:
  EventRecorder(EventSink& sink, Clock& clock, MetricsRegistry& metrics,
                EventRecorderOptions options);
  /// Stops (as `stop()`).
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  /// Starts the thread that writes Events. Call once. Events recorded before are kept.
  void start();
  /// Stops accepting events, writes the ones already queued, and joins the thread. Idempotent.
  void stop();

  /// Records an event about `object`. `type` is `Normal` or `Warning` (else it is dropped and
  /// counted as invalid, as client-go logs and drops it); `reason` is PascalCase
  /// (`TicketCreated`); `message` is for humans. Never blocks.
  void event(const api::ObjectReference& object, std::string_view type, std::string_view reason,
             std::string message);
  void normal(const api::ObjectReference& object, std::string_view reason, std::string message) {
    event(object, api::EventType::Normal, reason, std::move(message));
  }
  void warning(const api::ObjectReference& object, std::string_view reason, std::string message) {
    event(object, api::EventType::Warning, reason, std::move(message));
  }

 private:
  struct Pending {
    api::ObjectReference object;
    std::string type;
    std::string reason;
    std::string message;
    TimePoint time;
  };
  // The Event last written for one dedupe key.
  struct Written {
    std::string namespace_;
    std::string name;
    std::int32_t count = 0;
    TimePoint first_timestamp;
    TimePoint last_seen;  // when the last occurrence was recorded
  };
  // A small LRU map: most recently used at the front.
  template <typename V>
  struct Lru {
    std::list<std::pair<std::string, V>> order;
    std::unordered_map<std::string, typename std::list<std::pair<std::string, V>>::iterator> index;
    V* find(const std::string& key);
    V& insert(const std::string& key, V value, std::size_t capacity);
  };

  void run();
  void write(const Pending& pending);
  api::Event make_event(const Pending& pending);

  EventSink& sink_;
  Clock& clock_;
  const EventRecorderOptions options_;
  Counter& created_;
  Counter& patched_;
  Counter& dropped_queue_full_;
  Counter& dropped_rate_limited_;
  Counter& dropped_write_failed_;
  Counter& dropped_invalid_;

  absl::Mutex mu_;
  absl::CondVar changed_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  // The writer thread's own state (client-go's correlator caches).
  Lru<Written> written_;
  Lru<std::unique_ptr<RateLimiter>> spam_;
  std::int64_t last_name_nanos_ = 0;  // Event names stay unique when the clock stands still
  std::jthread thread_;
};

}  // namespace korder::kclient
