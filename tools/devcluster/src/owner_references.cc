// OwnerReferencesPermissionEnforcement, as kube-apiserver's admission plugin of that name does it
// when RBAC is on: changing an object's ownerReferences on update needs `delete` on the object,
// and setting `blockOwnerDeletion: true` on a reference needs `update` on the owner's
// `finalizers` subresource (e.g. `orders/finalizers`). Checked for creates and updates (PUT);
// a PATCH is not checked (the patched object is known only inside the registry).
#include "access_filter.h"
#include "request_parsing.h"

namespace korder::devcluster {
namespace {

const JsonValue* owner_references(const JsonValue& object) {
  const JsonValue* refs = find_path(object, {"metadata", "ownerReferences"});
  return refs != nullptr && refs->IsArray() && !refs->Empty() ? refs : nullptr;
}

bool blocking(const JsonValue& ref) {
  const JsonValue* block = find_member(ref, "blockOwnerDeletion");
  return block != nullptr && block->IsBool() && block->GetBool();
}

bool was_blocking(const JsonValue* old_refs, std::string_view uid) {
  if (old_refs == nullptr) {
    return false;
  }
  for (const auto& ref : old_refs->GetArray()) {
    if (string_at(ref, {"uid"}) == uid && blocking(ref)) {
      return true;
    }
  }
  return false;
}

/// The served resource of `api_version` (`group/version` or `v1`) and `kind`, or nullptr.
ResourcePtr resource_of(const ResourceCatalog& catalog, std::string_view api_version,
                        std::string_view kind) {
  const std::size_t slash = api_version.find('/');
  const std::string_view group =
      slash == std::string_view::npos ? "" : api_version.substr(0, slash);
  const std::string_view version =
      api_version.substr(slash == std::string_view::npos ? 0 : slash + 1);
  for (const auto& info : catalog.all()) {
    if (info->group == group && info->version == version && info->kind == kind) {
      return info;
    }
  }
  return nullptr;
}

HttpResponse denied(const RequestAttributes& a, std::string_view name, const std::string& why) {
  ErrorSubject subject;
  subject.group = a.api_group;
  subject.resource = a.resource;
  subject.name = std::string(name);
  subject.qualified = a.api_group.empty() ? a.resource : a.resource + "." + a.api_group;
  return forbidden(subject, subject.qualified + " \"" + subject.name + "\" is forbidden: " + why)
      .to_response();
}

}  // namespace

std::optional<HttpResponse> AccessFilter::check_owner_references(const HttpRequest& request,
                                                                 const RequestAttributes& a) const {
  if (!a.resource_request || !a.subresource.empty() || (a.verb != "create" && a.verb != "update") ||
      a.user.in_group("system:masters")) {
    return std::nullopt;
  }
  JsonDocument doc;
  if (!parse_body(request, doc) || !doc.IsObject()) {
    return std::nullopt;  // the API handler answers a bad body
  }
  const JsonValue* refs = owner_references(doc);
  ObjectPtr current;
  const JsonValue* old_refs = nullptr;
  if (a.verb == "update") {
    ResourcePtr info = registry_.catalog().find(a.api_group, a.api_version, a.resource);
    if (!info) {
      return std::nullopt;
    }
    if (auto got = registry_.get(*info, a.namespace_, a.name)) {
      current = *got;
      old_refs = owner_references(current->doc);
    }
  }
  const JsonValue empty(rapidjson::kArrayType);
  if (json_equal(refs != nullptr ? *refs : empty, old_refs != nullptr ? *old_refs : empty)) {
    return std::nullopt;
  }
  const std::string_view name = string_at(doc, {"metadata", "name"});
  if (a.verb == "update") {
    RequestAttributes remove = a;
    remove.verb = "delete";
    const Decision decision = rbac_.authorize(remove);
    audit(remove, decision.allowed ? 200 : 403, decision.allowed ? "allow" : "forbid",
          "ownerReferences");
    if (!decision.allowed) {
      return denied(
          a, name,
          "cannot set an ownerRef on a resource you can't delete: " + decision.reason + ", <nil>");
    }
  }
  if (refs == nullptr) {
    return std::nullopt;
  }
  for (const auto& ref : refs->GetArray()) {
    if (!blocking(ref) || was_blocking(old_refs, string_at(ref, {"uid"}))) {
      continue;
    }
    const std::string_view api_version = string_at(ref, {"apiVersion"});
    const std::string_view kind = string_at(ref, {"kind"});
    ResourcePtr owner = resource_of(registry_.catalog(), api_version, kind);
    if (!owner) {
      return denied(a, name,
                    "cannot set blockOwnerDeletion in this case because cannot find RESTMapping "
                    "for APIVersion " +
                        std::string(api_version) + " Kind " + std::string(kind) +
                        ": no matches for kind \"" + std::string(kind) + "\" in version \"" +
                        std::string(api_version) + "\"");
    }
    RequestAttributes finalizers;
    finalizers.user = a.user;
    finalizers.verb = "update";
    finalizers.resource_request = true;
    finalizers.api_group = owner->group;
    finalizers.api_version = owner->version;
    finalizers.resource = owner->resource;
    finalizers.subresource = "finalizers";
    finalizers.namespace_ = a.namespace_;
    finalizers.name = string_at(ref, {"name"});
    const Decision decision = rbac_.authorize(finalizers);
    audit(finalizers, decision.allowed ? 200 : 403, decision.allowed ? "allow" : "forbid",
          "blockOwnerDeletion");
    if (!decision.allowed) {
      return denied(a, name,
                    "cannot set blockOwnerDeletion if an ownerReference refers to a resource you "
                    "can't set finalizers on: " +
                        decision.reason + ", <nil>");
    }
  }
  return std::nullopt;
}

}  // namespace korder::devcluster
