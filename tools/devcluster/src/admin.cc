#include "admin.h"

#include "api_error.h"
#include "json_access.h"

namespace korder::devcluster {
namespace {

HttpResponse json_ok(JsonDocument& doc) {
  HttpResponse response;
  response.body = api::write_json(doc);
  return response;
}

}  // namespace

AdminHandler::AdminHandler(Store& store) {
  add_route("POST", "/admin/drop-watches", [&store](const HttpRequest&) -> Awaitable<HttpResponse> {
    store.drop_watches();
    JsonDocument doc(rapidjson::kObjectType);
    set_string(doc, "status", "ok", doc.GetAllocator());
    co_return json_ok(doc);
  });
  add_route("POST", "/admin/compact", [&store](const HttpRequest&) -> Awaitable<HttpResponse> {
    store.compact();
    JsonDocument doc(rapidjson::kObjectType);
    set_string(doc, "status", "ok", doc.GetAllocator());
    set_string(doc, "compactedResourceVersion", std::to_string(store.compacted_rv()),
               doc.GetAllocator());
    co_return json_ok(doc);
  });
  for (const char* path : {"/admin/faults", "/admin/stall", "/admin/evict", "/admin/restart"}) {
    const std::string name = path;
    add_route("POST", path, [name](const HttpRequest&) -> Awaitable<HttpResponse> {
      co_return not_implemented(name +
                                " is not implemented yet: it comes with the fault-injection "
                                "and simulation work of issue 5")
          .to_response();
    });
  }
}

void AdminHandler::add_route(const std::string& method, const std::string& path, Route route) {
  routes_[method + " " + path] = std::move(route);
}

Awaitable<HttpResponse> AdminHandler::handle(HttpRequest request) {
  auto it = routes_.find(request.method + " " + request.path);
  if (it == routes_.end()) {
    bool path_known = false;
    for (const auto& [key, route] : routes_) {
      path_known = path_known || key.substr(key.find(' ') + 1) == request.path;
    }
    co_return (path_known ? method_not_allowed() : not_found_path()).to_response();
  }
  co_return co_await it->second(request);
}

}  // namespace korder::devcluster
