#pragma once

// The subset of core/v1 Pod that korder reads and writes: containers' names, images and
// resources, the scheduling fields, and the status the hand-off watches. Everything else
// (volumes, env, probes, container statuses, ...) is kept in `extras` and written back.
// Codec conventions: see json.h.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/extras.h"
#include "korder/api/json_fwd.h"
#include "korder/api/meta.h"
#include "korder/api/resources.h"
#include "korder/api/scheduling.h"
#include "korder/base/clock.h"

namespace korder::api {

/// The wire values of a pod's `status.phase`.
struct PodPhase {
  static constexpr std::string_view Pending = "Pending";
  static constexpr std::string_view Running = "Running";
  static constexpr std::string_view Succeeded = "Succeeded";
  static constexpr std::string_view Failed = "Failed";
  static constexpr std::string_view Unknown = "Unknown";
};

/// core/v1 Container (and init container). An init container with `restartPolicy: Always`
/// is a sidecar: its requests add to the pod's for its whole life.
struct Container {
  std::string name;
  std::string image;
  ResourceRequirements resources;
  std::string restart_policy;
  Extras extras;

  bool operator==(const Container&) const = default;
};

/// core/v1 PodSchedulingGate.
struct PodSchedulingGate {
  std::string name;
  Extras extras;

  bool operator==(const PodSchedulingGate&) const = default;
};

/// core/v1 PodSpec (subset).
struct PodSpec {
  std::vector<Container> init_containers;
  std::vector<Container> containers;
  std::string restart_policy;
  std::optional<std::int64_t> termination_grace_period_seconds;
  std::map<std::string, std::string> node_selector;
  std::string service_account_name;
  std::optional<bool> automount_service_account_token;
  std::string node_name;
  std::optional<Affinity> affinity;
  std::string scheduler_name;
  std::vector<Toleration> tolerations;
  std::string priority_class_name;
  std::optional<std::int32_t> priority;
  std::string preemption_policy;
  ResourceList overhead;
  std::vector<TopologySpreadConstraint> topology_spread_constraints;
  std::vector<PodSchedulingGate> scheduling_gates;
  Extras extras;

  bool operator==(const PodSpec&) const = default;
};

/// core/v1 PodCondition.
struct PodCondition {
  std::string type;
  std::string status;  // ConditionStatus
  std::optional<TimePoint> last_probe_time;
  std::optional<TimePoint> last_transition_time;
  std::string reason;
  std::string message;
  Extras extras;

  bool operator==(const PodCondition&) const = default;
};

/// core/v1 PodStatus (subset).
struct PodStatus {
  std::string phase;  // PodPhase
  std::vector<PodCondition> conditions;
  std::string message;
  std::string reason;
  std::string nominated_node_name;
  std::string host_ip;  // JSON `hostIP`
  std::string pod_ip;   // JSON `podIP`
  std::optional<TimePoint> start_time;
  Extras extras;

  bool operator==(const PodStatus&) const = default;
};

/// core/v1 Pod.
struct Pod {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  PodSpec spec;
  PodStatus status;
  Extras extras;

  bool operator==(const Pod&) const = default;
};

DecodeResult from_json_value(const JsonValue& json, Container& out);
DecodeResult from_json_value(const JsonValue& json, PodSchedulingGate& out);
DecodeResult from_json_value(const JsonValue& json, PodSpec& out);
DecodeResult from_json_value(const JsonValue& json, PodCondition& out);
DecodeResult from_json_value(const JsonValue& json, PodStatus& out);
DecodeResult from_json_value(const JsonValue& json, Pod& out);

JsonValue to_json_value(const Container& in, JsonAllocator& alloc);
JsonValue to_json_value(const PodSchedulingGate& in, JsonAllocator& alloc);
JsonValue to_json_value(const PodSpec& in, JsonAllocator& alloc);
JsonValue to_json_value(const PodCondition& in, JsonAllocator& alloc);
JsonValue to_json_value(const PodStatus& in, JsonAllocator& alloc);
JsonValue to_json_value(const Pod& in, JsonAllocator& alloc);

/// Decodes a Pod from untrusted JSON text (see parse_json for the limits).
Expected<Pod, ParseError> parse_pod(std::string_view json);
/// Compact JSON of `pod`.
std::string to_json(const Pod& pod);

}  // namespace korder::api
