#pragma once

// Private: walkers behind unknown_field_paths(). Each appends `<path>.<member>` for every
// member kept in extras anywhere inside a value, so the CRD drift check can see which fields
// of an input the model does not cover.

#include <optional>
#include <string>
#include <vector>

#include "korder/api/extras.h"
#include "korder/api/meta.h"
#include "korder/api/resources.h"
#include "korder/api/scheduling.h"
#include "korder/api/ticket.h"

namespace korder::api {

using PathList = std::vector<std::string>;

void append_unknown(const Extras& extras, const std::string& path, PathList& out);
void append_unknown(const Condition& value, const std::string& path, PathList& out);
void append_unknown(const ResourceRequirements& value, const std::string& path, PathList& out);
void append_unknown(const NodeSelectorRequirement& value, const std::string& path, PathList& out);
void append_unknown(const NodeSelectorTerm& value, const std::string& path, PathList& out);
void append_unknown(const NodeSelector& value, const std::string& path, PathList& out);
void append_unknown(const PreferredSchedulingTerm& value, const std::string& path, PathList& out);
void append_unknown(const NodeAffinity& value, const std::string& path, PathList& out);
void append_unknown(const Affinity& value, const std::string& path, PathList& out);
void append_unknown(const Toleration& value, const std::string& path, PathList& out);
void append_unknown(const TopologySpreadConstraint& value, const std::string& path, PathList& out);
void append_unknown(const TicketSpec& value, const std::string& path, PathList& out);

template <typename T>
void append_unknown(const std::optional<T>& value, const std::string& path, PathList& out) {
  if (value.has_value()) {
    append_unknown(*value, path, out);
  }
}

template <typename T>
void append_unknown(const std::vector<T>& values, const std::string& path, PathList& out) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    append_unknown(values[i], path + "[" + std::to_string(i) + "]", out);
  }
}

}  // namespace korder::api
