#include "rbac.h"

#include <algorithm>
#include <cctype>

namespace korder::devcluster {
namespace {

constexpr std::string_view kGroup = "rbac.authorization.k8s.io";

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty()) {
      parts.emplace_back(part);
    }
    if (slash == std::string_view::npos) {
      break;
    }
    path.remove_prefix(slash + 1);
  }
  return parts;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

/// The name a field selector requires exactly (`metadata.name=X` or `==`), or "".
std::string exact_name(std::string_view selector) {
  while (!selector.empty()) {
    const std::size_t comma = selector.find(',');
    std::string_view term = selector.substr(0, comma);
    const std::size_t eq = term.find('=');
    if (eq != std::string_view::npos && (eq == 0 || term[eq - 1] != '!')) {
      std::string_view key = term.substr(0, eq);
      std::string_view value = term.substr(eq + 1);
      if (!value.empty() && value.front() == '=') {
        value.remove_prefix(1);
      }
      if (key == "metadata.name" && !value.empty() && value != "." && value != ".." &&
          value.find('/') == std::string_view::npos && value.find('%') == std::string_view::npos) {
        return std::string(value);
      }
    }
    if (comma == std::string_view::npos) {
      break;
    }
    selector.remove_prefix(comma + 1);
  }
  return "";
}

bool has(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

bool verb_matches(const PolicyRule& rule, std::string_view verb) {
  return has(rule.verbs, "*") || has(rule.verbs, verb);
}

bool group_matches(const PolicyRule& rule, std::string_view group) {
  return has(rule.api_groups, "*") || has(rule.api_groups, group);
}

bool resource_matches(const PolicyRule& rule, std::string_view combined,
                      std::string_view subresource) {
  for (const auto& r : rule.resources) {
    if (r == "*" || r == combined) {
      return true;
    }
    if (!subresource.empty() && r.size() == subresource.size() + 2 && r.rfind("*/", 0) == 0 &&
        std::string_view(r).substr(2) == subresource) {
      return true;
    }
  }
  return false;
}

bool name_matches(const PolicyRule& rule, std::string_view name) {
  return rule.resource_names.empty() || (!name.empty() && has(rule.resource_names, name));
}

bool url_matches(const PolicyRule& rule, std::string_view path) {
  for (const auto& url : rule.non_resource_urls) {
    if (url == "*" || url == path) {
      return true;
    }
    if (!url.empty() && url.back() == '*') {
      std::string_view prefix = url;
      while (!prefix.empty() && prefix.back() == '*') {
        prefix.remove_suffix(1);
      }
      if (path.substr(0, prefix.size()) == prefix) {
        return true;
      }
    }
  }
  return false;
}

/// The rules every authenticated user has (system:discovery, system:basic-user,
/// system:public-info-viewer), and those of anonymous users (system:public-info-viewer).
const std::vector<PolicyRule>& authenticated_rules() {
  static const std::vector<PolicyRule> rules = {
      {{"get"},
       {},
       {},
       {},
       {"/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*", "/healthz", "/livez",
        "/readyz", "/version", "/version/"}},
      {{"create"},
       {"authorization.k8s.io"},
       {"selfsubjectaccessreviews", "selfsubjectrulesreviews"},
       {},
       {}},
      {{"create"}, {"authentication.k8s.io"}, {"selfsubjectreviews"}, {}, {}},
  };
  return rules;
}

const std::vector<PolicyRule>& public_info_rules() {
  static const std::vector<PolicyRule> rules = {
      {{"get"}, {}, {}, {}, {"/healthz", "/livez", "/readyz", "/version", "/version/"}},
  };
  return rules;
}

bool any_allows(const std::vector<PolicyRule>& rules, const RequestAttributes& attributes) {
  return std::any_of(rules.begin(), rules.end(),
                     [&](const PolicyRule& rule) { return rule_allows(rule, attributes); });
}

/// Whether `subject` of a binding in `binding_namespace` names the user.
bool subject_matches(const JsonValue& subject, const UserInfo& user,
                     std::string_view binding_namespace) {
  const std::string_view kind = string_at(subject, {"kind"});
  const std::string_view name = string_at(subject, {"name"});
  if (kind == "User") {
    return name == user.name;
  }
  if (kind == "Group") {
    return user.in_group(name);
  }
  if (kind == "ServiceAccount") {
    std::string_view ns = string_at(subject, {"namespace"});
    if (ns.empty()) {
      ns = binding_namespace;
    }
    return user.name == "system:serviceaccount:" + std::string(ns) + ":" + std::string(name);
  }
  return false;
}

bool binding_applies(const JsonValue& binding, const UserInfo& user, std::string_view ns) {
  const JsonValue* subjects = find_member(binding, "subjects");
  if (subjects == nullptr || !subjects->IsArray()) {
    return false;
  }
  for (const auto& subject : subjects->GetArray()) {
    if (subject_matches(subject, user, ns)) {
      return true;
    }
  }
  return false;
}

}  // namespace

RequestAttributes request_attributes(const HttpRequest& request, const UserInfo& user) {
  RequestAttributes out;
  out.user = user;
  out.path = request.path;
  out.verb = lower(request.method);
  std::vector<std::string> parts = split_path(request.path);
  if (parts.size() < 3 || (parts[0] != "api" && parts[0] != "apis")) {
    return out;
  }
  std::size_t at = 1;
  if (parts[0] == "apis") {
    if (parts.size() < 4) {
      return out;
    }
    out.api_group = parts[at++];
  }
  out.resource_request = true;
  out.api_version = parts[at++];
  const std::string& method = request.method;
  if (method == "POST") {
    out.verb = "create";
  } else if (method == "GET" || method == "HEAD") {
    out.verb = "get";
  } else if (method == "PUT") {
    out.verb = "update";
  } else if (method == "PATCH") {
    out.verb = "patch";
  } else if (method == "DELETE") {
    out.verb = "delete";
  } else {
    out.verb = "";
  }
  if (at < parts.size() && parts[at] == "namespaces") {
    if (at + 1 < parts.size()) {
      out.namespace_ = parts[at + 1];
      if (at + 2 < parts.size() && parts[at + 2] != "status" && parts[at + 2] != "finalize") {
        at += 2;
      }
    }
  }
  const std::size_t n = parts.size() - at;
  if (n >= 3) {
    out.subresource = parts[at + 2];
  }
  if (n >= 2) {
    out.name = parts[at + 1];
  }
  if (n >= 1) {
    out.resource = parts[at];
  }
  if (out.name.empty() && out.verb == "get") {
    auto watch = request.param("watch");
    const std::string w = watch ? lower(*watch) : "";
    out.verb = (w == "1" || w == "t" || w == "true") ? "watch" : "list";
    if (auto selector = request.param("fieldSelector")) {
      out.name = exact_name(*selector);
    }
  }
  if (out.name.empty() && out.verb == "delete") {
    out.verb = "deletecollection";
  }
  return out;
}

std::vector<PolicyRule> policy_rules(const JsonValue& role) {
  std::vector<PolicyRule> out;
  const JsonValue* rules = find_member(role, "rules");
  if (rules == nullptr || !rules->IsArray()) {
    return out;
  }
  for (const auto& rule : rules->GetArray()) {
    out.push_back({string_list(find_member(rule, "verbs")),
                   string_list(find_member(rule, "apiGroups")),
                   string_list(find_member(rule, "resources")),
                   string_list(find_member(rule, "resourceNames")),
                   string_list(find_member(rule, "nonResourceURLs"))});
  }
  return out;
}

bool rule_allows(const PolicyRule& rule, const RequestAttributes& attributes) {
  if (!verb_matches(rule, attributes.verb)) {
    return false;
  }
  if (!attributes.resource_request) {
    return url_matches(rule, attributes.path);
  }
  std::string combined = attributes.resource;
  if (!attributes.subresource.empty()) {
    combined += "/" + attributes.subresource;
  }
  return group_matches(rule, attributes.api_group) &&
         resource_matches(rule, combined, attributes.subresource) &&
         name_matches(rule, attributes.name);
}

Decision RbacAuthorizer::authorize(const RequestAttributes& attributes) const {
  const UserInfo& user = attributes.user;
  if (user.in_group("system:masters")) {
    return {true, ""};
  }
  if (user.in_group("system:authenticated") && any_allows(authenticated_rules(), attributes)) {
    return {true, ""};
  }
  if (any_allows(public_info_rules(), attributes)) {
    return {true, ""};
  }
  std::vector<std::string> errors;
  const std::string prefix = std::string(kGroup) + "/";
  // The rules of `role_ref` (a binding's roleRef in namespace `ns`), noting missing roles.
  auto role_allows = [&](const JsonValue& binding, std::string_view ns) {
    const std::string_view kind = string_at(binding, {"roleRef", "kind"});
    const std::string name(string_at(binding, {"roleRef", "name"}));
    ObjectPtr role;
    if (kind == "ClusterRole") {
      role = store_.get(prefix + "clusterroles", "", name);
      if (!role) {
        errors.push_back("clusterrole.rbac.authorization.k8s.io \"" + name + "\" not found");
      }
    } else if (kind == "Role") {
      role = store_.get(prefix + "roles", ns, name);
      if (!role) {
        errors.push_back("role.rbac.authorization.k8s.io \"" + name + "\" not found");
      }
    }
    return role && any_allows(policy_rules(role->doc), attributes);
  };
  const auto cluster_bindings = store_.list(prefix + "clusterrolebindings", "", "", 0, nullptr);
  for (const auto& binding : cluster_bindings.items) {
    if (string_at(binding->doc, {"roleRef", "kind"}) == "ClusterRole" &&
        binding_applies(binding->doc, user, "") && role_allows(binding->doc, "")) {
      return {true, ""};
    }
  }
  if (!attributes.namespace_.empty()) {
    const auto bindings =
        store_.list(prefix + "rolebindings", attributes.namespace_, "", 0, nullptr);
    for (const auto& binding : bindings.items) {
      if (binding_applies(binding->doc, user, attributes.namespace_) &&
          role_allows(binding->doc, attributes.namespace_)) {
        return {true, ""};
      }
    }
  }
  Decision denied;
  if (errors.size() == 1) {
    denied.reason = "RBAC: " + errors.front();
  } else if (!errors.empty()) {
    denied.reason = "RBAC: [";
    for (std::size_t i = 0; i < errors.size(); ++i) {
      denied.reason += (i == 0 ? "" : ", ") + errors[i];
    }
    denied.reason += "]";
  }
  return denied;
}

std::string forbidden_message(const RequestAttributes& a) {
  const std::string user = "User \"" + a.user.name + "\"";
  if (!a.resource_request) {
    return user + " cannot " + a.verb + " path \"" + a.path + "\"";
  }
  std::string resource = a.resource;
  if (!a.subresource.empty()) {
    resource += "/" + a.subresource;
  }
  std::string out = user + " cannot " + a.verb + " resource \"" + resource + "\" in API group \"" +
                    a.api_group + "\"";
  if (!a.namespace_.empty()) {
    return out + " in the namespace \"" + a.namespace_ + "\"";
  }
  return out + " at the cluster scope";
}

ApiError forbidden_error(const RequestAttributes& a, std::string_view reason) {
  std::string message = forbidden_message(a);
  if (!reason.empty()) {
    message += ": " + std::string(reason);
  }
  ErrorSubject subject;
  if (a.resource_request) {
    subject.group = a.api_group;
    subject.resource = a.resource;
    subject.name = a.name;
    subject.qualified = a.api_group.empty() ? a.resource : a.resource + "." + a.api_group;
  }
  std::string full;
  if (subject.qualified.empty()) {
    full = "forbidden: " + message;
  } else if (a.name.empty()) {
    full = subject.qualified + " is forbidden: " + message;
  } else {
    full = subject.qualified + " \"" + a.name + "\" is forbidden: " + message;
  }
  return forbidden(subject, std::move(full));
}

}  // namespace korder::devcluster
