#include "crd.h"

#include <algorithm>
#include <cctype>

#include "korder/api/names.h"
#include "korder/api/time.h"
#include "schema.h"

namespace korder::devcluster {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

FieldError required(std::string field, std::string detail = {}) {
  return FieldError{FieldError::Type::Required, std::move(field),
                    detail.empty() ? "Required value" : "Required value: " + detail};
}

void validate_names(const JsonValue& names, FieldErrors& errors) {
  for (std::string_view field : {"plural", "singular"}) {
    const std::string_view value = string_at(names, {field});
    const std::string path = "spec.names." + std::string(field);
    if (value.empty()) {
      errors.push_back(required(path));
      continue;
    }
    for (const auto& problem : api::is_dns1123_label(value)) {
      errors.push_back(api::field_invalid(path, value, problem));
    }
  }
  for (std::string_view field : {"kind", "listKind"}) {
    if (string_at(names, {field}).empty()) {
      errors.push_back(required("spec.names." + std::string(field)));
    }
  }
}

void validate_versions(const JsonValue& spec, FieldErrors& errors) {
  const JsonValue* versions = find_member(spec, "versions");
  if (versions == nullptr || !versions->IsArray() || versions->Empty()) {
    errors.push_back(
        required("spec.versions", "must have exactly one version marked as storage version"));
    return;
  }
  int storage = 0;
  for (rapidjson::SizeType i = 0; i < versions->Size(); ++i) {
    const JsonValue& version = (*versions)[i];
    const std::string path = "spec.versions[" + std::to_string(i) + "]";
    if (string_at(version, {"name"}).empty()) {
      errors.push_back(required(path + ".name"));
    }
    if (const JsonValue* s = find_member(version, "storage"); s && s->IsBool() && s->GetBool()) {
      ++storage;
    }
    const JsonValue* schema = find_path(version, {"schema", "openAPIV3Schema"});
    if (schema == nullptr) {
      errors.push_back(required(path + ".schema.openAPIV3Schema", "schemas are required"));
      continue;
    }
    for (auto& e : check_structural(*schema, path + ".schema.openAPIV3Schema")) {
      errors.push_back(std::move(e));
    }
  }
  if (storage != 1) {
    errors.push_back(FieldError{FieldError::Type::Invalid, "spec.versions",
                                "Invalid value: ...: must have exactly one version marked as "
                                "storage version"});
  }
}

PrinterColumn column_from(const JsonValue& c) {
  PrinterColumn column;
  column.name = std::string(string_at(c, {"name"}));
  column.type = std::string(string_at(c, {"type"}));
  column.format = std::string(string_at(c, {"format"}));
  column.description = std::string(string_at(c, {"description"}));
  column.json_path = std::string(string_at(c, {"jsonPath"}));
  column.priority = static_cast<int>(int_at(c, {"priority"}).value_or(0));
  return column;
}

JsonValue condition(std::string_view type, std::string_view reason, std::string_view message,
                    const std::string& time, JsonAllocator& alloc) {
  JsonValue c(rapidjson::kObjectType);
  set_string(c, "type", type, alloc);
  set_string(c, "status", "True", alloc);
  set_string(c, "lastTransitionTime", time, alloc);
  set_string(c, "reason", reason, alloc);
  set_string(c, "message", message, alloc);
  return c;
}

}  // namespace

void default_crd(JsonValue& crd, JsonAllocator& alloc) {
  JsonValue& spec = ensure_object(crd, "spec", alloc);
  JsonValue& names = ensure_object(spec, "names", alloc);
  const std::string kind(string_at(names, {"kind"}));
  if (string_at(names, {"singular"}).empty() && !kind.empty()) {
    set_string(names, "singular", lower(kind), alloc);
  }
  if (string_at(names, {"listKind"}).empty() && !kind.empty()) {
    set_string(names, "listKind", kind + "List", alloc);
  }
  JsonValue& conversion = ensure_object(spec, "conversion", alloc);
  if (string_at(conversion, {"strategy"}).empty()) {
    set_string(conversion, "strategy", "None", alloc);
  }
}

FieldErrors validate_crd(const JsonValue& crd) {
  FieldErrors errors;
  static const JsonValue kEmpty(rapidjson::kObjectType);
  const JsonValue* spec_value = find_member(crd, "spec");
  const JsonValue& spec = spec_value != nullptr && spec_value->IsObject() ? *spec_value : kEmpty;
  const std::string_view group = string_at(spec, {"group"});
  if (group.empty()) {
    errors.push_back(required("spec.group"));
  } else if (group.find('.') == std::string_view::npos) {
    errors.push_back(
        api::field_invalid("spec.group", group, "should be a domain with at least one dot"));
  }
  const JsonValue* names = find_member(spec, "names");
  if (names == nullptr || !names->IsObject()) {
    errors.push_back(required("spec.names"));
  } else {
    validate_names(*names, errors);
    const std::string expected =
        std::string(string_at(*names, {"plural"})) + "." + std::string(group);
    const std::string_view name = string_at(crd, {"metadata", "name"});
    if (!name.empty() && name != expected) {
      errors.push_back(
          api::field_invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
    }
  }
  const std::string_view scope = string_at(spec, {"scope"});
  if (scope != "Namespaced" && scope != "Cluster") {
    errors.push_back(FieldError{FieldError::Type::NotSupported, "spec.scope",
                                "Unsupported value: " + api::strconv_quote(scope) +
                                    ": supported values: \"Cluster\", \"Namespaced\""});
  }
  validate_versions(spec, errors);
  return errors;
}

std::vector<ResourceInfo> crd_resources(const JsonValue& crd) {
  std::vector<ResourceInfo> out;
  const JsonValue* spec = find_member(crd, "spec");
  if (spec == nullptr) {
    return out;
  }
  const JsonValue* names = find_member(*spec, "names");
  const JsonValue* versions = find_member(*spec, "versions");
  if (names == nullptr || versions == nullptr || !versions->IsArray()) {
    return out;
  }
  for (const auto& version : versions->GetArray()) {
    if (const JsonValue* served = find_member(version, "served");
        served && served->IsBool() && !served->GetBool()) {
      continue;
    }
    ResourceInfo info;
    info.group = std::string(string_at(*spec, {"group"}));
    info.version = std::string(string_at(version, {"name"}));
    info.resource = std::string(string_at(*names, {"plural"}));
    info.singular = std::string(string_at(*names, {"singular"}));
    info.kind = std::string(string_at(*names, {"kind"}));
    info.list_kind = std::string(string_at(*names, {"listKind"}));
    info.namespaced = string_at(*spec, {"scope"}) != "Cluster";
    info.short_names = string_list(find_member(*names, "shortNames"));
    info.categories = string_list(find_member(*names, "categories"));
    info.verbs = {"create", "delete", "deletecollection", "get",
                  "list",   "patch",  "update",           "watch"};
    info.status_subresource = find_path(version, {"subresources", "status"}) != nullptr;
    info.rules = KindRules::CustomResource;
    info.crd_name = std::string(string_at(crd, {"metadata", "name"}));
    if (const JsonValue* columns = find_member(version, "additionalPrinterColumns");
        columns != nullptr && columns->IsArray()) {
      for (const auto& c : columns->GetArray()) {
        info.columns.push_back(column_from(c));
      }
    }
    if (info.columns.empty()) {
      info.columns.push_back(
          PrinterColumn{"Age", "date", "", "", ".metadata.creationTimestamp", 0});
    }
    if (const JsonValue* fields = find_member(version, "selectableFields");
        fields != nullptr && fields->IsArray()) {
      for (const auto& f : fields->GetArray()) {
        std::string_view path = string_at(f, {"jsonPath"});
        if (!path.empty() && path.front() == '.') {
          info.field_selectors.emplace_back(path.substr(1));
        }
      }
    }
    if (const JsonValue* schema = find_path(version, {"schema", "openAPIV3Schema"})) {
      info.schema = std::make_shared<const JsonDocument>(copy_document(*schema));
    }
    out.push_back(std::move(info));
  }
  return out;
}

void set_crd_status(JsonValue& crd, JsonAllocator& alloc, TimePoint now, const JsonValue* old_crd) {
  JsonValue status(rapidjson::kObjectType);
  if (const JsonValue* names = find_path(crd, {"spec", "names"})) {
    set_member(status, "acceptedNames", deep_copy(*names, alloc), alloc);
  }
  std::string time = api::format_rfc3339(now);
  if (old_crd != nullptr) {
    const JsonValue* old_conditions = find_path(*old_crd, {"status", "conditions"});
    if (old_conditions != nullptr && old_conditions->IsArray() && !old_conditions->Empty()) {
      std::string_view old_time = string_at((*old_conditions)[0], {"lastTransitionTime"});
      if (!old_time.empty()) {
        time = std::string(old_time);
      }
    }
  }
  JsonValue conditions(rapidjson::kArrayType);
  conditions.PushBack(condition("NamesAccepted", "NoConflicts", "no conflicts found", time, alloc),
                      alloc);
  conditions.PushBack(condition("Established", "InitialNamesAccepted",
                                "the initial names have been accepted", time, alloc),
                      alloc);
  set_member(status, "conditions", std::move(conditions), alloc);
  JsonValue stored(rapidjson::kArrayType);
  if (const JsonValue* versions = find_path(crd, {"spec", "versions"});
      versions && versions->IsArray()) {
    for (const auto& v : versions->GetArray()) {
      if (const JsonValue* s = find_member(v, "storage"); s && s->IsBool() && s->GetBool()) {
        stored.PushBack(make_string(string_at(v, {"name"}), alloc), alloc);
      }
    }
  }
  set_member(status, "storedVersions", std::move(stored), alloc);
  set_member(crd, "status", std::move(status), alloc);
}

}  // namespace korder::devcluster
