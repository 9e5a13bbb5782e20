#pragma once

// Small accessors over RapidJSON values for objects handled generically (the devcluster keeps
// every object as JSON, like the API server's unstructured objects).

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/json.h"

namespace korder::devcluster {

using api::JsonAllocator;
using api::JsonDocument;
using api::JsonValue;

/// The member `key` of `object`, or nullptr when `object` is not an object or lacks it.
const JsonValue* find_member(const JsonValue& object, std::string_view key);
JsonValue* find_member(JsonValue& object, std::string_view key);

/// Follows `path` (member names) from `value`; nullptr when a step is missing.
const JsonValue* find_path(const JsonValue& value, std::initializer_list<std::string_view> path);

/// The string at `path`, or "" when it is missing or not a string.
std::string_view string_at(const JsonValue& value, std::initializer_list<std::string_view> path);

/// The integer at `path`, or nullopt.
std::optional<std::int64_t> int_at(const JsonValue& value,
                                   std::initializer_list<std::string_view> path);

/// A JSON string value of `text`, copied into `alloc`.
JsonValue make_string(std::string_view text, JsonAllocator& alloc);

/// Sets member `key` of `object` (an object) to `value`, replacing an existing member.
void set_member(JsonValue& object, std::string_view key, JsonValue value, JsonAllocator& alloc);

/// Sets member `key` of `object` to the string `text`.
void set_string(JsonValue& object, std::string_view key, std::string_view text,
                JsonAllocator& alloc);

/// Removes member `key` from `object` (no-op when absent or not an object).
void remove_member(JsonValue& object, std::string_view key);

/// The object member `key` of `object`, created (or replaced, when not an object) if needed.
JsonValue& ensure_object(JsonValue& object, std::string_view key, JsonAllocator& alloc);

/// A map of string values (labels, annotations); non-string values are skipped.
std::map<std::string, std::string> string_map(const JsonValue* object);

/// The strings of an array (finalizers); non-strings are skipped.
std::vector<std::string> string_list(const JsonValue* array);

/// A deep copy of `value` into `alloc`.
JsonValue deep_copy(const JsonValue& value, JsonAllocator& alloc);

/// A new document holding a deep copy of `value`.
JsonDocument copy_document(const JsonValue& value);

/// Structural equality (member order ignored; numbers compared by value).
bool json_equal(const JsonValue& a, const JsonValue& b);

/// Renders a scalar as Go's `fmt` would print it in a message (strings quoted).
std::string go_value_string(const JsonValue& value);

}  // namespace korder::devcluster
