// Component schemas shared by every OpenAPI document, and the permissive schemas of built-in
// kinds.
#include <vector>

#include "openapi.h"

namespace korder::devcluster {
namespace {

constexpr std::string_view kMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.";

JsonValue typed(std::string_view type, std::string_view description, JsonAllocator& alloc,
                std::string_view format = {}) {
  JsonValue s(rapidjson::kObjectType);
  set_string(s, "type", type, alloc);
  if (!format.empty()) {
    set_string(s, "format", format, alloc);
  }
  if (!description.empty()) {
    set_string(s, "description", description, alloc);
  }
  return s;
}

JsonValue ref(std::string_view name, JsonAllocator& alloc) {
  JsonValue s(rapidjson::kObjectType);
  set_string(s, "$ref", "#/components/schemas/" + std::string(name), alloc);
  return s;
}

JsonValue all_of_ref(std::string_view name, std::string_view description, JsonAllocator& alloc) {
  JsonValue s(rapidjson::kObjectType);
  JsonValue list(rapidjson::kArrayType);
  list.PushBack(ref(name, alloc), alloc);
  set_member(s, "allOf", std::move(list), alloc);
  if (!description.empty()) {
    set_string(s, "description", description, alloc);
  }
  return s;
}

JsonValue string_map_schema(std::string_view description, JsonAllocator& alloc) {
  JsonValue s = typed("object", description, alloc);
  set_member(s, "additionalProperties", typed("string", "", alloc), alloc);
  return s;
}

JsonValue array_of(JsonValue items, std::string_view description, JsonAllocator& alloc) {
  JsonValue s = typed("array", description, alloc);
  set_member(s, "items", std::move(items), alloc);
  return s;
}

void add(JsonValue& schemas, std::string_view name, JsonValue schema, JsonAllocator& alloc) {
  set_member(schemas, std::string(kMeta) + std::string(name), std::move(schema), alloc);
}

JsonValue object_meta(JsonAllocator& alloc) {
  JsonValue s = typed("object",
                      "ObjectMeta is metadata that all persisted resources must have, which "
                      "includes all objects users must create.",
                      alloc);
  JsonValue p(rapidjson::kObjectType);
  set_member(
      p, "annotations",
      string_map_schema("Annotations is an unstructured key value map stored with a resource that "
                        "may be set by external tools to store and retrieve arbitrary metadata.",
                        alloc),
      alloc);
  set_member(p, "creationTimestamp",
             all_of_ref(std::string(kMeta) + "Time",
                        "CreationTimestamp is a timestamp representing the server time when this "
                        "object was created.",
                        alloc),
             alloc);
  set_member(p, "deletionGracePeriodSeconds",
             typed("integer",
                   "Number of seconds allowed for this object to gracefully terminate before it "
                   "will be removed from the system.",
                   alloc, "int64"),
             alloc);
  set_member(
      p, "deletionTimestamp",
      all_of_ref(
          std::string(kMeta) + "Time",
          "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.",
          alloc),
      alloc);
  JsonValue finalizers =
      array_of(typed("string", "", alloc),
               "Must be empty before the object is deleted from the registry.", alloc);
  set_string(finalizers, "x-kubernetes-list-type", "set", alloc);
  set_string(finalizers, "x-kubernetes-patch-strategy", "merge", alloc);
  set_member(p, "finalizers", std::move(finalizers), alloc);
  set_member(p, "generateName",
             typed("string",
                   "GenerateName is an optional prefix, used by the server, to generate a unique "
                   "name ONLY IF the Name field has not been provided.",
                   alloc),
             alloc);
  set_member(
      p, "generation",
      typed("integer", "A sequence number representing a specific generation of the desired state.",
            alloc, "int64"),
      alloc);
  set_member(p, "labels",
             string_map_schema("Map of string keys and values that can be used to organize and "
                               "categorize (scope and select) objects.",
                               alloc),
             alloc);
  set_member(p, "managedFields",
             array_of(ref(std::string(kMeta) + "ManagedFieldsEntry", alloc),
                      "ManagedFields maps workflow-id and version to the set of fields that are "
                      "managed by that workflow.",
                      alloc),
             alloc);
  set_member(p, "name", typed("string", "Name must be unique within a namespace.", alloc), alloc);
  set_member(
      p, "namespace",
      typed("string", "Namespace defines the space within which each name must be unique.", alloc),
      alloc);
  JsonValue owners = array_of(ref(std::string(kMeta) + "OwnerReference", alloc),
                              "List of objects depended by this object.", alloc);
  set_string(owners, "x-kubernetes-list-type", "map", alloc);
  JsonValue keys(rapidjson::kArrayType);
  keys.PushBack(make_string("uid", alloc), alloc);
  set_member(owners, "x-kubernetes-list-map-keys", std::move(keys), alloc);
  set_string(owners, "x-kubernetes-patch-merge-key", "uid", alloc);
  set_string(owners, "x-kubernetes-patch-strategy", "merge", alloc);
  set_member(p, "ownerReferences", std::move(owners), alloc);
  set_member(p, "resourceVersion",
             typed("string", "An opaque value that represents the internal version of this object.",
                   alloc),
             alloc);
  set_member(p, "selfLink",
             typed("string",
                   "Deprecated: selfLink is a legacy read-only field that is no longer populated "
                   "by the system.",
                   alloc),
             alloc);
  set_member(p, "uid",
             typed("string", "UID is the unique in time and space value for this object.", alloc),
             alloc);
  set_member(s, "properties", std::move(p), alloc);
  return s;
}

JsonValue owner_reference(JsonAllocator& alloc) {
  JsonValue s = typed(
      "object", "OwnerReference contains enough information to let you identify an owning object.",
      alloc);
  JsonValue p(rapidjson::kObjectType);
  set_member(p, "apiVersion", typed("string", "API version of the referent.", alloc), alloc);
  set_member(
      p, "blockOwnerDeletion",
      typed("boolean",
            "If true, AND if the owner has the \"foregroundDeletion\" finalizer, then the owner "
            "cannot be deleted from the key-value store until this reference is removed.",
            alloc),
      alloc);
  set_member(p, "controller",
             typed("boolean", "If true, this reference points to the managing controller.", alloc),
             alloc);
  set_member(p, "kind", typed("string", "Kind of the referent.", alloc), alloc);
  set_member(p, "name", typed("string", "Name of the referent.", alloc), alloc);
  set_member(p, "uid", typed("string", "UID of the referent.", alloc), alloc);
  set_member(s, "properties", std::move(p), alloc);
  JsonValue required(rapidjson::kArrayType);
  for (std::string_view r : {"apiVersion", "kind", "name", "uid"}) {
    required.PushBack(make_string(r, alloc), alloc);
  }
  set_member(s, "required", std::move(required), alloc);
  set_string(s, "x-kubernetes-map-type", "atomic", alloc);
  return s;
}

JsonValue list_meta(JsonAllocator& alloc) {
  JsonValue s =
      typed("object", "ListMeta describes metadata that synthetic resources must have.", alloc);
  JsonValue p(rapidjson::kObjectType);
  set_member(
      p, "continue",
      typed("string",
            "continue may be set if the user set a limit on the number of items returned.", alloc),
      alloc);
  set_member(p, "remainingItemCount",
             typed("integer",
                   "The number of subsequent items in the list which are not included in this list "
                   "response.",
                   alloc, "int64"),
             alloc);
  set_member(p, "resourceVersion",
             typed("string", "String that identifies the server's internal version of this object.",
                   alloc),
             alloc);
  set_member(p, "selfLink", typed("string", "Deprecated.", alloc), alloc);
  set_member(s, "properties", std::move(p), alloc);
  return s;
}

JsonValue loose_object(std::string_view description, JsonAllocator& alloc) {
  JsonValue s = typed("object", description, alloc);
  set_member(s, "x-kubernetes-preserve-unknown-fields", JsonValue(true), alloc);
  return s;
}

}  // namespace

void add_common_schemas(JsonValue& schemas, JsonAllocator& alloc) {
  add(schemas, "ObjectMeta", object_meta(alloc), alloc);
  add(schemas, "OwnerReference", owner_reference(alloc), alloc);
  add(schemas, "ListMeta", list_meta(alloc), alloc);
  add(schemas, "Time",
      typed(
          "string",
          "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.",
          alloc, "date-time"),
      alloc);
  add(schemas, "ManagedFieldsEntry",
      loose_object("ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the "
                   "resource that the fieldset applies to.",
                   alloc),
      alloc);
  add(schemas, "Status",
      loose_object("Status is a return value for calls that don't return other objects.", alloc),
      alloc);
  add(schemas, "Patch",
      typed("object",
            "Patch is provided to give a concrete name and type to the Kubernetes PATCH request "
            "body.",
            alloc),
      alloc);
  add(schemas, "DeleteOptions",
      loose_object("DeleteOptions may be provided when deleting an API object.", alloc), alloc);
}

JsonValue builtin_kind_schema(const ResourceInfo& info, JsonAllocator& alloc) {
  JsonValue s = typed("object", info.kind + " as served by the korder development cluster.", alloc);
  JsonValue p(rapidjson::kObjectType);
  set_member(
      p, "apiVersion",
      typed("string",
            "APIVersion defines the versioned schema of this representation of an object.", alloc),
      alloc);
  set_member(
      p, "kind",
      typed("string",
            "Kind is a string value representing the REST resource this object represents.", alloc),
      alloc);
  set_member(p, "metadata",
             all_of_ref(std::string(kMeta) + "ObjectMeta", "Standard object's metadata.", alloc),
             alloc);
  std::vector<std::string_view> fields;
  if (info.rules == KindRules::Event) {
    fields = {"involvedObject", "source", "series", "related"};
  } else if (info.resource == "configmaps" || info.resource == "secrets") {
    fields = {"data", "binaryData", "stringData"};
  } else if (info.resource.find("webhookconfigurations") != std::string::npos) {
    fields = {};
  } else {
    fields = {"spec", "status"};
  }
  for (std::string_view field : fields) {
    set_member(p, field, loose_object("", alloc), alloc);
  }
  set_member(s, "properties", std::move(p), alloc);
  set_member(s, "x-kubernetes-preserve-unknown-fields", JsonValue(true), alloc);
  return s;
}

}  // namespace korder::devcluster
