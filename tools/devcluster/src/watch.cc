// Watch streams: newline-delimited JSON events over chunked HTTP, from a resourceVersion (410
// as an ERROR event when it is compacted), with synthetic ADDED events for the current state,
// bookmarks, selectors applied to events (an object leaving the selection is DELETED, one
// entering it ADDED), Table-wrapped events, timeoutSeconds, and an end when the client leaves,
// the server drops watches, or the watcher falls too far behind.
#include <atomic>
#include <charconv>
#include <random>

#include "api_handler.h"
#include "korder/api/time.h"
#include "table.h"

namespace korder::devcluster {
namespace {

constexpr std::size_t kChunkTarget = 64 * 1024;

struct WatchState {
  explicit WatchState(net::any_io_executor executor) : timer(executor) {}
  net::steady_timer timer;
  std::atomic<bool> signalled{false};
  bool client_gone = false;
};

/// Appends `{"type":"<type>","object":<object_json>}\n` to `out`.
void append_event(std::string& out, std::string_view type, std::string_view object_json) {
  out.reserve(out.size() + object_json.size() + 32);
  out += R"({"type":")";
  out += type;
  out += R"(","object":)";
  out += object_json;
  out += "}\n";
}

std::string event_line(std::string_view type, std::string_view object_json) {
  std::string line;
  append_event(line, type, object_json);
  return line;
}

std::string bookmark_json(const ResourceInfo& info, std::uint64_t rv, bool initial_events_end) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_string(doc, "kind", info.kind, alloc);
  set_string(doc, "apiVersion", info.api_version(), alloc);
  JsonValue metadata(rapidjson::kObjectType);
  set_string(metadata, "resourceVersion", std::to_string(rv), alloc);
  if (initial_events_end) {
    JsonValue annotations(rapidjson::kObjectType);
    set_string(annotations, "k8s.io/initial-events-end", "true", alloc);
    set_member(metadata, "annotations", std::move(annotations), alloc);
  }
  set_member(doc, "metadata", std::move(metadata), alloc);
  return api::write_json(doc);
}

Awaitable<void> send_whole(ResponseStream& out, const HttpResponse& response) {
  if (co_await out.start(response.status, response.content_type)) {
    if (co_await out.write(response.body)) {
      co_await out.finish();
    }
  }
}

}  // namespace

Awaitable<void> ApiHandler::stream(HttpRequest request, ResponseStream& out) {
  if (interceptor_) {
    if (auto intercepted = co_await interceptor_(request)) {
      co_await send_whole(out, *intercepted);
      co_return;
    }
  }
  auto resource = parse_resource_path(registry_.catalog(), request.path);
  if (!resource || !*resource) {
    // Named first: g++ 12 destroys temporaries of a conditional inside co_await twice.
    HttpResponse error =
        resource ? resource->error().to_response() : not_found_path().to_response();
    co_await send_whole(out, error);
    co_return;
  }
  const ResourceRequest& target = **resource;
  if (!target.name.empty()) {
    co_await send_whole(out, method_not_allowed().to_response());
    co_return;
  }
  auto options = parse_list_options(request, *target.info);
  if (!options) {
    co_await send_whole(out, options.error().to_response());
    co_return;
  }
  co_await serve_watch(request, target, *options, out);
}

Awaitable<void> ApiHandler::serve_watch(const HttpRequest& request, const ResourceRequest& target,
                                        const ListOptions& options, ResponseStream& out) {
  const ResourceInfo& info = *target.info;
  const bool table = wants_table(request);
  const std::string content_type =
      table ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json";
  SubscriptionSpec spec;
  spec.storage_id = info.storage_id();
  spec.namespace_ = info.namespaced ? target.namespace_ : "";
  spec.max_pending = config_.watch_queue_limit;
  const std::string rv_text = options.resource_version.value_or("");
  if (rv_text.empty() || rv_text == "0" || options.send_initial_events) {
    // Streaming lists (sendInitialEvents, NotOlderThan) start from the current state too.
    spec.initial_state = true;
  } else {
    std::uint64_t rv = 0;
    auto [ptr, ec] = std::from_chars(rv_text.data(), rv_text.data() + rv_text.size(), rv);
    if (ec != std::errc() || ptr != rv_text.data() + rv_text.size()) {
      co_await send_whole(out, bad_request("invalid resource version: " + rv_text).to_response());
      co_return;
    }
    spec.from_rv = rv;
  }
  auto subscribed = registry_.store().subscribe(spec);
  if (!co_await out.start(200, content_type)) {
    co_return;
  }
  if (!subscribed) {
    ApiError gone = expired("too old resource version: " + rv_text + " (" +
                            std::to_string(subscribed.error()) + ")");
    if (co_await out.write(event_line("ERROR", gone.to_status_json()))) {
      co_await out.finish();
    }
    co_return;
  }
  std::shared_ptr<Subscription> subscription = subscribed->subscription;
  auto state = std::make_shared<WatchState>(out.executor());
  const net::any_io_executor executor = out.executor();
  subscription->set_notify([weak = std::weak_ptr<WatchState>(state), executor] {
    if (auto s = weak.lock()) {
      s->signalled = true;
      net::post(executor, [weak] {
        if (auto s2 = weak.lock()) {
          s2->timer.cancel();
        }
      });
    }
  });
  out.on_close([weak = std::weak_ptr<WatchState>(state)] {
    if (auto s = weak.lock()) {
      s->client_gone = true;
      s->timer.cancel();
    }
  });

  const auto& labels = options.labels;
  const auto& fields = options.fields;
  const bool filtered = !labels.empty() || !fields.empty();
  auto selected = [&](const ObjectPtr& object) {
    return object != nullptr &&
           (!filtered || (labels.matches(object->labels) && matches(fields, object->doc)));
  };
  bool first_table = true;
  auto render = [&](std::string& out, std::string_view type, const ObjectPtr& object) {
    if (!table) {
      append_event(out, type, object->json);
      return;
    }
    std::string json = table_json(info, {object}, std::to_string(object->rv), "", first_table,
                                  registry_.clock().now());
    first_table = false;
    append_event(out, type, json);
  };

  const auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration timeout = config_.default_watch_timeout;
  if (options.timeout_seconds && *options.timeout_seconds > 0) {
    timeout = std::chrono::seconds(*options.timeout_seconds);
  } else {
    // kube-apiserver spreads long watches over [timeout, 2*timeout) so they do not all end
    // together.
    std::mt19937 rng(std::random_device{}());
    timeout += std::chrono::seconds(
        std::uniform_int_distribution<std::int64_t>(0, config_.default_watch_timeout.count())(rng));
  }
  const auto deadline = start + timeout;

  std::string pending;
  bool alive = true;
  auto flush = [&]() -> Awaitable<bool> {
    if (pending.empty()) {
      co_return true;
    }
    std::string data = std::move(pending);
    pending.clear();
    co_return co_await out.write(std::move(data));
  };
  for (const auto& event : subscribed->initial) {
    if (selected(event->object)) {
      render(pending, "ADDED", event->object);
      if (pending.size() >= kChunkTarget && !(alive = co_await flush())) {
        break;
      }
    }
  }
  auto last_bookmark = std::chrono::steady_clock::now();
  if (alive && options.allow_bookmarks) {
    // A bookmark right away tells the client the revision it has caught up to.
    pending +=
        event_line("BOOKMARK", bookmark_json(info, subscribed->rv, options.send_initial_events));
  }
  alive = alive && co_await flush();
  while (alive && !state->client_gone) {
    // Let the writers that woke us run first, so one write carries every event they add
    // (fan-out to many watchers costs one write per watcher per batch, not per event).
    co_await net::post(executor, net::use_awaitable);
    state->signalled = false;
    Subscription::Batch batch = subscription->take();
    for (const auto& event : batch.events) {
      const bool now_in = event->type != EventType::Deleted && selected(event->object);
      const bool was_in = selected(event->previous);
      std::string_view type;
      if (event->type == EventType::Deleted) {
        type = was_in ? "DELETED" : "";
      } else if (now_in) {
        type = event->type == EventType::Modified && was_in ? "MODIFIED" : "ADDED";
      } else if (was_in) {
        type = "DELETED";  // it no longer matches the selectors
      }
      if (!type.empty()) {
        render(pending, type, event->object);
        if (pending.size() >= kChunkTarget && !(alive = co_await flush())) {
          break;
        }
      }
    }
    alive = alive && co_await flush();
    if (!alive || batch.closed || state->client_gone) {
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      break;
    }
    if (options.allow_bookmarks && now - last_bookmark >= config_.bookmark_interval) {
      if (auto rv = subscription->bookmark_rv()) {
        alive = co_await out.write(event_line("BOOKMARK", bookmark_json(info, *rv, false)));
        last_bookmark = now;
        continue;
      }
    }
    if (state->signalled) {
      continue;
    }
    auto wake = deadline;
    if (options.allow_bookmarks) {
      wake = std::min(
          wake, last_bookmark + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    config_.bookmark_interval));
    }
    state->timer.expires_at(wake);
    boost::system::error_code ec;
    co_await state->timer.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
  subscription.reset();
  if (alive && !state->client_gone) {
    co_await out.finish();
  }
}

}  // namespace korder::devcluster
