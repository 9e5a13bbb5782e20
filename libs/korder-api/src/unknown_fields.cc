#include "unknown_fields.h"

#include "korder/api/json.h"

namespace korder::api {

void append_unknown(const Extras& extras, const std::string& path, PathList& out) {
  append_extras_paths(extras, path, out);
}

void append_unknown(const Condition& value, const std::string& path, PathList& out) {
  append_unknown(value.extras, path, out);
}

void append_unknown(const ResourceRequirements& value, const std::string& path, PathList& out) {
  append_unknown(value.extras, path, out);
}

void append_unknown(const NodeSelectorRequirement& value, const std::string& path, PathList& out) {
  append_unknown(value.extras, path, out);
}

void append_unknown(const NodeSelectorTerm& value, const std::string& path, PathList& out) {
  append_unknown(value.match_expressions, path + ".matchExpressions", out);
  append_unknown(value.match_fields, path + ".matchFields", out);
  append_unknown(value.extras, path, out);
}

void append_unknown(const NodeSelector& value, const std::string& path, PathList& out) {
  append_unknown(value.node_selector_terms, path + ".nodeSelectorTerms", out);
  append_unknown(value.extras, path, out);
}

void append_unknown(const PreferredSchedulingTerm& value, const std::string& path, PathList& out) {
  append_unknown(value.preference, path + ".preference", out);
  append_unknown(value.extras, path, out);
}

void append_unknown(const NodeAffinity& value, const std::string& path, PathList& out) {
  append_unknown(value.required_during_scheduling_ignored_during_execution,
                 path + ".requiredDuringSchedulingIgnoredDuringExecution", out);
  append_unknown(value.preferred_during_scheduling_ignored_during_execution,
                 path + ".preferredDuringSchedulingIgnoredDuringExecution", out);
  append_unknown(value.extras, path, out);
}

void append_unknown(const Affinity& value, const std::string& path, PathList& out) {
  append_unknown(value.node_affinity, path + ".nodeAffinity", out);
  append_unknown(value.extras, path, out);
}

void append_unknown(const Toleration& value, const std::string& path, PathList& out) {
  append_unknown(value.extras, path, out);
}

void append_unknown(const TopologySpreadConstraint& value, const std::string& path, PathList& out) {
  append_unknown(value.extras, path, out);
}

void append_unknown(const TicketSpec& value, const std::string& path, PathList& out) {
  append_unknown(value.window ? value.window->extras : Extras(), path + ".window", out);
  append_unknown(value.resources, path + ".resources", out);
  append_unknown(value.affinity, path + ".affinity", out);
  append_unknown(value.tolerations, path + ".tolerations", out);
  append_unknown(value.topology_spread_constraints, path + ".topologySpreadConstraints", out);
  append_unknown(value.lifecycle ? value.lifecycle->extras : Extras(), path + ".lifecycle", out);
  append_unknown(value.extras, path, out);
}

}  // namespace korder::api
