#pragma once

// The subset of core/v1 Node that korder reads: schedulability, taints, allocatable
// resources and conditions. Everything else stays in `extras`. Codec conventions: see json.h.

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

/// core/v1 NodeSpec (subset; `podCIDR`, `providerID`, ... stay in extras).
struct NodeSpec {
  std::optional<bool> unschedulable;
  std::vector<Taint> taints;
  Extras extras;

  bool operator==(const NodeSpec&) const = default;
};

/// core/v1 NodeCondition (`Ready`, `MemoryPressure`, ...).
struct NodeCondition {
  std::string type;
  std::string status;  // ConditionStatus
  std::optional<TimePoint> last_heartbeat_time;
  std::optional<TimePoint> last_transition_time;
  std::string reason;
  std::string message;
  Extras extras;

  bool operator==(const NodeCondition&) const = default;
};

/// core/v1 NodeStatus (subset; addresses, nodeInfo, images, ... stay in extras).
struct NodeStatus {
  ResourceList capacity;
  ResourceList allocatable;
  std::vector<NodeCondition> conditions;
  Extras extras;

  bool operator==(const NodeStatus&) const = default;
};

/// core/v1 Node.
struct Node {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  NodeSpec spec;
  NodeStatus status;
  Extras extras;

  bool operator==(const Node&) const = default;
};

DecodeResult from_json_value(const JsonValue& json, NodeSpec& out);
DecodeResult from_json_value(const JsonValue& json, NodeCondition& out);
DecodeResult from_json_value(const JsonValue& json, NodeStatus& out);
DecodeResult from_json_value(const JsonValue& json, Node& out);

JsonValue to_json_value(const NodeSpec& in, JsonAllocator& alloc);
JsonValue to_json_value(const NodeCondition& in, JsonAllocator& alloc);
JsonValue to_json_value(const NodeStatus& in, JsonAllocator& alloc);
JsonValue to_json_value(const Node& in, JsonAllocator& alloc);

/// Decodes a Node from untrusted JSON text.
Expected<Node, ParseError> parse_node(std::string_view json);
/// Compact JSON of `node`.
std::string to_json(const Node& node);

}  // namespace korder::api
