#include "schema.h"

#include <cmath>
#include <map>
#include <mutex>
#include <regex>

#include "korder/api/names.h"
#include "korder/api/time.h"

namespace korder::devcluster {
namespace {

// Strings longer than this are not matched against `pattern` (std::regex recurses per
// character); they are reported as invalid instead.
constexpr std::size_t kMaxPatternInput = 4096;

bool flag(const JsonValue& schema, std::string_view key) {
  const JsonValue* v = find_member(schema, key);
  return v != nullptr && v->IsBool() && v->GetBool();
}

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string element(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string_view name_of(const JsonValue& member_name) {
  return {member_name.GetString(), member_name.GetStringLength()};
}

/// The schema for member `name` of an object with `schema`, or nullptr.
const JsonValue* member_schema(const JsonValue& schema, std::string_view name) {
  if (const JsonValue* properties = find_member(schema, "properties")) {
    if (const JsonValue* sub = find_member(*properties, name); sub && sub->IsObject()) {
      return sub;
    }
  }
  const JsonValue* additional = find_member(schema, "additionalProperties");
  if (additional != nullptr && additional->IsObject()) {
    return additional;
  }
  return nullptr;
}

// ---- pruning -------------------------------------------------------------------------------

void prune_value(JsonValue& value, const JsonValue& schema, JsonAllocator& alloc,
                 const std::string& path, bool root, std::vector<std::string>& pruned);

void prune_object(JsonValue& value, const JsonValue& schema, JsonAllocator& alloc,
                  const std::string& path, bool root, std::vector<std::string>& pruned) {
  const bool preserve = flag(schema, "x-kubernetes-preserve-unknown-fields");
  const bool embedded = flag(schema, "x-kubernetes-embedded-resource");
  const JsonValue* additional = find_member(schema, "additionalProperties");
  const bool additional_any =
      additional != nullptr && additional->IsBool() && additional->GetBool();
  for (auto it = value.MemberBegin(); it != value.MemberEnd();) {
    const std::string_view name = name_of(it->name);
    if ((root || embedded) && (name == "apiVersion" || name == "kind" || name == "metadata")) {
      if (name != "metadata" || !root) {
        if (const JsonValue* sub = member_schema(schema, name)) {
          prune_value(it->value, *sub, alloc, child(path, name), false, pruned);
        }
      }
      ++it;
      continue;
    }
    if (const JsonValue* sub = member_schema(schema, name)) {
      if (it->value.IsNull() && !flag(*sub, "nullable")) {
        it = value.EraseMember(it);
        continue;
      }
      prune_value(it->value, *sub, alloc, child(path, name), false, pruned);
      ++it;
      continue;
    }
    if (preserve || additional_any) {
      ++it;
      continue;
    }
    pruned.push_back(child(path, name));
    it = value.EraseMember(it);
  }
}

void prune_value(JsonValue& value, const JsonValue& schema, JsonAllocator& alloc,
                 const std::string& path, bool root, std::vector<std::string>& pruned) {
  if (value.IsObject()) {
    prune_object(value, schema, alloc, path, root, pruned);
  } else if (value.IsArray()) {
    const JsonValue* items = find_member(schema, "items");
    if (items == nullptr || !items->IsObject()) {
      return;
    }
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      prune_value(value[i], *items, alloc, element(path, i), false, pruned);
    }
  }
}

// ---- defaulting ----------------------------------------------------------------------------

void default_value(JsonValue& value, const JsonValue& schema, JsonAllocator& alloc) {
  if (value.IsObject()) {
    if (const JsonValue* properties = find_member(schema, "properties");
        properties != nullptr && properties->IsObject()) {
      for (auto p = properties->MemberBegin(); p != properties->MemberEnd(); ++p) {
        const JsonValue* def = find_member(p->value, "default");
        if (def != nullptr && find_member(value, name_of(p->name)) == nullptr) {
          value.AddMember(deep_copy(p->name, alloc), deep_copy(*def, alloc), alloc);
        }
      }
    }
    for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
      if (const JsonValue* sub = member_schema(schema, name_of(it->name))) {
        default_value(it->value, *sub, alloc);
      }
    }
  } else if (value.IsArray()) {
    const JsonValue* items = find_member(schema, "items");
    if (items != nullptr && items->IsObject()) {
      for (auto& item : value.GetArray()) {
        default_value(item, *items, alloc);
      }
    }
  }
}

// ---- validation ----------------------------------------------------------------------------

std::string json_kind(const JsonValue& v) {
  if (v.IsNumber()) {
    return v.IsInt64() || v.IsUint64() ? "integer" : "number";
  }
  return std::string(api::json_type_name(v));
}

bool is_integer(const JsonValue& v) {
  if (v.IsInt64() || v.IsUint64()) {
    return true;
  }
  if (v.IsDouble()) {
    const double d = v.GetDouble();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

bool type_matches(std::string_view type, const JsonValue& v) {
  if (type == "object") return v.IsObject();
  if (type == "array") return v.IsArray();
  if (type == "string") return v.IsString();
  if (type == "integer") return is_integer(v);
  if (type == "number") return v.IsNumber();
  if (type == "boolean") return v.IsBool();
  return true;
}

void add_invalid(FieldErrors& errors, const std::string& path, const std::string& shown,
                 const std::string& message) {
  errors.push_back(
      FieldError{FieldError::Type::Invalid, path, "Invalid value: " + shown + ": " + message});
}

const std::regex* compiled(const std::string& pattern) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<std::regex>> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(pattern);
  if (it == cache.end()) {
    std::unique_ptr<std::regex> re;
    try {
      re = std::make_unique<std::regex>(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      re = nullptr;  // an unsupported pattern is not enforced
    }
    it = cache.emplace(pattern, std::move(re)).first;
  }
  return it->second.get();
}

void validate_string(const JsonValue& v, const JsonValue& s, const std::string& path,
                     FieldErrors& errors) {
  const std::string_view text(v.GetString(), v.GetStringLength());
  const std::string shown = go_value_string(v);
  if (auto max = find_member(s, "maxLength");
      max && max->IsUint64() && text.size() > max->GetUint64()) {
    errors.push_back(FieldError{
        FieldError::Type::TooLong, path,
        "Too long: may not be more than " + std::to_string(max->GetUint64()) + " bytes"});
  }
  if (auto min = find_member(s, "minLength");
      min && min->IsUint64() && text.size() < min->GetUint64()) {
    add_invalid(
        errors, path, shown,
        path + " in body should be at least " + std::to_string(min->GetUint64()) + " chars long");
  }
  if (auto pattern = find_member(s, "pattern"); pattern && pattern->IsString()) {
    const std::string p(pattern->GetString(), pattern->GetStringLength());
    if (text.size() > kMaxPatternInput) {
      add_invalid(errors, path, "\"...\"", path + " in body is too long to match '" + p + "'");
    } else if (const std::regex* re = compiled(p)) {
      bool ok = false;
      try {
        ok = std::regex_search(text.begin(), text.end(), *re);
      } catch (const std::regex_error&) {
        ok = false;
      }
      if (!ok) {
        add_invalid(errors, path, shown, path + " in body should match '" + p + "'");
      }
    }
  }
  if (std::string_view format = string_at(s, {"format"}); format == "date-time") {
    if (!api::parse_rfc3339(text)) {
      add_invalid(errors, path, shown, path + " in body must be of type date-time: " + shown);
    }
  }
}

void validate_number(const JsonValue& v, const JsonValue& s, const std::string& path,
                     FieldErrors& errors) {
  const double d = v.GetDouble();
  if (auto min = find_member(s, "minimum"); min && min->IsNumber()) {
    const bool exclusive = flag(s, "exclusiveMinimum");
    if (exclusive ? d <= min->GetDouble() : d < min->GetDouble()) {
      add_invalid(errors, path, api::write_json(v),
                  path + " in body should be greater than " + (exclusive ? "" : "or equal to ") +
                      api::write_json(*min));
    }
  }
  if (auto max = find_member(s, "maximum"); max && max->IsNumber()) {
    const bool exclusive = flag(s, "exclusiveMaximum");
    if (exclusive ? d >= max->GetDouble() : d > max->GetDouble()) {
      add_invalid(errors, path, api::write_json(v),
                  path + " in body should be less than " + (exclusive ? "" : "or equal to ") +
                      api::write_json(*max));
    }
  }
}

void validate_value(const JsonValue& v, const JsonValue& s, const std::string& path,
                    FieldErrors& errors);

void validate_object(const JsonValue& v, const JsonValue& s, const std::string& path,
                     FieldErrors& errors, const std::vector<std::string>* skip) {
  if (const JsonValue* required = find_member(s, "required"); required && required->IsArray()) {
    for (const auto& name : required->GetArray()) {
      if (name.IsString() && find_member(v, name_of(name)) == nullptr) {
        errors.push_back(
            FieldError{FieldError::Type::Required, child(path, name_of(name)), "Required value"});
      }
    }
  }
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    const std::string_view name = name_of(it->name);
    if (skip != nullptr && std::find(skip->begin(), skip->end(), name) != skip->end()) {
      continue;
    }
    if (const JsonValue* sub = member_schema(s, name)) {
      validate_value(it->value, *sub, child(path, name), errors);
    }
  }
}

void validate_value(const JsonValue& v, const JsonValue& s, const std::string& path,
                    FieldErrors& errors) {
  if (v.IsNull()) {
    return;  // non-nullable nulls were pruned
  }
  const std::string_view type = string_at(s, {"type"});
  if (flag(s, "x-kubernetes-int-or-string")) {
    if (!is_integer(v) && !v.IsString()) {
      const std::string kind = json_kind(v);
      add_invalid(errors, path, "\"" + kind + "\"",
                  path + " in body must be of type integer,string: \"" + kind + "\"");
      return;
    }
  } else if (!type.empty() && !type_matches(type, v)) {
    const std::string kind = json_kind(v);
    add_invalid(errors, path, "\"" + kind + "\"",
                path + " in body must be of type " + std::string(type) + ": \"" + kind + "\"");
    return;
  }
  if (const JsonValue* values = find_member(s, "enum"); values && values->IsArray()) {
    bool found = false;
    std::string supported;
    for (const auto& candidate : values->GetArray()) {
      found = found || json_equal(candidate, v);
      supported += (supported.empty() ? "" : ", ") + go_value_string(candidate);
    }
    if (!found) {
      errors.push_back(FieldError{
          FieldError::Type::NotSupported, path,
          "Unsupported value: " + go_value_string(v) + ": supported values: " + supported});
      return;
    }
  }
  if (v.IsString()) {
    validate_string(v, s, path, errors);
  } else if (v.IsNumber()) {
    validate_number(v, s, path, errors);
  } else if (v.IsArray()) {
    if (auto max = find_member(s, "maxItems");
        max && max->IsUint64() && v.Size() > max->GetUint64()) {
      errors.push_back(FieldError{FieldError::Type::TooMany, path,
                                  "Too many: " + std::to_string(v.Size()) + ": must have at most " +
                                      std::to_string(max->GetUint64()) + " items"});
    }
    if (auto min = find_member(s, "minItems");
        min && min->IsUint64() && v.Size() < min->GetUint64()) {
      add_invalid(
          errors, path, std::to_string(v.Size()),
          path + " in body should have at least " + std::to_string(min->GetUint64()) + " items");
    }
    if (const JsonValue* items = find_member(s, "items"); items && items->IsObject()) {
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        validate_value(v[i], *items, element(path, i), errors);
      }
    }
  } else if (v.IsObject()) {
    validate_object(v, s, path, errors, nullptr);
  }
  if (const JsonValue* all_of = find_member(s, "allOf"); all_of && all_of->IsArray()) {
    for (const auto& sub : all_of->GetArray()) {
      if (sub.IsObject()) {
        validate_value(v, sub, path, errors);
      }
    }
  }
}

void check_node(const JsonValue& schema, const std::string& path, bool root, FieldErrors& errors) {
  if (!schema.IsObject()) {
    errors.push_back(FieldError{
        FieldError::Type::Invalid, path,
        "Invalid value: " + std::string(api::json_type_name(schema)) + ": must be an object"});
    return;
  }
  const bool typed = !string_at(schema, {"type"}).empty();
  if (!typed && !flag(schema, "x-kubernetes-preserve-unknown-fields") &&
      !flag(schema, "x-kubernetes-int-or-string")) {
    errors.push_back(FieldError{FieldError::Type::Required, child(path, "type"),
                                "Required value: must not be empty for specified object fields"});
  }
  if (root && typed && string_at(schema, {"type"}) != "object") {
    errors.push_back(FieldError{FieldError::Type::Invalid, child(path, "type"),
                                "Invalid value: " + go_value_string(*find_member(schema, "type")) +
                                    ": must be object at the root"});
  }
  if (const JsonValue* properties = find_member(schema, "properties");
      properties && properties->IsObject()) {
    for (auto it = properties->MemberBegin(); it != properties->MemberEnd(); ++it) {
      if (root && name_of(it->name) == "metadata") {
        continue;
      }
      check_node(it->value, path + ".properties[" + std::string(name_of(it->name)) + "]", false,
                 errors);
    }
  }
  if (const JsonValue* items = find_member(schema, "items"); items && items->IsObject()) {
    check_node(*items, path + ".items", false, errors);
  }
  if (const JsonValue* additional = find_member(schema, "additionalProperties");
      additional && additional->IsObject()) {
    check_node(*additional, path + ".additionalProperties", false, errors);
  }
}

}  // namespace

std::vector<std::string> prune_unknown_fields(JsonValue& object, const JsonValue& schema,
                                              JsonAllocator& alloc) {
  std::vector<std::string> pruned;
  if (object.IsObject() && schema.IsObject()) {
    prune_object(object, schema, alloc, "", true, pruned);
  }
  return pruned;
}

void apply_defaults(JsonValue& object, const JsonValue& schema, JsonAllocator& alloc) {
  if (object.IsObject() && schema.IsObject()) {
    JsonValue* metadata = find_member(object, "metadata");
    // The root metadata is ObjectMeta, never defaulted from the CRD schema.
    if (metadata != nullptr) {
      JsonValue saved(std::move(*metadata));
      default_value(object, schema, alloc);
      *find_member(object, "metadata") = std::move(saved);
    } else {
      default_value(object, schema, alloc);
    }
  }
}

FieldErrors validate_against_schema(const JsonValue& object, const JsonValue& schema,
                                    const std::vector<std::string>& skip_root) {
  FieldErrors errors;
  if (!object.IsObject() || !schema.IsObject()) {
    return errors;
  }
  std::vector<std::string> skip = skip_root;
  skip.emplace_back("metadata");
  validate_object(object, schema, "", errors, &skip);
  return errors;
}

FieldErrors check_structural(const JsonValue& schema, const std::string& path) {
  FieldErrors errors;
  check_node(schema, path, true, errors);
  return errors;
}

}  // namespace korder::devcluster
