// Pods: defaults, QoS class, create validation and Kubernetes' pod update rules
// (pkg/apis/core/validation ValidatePodUpdate, including KEP-3521 scheduling gates and
// KEP-3838 mutable scheduling directives of gated pods).
#include <algorithm>
#include <set>

#include "kind_rules.h"
#include "korder/api/names.h"
#include "korder/api/quantity.h"

namespace korder::devcluster {
namespace {

constexpr std::string_view kContainerLists[] = {"initContainers", "containers",
                                                "ephemeralContainers"};

void set_default(JsonValue& object, std::string_view key, std::string_view value,
                 JsonAllocator& alloc) {
  if (find_member(object, key) == nullptr) {
    set_string(object, key, value, alloc);
  }
}

std::optional<api::Quantity> quantity_at(const JsonValue* resources, std::string_view list,
                                         std::string_view name) {
  if (resources == nullptr) {
    return std::nullopt;
  }
  const JsonValue* value = find_path(*resources, {list, name});
  if (value == nullptr) {
    return std::nullopt;
  }
  const std::string text = value->IsString()
                               ? std::string(value->GetString(), value->GetStringLength())
                               : api::write_json(*value);
  auto parsed = api::Quantity::parse_trimmed(text);
  return parsed ? std::optional<api::Quantity>(*parsed) : std::nullopt;
}

std::string gate_names_added(const JsonValue& pod, const JsonValue& old_pod) {
  std::set<std::string> old_names;
  if (const JsonValue* gates = find_path(old_pod, {"spec", "schedulingGates"});
      gates != nullptr && gates->IsArray()) {
    for (const auto& g : gates->GetArray()) {
      old_names.emplace(string_at(g, {"name"}));
    }
  }
  if (const JsonValue* gates = find_path(pod, {"spec", "schedulingGates"});
      gates != nullptr && gates->IsArray()) {
    for (const auto& g : gates->GetArray()) {
      std::string name(string_at(g, {"name"}));
      if (old_names.count(name) == 0) {
        return name;
      }
    }
  }
  return {};
}

bool is_gated(const JsonValue& pod) {
  const JsonValue* gates = find_path(pod, {"spec", "schedulingGates"});
  return gates != nullptr && gates->IsArray() && !gates->Empty();
}

/// True when every element of `old_list` is also in `new_list` (both arrays or absent).
bool contains_all(const JsonValue* new_list, const JsonValue* old_list) {
  if (old_list == nullptr || !old_list->IsArray()) {
    return true;
  }
  if (new_list == nullptr || !new_list->IsArray()) {
    return old_list->Empty();
  }
  return std::all_of(old_list->Begin(), old_list->End(), [&](const JsonValue& o) {
    return std::any_of(new_list->Begin(), new_list->End(),
                       [&](const JsonValue& n) { return json_equal(n, o); });
  });
}

bool node_selector_narrowed(const JsonValue& pod, const JsonValue& old_pod) {
  const auto old_selector = string_map(find_path(old_pod, {"spec", "nodeSelector"}));
  const auto new_selector = string_map(find_path(pod, {"spec", "nodeSelector"}));
  return std::all_of(old_selector.begin(), old_selector.end(), [&](const auto& entry) {
    auto it = new_selector.find(entry.first);
    return it != new_selector.end() && it->second == entry.second;
  });
}

bool required_affinity_narrowed(const JsonValue& pod, const JsonValue& old_pod) {
  const std::initializer_list<std::string_view> kPath = {
      "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
      "nodeSelectorTerms"};
  const JsonValue* old_terms = find_path(old_pod, kPath);
  if (old_terms == nullptr || !old_terms->IsArray() || old_terms->Empty()) {
    return true;
  }
  const JsonValue* new_terms = find_path(pod, kPath);
  if (new_terms == nullptr || !new_terms->IsArray() || new_terms->Size() != old_terms->Size()) {
    return false;
  }
  for (rapidjson::SizeType i = 0; i < old_terms->Size(); ++i) {
    for (std::string_view list : {"matchExpressions", "matchFields"}) {
      if (!contains_all(find_member((*new_terms)[i], list), find_member((*old_terms)[i], list))) {
        return false;
      }
    }
  }
  return true;
}

/// The spec without the fields an update may change (checked separately).
JsonDocument comparable_spec(const JsonValue& pod, bool gated) {
  static const JsonValue kEmpty(rapidjson::kObjectType);
  const JsonValue* spec = find_member(pod, "spec");
  JsonDocument copy = copy_document(spec != nullptr ? *spec : kEmpty);
  for (std::string_view list : kContainerLists) {
    if (JsonValue* containers = find_member(copy, list); containers && containers->IsArray()) {
      for (auto& c : containers->GetArray()) {
        remove_member(c, "image");
      }
    }
  }
  for (std::string_view field : {"activeDeadlineSeconds", "terminationGracePeriodSeconds",
                                 "tolerations", "schedulingGates"}) {
    remove_member(copy, field);
  }
  if (gated) {
    remove_member(copy, "nodeSelector");
    if (JsonValue* affinity = find_member(copy, "affinity")) {
      remove_member(*affinity, "nodeAffinity");
      if (affinity->IsObject() && affinity->MemberCount() == 0) {
        remove_member(copy, "affinity");
      }
    }
  }
  return copy;
}

}  // namespace

void default_pod_spec(JsonValue& spec, JsonAllocator& alloc) {
  set_default(spec, "restartPolicy", "Always", alloc);
  set_default(spec, "schedulerName", "default-scheduler", alloc);
  set_default(spec, "dnsPolicy", "ClusterFirst", alloc);
  if (find_member(spec, "terminationGracePeriodSeconds") == nullptr) {
    set_member(spec, "terminationGracePeriodSeconds", JsonValue(30), alloc);
  }
  for (std::string_view list : kContainerLists) {
    JsonValue* containers = find_member(spec, list);
    if (containers == nullptr || !containers->IsArray()) {
      continue;
    }
    for (auto& c : containers->GetArray()) {
      if (!c.IsObject()) {
        continue;
      }
      set_default(c, "terminationMessagePath", "/dev/termination-log", alloc);
      set_default(c, "terminationMessagePolicy", "File", alloc);
      if (find_member(c, "imagePullPolicy") == nullptr) {
        const std::string_view image = string_at(c, {"image"});
        const std::size_t slash = image.rfind('/');
        const std::string_view last = slash == std::string_view::npos ? image : image.substr(slash);
        const bool latest = last.find(':') == std::string_view::npos ||
                            image.substr(image.size() >= 7 ? image.size() - 7 : 0) == ":latest";
        set_string(c, "imagePullPolicy", latest ? "Always" : "IfNotPresent", alloc);
      }
    }
  }
}

std::string pod_qos_class(const JsonValue& pod) {
  bool any = false;
  bool guaranteed = true;
  for (std::string_view list : {"initContainers", "containers"}) {
    const JsonValue* containers = find_path(pod, {"spec", list});
    if (containers == nullptr || !containers->IsArray()) {
      continue;
    }
    for (const auto& c : containers->GetArray()) {
      const JsonValue* resources = find_member(c, "resources");
      for (std::string_view name : {"cpu", "memory"}) {
        auto request = quantity_at(resources, "requests", name);
        auto limit = quantity_at(resources, "limits", name);
        any = any || (request && !request->is_zero()) || (limit && !limit->is_zero());
        if (!limit || (request && *request != *limit)) {
          guaranteed = false;
        }
      }
    }
  }
  if (!any) {
    return "BestEffort";
  }
  return guaranteed ? "Guaranteed" : "Burstable";
}

FieldErrors validate_pod(const JsonValue& pod) {
  FieldErrors errors;
  const JsonValue* containers = find_path(pod, {"spec", "containers"});
  if (containers == nullptr || !containers->IsArray() || containers->Empty()) {
    errors.push_back(FieldError{FieldError::Type::Required, "spec.containers", "Required value"});
    return errors;
  }
  std::set<std::string> names;
  for (rapidjson::SizeType i = 0; i < containers->Size(); ++i) {
    const JsonValue& c = (*containers)[i];
    const std::string path = "spec.containers[" + std::to_string(i) + "]";
    const std::string name(string_at(c, {"name"}));
    if (name.empty()) {
      errors.push_back(FieldError{FieldError::Type::Required, path + ".name", "Required value"});
    } else {
      for (const auto& problem : api::is_dns1123_label(name)) {
        errors.push_back(api::field_invalid(path + ".name", name, problem));
      }
      if (!names.insert(name).second) {
        errors.push_back(FieldError{FieldError::Type::Duplicate, path + ".name",
                                    "Duplicate value: " + api::strconv_quote(name)});
      }
    }
    if (string_at(c, {"image"}).empty()) {
      errors.push_back(FieldError{FieldError::Type::Required, path + ".image", "Required value"});
    }
  }
  return errors;
}

FieldErrors validate_pod_update(const JsonValue& pod, const JsonValue& old_pod) {
  FieldErrors errors;
  if (std::string added = gate_names_added(pod, old_pod); !added.empty()) {
    errors.push_back(FieldError{FieldError::Type::Forbidden, "spec.schedulingGates",
                                "Forbidden: only deletion is allowed, but found new scheduling "
                                "gate '" +
                                    added + "'"});
  }
  const bool gated = is_gated(old_pod);
  if (gated && !node_selector_narrowed(pod, old_pod)) {
    errors.push_back(FieldError{FieldError::Type::Invalid, "spec.nodeSelector",
                                "Invalid value: map[string]string{...}: only additions to "
                                "spec.nodeSelector are allowed (no mutations or deletions)"});
  }
  if (gated && !required_affinity_narrowed(pod, old_pod)) {
    errors.push_back(FieldError{
        FieldError::Type::Invalid,
        "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution",
        "Invalid value: core.NodeSelector{...}: only additions to "
        "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
        "nodeSelectorTerms[*].matchExpressions or matchFields are allowed (no mutations or "
        "deletions)"});
  }
  if (!contains_all(find_path(pod, {"spec", "tolerations"}),
                    find_path(old_pod, {"spec", "tolerations"}))) {
    errors.push_back(FieldError{FieldError::Type::Forbidden, "spec.tolerations",
                                "Forbidden: existing toleration can not be modified except its "
                                "tolerationSeconds"});
  }
  if (!json_equal(comparable_spec(pod, gated), comparable_spec(old_pod, gated))) {
    errors.push_back(FieldError{
        FieldError::Type::Forbidden, "spec",
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
        "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
        "set to 1 if it was previously negative)"});
  }
  return errors;
}

}  // namespace korder::devcluster
