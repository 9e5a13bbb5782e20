#include "object_meta.h"

#include <set>

#include "korder/api/names.h"

namespace korder::devcluster {
namespace {

constexpr std::string_view kNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
constexpr std::size_t kMaxGeneratedPrefix = 58;

FieldError required(std::string field, std::string detail) {
  return FieldError{FieldError::Type::Required, std::move(field),
                    detail.empty() ? "Required value" : "Required value: " + detail};
}

void add_name_errors(const ResourceInfo& info, std::string_view name, const std::string& field,
                     FieldErrors& errors) {
  std::vector<std::string> problems =
      info.name_is_label ? api::is_dns1123_label(name) : api::is_dns1123_subdomain(name);
  for (const auto& problem : problems) {
    errors.push_back(api::field_invalid(field, name, problem));
  }
}

void validate_owner_references(const JsonValue& metadata, FieldErrors& errors) {
  const JsonValue* owners = find_member(metadata, "ownerReferences");
  if (owners == nullptr || !owners->IsArray()) {
    return;
  }
  int controllers = 0;
  for (rapidjson::SizeType i = 0; i < owners->Size(); ++i) {
    const JsonValue& owner = (*owners)[i];
    const std::string path = "metadata.ownerReferences[" + std::to_string(i) + "]";
    if (string_at(owner, {"apiVersion"}).empty()) {
      errors.push_back(api::field_invalid(path + ".apiVersion", "", "version must not be empty"));
    }
    if (string_at(owner, {"kind"}).empty()) {
      errors.push_back(api::field_invalid(path + ".kind", "", "kind must not be empty"));
    }
    if (string_at(owner, {"name"}).empty()) {
      errors.push_back(api::field_invalid(path + ".name", "", "name must not be empty"));
    }
    if (string_at(owner, {"uid"}).empty()) {
      errors.push_back(api::field_invalid(path + ".uid", "", "uid must not be empty"));
    }
    if (const JsonValue* c = find_member(owner, "controller"); c && c->IsBool() && c->GetBool()) {
      ++controllers;
    }
  }
  if (controllers > 1) {
    errors.push_back(FieldError{FieldError::Type::Invalid, "metadata.ownerReferences",
                                "Invalid value: []v1.OwnerReference{...}: Only one reference "
                                "can have Controller set to true"});
  }
}

}  // namespace

std::string NameGenerator::uid() {
  std::uniform_int_distribution<int> hex(0, 15);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) {
      out += '-';
    }
    int digit = hex(rng_);
    if (i == 12) {
      digit = 4;
    } else if (i == 16) {
      digit = 8 + (digit & 3);
    }
    out += kHex[digit];
  }
  return out;
}

std::string NameGenerator::generate_name(std::string_view prefix) {
  std::string out(prefix.substr(0, kMaxGeneratedPrefix));
  std::uniform_int_distribution<std::size_t> pick(0, kNameAlphabet.size() - 1);
  for (int i = 0; i < 5; ++i) {
    out += kNameAlphabet[pick(rng_)];
  }
  return out;
}

std::string metadata_decode_error(const JsonValue& object) {
  if (!object.IsObject()) {
    return "the body of the request must be a JSON object";
  }
  const JsonValue* metadata = find_member(object, "metadata");
  if (metadata == nullptr || metadata->IsNull()) {
    return {};
  }
  if (!metadata->IsObject()) {
    return "json: cannot unmarshal " + std::string(api::json_type_name(*metadata)) +
           " into Go struct field of type v1.ObjectMeta";
  }
  for (std::string_view map_field : {"labels", "annotations"}) {
    const JsonValue* map = find_member(*metadata, map_field);
    if (map == nullptr || map->IsNull()) {
      continue;
    }
    if (!map->IsObject()) {
      return "json: cannot unmarshal " + std::string(api::json_type_name(*map)) +
             " into Go struct field ObjectMeta.metadata." + std::string(map_field) +
             " of type map[string]string";
    }
    for (auto it = map->MemberBegin(); it != map->MemberEnd(); ++it) {
      if (!it->value.IsString()) {
        return "json: cannot unmarshal " + std::string(api::json_type_name(it->value)) +
               " into Go struct field ObjectMeta.metadata." + std::string(map_field) +
               " of type string";
      }
    }
  }
  for (std::string_view string_field : {"name", "generateName", "namespace", "resourceVersion"}) {
    const JsonValue* value = find_member(*metadata, string_field);
    if (value != nullptr && !value->IsNull() && !value->IsString()) {
      return "json: cannot unmarshal " + std::string(api::json_type_name(*value)) +
             " into Go struct field ObjectMeta.metadata." + std::string(string_field) +
             " of type string";
    }
  }
  if (const JsonValue* f = find_member(*metadata, "finalizers"); f && !f->IsNull()) {
    if (!f->IsArray()) {
      return "json: cannot unmarshal " + std::string(api::json_type_name(*f)) +
             " into Go struct field ObjectMeta.metadata.finalizers of type []string";
    }
    for (const auto& item : f->GetArray()) {
      if (!item.IsString()) {
        return "json: cannot unmarshal " + std::string(api::json_type_name(item)) +
               " into Go struct field ObjectMeta.metadata.finalizers of type string";
      }
    }
  }
  if (const JsonValue* o = find_member(*metadata, "ownerReferences"); o && !o->IsNull()) {
    if (!o->IsArray()) {
      return "json: cannot unmarshal " + std::string(api::json_type_name(*o)) +
             " into Go struct field ObjectMeta.metadata.ownerReferences of type "
             "[]v1.OwnerReference";
    }
  }
  return {};
}

FieldErrors validate_object_meta(const ResourceInfo& info, const JsonValue& object) {
  FieldErrors errors;
  static const JsonValue kEmpty(rapidjson::kObjectType);
  const JsonValue* found = find_member(object, "metadata");
  const JsonValue& metadata = found != nullptr && found->IsObject() ? *found : kEmpty;
  const std::string_view name = string_at(metadata, {"name"});
  if (name.empty()) {
    errors.push_back(required("metadata.name", "name or generateName is required"));
  } else {
    add_name_errors(info, name, "metadata.name", errors);
  }
  const std::string_view namespace_ = string_at(metadata, {"namespace"});
  if (info.namespaced && namespace_.empty()) {
    errors.push_back(required("metadata.namespace", ""));
  } else if (!info.namespaced && !namespace_.empty()) {
    errors.push_back(FieldError{FieldError::Type::Forbidden, "metadata.namespace",
                                "Forbidden: not allowed on this type"});
  }
  for (auto& e : api::validate_object_meta_labels_and_annotations(
           string_map(find_member(metadata, "labels")),
           string_map(find_member(metadata, "annotations")), "metadata")) {
    errors.push_back(std::move(e));
  }
  const std::vector<std::string> finalizers = string_list(find_member(metadata, "finalizers"));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < finalizers.size(); ++i) {
    const std::string field = "metadata.finalizers[" + std::to_string(i) + "]";
    for (const auto& problem : api::is_qualified_name(finalizers[i])) {
      errors.push_back(api::field_invalid(field, finalizers[i], problem));
    }
    if (!seen.insert(finalizers[i]).second) {
      errors.push_back(FieldError{FieldError::Type::Duplicate, field,
                                  "Duplicate value: " + api::strconv_quote(finalizers[i])});
    }
  }
  validate_owner_references(metadata, errors);
  return errors;
}

FieldErrors validate_object_meta_update(const JsonValue& object, const JsonValue& old_object) {
  FieldErrors errors;
  if (!is_terminating(old_object)) {
    return errors;
  }
  const std::vector<std::string> old_finalizers =
      string_list(find_path(old_object, {"metadata", "finalizers"}));
  const std::set<std::string> old_set(old_finalizers.begin(), old_finalizers.end());
  for (const auto& f : string_list(find_path(object, {"metadata", "finalizers"}))) {
    if (old_set.count(f) == 0) {
      errors.push_back(FieldError{FieldError::Type::Forbidden, "metadata.finalizers",
                                  "Forbidden: no new finalizers can be added if the object is "
                                  "being deleted, found new finalizers []string{" +
                                      api::strconv_quote(f) + "}"});
    }
  }
  return errors;
}

JsonValue& metadata_of(JsonDocument& doc) {
  if (!doc.IsObject()) {
    doc.SetObject();
  }
  return ensure_object(doc, "metadata", doc.GetAllocator());
}

bool is_terminating(const JsonValue& object) {
  const JsonValue* ts = find_path(object, {"metadata", "deletionTimestamp"});
  return ts != nullptr && ts->IsString();
}

void clear_server_fields(JsonDocument& doc) {
  JsonValue& metadata = metadata_of(doc);
  for (std::string_view field :
       {"uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "generation", "managedFields", "selfLink"}) {
    remove_member(metadata, field);
  }
}

void keep_server_fields(JsonDocument& doc, const JsonValue& old_object) {
  JsonValue& metadata = metadata_of(doc);
  auto& alloc = doc.GetAllocator();
  for (std::string_view field : {"uid", "creationTimestamp", "deletionTimestamp",
                                 "deletionGracePeriodSeconds", "generation"}) {
    const JsonValue* old_value = find_path(old_object, {"metadata", field});
    if (old_value != nullptr) {
      set_member(metadata, field, deep_copy(*old_value, alloc), alloc);
    } else {
      remove_member(metadata, field);
    }
  }
  remove_member(metadata, "managedFields");
  remove_member(metadata, "selfLink");
}

bool remove_finalizer(JsonDocument& doc, std::string_view finalizer) {
  JsonValue* list = find_member(metadata_of(doc), "finalizers");
  if (list == nullptr || !list->IsArray()) {
    return false;
  }
  for (auto it = list->Begin(); it != list->End(); ++it) {
    if (it->IsString() && std::string_view(it->GetString(), it->GetStringLength()) == finalizer) {
      list->Erase(it);
      if (list->Empty()) {
        remove_member(metadata_of(doc), "finalizers");
      }
      return true;
    }
  }
  return false;
}

bool add_finalizer(JsonDocument& doc, std::string_view finalizer) {
  JsonValue& metadata = metadata_of(doc);
  auto& alloc = doc.GetAllocator();
  JsonValue* list = find_member(metadata, "finalizers");
  if (list == nullptr || !list->IsArray()) {
    set_member(metadata, "finalizers", JsonValue(rapidjson::kArrayType), alloc);
    list = find_member(metadata, "finalizers");
  }
  for (const auto& item : list->GetArray()) {
    if (item.IsString() &&
        std::string_view(item.GetString(), item.GetStringLength()) == finalizer) {
      return false;
    }
  }
  list->PushBack(make_string(finalizer, alloc), alloc);
  return true;
}

bool has_finalizers(const JsonValue& object) {
  const JsonValue* list = find_path(object, {"metadata", "finalizers"});
  return list != nullptr && list->IsArray() && !list->Empty();
}

}  // namespace korder::devcluster
