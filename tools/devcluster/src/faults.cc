#include "faults.h"

#include <glog/logging.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "korder/api/json.h"
#include "resource_info.h"

namespace korder::devcluster {
namespace {

struct FaultRule {
  double fraction = 0;
  int code = 500;
  int retry_after = 1;
  std::uint64_t seen = 0;  // requests matched so far
};

struct Stalled {
  std::string prefix;
  std::weak_ptr<net::steady_timer> timer;
};

/// The rule of the longest prefix of `path` in `rules`, or end().
template <typename Map>
auto longest_match(Map& rules, const std::string& path) {
  auto best = rules.end();
  for (auto it = rules.begin(); it != rules.end(); ++it) {
    if (path.compare(0, it->first.size(), it->first) == 0 &&
        (best == rules.end() || it->first.size() > best->first.size())) {
      best = it;
    }
  }
  return best;
}

HttpResponse ok_json(JsonDocument& doc) {
  HttpResponse response;
  response.body = api::write_json(doc);
  return response;
}

/// The body as a JSON object whose members are all in `known`, or the 400 to answer.
Expected<JsonDocument, HttpResponse> parse_body(const std::string& body, std::string_view route,
                                                const std::vector<std::string_view>& known) {
  JsonDocument doc;
  const std::string text = body.find_first_not_of(" \t\r\n") == std::string::npos ? "{}" : body;
  if (auto parsed = api::parse_json(text, doc); !parsed) {
    return Unexpected(bad_request(std::string(route) +
                                  ": the body is not valid JSON: " + parsed.error().to_string())
                          .to_response());
  }
  if (!doc.IsObject()) {
    return Unexpected(
        bad_request(std::string(route) + ": the body must be a JSON object").to_response());
  }
  for (const auto& member : doc.GetObject()) {
    const std::string_view name(member.name.GetString(), member.name.GetStringLength());
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (const auto& k : known) {
        list += (list.empty() ? "" : ", ") + std::string(k);
      }
      return Unexpected(bad_request(std::string(route) + ": unknown field \"" + std::string(name) +
                                    "\" (known fields: " + list + ")")
                            .to_response());
    }
  }
  return doc;
}

HttpResponse field_error(std::string_view route, std::string_view field, std::string_view what,
                         const JsonValue* value) {
  std::string message = std::string(route) + ": " + std::string(field) + ": " + std::string(what);
  if (value != nullptr) {
    message += ", got " + api::write_json(*value);
  }
  return bad_request(std::move(message)).to_response();
}

/// The optional string member `field` (absent or null: empty).
Expected<std::string, HttpResponse> string_field(const JsonValue& doc, std::string_view route,
                                                 std::string_view field) {
  const JsonValue* value = find_member(doc, field);
  if (value == nullptr || value->IsNull()) {
    return std::string();
  }
  if (!value->IsString()) {
    return Unexpected(field_error(route, field, "must be a string", value));
  }
  return std::string(value->GetString(), value->GetStringLength());
}

Expected<std::string, HttpResponse> path_prefix_field(const JsonValue& doc,
                                                      std::string_view route) {
  auto prefix = string_field(doc, route, "pathPrefix");
  if (prefix && !prefix->empty() && prefix->front() != '/') {
    return Unexpected(field_error(route, "pathPrefix", "must be empty or start with \"/\"",
                                  find_member(doc, "pathPrefix")));
  }
  return prefix;
}

}  // namespace

struct FaultInjector::Impl {
  std::mutex mu;
  std::map<std::string, FaultRule> faults;   // by path prefix; guarded by mu
  std::map<std::string, double> stalls;      // seconds by path prefix; guarded by mu
  std::map<std::uint64_t, Stalled> stalled;  // requests waiting; guarded by mu
  std::uint64_t next_stalled = 0;            // guarded by mu
  std::atomic<bool> any{false};              // any fault or stall rule

  void update_any() { any.store(!faults.empty() || !stalls.empty()); }  // mu held

  /// Cancels the timers of stalled requests whose prefix is `prefix` (all when nullopt).
  void release(const std::optional<std::string>& prefix) {  // mu held
    for (auto it = stalled.begin(); it != stalled.end();) {
      if (!prefix || it->second.prefix == *prefix) {
        if (auto timer = it->second.timer.lock()) {
          net::post(timer->get_executor(), [timer] { timer->cancel(); });
        }
        it = stalled.erase(it);
      } else {
        ++it;
      }
    }
  }

  static Awaitable<std::optional<HttpResponse>> intercept(std::shared_ptr<Impl> self,
                                                          const HttpRequest& request) {
    if (!self->any.load()) {
      co_return std::nullopt;
    }
    std::shared_ptr<net::steady_timer> timer;
    std::uint64_t stalled_id = 0;
    auto executor = co_await net::this_coro::executor;
    {
      std::lock_guard lock(self->mu);
      auto stall = longest_match(self->stalls, request.path);
      if (stall != self->stalls.end()) {
        timer = std::make_shared<net::steady_timer>(executor);
        timer->expires_after(std::chrono::microseconds(
            static_cast<std::int64_t>(std::llround(stall->second * 1e6))));
        stalled_id = ++self->next_stalled;
        self->stalled[stalled_id] = Stalled{stall->first, timer};
      }
    }
    if (timer) {
      boost::system::error_code ec;
      co_await timer->async_wait(net::redirect_error(net::use_awaitable, ec));
      std::lock_guard lock(self->mu);
      self->stalled.erase(stalled_id);
    }
    std::optional<ApiError> fault;
    {
      std::lock_guard lock(self->mu);
      auto rule = longest_match(self->faults, request.path);
      if (rule != self->faults.end()) {
        FaultRule& r = rule->second;
        const std::uint64_t n = ++r.seen;
        const bool fails = std::floor(static_cast<double>(n) * r.fraction) >
                           std::floor(static_cast<double>(n - 1) * r.fraction);
        if (fails && r.code == 429) {
          ApiError e;
          e.code = 429;
          e.reason = "TooManyRequests";
          e.message = "Too many requests, please try again later.";
          e.retry_after_seconds = r.retry_after;
          fault = std::move(e);
        } else if (fails) {
          fault = internal_error("injected fault (POST /admin/faults) for " + request.path);
        }
      }
    }
    if (fault) {
      co_return fault->to_response();
    }
    co_return std::nullopt;
  }
};

FaultInjector::FaultInjector() : impl_(std::make_shared<Impl>()) {}

FaultInjector::~FaultInjector() { clear(); }

ApiHandler::Interceptor FaultInjector::interceptor() {
  std::shared_ptr<Impl> impl = impl_;
  return [impl](const HttpRequest& request) { return Impl::intercept(impl, request); };
}

void FaultInjector::clear() {
  std::lock_guard lock(impl_->mu);
  impl_->faults.clear();
  impl_->stalls.clear();
  impl_->release(std::nullopt);
  impl_->update_any();
}

std::size_t FaultInjector::stalled() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stalled.size();
}

HttpResponse FaultInjector::configure_faults(const std::string& body) {
  constexpr std::string_view route = "/admin/faults";
  auto doc = parse_body(body, route, {"fraction", "code", "retryAfter", "pathPrefix"});
  if (!doc) {
    return doc.error();
  }
  const JsonValue* fraction = find_member(*doc, "fraction");
  if (fraction == nullptr || !fraction->IsNumber() || fraction->GetDouble() < 0 ||
      fraction->GetDouble() > 1) {
    return field_error(route, "fraction", "required: a number from 0 to 1 (0 clears)", fraction);
  }
  auto prefix = path_prefix_field(*doc, route);
  if (!prefix) {
    return prefix.error();
  }
  FaultRule rule;
  rule.fraction = fraction->GetDouble();
  if (rule.fraction > 0) {
    const JsonValue* code = find_member(*doc, "code");
    if (code == nullptr || !code->IsInt() || (code->GetInt() != 429 && code->GetInt() != 500)) {
      return field_error(route, "code", "required: 429 or 500", code);
    }
    rule.code = code->GetInt();
    const JsonValue* retry = find_member(*doc, "retryAfter");
    if (retry != nullptr && !retry->IsNull()) {
      if (!retry->IsInt() || retry->GetInt() < 0 || retry->GetInt() > 3600) {
        return field_error(route, "retryAfter", "must be whole seconds from 0 to 3600", retry);
      }
      rule.retry_after = retry->GetInt();
    }
  }
  JsonDocument out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  {
    std::lock_guard lock(impl_->mu);
    if (rule.fraction == 0 && find_member(*doc, "pathPrefix") == nullptr) {
      impl_->faults.clear();
    } else if (rule.fraction == 0) {
      impl_->faults.erase(*prefix);
    } else {
      impl_->faults[*prefix] = rule;
    }
    impl_->update_any();
    JsonValue rules(rapidjson::kArrayType);
    for (const auto& [p, r] : impl_->faults) {
      JsonValue item(rapidjson::kObjectType);
      set_string(item, "pathPrefix", p, alloc);
      set_member(item, "fraction", JsonValue(r.fraction), alloc);
      set_member(item, "code", JsonValue(r.code), alloc);
      if (r.code == 429) {
        set_member(item, "retryAfter", JsonValue(r.retry_after), alloc);
      }
      rules.PushBack(std::move(item), alloc);
    }
    set_string(out, "status", "ok", alloc);
    set_member(out, "faults", std::move(rules), alloc);
  }
  return ok_json(out);
}

HttpResponse FaultInjector::configure_stall(const std::string& body) {
  constexpr std::string_view route = "/admin/stall";
  auto doc = parse_body(body, route, {"pathPrefix", "seconds"});
  if (!doc) {
    return doc.error();
  }
  const JsonValue* seconds = find_member(*doc, "seconds");
  if (seconds == nullptr || !seconds->IsNumber() || seconds->GetDouble() < 0 ||
      seconds->GetDouble() > 3600) {
    return field_error(route, "seconds", "required: a number from 0 to 3600 (0 clears)", seconds);
  }
  auto prefix = path_prefix_field(*doc, route);
  if (!prefix) {
    return prefix.error();
  }
  const double value = seconds->GetDouble();
  JsonDocument out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  {
    std::lock_guard lock(impl_->mu);
    if (value == 0 && find_member(*doc, "pathPrefix") == nullptr) {
      impl_->stalls.clear();
      impl_->release(std::nullopt);
    } else if (value == 0) {
      impl_->stalls.erase(*prefix);
      impl_->release(*prefix);
    } else {
      impl_->stalls[*prefix] = value;
    }
    impl_->update_any();
    JsonValue rules(rapidjson::kArrayType);
    for (const auto& [p, s] : impl_->stalls) {
      JsonValue item(rapidjson::kObjectType);
      set_string(item, "pathPrefix", p, alloc);
      set_member(item, "seconds", JsonValue(s), alloc);
      rules.PushBack(std::move(item), alloc);
    }
    set_string(out, "status", "ok", alloc);
    set_member(out, "stalls", std::move(rules), alloc);
    // How many requests are held right now (after this change), so out-of-process tests can
    // wait for a request to be caught before acting.
    set_member(out, "stalled", JsonValue(static_cast<std::uint64_t>(impl_->stalled.size())), alloc);
  }
  return ok_json(out);
}

namespace {

Awaitable<HttpResponse> evict_route(std::shared_ptr<AdminControls> controls, std::string body) {
  constexpr std::string_view route = "/admin/evict";
  auto doc = parse_body(body, route, {"namespace", "name"});
  if (!doc) {
    co_return doc.error();
  }
  auto ns = string_field(*doc, route, "namespace");
  if (!ns) {
    co_return ns.error();
  }
  auto name = string_field(*doc, route, "name");
  if (!name) {
    co_return name.error();
  }
  if (name->empty()) {
    co_return field_error(route, "name", "required: the name of the pod to evict",
                          find_member(*doc, "name"));
  }
  const std::string namespace_ = ns->empty() ? "default" : *ns;
  auto evicted = co_await controls->evict(namespace_, *name);
  if (!evicted) {
    co_return evicted.error().to_response();
  }
  HttpResponse response;
  response.body = (*evicted)->json;
  co_return response;
}

Awaitable<HttpResponse> restart_route(std::shared_ptr<AdminControls> controls, std::string body) {
  constexpr std::string_view route = "/admin/restart";
  auto doc = parse_body(body, route, {"keepState"});
  if (!doc) {
    co_return doc.error();
  }
  const JsonValue* keep = find_member(*doc, "keepState");
  if (keep == nullptr || !keep->IsBool()) {
    co_return field_error(route, "keepState",
                          "required: true (objects stay, watches and connections are dropped, "
                          "history is compacted) or false (every object is lost)",
                          keep);
  }
  const bool keep_state = keep->GetBool();
  std::string error = co_await controls->restart(keep_state);
  if (!error.empty()) {
    co_return internal_error("restart: " + error).to_response();
  }
  JsonDocument out(rapidjson::kObjectType);
  set_string(out, "status", "ok", out.GetAllocator());
  set_member(out, "keepState", JsonValue(keep_state), out.GetAllocator());
  co_return ok_json(out);
}

}  // namespace

void add_fault_routes(AdminHandler& admin, FaultInjector& faults, AdminControls controls) {
  admin.add_route("POST", "/admin/faults",
                  [&faults](const HttpRequest& request) -> Awaitable<HttpResponse> {
                    co_return faults.configure_faults(request.body);
                  });
  admin.add_route("POST", "/admin/stall",
                  [&faults](const HttpRequest& request) -> Awaitable<HttpResponse> {
                    co_return faults.configure_stall(request.body);
                  });
  auto shared = std::make_shared<AdminControls>(std::move(controls));
  admin.add_route("POST", "/admin/evict", [shared](const HttpRequest& request) {
    return evict_route(shared, request.body);
  });
  admin.add_route("POST", "/admin/restart", [shared](const HttpRequest& request) {
    return restart_route(shared, request.body);
  });
}

void wipe_store(Store& store, ResourceCatalog& catalog) {
  // Custom resources first, then the CRDs (their resources leave the catalog), then namespaced
  // built-ins (pods before the nodes they run on), then cluster-scoped ones.
  std::vector<ResourcePtr> order;
  std::set<std::string> seen;
  const std::vector<ResourcePtr> all = catalog.all();
  auto add = [&](const std::function<bool(const ResourceInfo&)>& pick) {
    for (const auto& info : all) {
      if (pick(*info) && seen.insert(info->storage_id()).second) {
        order.push_back(info);
      }
    }
  };
  add([](const ResourceInfo& i) { return i.custom(); });
  add([](const ResourceInfo& i) { return i.rules == KindRules::CustomResourceDefinition; });
  add([](const ResourceInfo& i) { return i.namespaced; });
  add([](const ResourceInfo&) { return true; });
  for (const auto& info : order) {
    for (const auto& item : store.list(info->storage_id(), "", "", 0, nullptr).items) {
      if (info->rules == KindRules::CustomResourceDefinition) {
        catalog.remove_custom(item->name);
      }
      (void)store.remove(info->storage_id(), item->namespace_, item->name, 0);
    }
  }
  // Custom resources created while the CRDs were being removed.
  for (const auto& info : all) {
    if (info->custom()) {
      for (const auto& item : store.list(info->storage_id(), "", "", 0, nullptr).items) {
        (void)store.remove(info->storage_id(), item->namespace_, item->name, 0);
      }
    }
  }
}

}  // namespace korder::devcluster
