#include "discovery.h"

#include <vector>

namespace korder::devcluster {
namespace {

JsonValue strings(const std::vector<std::string>& values, JsonAllocator& alloc) {
  JsonValue array(rapidjson::kArrayType);
  for (const auto& v : values) {
    array.PushBack(make_string(v, alloc), alloc);
  }
  return array;
}

JsonValue group_version_kind(std::string_view group, std::string_view version,
                             std::string_view kind, JsonAllocator& alloc) {
  JsonValue gvk(rapidjson::kObjectType);
  set_string(gvk, "group", group, alloc);
  set_string(gvk, "version", version, alloc);
  set_string(gvk, "kind", kind, alloc);
  return gvk;
}

JsonValue group_version(const std::string& group, const std::string& version,
                        JsonAllocator& alloc) {
  JsonValue gv(rapidjson::kObjectType);
  set_string(gv, "groupVersion", group.empty() ? version : group + "/" + version, alloc);
  set_string(gv, "version", version, alloc);
  return gv;
}

JsonValue api_group(const std::string& group, const std::vector<std::string>& versions,
                    JsonAllocator& alloc) {
  JsonValue item(rapidjson::kObjectType);
  set_string(item, "name", group, alloc);
  JsonValue list(rapidjson::kArrayType);
  for (const auto& v : versions) {
    list.PushBack(group_version(group, v, alloc), alloc);
  }
  set_member(item, "versions", std::move(list), alloc);
  set_member(item, "preferredVersion", group_version(group, versions.front(), alloc), alloc);
  return item;
}

JsonValue discovery_resource(const ResourceInfo& r, JsonAllocator& alloc) {
  JsonValue entry(rapidjson::kObjectType);
  set_string(entry, "resource", r.resource, alloc);
  set_member(entry, "responseKind", group_version_kind(r.group, r.version, r.kind, alloc), alloc);
  set_string(entry, "scope", r.namespaced ? "Namespaced" : "Cluster", alloc);
  set_string(entry, "singularResource", r.singular, alloc);
  set_member(entry, "verbs", strings(r.verbs, alloc), alloc);
  if (!r.short_names.empty()) {
    set_member(entry, "shortNames", strings(r.short_names, alloc), alloc);
  }
  if (!r.categories.empty()) {
    set_member(entry, "categories", strings(r.categories, alloc), alloc);
  }
  JsonValue subresources(rapidjson::kArrayType);
  if (r.status_subresource) {
    JsonValue s(rapidjson::kObjectType);
    set_string(s, "subresource", "status", alloc);
    set_member(s, "responseKind", group_version_kind(r.group, r.version, r.kind, alloc), alloc);
    set_member(s, "verbs", strings({"get", "patch", "update"}, alloc), alloc);
    subresources.PushBack(std::move(s), alloc);
  }
  if (r.binding_subresource) {
    JsonValue s(rapidjson::kObjectType);
    set_string(s, "subresource", "binding", alloc);
    set_member(s, "responseKind", group_version_kind("", "v1", "Binding", alloc), alloc);
    set_member(s, "verbs", strings({"create"}, alloc), alloc);
    subresources.PushBack(std::move(s), alloc);
  }
  if (!subresources.Empty()) {
    set_member(entry, "subresources", std::move(subresources), alloc);
  }
  return entry;
}

JsonValue legacy_resource(std::string name, std::string singular, const ResourceInfo& r,
                          std::string kind, std::vector<std::string> verbs, JsonAllocator& alloc,
                          bool main) {
  JsonValue entry(rapidjson::kObjectType);
  set_string(entry, "name", name, alloc);
  set_string(entry, "singularName", singular, alloc);
  set_member(entry, "namespaced", JsonValue(r.namespaced), alloc);
  if (!main && kind == "Binding") {
    set_string(entry, "group", "", alloc);
    set_string(entry, "version", "v1", alloc);
  }
  set_string(entry, "kind", kind, alloc);
  set_member(entry, "verbs", strings(verbs, alloc), alloc);
  if (main && !r.short_names.empty()) {
    set_member(entry, "shortNames", strings(r.short_names, alloc), alloc);
  }
  if (main && !r.categories.empty()) {
    set_member(entry, "categories", strings(r.categories, alloc), alloc);
  }
  return entry;
}

}  // namespace

std::string version_json() {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_string(doc, "major", "1", alloc);
  set_string(doc, "minor", "32", alloc);
  set_string(doc, "gitVersion", "v1.32.0-korder", alloc);
  set_string(doc, "gitCommit", "korder-devcluster", alloc);
  set_string(doc, "gitTreeState", "clean", alloc);
  set_string(doc, "buildDate", "2025-01-01T00:00:00Z", alloc);
  set_string(doc, "goVersion", "go1.23.0", alloc);
  set_string(doc, "compiler", "gc", alloc);
  set_string(doc, "platform", "linux/amd64", alloc);
  return api::write_json(doc);
}

std::string api_versions_json(std::string_view server_address) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_string(doc, "kind", "APIVersions", alloc);
  set_member(doc, "versions", strings({"v1"}, alloc), alloc);
  JsonValue cidrs(rapidjson::kArrayType);
  JsonValue cidr(rapidjson::kObjectType);
  set_string(cidr, "clientCIDR", "0.0.0.0/0", alloc);
  set_string(cidr, "serverAddress", server_address, alloc);
  cidrs.PushBack(std::move(cidr), alloc);
  set_member(doc, "serverAddressByClientCIDRs", std::move(cidrs), alloc);
  return api::write_json(doc);
}

std::string api_group_list_json(const ResourceCatalog& catalog) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_string(doc, "kind", "APIGroupList", alloc);
  set_string(doc, "apiVersion", "v1", alloc);
  JsonValue groups(rapidjson::kArrayType);
  for (const auto& [group, versions] : catalog.groups()) {
    if (!group.empty()) {
      groups.PushBack(api_group(group, versions, alloc), alloc);
    }
  }
  set_member(doc, "groups", std::move(groups), alloc);
  return api::write_json(doc);
}

ApiResult<std::string> api_group_json(const ResourceCatalog& catalog, std::string_view group) {
  for (const auto& [name, versions] : catalog.groups()) {
    if (name == group && !name.empty()) {
      JsonDocument doc(rapidjson::kObjectType);
      auto& alloc = doc.GetAllocator();
      JsonValue item = api_group(name, versions, alloc);
      set_string(doc, "kind", "APIGroup", alloc);
      set_string(doc, "apiVersion", "v1", alloc);
      for (auto it = item.MemberBegin(); it != item.MemberEnd(); ++it) {
        doc.AddMember(it->name, it->value, alloc);
      }
      return api::write_json(doc);
    }
  }
  return Unexpected(not_found_path());
}

ApiResult<std::string> resource_list_json(const ResourceCatalog& catalog, std::string_view group,
                                          std::string_view version) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_string(doc, "kind", "APIResourceList", alloc);
  set_string(doc, "apiVersion", "v1", alloc);
  set_string(doc, "groupVersion",
             group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version),
             alloc);
  JsonValue resources(rapidjson::kArrayType);
  bool found = false;
  for (const auto& r : catalog.all()) {
    if (r->group != group || r->version != version) {
      continue;
    }
    found = true;
    resources.PushBack(
        legacy_resource(r->resource, r->singular, *r, r->kind, r->verbs, alloc, true), alloc);
    if (r->status_subresource) {
      resources.PushBack(legacy_resource(r->resource + "/status", "", *r, r->kind,
                                         {"get", "patch", "update"}, alloc, false),
                         alloc);
    }
    if (r->binding_subresource) {
      resources.PushBack(
          legacy_resource(r->resource + "/binding", "", *r, "Binding", {"create"}, alloc, false),
          alloc);
    }
  }
  if (!found) {
    return Unexpected(not_found_path());
  }
  set_member(doc, "resources", std::move(resources), alloc);
  return api::write_json(doc);
}

std::string aggregated_discovery_json(const ResourceCatalog& catalog, bool core) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_string(doc, "kind", "APIGroupDiscoveryList", alloc);
  set_string(doc, "apiVersion", "apidiscovery.k8s.io/v2", alloc);
  set_member(doc, "metadata", JsonValue(rapidjson::kObjectType), alloc);
  JsonValue items(rapidjson::kArrayType);
  const std::vector<ResourcePtr> resources = catalog.all();
  for (const auto& [group, versions] : catalog.groups()) {
    if (group.empty() != core) {
      continue;
    }
    JsonValue item(rapidjson::kObjectType);
    JsonValue metadata(rapidjson::kObjectType);
    set_string(metadata, "name", group, alloc);
    set_member(metadata, "creationTimestamp", JsonValue(), alloc);
    set_member(item, "metadata", std::move(metadata), alloc);
    JsonValue version_list(rapidjson::kArrayType);
    for (const auto& version : versions) {
      JsonValue entry(rapidjson::kObjectType);
      set_string(entry, "version", version, alloc);
      JsonValue list(rapidjson::kArrayType);
      for (const auto& r : resources) {
        if (r->group == group && r->version == version) {
          list.PushBack(discovery_resource(*r, alloc), alloc);
        }
      }
      set_member(entry, "resources", std::move(list), alloc);
      set_string(entry, "freshness", "Current", alloc);
      version_list.PushBack(std::move(entry), alloc);
    }
    set_member(item, "versions", std::move(version_list), alloc);
    items.PushBack(std::move(item), alloc);
  }
  set_member(doc, "items", std::move(items), alloc);
  return api::write_json(doc);
}

}  // namespace korder::devcluster
