#include "korder/kclient/reflector.h"

#include <glog/logging.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <random>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "korder/kclient/api_options.h"
#include "korder/kclient/detail/asio.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/transport.h"

namespace korder::kclient {

namespace net = boost::asio;

namespace {

constexpr std::chrono::seconds kDestructorWait{30};

// One generator for the watch timeouts and the backoff (both used on the strand only).
std::function<double()> make_random(std::function<double()> random) {
  auto shared = std::make_shared<std::function<double()>>(
      random ? std::move(random) : uniform_random(std::random_device{}()));
  return [shared] { return (*shared)(); };
}

}  // namespace

class Reflector::Impl : public std::enable_shared_from_this<Reflector::Impl> {
 public:
  Impl(RestClient& client, net::io_context& io, Clock& clock, InformerOptions options,
       ReflectorSink& sink)
      : client_(client),
        io_(io),
        clock_(clock),
        options_(std::move(options)),
        random_(make_random(options_.random)),
        backoff_(clock, random_, options_.backoff),
        strand_(net::make_strand(io)),
        wait_timer_(strand_),
        resync_timer_(strand_),
        sink_(&sink) {
    if (options_.name.empty()) {
      options_.name = options_.resource.qualified_name();
    }
  }

  void start() {
    if (started_.exchange(true)) {
      return;
    }
    net::co_spawn(strand_, run(shared_from_this()), net::detached);
    if (options_.resync_period > std::chrono::nanoseconds::zero()) {
      net::co_spawn(strand_, run_resync(shared_from_this()), net::detached);
    }
  }

  void stop() {
    stop_requested_ = true;
    {
      std::lock_guard lock(stream_mu_);
      if (stream_) {
        stream_->stop();
      }
    }
    net::post(strand_, [self = shared_from_this()] {
      self->wait_timer_.cancel();
      self->resync_timer_.cancel();
    });
  }

  void detach_sink() {
    absl::MutexLock lock(&sink_mu_);  // waits for a sink call in progress
    sink_ = nullptr;
  }

  bool finished() const {
    absl::MutexLock lock(&finished_mu_);
    return finished_;
  }

  bool wait_finished(std::chrono::nanoseconds timeout) {
    if (!started_) {
      return true;
    }
    if (io_.stopped() || io_.get_executor().running_in_this_thread()) {
      return finished();  // nothing would run the loop to its end while we wait
    }
    absl::MutexLock lock(&finished_mu_);
    return finished_mu_.AwaitWithTimeout(absl::Condition(&finished_), absl::FromChrono(timeout));
  }

  ReflectorStats stats() const {
    absl::MutexLock lock(&stats_mu_);
    return stats_;
  }

  const InformerOptions& options() const { return options_; }

 private:
  // State of one watch request, shared with the chunk handlers it posts.
  struct WatchSession {
    WatchDecoder decoder;
    bool opened = false;
    bool ended = false;  // an error event or malformed line ended it; already fed
    std::uint64_t events = 0;
  };

  static net::awaitable<void> run(std::shared_ptr<Impl> self) {
    try {
      co_await self->loop();
    } catch (const std::exception& e) {
      // Nothing in the loop throws by design (errors are values); a bad_alloc ends the
      // informer rather than the io thread.
      LOG(ERROR) << "informer loop ended by an exception"
                 << " informer=" << self->options_.name << " error=" << e.what();
    }
    absl::MutexLock lock(&self->finished_mu_);
    self->finished_ = true;
  }

  net::awaitable<void> loop() {
    while (!stop_requested_) {
      std::optional<watcher::Action> action = next_action();
      if (!action) {
        break;  // the informer is gone
      }
      bool failed = false;
      if (const auto* list = std::get_if<watcher::ListRequest>(&*action)) {
        failed = co_await list_page(*list);
      } else if (const auto* watch_request = std::get_if<watcher::WatchRequest>(&*action)) {
        failed = co_await watch(*watch_request);
      } else {
        // Only left after a stop interrupted a watch; `watch` feeds every other ending.
        deliver(watcher::WatchEnded{});
      }
      if (failed && !stop_requested_) {
        co_await wait(backoff_.next());
      }
    }
  }

  static net::awaitable<void> run_resync(std::shared_ptr<Impl> self) {
    while (!self->stop_requested_) {
      self->resync_timer_.expires_after(self->options_.resync_period);
      boost::system::error_code ec;
      co_await self->resync_timer_.async_wait(net::redirect_error(net::use_awaitable, ec));
      if (self->stop_requested_) {
        break;
      }
      absl::MutexLock lock(&self->sink_mu_);
      if (self->sink_ == nullptr) {
        break;
      }
      const std::vector<std::string> failures = self->sink_->resync();
      self->count([&](ReflectorStats& s) {
        ++s.resyncs;
        s.handler_failures += failures.size();
      });
      for (const std::string& failure : failures) {
        LOG(ERROR) << "event handler threw during resync"
                   << " informer=" << self->options_.name << " error=" << failure;
      }
    }
  }

  // Returns whether the attempt failed (and the loop should back off).
  net::awaitable<bool> list_page(const watcher::ListRequest& request) {
    ListOptions list_options;
    list_options.label_selector = options_.label_selector;
    list_options.field_selector = options_.field_selector;
    list_options.limit = options_.page_size;
    list_options.continue_token = request.continue_token;
    count([](ReflectorStats& s) { ++s.list_calls; });
    auto body = co_await client_.async_list(options_.resource, options_.namespace_, list_options);
    if (stop_requested_) {
      co_return false;
    }
    if (!body) {
      co_return deliver(std::move(body).error());
    }
    co_return deliver(RawListPage{std::move(body).value()});
  }

  net::awaitable<bool> watch(const watcher::WatchRequest& request) {
    WatchOptions watch_options;
    watch_options.label_selector = options_.label_selector;
    watch_options.field_selector = options_.field_selector;
    watch_options.resource_version = request.resource_version;
    watch_options.allow_bookmarks = true;
    watch_options.timeout_seconds = watch_timeout_seconds();

    auto session = std::make_shared<WatchSession>();
    auto control = std::make_shared<StreamControl>();
    {
      std::lock_guard lock(stream_mu_);
      stream_ = control;
    }
    if (stop_requested_) {
      control->stop();  // stop() may have run before stream_ was set
    }
    auto on_chunk = [self = shared_from_this(), session, control](std::string_view bytes) {
      // On the connection's strand: hand the bytes, in order, to ours.
      net::post(self->strand_, [self, session, control, data = std::string(bytes)] {
        self->on_watch_bytes(*session, *control, data);
      });
    };
    count([](ReflectorStats& s) { ++s.watch_calls; });
    const SteadyTimePoint started = clock_.steady_now();
    auto result = co_await client_.async_watch(options_.resource, options_.namespace_,
                                               std::move(watch_options), on_chunk, control);
    {
      std::lock_guard lock(stream_mu_);
      stream_.reset();
    }
    // Every chunk handler was posted before the stream completed, so all have run by now.
    if (stop_requested_) {
      co_return false;
    }
    if (session->ended) {
      co_return true;
    }
    if (!result) {
      co_return deliver(std::move(result).error());
    }
    if (!session->opened) {
      deliver(watcher::WatchOpened{});
    }
    if (session->decoder.buffered_bytes() > 0) {
      co_return deliver(ApiError::transport("watch stream ended inside an event"));
    }
    deliver(watcher::WatchEnded{});
    const bool too_short =
        session->events == 0 && clock_.steady_now() - started < options_.min_healthy_watch;
    co_return too_short;
  }

  // On the strand: bytes of the open watch.
  void on_watch_bytes(WatchSession& session, StreamControl& control, std::string_view data) {
    if (session.ended || stop_requested_) {
      return;
    }
    if (!session.opened) {
      session.opened = true;
      deliver(watcher::WatchOpened{});
    }
    session.decoder.feed(data);
    while (true) {
      auto next = session.decoder.next();
      if (!next) {
        // An ERROR event (410 Expired: relist) or a malformed line: this watch is over.
        session.ended = true;
        control.stop();
        deliver(std::move(next).error());
        return;
      }
      if (!next->has_value()) {
        return;  // needs more bytes
      }
      ++session.events;
      count([](ReflectorStats& s) { ++s.events; });
      deliver(std::move(**next));
    }
  }

  net::awaitable<void> wait(std::chrono::nanoseconds delay) {
    wait_timer_.expires_after(delay);
    boost::system::error_code ec;
    co_await wait_timer_.async_wait(net::redirect_error(net::use_awaitable, ec));
  }

  std::int64_t watch_timeout_seconds() {
    const std::int64_t min = std::max<std::int64_t>(1, options_.min_watch_timeout.count());
    const auto extra = static_cast<std::int64_t>(random_() * static_cast<double>(min));
    return min + std::clamp<std::int64_t>(extra, 0, min - 1);
  }

  std::optional<watcher::Action> next_action() {
    absl::MutexLock lock(&sink_mu_);
    if (sink_ == nullptr) {
      return std::nullopt;
    }
    return sink_->next_action();
  }

  // Feeds one outcome to the sink and logs what it reports. Returns whether the step failed.
  bool deliver(RawOutcome outcome) {
    ReflectorReport report;
    {
      absl::MutexLock lock(&sink_mu_);
      if (sink_ == nullptr) {
        return false;
      }
      report = sink_->apply(std::move(outcome));
    }
    for (const DecodeFailure& failure : report.decode_failures) {
      LOG(WARNING) << "object skipped: it does not decode"
                   << " informer=" << options_.name << " key=" << failure.key
                   << " error=" << failure.message;
    }
    for (const std::string& failure : report.handler_failures) {
      LOG(ERROR) << "event handler threw"
                 << " informer=" << options_.name << " error=" << failure;
    }
    if (report.error) {
      if (report.error->is_gone()) {
        LOG(INFO) << "resourceVersion expired, relisting"
                  << " informer=" << options_.name << " error=" << *report.error;
      } else {
        LOG(WARNING) << "list/watch failed, backing off"
                     << " informer=" << options_.name << " error=" << *report.error;
      }
    }
    count([&](ReflectorStats& s) {
      s.decode_failures += report.decode_failures.size();
      s.handler_failures += report.handler_failures.size();
      if (report.error) {
        ++s.errors;
        if (report.error->is_gone()) {
          ++s.relists;
        }
      }
    });
    return report.error.has_value();
  }

  template <typename F>
  void count(F&& update) {
    absl::MutexLock lock(&stats_mu_);
    update(stats_);
  }

  RestClient& client_;
  net::io_context& io_;
  Clock& clock_;
  InformerOptions options_;
  std::function<double()> random_;
  Backoff backoff_;  // strand only
  net::strand<net::io_context::executor_type> strand_;
  net::steady_timer wait_timer_;    // strand only
  net::steady_timer resync_timer_;  // strand only

  std::atomic<bool> started_{false};
  std::atomic<bool> stop_requested_{false};

  mutable absl::Mutex finished_mu_;
  bool finished_ ABSL_GUARDED_BY(finished_mu_) = false;

  std::mutex stream_mu_;
  std::shared_ptr<StreamControl> stream_;  // the open watch, guarded by stream_mu_

  absl::Mutex sink_mu_;  // held for every sink call
  ReflectorSink* sink_ ABSL_GUARDED_BY(sink_mu_);

  mutable absl::Mutex stats_mu_;
  ReflectorStats stats_ ABSL_GUARDED_BY(stats_mu_);
};

Reflector::Reflector(RestClient& client, net::io_context& io, Clock& clock, InformerOptions options,
                     ReflectorSink& sink)
    : impl_(std::make_shared<Impl>(client, io, clock, std::move(options), sink)) {}

Reflector::~Reflector() {
  impl_->stop();
  impl_->detach_sink();
  // The loop may still be finishing a call on the client: wait, so the client can be destroyed
  // right after us (when nothing runs the io_context, nothing can touch the client either).
  if (!impl_->wait_finished(kDestructorWait)) {
    LOG(ERROR) << "informer loop still running after stop"
               << " informer=" << impl_->options().name;
  }
}

bool Reflector::stop_and_wait(std::chrono::nanoseconds timeout) {
  impl_->stop();
  return impl_->wait_finished(timeout);
}

void Reflector::start() { impl_->start(); }
void Reflector::stop() { impl_->stop(); }
bool Reflector::finished() const { return impl_->finished(); }
ReflectorStats Reflector::stats() const { return impl_->stats(); }
const InformerOptions& Reflector::options() const { return impl_->options(); }

}  // namespace korder::kclient
