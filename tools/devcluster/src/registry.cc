#include "registry.h"

#include <set>

#include "crd.h"
#include "kind_rules.h"
#include "korder/api/time.h"
#include "schema.h"

namespace korder::devcluster {
namespace {

/// Members of metav1.ObjectMeta; anything else in `metadata` is an unknown field.
const std::set<std::string, std::less<>> kObjectMetaFields = {"name",
                                                              "generateName",
                                                              "namespace",
                                                              "selfLink",
                                                              "uid",
                                                              "resourceVersion",
                                                              "generation",
                                                              "creationTimestamp",
                                                              "deletionTimestamp",
                                                              "deletionGracePeriodSeconds",
                                                              "labels",
                                                              "annotations",
                                                              "ownerReferences",
                                                              "finalizers",
                                                              "managedFields"};

constexpr int kMaxGenerateNameAttempts = 8;

std::vector<std::string> prune_unknown_metadata(JsonDocument& doc) {
  std::vector<std::string> pruned;
  JsonValue* metadata = find_member(doc, "metadata");
  if (metadata == nullptr || !metadata->IsObject()) {
    return pruned;
  }
  for (auto it = metadata->MemberBegin(); it != metadata->MemberEnd();) {
    const std::string_view name(it->name.GetString(), it->name.GetStringLength());
    if (kObjectMetaFields.count(name) == 0) {
      pruned.push_back("metadata." + std::string(name));
      it = metadata->EraseMember(it);
    } else if (it->value.IsNull() ||
               ((it->value.IsArray() || it->value.IsObject()) &&
                (it->value.IsArray() ? it->value.Empty() : it->value.MemberCount() == 0))) {
      // ObjectMeta's fields are omitempty: empty lists and maps are not kept.
      it = metadata->EraseMember(it);
    } else {
      ++it;
    }
  }
  return pruned;
}

}  // namespace

std::string unknown_field_warning(const std::string& path) {
  return "unknown field \"" + path + "\"";
}

Registry::Registry(Store& store, ResourceCatalog& catalog, const Clock& clock, std::uint64_t seed)
    : store_(store), catalog_(catalog), clock_(clock), names_(seed) {}

std::string Registry::new_uid() {
  std::lock_guard lock(rng_mu_);
  return names_.uid();
}

std::string Registry::new_name(std::string_view prefix) {
  std::lock_guard lock(rng_mu_);
  return names_.generate_name(prefix);
}

ApiError Registry::commit_error(const ResourceInfo& info, const std::string& name,
                                CommitError e) const {
  switch (e) {
    case CommitError::AlreadyExists:
      return already_exists(info.subject(name));
    case CommitError::NotFound:
      return not_found(info.subject(name));
    case CommitError::Conflict:
      return conflict_modified(info.subject(name));
  }
  return internal_error("unknown commit error");
}

ApiResult<ObjectPtr> Registry::get(const ResourceInfo& info, const std::string& namespace_,
                                   const std::string& name) const {
  ObjectPtr object = store_.get(info.storage_id(), info.namespaced ? namespace_ : "", name);
  if (object == nullptr) {
    return Unexpected(not_found(info.subject(name)));
  }
  return object;
}

ApiResult<void> Registry::check_namespace(const ResourceInfo& info, const std::string& namespace_,
                                          const std::string& name) const {
  if (!info.namespaced) {
    return {};
  }
  ObjectPtr ns = store_.get("/namespaces", "", namespace_);
  if (ns == nullptr) {
    return Unexpected(not_found(ErrorSubject{"namespaces", "", "namespaces", namespace_}));
  }
  if (is_terminating(ns->doc)) {
    return Unexpected(forbidden(info.subject(name),
                                info.qualified_resource() + " \"" + name +
                                    "\" is forbidden: unable to create new content in namespace " +
                                    namespace_ + " because it is being terminated"));
  }
  return {};
}

ApiResult<std::vector<std::string>> Registry::normalize_fields(const ResourceInfo& info,
                                                               JsonDocument& doc,
                                                               const WriteOptions& options) const {
  auto& alloc = doc.GetAllocator();
  if (std::string problem = metadata_decode_error(doc); !problem.empty()) {
    return Unexpected(bad_request(problem));
  }
  const std::string_view api_version = string_at(doc, {"apiVersion"});
  const std::string_view kind = string_at(doc, {"kind"});
  if (info.custom() && (kind.empty() || api_version.empty())) {
    return Unexpected(
        bad_request(std::string("Object 'Kind' is missing in '") + api::write_json(doc) + "'"));
  }
  if (!api_version.empty() && api_version != info.api_version()) {
    return Unexpected(bad_request("the API version in the data (" + std::string(api_version) +
                                  ") does not match the expected API version (" +
                                  info.api_version() + ")"));
  }
  if (!kind.empty() && kind != info.kind) {
    return Unexpected(bad_request("the kind in the data (" + std::string(kind) +
                                  ") does not match the expected kind (" + info.kind + ")"));
  }
  set_string(doc, "apiVersion", info.api_version(), alloc);
  set_string(doc, "kind", info.kind, alloc);
  std::vector<std::string> unknown = prune_unknown_metadata(doc);
  if (info.schema != nullptr) {
    for (auto& path : prune_unknown_fields(doc, *info.schema, alloc)) {
      unknown.push_back(std::move(path));
    }
    apply_defaults(doc, *info.schema, alloc);
  }
  std::vector<std::string> warnings;
  if (unknown.empty() || options.field_validation == FieldValidation::Ignore) {
    return warnings;
  }
  if (options.field_validation == FieldValidation::Strict) {
    std::string message = info.kind + " in version \"" + info.version +
                          "\" cannot be handled as a " + info.kind + ": strict decoding error: ";
    for (std::size_t i = 0; i < unknown.size(); ++i) {
      message += (i == 0 ? "" : ", ") + unknown_field_warning(unknown[i]);
    }
    return Unexpected(bad_request(message));
  }
  for (const auto& path : unknown) {
    warnings.push_back(unknown_field_warning(path));
  }
  return warnings;
}

ApiResult<void> Registry::validate(const ResourceInfo& info, const JsonDocument& doc,
                                   const JsonValue* old_object) const {
  FieldErrors errors = validate_object_meta(info, doc);
  if (old_object != nullptr) {
    for (auto& e : validate_object_meta_update(doc, *old_object)) {
      errors.push_back(std::move(e));
    }
  }
  if (info.schema != nullptr) {
    for (auto& e : validate_against_schema(doc, *info.schema)) {
      errors.push_back(std::move(e));
    }
  }
  FieldErrors kind_errors = old_object != nullptr ? validate_kind_update(info, doc, *old_object)
                                                  : validate_kind(info, doc);
  for (auto& e : kind_errors) {
    errors.push_back(std::move(e));
  }
  if (errors.empty()) {
    return {};
  }
  return Unexpected(invalid(info.qualified_kind(),
                            info.subject(std::string(string_at(doc, {"metadata", "name"}))),
                            errors));
}

Awaitable<ApiResult<std::vector<std::string>>> Registry::admit(
    const ResourceInfo& info, AdmissionOperation op, std::string subresource, JsonDocument* object,
    const JsonValue* old_object, const WriteOptions& options, bool mutate) {
  std::vector<std::string> warnings;
  if (admission_ == nullptr) {
    co_return warnings;
  }
  AdmissionRequest request;
  request.resource = &info;
  request.subresource = std::move(subresource);
  request.operation = op;
  const JsonValue& source =
      object != nullptr ? static_cast<const JsonValue&>(*object) : *old_object;
  request.namespace_ = std::string(string_at(source, {"metadata", "namespace"}));
  request.name = std::string(string_at(source, {"metadata", "name"}));
  request.object = object;
  request.old_object = old_object;
  request.dry_run = options.dry_run;
  request.field_manager = options.field_manager;
  // No co_await inside a conditional expression: g++ 12 mishandles temporaries there.
  AdmissionResult result;
  if (mutate) {
    result = co_await admission_->mutate(request);
  } else {
    result = co_await admission_->validate(request);
  }
  if (result.error) {
    co_return Unexpected(std::move(*result.error));
  }
  co_return std::move(result.warnings);
}

Awaitable<ApiResult<WriteResult>> Registry::create(const ResourceInfo& info, std::string namespace_,
                                                   JsonDocument body, WriteOptions options) {
  if (!body.IsObject()) {
    co_return Unexpected(bad_request("the body of the request must be a JSON object"));
  }
  auto& alloc = body.GetAllocator();
  JsonValue& metadata = metadata_of(body);
  if (info.namespaced) {
    const std::string_view body_ns = string_at(metadata, {"namespace"});
    if (body_ns.empty()) {
      set_string(metadata, "namespace", namespace_, alloc);
    } else if (body_ns != namespace_) {
      co_return Unexpected(bad_request(
          "the namespace of the provided object does not match the namespace sent on the "
          "request"));
    }
  } else {
    remove_member(metadata, "namespace");
  }
  auto checked = check_namespace(info, namespace_, std::string(string_at(metadata, {"name"})));
  if (!checked) {
    co_return Unexpected(std::move(checked).error());
  }
  clear_server_fields(body);
  auto warnings = normalize_fields(info, body, options);
  if (!warnings) {
    co_return Unexpected(std::move(warnings).error());
  }
  if (info.status_subresource && info.rules != KindRules::Node) {
    remove_member(body, "status");
  }
  const TimePoint now = clock_.now();
  prepare_for_create(info, body, now);
  set_member(metadata_of(body), "generation", JsonValue(1), alloc);

  auto mutated =
      co_await admit(info, AdmissionOperation::Create, "", &body, nullptr, options, true);
  if (!mutated) {
    co_return Unexpected(std::move(mutated).error());
  }
  WriteResult result;
  result.warnings = std::move(*warnings);
  result.warnings.insert(result.warnings.end(), mutated->begin(), mutated->end());

  const std::string generate_prefix(string_at(body, {"metadata", "generateName"}));
  const bool generated = string_at(body, {"metadata", "name"}).empty() && !generate_prefix.empty();
  if (generated) {
    set_string(metadata_of(body), "name", new_name(generate_prefix), alloc);
  }
  set_string(metadata_of(body), "uid", new_uid(), alloc);
  set_string(metadata_of(body), "creationTimestamp", api::format_rfc3339(now), alloc);
  if (auto valid = validate(info, body, nullptr); !valid) {
    co_return Unexpected(std::move(valid).error());
  }
  auto validated =
      co_await admit(info, AdmissionOperation::Create, "", &body, nullptr, options, false);
  if (!validated) {
    co_return Unexpected(std::move(validated).error());
  }
  result.warnings.insert(result.warnings.end(), validated->begin(), validated->end());
  result.created = true;
  if (options.dry_run) {
    result.object = make_stored(std::move(body), 0);
    co_return result;
  }
  for (int attempt = 0;; ++attempt) {
    JsonDocument attempt_doc = copy_document(body);
    auto stored = store_.create(info.storage_id(), std::move(attempt_doc));
    if (stored) {
      result.object = *stored;
      after_write(info, result.object, false);
      co_return result;
    }
    if (!generated || attempt + 1 >= kMaxGenerateNameAttempts) {
      co_return Unexpected(
          commit_error(info, std::string(string_at(body, {"metadata", "name"})), stored.error()));
    }
    set_string(metadata_of(body), "name", new_name(generate_prefix), alloc);
  }
}

void Registry::after_write(const ResourceInfo& info, const ObjectPtr& object, bool deleted) {
  if (info.rules != KindRules::CustomResourceDefinition) {
    return;
  }
  if (!deleted) {
    catalog_.set_custom(object->name, crd_resources(object->doc));
    return;
  }
  // The CRD is gone: stop serving its resources, then remove their objects (watchers see
  // DELETED). The API server waits for CR finalizers here; the devcluster removes at once.
  std::vector<ResourceInfo> resources = crd_resources(object->doc);
  catalog_.remove_custom(object->name);
  std::set<std::string> storage_ids;
  for (const auto& r : resources) {
    storage_ids.insert(r.storage_id());
  }
  for (const auto& id : storage_ids) {
    for (const auto& item : store_.list(id, "", "", 0, nullptr).items) {
      (void)store_.remove(id, item->namespace_, item->name, 0);
    }
  }
}

}  // namespace korder::devcluster
