#include "support/json_patch_apply.h"

#include <cstdlib>
#include <vector>

#include "korder/api/json.h"

namespace korder::ticket::testing {
namespace {

using api::JsonValue;

std::vector<std::string> pointer_tokens(std::string_view path) {
  std::vector<std::string> tokens;
  if (path.empty()) {
    return tokens;
  }
  std::string current;
  for (std::size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      tokens.push_back(current);
      current.clear();
    } else if (path[i] == '~' && i + 1 < path.size()) {
      current += path[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      current += path[i];
    }
  }
  return tokens;
}

bool parse_index(const std::string& token, std::size_t& out) {
  if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  out = static_cast<std::size_t>(std::strtoull(token.c_str(), nullptr, 10));
  return true;
}

JsonValue* child(JsonValue& parent, const std::string& token) {
  if (parent.IsObject()) {
    auto it = parent.FindMember(token.c_str());
    return it == parent.MemberEnd() ? nullptr : &it->value;
  }
  std::size_t index = 0;
  if (parent.IsArray() && parse_index(token, index) && index < parent.Size()) {
    return &parent[static_cast<rapidjson::SizeType>(index)];
  }
  return nullptr;
}

std::string apply_one(JsonValue& root, const JsonValue& op, api::JsonAllocator& alloc) {
  if (!op.IsObject() || !op.HasMember("op") || !op.HasMember("path")) {
    return "malformed operation";
  }
  const std::string kind = op["op"].GetString();
  const std::string path = op["path"].GetString();
  auto tokens = pointer_tokens(path);
  if (tokens.empty()) {
    return "whole-document operations are not supported";
  }
  const std::string last = tokens.back();
  tokens.pop_back();
  JsonValue* parent = &root;
  for (const auto& token : tokens) {
    parent = child(*parent, token);
    if (parent == nullptr) {
      return kind + " " + path + ": missing parent";
    }
  }
  JsonValue* target = child(*parent, last);
  if (kind == "test") {
    const JsonValue& expected = op["value"];
    if (target == nullptr ? expected.IsNull() : *target == expected) {
      return {};
    }
    return "testing value " + path + " failed";
  }
  if (kind == "remove") {
    if (target == nullptr) {
      return "remove " + path + ": missing";
    }
    if (parent->IsObject()) {
      parent->EraseMember(last.c_str());
    } else {
      parent->Erase(target);
    }
    return {};
  }
  if (kind != "add") {
    return "unsupported op " + kind;
  }
  JsonValue value(op["value"], alloc);
  if (parent->IsObject()) {
    if (target != nullptr) {
      *target = std::move(value);
    } else {
      parent->AddMember(JsonValue(last.c_str(), alloc), std::move(value), alloc);
    }
    return {};
  }
  if (!parent->IsArray()) {
    return "add " + path + ": parent is not a container";
  }
  std::size_t index = parent->Size();
  if (last != "-" && (!parse_index(last, index) || index > parent->Size())) {
    return "add " + path + ": bad index";
  }
  parent->PushBack(std::move(value), alloc);
  for (std::size_t i = parent->Size() - 1; i > index; --i) {
    (*parent)[static_cast<rapidjson::SizeType>(i)].Swap(
        (*parent)[static_cast<rapidjson::SizeType>(i - 1)]);
  }
  return {};
}

}  // namespace

Expected<std::string, std::string> apply_json_patch(std::string_view document,
                                                    std::string_view patch) {
  api::JsonDocument doc;
  if (auto parsed = api::parse_json(document, doc); !parsed) {
    return Unexpected(parsed.error().to_string());
  }
  api::JsonDocument ops;
  if (auto parsed = api::parse_json(patch, ops); !parsed) {
    return Unexpected(parsed.error().to_string());
  }
  if (!ops.IsArray()) {
    return Unexpected(std::string("a JSON patch is an array"));
  }
  for (const auto& op : ops.GetArray()) {
    if (auto error = apply_one(doc, op, doc.GetAllocator()); !error.empty()) {
      return Unexpected(error);
    }
  }
  return api::write_json(doc);
}

}  // namespace korder::ticket::testing
