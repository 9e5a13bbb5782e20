#pragma once

// Ticket (core.korder.dev/v1alpha1, namespaced): one slot of held capacity, and TicketSpec,
// which an Order's template shares. Field names follow DESIGN.md §2. Enumerated fields keep
// the wire string (see the *Phase/*Policy structs for the known values) so an unknown value
// round-trips and validation can report it as written. Codec conventions: see json.h.

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
#include "korder/api/resources.h"
#include "korder/api/scheduling.h"
#include "korder/base/clock.h"

namespace korder::api {

inline constexpr std::string_view kTicketKind = "Ticket";
inline constexpr std::string_view kTicketListKind = "TicketList";

/// The wire values of `spec.lifecycle.cleanupPolicy`.
struct CleanupPolicy {
  static constexpr std::string_view Delete = "Delete";
  static constexpr std::string_view Retain = "Retain";
};

/// The wire values of a ticket's `status.phase`.
struct TicketPhase {
  static constexpr std::string_view Pending = "Pending";
  static constexpr std::string_view Ready = "Ready";
  static constexpr std::string_view Claimed = "Claimed";
  static constexpr std::string_view Expired = "Expired";
};

/// Condition types a ticket reports.
struct TicketConditionType {
  /// A claimed pod stayed unschedulable after the guardian was gone (DESIGN.md §3 step 5).
  static constexpr std::string_view HandOffLost = "HandOffLost";
};

/// `spec.window`: when the ticket's validity starts (the cron fire for Scheduled/Recurring
/// orders; absent means the ticket's creation).
struct TicketWindow {
  std::optional<TimePoint> start_time;
  Extras extras;

  bool operator==(const TicketWindow&) const = default;
};

/// `spec.lifecycle`: what happens to a finished (Claimed or Expired) ticket.
struct TicketLifecycle {
  std::optional<std::int32_t> ttl_seconds_after_finished;
  std::string cleanup_policy;  // CleanupPolicy
  Extras extras;

  bool operator==(const TicketLifecycle&) const = default;
};

/// The spec of a Ticket, and of an Order's `spec.template.spec`. `duration` is the user's Go
/// duration text (`24h`); validation parses it.
struct TicketSpec {
  std::string duration;
  std::optional<TicketWindow> window;
  ResourceRequirements resources;
  std::map<std::string, std::string> node_selector;
  std::optional<Affinity> affinity;
  std::vector<Toleration> tolerations;
  std::vector<TopologySpreadConstraint> topology_spread_constraints;
  std::string priority_class_name;
  std::string scheduler_name;
  std::string node_name;
  std::optional<TicketLifecycle> lifecycle;
  Extras extras;

  bool operator==(const TicketSpec&) const = default;
};

/// `status.claim`: the claim the admission webhook records (DESIGN.md §3). At admission a pod
/// made from generateName has no name and no uid yet, so the claim records a random token,
/// the pod's namespace and its name or generateName; the ticket controller fills `pod_name`
/// and `pod_uid` when it sees the pod.
struct TicketClaim {
  std::string token;
  std::string pod_namespace;
  std::string pod_name;
  std::string pod_generate_name;
  std::string pod_uid;  // JSON `podUID`
  std::optional<TimePoint> claimed_at;
  std::optional<TimePoint> deadline;
  Extras extras;

  bool operator==(const TicketClaim&) const = default;
};

/// A ticket's status. `claimed_pod` is `namespace/name`.
struct TicketStatus {
  std::string phase;  // TicketPhase
  std::string node_name;
  std::string guardian_pod;
  std::optional<TimePoint> activation_time;
  std::optional<TimePoint> expiration_time;
  std::optional<TicketClaim> claim;
  std::string claimed_pod;
  std::vector<Condition> conditions;
  std::int64_t observed_generation = 0;
  Extras extras;

  bool operator==(const TicketStatus&) const = default;
};

/// Ticket (`core.korder.dev/v1alpha1`).
struct Ticket {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  TicketSpec spec;
  TicketStatus status;
  Extras extras;

  bool operator==(const Ticket&) const = default;
};

DecodeResult from_json_value(const JsonValue& json, TicketWindow& out);
DecodeResult from_json_value(const JsonValue& json, TicketLifecycle& out);
DecodeResult from_json_value(const JsonValue& json, TicketSpec& out);
DecodeResult from_json_value(const JsonValue& json, TicketClaim& out);
DecodeResult from_json_value(const JsonValue& json, TicketStatus& out);
DecodeResult from_json_value(const JsonValue& json, Ticket& out);

JsonValue to_json_value(const TicketWindow& in, JsonAllocator& alloc);
JsonValue to_json_value(const TicketLifecycle& in, JsonAllocator& alloc);
JsonValue to_json_value(const TicketSpec& in, JsonAllocator& alloc);
JsonValue to_json_value(const TicketClaim& in, JsonAllocator& alloc);
JsonValue to_json_value(const TicketStatus& in, JsonAllocator& alloc);
JsonValue to_json_value(const Ticket& in, JsonAllocator& alloc);

/// Decodes a Ticket from untrusted JSON text.
Expected<Ticket, ParseError> parse_ticket(std::string_view json);
/// Compact JSON of `ticket`.
std::string to_json(const Ticket& ticket);

/// The paths of members kept as extras anywhere inside `spec` and `status`, and at the top
/// level (metadata not counted), e.g. `spec.lifecycle.foo`: empty when the model covers every
/// field of the input.
/// The CRD drift check decodes a maximal example and expects this to be empty.
std::vector<std::string> unknown_field_paths(const Ticket& ticket);

}  // namespace korder::api
