#include "pod_patches.h"

#include <cstddef>
#include <string>
#include <utility>

#include "guardian_builder.h"
#include "json_patch.h"
#include "korder/api/json.h"
#include "korder/base/check.h"
#include "ticket_names.h"

namespace korder::ticket {
namespace {

api::JsonValue string_value(std::string_view text, api::JsonAllocator& alloc) {
  return api::JsonValue(text.data(), static_cast<rapidjson::SizeType>(text.size()), alloc);
}

std::size_t korder_gate_index(const api::Pod& pod) {
  for (std::size_t i = 0; i < pod.spec.scheduling_gates.size(); ++i) {
    if (pod.spec.scheduling_gates[i].name == kSchedulingGate) {
      return i;
    }
  }
  KORDER_CHECK(false, "the pod must carry the korder scheduling gate");
  return 0;
}

// The two guards every pod patch starts with.
void add_pod_guards(const api::Pod& pod, JsonPatch& patch) {
  auto& alloc = patch.allocator();
  if (!pod.metadata.resource_version.empty()) {
    patch.test("/metadata/resourceVersion", string_value(pod.metadata.resource_version, alloc));
  }
  patch.test("/spec/schedulingGates", api::to_json_value(pod.spec.scheduling_gates, alloc));
}

void remove_korder_gate(const api::Pod& pod, JsonPatch& patch) {
  patch.remove("/spec/schedulingGates/" + std::to_string(korder_gate_index(pod)));
}

// The `add` operations that AND the pin into the pod's required node affinity.
void add_pin_operations(const api::Pod& pod, std::string_view node_name, JsonPatch& patch) {
  auto& alloc = patch.allocator();
  std::optional<api::Affinity> pinned = pod.spec.affinity;
  pin_to_node(pinned, node_name);
  const auto& affinity = pod.spec.affinity;
  if (!affinity) {
    patch.add("/spec/affinity", api::to_json_value(*pinned, alloc));
    return;
  }
  if (!affinity->node_affinity) {
    patch.add("/spec/affinity/nodeAffinity", api::to_json_value(*pinned->node_affinity, alloc));
    return;
  }
  const auto& required =
      affinity->node_affinity->required_during_scheduling_ignored_during_execution;
  const auto& pinned_required =
      *pinned->node_affinity->required_during_scheduling_ignored_during_execution;
  if (!required) {
    patch.add(kRequiredNodeAffinityPath, api::to_json_value(pinned_required, alloc));
    return;
  }
  const std::string terms_path = std::string(kRequiredNodeAffinityPath) + "/nodeSelectorTerms";
  if (required->node_selector_terms.empty()) {
    patch.add(terms_path, api::to_json_value(pinned_required.node_selector_terms, alloc));
    return;
  }
  for (std::size_t i = 0; i < required->node_selector_terms.size(); ++i) {
    const auto& term = required->node_selector_terms[i];
    if (term_has_pin(term, node_name)) {
      continue;
    }
    const std::string fields_path = terms_path + "/" + std::to_string(i) + "/matchFields";
    if (term.match_fields.empty()) {
      std::vector<api::NodeSelectorRequirement> fields{node_pin(node_name)};
      patch.add(fields_path, api::to_json_value(fields, alloc));
    } else {
      patch.add(fields_path + "/-", api::to_json_value(node_pin(node_name), alloc));
    }
  }
}

}  // namespace

std::string handoff_patch(const api::Pod& pod, std::string_view node_name) {
  JsonPatch patch;
  add_pod_guards(pod, patch);
  add_pin_operations(pod, node_name, patch);
  remove_korder_gate(pod, patch);
  return patch.to_json();
}

std::string ungate_patch(const api::Pod& pod, std::string_view reason) {
  JsonPatch patch;
  add_pod_guards(pod, patch);
  remove_korder_gate(pod, patch);
  auto& alloc = patch.allocator();
  if (pod.metadata.annotations.empty()) {
    api::JsonValue annotations(rapidjson::kObjectType);
    annotations.AddMember(string_value(kAnnotationUnassignedReason, alloc),
                          string_value(reason, alloc), alloc);
    patch.add("/metadata/annotations", std::move(annotations));
  } else {
    patch.add("/metadata/annotations/" + json_pointer_escape(kAnnotationUnassignedReason),
              string_value(reason, alloc));
  }
  return patch.to_json();
}

std::string add_finalizer_patch(const api::ObjectMeta& meta) {
  JsonPatch patch;
  auto& alloc = patch.allocator();
  if (meta.finalizers.empty()) {
    patch.test("/metadata/finalizers", api::JsonValue());
    api::JsonValue list(rapidjson::kArrayType);
    list.PushBack(string_value(kFinalizer, alloc), alloc);
    patch.add("/metadata/finalizers", std::move(list));
  } else {
    patch.test("/metadata/finalizers", api::to_json_value(meta.finalizers, alloc));
    patch.add("/metadata/finalizers/-", string_value(kFinalizer, alloc));
  }
  return patch.to_json();
}

std::optional<std::string> remove_finalizer_patch(const api::ObjectMeta& meta) {
  for (std::size_t i = 0; i < meta.finalizers.size(); ++i) {
    if (meta.finalizers[i] == kFinalizer) {
      JsonPatch patch;
      const std::string path = "/metadata/finalizers/" + std::to_string(i);
      patch.test(path, string_value(kFinalizer, patch.allocator()));
      patch.remove(path);
      return patch.to_json();
    }
  }
  return std::nullopt;
}

}  // namespace korder::ticket
