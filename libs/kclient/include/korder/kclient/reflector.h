#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "korder/base/clock.h"
#include "korder/kclient/api_error.h"
#include "korder/kclient/backoff.h"
#include "korder/kclient/object_decoder.h"
#include "korder/kclient/resource_ref.h"
#include "korder/kclient/watch_event.h"
#include "korder/kclient/watcher.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace korder::kclient {

class RestClient;

/// What an informer watches and how (client-go's reflector settings). The defaults are
/// client-go's; tests shorten the timings through these same fields.
struct InformerOptions {
  /// The collection (`resources::tickets()`).
  ResourceRef resource;
  /// One namespace, or empty for all namespaces (and for cluster-scoped resources).
  std::string namespace_;
  /// Label and field selectors scoping the informer (`app=shop`, `spec.nodeName=n1`); empty:
  /// everything.
  std::string label_selector;
  std::string field_selector;
  /// The list page size (`limit`); 0 lists everything in one response.
  std::int64_t page_size = 500;
  /// Each watch asks the server to end it after a random time in [min_watch_timeout,
  /// 2 * min_watch_timeout) (`timeoutSeconds`; client-go: 5 to 10 minutes), so watches are
  /// re-established regularly and not all at once. At least one second.
  std::chrono::seconds min_watch_timeout = std::chrono::minutes(5);
  /// Every `resync_period` the informer re-delivers every cached object to `on_update` (old ==
  /// new); zero turns resync off.
  std::chrono::nanoseconds resync_period = std::chrono::nanoseconds::zero();
  /// The backoff between failed attempts (800 ms doubling to 30 s, full jitter, reset after two
  /// healthy minutes).
  BackoffConfig backoff;
  /// A watch the server ends cleanly sooner than this, having delivered nothing, counts as a
  /// failure for the backoff (so a server that closes every watch at once is not hammered).
  std::chrono::nanoseconds min_healthy_watch = std::chrono::seconds(1);
  /// Uniform randomness in [0, 1) for the watch timeout and backoff jitter; unset: a generator
  /// seeded from std::random_device.
  std::function<double()> random;
  /// How objects are decoded (managedFields are dropped by default).
  DecodeOptions decode;
  /// The informer's name in logs and stats; empty: the resource's qualified name.
  std::string name;
};

/// A list page as the API answered it (JSON text), before decoding.
struct RawListPage {
  std::string body;
};

/// The result of one API call of the watch loop, before decoding: the untyped form of
/// `watcher::Outcome`.
using RawOutcome =
    std::variant<RawListPage, watcher::WatchOpened, WatchEvent, watcher::WatchEnded, ApiError>;

/// What the informer tells the reflector after taking in one outcome.
struct ReflectorReport {
  /// The state machine's error, if the step produced one: the reflector backs off before its
  /// next call.
  std::optional<ApiError> error;
  /// Objects that did not decode (skipped): the reflector logs and counts them.
  std::vector<DecodeFailure> decode_failures;
  /// Messages of exceptions that escaped event handlers (a bug in the handler): logged.
  std::vector<std::string> handler_failures;
};

/// The typed side of an informer, as the (untyped) reflector sees it. Every call runs on the
/// reflector's strand, one at a time.
class ReflectorSink {
 public:
  /// The call the watcher state machine needs next.
  virtual watcher::Action next_action() = 0;
  /// Decodes `outcome`, steps the state machine, updates the store and runs the handlers.
  virtual ReflectorReport apply(RawOutcome outcome) = 0;
  /// Re-delivers every cached object as an update (periodic resync); nothing before the first
  /// list. Returns the messages of exceptions that escaped handlers.
  virtual std::vector<std::string> resync() = 0;

 protected:
  ~ReflectorSink() = default;
};

/// Counters of one reflector, for metrics and tests.
struct ReflectorStats {
  std::uint64_t list_calls = 0;   // list pages requested
  std::uint64_t watch_calls = 0;  // watches opened (or attempted)
  std::uint64_t relists = 0;      // lists started again after 410 Gone
  std::uint64_t events = 0;       // watch events received (bookmarks included)
  std::uint64_t errors = 0;       // failed attempts (each followed by a backoff)
  std::uint64_t decode_failures = 0;
  std::uint64_t handler_failures = 0;
  std::uint64_t resyncs = 0;
};

/// client-go's `Reflector`: the loop that performs the calls the watcher state machine asks for
/// (list pages, then a watch from the list's resourceVersion with bookmarks and a jittered
/// `timeoutSeconds`), feeds the outcomes to its sink, backs off after failures, and runs the
/// periodic resync. It runs as a coroutine on its own strand of the io_context; the sink's
/// calls (and so the informer's handlers) run on that strand.
///
/// Watch bytes arrive on the transport's connection strand and are posted to the reflector's
/// strand in order, then decoded one event at a time. An ERROR event, a malformed line, a
/// dropped connection or a stream cut inside an event end the watch; the state machine decides
/// whether to re-watch from the last resourceVersion or to relist (410 Gone).
///
/// `stop()` may be called from any thread: it closes the open watch and cancels waits, and the
/// loop exits at its next step. The destructor stops the loop, detaches the sink (waiting for a
/// sink call in progress, so never destroy a reflector from inside one of its handlers), and
/// waits (up to 30 s) for the loop to exit while another thread runs the io_context, so the
/// client may be destroyed next. The client, io_context and clock must outlive the reflector.
class Reflector {
 public:
  Reflector(RestClient& client, boost::asio::io_context& io, Clock& clock, InformerOptions options,
            ReflectorSink& sink);
  ~Reflector();
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;

  /// Starts the loop (once; later calls do nothing).
  void start();
  /// Asks the loop to stop (idempotent, thread-safe).
  void stop();
  /// Stops the loop and waits, up to `timeout` of real time, until it has exited (a call in
  /// flight, such as a list, is not interrupted). Returns whether it has; true at once if the
  /// loop never started. When called on an io thread, or with the io_context stopped, it
  /// cannot wait and returns `finished()`.
  bool stop_and_wait(std::chrono::nanoseconds timeout);
  /// Whether the loop has exited (after `stop()`, once its coroutine finished).
  bool finished() const;
  /// A snapshot of the counters.
  ReflectorStats stats() const;
  /// The options in use (for names in logs).
  const InformerOptions& options() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace korder::kclient
