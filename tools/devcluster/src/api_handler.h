#pragma once

// The Kubernetes API over HTTP: routing of /version, health, discovery, OpenAPI and resource
// paths to the Registry, content negotiation (JSON, Table, PartialObjectMetadata, aggregated
// discovery), and watch streams.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "http_types.h"
#include "registry.h"
#include "request_parsing.h"

namespace korder::devcluster {

/// Tunables of the API handler.
struct ApiHandlerConfig {
  /// host:port reported in APIVersions.
  std::string server_address = "127.0.0.1";
  /// How often a watch that allows bookmarks gets one.
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds(30)};
  /// Watch duration when the client gives no timeoutSeconds (kube-apiserver: 30-60 min).
  std::chrono::seconds default_watch_timeout{1800};
  /// Events a watch may fall behind before the server closes it.
  std::size_t watch_queue_limit = 10000;
};

/// Serves the API. Thread-safe (each connection calls it from its own strand).
class ApiHandler final : public HttpHandler {
 public:
  /// Runs before routing; a response it returns is sent instead (the fault-injection seam).
  using Interceptor = std::function<Awaitable<std::optional<HttpResponse>>(const HttpRequest&)>;

  ApiHandler(Registry& registry, ApiHandlerConfig config);

  /// Installs `interceptor` (empty: none). Call before serving.
  void set_interceptor(Interceptor interceptor) { interceptor_ = std::move(interceptor); }

  bool wants_stream(const HttpRequest& request) const override;
  Awaitable<HttpResponse> handle(HttpRequest request) override;
  Awaitable<void> stream(HttpRequest request, ResponseStream& out) override;

 private:
  Awaitable<HttpResponse> route(const HttpRequest& request);
  HttpResponse handle_non_resource(const HttpRequest& request) const;
  Awaitable<HttpResponse> handle_resource(const HttpRequest& request,
                                          const ResourceRequest& target);
  HttpResponse get_object(const HttpRequest& request, const ResourceRequest& target) const;
  HttpResponse list(const HttpRequest& request, const ResourceRequest& target) const;
  Awaitable<HttpResponse> create(const HttpRequest& request, const ResourceRequest& target);
  Awaitable<HttpResponse> update(const HttpRequest& request, const ResourceRequest& target);
  Awaitable<HttpResponse> patch(const HttpRequest& request, const ResourceRequest& target);
  Awaitable<HttpResponse> remove(const HttpRequest& request, const ResourceRequest& target);
  Awaitable<HttpResponse> remove_collection(const HttpRequest& request,
                                            const ResourceRequest& target);
  Awaitable<HttpResponse> bind(const HttpRequest& request, const ResourceRequest& target);
  Awaitable<void> serve_watch(const HttpRequest& request, const ResourceRequest& target,
                              const ListOptions& options, ResponseStream& out);

  Registry& registry_;
  const ApiHandlerConfig config_;
  const std::uint64_t openapi_salt_;
  Interceptor interceptor_;
};

/// A JSON response.
HttpResponse json_response(int status, std::string body);

/// Adds `Warning: 299 - "<text>"` headers.
void add_warnings(HttpResponse& response, const std::vector<std::string>& warnings);

/// The list envelope around pre-serialised items.
std::string list_json(std::string_view kind, std::string_view api_version,
                      std::string_view resource_version, std::string_view continue_token,
                      std::optional<std::int64_t> remaining,
                      const std::vector<std::string_view>& items);

}  // namespace korder::devcluster
