#include "resource_info.h"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace korder::devcluster {
namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

ResourceInfo core(std::string resource, std::string singular, std::string kind, bool namespaced) {
  ResourceInfo info;
  info.group = "";
  info.version = "v1";
  info.resource = std::move(resource);
  info.singular = std::move(singular);
  info.kind = kind;
  info.list_kind = kind + "List";
  info.namespaced = namespaced;
  info.verbs = kAllVerbs;
  return info;
}

ResourceInfo grouped(std::string group, std::string version, std::string resource,
                     std::string singular, std::string kind, bool namespaced) {
  ResourceInfo info = core(std::move(resource), std::move(singular), std::move(kind), namespaced);
  info.group = std::move(group);
  info.version = std::move(version);
  return info;
}

int group_rank(const std::string& group) {
  // Core first, then the built-in groups in kube-apiserver's order, then custom groups.
  static const std::vector<std::string> kOrder = {"",
                                                  "apps",
                                                  "rbac.authorization.k8s.io",
                                                  "networking.k8s.io",
                                                  "policy",
                                                  "coordination.k8s.io",
                                                  "admissionregistration.k8s.io",
                                                  "apiextensions.k8s.io"};
  auto it = std::find(kOrder.begin(), kOrder.end(), group);
  return it == kOrder.end() ? static_cast<int>(kOrder.size())
                            : static_cast<int>(it - kOrder.begin());
}

// Kubernetes' version priority: GA before beta before alpha, higher numbers first, then
// versions that do not look like Kubernetes versions, alphabetically.
struct VersionKey {
  int stability = -1;  // 2 GA, 1 beta, 0 alpha, -1 other
  int major = 0;
  int minor = 0;
};

VersionKey version_key(const std::string& version) {
  VersionKey key;
  std::size_t i = 1;
  if (version.size() < 2 || version[0] != 'v' ||
      !std::isdigit(static_cast<unsigned char>(version[1]))) {
    return key;
  }
  while (i < version.size() && std::isdigit(static_cast<unsigned char>(version[i]))) {
    key.major = key.major * 10 + (version[i++] - '0');
  }
  if (i == version.size()) {
    key.stability = 2;
    return key;
  }
  std::string rest = version.substr(i);
  std::size_t digits = 0;
  if (rest.rfind("alpha", 0) == 0) {
    key.stability = 0;
    digits = 5;
  } else if (rest.rfind("beta", 0) == 0) {
    key.stability = 1;
    digits = 4;
  } else {
    return VersionKey{};
  }
  for (std::size_t j = digits; j < rest.size(); ++j) {
    if (!std::isdigit(static_cast<unsigned char>(rest[j]))) {
      return VersionKey{};
    }
    key.minor = key.minor * 10 + (rest[j] - '0');
  }
  return key;
}

bool version_before(const std::string& a, const std::string& b) {
  const VersionKey ka = version_key(a);
  const VersionKey kb = version_key(b);
  if (ka.stability != kb.stability) {
    return ka.stability > kb.stability;
  }
  if (ka.stability < 0) {
    return a < b;
  }
  if (ka.major != kb.major) {
    return ka.major > kb.major;
  }
  return ka.minor > kb.minor;
}

bool resource_less(const ResourcePtr& a, const ResourcePtr& b) {
  const int ra = group_rank(a->group);
  const int rb = group_rank(b->group);
  if (ra != rb) {
    return ra < rb;
  }
  if (a->group != b->group) {
    return a->group < b->group;
  }
  if (a->version != b->version) {
    return version_before(a->version, b->version);
  }
  return a->resource < b->resource;
}

}  // namespace

std::string ResourceInfo::api_version() const {
  return group.empty() ? version : group + "/" + version;
}

std::string ResourceInfo::qualified_resource() const {
  return group.empty() ? resource : resource + "." + group;
}

std::string ResourceInfo::qualified_kind() const {
  return group.empty() ? kind : kind + "." + group;
}

ErrorSubject ResourceInfo::subject(std::string_view name) const {
  return ErrorSubject{qualified_resource(), group, resource, std::string(name)};
}

std::vector<ResourceInfo> builtin_resources() {
  std::vector<ResourceInfo> out;

  ResourceInfo pods = core("pods", "pod", "Pod", true);
  pods.short_names = {"po"};
  pods.categories = {"all"};
  pods.status_subresource = true;
  pods.binding_subresource = true;
  pods.rules = KindRules::Pod;
  pods.field_selectors = {"spec.nodeName",    "spec.restartPolicy",      "spec.schedulerName",
                          "spec.hostNetwork", "spec.serviceAccountName", "status.phase",
                          "status.podIP",     "status.nominatedNodeName"};
  out.push_back(pods);

  ResourceInfo nodes = core("nodes", "node", "Node", false);
  nodes.short_names = {"no"};
  nodes.status_subresource = true;
  nodes.rules = KindRules::Node;
  nodes.field_selectors = {"spec.unschedulable"};
  out.push_back(nodes);

  ResourceInfo namespaces = core("namespaces", "namespace", "Namespace", false);
  namespaces.short_names = {"ns"};
  namespaces.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
  namespaces.status_subresource = true;
  namespaces.rules = KindRules::Namespace;
  namespaces.name_is_label = true;
  namespaces.field_selectors = {"status.phase"};
  out.push_back(namespaces);

  ResourceInfo events = core("events", "event", "Event", true);
  events.short_names = {"ev"};
  events.rules = KindRules::Event;
  events.field_selectors = {"involvedObject.kind",
                            "involvedObject.namespace",
                            "involvedObject.name",
                            "involvedObject.uid",
                            "involvedObject.apiVersion",
                            "involvedObject.resourceVersion",
                            "involvedObject.fieldPath",
                            "reason",
                            "reportingComponent",
                            "source",
                            "type"};
  out.push_back(events);

  ResourceInfo services = core("services", "service", "Service", true);
  services.short_names = {"svc"};
  services.categories = {"all"};
  services.status_subresource = true;
  services.rules = KindRules::Service;
  services.name_is_label = true;
  out.push_back(services);

  ResourceInfo configmaps = core("configmaps", "configmap", "ConfigMap", true);
  configmaps.short_names = {"cm"};
  out.push_back(configmaps);

  ResourceInfo secrets = core("secrets", "secret", "Secret", true);
  secrets.field_selectors = {"type"};
  out.push_back(secrets);

  ResourceInfo serviceaccounts = core("serviceaccounts", "serviceaccount", "ServiceAccount", true);
  serviceaccounts.short_names = {"sa"};
  out.push_back(serviceaccounts);

  out.push_back(grouped("coordination.k8s.io", "v1", "leases", "lease", "Lease", true));

  // Stored only, so `kubectl apply -f deploy/install.yaml` works: nothing runs Deployments,
  // enforces RBAC, network policies or disruption budgets here.
  ResourceInfo deployments = grouped("apps", "v1", "deployments", "deployment", "Deployment", true);
  deployments.short_names = {"deploy"};
  deployments.categories = {"all"};
  deployments.status_subresource = true;
  out.push_back(deployments);
  for (auto [resource, singular, kind, namespaced] :
       {std::tuple{"roles", "role", "Role", true},
        std::tuple{"rolebindings", "rolebinding", "RoleBinding", true},
        std::tuple{"clusterroles", "clusterrole", "ClusterRole", false},
        std::tuple{"clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false}}) {
    out.push_back(grouped("rbac.authorization.k8s.io", "v1", resource, singular, kind, namespaced));
  }
  ResourceInfo network_policies =
      grouped("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true);
  network_policies.short_names = {"netpol"};
  out.push_back(network_policies);
  ResourceInfo budgets = grouped("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget",
                                 "PodDisruptionBudget", true);
  budgets.short_names = {"pdb"};
  budgets.status_subresource = true;
  out.push_back(budgets);
  out.push_back(grouped("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations",
                        "mutatingwebhookconfiguration", "MutatingWebhookConfiguration", false));
  out.push_back(grouped("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations",
                        "validatingwebhookconfiguration", "ValidatingWebhookConfiguration", false));

  ResourceInfo crds = grouped("apiextensions.k8s.io", "v1", "customresourcedefinitions",
                              "customresourcedefinition", "CustomResourceDefinition", false);
  crds.short_names = {"crd", "crds"};
  crds.categories = {"api-extensions"};
  crds.status_subresource = true;
  crds.rules = KindRules::CustomResourceDefinition;
  out.push_back(crds);
  return out;
}

ResourceCatalog::ResourceCatalog() {
  for (auto& info : builtin_resources()) {
    builtin_.push_back(std::make_shared<const ResourceInfo>(std::move(info)));
  }
}

ResourcePtr ResourceCatalog::find(std::string_view group, std::string_view version,
                                  std::string_view resource) const {
  std::lock_guard lock(mu_);
  auto matches = [&](const ResourcePtr& r) {
    return r->group == group && r->version == version && r->resource == resource;
  };
  for (const auto& r : builtin_) {
    if (matches(r)) {
      return r;
    }
  }
  for (const auto& [name, list] : custom_) {
    for (const auto& r : list) {
      if (matches(r)) {
        return r;
      }
    }
  }
  return nullptr;
}

ResourcePtr ResourceCatalog::find_any_version(std::string_view group,
                                              std::string_view resource) const {
  std::lock_guard lock(mu_);
  for (const auto& r : builtin_) {
    if (r->group == group && r->resource == resource) {
      return r;
    }
  }
  for (const auto& [name, list] : custom_) {
    for (const auto& r : list) {
      if (r->group == group && r->resource == resource) {
        return r;
      }
    }
  }
  return nullptr;
}

std::vector<ResourcePtr> ResourceCatalog::all() const {
  std::vector<ResourcePtr> out;
  {
    std::lock_guard lock(mu_);
    out = builtin_;
    for (const auto& [name, list] : custom_) {
      out.insert(out.end(), list.begin(), list.end());
    }
  }
  std::stable_sort(out.begin(), out.end(), resource_less);
  return out;
}

std::vector<std::pair<std::string, std::vector<std::string>>> ResourceCatalog::groups() const {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  std::vector<ResourcePtr> resources = all();
  for (const auto& r : resources) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const auto& entry) { return entry.first == r->group; });
    if (it == out.end()) {
      out.emplace_back(r->group, std::vector<std::string>{});
      it = std::prev(out.end());
    }
    if (std::find(it->second.begin(), it->second.end(), r->version) == it->second.end()) {
      it->second.push_back(r->version);
    }
  }
  return out;
}

std::uint64_t ResourceCatalog::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

void ResourceCatalog::set_custom(const std::string& crd_name, std::vector<ResourceInfo> resources) {
  std::vector<ResourcePtr> list;
  for (auto& info : resources) {
    list.push_back(std::make_shared<const ResourceInfo>(std::move(info)));
  }
  std::lock_guard lock(mu_);
  custom_[crd_name] = std::move(list);
  ++generation_;
}

void ResourceCatalog::remove_custom(const std::string& crd_name) {
  std::lock_guard lock(mu_);
  if (custom_.erase(crd_name) > 0) {
    ++generation_;
  }
}

}  // namespace korder::devcluster
