#pragma once

// Reading what a request asks for: URL paths of resources, query parameters with Kubernetes'
// spellings (ParseBool), media types, list options and continue tokens.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api_error.h"
#include "field_selector.h"
#include "http_types.h"
#include "korder/api/label_selector.h"
#include "registry.h"
#include "resource_info.h"

namespace korder::devcluster {

/// Go's strconv.ParseBool: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.
std::optional<bool> parse_bool(std::string_view text);

/// A request for a resource: `/api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUB]]` or
/// `/apis/G/V[/namespaces/NS]/RESOURCE[/NAME[/SUB]]`.
struct ResourceRequest {
  ResourcePtr info;
  std::string namespace_;  // from the path ("" for cluster-wide)
  std::string name;
  std::string subresource;
};

/// Resolves a resource path: nullopt when the path is not a resource path at all; an ApiError
/// (404) when it names an unknown resource or a scope that does not fit.
std::optional<ApiResult<ResourceRequest>> parse_resource_path(const ResourceCatalog& catalog,
                                                              std::string_view path);

/// True when the Accept header asks for a meta.k8s.io Table.
bool wants_table(const HttpRequest& request);
/// True when the Accept header asks for PartialObjectMetadata(List).
bool wants_partial_metadata(const HttpRequest& request);

/// List and watch options.
struct ListOptions {
  api::Selector labels;
  FieldSelector fields;
  std::size_t limit = 0;
  std::string continue_key;  // last key of the previous page
  std::optional<std::uint64_t> continue_rv;
  std::optional<std::string> resource_version;
  std::string resource_version_match;
  bool watch = false;
  bool allow_bookmarks = false;
  bool send_initial_events = false;
  std::optional<std::int64_t> timeout_seconds;
};

/// Parses list/watch query parameters for `info`; 400 on malformed values.
ApiResult<ListOptions> parse_list_options(const HttpRequest& request, const ResourceInfo& info);

/// Encodes a continue token for the next page after `last_key` of a list at `rv`.
std::string encode_continue(std::uint64_t rv, std::string_view last_key);

/// Write query options: dryRun, fieldManager, fieldValidation; 400 on bad values.
ApiResult<WriteOptions> parse_write_options(const HttpRequest& request);

/// DeleteOptions from the body (kubectl) and the query (Python client).
ApiResult<DeleteOptions> parse_delete_options(const HttpRequest& request);

/// The patch type of a Content-Type, or nullopt (415).
std::optional<PatchType> patch_type_of(std::string_view content_type);

/// Parses a JSON (or YAML) request body into `doc`; 400 with the decoder's message otherwise,
/// 415 for media types the devcluster cannot read (protobuf).
ApiResult<void> parse_body(const HttpRequest& request, JsonDocument& doc);

}  // namespace korder::devcluster
