// Scheduling constraints of a ticket spec, following Kubernetes' pod validation
// (pkg/apis/core/validation, 1.28): node affinity, tolerations, topology spread constraints.
// A ticket's constraints become its guardian pod's, so what Kubernetes would reject there is
// rejected here, at admission. Where korder is stricter than Kubernetes 1.28 the rule says why.

#include <charconv>
#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "korder/api/field_errors.h"
#include "korder/api/names.h"
#include "korder/api/validation.h"
#include "validation_internal.h"

namespace korder::api::internal {
namespace {

bool is_int64(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return !text.empty() && ec == std::errc() && ptr == end;
}

// ValidateNodeSelectorRequirement (matchExpressions: node labels).
void validate_label_requirement(const NodeSelectorRequirement& req, const std::string& path,
                                FieldErrors& errors) {
  const std::string values_path = child_path(path, "values");
  const bool gt_lt = req.op == "Gt" || req.op == "Lt";
  if (req.op == "In" || req.op == "NotIn") {
    if (req.values.empty()) {
      errors.push_back(
          field_required(values_path, "must be specified when `operator` is 'In' or 'NotIn'"));
    }
  } else if (req.op == "Exists" || req.op == "DoesNotExist") {
    if (!req.values.empty()) {
      errors.push_back(field_forbidden(
          values_path, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    }
  } else if (gt_lt) {
    if (req.values.size() != 1) {
      errors.push_back(field_required(
          values_path, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
    }
  } else {
    errors.push_back(
        field_invalid(child_path(path, "operator"), req.op, "not a valid selector operator"));
  }
  for (const auto& msg : is_qualified_name(req.key)) {
    errors.push_back(field_invalid(child_path(path, "key"), req.key, msg));
  }
  // Stricter than Kubernetes 1.28 (newer releases check label values too): a value that cannot
  // be a label value, or a Gt/Lt bound that is not an integer, can never match a node, so the
  // scheduler would leave the guardian pending forever. Say so now instead.
  const bool takes_values = gt_lt || req.op == "In" || req.op == "NotIn";
  for (std::size_t i = 0; takes_values && i < req.values.size(); ++i) {
    const std::string value_path = index_path(values_path, i);
    for (const auto& msg : is_valid_label_value(req.values[i])) {
      errors.push_back(field_invalid(value_path, req.values[i], msg));
    }
    if (gt_lt && !is_int64(req.values[i])) {
      errors.push_back(field_invalid(value_path, req.values[i],
                                     "for 'Gt', 'Lt' operators, the value must be an integer"));
    }
  }
}

// validateNodeFieldSelectorRequirement (matchFields: only metadata.name, In/NotIn, one value).
void validate_field_requirement(const NodeSelectorRequirement& req, const std::string& path,
                                FieldErrors& errors) {
  if (req.op == "In" || req.op == "NotIn") {
    if (req.values.size() != 1) {
      errors.push_back(field_required(
          child_path(path, "values"),
          "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    }
  } else {
    errors.push_back(
        field_invalid(child_path(path, "operator"), req.op, "not a valid selector operator"));
  }
  if (req.key != "metadata.name") {
    errors.push_back(
        field_invalid(child_path(path, "key"), req.key, "not a valid field selector key"));
    return;
  }
  for (std::size_t i = 0; i < req.values.size(); ++i) {
    for (const auto& msg : is_dns1123_subdomain(req.values[i])) {
      errors.push_back(
          field_invalid(index_path(child_path(path, "values"), i), req.values[i], msg));
    }
  }
}

void validate_node_selector_term(const NodeSelectorTerm& term, const std::string& path,
                                 FieldErrors& errors) {
  for (std::size_t i = 0; i < term.match_expressions.size(); ++i) {
    validate_label_requirement(term.match_expressions[i],
                               index_path(child_path(path, "matchExpressions"), i), errors);
  }
  for (std::size_t i = 0; i < term.match_fields.size(); ++i) {
    validate_field_requirement(term.match_fields[i], index_path(child_path(path, "matchFields"), i),
                               errors);
  }
}

// validateMatchLabelKeysInTopologySpread (1.28).
void validate_match_label_keys(const TopologySpreadConstraint& constraint, const std::string& path,
                               FieldErrors& errors) {
  if (constraint.match_label_keys.empty()) {
    return;
  }
  std::set<std::string> selector_keys;
  if (constraint.label_selector) {
    for (const auto& entry : constraint.label_selector->match_labels) {
      selector_keys.insert(entry.first);
    }
    for (const auto& expression : constraint.label_selector->match_expressions) {
      selector_keys.insert(expression.key);
    }
  } else {
    errors.push_back(field_forbidden(path, "must not be specified when labelSelector is not set"));
  }
  for (std::size_t i = 0; i < constraint.match_label_keys.size(); ++i) {
    const std::string& key = constraint.match_label_keys[i];
    for (const auto& msg : is_qualified_name(key)) {
      errors.push_back(field_invalid(index_path(path, i), key, msg));
    }
    if (selector_keys.count(key) > 0) {
      errors.push_back(field_invalid(index_path(path, i), key,
                                     "exists in both matchLabelKeys and labelSelector"));
    }
  }
}

void validate_node_inclusion_policy(std::string_view policy, const std::string& path,
                                    FieldErrors& errors) {
  if (!policy.empty() && policy != "Honor" && policy != "Ignore") {
    errors.push_back(field_not_supported(path, policy, {"Honor", "Ignore"}));
  }
}

void validate_topology_spread_constraint(const std::vector<TopologySpreadConstraint>& all,
                                         std::size_t index, const std::string& path,
                                         FieldErrors& errors) {
  const TopologySpreadConstraint& constraint = all[index];
  if (constraint.max_skew <= 0) {
    errors.push_back(field_invalid_int(child_path(path, "maxSkew"), constraint.max_skew,
                                       kIsNotPositiveErrorMsg));
  }
  const std::string key_field = child_path(path, "topologyKey");
  if (constraint.topology_key.empty()) {
    errors.push_back(field_required(key_field, "can not be empty"));
  } else {
    // Newer Kubernetes releases also require a qualified name: the key is a node label key.
    for (const auto& msg : is_qualified_name(constraint.topology_key)) {
      errors.push_back(field_invalid(key_field, constraint.topology_key, msg));
    }
  }
  const std::string& action = constraint.when_unsatisfiable;
  if (action != "DoNotSchedule" && action != "ScheduleAnyway") {
    errors.push_back(field_not_supported(child_path(path, "whenUnsatisfiable"), action,
                                         {"DoNotSchedule", "ScheduleAnyway"}));
  }
  // The tuple {topologyKey, whenUnsatisfiable} names one kind of constraint: reported once, on
  // the first of the duplicates, as Kubernetes does.
  for (std::size_t j = index + 1; j < all.size(); ++j) {
    if (all[j].topology_key == constraint.topology_key &&
        all[j].when_unsatisfiable == constraint.when_unsatisfiable) {
      errors.push_back(field_duplicate(
          child_path(path, "{topologyKey, whenUnsatisfiable}"),
          "{" + constraint.topology_key + ", " + constraint.when_unsatisfiable + "}"));
      break;
    }
  }
  if (constraint.min_domains) {
    const std::string min_path = child_path(path, "minDomains");
    if (*constraint.min_domains <= 0) {
      errors.push_back(
          field_invalid_int(min_path, *constraint.min_domains, kIsNotPositiveErrorMsg));
    }
    if (action != "DoNotSchedule") {
      errors.push_back(field_invalid_int(
          min_path, *constraint.min_domains,
          "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not " + action));
    }
  }
  validate_node_inclusion_policy(constraint.node_affinity_policy,
                                 child_path(path, "nodeAffinityPolicy"), errors);
  validate_node_inclusion_policy(constraint.node_taints_policy,
                                 child_path(path, "nodeTaintsPolicy"), errors);
  validate_match_label_keys(constraint, child_path(path, "matchLabelKeys"), errors);
  if (constraint.label_selector) {
    append_errors(errors, validate_label_selector(*constraint.label_selector,
                                                  child_path(path, "labelSelector")));
  }
}

void validate_toleration(const Toleration& toleration, const std::string& path,
                         FieldErrors& errors) {
  if (!toleration.key.empty()) {
    for (const auto& msg : is_qualified_name(toleration.key)) {
      errors.push_back(field_invalid(child_path(path, "key"), toleration.key, msg));
    }
  }
  const std::string operator_path = child_path(path, "operator");
  // An empty key with operator Exists (and no value) tolerates every taint.
  if (toleration.key.empty() && toleration.op != "Exists") {
    errors.push_back(field_invalid(
        operator_path, toleration.op,
        "operator must be Exists when `key` is empty, which means \"match all values and all "
        "keys\""));
  }
  if (toleration.toleration_seconds && toleration.effect != "NoExecute") {
    errors.push_back(field_invalid(child_path(path, "effect"), toleration.effect,
                                   "effect must be 'NoExecute' when `tolerationSeconds` is set"));
  }
  if (toleration.op.empty() || toleration.op == "Equal") {
    if (auto msgs = is_valid_label_value(toleration.value); !msgs.empty()) {
      std::string joined;
      for (const auto& msg : msgs) {
        joined += (joined.empty() ? "" : ";") + msg;
      }
      errors.push_back(field_invalid(operator_path, toleration.value, joined));
    }
  } else if (toleration.op == "Exists") {
    // Kubernetes prints the whole toleration as the value (Go's %#v of the struct); the value
    // alone says the same in a form users wrote.
    if (!toleration.value.empty()) {
      errors.push_back(field_invalid(operator_path, toleration.value,
                                     "value must be empty when `operator` is 'Exists'"));
    }
  } else {
    errors.push_back(field_not_supported(operator_path, toleration.op, {"Equal", "Exists"}));
  }
  if (!toleration.effect.empty() && toleration.effect != "NoSchedule" &&
      toleration.effect != "PreferNoSchedule" && toleration.effect != "NoExecute") {
    errors.push_back(field_not_supported(child_path(path, "effect"), toleration.effect,
                                         {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
  }
}

}  // namespace

FieldErrors validate_node_affinity(const NodeAffinity& affinity, const std::string& path) {
  FieldErrors errors;
  if (affinity.required_during_scheduling_ignored_during_execution) {
    const std::string terms_path = child_path(
        child_path(path, "requiredDuringSchedulingIgnoredDuringExecution"), "nodeSelectorTerms");
    const auto& terms =
        affinity.required_during_scheduling_ignored_during_execution->node_selector_terms;
    if (terms.empty()) {
      errors.push_back(field_required(terms_path, "must have at least one node selector term"));
    }
    for (std::size_t i = 0; i < terms.size(); ++i) {
      validate_node_selector_term(terms[i], index_path(terms_path, i), errors);
    }
  }
  const std::string preferred_path =
      child_path(path, "preferredDuringSchedulingIgnoredDuringExecution");
  const auto& preferred = affinity.preferred_during_scheduling_ignored_during_execution;
  for (std::size_t i = 0; i < preferred.size(); ++i) {
    const std::string term_path = index_path(preferred_path, i);
    if (preferred[i].weight <= 0 || preferred[i].weight > 100) {
      errors.push_back(field_invalid_int(child_path(term_path, "weight"), preferred[i].weight,
                                         "must be in the range 1-100"));
    }
    validate_node_selector_term(preferred[i].preference, child_path(term_path, "preference"),
                                errors);
  }
  return errors;
}

FieldErrors validate_tolerations(const std::vector<Toleration>& tolerations,
                                 const std::string& path) {
  FieldErrors errors;
  for (std::size_t i = 0; i < tolerations.size(); ++i) {
    validate_toleration(tolerations[i], index_path(path, i), errors);
  }
  return errors;
}

FieldErrors validate_topology_spread_constraints(
    const std::vector<TopologySpreadConstraint>& constraints, const std::string& path) {
  FieldErrors errors;
  for (std::size_t i = 0; i < constraints.size(); ++i) {
    validate_topology_spread_constraint(constraints, i, index_path(path, i), errors);
  }
  return errors;
}

}  // namespace korder::api::internal
