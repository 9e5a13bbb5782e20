// Strategic merge patch for the built-in kinds (what kubectl apply, label, annotate and patch
// send for pods, nodes, namespaces, services, configmaps...). The merge keys are those of the
// Kubernetes Go types for the fields served here, chosen by the list's field name (and, for
// `ports`, whether the list belongs to a container).
#include <algorithm>
#include <vector>

#include "patch.h"

namespace korder::devcluster {
namespace {

constexpr std::string_view kPatchDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

enum class ListStrategy { Replace, MergeByKey, MergeSet };

struct ListRule {
  ListStrategy strategy = ListStrategy::Replace;
  std::string_view key;
};

/// `field` is the list's member name; `in_container` when the list's parent is a container.
ListRule list_rule(std::string_view field, bool in_container) {
  static const std::pair<std::string_view, std::string_view> kByName[] = {
      {"containers", "name"},
      {"initContainers", "name"},
      {"ephemeralContainers", "name"},
      {"env", "name"},
      {"volumes", "name"},
      {"imagePullSecrets", "name"},
      {"schedulingGates", "name"},
      {"resourceClaims", "name"},
      {"volumeMounts", "mountPath"},
      {"volumeDevices", "devicePath"},
      {"resizePolicy", "resourceName"},
      {"hostAliases", "ip"},
      {"topologySpreadConstraints", "topologyKey"},
      {"conditions", "type"},
      {"addresses", "type"},
      {"ownerReferences", "uid"}};
  if (field == "ports") {
    return {ListStrategy::MergeByKey, in_container ? "containerPort" : "port"};
  }
  if (field == "finalizers") {
    return {ListStrategy::MergeSet, {}};
  }
  for (const auto& [name, key] : kByName) {
    if (field == name) {
      return {ListStrategy::MergeByKey, key};
    }
  }
  return {};
}

bool is_container_list(std::string_view field) {
  return field == "containers" || field == "initContainers" || field == "ephemeralContainers";
}

std::string_view str(const JsonValue& v) {
  return v.IsString() ? std::string_view(v.GetString(), v.GetStringLength()) : std::string_view();
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

const JsonValue* element_key(const JsonValue& element, std::string_view key) {
  return element.IsObject() ? find_member(element, key) : nullptr;
}

Expected<void, std::string> merge_map(JsonValue& target, const JsonValue& patch,
                                      JsonAllocator& alloc, bool in_container);

Expected<void, std::string> merge_keyed_list(JsonValue& target, const JsonValue& patch,
                                             std::string_view key, JsonAllocator& alloc,
                                             bool elements_are_containers) {
  for (const auto& item : patch.GetArray()) {
    if (!item.IsObject()) {
      target.PushBack(deep_copy(item, alloc), alloc);
      continue;
    }
    const JsonValue* directive = find_member(item, kPatchDirective);
    const JsonValue* k = element_key(item, key);
    if (k == nullptr) {
      return Unexpected("map: " + api::write_json(item) +
                        " does not contain declared merge key: " + std::string(key));
    }
    auto existing = std::find_if(target.Begin(), target.End(), [&](const JsonValue& e) {
      const JsonValue* ek = element_key(e, key);
      return ek != nullptr && json_equal(*ek, *k);
    });
    if (directive != nullptr && str(*directive) == "delete") {
      if (existing != target.End()) {
        target.Erase(existing);
      }
      continue;
    }
    if (existing == target.End()) {
      target.PushBack(JsonValue(rapidjson::kObjectType), alloc);
      existing = target.End() - 1;
    }
    if (auto merged = merge_map(*existing, item, alloc, elements_are_containers); !merged) {
      return merged;
    }
  }
  return {};
}

void merge_set(JsonValue& target, const JsonValue& patch, JsonAllocator& alloc) {
  for (const auto& item : patch.GetArray()) {
    const bool present = std::any_of(target.Begin(), target.End(),
                                     [&](const JsonValue& e) { return json_equal(e, item); });
    if (!present) {
      target.PushBack(deep_copy(item, alloc), alloc);
    }
  }
}

bool list_has_replace_directive(const JsonValue& patch) {
  return std::any_of(patch.Begin(), patch.End(), [](const JsonValue& item) {
    const JsonValue* d = item.IsObject() ? find_member(item, kPatchDirective) : nullptr;
    return d != nullptr && str(*d) == "replace";
  });
}

/// Copies `patch` without directive members (for values that replace).
JsonValue strip_directives(const JsonValue& patch, JsonAllocator& alloc) {
  if (patch.IsObject()) {
    JsonValue out(rapidjson::kObjectType);
    for (auto it = patch.MemberBegin(); it != patch.MemberEnd(); ++it) {
      if (!starts_with(str(it->name), "$")) {
        out.AddMember(deep_copy(it->name, alloc), strip_directives(it->value, alloc), alloc);
      }
    }
    return out;
  }
  if (patch.IsArray()) {
    JsonValue out(rapidjson::kArrayType);
    for (const auto& item : patch.GetArray()) {
      const JsonValue* d = item.IsObject() ? find_member(item, kPatchDirective) : nullptr;
      if (d == nullptr) {
        out.PushBack(strip_directives(item, alloc), alloc);
      }
    }
    return out;
  }
  return deep_copy(patch, alloc);
}

Expected<void, std::string> merge_list(JsonValue& target, const JsonValue& patch,
                                       std::string_view field, JsonAllocator& alloc,
                                       bool in_container) {
  const ListRule rule = list_rule(field, in_container);
  if (rule.strategy == ListStrategy::Replace || !target.IsArray() ||
      list_has_replace_directive(patch)) {
    target = strip_directives(patch, alloc);
    return {};
  }
  if (rule.strategy == ListStrategy::MergeSet) {
    merge_set(target, patch, alloc);
    return {};
  }
  return merge_keyed_list(target, patch, rule.key, alloc, is_container_list(field));
}

/// Orders `list` by `order` (elements of `order` first, in its order; others keep their
/// relative order after them).
void set_element_order(JsonValue& list, const JsonValue& order, std::string_view field,
                       bool in_container, JsonAllocator& alloc) {
  if (!list.IsArray() || !order.IsArray()) {
    return;
  }
  const ListRule rule = list_rule(field, in_container);
  auto rank = [&](const JsonValue& element) -> std::size_t {
    for (rapidjson::SizeType i = 0; i < order.Size(); ++i) {
      const JsonValue& o = order[i];
      if (rule.strategy == ListStrategy::MergeByKey) {
        const JsonValue* a = element_key(element, rule.key);
        const JsonValue* b = element_key(o, rule.key);
        if (a != nullptr && b != nullptr && json_equal(*a, *b)) {
          return i;
        }
      } else if (json_equal(element, o)) {
        return i;
      }
    }
    return order.Size();
  };
  std::vector<std::pair<std::size_t, std::size_t>> ranks;  // (rank, original index)
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    ranks.emplace_back(rank(list[i]), i);
  }
  std::stable_sort(ranks.begin(), ranks.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<JsonValue> moved;
  for (auto& v : list.GetArray()) {
    moved.emplace_back(std::move(v));
  }
  list.SetArray();
  for (const auto& entry : ranks) {
    list.PushBack(std::move(moved[entry.second]), alloc);
  }
}

Expected<void, std::string> merge_map(JsonValue& target, const JsonValue& patch,
                                      JsonAllocator& alloc, bool in_container) {
  if (!patch.IsObject()) {
    target = deep_copy(patch, alloc);
    return {};
  }
  if (!target.IsObject()) {
    target.SetObject();
  }
  if (const JsonValue* d = find_member(patch, kPatchDirective)) {
    if (str(*d) == "replace") {
      target = strip_directives(patch, alloc);
      return {};
    }
    if (str(*d) == "delete") {
      target.SetObject();
      return {};
    }
    if (str(*d) != "merge") {
      return Unexpected("unknown patch type: " + std::string(str(*d)) +
                        " in map: " + api::write_json(patch));
    }
  }
  for (auto it = patch.MemberBegin(); it != patch.MemberEnd(); ++it) {
    const std::string_view name = str(it->name);
    if (starts_with(name, "$")) {
      continue;  // directives run after the merge
    }
    if (it->value.IsNull()) {
      remove_member(target, name);
      continue;
    }
    JsonValue* existing = find_member(target, name);
    if (it->value.IsObject()) {
      const JsonValue* d = find_member(it->value, kPatchDirective);
      if (d != nullptr && str(*d) == "delete") {
        remove_member(target, name);
        continue;
      }
    }
    if (existing == nullptr) {
      target.AddMember(deep_copy(it->name, alloc), JsonValue(rapidjson::kNullType), alloc);
      existing = find_member(target, name);
    }
    if (it->value.IsArray()) {
      if (auto merged = merge_list(*existing, it->value, name, alloc, in_container); !merged) {
        return merged;
      }
    } else if (auto merged = merge_map(*existing, it->value, alloc, false); !merged) {
      return merged;
    }
  }
  for (auto it = patch.MemberBegin(); it != patch.MemberEnd(); ++it) {
    const std::string_view name = str(it->name);
    if (starts_with(name, kSetElementOrder)) {
      const std::string_view field = name.substr(kSetElementOrder.size());
      if (JsonValue* list = find_member(target, field)) {
        set_element_order(*list, it->value, field, in_container, alloc);
      }
    } else if (starts_with(name, kDeleteFromPrimitiveList)) {
      const std::string_view field = name.substr(kDeleteFromPrimitiveList.size());
      JsonValue* list = find_member(target, field);
      if (list != nullptr && list->IsArray() && it->value.IsArray()) {
        for (const auto& doomed : it->value.GetArray()) {
          for (auto e = list->Begin(); e != list->End();) {
            e = json_equal(*e, doomed) ? list->Erase(e) : e + 1;
          }
        }
      }
    } else if (name == kRetainKeys && it->value.IsArray()) {
      for (auto m = target.MemberBegin(); m != target.MemberEnd();) {
        const bool keep = std::any_of(it->value.Begin(), it->value.End(),
                                      [&](const JsonValue& k) { return str(k) == str(m->name); });
        m = keep ? m + 1 : target.EraseMember(m);
      }
    }
  }
  return {};
}

}  // namespace

Expected<void, std::string> apply_strategic_merge_patch(JsonValue& target, const JsonValue& patch,
                                                        JsonAllocator& alloc) {
  if (!patch.IsObject()) {
    return Unexpected(std::string("strategic merge patch must be a JSON object"));
  }
  return merge_map(target, patch, alloc, false);
}

}  // namespace korder::devcluster
