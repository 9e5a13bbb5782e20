#pragma once

// A small builder for RFC 6902 JSON patches (`application/json-patch+json`), so patches are
// built as JSON values, never by string concatenation.

#include <string>
#include <string_view>

#include "korder/api/json.h"

namespace korder::ticket {

/// One JSON pointer reference token (RFC 6901 §3): `~` becomes `~0` and `/` becomes `~1`, so
/// `korder.dev/unassigned-reason` is written `korder.dev~1unassigned-reason`.
std::string json_pointer_escape(std::string_view token);

/// An RFC 6902 patch document under construction: operations are kept in the order added.
/// Paths are JSON pointers (callers escape member names with json_pointer_escape). Values
/// must be built with allocator(). Not thread-safe (a local builder).
class JsonPatch {
 public:
  JsonPatch();

  /// `{"op":"test","path":path,"value":value}`: the whole patch fails (HTTP 422 from the API
  /// server) unless the target equals `value`. Kubernetes' json-patch library treats a missing
  /// member as equal to `null`.
  JsonPatch& test(std::string_view path, api::JsonValue value);
  /// `{"op":"add",...}`: adds a member (replacing one that exists) or inserts into an array
  /// (`/-` appends).
  JsonPatch& add(std::string_view path, api::JsonValue value);
  /// `{"op":"remove","path":path}`.
  JsonPatch& remove(std::string_view path);

  /// The allocator values passed to test() and add() must come from.
  api::JsonAllocator& allocator() { return doc_.GetAllocator(); }

  /// The number of operations so far.
  std::size_t size() const { return doc_.Size(); }

  /// The compact JSON text of the patch (a JSON array).
  std::string to_json() const;

 private:
  void push(std::string_view op, std::string_view path, api::JsonValue* value);

  api::JsonDocument doc_;
};

}  // namespace korder::ticket
