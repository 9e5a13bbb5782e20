#include "openapi.h"

#include <cstdio>
#include <vector>

namespace korder::devcluster {
namespace {

constexpr std::string_view kMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.";

std::string reversed_group(std::string_view group) {
  if (group.empty()) {
    return "io.k8s.api.core";
  }
  if (group == "apiextensions.k8s.io") {
    return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions";
  }
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= group.size()) {
    const std::size_t dot = group.find('.', start);
    parts.push_back(
        group.substr(start, dot == std::string_view::npos ? group.size() - start : dot - start));
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  if (group.size() > 7 && group.substr(group.size() - 7) == ".k8s.io") {
    return "io.k8s.api." + std::string(parts.front());
  }
  if (group.find('.') == std::string_view::npos) {
    return "io.k8s.api." + std::string(group);  // apps, policy
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    out += (out.empty() ? "" : ".") + std::string(*it);
  }
  return out;
}

JsonValue ref_to(std::string_view name, JsonAllocator& alloc) {
  JsonValue s(rapidjson::kObjectType);
  set_string(s, "$ref", "#/components/schemas/" + std::string(name), alloc);
  return s;
}

JsonValue gvk_object(const ResourceInfo& r, std::string_view kind, JsonAllocator& alloc) {
  JsonValue gvk(rapidjson::kObjectType);
  set_string(gvk, "group", r.group, alloc);
  set_string(gvk, "kind", kind, alloc);
  set_string(gvk, "version", r.version, alloc);
  return gvk;
}

JsonValue gvk_list(const ResourceInfo& r, std::string_view kind, JsonAllocator& alloc) {
  JsonValue list(rapidjson::kArrayType);
  list.PushBack(gvk_object(r, kind, alloc), alloc);
  return list;
}

JsonValue query_param(std::string_view name, std::string_view type, JsonAllocator& alloc) {
  JsonValue p(rapidjson::kObjectType);
  set_string(p, "name", name, alloc);
  set_string(p, "in", "query", alloc);
  JsonValue schema(rapidjson::kObjectType);
  set_string(schema, "type", type, alloc);
  set_member(p, "schema", std::move(schema), alloc);
  set_member(p, "uniqueItems", JsonValue(true), alloc);
  return p;
}

JsonValue path_param(std::string_view name, JsonAllocator& alloc) {
  JsonValue p(rapidjson::kObjectType);
  set_string(p, "name", name, alloc);
  set_string(p, "in", "path", alloc);
  set_member(p, "required", JsonValue(true), alloc);
  JsonValue schema(rapidjson::kObjectType);
  set_string(schema, "type", "string", alloc);
  set_member(p, "schema", std::move(schema), alloc);
  return p;
}

JsonValue json_content(JsonValue schema, std::vector<std::string_view> types,
                       JsonAllocator& alloc) {
  JsonValue content(rapidjson::kObjectType);
  for (std::string_view t : types) {
    JsonValue media(rapidjson::kObjectType);
    set_member(media, "schema", deep_copy(schema, alloc), alloc);
    set_member(content, t, std::move(media), alloc);
  }
  return content;
}

JsonValue operation(const ResourceInfo& r, std::string_view action, std::string_view id,
                    const std::string& response_schema, std::string_view kind,
                    JsonAllocator& alloc) {
  JsonValue op(rapidjson::kObjectType);
  set_string(op, "operationId", id, alloc);
  set_string(op, "x-kubernetes-action", action, alloc);
  set_member(op, "x-kubernetes-group-version-kind", gvk_object(r, kind, alloc), alloc);
  JsonValue params(rapidjson::kArrayType);
  if (action == "post" || action == "put" || action == "patch") {
    params.PushBack(query_param("dryRun", "string", alloc), alloc);
    params.PushBack(query_param("fieldManager", "string", alloc), alloc);
    params.PushBack(query_param("fieldValidation", "string", alloc), alloc);
    if (action == "patch") {
      params.PushBack(query_param("force", "boolean", alloc), alloc);
    }
    JsonValue body(rapidjson::kObjectType);
    set_member(body, "required", JsonValue(true), alloc);
    if (action == "patch") {
      set_member(body, "content",
                 json_content(ref_to(std::string(kMeta) + "Patch", alloc),
                              {"application/json-patch+json", "application/merge-patch+json",
                               "application/apply-patch+yaml"},
                              alloc),
                 alloc);
    } else {
      set_member(body, "content", json_content(ref_to(response_schema, alloc), {"*/*"}, alloc),
                 alloc);
    }
    set_member(op, "requestBody", std::move(body), alloc);
  } else if (action == "list" || action == "watch" || action == "deletecollection") {
    for (std::string_view name : {"labelSelector", "fieldSelector", "continue", "resourceVersion",
                                  "resourceVersionMatch"}) {
      params.PushBack(query_param(name, "string", alloc), alloc);
    }
    for (std::string_view name : {"limit", "timeoutSeconds"}) {
      params.PushBack(query_param(name, "integer", alloc), alloc);
    }
    for (std::string_view name : {"watch", "allowWatchBookmarks", "sendInitialEvents"}) {
      params.PushBack(query_param(name, "boolean", alloc), alloc);
    }
  } else if (action == "delete") {
    params.PushBack(query_param("dryRun", "string", alloc), alloc);
    params.PushBack(query_param("gracePeriodSeconds", "integer", alloc), alloc);
    params.PushBack(query_param("propagationPolicy", "string", alloc), alloc);
  }
  set_member(op, "parameters", std::move(params), alloc);
  JsonValue responses(rapidjson::kObjectType);
  JsonValue ok(rapidjson::kObjectType);
  set_string(ok, "description", "OK", alloc);
  set_member(ok, "content",
             json_content(ref_to(response_schema, alloc), {"application/json"}, alloc), alloc);
  set_member(responses, action == "post" ? "201" : "200", std::move(ok), alloc);
  set_member(op, "responses", std::move(responses), alloc);
  return op;
}

void add_paths(const ResourceInfo& r, JsonValue& paths, JsonAllocator& alloc) {
  const std::string prefix = r.group.empty() ? "/api/v1" : "/apis/" + r.group + "/" + r.version;
  const std::string scope = r.namespaced ? "/namespaces/{namespace}" : "";
  const std::string collection = prefix + scope + "/" + r.resource;
  const std::string item = collection + "/{name}";
  const std::string kind_schema = schema_name(r.group, r.version, r.kind);
  const std::string list_schema = schema_name(r.group, r.version, r.list_kind);
  const std::string suffix = r.kind + (r.namespaced ? "Namespaced" : "");

  JsonValue c(rapidjson::kObjectType);
  set_member(c, "get", operation(r, "list", "list" + suffix, list_schema, r.kind, alloc), alloc);
  set_member(c, "post", operation(r, "post", "create" + suffix, kind_schema, r.kind, alloc), alloc);
  set_member(c, "delete",
             operation(r, "deletecollection", "deleteCollection" + suffix,
                       std::string(kMeta) + "Status", r.kind, alloc),
             alloc);
  JsonValue c_params(rapidjson::kArrayType);
  if (r.namespaced) {
    c_params.PushBack(path_param("namespace", alloc), alloc);
  }
  set_member(c, "parameters", std::move(c_params), alloc);
  set_member(paths, collection, std::move(c), alloc);

  auto item_path = [&](const std::string& path, const std::string& id_suffix) {
    JsonValue i(rapidjson::kObjectType);
    set_member(i, "get",
               operation(r, "get", "read" + suffix + id_suffix, kind_schema, r.kind, alloc), alloc);
    set_member(i, "put",
               operation(r, "put", "replace" + suffix + id_suffix, kind_schema, r.kind, alloc),
               alloc);
    set_member(i, "patch",
               operation(r, "patch", "patch" + suffix + id_suffix, kind_schema, r.kind, alloc),
               alloc);
    if (id_suffix.empty()) {
      set_member(
          i, "delete",
          operation(r, "delete", "delete" + suffix, std::string(kMeta) + "Status", r.kind, alloc),
          alloc);
    }
    JsonValue params(rapidjson::kArrayType);
    params.PushBack(path_param("name", alloc), alloc);
    if (r.namespaced) {
      params.PushBack(path_param("namespace", alloc), alloc);
    }
    set_member(i, "parameters", std::move(params), alloc);
    set_member(paths, path, std::move(i), alloc);
  };
  item_path(item, "");
  if (r.status_subresource) {
    item_path(item + "/status", "Status");
  }
  if (r.namespaced) {
    JsonValue all(rapidjson::kObjectType);
    set_member(
        all, "get",
        operation(r, "list", "list" + r.kind + "ForAllNamespaces", list_schema, r.kind, alloc),
        alloc);
    set_member(paths, prefix + "/" + r.resource, std::move(all), alloc);
  }
}

JsonValue custom_kind_schema(const ResourceInfo& r, JsonAllocator& alloc) {
  JsonValue s = deep_copy(*r.schema, alloc);
  JsonValue& properties = ensure_object(s, "properties", alloc);
  JsonValue metadata(rapidjson::kObjectType);
  JsonValue all_of(rapidjson::kArrayType);
  all_of.PushBack(ref_to(std::string(kMeta) + "ObjectMeta", alloc), alloc);
  set_member(metadata, "allOf", std::move(all_of), alloc);
  set_string(metadata, "description",
             "Standard object's metadata. More info: "
             "https://git.k8s.io/community/contributors/devel/sig-architecture/"
             "api-conventions.md#metadata",
             alloc);
  set_member(properties, "metadata", std::move(metadata), alloc);
  set_member(s, "x-kubernetes-group-version-kind", gvk_list(r, r.kind, alloc), alloc);
  return s;
}

JsonValue list_kind_schema(const ResourceInfo& r, JsonAllocator& alloc) {
  JsonValue s(rapidjson::kObjectType);
  set_string(s, "type", "object", alloc);
  set_string(s, "description", r.list_kind + " is a list of " + r.kind, alloc);
  JsonValue p(rapidjson::kObjectType);
  JsonValue string_type(rapidjson::kObjectType);
  set_string(string_type, "type", "string", alloc);
  set_member(p, "apiVersion", deep_copy(string_type, alloc), alloc);
  set_member(p, "kind", deep_copy(string_type, alloc), alloc);
  JsonValue items(rapidjson::kObjectType);
  set_string(items, "type", "array", alloc);
  set_member(items, "items", ref_to(schema_name(r.group, r.version, r.kind), alloc), alloc);
  set_member(p, "items", std::move(items), alloc);
  set_member(p, "metadata", ref_to(std::string(kMeta) + "ListMeta", alloc), alloc);
  set_member(s, "properties", std::move(p), alloc);
  JsonValue required(rapidjson::kArrayType);
  required.PushBack(make_string("items", alloc), alloc);
  set_member(s, "required", std::move(required), alloc);
  set_member(s, "x-kubernetes-group-version-kind", gvk_list(r, r.list_kind, alloc), alloc);
  return s;
}

}  // namespace

std::string schema_name(std::string_view group, std::string_view version, std::string_view kind) {
  return reversed_group(group) + "." + std::string(version) + "." + std::string(kind);
}

std::string openapi_index_json(const ResourceCatalog& catalog, std::uint64_t salt) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  JsonValue paths(rapidjson::kObjectType);
  char hash[17];
  std::snprintf(
      hash, sizeof(hash), "%016llx",
      static_cast<unsigned long long>(salt ^ (catalog.generation() * 0x9e3779b97f4a7c15ULL)));
  for (const auto& [group, versions] : catalog.groups()) {
    for (const auto& version : versions) {
      const std::string key = group.empty() ? "api/" + version : "apis/" + group + "/" + version;
      JsonValue entry(rapidjson::kObjectType);
      set_string(entry, "serverRelativeURL", "/openapi/v3/" + key + "?hash=" + hash, alloc);
      set_member(paths, key, std::move(entry), alloc);
    }
  }
  set_member(doc, "paths", std::move(paths), alloc);
  return api::write_json(doc);
}

ApiResult<std::string> openapi_document_json(const ResourceCatalog& catalog, std::string_view group,
                                             std::string_view version) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_string(doc, "openapi", "3.0.0", alloc);
  JsonValue info(rapidjson::kObjectType);
  set_string(info, "title", "Kubernetes", alloc);
  set_string(info, "version", "v1.32.0", alloc);
  set_member(doc, "info", std::move(info), alloc);
  JsonValue paths(rapidjson::kObjectType);
  JsonValue schemas(rapidjson::kObjectType);
  bool found = false;
  for (const auto& r : catalog.all()) {
    if (r->group != group || r->version != version) {
      continue;
    }
    found = true;
    add_paths(*r, paths, alloc);
    JsonValue kind =
        r->schema != nullptr ? custom_kind_schema(*r, alloc) : builtin_kind_schema(*r, alloc);
    if (r->schema == nullptr) {
      set_member(kind, "x-kubernetes-group-version-kind", gvk_list(*r, r->kind, alloc), alloc);
    }
    set_member(schemas, schema_name(r->group, r->version, r->kind), std::move(kind), alloc);
    set_member(schemas, schema_name(r->group, r->version, r->list_kind),
               list_kind_schema(*r, alloc), alloc);
  }
  if (!found) {
    return Unexpected(not_found_path());
  }
  add_common_schemas(schemas, alloc);
  set_member(doc, "paths", std::move(paths), alloc);
  JsonValue components(rapidjson::kObjectType);
  set_member(components, "schemas", std::move(schemas), alloc);
  set_member(doc, "components", std::move(components), alloc);
  return api::write_json(doc);
}

}  // namespace korder::devcluster
