#pragma once

// core/v1 Namespace (what Quota scopes select on). Codec conventions: see json.h.

#include <string>
#include <string_view>

#include "korder/api/extras.h"
#include "korder/api/json_fwd.h"
#include "korder/api/meta.h"

namespace korder::api {

/// core/v1 NamespaceStatus (`conditions` stay in extras).
struct NamespaceStatus {
  std::string phase;  // `Active` or `Terminating`
  Extras extras;

  bool operator==(const NamespaceStatus&) const = default;
};

/// core/v1 Namespace (`spec.finalizers` stays in extras).
struct Namespace {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  NamespaceStatus status;
  Extras extras;

  bool operator==(const Namespace&) const = default;
};

DecodeResult from_json_value(const JsonValue& json, NamespaceStatus& out);
DecodeResult from_json_value(const JsonValue& json, Namespace& out);
JsonValue to_json_value(const NamespaceStatus& in, JsonAllocator& alloc);
JsonValue to_json_value(const Namespace& in, JsonAllocator& alloc);

/// Decodes a Namespace from untrusted JSON text.
Expected<Namespace, ParseError> parse_namespace(std::string_view json);
/// Compact JSON of `ns`.
std::string to_json(const Namespace& ns);

}  // namespace korder::api
