#pragma once

// Quota (core.korder.dev/v1alpha1, cluster-scoped): limits on what a scope of namespaces may
// hold. Field names follow DESIGN.md §2. `hard`/`used` values are kept as the text the user
// wrote (int-or-string: `orders: 10` and `orders: "10"` both give "10"), because one map holds
// quantities and counts alongside `max-duration`, a Go duration; the quota code interprets
// them. Codec conventions: see json.h.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/extras.h"
#include "korder/api/json_fwd.h"
#include "korder/api/korder_group.h"
#include "korder/api/label_selector.h"
#include "korder/api/meta.h"

namespace korder::api {

inline constexpr std::string_view kQuotaKind = "Quota";
inline constexpr std::string_view kQuotaListKind = "QuotaList";

/// The wire values of `spec.scope.type`.
struct QuotaScopeType {
  static constexpr std::string_view Cluster = "Cluster";
  static constexpr std::string_view NamespaceSelector = "NamespaceSelector";
  static constexpr std::string_view NamespaceList = "NamespaceList";
  static constexpr std::string_view ObjectSelector = "ObjectSelector";
};

/// The keys of a quota's `hard` map (besides `reserved.<extended resource>`).
struct QuotaResourceName {
  static constexpr std::string_view Orders = "orders";
  static constexpr std::string_view Tickets = "tickets";
  static constexpr std::string_view ReservedCpu = "reserved.cpu";
  static constexpr std::string_view ReservedMemory = "reserved.memory";
  static constexpr std::string_view MaxDuration = "max-duration";
  /// `reserved.` + a resource name (`reserved.nvidia.com/gpu`).
  static constexpr std::string_view ReservedPrefix = "reserved.";
};

/// Limit maps: key → the value's text (see the file comment).
using QuotaLimits = std::map<std::string, std::string>;

/// `spec.scope`: which objects the quota covers.
struct QuotaScope {
  std::string type;  // QuotaScopeType
  std::optional<LabelSelector> namespace_selector;
  std::vector<std::string> namespaces;
  std::optional<LabelSelector> object_selector;
  Extras extras;

  bool operator==(const QuotaScope&) const = default;
};

/// `spec.timeWindows[]`: while a window is open its `hard` replaces the keys it lists, or
/// `multiplier` (decimal text such as "1.5"; a JSON number is kept as its text) scales them.
struct QuotaTimeWindow {
  std::string name;
  std::string schedule;
  std::string duration;
  std::string time_zone;
  QuotaLimits hard;
  std::string multiplier;
  Extras extras;

  bool operator==(const QuotaTimeWindow&) const = default;
};

/// `spec.allocations[]`: a sub-limit for one namespace.
struct QuotaAllocation {
  std::string namespace_;  // JSON `namespace`
  QuotaLimits hard;
  Extras extras;

  bool operator==(const QuotaAllocation&) const = default;
};

/// A quota's spec.
struct QuotaSpec {
  QuotaScope scope;
  QuotaLimits hard;
  std::vector<QuotaTimeWindow> time_windows;
  std::vector<QuotaAllocation> allocations;
  Extras extras;

  bool operator==(const QuotaSpec&) const = default;
};

/// `status.allocations[]`.
struct QuotaAllocationStatus {
  std::string namespace_;  // JSON `namespace`
  QuotaLimits hard;
  QuotaLimits used;
  Extras extras;

  bool operator==(const QuotaAllocationStatus&) const = default;
};

/// A quota's status: `hard` is the effective limit now (time windows applied).
struct QuotaStatus {
  QuotaLimits hard;
  QuotaLimits used;
  std::string active_time_window;
  std::vector<QuotaAllocationStatus> allocations;
  std::vector<Condition> conditions;
  std::int64_t observed_generation = 0;
  Extras extras;

  bool operator==(const QuotaStatus&) const = default;
};

/// Quota (`core.korder.dev/v1alpha1`, cluster-scoped).
struct Quota {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  QuotaSpec spec;
  QuotaStatus status;
  Extras extras;

  bool operator==(const Quota&) const = default;
};

DecodeResult from_json_value(const JsonValue& json, QuotaScope& out);
DecodeResult from_json_value(const JsonValue& json, QuotaTimeWindow& out);
DecodeResult from_json_value(const JsonValue& json, QuotaAllocation& out);
DecodeResult from_json_value(const JsonValue& json, QuotaSpec& out);
DecodeResult from_json_value(const JsonValue& json, QuotaAllocationStatus& out);
DecodeResult from_json_value(const JsonValue& json, QuotaStatus& out);
DecodeResult from_json_value(const JsonValue& json, Quota& out);

JsonValue to_json_value(const QuotaScope& in, JsonAllocator& alloc);
JsonValue to_json_value(const QuotaTimeWindow& in, JsonAllocator& alloc);
JsonValue to_json_value(const QuotaAllocation& in, JsonAllocator& alloc);
JsonValue to_json_value(const QuotaSpec& in, JsonAllocator& alloc);
JsonValue to_json_value(const QuotaAllocationStatus& in, JsonAllocator& alloc);
JsonValue to_json_value(const QuotaStatus& in, JsonAllocator& alloc);
JsonValue to_json_value(const Quota& in, JsonAllocator& alloc);

/// Decodes a Quota from untrusted JSON text.
Expected<Quota, ParseError> parse_quota(std::string_view json);
/// Compact JSON of `quota`.
std::string to_json(const Quota& quota);

/// The paths of members kept as extras anywhere inside `spec` and `status`, and at the top
/// level (metadata not counted), e.g. `spec.timeWindows[0].foo`: empty when the model
/// covers every field of the input.
std::vector<std::string> unknown_field_paths(const Quota& quota);

}  // namespace korder::api
