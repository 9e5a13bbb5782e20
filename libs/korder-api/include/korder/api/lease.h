#pragma once

// coordination.k8s.io/v1 Lease, the lock of leader election. Codec conventions: see json.h.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "korder/api/extras.h"
#include "korder/api/json_fwd.h"
#include "korder/api/meta.h"
#include "korder/base/clock.h"

namespace korder::api {

/// coordination.k8s.io/v1 LeaseSpec. Every field is optional on the wire; `acquireTime` and
/// `renewTime` are metav1.MicroTime (six fractional digits). Newer fields (`strategy`,
/// `preferredHolder`) stay in extras.
struct LeaseSpec {
  std::optional<std::string> holder_identity;
  std::optional<std::int32_t> lease_duration_seconds;
  std::optional<TimePoint> acquire_time;
  std::optional<TimePoint> renew_time;
  std::optional<std::int32_t> lease_transitions;
  Extras extras;

  bool operator==(const LeaseSpec&) const = default;
};

/// coordination.k8s.io/v1 Lease.
struct Lease {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  LeaseSpec spec;
  Extras extras;

  bool operator==(const Lease&) const = default;
};

DecodeResult from_json_value(const JsonValue& json, LeaseSpec& out);
DecodeResult from_json_value(const JsonValue& json, Lease& out);
JsonValue to_json_value(const LeaseSpec& in, JsonAllocator& alloc);
JsonValue to_json_value(const Lease& in, JsonAllocator& alloc);

/// Decodes a Lease from untrusted JSON text.
Expected<Lease, ParseError> parse_lease(std::string_view json);
/// Compact JSON of `lease`.
std::string to_json(const Lease& lease);

}  // namespace korder::api
