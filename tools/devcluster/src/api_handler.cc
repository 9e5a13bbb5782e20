#include "api_handler.h"

#include <glog/logging.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <random>

#include "discovery.h"
#include "openapi.h"

namespace korder::devcluster {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

HttpResponse text_response(std::string body) {
  HttpResponse response;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(body);
  return response;
}

std::string escape_warning(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

}  // namespace

HttpResponse json_response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

void add_warnings(HttpResponse& response, const std::vector<std::string>& warnings) {
  for (const auto& warning : warnings) {
    response.headers.emplace_back("Warning", "299 - \"" + escape_warning(warning) + "\"");
  }
}

std::string list_json(std::string_view kind, std::string_view api_version,
                      std::string_view resource_version, std::string_view continue_token,
                      std::optional<std::int64_t> remaining,
                      const std::vector<std::string_view>& items) {
  std::size_t size = 256;
  for (auto item : items) {
    size += item.size() + 1;
  }
  rapidjson::StringBuffer buffer(nullptr, size);
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto put = [&](std::string_view key, std::string_view value) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  put("kind", kind);
  put("apiVersion", api_version);
  w.Key("metadata");
  w.StartObject();
  put("resourceVersion", resource_version);
  if (!continue_token.empty()) {
    put("continue", continue_token);
  }
  if (remaining) {
    w.Key("remainingItemCount");
    w.Int64(*remaining);
  }
  w.EndObject();
  w.Key("items");
  w.StartArray();
  for (auto item : items) {
    w.RawValue(item.data(), item.size(), rapidjson::kObjectType);
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

ApiHandler::ApiHandler(Registry& registry, ApiHandlerConfig config)
    : registry_(registry), config_(std::move(config)), openapi_salt_(std::random_device{}()) {}

bool ApiHandler::wants_stream(const HttpRequest& request) const {
  if (request.method != "GET") {
    return false;
  }
  if (starts_with(request.path, "/api/v1/watch/") ||
      request.path.find("/watch/") != std::string::npos) {
    return false;  // the deprecated watch paths are not served
  }
  auto watch = request.param("watch");
  return watch && parse_bool(*watch).value_or(false);
}

Awaitable<HttpResponse> ApiHandler::handle(HttpRequest request) {
  HttpResponse response = co_await route(request);
  VLOG(2) << "request"
          << " method=" << request.method << " target=" << request.target
          << " status=" << response.status;
  co_return response;
}

Awaitable<HttpResponse> ApiHandler::route(const HttpRequest& request) {
  if (interceptor_) {
    if (auto intercepted = co_await interceptor_(request)) {
      co_return std::move(*intercepted);
    }
  }
  auto resource = parse_resource_path(registry_.catalog(), request.path);
  if (!resource) {
    co_return handle_non_resource(request);
  }
  if (!*resource) {
    co_return resource->error().to_response();
  }
  co_return co_await handle_resource(request, **resource);
}

HttpResponse ApiHandler::handle_non_resource(const HttpRequest& request) const {
  const std::string& path = request.path;
  if (request.method != "GET" && request.method != "HEAD") {
    return method_not_allowed().to_response();
  }
  if (path == "/version" || path == "/version/") {
    return json_response(200, version_json());
  }
  if (path == "/healthz" || path == "/readyz" || path == "/livez" ||
      starts_with(path, "/healthz/") || starts_with(path, "/readyz/") ||
      starts_with(path, "/livez/")) {
    return text_response("ok");
  }
  const bool aggregated = request.accept.find("as=APIGroupDiscoveryList") != std::string::npos;
  if (path == "/api" || path == "/api/") {
    if (aggregated) {
      HttpResponse response =
          json_response(200, aggregated_discovery_json(registry_.catalog(), true));
      response.content_type = std::string(kAggregatedDiscoveryType);
      return response;
    }
    return json_response(200, api_versions_json(config_.server_address));
  }
  if (path == "/apis" || path == "/apis/") {
    if (aggregated) {
      HttpResponse response =
          json_response(200, aggregated_discovery_json(registry_.catalog(), false));
      response.content_type = std::string(kAggregatedDiscoveryType);
      return response;
    }
    return json_response(200, api_group_list_json(registry_.catalog()));
  }
  if (path == "/api/v1") {
    auto list = resource_list_json(registry_.catalog(), "", "v1");
    return list ? json_response(200, *list) : list.error().to_response();
  }
  if (starts_with(path, "/apis/")) {
    std::string_view rest = std::string_view(path).substr(6);
    if (!rest.empty() && rest.back() == '/') {
      rest.remove_suffix(1);
    }
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
      auto group = api_group_json(registry_.catalog(), rest);
      return group ? json_response(200, *group) : group.error().to_response();
    }
    if (rest.find('/', slash + 1) == std::string_view::npos) {
      auto list =
          resource_list_json(registry_.catalog(), rest.substr(0, slash), rest.substr(slash + 1));
      return list ? json_response(200, *list) : list.error().to_response();
    }
  }
  if (path == "/openapi/v3" || path == "/openapi/v3/") {
    return json_response(200, openapi_index_json(registry_.catalog(), openapi_salt_));
  }
  if (starts_with(path, "/openapi/v3/")) {
    std::string_view gv = std::string_view(path).substr(12);
    ApiResult<std::string> doc = Unexpected(not_found_path());
    if (gv == "api/v1") {
      doc = openapi_document_json(registry_.catalog(), "", "v1");
    } else if (starts_with(gv, "apis/")) {
      gv.remove_prefix(5);
      const std::size_t slash = gv.find('/');
      if (slash != std::string_view::npos) {
        doc = openapi_document_json(registry_.catalog(), gv.substr(0, slash), gv.substr(slash + 1));
      }
    }
    return doc ? json_response(200, *doc) : doc.error().to_response();
  }
  return not_found_path().to_response();
}

Awaitable<HttpResponse> ApiHandler::handle_resource(const HttpRequest& request,
                                                    const ResourceRequest& target) {
  const std::string& method = request.method;
  const bool item = !target.name.empty();
  if (!item) {
    if (method == "GET") {
      co_return list(request, target);
    }
    if (method == "POST") {
      co_return co_await create(request, target);
    }
    if (method == "DELETE") {
      co_return co_await remove_collection(request, target);
    }
    co_return method_not_allowed().to_response();
  }
  if (target.subresource == "binding") {
    if (method == "POST") {
      co_return co_await bind(request, target);
    }
    co_return method_not_allowed().to_response();
  }
  if (target.subresource == "finalize") {
    co_return method_not_allowed().to_response();
  }
  if (method == "GET") {
    co_return get_object(request, target);
  }
  if (method == "PUT") {
    co_return co_await update(request, target);
  }
  if (method == "PATCH") {
    co_return co_await patch(request, target);
  }
  if (method == "DELETE" && target.subresource.empty()) {
    co_return co_await remove(request, target);
  }
  co_return method_not_allowed().to_response();
}

}  // namespace korder::devcluster
