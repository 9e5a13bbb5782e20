#include "korder/certs/ca_bundle.h"

#include <glog/logging.h>

#include "korder/api/base64.h"
#include "korder/api/json.h"
#include "korder/kclient/resource_ref.h"
#include "korder/kclient/rest_client.h"

namespace korder::certs {
namespace {

constexpr const char* kMutating = "mutatingwebhookconfigurations";
constexpr const char* kValidating = "validatingwebhookconfigurations";

api::JsonValue str(std::string_view s, api::JsonAllocator& alloc) {
  return api::JsonValue(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
}

void add_op(api::JsonValue& ops, const char* op, const std::string& path, api::JsonValue value,
            api::JsonAllocator& alloc) {
  api::JsonValue entry(rapidjson::kObjectType);
  entry.AddMember("op", api::JsonValue(op, alloc), alloc);
  entry.AddMember("path", str(path, alloc), alloc);
  entry.AddMember("value", value, alloc);
  ops.PushBack(entry, alloc);
}

}  // namespace

Expected<std::optional<std::string>, std::string> ca_bundle_patch(
    std::string_view configuration_json, const std::string& ca_bundle) {
  api::JsonDocument doc;
  if (auto parsed = api::parse_json(configuration_json, doc); !parsed) {
    return Unexpected(parsed.error().to_string());
  }
  if (!doc.IsObject() || !doc.HasMember("metadata") || !doc["metadata"].IsObject()) {
    return Unexpected(std::string("metadata: missing"));
  }
  const api::JsonValue& metadata = doc["metadata"];
  if (!metadata.HasMember("resourceVersion") || !metadata["resourceVersion"].IsString()) {
    return Unexpected(std::string("metadata.resourceVersion: missing"));
  }
  api::JsonDocument patch(rapidjson::kArrayType);
  auto& alloc = patch.GetAllocator();
  add_op(patch, "test", "/metadata/resourceVersion",
         api::JsonValue(metadata["resourceVersion"], alloc), alloc);
  const bool has_webhooks = doc.HasMember("webhooks") && !doc["webhooks"].IsNull();
  if (has_webhooks && !doc["webhooks"].IsArray()) {
    return Unexpected("webhooks: " + api::json_type_error("array", doc["webhooks"]).message);
  }
  bool changed = false;
  for (rapidjson::SizeType i = 0; has_webhooks && i < doc["webhooks"].Size(); ++i) {
    const api::JsonValue& webhook = doc["webhooks"][i];
    const std::string where = "webhooks[" + std::to_string(i) + "]";
    if (!webhook.IsObject() || !webhook.HasMember("name") || !webhook["name"].IsString()) {
      return Unexpected(where + ".name: missing");
    }
    if (!webhook.HasMember("clientConfig") || !webhook["clientConfig"].IsObject()) {
      return Unexpected(where + ".clientConfig: missing");
    }
    const api::JsonValue& client_config = webhook["clientConfig"];
    if (client_config.HasMember("caBundle") && client_config["caBundle"].IsString() &&
        client_config["caBundle"].GetString() == ca_bundle) {
      continue;
    }
    const std::string path = "/webhooks/" + std::to_string(i);
    add_op(patch, "test", path + "/name", api::JsonValue(webhook["name"], alloc), alloc);
    add_op(patch, "add", path + "/clientConfig/caBundle", str(ca_bundle, alloc), alloc);
    changed = true;
  }
  if (!changed) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(api::write_json(patch));
}

kclient::Request mutating_configuration(const std::string& name) {
  return kclient::Request{kMutating, name};
}

kclient::Request validating_configuration(const std::string& name) {
  return kclient::Request{kValidating, name};
}

Expected<kclient::ReconcileResult, kclient::ReconcileError> CaBundleReconciler::reconcile(
    const kclient::Request& request) {
  const std::string ca = ca_pem_();
  if (ca.empty()) {
    return kclient::ReconcileResult::requeue_after(std::chrono::seconds(1));
  }
  if (request.namespace_ != kMutating && request.namespace_ != kValidating) {
    return Unexpected(kclient::ReconcileError::terminal_error(
        "unknown webhook configuration resource \"" + request.namespace_ + "\""));
  }
  const kclient::ResourceRef resource("admissionregistration.k8s.io", "v1", request.namespace_,
                                      false);
  const std::string key = request.namespace_ + "/" + request.name;
  auto current = client_.get(resource, "", request.name);
  if (!current) {
    if (current.error().is_not_found()) {
      VLOG(1) << "webhook configuration not installed yet"
              << " configuration=" << key;
      return kclient::ReconcileResult::requeue_after(check_interval_);
    }
    return Unexpected(kclient::ReconcileError::from_api_error(current.error(), "getting " + key));
  }
  auto patch = ca_bundle_patch(*current, api::base64_encode(ca));
  if (!patch) {
    return Unexpected(kclient::ReconcileError::retry(key + ": " + patch.error()));
  }
  if (!patch->has_value()) {
    return kclient::ReconcileResult::requeue_after(check_interval_);
  }
  auto patched = client_.patch(resource, "", request.name, kclient::PatchType::Json, **patch);
  if (!patched) {
    // A failed `test` op (the configuration changed since it was read) is 422 on a real API
    // server: as routine as a 409, so both are retried quietly after a fresh read.
    auto error = kclient::ReconcileError::from_api_error(patched.error(), "patching " + key);
    error.conflict = error.conflict || patched.error().is_invalid();
    return Unexpected(std::move(error));
  }
  LOG(INFO) << "caBundle patched"
            << " configuration=" << key;
  return kclient::ReconcileResult::requeue_after(check_interval_);
}

}  // namespace korder::certs
