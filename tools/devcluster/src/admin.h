#pragma once

// The admin endpoint (loopback HTTP, JSON bodies): controls tests need. This handler implements
// POST /admin/drop-watches and POST /admin/compact; the fault-injection routes (faults, stall,
// evict, restart) answer 501 until they are added with add_route() (DevCluster adds them:
// faults.h).

#include <functional>
#include <map>
#include <string>

#include "http_types.h"
#include "store.h"

namespace korder::devcluster {

/// Routes admin requests. add_route() before serving; then thread-safe.
class AdminHandler final : public HttpHandler {
 public:
  using Route = std::function<Awaitable<HttpResponse>(const HttpRequest&)>;

  explicit AdminHandler(Store& store);

  /// Serves `method path` with `route` (replacing a built-in or placeholder route).
  void add_route(const std::string& method, const std::string& path, Route route);

  bool wants_stream(const HttpRequest&) const override { return false; }
  Awaitable<HttpResponse> handle(HttpRequest request) override;
  Awaitable<void> stream(HttpRequest, ResponseStream&) override { co_return; }

 private:
  std::map<std::string, Route> routes_;  // "METHOD path"
};

}  // namespace korder::devcluster
