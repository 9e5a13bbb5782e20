#include "webhook_admission.h"  // first: includes asio.h before any Boost header

#include <glog/logging.h>

#include <cstdio>
#include <set>

#include "korder/api/admission.h"
#include "korder/api/json.h"
#include "patch.h"

namespace korder::devcluster {
namespace {

const std::string kMutatingStorage = "admissionregistration.k8s.io/mutatingwebhookconfigurations";
const std::string kValidatingStorage =
    "admissionregistration.k8s.io/validatingwebhookconfigurations";

/// What webhooks are matched against (kube's admission.Attributes).
struct Attributes {
  std::string operation;
  std::string group, version, resource, subresource;
  std::string kind_group, kind_version, kind;
  std::string namespace_;
  std::string name;
};

std::string_view operation_name(AdmissionOperation op) {
  switch (op) {
    case AdmissionOperation::Create:
      return "CREATE";
    case AdmissionOperation::Update:
      return "UPDATE";
    case AdmissionOperation::Delete:
      return "DELETE";
  }
  return "CREATE";
}

Attributes attributes_of(const AdmissionRequest& r) {
  Attributes a;
  a.operation = std::string(operation_name(r.operation));
  a.group = r.resource->group;
  a.version = r.resource->version;
  a.resource = r.resource->resource;
  a.subresource = r.subresource;
  if (a.subresource == "binding") {
    a.kind_version = "v1";
    a.kind = "Binding";  // pods/binding reviews the Binding
  } else {
    a.kind_group = r.resource->group;
    a.kind_version = r.resource->version;
    a.kind = r.resource->kind;
  }
  a.name = r.name;
  a.namespace_ = r.namespace_;
  // kube-apiserver's request info gives a namespace's own requests (not its creation) the
  // namespace's name as their namespace.
  if (a.group.empty() && a.resource == "namespaces" && r.operation != AdmissionOperation::Create) {
    a.namespace_ = r.name;
  }
  return a;
}

bool is_exempt(const Attributes& a) {
  // kube-apiserver never sends webhook configurations to webhooks (a bad webhook could
  // otherwise lock out its own fix).
  return a.group == "admissionregistration.k8s.io";
}

bool contains_or_star(const std::vector<std::string>& list, std::string_view value) {
  for (const auto& item : list) {
    if (item == "*" || item == value) {
      return true;
    }
  }
  return false;
}

bool resource_matches(const WebhookRule& rule, const Attributes& a) {
  for (const auto& entry : rule.resources) {
    const std::size_t slash = entry.find('/');
    const std::string res = entry.substr(0, slash);
    const std::string sub = slash == std::string::npos ? "" : entry.substr(slash + 1);
    if ((res == "*" || res == a.resource) && (sub == "*" || sub == a.subresource)) {
      return true;
    }
  }
  return false;
}

bool scope_matches(const WebhookRule& rule, const Attributes& a) {
  const bool is_namespace = a.group.empty() && a.resource == "namespaces";
  if (rule.scope == "Namespaced") {
    return !is_namespace && !a.namespace_.empty();
  }
  if (rule.scope == "Cluster") {
    return is_namespace || a.namespace_.empty();
  }
  return true;
}

bool rules_match(const Webhook& hook, const Attributes& a) {
  for (const auto& rule : hook.rules) {
    if (contains_or_star(rule.operations, a.operation) &&
        contains_or_star(rule.api_groups, a.group) &&
        contains_or_star(rule.api_versions, a.version) && resource_matches(rule, a) &&
        scope_matches(rule, a)) {
      return true;
    }
  }
  return false;
}

std::map<std::string, std::string> labels_of(const JsonValue* object) {
  if (object == nullptr) {
    return {};
  }
  return string_map(find_path(*object, {"metadata", "labels"}));
}

JsonValue gvk(std::string_view group, std::string_view version, std::string_view kind,
              std::string_view kind_key, JsonAllocator& alloc) {
  JsonValue out(rapidjson::kObjectType);
  set_string(out, "group", group, alloc);
  set_string(out, "version", version, alloc);
  set_string(out, kind_key, kind, alloc);
  return out;
}

/// The AdmissionRequest without uid, object and oldObject (also CEL's `request`).
JsonDocument request_json(const AdmissionRequest& r, const Attributes& a) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_member(doc, "kind", gvk(a.kind_group, a.kind_version, a.kind, "kind", alloc), alloc);
  set_member(doc, "resource", gvk(a.group, a.version, a.resource, "resource", alloc), alloc);
  if (!a.subresource.empty()) {
    set_string(doc, "subResource", a.subresource, alloc);
  }
  set_member(doc, "requestKind", gvk(a.kind_group, a.kind_version, a.kind, "kind", alloc), alloc);
  set_member(doc, "requestResource", gvk(a.group, a.version, a.resource, "resource", alloc), alloc);
  if (!a.subresource.empty()) {
    set_string(doc, "requestSubResource", a.subresource, alloc);
  }
  if (!a.name.empty()) {
    set_string(doc, "name", a.name, alloc);
  }
  if (!a.namespace_.empty()) {
    set_string(doc, "namespace", a.namespace_, alloc);
  }
  set_string(doc, "operation", a.operation, alloc);
  JsonValue user(rapidjson::kObjectType);
  set_string(user, "username", "system:admin", alloc);
  JsonValue groups(rapidjson::kArrayType);
  groups.PushBack(make_string("system:masters", alloc), alloc);
  groups.PushBack(make_string("system:authenticated", alloc), alloc);
  set_member(user, "groups", std::move(groups), alloc);
  set_member(doc, "userInfo", std::move(user), alloc);
  set_member(doc, "dryRun", JsonValue(r.dry_run), alloc);
  JsonValue options(rapidjson::kObjectType);
  const std::string_view options_kind = r.operation == AdmissionOperation::Create ? "CreateOptions"
                                        : r.operation == AdmissionOperation::Update
                                            ? "UpdateOptions"
                                            : "DeleteOptions";
  set_string(options, "kind", options_kind, alloc);
  set_string(options, "apiVersion", "meta.k8s.io/v1", alloc);
  if (r.dry_run) {
    JsonValue all(rapidjson::kArrayType);
    all.PushBack(make_string("All", alloc), alloc);
    set_member(options, "dryRun", std::move(all), alloc);
  }
  if (!r.field_manager.empty() && r.operation != AdmissionOperation::Delete) {
    set_string(options, "fieldManager", r.field_manager, alloc);
  }
  set_member(doc, "options", std::move(options), alloc);
  return doc;
}

ApiError call_failure(const Webhook& hook, const std::string& reason) {
  const std::string message = "failed calling webhook \"" + hook.name + "\": " + reason;
  ApiError error = internal_error(message);
  error.causes.push_back(StatusCause{"", message, ""});
  return error;
}

/// kube-apiserver's webhookerrors.ToStatusErr: the webhook's status with its code (400 when
/// below 400), its reason, and the message prefixed with the webhook's name.
ApiError denial(const Webhook& hook, const std::optional<api::Status>& status) {
  ApiError error;
  error.code = 400;
  const std::string denied_by = "admission webhook \"" + hook.name + "\" denied the request";
  if (!status) {
    error.message = denied_by + " without explanation";
    return error;
  }
  error.code = std::max(400, static_cast<int>(status->code.value_or(0)));
  error.reason = status->reason;
  if (!status->message.empty()) {
    error.message = denied_by + ": " + status->message;
  } else if (!status->reason.empty()) {
    error.message = denied_by + ": " + status->reason;
  } else {
    error.message = denied_by + " without explanation";
  }
  if (status->details) {
    error.name = status->details->name;
    error.group = status->details->group;
    error.kind = status->details->kind;
    error.uid = status->details->uid;
    for (const auto& cause : status->details->causes) {
      error.causes.push_back(StatusCause{cause.reason, cause.message, cause.field});
    }
  }
  return error;
}

}  // namespace

struct WebhookAdmission::Call {
  explicit Call(const AdmissionRequest& r) : request(&r), attrs(attributes_of(r)) {
    request_json = devcluster::request_json(r, attrs);
    // CEL sees the typed AdmissionRequest, whose unset strings are "" rather than absent.
    cel_request = copy_document(request_json);
    for (std::string_view key : {"name", "namespace", "subResource", "requestSubResource"}) {
      if (find_member(cel_request, key) == nullptr) {
        set_string(cel_request, key, "", cel_request.GetAllocator());
      }
    }
  }
  const AdmissionRequest* request;
  Attributes attrs;
  JsonDocument request_json;
  JsonDocument cel_request;
};

WebhookAdmission::WebhookAdmission(Store& store, WebhookServiceMap services)
    : store_(store), services_(std::move(services)), rng_(std::random_device{}()) {}

std::string WebhookAdmission::new_uid() {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  {
    std::lock_guard lock(mu_);
    a = rng_();
    b = rng_();
  }
  char text[40];
  std::snprintf(text, sizeof(text), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return text;
}

std::vector<WebhookAdmission::WebhookPtr> WebhookAdmission::webhooks(bool mutating) {
  const std::string& storage = mutating ? kMutatingStorage : kValidatingStorage;
  const auto items = store_.list(storage, "", "", 0, nullptr).items;
  std::lock_guard lock(mu_);
  auto& cache = mutating ? mutating_cache_ : validating_cache_;
  if (items.empty()) {  // the common case: no webhooks registered
    cache.clear();
    return {};
  }
  std::map<std::string, Cached> next;
  std::vector<WebhookPtr> out;
  for (const auto& item : items) {  // in key order: by configuration name
    auto it = cache.find(item->name);
    Cached entry;
    if (it != cache.end() && it->second.rv == item->rv) {
      entry = std::move(it->second);
    } else {
      entry.rv = item->rv;
      for (auto& hook : parse_webhook_configuration(item->doc, mutating)) {
        entry.hooks.push_back(std::make_shared<const Webhook>(std::move(hook)));
      }
    }
    out.insert(out.end(), entry.hooks.begin(), entry.hooks.end());
    next.emplace(item->name, std::move(entry));
  }
  cache = std::move(next);
  return out;
}

Awaitable<AdmissionResult> WebhookAdmission::mutate(AdmissionRequest& request) {
  AdmissionResult result;
  if (request.resource == nullptr || is_exempt(attributes_of(request))) {
    co_return result;
  }
  result.error = co_await run_mutating(request, result.warnings);
  co_return result;
}

Awaitable<AdmissionResult> WebhookAdmission::validate(const AdmissionRequest& request) {
  AdmissionResult result;
  if (request.resource == nullptr || is_exempt(attributes_of(request))) {
    co_return result;
  }
  if (request.operation == AdmissionOperation::Delete) {
    // As kube-apiserver does, a DELETE goes through mutating admission first, with neither an
    // object nor an old object.
    AdmissionRequest mutating = request;
    mutating.object = nullptr;
    mutating.old_object = nullptr;
    result.error = co_await run_mutating(mutating, result.warnings);
    if (result.error) {
      co_return result;
    }
  }
  result.error = co_await run_validating(request, result.warnings);
  co_return result;
}

Awaitable<std::optional<ApiError>> WebhookAdmission::run_mutating(
    AdmissionRequest& request, std::vector<std::string>& warnings) {
  const std::vector<WebhookPtr> hooks = webhooks(true);
  if (hooks.empty()) {
    co_return std::nullopt;
  }
  Call c(request);
  // Reinvocation (kube's webhookReinvokeContext): a change makes every IfNeeded webhook
  // invoked before it eligible for one more call after the first round.
  std::set<std::string> previously_invoked;
  std::set<std::string> reinvoke;
  bool changed_any = false;
  for (int round = 0; round < 2; ++round) {
    if (round == 1 && !changed_any) {
      break;
    }
    for (const auto& hook : hooks) {
      if (round == 1 && reinvoke.count(hook->uid) == 0) {
        continue;
      }
      CallOutcome outcome;
      auto error = co_await call(*hook, c, outcome, warnings);
      if (error) {
        co_return error;
      }
      if (round == 0 && outcome.changed) {
        reinvoke.insert(previously_invoked.begin(), previously_invoked.end());
        previously_invoked.clear();
        changed_any = true;
      }
      if (round == 0 && outcome.invoked && hook->reinvoke_if_needed) {
        previously_invoked.insert(hook->uid);
      }
    }
  }
  co_return std::nullopt;
}

Awaitable<std::optional<ApiError>> WebhookAdmission::run_validating(
    const AdmissionRequest& request, std::vector<std::string>& warnings) {
  const std::vector<WebhookPtr> hooks = webhooks(false);
  if (hooks.empty()) {
    co_return std::nullopt;
  }
  Call c(request);
  for (const auto& hook : hooks) {
    CallOutcome outcome;
    auto error = co_await call(*hook, c, outcome, warnings);
    if (error) {
      co_return error;
    }
  }
  co_return std::nullopt;
}

Awaitable<std::optional<ApiError>> WebhookAdmission::call(const Webhook& hook, Call& c,
                                                          CallOutcome& outcome,
                                                          std::vector<std::string>& warnings) {
  const AdmissionRequest& request = *c.request;
  const Attributes& a = c.attrs;
  std::optional<ApiError> skip;
  // rules, namespaceSelector, objectSelector (kube's ShouldCallHook)
  if (!rules_match(hook, a)) {
    co_return skip;
  }
  const bool is_namespace = a.group.empty() && a.resource == "namespaces";
  if (!hook.namespace_selector.empty() && (!a.namespace_.empty() || is_namespace)) {
    std::map<std::string, std::string> ns_labels;
    if (is_namespace && a.subresource.empty() && request.object != nullptr) {
      ns_labels = labels_of(request.object);
    } else {
      ObjectPtr ns = store_.get("/namespaces", "", a.namespace_);
      if (ns == nullptr) {
        co_return not_found(ErrorSubject{"namespaces", "", "namespaces", a.namespace_});
      }
      ns_labels = ns->labels;
    }
    if (!hook.namespace_selector.matches(ns_labels)) {
      co_return skip;
    }
  }
  if (!hook.object_selector.empty()) {
    const bool new_matches =
        request.object != nullptr && hook.object_selector.matches(labels_of(request.object));
    const bool old_matches = request.old_object != nullptr &&
                             hook.object_selector.matches(labels_of(request.old_object));
    if (!new_matches && !old_matches) {
      co_return skip;
    }
  }
  auto failure = [&hook](const std::string& reason) -> std::optional<ApiError> {
    if (hook.fail_open) {
      LOG(WARNING) << "failed calling webhook, failing open " << hook.name << ": " << reason;
      return std::nullopt;
    }
    return call_failure(hook, reason);
  };
  if (!hook.broken.empty()) {
    co_return failure(hook.broken);
  }
  // matchConditions: any false skips; otherwise any error follows failurePolicy.
  if (!hook.match_conditions.empty()) {
    const CelVariables variables{
        {"object", request.object}, {"oldObject", request.old_object}, {"request", &c.cel_request}};
    std::string first_error;
    for (const auto& condition : hook.match_conditions) {
      auto matched = condition.expression.evaluate_bool(variables);
      if (matched && !*matched) {
        co_return skip;
      }
      if (!matched && first_error.empty()) {
        first_error =
            "failed to evaluate match condition \"" + condition.name + "\": " + matched.error();
      }
    }
    if (!first_error.empty()) {
      co_return failure(first_error);
    }
  }
  outcome.invoked = true;
  if (request.dry_run && hook.side_effects != "None" && hook.side_effects != "NoneOnDryRun") {
    if (hook.side_effects.empty()) {
      co_return failure("Webhook SideEffects is nil");
    }
    co_return bad_request("admission webhook \"" + hook.name + "\" does not support dry run");
  }
  auto target = webhook_target(hook.client, hook.timeout_seconds, services_);
  if (!target) {
    co_return failure("failed to call webhook: " + target.error());
  }

  const std::string uid = new_uid();
  JsonDocument review(rapidjson::kObjectType);
  auto& alloc = review.GetAllocator();
  set_string(review, "apiVersion", "admission.k8s.io/v1", alloc);
  set_string(review, "kind", "AdmissionReview", alloc);
  JsonValue body = deep_copy(c.request_json, alloc);
  set_string(body, "uid", uid, alloc);
  set_member(body, "object",
             request.object != nullptr ? deep_copy(*request.object, alloc) : JsonValue(), alloc);
  set_member(body, "oldObject",
             request.old_object != nullptr ? deep_copy(*request.old_object, alloc) : JsonValue(),
             alloc);
  set_member(review, "request", std::move(body), alloc);
  std::string text = api::write_json(review);
  const std::chrono::milliseconds timeout = std::chrono::seconds(hook.timeout_seconds);
  auto answer = co_await client_.post(*target, std::move(text), timeout);
  if (!answer) {
    co_return failure("failed to call webhook: " + answer.error());
  }
  auto parsed = api::parse_admission_review(*answer);
  if (!parsed) {
    co_return failure("failed to call webhook: couldn't decode the AdmissionReview: " +
                      parsed.error().to_string());
  }
  const std::string invalid = "received invalid webhook response: ";
  if (parsed->api_version != "admission.k8s.io/v1" || parsed->kind != "AdmissionReview") {
    co_return failure(invalid + "expected webhook response of admission.k8s.io/v1, " +
                      "Kind=AdmissionReview, got " + parsed->api_version +
                      ", Kind=" + parsed->kind);
  }
  if (!parsed->response) {
    co_return failure(invalid + "webhook response was absent");
  }
  const api::AdmissionResponse& response = *parsed->response;
  if (response.uid != uid) {
    co_return failure(invalid + "expected response.uid=\"" + uid + "\", got \"" + response.uid +
                      "\"");
  }
  if (!response.patch.empty() && response.patch_type.empty()) {
    co_return failure(invalid + "webhook returned response.patch but not response.patchType");
  }
  if (!response.patch_type.empty() && response.patch_type != "JSONPatch") {
    co_return failure(invalid + "webhook returned invalid response.patchType of \"" +
                      response.patch_type + "\"");
  }
  if (!hook.mutating && !response.patch.empty()) {
    co_return failure(invalid + "validating webhook may not return response.patch");
  }
  warnings.insert(warnings.end(), response.warnings.begin(), response.warnings.end());
  if (!response.allowed) {
    co_return denial(hook, response.status);
  }
  if (response.patch.empty() || request.object == nullptr) {
    co_return skip;
  }
  JsonDocument patch;
  if (auto ok = api::parse_json(response.patch, patch); !ok) {
    co_return internal_error("decoding the JSON patch of webhook \"" + hook.name +
                             "\": " + ok.error().to_string());
  }
  // Patched on a copy and copied back with the object's own allocator: the registry holds
  // references into the document's allocator, which a swap would replace.
  JsonDocument patched = copy_document(*request.object);
  if (auto applied = apply_json_patch(patched, patch); !applied) {
    co_return internal_error(applied.error());
  }
  outcome.changed = !json_equal(patched, *request.object);
  if (outcome.changed) {
    request.object->CopyFrom(patched, request.object->GetAllocator());
  }
  co_return skip;
}

}  // namespace korder::devcluster
