// Updates: PUT, PATCH (merge, JSON, strategic, apply) and pods/binding, all through one
// optimistic read-modify-write loop (kube-apiserver's GuaranteedUpdate).
#include "kind_rules.h"
#include "korder/api/time.h"
#include "korder/api/yaml.h"
#include "patch.h"
#include "registry.h"

namespace korder::devcluster {
namespace {

constexpr int kMaxUpdateAttempts = 16;

ApiError patch_failed(std::string message) {
  ApiError e;
  e.code = 422;
  e.reason = "Invalid";
  e.message = "the server rejected our request due to an error in our request";
  e.causes.push_back({"UnexpectedServerResponse", std::move(message), ""});
  return e;
}

/// True when the patch names metadata.resourceVersion (then it is a precondition).
bool patch_sets_rv(PatchType type, const JsonValue& patch) {
  if (type == PatchType::Json) {
    if (!patch.IsArray()) {
      return false;
    }
    for (const auto& op : patch.GetArray()) {
      if (string_at(op, {"path"}) == "/metadata/resourceVersion" &&
          string_at(op, {"op"}) != "test") {
        return true;
      }
    }
    return false;
  }
  const JsonValue* rv = find_path(patch, {"metadata", "resourceVersion"});
  return rv != nullptr && rv->IsString();
}

void set_status_of(JsonDocument& doc, const JsonValue* status) {
  if (status != nullptr) {
    set_member(doc, "status", deep_copy(*status, doc.GetAllocator()), doc.GetAllocator());
  } else {
    remove_member(doc, "status");
  }
}

}  // namespace

Awaitable<ApiResult<WriteResult>> Registry::update(const ResourceInfo& info, std::string namespace_,
                                                   std::string name, std::string subresource,
                                                   JsonDocument body, WriteOptions options) {
  if (!body.IsObject()) {
    co_return Unexpected(bad_request("the body of the request must be a JSON object"));
  }
  auto shared = std::make_shared<JsonDocument>(std::move(body));
  Transform transform = [shared](const ObjectPtr&) -> ApiResult<JsonDocument> {
    return copy_document(*shared);
  };
  co_return co_await update_loop(info, std::move(namespace_), std::move(name),
                                 std::move(subresource), std::move(transform), true,
                                 std::move(options), false);
}

Awaitable<ApiResult<WriteResult>> Registry::patch(const ResourceInfo& info, std::string namespace_,
                                                  std::string name, std::string subresource,
                                                  PatchType type, std::string body,
                                                  WriteOptions options) {
  if (type == PatchType::Strategic && info.custom()) {
    co_return Unexpected(unsupported_media_type(
        "application/strategic-merge-patch+json",
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"));
  }
  std::string json_text = std::move(body);
  if (type == PatchType::Apply) {
    auto converted = api::yaml_to_json(json_text);
    if (!converted) {
      co_return Unexpected(bad_request("error decoding YAML: " + converted.error().to_string()));
    }
    json_text = std::move(*converted);
  }
  auto patch_doc = std::make_shared<JsonDocument>();
  if (auto parsed = api::parse_json(json_text, *patch_doc); !parsed) {
    co_return Unexpected(bad_request("error decoding patch: " + parsed.error().to_string()));
  }
  if (type != PatchType::Json && !patch_doc->IsObject()) {
    co_return Unexpected(bad_request("the patch must be a JSON object"));
  }
  Transform transform = [patch_doc, type](const ObjectPtr& current) -> ApiResult<JsonDocument> {
    if (current == nullptr) {
      return copy_document(*patch_doc);  // apply of a missing object creates it
    }
    JsonDocument doc = copy_document(current->doc);
    switch (type) {
      case PatchType::Merge:
      case PatchType::Apply:
        apply_merge_patch(doc, *patch_doc, doc.GetAllocator());
        break;
      case PatchType::Json:
        if (auto applied = apply_json_patch(doc, *patch_doc); !applied) {
          return Unexpected(patch_failed(applied.error()));
        }
        break;
      case PatchType::Strategic:
        if (auto applied = apply_strategic_merge_patch(doc, *patch_doc, doc.GetAllocator());
            !applied) {
          return Unexpected(patch_failed(applied.error()));
        }
        break;
    }
    return doc;
  };
  const bool client_rv = patch_sets_rv(type, *patch_doc);
  (void)client_rv;
  co_return co_await update_loop(info, std::move(namespace_), std::move(name),
                                 std::move(subresource), std::move(transform),
                                 /*put=*/client_rv, std::move(options), type == PatchType::Apply);
}

Awaitable<ApiResult<WriteResult>> Registry::update_loop(
    const ResourceInfo& info, std::string namespace_, std::string name, std::string subresource,
    Transform transform, bool put, WriteOptions options, bool create_if_missing) {
  const std::string ns = info.namespaced ? namespace_ : "";
  for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
    ObjectPtr current = store_.get(info.storage_id(), ns, name);
    if (current == nullptr) {
      if (!create_if_missing || !subresource.empty()) {
        co_return Unexpected(not_found(info.subject(name)));
      }
      auto body = transform(nullptr);
      if (!body) {
        co_return Unexpected(std::move(body).error());
      }
      JsonValue& metadata = metadata_of(*body);
      if (string_at(metadata, {"name"}).empty()) {
        set_string(metadata, "name", name, body->GetAllocator());
      }
      co_return co_await create(info, namespace_, std::move(*body), options);
    }
    auto next = transform(current);
    if (!next) {
      co_return Unexpected(std::move(next).error());
    }
    JsonDocument doc = std::move(*next);
    if (!doc.IsObject()) {
      co_return Unexpected(bad_request("the body of the request must be a JSON object"));
    }
    auto& alloc = doc.GetAllocator();
    JsonValue& metadata = metadata_of(doc);
    const std::string_view body_name = string_at(metadata, {"name"});
    if (!body_name.empty() && body_name != name) {
      co_return Unexpected(bad_request("the name of the object (" + std::string(body_name) +
                                       ") does not match the name on the URL (" + name + ")"));
    }
    const std::string_view body_ns = string_at(metadata, {"namespace"});
    if (info.namespaced && !body_ns.empty() && body_ns != ns) {
      co_return Unexpected(bad_request(
          "the namespace of the provided object does not match the namespace sent on the "
          "request"));
    }
    const std::string body_rv(string_at(metadata, {"resourceVersion"}));
    const std::string current_rv = std::to_string(current->rv);
    if (put && body_rv.empty() && info.custom()) {
      co_return Unexpected(
          invalid(info.qualified_kind(), info.subject(name),
                  {FieldError{FieldError::Type::Invalid, "metadata.resourceVersion",
                              "Invalid value: 0x0: must be specified for an update"}}));
    }
    const bool client_rv = put && !body_rv.empty();
    if (client_rv && body_rv != current_rv) {
      co_return Unexpected(conflict_modified(info.subject(name)));
    }
    set_string(metadata, "name", name, alloc);
    if (info.namespaced) {
      set_string(metadata, "namespace", ns, alloc);
    } else {
      remove_member(metadata, "namespace");
    }
    auto warnings = normalize_fields(info, doc, options);
    if (!warnings) {
      co_return Unexpected(std::move(warnings).error());
    }
    if (subresource == "status") {
      JsonDocument merged = copy_document(current->doc);
      set_status_of(merged, find_member(doc, "status"));
      doc.Swap(merged);
    } else if (info.status_subresource) {
      set_status_of(doc, find_member(current->doc, "status"));
    }
    keep_server_fields(doc, current->doc);
    set_string(metadata_of(doc), "resourceVersion", current_rv, doc.GetAllocator());
    prepare_for_update(info, doc, current->doc, clock_.now());
    const std::int64_t generation = int_at(current->doc, {"metadata", "generation"}).value_or(1);
    set_member(metadata_of(doc), "generation",
               JsonValue(generation_changes(info, doc, current->doc) ? generation + 1 : generation),
               doc.GetAllocator());

    auto mutated = co_await admit(info, AdmissionOperation::Update, subresource, &doc,
                                  &current->doc, options, true);
    if (!mutated) {
      co_return Unexpected(std::move(mutated).error());
    }
    if (auto valid = validate(info, doc, &current->doc); !valid) {
      co_return Unexpected(std::move(valid).error());
    }
    auto validated = co_await admit(info, AdmissionOperation::Update, subresource, &doc,
                                    &current->doc, options, false);
    if (!validated) {
      co_return Unexpected(std::move(validated).error());
    }
    WriteResult result;
    result.warnings = std::move(*warnings);
    result.warnings.insert(result.warnings.end(), mutated->begin(), mutated->end());
    result.warnings.insert(result.warnings.end(), validated->begin(), validated->end());
    if (json_equal(doc, current->doc)) {
      result.object = current;  // a no-op keeps the resourceVersion and emits nothing
      co_return result;
    }
    // As kube-apiserver's ShouldDeleteDuringUpdate: an update removes a terminating object
    // without finalizers, unless a graceful deletion (a pod's kubelet) is still running.
    if (is_terminating(doc) && !has_pending_finalizers(info, doc) &&
        int_at(current->doc, {"metadata", "deletionGracePeriodSeconds"}).value_or(0) == 0) {
      if (options.dry_run) {
        result.object = make_stored(std::move(doc), 0);
        result.deleted = true;
        co_return result;
      }
      auto removed = finalize_delete(info, current, std::move(doc));
      if (!removed) {
        if (removed.error().code == 409 && !client_rv) {
          continue;
        }
        co_return Unexpected(std::move(removed).error());
      }
      result.object = *removed;
      result.deleted = true;
      co_return result;
    }
    if (options.dry_run) {
      result.object = make_stored(std::move(doc), 0);
      co_return result;
    }
    auto stored = store_.update(info.storage_id(), std::move(doc), current->rv);
    if (!stored) {
      if (stored.error() == CommitError::Conflict && !client_rv) {
        continue;  // someone wrote in between: recompute from the new state
      }
      co_return Unexpected(commit_error(info, name, stored.error()));
    }
    result.object = *stored;
    after_write(info, result.object, false);
    co_return result;
  }
  co_return Unexpected(conflict_modified(info.subject(name)));
}

Awaitable<ApiResult<WriteResult>> Registry::bind(std::string namespace_, std::string name,
                                                 JsonDocument binding, WriteOptions options) {
  ResourcePtr pods = catalog_.find("", "v1", "pods");
  const ErrorSubject subject{"pods/binding", "", "pods", name};
  const std::string_view binding_name = string_at(binding, {"metadata", "name"});
  if (!binding_name.empty() && binding_name != name) {
    co_return Unexpected(bad_request("name in URL does not match name in Binding object"));
  }
  const std::string target(string_at(binding, {"target", "name"}));
  const std::string_view target_kind = string_at(binding, {"target", "kind"});
  if (target.empty() || (!target_kind.empty() && target_kind != "Node")) {
    co_return Unexpected(invalid("Binding", subject,
                                 {FieldError{FieldError::Type::Required, "target.name",
                                             "Required value: a node name is required"}}));
  }
  for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
    ObjectPtr current = store_.get(pods->storage_id(), namespace_, name);
    if (current == nullptr) {
      co_return Unexpected(not_found(pods->subject(name)));
    }
    const std::string_view want_uid = string_at(binding, {"metadata", "uid"});
    const std::string_view want_rv = string_at(binding, {"metadata", "resourceVersion"});
    if ((!want_uid.empty() && want_uid != current->uid) ||
        (!want_rv.empty() && want_rv != std::to_string(current->rv))) {
      co_return Unexpected(conflict(subject,
                                    "the object has been modified; please apply your "
                                    "changes to the latest version and try again"));
    }
    if (is_terminating(current->doc)) {
      co_return Unexpected(
          conflict(subject, "pod " + name + " is being deleted, cannot be assigned to a host"));
    }
    const std::string_view node = string_at(current->doc, {"spec", "nodeName"});
    if (!node.empty()) {
      co_return Unexpected(conflict(
          subject, "pod " + name + " is already assigned to node \"" + std::string(node) + "\""));
    }
    const JsonValue* gates = find_path(current->doc, {"spec", "schedulingGates"});
    if (gates != nullptr && gates->IsArray() && !gates->Empty()) {
      co_return Unexpected(
          conflict(subject, "pod " + name + " has non-empty .spec.schedulingGates"));
    }
    JsonDocument doc = copy_document(current->doc);
    auto& alloc = doc.GetAllocator();
    set_string(ensure_object(doc, "spec", alloc), "nodeName", target, alloc);
    for (const auto& [key, value] : string_map(find_path(binding, {"metadata", "annotations"}))) {
      set_string(ensure_object(metadata_of(doc), "annotations", alloc), key, value, alloc);
    }
    JsonValue& status = ensure_object(doc, "status", alloc);
    JsonValue* conditions = find_member(status, "conditions");
    if (conditions == nullptr || !conditions->IsArray()) {
      set_member(status, "conditions", JsonValue(rapidjson::kArrayType), alloc);
      conditions = find_member(status, "conditions");
    }
    for (auto it = conditions->Begin(); it != conditions->End();) {
      it = string_at(*it, {"type"}) == "PodScheduled" ? conditions->Erase(it) : it + 1;
    }
    JsonValue scheduled(rapidjson::kObjectType);
    set_string(scheduled, "type", "PodScheduled", alloc);
    set_string(scheduled, "status", "True", alloc);
    set_member(scheduled, "lastProbeTime", JsonValue(), alloc);
    set_string(scheduled, "lastTransitionTime", api::format_rfc3339(clock_.now()), alloc);
    conditions->PushBack(std::move(scheduled), alloc);
    // As kube-apiserver does, admission of pods/binding reviews the Binding itself (CREATE).
    auto validated = co_await admit(*pods, AdmissionOperation::Create, "binding", &binding, nullptr,
                                    options, false);
    if (!validated) {
      co_return Unexpected(std::move(validated).error());
    }
    WriteResult result;
    result.created = true;
    if (options.dry_run) {
      result.object = make_stored(std::move(doc), 0);
      co_return result;
    }
    auto stored = store_.update(pods->storage_id(), std::move(doc), current->rv);
    if (!stored) {
      continue;
    }
    result.object = *stored;
    co_return result;
  }
  co_return Unexpected(conflict_modified(subject));
}

}  // namespace korder::devcluster
