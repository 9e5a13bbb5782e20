#pragma once

// Helpers for the JSON codec tests: compare JSON texts as parsed DOMs (member order and
// spelling of numbers do not matter; values do).

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "korder/api/json.h"

namespace korder::api::testing {

/// True when `a` and `b` parse to equal JSON values (objects compared without regard to
/// member order). Malformed text never equals anything.
inline bool same_json(std::string_view a, std::string_view b) {
  JsonDocument da;
  JsonDocument db;
  if (!parse_json(a, da) || !parse_json(b, db)) {
    return false;
  }
  return static_cast<const JsonValue&>(da) == static_cast<const JsonValue&>(db);
}

/// Decodes `json` as T and encodes it again.
template <typename T>
std::string round_trip(std::string_view json) {
  auto decoded = decode<T>(json);
  if (!decoded) {
    return "decode failed: " + decoded.error().to_string();
  }
  return encode(*decoded);
}

}  // namespace korder::api::testing
