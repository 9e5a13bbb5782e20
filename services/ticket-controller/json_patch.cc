#include "json_patch.h"

#include <utility>

namespace korder::ticket {
namespace {

api::JsonValue string_value(std::string_view text, api::JsonAllocator& alloc) {
  return api::JsonValue(text.data(), static_cast<rapidjson::SizeType>(text.size()), alloc);
}

}  // namespace

std::string json_pointer_escape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

JsonPatch::JsonPatch() { doc_.SetArray(); }

JsonPatch& JsonPatch::test(std::string_view path, api::JsonValue value) {
  push("test", path, &value);
  return *this;
}

JsonPatch& JsonPatch::add(std::string_view path, api::JsonValue value) {
  push("add", path, &value);
  return *this;
}

JsonPatch& JsonPatch::remove(std::string_view path) {
  push("remove", path, nullptr);
  return *this;
}

std::string JsonPatch::to_json() const { return api::write_json(doc_); }

void JsonPatch::push(std::string_view op, std::string_view path, api::JsonValue* value) {
  auto& alloc = doc_.GetAllocator();
  api::JsonValue operation(rapidjson::kObjectType);
  operation.AddMember("op", string_value(op, alloc), alloc);
  operation.AddMember("path", string_value(path, alloc), alloc);
  if (value != nullptr) {
    operation.AddMember("value", std::move(*value), alloc);
  }
  doc_.PushBack(std::move(operation), alloc);
}

}  // namespace korder::ticket
