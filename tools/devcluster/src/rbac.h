#pragma once

// RBAC authorization as kube-apiserver's `--authorization-mode=RBAC` does it, evaluated from the
// stored Roles, ClusterRoles, RoleBindings and ClusterRoleBindings (no aggregation, no
// escalation checks):
// - request attributes read from the URL alone, as Kubernetes' RequestInfoFactory does (verbs
//   get/list/watch/create/update/patch/delete/deletecollection; `resource/subresource`; a list
//   or watch with `fieldSelector=metadata.name=X` names X);
// - rules with apiGroups, resources (`*`, `*/sub`, `res/sub`), verbs, resourceNames (a request
//   without a name — a create or a list — never matches a rule with resourceNames) and
//   nonResourceURLs (exact or `prefix*`);
// - `system:masters` may do everything; every authenticated user may read discovery, version,
//   OpenAPI and health, and create SelfSubjectAccessReviews / SelfSubjectReviews (the default
//   `system:discovery`, `system:basic-user` and `system:public-info-viewer` roles); anonymous
//   users may read version and health.
// Denials are 403 Forbidden with kube-apiserver's message.

#include <string>
#include <string_view>
#include <vector>

#include "api_error.h"
#include "authn.h"
#include "http_types.h"
#include "json_access.h"
#include "store.h"

namespace korder::devcluster {

/// What a request asks to do (Kubernetes' authorizer.Attributes).
struct RequestAttributes {
  UserInfo user;
  std::string verb;
  bool resource_request = false;
  std::string api_group;
  std::string api_version;
  std::string resource;
  std::string subresource;
  std::string namespace_;
  std::string name;
  std::string path;  // non-resource requests
};

/// The attributes of `request` made by `user`.
RequestAttributes request_attributes(const HttpRequest& request, const UserInfo& user);

/// One rule of a Role or ClusterRole.
struct PolicyRule {
  std::vector<std::string> verbs;
  std::vector<std::string> api_groups;
  std::vector<std::string> resources;
  std::vector<std::string> resource_names;
  std::vector<std::string> non_resource_urls;
};

/// The rules of a Role/ClusterRole object (its `rules[]`).
std::vector<PolicyRule> policy_rules(const JsonValue& role);

/// Kubernetes' RuleAllows.
bool rule_allows(const PolicyRule& rule, const RequestAttributes& attributes);

/// An authorization decision; `reason` lists broken bindings (`RBAC: clusterrole... not found`).
struct Decision {
  bool allowed = false;
  std::string reason;
};

/// Evaluates requests against the RBAC objects in `store`. Thread-safe.
class RbacAuthorizer {
 public:
  explicit RbacAuthorizer(const Store& store) : store_(store) {}
  Decision authorize(const RequestAttributes& attributes) const;

 private:
  const Store& store_;
};

/// kube-apiserver's forbiddenMessage: `User "u" cannot VERB resource "R[/S]" in API group "G"
/// in the namespace "NS"` (or `at the cluster scope`, or `cannot VERB path "/p"`).
std::string forbidden_message(const RequestAttributes& attributes);

/// The 403 of a denied request: `<resource>[.<group>] ["<name>" ]is forbidden: <message>[: reason]`
/// (`forbidden: <message>` for non-resource requests).
ApiError forbidden_error(const RequestAttributes& attributes, std::string_view reason);

}  // namespace korder::devcluster
