#include "json_access.h"

#include "korder/api/names.h"

namespace korder::devcluster {
namespace {

rapidjson::SizeType size_of(std::string_view text) {
  return static_cast<rapidjson::SizeType>(text.size());
}

}  // namespace

const JsonValue* find_member(const JsonValue& object, std::string_view key) {
  if (!object.IsObject()) {
    return nullptr;
  }
  auto it = object.FindMember(JsonValue(rapidjson::StringRef(key.data(), size_of(key))));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

JsonValue* find_member(JsonValue& object, std::string_view key) {
  if (!object.IsObject()) {
    return nullptr;
  }
  auto it = object.FindMember(JsonValue(rapidjson::StringRef(key.data(), size_of(key))));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

const JsonValue* find_path(const JsonValue& value, std::initializer_list<std::string_view> path) {
  const JsonValue* current = &value;
  for (std::string_view step : path) {
    current = find_member(*current, step);
    if (current == nullptr) {
      return nullptr;
    }
  }
  return current;
}

std::string_view string_at(const JsonValue& value, std::initializer_list<std::string_view> path) {
  const JsonValue* found = find_path(value, path);
  if (found == nullptr || !found->IsString()) {
    return {};
  }
  return {found->GetString(), found->GetStringLength()};
}

std::optional<std::int64_t> int_at(const JsonValue& value,
                                   std::initializer_list<std::string_view> path) {
  const JsonValue* found = find_path(value, path);
  if (found == nullptr || !found->IsInt64()) {
    return std::nullopt;
  }
  return found->GetInt64();
}

JsonValue make_string(std::string_view text, JsonAllocator& alloc) {
  return JsonValue(text.data(), size_of(text), alloc);
}

void set_member(JsonValue& object, std::string_view key, JsonValue value, JsonAllocator& alloc) {
  if (JsonValue* existing = find_member(object, key)) {
    *existing = std::move(value);
    return;
  }
  object.AddMember(make_string(key, alloc), std::move(value), alloc);
}

void set_string(JsonValue& object, std::string_view key, std::string_view text,
                JsonAllocator& alloc) {
  set_member(object, key, make_string(text, alloc), alloc);
}

void remove_member(JsonValue& object, std::string_view key) {
  if (!object.IsObject()) {
    return;
  }
  auto it = object.FindMember(JsonValue(rapidjson::StringRef(key.data(), size_of(key))));
  if (it != object.MemberEnd()) {
    object.EraseMember(it);
  }
}

JsonValue& ensure_object(JsonValue& object, std::string_view key, JsonAllocator& alloc) {
  JsonValue* existing = find_member(object, key);
  if (existing == nullptr) {
    object.AddMember(make_string(key, alloc), JsonValue(rapidjson::kObjectType), alloc);
    existing = find_member(object, key);
  } else if (!existing->IsObject()) {
    existing->SetObject();
  }
  return *existing;
}

std::map<std::string, std::string> string_map(const JsonValue* object) {
  std::map<std::string, std::string> out;
  if (object == nullptr || !object->IsObject()) {
    return out;
  }
  for (auto it = object->MemberBegin(); it != object->MemberEnd(); ++it) {
    if (it->value.IsString()) {
      out.emplace(std::string(it->name.GetString(), it->name.GetStringLength()),
                  std::string(it->value.GetString(), it->value.GetStringLength()));
    }
  }
  return out;
}

std::vector<std::string> string_list(const JsonValue* array) {
  std::vector<std::string> out;
  if (array == nullptr || !array->IsArray()) {
    return out;
  }
  for (const auto& item : array->GetArray()) {
    if (item.IsString()) {
      out.emplace_back(item.GetString(), item.GetStringLength());
    }
  }
  return out;
}

JsonValue deep_copy(const JsonValue& value, JsonAllocator& alloc) {
  return JsonValue(value, alloc);
}

JsonDocument copy_document(const JsonValue& value) {
  JsonDocument doc;
  doc.CopyFrom(value, doc.GetAllocator());
  return doc;
}

bool json_equal(const JsonValue& a, const JsonValue& b) {
  if (a.IsNumber() && b.IsNumber()) {
    if (a.IsInt64() && b.IsInt64()) {
      return a.GetInt64() == b.GetInt64();
    }
    if (a.IsUint64() && b.IsUint64()) {
      return a.GetUint64() == b.GetUint64();
    }
    return a.GetDouble() == b.GetDouble();
  }
  if (a.GetType() != b.GetType()) {
    return false;
  }
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) {
      return false;
    }
    for (auto it = a.MemberBegin(); it != a.MemberEnd(); ++it) {
      auto other = b.FindMember(it->name);
      if (other == b.MemberEnd() || !json_equal(it->value, other->value)) {
        return false;
      }
    }
    return true;
  }
  if (a.IsArray()) {
    if (a.Size() != b.Size()) {
      return false;
    }
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
      if (!json_equal(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }
  return a == b;
}

std::string go_value_string(const JsonValue& value) {
  if (value.IsString()) {
    return api::strconv_quote(std::string_view(value.GetString(), value.GetStringLength()));
  }
  if (value.IsNull()) {
    return "null";
  }
  if (value.IsObject()) {
    return "\"object\"";
  }
  if (value.IsArray()) {
    return "\"array\"";
  }
  return api::write_json(value);
}

}  // namespace korder::devcluster
