#pragma once

#include <map>
#include <string>
#include <vector>

namespace korder::api {

/// metav1.LabelSelectorRequirement. `op` keeps the wire spelling (`In`, `NotIn`, `Exists`,
/// `DoesNotExist`) so validation can report an unsupported value as the user wrote it.
struct LabelSelectorRequirement {
  std::string key;
  std::string op;
  std::vector<std::string> values;

  bool operator==(const LabelSelectorRequirement&) const = default;
};

/// metav1.LabelSelector (the struct form). An empty selector matches everything; an absent
/// one (std::optional without value, where the API allows absence) matches nothing.
struct LabelSelector {
  std::map<std::string, std::string> match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;

  bool operator==(const LabelSelector&) const = default;
};

}  // namespace korder::api
