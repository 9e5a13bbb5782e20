#pragma once

// apimachinery's metav1 types: TypeMeta, ObjectMeta, ListMeta, Condition, and the JSON codec
// of LabelSelector. Codec conventions: see json.h.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/extras.h"
#include "korder/api/json_fwd.h"
#include "korder/api/label_selector.h"
#include "korder/base/clock.h"

namespace korder::api {

/// metav1.TypeMeta: what an object is. Objects carry these two fields directly
/// (`order.api_version`, `order.kind`); decoding TypeMeta alone from an object's JSON tells
/// which kind it is (other members are ignored).
struct TypeMeta {
  std::string api_version;
  std::string kind;

  bool operator==(const TypeMeta&) const = default;
};

/// metav1.OwnerReference.
struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  std::optional<bool> controller;
  std::optional<bool> block_owner_deletion;
  Extras extras;

  bool operator==(const OwnerReference&) const = default;
};

/// metav1.ObjectMeta. `managedFields` and other members korder does not use stay in `extras`.
struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_;  // JSON `namespace`
  std::string uid;
  std::string resource_version;
  std::optional<std::int64_t> generation;
  std::optional<TimePoint> creation_timestamp;
  std::optional<TimePoint> deletion_timestamp;
  std::optional<std::int64_t> deletion_grace_period_seconds;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<OwnerReference> owner_references;
  std::vector<std::string> finalizers;
  Extras extras;

  bool operator==(const ObjectMeta&) const = default;
};

/// metav1.ListMeta.
struct ListMeta {
  std::string resource_version;
  std::string continue_;  // JSON `continue`
  std::optional<std::int64_t> remaining_item_count;
  Extras extras;

  bool operator==(const ListMeta&) const = default;
};

/// The wire values of a condition's `status`. The struct fields keep the string as written,
/// so an unknown value round-trips and validation can report it.
struct ConditionStatus {
  static constexpr std::string_view True = "True";
  static constexpr std::string_view False = "False";
  static constexpr std::string_view Unknown = "Unknown";
};

/// metav1.Condition, the shape of Order, Ticket and Quota status conditions.
struct Condition {
  std::string type;
  std::string status;  // ConditionStatus
  std::optional<std::int64_t> observed_generation;
  std::optional<TimePoint> last_transition_time;
  std::string reason;
  std::string message;
  Extras extras;

  bool operator==(const Condition&) const = default;
};

DecodeResult from_json_value(const JsonValue& json, TypeMeta& out);
DecodeResult from_json_value(const JsonValue& json, OwnerReference& out);
DecodeResult from_json_value(const JsonValue& json, ObjectMeta& out);
DecodeResult from_json_value(const JsonValue& json, ListMeta& out);
DecodeResult from_json_value(const JsonValue& json, Condition& out);
/// metav1.LabelSelector: `matchLabels`, `matchExpressions` [{key, operator, values}].
/// Unknown members are dropped (the type has no others).
DecodeResult from_json_value(const JsonValue& json, LabelSelector& out);
DecodeResult from_json_value(const JsonValue& json, LabelSelectorRequirement& out);

/// Writes only the two members that are set.
JsonValue to_json_value(const TypeMeta& in, JsonAllocator& alloc);
JsonValue to_json_value(const OwnerReference& in, JsonAllocator& alloc);
JsonValue to_json_value(const ObjectMeta& in, JsonAllocator& alloc);
JsonValue to_json_value(const ListMeta& in, JsonAllocator& alloc);
JsonValue to_json_value(const Condition& in, JsonAllocator& alloc);
/// An empty selector is written as `{}` (it matches everything, unlike an absent one).
JsonValue to_json_value(const LabelSelector& in, JsonAllocator& alloc);
JsonValue to_json_value(const LabelSelectorRequirement& in, JsonAllocator& alloc);

/// Decodes just `apiVersion` and `kind` from an object's JSON text.
Expected<TypeMeta, ParseError> parse_type_meta(std::string_view json);

}  // namespace korder::api
