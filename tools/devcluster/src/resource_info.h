#pragma once

// The resources the devcluster serves: built-in kinds and those defined by
// CustomResourceDefinitions. ResourceCatalog is the thread-safe registry that discovery,
// OpenAPI and request routing read, and that CRD writes change.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api_error.h"
#include "json_access.h"

namespace korder::devcluster {

/// A CRD `additionalPrinterColumns` entry (or a built-in kind's column).
struct PrinterColumn {
  std::string name;
  std::string type;  // string, integer, number, boolean, date
  std::string format;
  std::string description;
  std::string json_path;
  int priority = 0;
};

/// What kind-specific rules apply to a resource (the API server's REST strategies).
enum class KindRules {
  Generic,
  Pod,
  Node,
  Namespace,
  Event,
  Service,
  CustomResourceDefinition,
  CustomResource,
};

/// One served resource at one group/version.
struct ResourceInfo {
  std::string group;     // "" for core
  std::string version;   // v1, v1alpha1
  std::string resource;  // plural: pods, orders
  std::string singular;
  std::string kind;
  std::string list_kind;
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<std::string> verbs;
  bool status_subresource = false;
  bool binding_subresource = false;  // pods/binding
  KindRules rules = KindRules::Generic;
  /// Printer columns (CRDs). Built-in kinds' tables are built in table.cc.
  std::vector<PrinterColumn> columns;
  /// The CRD version's openAPIV3Schema (custom resources only).
  std::shared_ptr<const JsonDocument> schema;
  /// Field selectors accepted besides metadata.name and metadata.namespace.
  std::vector<std::string> field_selectors;
  /// Name validation: true for DNS-1123 labels (namespaces), false for subdomains.
  bool name_is_label = false;
  /// The CRD this resource comes from (empty for built-ins).
  std::string crd_name;

  /// `v1` or `group/version`.
  std::string api_version() const;
  /// The storage key shared by every version: `group/resource`.
  std::string storage_id() const { return group + "/" + resource; }
  /// `orders.core.korder.dev` or `pods`.
  std::string qualified_resource() const;
  /// `Order.core.korder.dev` or `Pod`.
  std::string qualified_kind() const;
  /// The error subject for object `name`.
  ErrorSubject subject(std::string_view name) const;
  /// True for resources defined by a CRD.
  bool custom() const { return rules == KindRules::CustomResource; }
};

using ResourcePtr = std::shared_ptr<const ResourceInfo>;

/// The built-in resources (core/v1, coordination, admissionregistration, apiextensions).
std::vector<ResourceInfo> builtin_resources();

/// The registry of served resources. Thread-safe; readers get immutable snapshots.
class ResourceCatalog {
 public:
  /// A catalog of the built-in resources.
  ResourceCatalog();

  /// The resource `resource` (plural) of group/version, or nullptr.
  ResourcePtr find(std::string_view group, std::string_view version,
                   std::string_view resource) const;
  /// The preferred-version resource of `group` (any version) named `resource`, or nullptr.
  ResourcePtr find_any_version(std::string_view group, std::string_view resource) const;
  /// Every served resource, ordered by group (core first, then by name), version, resource.
  std::vector<ResourcePtr> all() const;
  /// Groups in discovery order with their versions (preferred first).
  std::vector<std::pair<std::string, std::vector<std::string>>> groups() const;
  /// A counter bumped whenever the catalog changes (OpenAPI and discovery hashes).
  std::uint64_t generation() const;

  /// Replaces the resources defined by CRD `crd_name` with `resources`.
  void set_custom(const std::string& crd_name, std::vector<ResourceInfo> resources);
  /// Removes the resources of CRD `crd_name`.
  void remove_custom(const std::string& crd_name);

 private:
  mutable std::mutex mu_;
  std::vector<ResourcePtr> builtin_;                        // guarded by mu_ (immutable)
  std::map<std::string, std::vector<ResourcePtr>> custom_;  // by CRD name, guarded by mu_
  std::uint64_t generation_ = 1;                            // guarded by mu_
};

}  // namespace korder::devcluster
