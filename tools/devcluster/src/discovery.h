#pragma once

// API discovery: /version, /api, /apis (legacy and aggregated), /apis/G, and the
// APIResourceLists of /api/v1 and /apis/G/V, built from the ResourceCatalog.

#include <string>
#include <string_view>

#include "registry.h"
#include "resource_info.h"

namespace korder::devcluster {

/// The Content-Type of aggregated discovery (kubectl requires exactly this).
inline constexpr std::string_view kAggregatedDiscoveryType =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// /version: major "1", minor "32" (the kubectl dispatcher picks its client from it).
std::string version_json();

/// /api (legacy): APIVersions with `v1`.
std::string api_versions_json(std::string_view server_address);

/// /apis (legacy): APIGroupList of every group but core.
std::string api_group_list_json(const ResourceCatalog& catalog);

/// /apis/GROUP: APIGroup, or 404.
ApiResult<std::string> api_group_json(const ResourceCatalog& catalog, std::string_view group);

/// /api/v1 or /apis/G/V: APIResourceList with subresources, or 404.
ApiResult<std::string> resource_list_json(const ResourceCatalog& catalog, std::string_view group,
                                          std::string_view version);

/// Aggregated discovery (APIGroupDiscoveryList v2): the core group for /api (`core` true),
/// every other group for /apis.
std::string aggregated_discovery_json(const ResourceCatalog& catalog, bool core);

}  // namespace korder::devcluster
