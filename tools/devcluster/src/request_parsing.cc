#include "request_parsing.h"

#include <charconv>
#include <vector>

#include "korder/api/base64.h"
#include "korder/api/yaml.h"
#include "protobuf.h"

namespace korder::devcluster {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) {
      out.push_back(path.substr(start, end - start));
    }
    start = end + 1;
  }
  return out;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Continue tokens use the URL-safe alphabet without padding, as Kubernetes' do.
std::string to_url_base64(std::string text) {
  for (char& c : text) {
    c = c == '+' ? '-' : (c == '/' ? '_' : c);
  }
  while (!text.empty() && text.back() == '=') {
    text.pop_back();
  }
  return text;
}

Expected<std::string, ParseError> from_url_base64(std::string text) {
  for (char& c : text) {
    c = c == '-' ? '+' : (c == '_' ? '/' : c);
  }
  while (text.size() % 4 != 0) {
    text += '=';
  }
  return api::base64_decode(text);
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

std::optional<bool> parse_bool(std::string_view text) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (text == t) {
      return true;
    }
  }
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (text == f) {
      return false;
    }
  }
  return std::nullopt;
}

std::optional<ApiResult<ResourceRequest>> parse_resource_path(const ResourceCatalog& catalog,
                                                              std::string_view path) {
  std::vector<std::string_view> parts = split_path(path);
  std::string group;
  std::string version;
  std::size_t i = 0;
  if (parts.size() >= 3 && parts[0] == "api") {
    version = std::string(parts[1]);
    i = 2;
  } else if (parts.size() >= 4 && parts[0] == "apis") {
    group = std::string(parts[1]);
    version = std::string(parts[2]);
    i = 3;
  } else {
    return std::nullopt;
  }
  std::vector<std::string_view> rest(parts.begin() + static_cast<std::ptrdiff_t>(i), parts.end());
  ResourceRequest request;
  std::string resource;
  bool namespaced_path = false;
  const bool namespace_subresource =
      rest.size() == 3 && rest[0] == "namespaces" && (rest[2] == "status" || rest[2] == "finalize");
  if (rest.size() >= 3 && rest[0] == "namespaces" && !namespace_subresource) {
    namespaced_path = true;
    request.namespace_ = std::string(rest[1]);
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3) {
    return ApiResult<ResourceRequest>(Unexpected(not_found_path()));
  }
  resource = std::string(rest[0]);
  if (rest.size() >= 2) {
    request.name = std::string(rest[1]);
  }
  if (rest.size() == 3) {
    request.subresource = std::string(rest[2]);
  }
  request.info = catalog.find(group, version, resource);
  if (request.info == nullptr) {
    return ApiResult<ResourceRequest>(Unexpected(not_found_path()));
  }
  const ResourceInfo& info = *request.info;
  if (namespaced_path && !info.namespaced) {
    return ApiResult<ResourceRequest>(Unexpected(not_found_path()));
  }
  if (!namespaced_path && info.namespaced && !request.name.empty()) {
    return ApiResult<ResourceRequest>(Unexpected(not_found_path()));
  }
  if (!request.subresource.empty()) {
    const bool known = (request.subresource == "status" && info.status_subresource) ||
                       (request.subresource == "binding" && info.binding_subresource) ||
                       (request.subresource == "finalize" && info.rules == KindRules::Namespace);
    if (!known) {
      return ApiResult<ResourceRequest>(Unexpected(not_found_path()));
    }
  }
  return ApiResult<ResourceRequest>(std::move(request));
}

bool wants_table(const HttpRequest& request) { return contains(request.accept, "as=Table"); }

bool wants_partial_metadata(const HttpRequest& request) {
  return contains(request.accept, "as=PartialObjectMetadata");
}

std::string encode_continue(std::uint64_t rv, std::string_view last_key) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_string(doc, "v", "meta.k8s.io/v1", alloc);
  set_member(doc, "rv", JsonValue(static_cast<std::int64_t>(rv)), alloc);
  set_string(doc, "start", std::string(last_key) + '\0', alloc);
  return to_url_base64(api::base64_encode(api::write_json(doc)));
}

ApiResult<ListOptions> parse_list_options(const HttpRequest& request, const ResourceInfo& info) {
  ListOptions options;
  if (auto text = request.param("labelSelector")) {
    auto selector = api::parse_selector(*text);
    if (!selector) {
      return Unexpected(bad_request(selector.error().message));
    }
    options.labels = std::move(*selector);
  }
  if (auto text = request.param("fieldSelector")) {
    auto selector = parse_field_selector(*text, info.field_selectors);
    if (!selector) {
      return Unexpected(bad_request(selector.error()));
    }
    options.fields = std::move(*selector);
  }
  if (auto text = request.param("limit"); text && !text->empty()) {
    auto limit = parse_int(*text);
    if (!limit) {
      return Unexpected(bad_request("invalid limit: " + *text));
    }
    options.limit = *limit > 0 ? static_cast<std::size_t>(*limit) : 0;
  }
  if (auto text = request.param("resourceVersion"); text && !text->empty()) {
    options.resource_version = *text;
  }
  options.resource_version_match = request.param("resourceVersionMatch").value_or("");
  if (!options.resource_version_match.empty() && !options.resource_version) {
    return Unexpected(
        bad_request("resourceVersionMatch is forbidden unless resourceVersion is provided"));
  }
  if (auto text = request.param("continue"); text && !text->empty()) {
    auto decoded = from_url_base64(*text);
    JsonDocument token;
    if (!decoded || !api::parse_json(*decoded, token) || !token.IsObject()) {
      return Unexpected(bad_request("continue key is not valid: illegal base64 data"));
    }
    const JsonValue* rv = find_member(token, "rv");
    if (rv == nullptr || !rv->IsInt64()) {
      return Unexpected(
          bad_request("continue key is not valid: incorrect encoded start resourceVersion (version "
                      "meta.k8s.io/v1)"));
    }
    std::string start(string_at(token, {"start"}));
    if (!start.empty() && start.back() == '\0') {
      start.pop_back();
    }
    options.continue_key = std::move(start);
    options.continue_rv = static_cast<std::uint64_t>(rv->GetInt64());
    if (options.resource_version && *options.resource_version != "0") {
      return Unexpected(
          bad_request("specifying resource version is not allowed when using continue"));
    }
  }
  for (auto [name, target] : {std::pair<std::string_view, bool*>{"watch", &options.watch},
                              {"allowWatchBookmarks", &options.allow_bookmarks},
                              {"sendInitialEvents", &options.send_initial_events}}) {
    if (auto text = request.param(name); text && !text->empty()) {
      auto value = parse_bool(*text);
      if (!value) {
        return Unexpected(bad_request("invalid value for " + std::string(name) + ": " + *text));
      }
      *target = *value;
    }
  }
  if (auto text = request.param("timeoutSeconds"); text && !text->empty()) {
    auto value = parse_int(*text);
    if (!value) {
      return Unexpected(bad_request("invalid timeoutSeconds: " + *text));
    }
    options.timeout_seconds = *value;
  }
  return options;
}

ApiResult<WriteOptions> parse_write_options(const HttpRequest& request) {
  WriteOptions options;
  for (const auto& [key, value] : request.query_all) {
    if (key == "dryRun") {
      if (value != "All") {
        return Unexpected(bad_request("Invalid dry run value: \"" + value + "\""));
      }
      options.dry_run = true;
    }
  }
  options.field_manager = request.param("fieldManager").value_or("");
  if (options.field_manager.size() > 128) {
    return Unexpected(bad_request("fieldManager: Too long: must have at most 128 bytes"));
  }
  const std::string validation = request.param("fieldValidation").value_or("");
  if (validation == "Strict") {
    options.field_validation = FieldValidation::Strict;
  } else if (validation == "Ignore") {
    options.field_validation = FieldValidation::Ignore;
  } else if (validation.empty() || validation == "Warn") {
    options.field_validation = FieldValidation::Warn;
  } else {
    return Unexpected(bad_request("fieldValidation: Unsupported value: \"" + validation +
                                  "\": supported values: \"Ignore\", \"Strict\", \"Warn\""));
  }
  return options;
}

ApiResult<DeleteOptions> parse_delete_options(const HttpRequest& request) {
  DeleteOptions options;
  if (request.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    JsonDocument body;
    if (auto parsed = api::parse_json(request.body, body); !parsed || !body.IsObject()) {
      return Unexpected(bad_request("invalid DeleteOptions body"));
    }
    options.propagation_policy = std::string(string_at(body, {"propagationPolicy"}));
    if (auto grace = int_at(body, {"gracePeriodSeconds"})) {
      options.grace_period_seconds = *grace;
    }
    if (const JsonValue* uid = find_path(body, {"preconditions", "uid"}); uid && uid->IsString()) {
      options.precondition_uid = std::string(uid->GetString(), uid->GetStringLength());
    }
    if (const JsonValue* rv = find_path(body, {"preconditions", "resourceVersion"});
        rv && rv->IsString()) {
      options.precondition_rv = std::string(rv->GetString(), rv->GetStringLength());
    }
    for (const auto& mode : string_list(find_member(body, "dryRun"))) {
      options.dry_run = options.dry_run || mode == "All";
    }
    if (const JsonValue* orphan = find_member(body, "orphanDependents");
        orphan && orphan->IsBool() && options.propagation_policy.empty()) {
      options.propagation_policy = orphan->GetBool() ? "Orphan" : "Background";
    }
  }
  if (auto policy = request.param("propagationPolicy"); policy && !policy->empty()) {
    options.propagation_policy = *policy;
  }
  if (auto grace = request.param("gracePeriodSeconds"); grace && !grace->empty()) {
    auto value = parse_int(*grace);
    if (!value) {
      return Unexpected(bad_request("invalid gracePeriodSeconds: " + *grace));
    }
    options.grace_period_seconds = *value;
  }
  if (auto dry = request.param("dryRun"); dry && *dry == "All") {
    options.dry_run = true;
  }
  if (auto orphan = request.param("orphanDependents");
      orphan && options.propagation_policy.empty()) {
    if (auto value = parse_bool(*orphan)) {
      options.propagation_policy = *value ? "Orphan" : "Background";
    }
  }
  return options;
}

std::optional<PatchType> patch_type_of(std::string_view content_type) {
  const std::string_view media = content_type.substr(0, content_type.find(';'));
  if (media == "application/merge-patch+json") return PatchType::Merge;
  if (media == "application/json-patch+json") return PatchType::Json;
  if (media == "application/strategic-merge-patch+json") return PatchType::Strategic;
  if (media == "application/apply-patch+yaml") return PatchType::Apply;
  return std::nullopt;
}

ApiResult<void> parse_body(const HttpRequest& request, JsonDocument& doc) {
  const std::string_view media =
      std::string_view(request.content_type).substr(0, request.content_type.find(';'));
  std::string text = request.body;
  if (media == "application/yaml" || media == "application/apply-patch+yaml") {
    auto converted = api::yaml_to_json(text);
    if (!converted) {
      return Unexpected(bad_request("error decoding YAML: " + converted.error().to_string()));
    }
    text = std::move(*converted);
  } else if (media == "application/vnd.kubernetes.protobuf") {
    auto decoded = decode_kubernetes_protobuf(text);
    if (!decoded) {
      // Protobuf is understood for the few kinds kubectl's create generators send.
      return Unexpected(unsupported_media_type(media, "application/json, application/yaml"));
    }
    doc.Swap(*decoded);
    return {};
  } else if (contains(media, "protobuf") || contains(media, "cbor")) {
    return Unexpected(unsupported_media_type(media, "application/json, application/yaml"));
  }
  if (auto parsed = api::parse_json(text, doc); !parsed) {
    return Unexpected(
        bad_request("error decoding the request body: " + parsed.error().to_string()));
  }
  return {};
}

}  // namespace korder::devcluster
