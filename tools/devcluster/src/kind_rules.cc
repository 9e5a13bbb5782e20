#include "kind_rules.h"

#include <functional>

#include "crd.h"
#include "korder/api/base64.h"
#include "object_meta.h"
#include "webhook_config.h"

namespace korder::devcluster {
namespace {

void prepare_namespace(JsonDocument& doc) {
  auto& alloc = doc.GetAllocator();
  JsonValue& spec = ensure_object(doc, "spec", alloc);
  if (find_member(spec, "finalizers") == nullptr) {
    JsonValue finalizers(rapidjson::kArrayType);
    finalizers.PushBack(make_string("kubernetes", alloc), alloc);
    set_member(spec, "finalizers", std::move(finalizers), alloc);
  }
  JsonValue& status = ensure_object(doc, "status", alloc);
  set_string(status, "phase", is_terminating(doc) ? "Terminating" : "Active", alloc);
  // The API server labels every namespace with its own name (NamespaceDefaultLabelName).
  JsonValue& labels = ensure_object(metadata_of(doc), "labels", alloc);
  set_string(labels, "kubernetes.io/metadata.name", string_at(doc, {"metadata", "name"}), alloc);
}

void prepare_service(JsonDocument& doc) {
  auto& alloc = doc.GetAllocator();
  JsonValue& spec = ensure_object(doc, "spec", alloc);
  if (string_at(spec, {"type"}).empty()) {
    set_string(spec, "type", "ClusterIP", alloc);
  }
  if (string_at(spec, {"sessionAffinity"}).empty()) {
    set_string(spec, "sessionAffinity", "None", alloc);
  }
  if (string_at(spec, {"type"}) != "ExternalName" && string_at(spec, {"clusterIP"}).empty()) {
    // A stable address from the name: the devcluster routes nothing, it only shows one.
    const std::size_t h =
        std::hash<std::string>{}(std::string(string_at(doc, {"metadata", "namespace"})) + "/" +
                                 std::string(string_at(doc, {"metadata", "name"})));
    const std::string ip =
        "10.96." + std::to_string((h >> 8) % 256) + "." + std::to_string(1 + h % 254);
    set_string(spec, "clusterIP", ip, alloc);
    JsonValue ips(rapidjson::kArrayType);
    ips.PushBack(make_string(ip, alloc), alloc);
    set_member(spec, "clusterIPs", std::move(ips), alloc);
  }
  if (JsonValue* ports = find_member(spec, "ports"); ports != nullptr && ports->IsArray()) {
    for (auto& port : ports->GetArray()) {
      if (!port.IsObject()) {
        continue;
      }
      if (string_at(port, {"protocol"}).empty()) {
        set_string(port, "protocol", "TCP", alloc);
      }
      if (find_member(port, "targetPort") == nullptr) {
        if (const JsonValue* p = find_member(port, "port")) {
          set_member(port, "targetPort", deep_copy(*p, alloc), alloc);
        }
      }
    }
  }
}

void prepare_secret(JsonDocument& doc) {
  auto& alloc = doc.GetAllocator();
  if (string_at(doc, {"type"}).empty()) {
    set_string(doc, "type", "Opaque", alloc);
  }
  const JsonValue* string_data = find_member(doc, "stringData");
  if (string_data == nullptr) {
    return;
  }
  const auto values = string_map(string_data);
  remove_member(doc, "stringData");
  JsonValue& data = ensure_object(doc, "data", alloc);
  for (const auto& [key, value] : values) {
    set_string(data, key, api::base64_encode(value), alloc);
  }
}

bool same_member(const JsonValue& a, const JsonValue& b, std::string_view key) {
  const JsonValue* x = find_member(a, key);
  const JsonValue* y = find_member(b, key);
  if (x == nullptr || y == nullptr) {
    return x == y;
  }
  return json_equal(*x, *y);
}

}  // namespace

void prepare_for_create(const ResourceInfo& info, JsonDocument& doc, TimePoint now) {
  auto& alloc = doc.GetAllocator();
  switch (info.rules) {
    case KindRules::Pod: {
      default_pod_spec(ensure_object(doc, "spec", alloc), alloc);
      JsonValue status(rapidjson::kObjectType);
      set_string(status, "phase", "Pending", alloc);
      set_string(status, "qosClass", pod_qos_class(doc), alloc);
      set_member(doc, "status", std::move(status), alloc);
      break;
    }
    case KindRules::Namespace:
      prepare_namespace(doc);
      break;
    case KindRules::Service:
      prepare_service(doc);
      break;
    case KindRules::CustomResourceDefinition:
      default_crd(doc, alloc);
      set_crd_status(doc, alloc, now, nullptr);
      break;
    default:
      if (info.resource == "secrets" && info.group.empty()) {
        prepare_secret(doc);
      }
      break;
  }
}

void prepare_for_update(const ResourceInfo& info, JsonDocument& doc, const JsonValue& old_object,
                        TimePoint now) {
  auto& alloc = doc.GetAllocator();
  switch (info.rules) {
    case KindRules::Pod:
      default_pod_spec(ensure_object(doc, "spec", alloc), alloc);
      break;
    case KindRules::Namespace:
      if (find_member(doc, "spec") == nullptr) {
        if (const JsonValue* spec = find_member(old_object, "spec")) {
          set_member(doc, "spec", deep_copy(*spec, alloc), alloc);
        }
      }
      break;
    case KindRules::Service:
      prepare_service(doc);
      break;
    case KindRules::CustomResourceDefinition:
      default_crd(doc, alloc);
      set_crd_status(doc, alloc, now, &old_object);
      break;
    default:
      if (info.resource == "secrets" && info.group.empty()) {
        prepare_secret(doc);
      }
      break;
  }
}

FieldErrors validate_kind(const ResourceInfo& info, const JsonValue& object) {
  switch (info.rules) {
    case KindRules::Pod:
      return validate_pod(object);
    case KindRules::CustomResourceDefinition:
      return validate_crd(object);
    default:
      if (info.group == "admissionregistration.k8s.io") {
        return validate_webhook_configuration(object,
                                              info.resource == "mutatingwebhookconfigurations");
      }
      return {};
  }
}

FieldErrors validate_kind_update(const ResourceInfo& info, const JsonValue& object,
                                 const JsonValue& old_object) {
  FieldErrors errors = validate_kind(info, object);
  if (info.rules == KindRules::Pod) {
    for (auto& e : validate_pod_update(object, old_object)) {
      errors.push_back(std::move(e));
    }
  }
  if (info.rules == KindRules::CustomResourceDefinition) {
    const std::string_view old_scope = string_at(old_object, {"spec", "scope"});
    if (string_at(object, {"spec", "scope"}) != old_scope) {
      errors.push_back(
          FieldError{FieldError::Type::Invalid, "spec.scope",
                     "Invalid value: " + api::write_json(*find_path(object, {"spec", "scope"})) +
                         ": field is immutable"});
    }
  }
  return errors;
}

bool generation_changes(const ResourceInfo& info, const JsonValue& object,
                        const JsonValue& old_object) {
  auto tracked = [&](std::string_view key) {
    return key != "metadata" && !(info.status_subresource && key == "status") &&
           key != "apiVersion" && key != "kind";
  };
  for (const JsonValue* side : {&object, &old_object}) {
    for (auto it = side->MemberBegin(); it != side->MemberEnd(); ++it) {
      const std::string_view key(it->name.GetString(), it->name.GetStringLength());
      if (tracked(key) && !same_member(object, old_object, key)) {
        return true;
      }
    }
  }
  return false;
}

bool has_pending_finalizers(const ResourceInfo& info, const JsonValue& object) {
  if (has_finalizers(object)) {
    return true;
  }
  if (info.rules == KindRules::Namespace) {
    const JsonValue* finalizers = find_path(object, {"spec", "finalizers"});
    return finalizers != nullptr && finalizers->IsArray() && !finalizers->Empty();
  }
  return false;
}

void mark_terminating(const ResourceInfo& info, JsonDocument& doc) {
  if (info.rules == KindRules::Namespace) {
    set_string(ensure_object(doc, "status", doc.GetAllocator()), "phase", "Terminating",
               doc.GetAllocator());
  }
}

}  // namespace korder::devcluster
