#pragma once

// Order (core.korder.dev/v1alpha1, namespaced): a standing request for tickets. Field names
// follow DESIGN.md §2. Enumerated fields keep the wire string (see StrategyType and
// RefreshPolicy for the known values) so an unknown value round-trips and validation can
// report it as written. Codec conventions: see json.h.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/extras.h"
#include "korder/api/json_fwd.h"
#include "korder/api/korder_group.h"
#include "korder/api/meta.h"
#include "korder/api/ticket.h"
#include "korder/base/clock.h"

namespace korder::api {

inline constexpr std::string_view kOrderKind = "Order";
inline constexpr std::string_view kOrderListKind = "OrderList";

/// The wire values of `spec.strategy.type`.
struct StrategyType {
  static constexpr std::string_view OneTime = "OneTime";
  static constexpr std::string_view Scheduled = "Scheduled";
  static constexpr std::string_view Recurring = "Recurring";
};

/// The wire values of `spec.strategy.refreshPolicy` (default OnClaim).
struct RefreshPolicy {
  static constexpr std::string_view Always = "Always";
  static constexpr std::string_view OnClaim = "OnClaim";
  static constexpr std::string_view Never = "Never";
};

/// Condition types an order reports.
struct OrderConditionType {
  static constexpr std::string_view Ready = "Ready";
  static constexpr std::string_view Progressing = "Progressing";
  static constexpr std::string_view QuotaExceeded = "QuotaExceeded";
};

/// `spec.strategy`. `schedule` is a cron expression (required for Scheduled and Recurring),
/// `time_zone` an IANA zone name (empty: UTC).
struct OrderStrategy {
  std::string type;  // StrategyType
  std::string schedule;
  std::string time_zone;
  std::string refresh_policy;  // RefreshPolicy
  Extras extras;

  /// `refresh_policy`, or OnClaim when it is empty (the API default; not written back).
  std::string_view effective_refresh_policy() const {
    return refresh_policy.empty() ? RefreshPolicy::OnClaim : std::string_view(refresh_policy);
  }

  bool operator==(const OrderStrategy&) const = default;
};

/// `spec.template.metadata`: labels and annotations copied to every ticket.
struct TicketTemplateMetadata {
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  Extras extras;

  bool operator==(const TicketTemplateMetadata&) const = default;
};

/// `spec.template`: what each ticket of the order looks like.
struct TicketTemplate {
  TicketTemplateMetadata metadata;
  TicketSpec spec;
  Extras extras;

  bool operator==(const TicketTemplate&) const = default;
};

/// An order's spec. `replicas` stays absent when the user left it out (0 is kept as 0);
/// effective_replicas() applies the default.
struct OrderSpec {
  std::optional<std::int32_t> replicas;
  std::optional<bool> paused;
  std::optional<bool> daemon_set;  // JSON `daemonSet`
  OrderStrategy strategy;
  TicketTemplate template_;  // JSON `template`
  Extras extras;

  /// `replicas`, or 1 when absent (the API default; not written back).
  std::int32_t effective_replicas() const { return replicas.value_or(1); }

  bool operator==(const OrderSpec&) const = default;
};

/// `status.slots[]`: the durable memory of one slot (`r<index>` or `n-<hash>`), since
/// finished tickets may be TTL-deleted.
struct OrderSlotStatus {
  std::string slot;
  std::int64_t incarnation = 0;
  std::string phase;  // TicketPhase of the slot's current ticket
  Extras extras;

  bool operator==(const OrderSlotStatus&) const = default;
};

/// An order's status. The counts are always written (printer columns show 0, not <none>).
struct OrderStatus {
  std::int32_t desired = 0;
  std::int32_t pending = 0;
  std::int32_t ready = 0;
  std::int32_t claimed = 0;
  std::int32_t expired = 0;
  std::optional<TimePoint> last_schedule_time;
  std::optional<TimePoint> next_schedule_time;
  std::vector<OrderSlotStatus> slots;
  std::int64_t observed_generation = 0;
  std::vector<Condition> conditions;
  Extras extras;

  bool operator==(const OrderStatus&) const = default;
};

/// Order (`core.korder.dev/v1alpha1`).
struct Order {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  OrderSpec spec;
  OrderStatus status;
  Extras extras;

  bool operator==(const Order&) const = default;
};

DecodeResult from_json_value(const JsonValue& json, OrderStrategy& out);
DecodeResult from_json_value(const JsonValue& json, TicketTemplateMetadata& out);
DecodeResult from_json_value(const JsonValue& json, TicketTemplate& out);
DecodeResult from_json_value(const JsonValue& json, OrderSpec& out);
DecodeResult from_json_value(const JsonValue& json, OrderSlotStatus& out);
DecodeResult from_json_value(const JsonValue& json, OrderStatus& out);
DecodeResult from_json_value(const JsonValue& json, Order& out);

JsonValue to_json_value(const OrderStrategy& in, JsonAllocator& alloc);
JsonValue to_json_value(const TicketTemplateMetadata& in, JsonAllocator& alloc);
JsonValue to_json_value(const TicketTemplate& in, JsonAllocator& alloc);
JsonValue to_json_value(const OrderSpec& in, JsonAllocator& alloc);
JsonValue to_json_value(const OrderSlotStatus& in, JsonAllocator& alloc);
JsonValue to_json_value(const OrderStatus& in, JsonAllocator& alloc);
JsonValue to_json_value(const Order& in, JsonAllocator& alloc);

/// Decodes an Order from untrusted JSON text.
Expected<Order, ParseError> parse_order(std::string_view json);
/// Compact JSON of `order`.
std::string to_json(const Order& order);

/// The paths of members kept as extras anywhere inside `spec` and `status`, and at the top
/// level (metadata not counted), e.g. `spec.template.spec.foo`: empty when the model covers
/// every field of the input. The CRD drift check decodes a maximal example and expects this
/// to be empty.
std::vector<std::string> unknown_field_paths(const Order& order);

}  // namespace korder::api
