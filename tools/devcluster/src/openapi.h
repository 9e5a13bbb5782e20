#pragma once

// OpenAPI v3 (/openapi/v3 and /openapi/v3/{api/v1|apis/G/V}), good enough for kubectl: apply's
// field-validation check (PATCH operations tagged with the GVK and declaring
// `fieldValidation`), client-side apply (patch content types: no strategic merge patch is
// published, so kubectl uses its compiled-in SMP for built-ins and JSON merge patch for custom
// resources) and `kubectl explain` (schemas tagged with x-kubernetes-group-version-kind; a
// CRD's schema with its descriptions).

#include <cstdint>
#include <string>
#include <string_view>

#include "registry.h"
#include "resource_info.h"

namespace korder::devcluster {

/// The /openapi/v3 index: every served group/version with its serverRelativeURL.
std::string openapi_index_json(const ResourceCatalog& catalog, std::uint64_t salt);

/// The OpenAPI document of `group`/`version`, or 404.
ApiResult<std::string> openapi_document_json(const ResourceCatalog& catalog, std::string_view group,
                                             std::string_view version);

/// The schema name of a kind (`io.k8s.api.core.v1.Pod`, `dev.korder.core.v1alpha1.Order`).
std::string schema_name(std::string_view group, std::string_view version, std::string_view kind);

/// Adds the shared component schemas (ObjectMeta, ListMeta, Time, Status, Patch,
/// DeleteOptions...) to `schemas`.
void add_common_schemas(JsonValue& schemas, JsonAllocator& alloc);

/// A permissive schema for a built-in kind (typed top level, unknown fields preserved).
JsonValue builtin_kind_schema(const ResourceInfo& info, JsonAllocator& alloc);

}  // namespace korder::devcluster
