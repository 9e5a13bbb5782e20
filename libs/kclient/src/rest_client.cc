#include "korder/kclient/rest_client.h"

#include <glog/logging.h>

#include <algorithm>
#include <random>

#include "korder/api/json.h"
#include "korder/kclient/backoff.h"
#include "korder/kclient/rest_client_metrics.h"

namespace korder::kclient {
namespace {

namespace net = boost::asio;

// `<namespace>/<name>`, or the name alone for a cluster-scoped object.
std::string object_key(const ResourceRef& resource, const std::string& namespace_,
                       const std::string& name) {
  return resource.namespaced && !namespace_.empty() ? namespace_ + "/" + name : name;
}

std::string object_context(std::string_view verb, const ResourceRef& resource,
                           const std::string& namespace_, const std::string& name) {
  return std::string(verb) + " " + resource.qualified_name() + " " +
         object_key(resource, namespace_, name);
}

std::string collection_context(std::string_view verb, const ResourceRef& resource,
                               const std::string& namespace_) {
  std::string out = std::string(verb) + " " + resource.qualified_name();
  if (resource.namespaced) {
    out += namespace_.empty() ? " in all namespaces" : " in " + namespace_;
  }
  return out;
}

HttpRequest make_request(std::string method, std::string target, bool idempotent) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.idempotent = idempotent;
  return request;
}

// The string member `key` of the object member `parent` of a JSON document, or empty (also when
// the text is not JSON: the caller only uses it to decide, never to report).
std::string nested_string(std::string_view json, const char* parent, const char* key) {
  api::JsonDocument doc;
  if (!api::parse_json(json, doc) || !doc.IsObject()) {
    return "";
  }
  const auto outer = doc.FindMember(parent);
  if (outer == doc.MemberEnd() || !outer->value.IsObject()) {
    return "";
  }
  const auto inner = outer->value.FindMember(key);
  if (inner == outer->value.MemberEnd() || !inner->value.IsString()) {
    return "";
  }
  return std::string(inner->value.GetString(), inner->value.GetStringLength());
}

// Whether a failed attempt may be retried: only idempotent requests, and only when the failure
// is transient (429, a server-side 5xx, the connection). A client-side timeout is not retried:
// the server may be working on it, and retrying multiplies the wait.
bool should_retry(const ApiError& error, const HttpRequest& request) {
  if (!request.idempotent) {
    return false;
  }
  if (error.is_too_many_requests() || error.is_transport()) {
    return true;
  }
  return error.code() >= 500 && error.code() != 501 && error.code() != 505;
}

std::int64_t to_millis(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

std::string format_timeout(std::chrono::nanoseconds d) {
  return std::to_string(to_millis(d)) + "ms";
}

std::function<double()> default_random() {
  return
      [engine = std::mt19937_64(std::random_device{}()),
       dist = std::uniform_real_distribution<double>(0.0, 1.0)]() mutable { return dist(engine); };
}

}  // namespace

RestClient::RestClient(Transport& transport, Clock& clock, RateLimiter* limiter,
                       RestClientOptions options)
    : transport_(transport),
      clock_(clock),
      limiter_(limiter),
      retry_(options.retry),
      request_timeout_(options.request_timeout),
      metrics_(options.metrics),
      random_(options.random ? std::move(options.random) : default_random()) {}

net::awaitable<void> RestClient::sleep(std::chrono::nanoseconds delay) {
  if (delay <= std::chrono::nanoseconds::zero()) {
    co_return;
  }
  net::steady_timer timer(co_await net::this_coro::executor);
  timer.expires_after(delay);
  boost::system::error_code ignored;
  co_await timer.async_wait(net::redirect_error(net::use_awaitable, ignored));
}

net::awaitable<void> RestClient::throttle() {
  if (limiter_ != nullptr) {
    co_await sleep(limiter_->reserve());
  }
}

RestClient::Async<HttpResponse> RestClient::execute(HttpRequest request, std::string context,
                                                    std::string_view verb) {
  // One backoff per call; `reset_after` is longer than any call lasts.
  Backoff backoff(
      clock_,
      [this] {
        absl::MutexLock lock(&random_mu_);
        return random_();
      },
      BackoffConfig{retry_.initial_backoff, retry_.max_backoff, 2, std::chrono::hours(1)});
  const bool bounded = request_timeout_ > std::chrono::nanoseconds::zero();
  const SteadyTimePoint deadline = clock_.steady_now() + request_timeout_;
  const std::optional<std::chrono::nanoseconds> own_timeout = request.timeout;
  for (int attempt = 0;; ++attempt) {
    co_await throttle();
    if (bounded) {
      const std::chrono::nanoseconds left = deadline - clock_.steady_now();
      if (left <= std::chrono::nanoseconds::zero()) {
        co_return Unexpected(ApiError::timeout("timed out after " +
                                               format_timeout(request_timeout_) +
                                               " waiting for the client-side rate limiter")
                                 .with_context(context));
      }
      request.timeout = own_timeout ? std::min(*own_timeout, left) : left;
    }
    const SteadyTimePoint sent = clock_.steady_now();
    auto response = co_await transport_.async_request(request);
    if (metrics_ != nullptr) {
      metrics_->observe(verb, response ? response->status : 0, clock_.steady_now() - sent);
    }
    ApiError error;
    if (response && response->status >= 200 && response->status < 300) {
      co_return std::move(response).value();
    }
    if (response) {
      error = ApiError::from_response(response->status, response->body, request.method,
                                      parse_retry_after(response->header("Retry-After")));
    } else {
      error = std::move(response).error();
    }
    if (attempt >= retry_.max_retries || !should_retry(error, request)) {
      co_return Unexpected(std::move(error).with_context(context));
    }
    const auto delay = error.retry_after() ? std::min<std::chrono::nanoseconds>(
                                                 *error.retry_after(), retry_.max_retry_after)
                                           : backoff.next();
    if (bounded && clock_.steady_now() + delay >= deadline) {
      // No time left to try again: the last answer is the most useful error to report.
      VLOG(1) << "not retrying API request: the retry would start after the request timeout"
              << " request=\"" << context << "\" attempt=" << attempt + 1
              << " timeout_ms=" << to_millis(request_timeout_) << " error=\"" << error << "\"";
      co_return Unexpected(std::move(error).with_context(context));
    }
    VLOG(1) << "retrying API request"
            << " request=\"" << context << "\" attempt=" << attempt + 1
            << " delay_ms=" << std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()
            << " error=\"" << error << "\"";
    co_await sleep(delay);
  }
}

RestClient::Async<std::string> RestClient::async_get(ResourceRef resource, std::string namespace_,
                                                     std::string name, GetOptions options) {
  HttpRequest request =
      make_request("GET", resource.path(namespace_, name) + to_query(options), true);
  auto response = co_await execute(
      std::move(request), object_context("getting", resource, namespace_, name), RestVerb::Get);
  if (!response) {
    co_return Unexpected(std::move(response).error());
  }
  co_return std::move(response->body);
}

RestClient::Async<std::string> RestClient::async_list(ResourceRef resource, std::string namespace_,
                                                      ListOptions options) {
  HttpRequest request = make_request("GET", resource.path(namespace_) + to_query(options), true);
  auto response = co_await execute(
      std::move(request), collection_context("listing", resource, namespace_), RestVerb::List);
  if (!response) {
    co_return Unexpected(std::move(response).error());
  }
  co_return std::move(response->body);
}

RestClient::Async<std::vector<std::string>> RestClient::async_list_all(ResourceRef resource,
                                                                       std::string namespace_,
                                                                       ListOptions options) {
  std::vector<std::string> pages;
  ListOptions page = options;
  while (true) {
    auto body = co_await async_list(resource, namespace_, page);
    if (!body && body.error().is_gone() && !page.continue_token.empty()) {
      // The continue token expired: like client-go's pager, fall back to one full list.
      VLOG(1) << "continue token expired, listing without paging"
              << " resource=" << resource.qualified_name();
      ListOptions full = options;
      full.limit = 0;
      full.continue_token.clear();
      body = co_await async_list(resource, namespace_, full);
      pages.clear();
    }
    if (!body) {
      co_return Unexpected(std::move(body).error());
    }
    std::string next = nested_string(*body, "metadata", "continue");
    pages.push_back(std::move(body).value());
    if (next.empty()) {
      co_return pages;
    }
    // Later pages come from the snapshot the token names: a resourceVersion would be a 400.
    page.continue_token = std::move(next);
    page.resource_version.clear();
    page.resource_version_match.clear();
  }
}

RestClient::Async<std::string> RestClient::async_create(ResourceRef resource,
                                                        std::string namespace_, std::string body,
                                                        CreateOptions options) {
  HttpRequest request = make_request("POST", resource.path(namespace_) + to_query(options), false);
  request.content_type = "application/json";
  request.body = std::move(body);
  const std::string name = nested_string(request.body, "metadata", "name");
  auto response = co_await execute(
      std::move(request), object_context("creating", resource, namespace_, name), RestVerb::Create);
  if (!response) {
    co_return Unexpected(std::move(response).error());
  }
  co_return std::move(response->body);
}

RestClient::Async<std::string> RestClient::async_update(ResourceRef resource,
                                                        std::string namespace_, std::string name,
                                                        std::string body, UpdateOptions options) {
  // A PUT carrying the resourceVersion it read is conditional, so sending it again is harmless.
  const bool conditional = !nested_string(body, "metadata", "resourceVersion").empty();
  HttpRequest request =
      make_request("PUT", resource.path(namespace_, name) + to_query(options), conditional);
  request.content_type = "application/json";
  request.body = std::move(body);
  auto response = co_await execute(
      std::move(request), object_context("updating", resource, namespace_, name), RestVerb::Update);
  if (!response) {
    co_return Unexpected(std::move(response).error());
  }
  co_return std::move(response->body);
}

RestClient::Async<std::string> RestClient::async_update_status(ResourceRef resource,
                                                               std::string namespace_,
                                                               std::string name, std::string body,
                                                               UpdateOptions options) {
  const bool conditional = !nested_string(body, "metadata", "resourceVersion").empty();
  HttpRequest request = make_request(
      "PUT", resource.path(namespace_, name, "status") + to_query(options), conditional);
  request.content_type = "application/json";
  request.body = std::move(body);
  auto response = co_await execute(
      std::move(request), object_context("updating the status of", resource, namespace_, name),
      RestVerb::Update);
  if (!response) {
    co_return Unexpected(std::move(response).error());
  }
  co_return std::move(response->body);
}

RestClient::Async<std::string> RestClient::async_patch(ResourceRef resource, std::string namespace_,
                                                       std::string name, PatchType type,
                                                       std::string body, PatchOptions options) {
  HttpRequest request = make_request(
      "PATCH", resource.path(namespace_, name, options.subresource) + to_query(options), false);
  request.content_type = std::string(content_type(type));
  request.body = std::move(body);
  const std::string verb =
      options.subresource.empty() ? "patching" : "patching the " + options.subresource + " of";
  auto response = co_await execute(
      std::move(request), object_context(verb, resource, namespace_, name), RestVerb::Patch);
  if (!response) {
    co_return Unexpected(std::move(response).error());
  }
  co_return std::move(response->body);
}

RestClient::Async<std::string> RestClient::async_remove(ResourceRef resource,
                                                        std::string namespace_, std::string name,
                                                        DeleteOptions options) {
  // With preconditions a repeated DELETE cannot remove a newer object of the same name.
  const bool conditional = options.preconditions.has_value();
  HttpRequest request = make_request("DELETE", resource.path(namespace_, name), conditional);
  request.body = to_json(options);
  if (!request.body.empty()) {
    request.content_type = "application/json";
  }
  auto response = co_await execute(
      std::move(request), object_context("deleting", resource, namespace_, name), RestVerb::Delete);
  if (!response) {
    co_return Unexpected(std::move(response).error());
  }
  co_return std::move(response->body);
}

HttpRequest RestClient::watch_request(const ResourceRef& resource, std::string_view namespace_,
                                      const WatchOptions& options) const {
  HttpRequest request = make_request("GET", resource.path(namespace_) + to_query(options), true);
  if (options.timeout_seconds) {
    // The server ends the watch after timeoutSeconds; silence well beyond that means the
    // connection is dead.
    request.timeout = std::chrono::seconds(*options.timeout_seconds) + std::chrono::seconds(30);
  }
  return request;
}

RestClient::Async<void> RestClient::async_watch(ResourceRef resource, std::string namespace_,
                                                WatchOptions options, Transport::OnChunk on_chunk,
                                                std::shared_ptr<StreamControl> control) {
  co_await throttle();
  HttpRequest request = watch_request(resource, namespace_, options);
  auto result =
      co_await transport_.async_stream(std::move(request), std::move(on_chunk), std::move(control));
  if (metrics_ != nullptr) {
    metrics_->observe_watch(result ? 200 : result.error().code());
  }
  if (!result) {
    co_return Unexpected(std::move(result).error().with_context(
        collection_context("watching", resource, namespace_)));
  }
  co_return Result<void>();
}

RestClient::Result<void> RestClient::check_blocking_allowed() const {
  if (transport_.io_context().get_executor().running_in_this_thread()) {
    LOG(ERROR) << "blocking RestClient call on an io thread (a bug: co_await the async_ form)";
    return Unexpected(ApiError::unknown(
        "blocking RestClient call on an io thread: use the async_ form (this is a bug)"));
  }
  return {};
}

ApiError RestClient::exception_error(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return ApiError::unknown(std::string("unexpected exception in an API call: ") + e.what());
  } catch (...) {
    return ApiError::unknown("unexpected exception in an API call");
  }
}

RestClient::Result<std::string> RestClient::get(ResourceRef resource, std::string namespace_,
                                                std::string name, GetOptions options) {
  return block(
      async_get(std::move(resource), std::move(namespace_), std::move(name), std::move(options)));
}

RestClient::Result<std::string> RestClient::list(ResourceRef resource, std::string namespace_,
                                                 ListOptions options) {
  return block(async_list(std::move(resource), std::move(namespace_), std::move(options)));
}

RestClient::Result<std::vector<std::string>> RestClient::list_all(ResourceRef resource,
                                                                  std::string namespace_,
                                                                  ListOptions options) {
  return block(async_list_all(std::move(resource), std::move(namespace_), std::move(options)));
}

RestClient::Result<std::string> RestClient::create(ResourceRef resource, std::string namespace_,
                                                   std::string body, CreateOptions options) {
  return block(async_create(std::move(resource), std::move(namespace_), std::move(body),
                            std::move(options)));
}

RestClient::Result<std::string> RestClient::update(ResourceRef resource, std::string namespace_,
                                                   std::string name, std::string body,
                                                   UpdateOptions options) {
  return block(async_update(std::move(resource), std::move(namespace_), std::move(name),
                            std::move(body), std::move(options)));
}

RestClient::Result<std::string> RestClient::update_status(ResourceRef resource,
                                                          std::string namespace_, std::string name,
                                                          std::string body, UpdateOptions options) {
  return block(async_update_status(std::move(resource), std::move(namespace_), std::move(name),
                                   std::move(body), std::move(options)));
}

RestClient::Result<std::string> RestClient::patch(ResourceRef resource, std::string namespace_,
                                                  std::string name, PatchType type,
                                                  std::string body, PatchOptions options) {
  return block(async_patch(std::move(resource), std::move(namespace_), std::move(name), type,
                           std::move(body), std::move(options)));
}

RestClient::Result<std::string> RestClient::remove(ResourceRef resource, std::string namespace_,
                                                   std::string name, DeleteOptions options) {
  return block(async_remove(std::move(resource), std::move(namespace_), std::move(name),
                            std::move(options)));
}

}  // namespace korder::kclient
