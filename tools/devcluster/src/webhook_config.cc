#include "webhook_config.h"

#include <algorithm>
#include <map>
#include <set>

#include "korder/api/base64.h"
#include "korder/api/json.h"
#include "korder/api/meta.h"
#include "korder/api/names.h"

namespace korder::devcluster {
namespace {

constexpr std::size_t kMaxMatchConditions = 64;

using Type = FieldError::Type;

std::string quoted(std::string_view text) {
  return api::write_json(
      JsonValue(rapidjson::StringRef(text.data(), static_cast<rapidjson::SizeType>(text.size()))));
}

std::string supported(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    out += (out.empty() ? "" : ", ") + quoted(v);
  }
  return out;
}

/// A member that must be one of `values` when present.
void check_enum(FieldErrors& errors, const JsonValue& object, std::string_view key,
                const std::string& path, const std::vector<std::string>& values, bool required) {
  const JsonValue* value = find_member(object, key);
  if (value == nullptr || value->IsNull()) {
    if (required) {
      errors.push_back(
          FieldError{Type::Required, path, "Required value: must be one of " + supported(values)});
    }
    return;
  }
  const std::string text = value->IsString() ? value->GetString() : api::write_json(*value);
  for (const auto& v : values) {
    if (value->IsString() && text == v) {
      return;
    }
  }
  errors.push_back(FieldError{
      Type::NotSupported, path,
      "Unsupported value: " + quoted(text) + ": supported values: " + supported(values)});
}

Expected<api::Selector, std::string> selector_of(const JsonValue* json) {
  if (json == nullptr || json->IsNull()) {
    return api::Selector::everything();
  }
  api::LabelSelector selector;
  if (auto decoded = api::from_json_value(*json, selector); !decoded) {
    return Unexpected(decoded.error().to_string());
  }
  auto parsed = api::from_label_selector(selector);
  if (!parsed) {
    return Unexpected(parsed.error().to_string());
  }
  return *parsed;
}

void validate_client_config(FieldErrors& errors, const JsonValue* config, const std::string& path) {
  const JsonValue* url = config != nullptr ? find_member(*config, "url") : nullptr;
  const JsonValue* service = config != nullptr ? find_member(*config, "service") : nullptr;
  const bool has_url = url != nullptr && !url->IsNull();
  const bool has_service = service != nullptr && !service->IsNull();
  if (has_url == has_service) {
    errors.push_back(FieldError{Type::Required, path,
                                "Required value: exactly one of url or service is required"});
    return;
  }
  if (has_url) {
    const std::string_view text = string_at(*config, {"url"});
    if (!text.starts_with("https://")) {
      errors.push_back(FieldError{
          Type::Invalid, path + ".url",
          "Invalid value: " + quoted(text) + ": 'https' is the only allowed URL scheme"});
    } else if (text.size() == 8 || text[8] == '/') {
      errors.push_back(FieldError{Type::Invalid, path + ".url",
                                  "Invalid value: " + quoted(text) + ": host must be specified"});
    }
    return;
  }
  if (string_at(*service, {"namespace"}).empty()) {
    errors.push_back(FieldError{Type::Required, path + ".service.namespace",
                                "Required value: service namespace is required"});
  }
  if (string_at(*service, {"name"}).empty()) {
    errors.push_back(FieldError{Type::Required, path + ".service.name",
                                "Required value: service name is required"});
  }
  const std::string_view svc_path = string_at(*service, {"path"});
  if (!svc_path.empty() && !svc_path.starts_with("/")) {
    errors.push_back(FieldError{Type::Invalid, path + ".service.path",
                                "Invalid value: " + quoted(svc_path) + ": must start with a '/'"});
  }
  if (auto port = int_at(*service, {"port"}); port && (*port < 1 || *port > 65535)) {
    errors.push_back(FieldError{Type::Invalid, path + ".service.port",
                                "Invalid value: " + std::to_string(*port) +
                                    ": port is not valid: must be between 1 and 65535, inclusive"});
  }
}

void validate_rules(FieldErrors& errors, const JsonValue* rules, const std::string& path) {
  if (rules == nullptr || !rules->IsArray()) {
    return;
  }
  for (rapidjson::SizeType i = 0; i < rules->Size(); ++i) {
    const JsonValue& rule = (*rules)[i];
    const std::string at = path + "[" + std::to_string(i) + "]";
    for (const auto& op : string_list(find_member(rule, "operations"))) {
      if (op != "CREATE" && op != "UPDATE" && op != "DELETE" && op != "CONNECT" && op != "*") {
        errors.push_back(FieldError{
            Type::NotSupported, at + ".operations",
            "Unsupported value: " + quoted(op) +
                ": supported values: \"*\", \"CONNECT\", \"CREATE\", \"DELETE\", \"UPDATE\""});
      }
    }
    for (std::string_view key : {"operations", "apiGroups", "apiVersions", "resources"}) {
      const JsonValue* list = find_member(rule, key);
      if (list == nullptr || !list->IsArray() || list->Empty()) {
        errors.push_back(FieldError{Type::Required, at + "." + std::string(key), "Required value"});
      }
    }
    check_enum(errors, rule, "scope", at + ".scope", {"Cluster", "Namespaced", "*"}, false);
  }
}

void validate_match_conditions(FieldErrors& errors, const JsonValue* conditions,
                               const std::string& path) {
  if (conditions == nullptr || !conditions->IsArray()) {
    return;
  }
  if (conditions->Size() > kMaxMatchConditions) {
    errors.push_back(FieldError{Type::TooMany, path,
                                "Too many: " + std::to_string(conditions->Size()) +
                                    ": must have at most " + std::to_string(kMaxMatchConditions) +
                                    " items"});
  }
  std::set<std::string> names;
  for (rapidjson::SizeType i = 0; i < conditions->Size(); ++i) {
    const JsonValue& condition = (*conditions)[i];
    const std::string at = path + "[" + std::to_string(i) + "]";
    const std::string name(string_at(condition, {"name"}));
    if (name.empty()) {
      errors.push_back(FieldError{Type::Required, at + ".name", "Required value"});
    } else if (auto problems = api::is_qualified_name(name); !problems.empty()) {
      errors.push_back(FieldError{Type::Invalid, at + ".name",
                                  "Invalid value: " + quoted(name) + ": " + problems.front()});
    } else if (!names.insert(name).second) {
      errors.push_back(
          FieldError{Type::Duplicate, at + ".name", "Duplicate value: " + quoted(name)});
    }
    const std::string expression(string_at(condition, {"expression"}));
    if (expression.empty()) {
      errors.push_back(FieldError{Type::Required, at + ".expression", "Required value"});
      continue;
    }
    if (auto compiled = CelExpression::compile(expression); !compiled) {
      errors.push_back(FieldError{
          Type::Invalid, at + ".expression",
          "Invalid value: " + quoted(expression) + ": compilation failed: " + compiled.error() +
              " (the development cluster evaluates a CEL subset: has(), in, ==, !=, <, >, &&, "
              "||, !, field selection, indexing, literals)"});
    }
  }
}

void validate_webhook(FieldErrors& errors, const JsonValue& hook, const std::string& at,
                      bool mutating) {
  const std::string name(string_at(hook, {"name"}));
  if (name.empty()) {
    errors.push_back(FieldError{Type::Required, at + ".name", "Required value"});
  } else if (auto problems = api::is_dns1123_subdomain(name); !problems.empty()) {
    errors.push_back(FieldError{Type::Invalid, at + ".name",
                                "Invalid value: " + quoted(name) + ": " + problems.front()});
  } else if (std::count(name.begin(), name.end(), '.') < 2) {
    errors.push_back(
        FieldError{Type::Invalid, at + ".name",
                   "Invalid value: " + quoted(name) +
                       ": should be a domain with at least three segments separated by dots"});
  }
  const auto versions = string_list(find_member(hook, "admissionReviewVersions"));
  if (std::find(versions.begin(), versions.end(), "v1") == versions.end() &&
      std::find(versions.begin(), versions.end(), "v1beta1") == versions.end()) {
    errors.push_back(FieldError{Type::Required, at + ".admissionReviewVersions",
                                "Required value: must specify one of v1, v1beta1"});
  }
  check_enum(errors, hook, "sideEffects", at + ".sideEffects", {"None", "NoneOnDryRun"}, true);
  check_enum(errors, hook, "failurePolicy", at + ".failurePolicy", {"Fail", "Ignore"}, false);
  check_enum(errors, hook, "matchPolicy", at + ".matchPolicy", {"Equivalent", "Exact"}, false);
  if (mutating) {
    check_enum(errors, hook, "reinvocationPolicy", at + ".reinvocationPolicy",
               {"IfNeeded", "Never"}, false);
  }
  if (auto timeout = int_at(hook, {"timeoutSeconds"}); timeout && (*timeout < 1 || *timeout > 30)) {
    errors.push_back(FieldError{Type::Invalid, at + ".timeoutSeconds",
                                "Invalid value: " + std::to_string(*timeout) +
                                    ": the timeout value must be between 1 and 30 seconds"});
  }
  validate_client_config(errors, find_member(hook, "clientConfig"), at + ".clientConfig");
  validate_rules(errors, find_member(hook, "rules"), at + ".rules");
  for (std::string_view key : {"namespaceSelector", "objectSelector"}) {
    if (auto selector = selector_of(find_member(hook, key)); !selector) {
      errors.push_back(FieldError{Type::Invalid, at + "." + std::string(key),
                                  "Invalid value: " + selector.error()});
    }
  }
  validate_match_conditions(errors, find_member(hook, "matchConditions"), at + ".matchConditions");
}

WebhookClientConfig client_config_of(const JsonValue* config, std::string& broken) {
  WebhookClientConfig out;
  if (config == nullptr) {
    broken = "clientConfig is missing";
    return out;
  }
  out.url = std::string(string_at(*config, {"url"}));
  if (const JsonValue* service = find_member(*config, "service")) {
    out.service_namespace = std::string(string_at(*service, {"namespace"}));
    out.service_name = std::string(string_at(*service, {"name"}));
    out.service_path = std::string(string_at(*service, {"path"}));
    out.service_port = static_cast<int>(int_at(*service, {"port"}).value_or(443));
  }
  const std::string_view bundle = string_at(*config, {"caBundle"});
  if (!bundle.empty()) {
    auto pem = api::base64_decode(bundle);
    if (!pem) {
      broken = "caBundle: " + pem.error().to_string();
    } else {
      out.ca_bundle_pem = std::move(*pem);
    }
  }
  return out;
}

std::vector<WebhookRule> rules_of(const JsonValue* rules) {
  std::vector<WebhookRule> out;
  if (rules == nullptr || !rules->IsArray()) {
    return out;
  }
  for (const auto& rule : rules->GetArray()) {
    WebhookRule r;
    r.operations = string_list(find_member(rule, "operations"));
    r.api_groups = string_list(find_member(rule, "apiGroups"));
    r.api_versions = string_list(find_member(rule, "apiVersions"));
    r.resources = string_list(find_member(rule, "resources"));
    const std::string_view scope = string_at(rule, {"scope"});
    r.scope = scope.empty() ? "*" : std::string(scope);
    out.push_back(std::move(r));
  }
  return out;
}

Webhook webhook_of(const JsonValue& hook, const std::string& configuration, bool mutating) {
  Webhook w;
  w.configuration = configuration;
  w.name = std::string(string_at(hook, {"name"}));
  w.mutating = mutating;
  w.client = client_config_of(find_member(hook, "clientConfig"), w.broken);
  w.rules = rules_of(find_member(hook, "rules"));
  w.fail_open = string_at(hook, {"failurePolicy"}) == "Ignore";
  w.side_effects = std::string(string_at(hook, {"sideEffects"}));
  w.timeout_seconds = static_cast<int>(int_at(hook, {"timeoutSeconds"}).value_or(10));
  w.timeout_seconds = std::clamp(w.timeout_seconds, 1, 30);
  w.reinvoke_if_needed = mutating && string_at(hook, {"reinvocationPolicy"}) == "IfNeeded";
  auto ns_selector = selector_of(find_member(hook, "namespaceSelector"));
  auto object_selector = selector_of(find_member(hook, "objectSelector"));
  if (!ns_selector || !object_selector) {
    w.broken =
        "invalid selector: " + (!ns_selector ? ns_selector.error() : object_selector.error());
  } else {
    w.namespace_selector = *ns_selector;
    w.object_selector = *object_selector;
  }
  if (const JsonValue* conditions = find_member(hook, "matchConditions");
      conditions != nullptr && conditions->IsArray()) {
    for (const auto& condition : conditions->GetArray()) {
      auto compiled = CelExpression::compile(string_at(condition, {"expression"}));
      if (!compiled) {
        w.broken = "matchCondition " + quoted(string_at(condition, {"name"})) +
                   ": compilation failed: " + compiled.error();
        continue;
      }
      w.match_conditions.push_back(
          WebhookMatchCondition{std::string(string_at(condition, {"name"})), *compiled});
    }
  }
  return w;
}

}  // namespace

std::vector<Webhook> parse_webhook_configuration(const JsonValue& object, bool mutating) {
  std::vector<Webhook> out;
  const std::string configuration(string_at(object, {"metadata", "name"}));
  const JsonValue* hooks = find_member(object, "webhooks");
  if (hooks == nullptr || !hooks->IsArray()) {
    return out;
  }
  std::map<std::string, int> seen;
  for (const auto& hook : hooks->GetArray()) {
    Webhook w = webhook_of(hook, configuration, mutating);
    w.uid = configuration + "/" + w.name + "/" + std::to_string(seen[w.name]++);
    out.push_back(std::move(w));
  }
  return out;
}

FieldErrors validate_webhook_configuration(const JsonValue& object, bool mutating) {
  FieldErrors errors;
  const JsonValue* hooks = find_member(object, "webhooks");
  if (hooks == nullptr || hooks->IsNull()) {
    return errors;
  }
  if (!hooks->IsArray()) {
    errors.push_back(FieldError{Type::Invalid, "webhooks", "Invalid value: must be a list"});
    return errors;
  }
  std::set<std::string> names;
  for (rapidjson::SizeType i = 0; i < hooks->Size(); ++i) {
    const JsonValue& hook = (*hooks)[i];
    const std::string at = "webhooks[" + std::to_string(i) + "]";
    if (!hook.IsObject()) {
      errors.push_back(FieldError{Type::Invalid, at, "Invalid value: must be an object"});
      continue;
    }
    validate_webhook(errors, hook, at, mutating);
    const std::string name(string_at(hook, {"name"}));
    if (!name.empty() && !names.insert(name).second) {
      errors.push_back(
          FieldError{Type::Duplicate, at + ".name", "Duplicate value: " + quoted(name)});
    }
  }
  return errors;
}

}  // namespace korder::devcluster
