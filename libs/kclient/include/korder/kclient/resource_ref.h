#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace korder::kclient {

/// Which REST resource a call addresses (client-go's `schema.GroupVersionResource` plus its
/// scope): the group (empty for the core group), version, plural resource name, and whether
/// objects live in namespaces.
struct ResourceRef {
  // Constructors make it a non-aggregate: see api_options.h on g++ 12 and co_await.
  ResourceRef() = default;
  ResourceRef(std::string group_, std::string version_, std::string resource_, bool namespaced_)
      : group(std::move(group_)),
        version(std::move(version_)),
        resource(std::move(resource_)),
        namespaced(namespaced_) {}

  std::string group;
  std::string version;
  std::string resource;
  bool namespaced = true;

  /// `/api/v1` for the core group, `/apis/<group>/<version>` otherwise.
  std::string group_version_path() const;

  /// The path of a collection, an object or an object's subresource, escaped:
  /// `/apis/core.korder.dev/v1alpha1/namespaces/ns/orders[/name[/status]]`. For a namespaced
  /// resource an empty `namespace_` means all namespaces (`/api/v1/pods`); for a
  /// cluster-scoped one the namespace is ignored. An empty `name` means the collection.
  std::string path(std::string_view namespace_, std::string_view name = "",
                   std::string_view subresource = "") const;

  /// `orders.core.korder.dev`, or `pods` for the core group (how Kubernetes names a resource
  /// in messages).
  std::string qualified_name() const;

  bool operator==(const ResourceRef&) const = default;
};

/// The resources korder uses (one function each, returning a process-wide constant).
namespace resources {
const ResourceRef& pods();        // core/v1, namespaced
const ResourceRef& nodes();       // core/v1, cluster-scoped
const ResourceRef& namespaces();  // core/v1, cluster-scoped
const ResourceRef& events();      // core/v1, namespaced
const ResourceRef& leases();      // coordination.k8s.io/v1, namespaced
const ResourceRef& orders();      // core.korder.dev/v1alpha1, namespaced
const ResourceRef& tickets();     // core.korder.dev/v1alpha1, namespaced
const ResourceRef& quotas();      // core.korder.dev/v1alpha1, cluster-scoped
}  // namespace resources

/// Percent-encodes `s` as Go's `url.PathEscape` does for one path segment: everything except
/// unreserved characters (`A-Z a-z 0-9 - . _ ~`) and `$ & + : = @`.
std::string escape_path_segment(std::string_view s);

/// Percent-encodes `s` as Go's `url.QueryEscape` does: everything except unreserved characters;
/// a space becomes `+`.
std::string escape_query_value(std::string_view s);

}  // namespace korder::kclient
