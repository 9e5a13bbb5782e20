#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/api/list.h"
#include "korder/base/clock.h"
#include "korder/base/expected.h"
#include "korder/kclient/api_error.h"
#include "korder/kclient/api_options.h"
#include "korder/kclient/detail/asio.h"
#include "korder/kclient/http_message.h"
#include "korder/kclient/rate_limiter.h"
#include "korder/kclient/resource_ref.h"
#include "korder/kclient/transport.h"

namespace korder::kclient {

class RestClientMetrics;

/// When the REST client retries a failed call by itself.
struct RetryPolicy {
  /// Retries after the first attempt (0: never retry).
  int max_retries = 4;
  /// Backoff between retries when the server gives no Retry-After (a kclient::Backoff: full
  /// jitter, doubling from `initial_backoff` up to `max_backoff`). Preconditions (checked):
  /// `0 < initial_backoff <= max_backoff`.
  std::chrono::nanoseconds initial_backoff = std::chrono::milliseconds(200);
  std::chrono::nanoseconds max_backoff = std::chrono::seconds(10);
  /// A server's Retry-After longer than this is cut to it.
  std::chrono::nanoseconds max_retry_after = std::chrono::seconds(30);
};

/// Options of a RestClient.
struct RestClientOptions {
  RetryPolicy retry;
  /// The longest one call (get, list page, create, update, patch, delete) may take, its retries
  /// and their waits included (client-go's `rest.Config.Timeout`, here for the whole call).
  /// Each attempt gets the time left as its transport timeout (`HttpRequest::timeout`, which
  /// bounds each of connecting, sending the request and receiving the whole response, so an
  /// attempt may take a little more than the time left), and no retry starts that could not
  /// begin before the deadline. A call
  /// that runs out of time fails with a `Timeout` ApiError, which is not retried. Zero: no
  /// deadline beyond the transport's per-attempt `request_timeout`. Watches are not bounded by
  /// it: their `timeoutSeconds` and the stream's idle timeout end them.
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(30);
  /// Uniform randomness in [0, 1) for backoff jitter; unset: a generator seeded from
  /// std::random_device. Called under a lock, so it need not be thread-safe.
  std::function<double()> random;
  /// Where each request sent is counted (korder/kclient/rest_client_metrics.h); null: nowhere.
  /// Must outlive the client.
  RestClientMetrics* metrics = nullptr;
};

/// Maps a korder::api type to its resource and codecs for the typed calls (`get<api::Order>`).
/// Specialised for korder's kinds in korder/kclient/typed_resources.h; include that header to
/// use the typed calls.
template <typename T>
struct ResourceTraits;

/// The Kubernetes REST client (client-go's `rest.RESTClient` with the typed helpers of a
/// controller-runtime `client.Client`): addresses any group/version/resource, namespaced or
/// cluster-scoped, and makes the calls get, list (with pagination), create, update (PUT),
/// update_status, patch (merge, JSON, apply), remove (DELETE with DeleteOptions) and watch.
///
/// Objects go in and come out as JSON text (the untyped core) or as korder::api structs (the
/// typed templates). Every failure is an ApiError with context
/// (`getting orders.core.korder.dev default/a: orders.core.korder.dev "a" not found`).
///
/// Every call comes in two forms:
///  - `async_*`: a coroutine for io-thread code (`co_await client.async_get(...)`);
///  - the same name without the prefix: a blocking call for worker threads (reconcilers). It runs
///    the coroutine on a strand of the io_context and waits. Calling it from a thread that is
///    running the io_context would deadlock a one-thread process: it is a bug, and the call
///    fails at once with an `Unknown` ApiError saying so.
///
/// Before each request the client takes a token from the rate limiter (client-side `--qps`,
/// `--burst`), waiting on a timer if needed. Idempotent calls (get, list, a PUT whose body
/// carries `metadata.resourceVersion`, a DELETE with preconditions) are retried up to
/// `RetryPolicy::max_retries` times on 429 (after its Retry-After), on 5xx, and on transport
/// failures, with jittered exponential backoff; creates and patches are never retried.
///
/// Thread-safe. The transport, clock and rate limiter must outlive the client, and the
/// io_context must be running (the blocking calls wait for it).
///
/// With g++ 12, do not build an aggregate or a capturing lambda inside the co_await expression
/// of an async call (see korder/kclient/detail/asio.h): `auto order = ...; co_await
/// client.async_create(order)`, not `co_await client.async_create(api::Order{...})`.
class RestClient {
 public:
  template <typename T>
  using Result = Expected<T, ApiError>;
  template <typename T>
  using Async = boost::asio::awaitable<Expected<T, ApiError>>;

  /// `limiter` may be null (no client-side throttling). `clock` drives the retry backoff's
  /// bookkeeping; the waits themselves are timers on the io_context.
  RestClient(Transport& transport, Clock& clock, RateLimiter* limiter,
             RestClientOptions options = {});
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // ---- Untyped calls, awaitable. Namespaces are ignored for cluster-scoped resources. ----

  /// The object as JSON.
  Async<std::string> async_get(ResourceRef resource, std::string namespace_, std::string name,
                               GetOptions options = {});
  /// One page of the collection (the whole collection when `options.limit` is 0) as JSON; its
  /// `metadata.continue` leads to the next page. An empty namespace lists all namespaces.
  Async<std::string> async_list(ResourceRef resource, std::string namespace_,
                                ListOptions options = {});
  /// Every page, following `metadata.continue` to the end (client-go's pager): the pages' JSON
  /// in order. If a continue token expires (410) midway, it falls back to one unpaged list.
  Async<std::vector<std::string>> async_list_all(ResourceRef resource, std::string namespace_,
                                                 ListOptions options = {});
  /// POST: the created object as JSON.
  Async<std::string> async_create(ResourceRef resource, std::string namespace_, std::string body,
                                  CreateOptions options = {});
  /// PUT of the whole object: the stored object as JSON.
  Async<std::string> async_update(ResourceRef resource, std::string namespace_, std::string name,
                                  std::string body, UpdateOptions options = {});
  /// PUT of the status subresource.
  Async<std::string> async_update_status(ResourceRef resource, std::string namespace_,
                                         std::string name, std::string body,
                                         UpdateOptions options = {});
  /// PATCH with `body` in the format `type` (of `options.subresource` when set).
  Async<std::string> async_patch(ResourceRef resource, std::string namespace_, std::string name,
                                 PatchType type, std::string body, PatchOptions options = {});
  /// DELETE: the server's answer as JSON (the object, still present while finalizers run, or a
  /// Success Status).
  Async<std::string> async_remove(ResourceRef resource, std::string namespace_, std::string name,
                                  DeleteOptions options = {});

  /// The request of a watch (`GET <collection>?allowWatchBookmarks=true&resourceVersion=…&
  /// timeoutSeconds=…&watch=true`), with a stream idle timeout of `timeoutSeconds` + 30 s.
  HttpRequest watch_request(const ResourceRef& resource, std::string_view namespace_,
                            const WatchOptions& options) const;
  /// Runs a watch: the raw body bytes go to `on_chunk` (feed them to a WatchDecoder) until the
  /// server ends the watch (success), `control->stop()` (success), or a failure. Not retried:
  /// the watcher's backoff decides what comes next.
  Async<void> async_watch(ResourceRef resource, std::string namespace_, WatchOptions options,
                          Transport::OnChunk on_chunk, std::shared_ptr<StreamControl> control);

  // ---- Untyped calls, blocking (worker threads only; see the class comment). ----

  Result<std::string> get(ResourceRef resource, std::string namespace_, std::string name,
                          GetOptions options = {});
  Result<std::string> list(ResourceRef resource, std::string namespace_, ListOptions options = {});
  Result<std::vector<std::string>> list_all(ResourceRef resource, std::string namespace_,
                                            ListOptions options = {});
  Result<std::string> create(ResourceRef resource, std::string namespace_, std::string body,
                             CreateOptions options = {});
  Result<std::string> update(ResourceRef resource, std::string namespace_, std::string name,
                             std::string body, UpdateOptions options = {});
  Result<std::string> update_status(ResourceRef resource, std::string namespace_, std::string name,
                                    std::string body, UpdateOptions options = {});
  Result<std::string> patch(ResourceRef resource, std::string namespace_, std::string name,
                            PatchType type, std::string body, PatchOptions options = {});
  Result<std::string> remove(ResourceRef resource, std::string namespace_, std::string name,
                             DeleteOptions options = {});

  // ---- Typed calls (T = api::Order, api::Pod, ...; include typed_resources.h). ----
  // Objects to write carry their namespace and name in `metadata`. A response that does not
  // decode as T is an `Unknown` ApiError naming the field.

  template <typename T>
  Async<T> async_get(std::string namespace_, std::string name, GetOptions options = {});
  /// One page, as `list` above.
  template <typename T>
  Async<api::List<T>> async_list(std::string namespace_, ListOptions options = {});
  /// Every page merged into one list (the first page's metadata, without `continue`).
  template <typename T>
  Async<api::List<T>> async_list_all(std::string namespace_, ListOptions options = {});
  template <typename T>
  Async<T> async_create(const T& object, CreateOptions options = {});
  template <typename T>
  Async<T> async_update(const T& object, UpdateOptions options = {});
  template <typename T>
  Async<T> async_update_status(const T& object, UpdateOptions options = {});
  template <typename T>
  Async<T> async_patch(std::string namespace_, std::string name, PatchType type, std::string body,
                       PatchOptions options = {});
  template <typename T>
  Async<void> async_remove(std::string namespace_, std::string name, DeleteOptions options = {});

  template <typename T>
  Result<T> get(std::string namespace_, std::string name, GetOptions options = {}) {
    return block(async_get<T>(std::move(namespace_), std::move(name), std::move(options)));
  }
  template <typename T>
  Result<api::List<T>> list(std::string namespace_, ListOptions options = {}) {
    return block(async_list<T>(std::move(namespace_), std::move(options)));
  }
  template <typename T>
  Result<api::List<T>> list_all(std::string namespace_, ListOptions options = {}) {
    return block(async_list_all<T>(std::move(namespace_), std::move(options)));
  }
  template <typename T>
  Result<T> create(const T& object, CreateOptions options = {}) {
    return block(async_create<T>(object, std::move(options)));
  }
  template <typename T>
  Result<T> update(const T& object, UpdateOptions options = {}) {
    return block(async_update<T>(object, std::move(options)));
  }
  template <typename T>
  Result<T> update_status(const T& object, UpdateOptions options = {}) {
    return block(async_update_status<T>(object, std::move(options)));
  }
  template <typename T>
  Result<T> patch(std::string namespace_, std::string name, PatchType type, std::string body,
                  PatchOptions options = {}) {
    return block(async_patch<T>(std::move(namespace_), std::move(name), type, std::move(body),
                                std::move(options)));
  }
  template <typename T>
  Result<void> remove(std::string namespace_, std::string name, DeleteOptions options = {}) {
    return block(async_remove<T>(std::move(namespace_), std::move(name), std::move(options)));
  }

 private:
  /// Sends `request` with throttling and retries; a non-2xx answer becomes its ApiError.
  /// `context` prefixes every error. Each attempt is counted under `verb` (a RestVerb).
  Async<HttpResponse> execute(HttpRequest request, std::string context, std::string_view verb);
  /// Waits for a rate-limiter token.
  boost::asio::awaitable<void> throttle();
  /// Waits `delay` on a timer of the current executor.
  static boost::asio::awaitable<void> sleep(std::chrono::nanoseconds delay);
  /// Fails when the calling thread is running the io_context (see the class comment).
  Result<void> check_blocking_allowed() const;
  static ApiError exception_error(const std::exception_ptr& error);

  /// `json` decoded with `parse`, or the error (`decoding orders.core.korder.dev: ...`).
  template <typename T>
  static Result<T> decode(const Result<std::string>& json,
                          Expected<T, ParseError> (*parse)(std::string_view),
                          const ResourceRef& resource);

  /// Runs `op` on a fresh strand of the io_context and waits for it.
  template <typename T>
  Result<T> block(boost::asio::awaitable<Result<T>> op) {
    if (auto allowed = check_blocking_allowed(); !allowed) {
      return Unexpected(std::move(allowed).error());
    }
    auto future = boost::asio::co_spawn(boost::asio::make_strand(transport_.io_context()),
                                        std::move(op), boost::asio::use_future);
    try {
      return future.get();
    } catch (...) {
      // Nothing in the call throws by design; this turns the unexpected (bad_alloc) into a
      // value rather than letting it cross into the caller.
      return Unexpected(exception_error(std::current_exception()));
    }
  }

  Transport& transport_;
  Clock& clock_;
  RateLimiter* const limiter_;
  const RetryPolicy retry_;
  const std::chrono::nanoseconds request_timeout_;
  RestClientMetrics* const metrics_;
  absl::Mutex random_mu_;
  std::function<double()> random_ ABSL_GUARDED_BY(random_mu_);
};

// ---- Typed call templates ---------------------------------------------------------------

template <typename T>
RestClient::Result<T> RestClient::decode(const Result<std::string>& json,
                                         Expected<T, ParseError> (*parse)(std::string_view),
                                         const ResourceRef& resource) {
  if (!json) {
    return Unexpected(json.error());
  }
  auto decoded = parse(*json);
  if (!decoded) {
    return Unexpected(ApiError::unknown("decoding " + resource.qualified_name() + ": " +
                                        decoded.error().to_string()));
  }
  return std::move(decoded).value();
}

template <typename T>
RestClient::Async<T> RestClient::async_get(std::string namespace_, std::string name,
                                           GetOptions options) {
  auto json = co_await async_get(ResourceTraits<T>::resource(), std::move(namespace_),
                                 std::move(name), std::move(options));
  co_return decode<T>(json, &ResourceTraits<T>::parse, ResourceTraits<T>::resource());
}

template <typename T>
RestClient::Async<api::List<T>> RestClient::async_list(std::string namespace_,
                                                       ListOptions options) {
  auto json =
      co_await async_list(ResourceTraits<T>::resource(), std::move(namespace_), std::move(options));
  co_return decode<api::List<T>>(json, &ResourceTraits<T>::parse_list,
                                 ResourceTraits<T>::resource());
}

template <typename T>
RestClient::Async<api::List<T>> RestClient::async_list_all(std::string namespace_,
                                                           ListOptions options) {
  auto pages = co_await async_list_all(ResourceTraits<T>::resource(), std::move(namespace_),
                                       std::move(options));
  if (!pages) {
    co_return Unexpected(std::move(pages).error());
  }
  api::List<T> merged;
  for (std::size_t i = 0; i < pages->size(); ++i) {
    auto page = decode<api::List<T>>((*pages)[i], &ResourceTraits<T>::parse_list,
                                     ResourceTraits<T>::resource());
    if (!page) {
      co_return Unexpected(std::move(page).error());
    }
    if (i == 0) {
      merged = std::move(page).value();
      merged.metadata.continue_.clear();
      merged.metadata.remaining_item_count.reset();
    } else {
      for (T& item : page->items) {
        merged.items.push_back(std::move(item));
      }
    }
  }
  co_return merged;
}

template <typename T>
RestClient::Async<T> RestClient::async_create(const T& object, CreateOptions options) {
  auto json = co_await async_create(ResourceTraits<T>::resource(), object.metadata.namespace_,
                                    ResourceTraits<T>::encode(object), std::move(options));
  co_return decode<T>(json, &ResourceTraits<T>::parse, ResourceTraits<T>::resource());
}

template <typename T>
RestClient::Async<T> RestClient::async_update(const T& object, UpdateOptions options) {
  auto json = co_await async_update(ResourceTraits<T>::resource(), object.metadata.namespace_,
                                    object.metadata.name, ResourceTraits<T>::encode(object),
                                    std::move(options));
  co_return decode<T>(json, &ResourceTraits<T>::parse, ResourceTraits<T>::resource());
}

template <typename T>
RestClient::Async<T> RestClient::async_update_status(const T& object, UpdateOptions options) {
  auto json = co_await async_update_status(ResourceTraits<T>::resource(),
                                           object.metadata.namespace_, object.metadata.name,
                                           ResourceTraits<T>::encode(object), std::move(options));
  co_return decode<T>(json, &ResourceTraits<T>::parse, ResourceTraits<T>::resource());
}

template <typename T>
RestClient::Async<T> RestClient::async_patch(std::string namespace_, std::string name,
                                             PatchType type, std::string body,
                                             PatchOptions options) {
  auto json = co_await async_patch(ResourceTraits<T>::resource(), std::move(namespace_),
                                   std::move(name), type, std::move(body), std::move(options));
  co_return decode<T>(json, &ResourceTraits<T>::parse, ResourceTraits<T>::resource());
}

template <typename T>
RestClient::Async<void> RestClient::async_remove(std::string namespace_, std::string name,
                                                 DeleteOptions options) {
  auto answer = co_await async_remove(ResourceTraits<T>::resource(), std::move(namespace_),
                                      std::move(name), std::move(options));
  if (!answer) {
    co_return Unexpected(std::move(answer).error());
  }
  co_return Result<void>();
}

}  // namespace korder::kclient
