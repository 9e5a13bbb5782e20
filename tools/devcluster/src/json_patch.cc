// JSON merge patch (RFC 7386) and JSON patch (RFC 6902).
#include <cctype>
#include <vector>

#include "patch.h"

namespace korder::devcluster {
namespace {

struct Pointer {
  std::vector<std::string> tokens;
};

Expected<Pointer, std::string> parse_pointer(std::string_view text) {
  Pointer p;
  if (text.empty()) {
    return p;
  }
  if (text.front() != '/') {
    return Unexpected("JSON pointer must start with '/': \"" + std::string(text) + "\"");
  }
  std::string token;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/') {
      p.tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    if (text[i] == '~' && i + 1 < text.size() && (text[i + 1] == '0' || text[i + 1] == '1')) {
      token += text[i + 1] == '0' ? '~' : '/';
      ++i;
      continue;
    }
    token += text[i];
  }
  return p;
}

/// An array index token: digits without leading zeros. nullopt otherwise.
std::optional<std::size_t> array_index(const std::string& token) {
  if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0')) {
    return std::nullopt;
  }
  std::size_t n = 0;
  for (char c : token) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

/// The value at all but the last token (the container the operation acts on).
JsonValue* parent_of(JsonValue& root, const Pointer& p) {
  JsonValue* current = &root;
  for (std::size_t i = 0; i + 1 < p.tokens.size(); ++i) {
    const std::string& token = p.tokens[i];
    if (current->IsObject()) {
      current = find_member(*current, token);
    } else if (current->IsArray()) {
      auto index = array_index(token);
      current = index && *index < current->Size()
                    ? &(*current)[static_cast<rapidjson::SizeType>(*index)]
                    : nullptr;
    } else {
      current = nullptr;
    }
    if (current == nullptr) {
      return nullptr;
    }
  }
  return current;
}

JsonValue* resolve(JsonValue& root, const Pointer& p) {
  if (p.tokens.empty()) {
    return &root;
  }
  JsonValue* parent = parent_of(root, p);
  if (parent == nullptr) {
    return nullptr;
  }
  const std::string& last = p.tokens.back();
  if (parent->IsObject()) {
    return find_member(*parent, last);
  }
  if (parent->IsArray()) {
    auto index = array_index(last);
    return index && *index < parent->Size() ? &(*parent)[static_cast<rapidjson::SizeType>(*index)]
                                            : nullptr;
  }
  return nullptr;
}

Expected<void, std::string> add_at(JsonValue& root, const Pointer& p, JsonValue value,
                                   JsonAllocator& alloc, const std::string& path) {
  if (p.tokens.empty()) {
    root = std::move(value);
    return {};
  }
  JsonValue* parent = parent_of(root, p);
  if (parent == nullptr) {
    return Unexpected("add operation does not apply: doc is missing path: \"" + path +
                      "\": missing value");
  }
  const std::string& last = p.tokens.back();
  if (parent->IsObject()) {
    set_member(*parent, last, std::move(value), alloc);
    return {};
  }
  if (parent->IsArray()) {
    std::size_t index = parent->Size();
    if (last != "-") {
      auto parsed = array_index(last);
      if (!parsed || *parsed > parent->Size()) {
        return Unexpected("add operation does not apply: index out of bounds: \"" + path + "\"");
      }
      index = *parsed;
    }
    parent->PushBack(JsonValue(), alloc);
    for (std::size_t i = parent->Size() - 1; i > index; --i) {
      (*parent)[static_cast<rapidjson::SizeType>(i)] =
          std::move((*parent)[static_cast<rapidjson::SizeType>(i - 1)]);
    }
    (*parent)[static_cast<rapidjson::SizeType>(index)] = std::move(value);
    return {};
  }
  return Unexpected("add operation does not apply: doc is missing path: \"" + path + "\"");
}

Expected<JsonValue, std::string> remove_at(JsonValue& root, const Pointer& p, const std::string& op,
                                           const std::string& path) {
  JsonValue* parent = p.tokens.empty() ? nullptr : parent_of(root, p);
  const std::string missing =
      op + " operation does not apply: doc is missing path: \"" + path + "\"";
  if (parent == nullptr) {
    return Unexpected(missing);
  }
  const std::string& last = p.tokens.back();
  if (parent->IsObject()) {
    auto it = parent->FindMember(JsonValue(
        rapidjson::StringRef(last.data(), static_cast<rapidjson::SizeType>(last.size()))));
    if (it == parent->MemberEnd()) {
      return Unexpected(missing);
    }
    JsonValue removed(std::move(it->value));
    parent->EraseMember(it);
    return removed;
  }
  if (parent->IsArray()) {
    auto index = array_index(last);
    if (!index || *index >= parent->Size()) {
      return Unexpected(missing);
    }
    JsonValue removed(std::move((*parent)[static_cast<rapidjson::SizeType>(*index)]));
    parent->Erase(parent->Begin() + static_cast<std::ptrdiff_t>(*index));
    return removed;
  }
  return Unexpected(missing);
}

Expected<void, std::string> apply_operation(JsonDocument& doc, const JsonValue& operation) {
  auto& alloc = doc.GetAllocator();
  const std::string op(string_at(operation, {"op"}));
  const std::string path(string_at(operation, {"path"}));
  if (find_member(operation, "path") == nullptr) {
    return Unexpected("operation missing \"path\" field");
  }
  auto pointer = parse_pointer(path);
  if (!pointer) {
    return Unexpected(pointer.error());
  }
  const JsonValue* value = find_member(operation, "value");
  if (op == "add" || op == "replace" || op == "test") {
    if (value == nullptr) {
      return Unexpected(op + " operation: missing value");
    }
  }
  if (op == "add") {
    return add_at(doc, *pointer, deep_copy(*value, alloc), alloc, path);
  }
  if (op == "remove") {
    auto removed = remove_at(doc, *pointer, "remove", path);
    if (!removed) {
      return Unexpected(removed.error());
    }
    return {};
  }
  if (op == "replace") {
    JsonValue* target = resolve(doc, *pointer);
    if (target == nullptr) {
      return Unexpected("replace operation does not apply: doc is missing key: " + path +
                        ": missing value");
    }
    *target = deep_copy(*value, alloc);
    return {};
  }
  if (op == "test") {
    JsonValue* target = resolve(doc, *pointer);
    const bool ok = target == nullptr ? value->IsNull() : json_equal(*target, *value);
    if (!ok) {
      return Unexpected("testing value " + path + " failed: test failed");
    }
    return {};
  }
  if (op == "move" || op == "copy") {
    const std::string from(string_at(operation, {"from"}));
    auto from_pointer = parse_pointer(from);
    if (!from_pointer) {
      return Unexpected(from_pointer.error());
    }
    JsonValue moved;
    if (op == "move") {
      auto removed = remove_at(doc, *from_pointer, "move", from);
      if (!removed) {
        return Unexpected(removed.error());
      }
      moved = std::move(*removed);
    } else {
      JsonValue* source = resolve(doc, *from_pointer);
      if (source == nullptr) {
        return Unexpected("copy operation does not apply: doc is missing from path: \"" + from +
                          "\"");
      }
      moved = deep_copy(*source, alloc);
    }
    return add_at(doc, *pointer, std::move(moved), alloc, path);
  }
  return Unexpected("Unexpected kind: " + op);
}

}  // namespace

void apply_merge_patch(JsonValue& target, const JsonValue& patch, JsonAllocator& alloc) {
  if (!patch.IsObject()) {
    target = deep_copy(patch, alloc);
    return;
  }
  if (!target.IsObject()) {
    target.SetObject();
  }
  for (auto it = patch.MemberBegin(); it != patch.MemberEnd(); ++it) {
    const std::string_view name(it->name.GetString(), it->name.GetStringLength());
    if (it->value.IsNull()) {
      remove_member(target, name);
      continue;
    }
    JsonValue* existing = find_member(target, name);
    if (existing == nullptr) {
      target.AddMember(deep_copy(it->name, alloc), JsonValue(rapidjson::kNullType), alloc);
      existing = find_member(target, name);
    }
    apply_merge_patch(*existing, it->value, alloc);
  }
}

Expected<void, std::string> apply_json_patch(JsonDocument& target, const JsonValue& patch) {
  if (!patch.IsArray()) {
    return Unexpected(
        std::string("json: cannot unmarshal object into Go value of type jsonpatch.Patch"));
  }
  // Work on a copy so a failing operation leaves the target unchanged.
  JsonDocument work = copy_document(target);
  for (const auto& operation : patch.GetArray()) {
    if (!operation.IsObject()) {
      return Unexpected(std::string("invalid JSON patch operation: not an object"));
    }
    if (auto applied = apply_operation(work, operation); !applied) {
      return applied;
    }
  }
  target.Swap(work);
  return {};
}

}  // namespace korder::devcluster
