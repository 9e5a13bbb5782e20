#pragma once

// The core/v1 scheduling constraints shared by pods and korder tickets: node selector terms,
// node affinity, affinity, tolerations, taints, topology spread constraints. Operators and
// effects keep their wire spelling (`In`, `Gt`, `Exists`, `NoSchedule`) so validation can
// report an unsupported value as written. Codec conventions: see json.h.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "korder/api/extras.h"
#include "korder/api/json_fwd.h"
#include "korder/api/label_selector.h"
#include "korder/base/clock.h"

namespace korder::api {

/// core/v1 NodeSelectorRequirement: `operator` is `In`, `NotIn`, `Exists`, `DoesNotExist`,
/// `Gt` or `Lt`.
struct NodeSelectorRequirement {
  std::string key;
  std::string op;  // JSON `operator`
  std::vector<std::string> values;
  Extras extras;

  bool operator==(const NodeSelectorRequirement&) const = default;
};

/// core/v1 NodeSelectorTerm: the AND of its requirements on labels and on fields
/// (`metadata.name`).
struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> match_expressions;
  std::vector<NodeSelectorRequirement> match_fields;
  Extras extras;

  bool operator==(const NodeSelectorTerm&) const = default;
};

/// core/v1 NodeSelector: the OR of its terms.
struct NodeSelector {
  std::vector<NodeSelectorTerm> node_selector_terms;
  Extras extras;

  bool operator==(const NodeSelector&) const = default;
};

/// core/v1 PreferredSchedulingTerm.
struct PreferredSchedulingTerm {
  std::int32_t weight = 0;
  NodeSelectorTerm preference;
  Extras extras;

  bool operator==(const PreferredSchedulingTerm&) const = default;
};

/// core/v1 NodeAffinity.
struct NodeAffinity {
  std::optional<NodeSelector> required_during_scheduling_ignored_during_execution;
  std::vector<PreferredSchedulingTerm> preferred_during_scheduling_ignored_during_execution;
  Extras extras;

  bool operator==(const NodeAffinity&) const = default;
};

/// core/v1 Affinity. Pod (anti-)affinity is kept verbatim: korder passes it through to
/// guardian pods but never evaluates it.
struct Affinity {
  std::optional<NodeAffinity> node_affinity;
  RawJson pod_affinity;
  RawJson pod_anti_affinity;
  Extras extras;

  bool operator==(const Affinity&) const = default;
};

/// core/v1 Toleration: `operator` is `Exists` or `Equal` (empty means Equal), `effect` is
/// `NoSchedule`, `PreferNoSchedule`, `NoExecute` or empty (all effects).
struct Toleration {
  std::string key;
  std::string op;  // JSON `operator`
  std::string value;
  std::string effect;
  std::optional<std::int64_t> toleration_seconds;
  Extras extras;

  bool operator==(const Toleration&) const = default;
};

/// core/v1 Taint (on a node's spec).
struct Taint {
  std::string key;
  std::string value;
  std::string effect;
  std::optional<TimePoint> time_added;
  Extras extras;

  bool operator==(const Taint&) const = default;
};

/// core/v1 TopologySpreadConstraint. `whenUnsatisfiable` is `DoNotSchedule` or
/// `ScheduleAnyway`; the node policies are `Honor` or `Ignore` (empty when absent).
struct TopologySpreadConstraint {
  std::int32_t max_skew = 0;
  std::string topology_key;
  std::string when_unsatisfiable;
  std::optional<LabelSelector> label_selector;
  std::optional<std::int32_t> min_domains;
  std::string node_affinity_policy;
  std::string node_taints_policy;
  std::vector<std::string> match_label_keys;
  Extras extras;

  bool operator==(const TopologySpreadConstraint&) const = default;
};

DecodeResult from_json_value(const JsonValue& json, NodeSelectorRequirement& out);
DecodeResult from_json_value(const JsonValue& json, NodeSelectorTerm& out);
DecodeResult from_json_value(const JsonValue& json, NodeSelector& out);
DecodeResult from_json_value(const JsonValue& json, PreferredSchedulingTerm& out);
DecodeResult from_json_value(const JsonValue& json, NodeAffinity& out);
DecodeResult from_json_value(const JsonValue& json, Affinity& out);
DecodeResult from_json_value(const JsonValue& json, Toleration& out);
DecodeResult from_json_value(const JsonValue& json, Taint& out);
DecodeResult from_json_value(const JsonValue& json, TopologySpreadConstraint& out);

JsonValue to_json_value(const NodeSelectorRequirement& in, JsonAllocator& alloc);
JsonValue to_json_value(const NodeSelectorTerm& in, JsonAllocator& alloc);
JsonValue to_json_value(const NodeSelector& in, JsonAllocator& alloc);
JsonValue to_json_value(const PreferredSchedulingTerm& in, JsonAllocator& alloc);
JsonValue to_json_value(const NodeAffinity& in, JsonAllocator& alloc);
JsonValue to_json_value(const Affinity& in, JsonAllocator& alloc);
JsonValue to_json_value(const Toleration& in, JsonAllocator& alloc);
JsonValue to_json_value(const Taint& in, JsonAllocator& alloc);
JsonValue to_json_value(const TopologySpreadConstraint& in, JsonAllocator& alloc);

}  // namespace korder::api
