#include "korder/api/scheduling_predicates.h"

#include <limits>
#include <string>
#include <utility>

#include "korder/api/label_selector.h"
#include "korder/api/names.h"

namespace korder::api {
namespace {

constexpr std::string_view kRestartPolicyAlways = "Always";
constexpr std::string_view kConditionReady = "Ready";

// 2^127 - 1, the largest nano count a Quantity holds.
constexpr Int128 kMaxNanos = ((static_cast<Int128>(1) << 126) - 1) * 2 + 1;

// Pod specs come from users (the webhook sees them before validation), so a sum must never
// trip Quantity's overflow check: it saturates at the end of the range in the direction of the
// addend. A saturated request fits nowhere, which is the right answer for such a pod.
Quantity saturating_add(const Quantity& a, const Quantity& b) {
  if (auto sum = a.checked_add(b)) {
    return *sum;
  }
  return Quantity::from_nanos(b.sign() < 0 ? -kMaxNanos : kMaxNanos, a.format());
}

// `addResourceList`: absent keys are copied, present ones summed.
void add_into(ResourceList& into, const ResourceList& add) {
  for (const auto& [name, quantity] : add) {
    auto [it, inserted] = into.try_emplace(name, quantity);
    if (!inserted) {
      it->second = saturating_add(it->second, quantity);
    }
  }
}

// `maxResourceList`: absent keys are copied, present ones raised to the larger value.
void max_into(ResourceList& into, const ResourceList& other) {
  for (const auto& [name, quantity] : other) {
    auto [it, inserted] = into.try_emplace(name, quantity);
    if (!inserted && quantity > it->second) {
      it->second = quantity;
    }
  }
}

bool is_sidecar(const Container& container) {
  return container.restart_policy == kRestartPolicyAlways;
}

std::optional<SelectorOperator> node_selector_operator(std::string_view op) {
  if (auto common = label_selector_operator(op)) {
    return common;
  }
  if (op == "Gt") {
    return SelectorOperator::GreaterThan;
  }
  if (op == "Lt") {
    return SelectorOperator::LessThan;
  }
  return std::nullopt;
}

// `nodeSelectorRequirementsAsSelector` + Matches: nullopt when any expression is invalid (the
// term then matches nothing, as a term with parse errors does in Kubernetes).
std::optional<bool> expressions_match(const std::vector<NodeSelectorRequirement>& expressions,
                                      const std::map<std::string, std::string>& labels) {
  bool all = true;
  for (const auto& expression : expressions) {
    const auto op = node_selector_operator(expression.op);
    if (!op) {
      return std::nullopt;
    }
    auto requirement = make_requirement(expression.key, *op, expression.values);
    if (!requirement) {
      return std::nullopt;
    }
    // Keep validating the rest: an invalid expression anywhere in the term fails the term even
    // when an earlier one already does not match.
    all = all && requirement->matches(labels);
  }
  return all;
}

// `nodeSelectorRequirementsAsFieldSelector` + Matches against the node's field set.
std::optional<bool> fields_match(const std::vector<NodeSelectorRequirement>& fields,
                                 const std::string& node_name) {
  bool all = true;
  for (const auto& field : fields) {
    const bool in = field.op == "In";
    if ((!in && field.op != "NotIn") || field.values.size() != 1) {
      return std::nullopt;
    }
    // The only node field is metadata.name; fields.Set.Get gives "" for any other key.
    const std::string_view actual =
        field.key == kObjectNameField ? std::string_view(node_name) : std::string_view();
    const bool equal = actual == field.values.front();
    all = all && (in ? equal : !equal);
  }
  return all;
}

bool is_prefixed_native_resource(std::string_view name) {
  return name.find("kubernetes.io/") != std::string_view::npos;
}

bool is_extended_resource_name(std::string_view name) {
  const bool native = name.find('/') == std::string_view::npos || is_prefixed_native_resource(name);
  if (native || name.starts_with("requests.")) {
    return false;
  }
  // Kubernetes also requires the quota form `requests.<name>` to be a qualified name.
  return is_qualified_name("requests." + std::string(name)).empty();
}

// The resources the scheduler's Resource type accounts (`Resource.Add`).
bool is_accounted_resource(std::string_view name) {
  return name == kResourceCpu || name == kResourceMemory || name == kResourceEphemeralStorage ||
         is_scalar_resource_name(name);
}

Quantity lookup(const ResourceList& list, std::string_view name) {
  const auto it = list.find(std::string(name));
  return it == list.end() ? Quantity() : it->second;
}

// The fraction (held - wanted) / held in parts per billion, truncated. Precondition:
// 0 < wanted <= held.
std::int64_t fraction_ppb(Int128 held, Int128 wanted) {
  __extension__ using UInt128 = unsigned __int128;
  auto h = static_cast<UInt128>(held);
  auto d = static_cast<UInt128>(held - wanted);
  // CPU-sized amounts (d below ~18 units) fit in 64 bits: the same quotient, without the
  // 128-bit division routine.
  constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();
  if (d <= kMax64 / static_cast<std::uint64_t>(kFitScoreScale) && h <= kMax64) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(d) *
                                     static_cast<std::uint64_t>(kFitScoreScale) /
                                     static_cast<std::uint64_t>(h));
  }
  // Keep d * 1e9 (1e9 < 2^30) below 2^126; only values beyond 2^96 nanos lose low bits.
  constexpr UInt128 kLimit = static_cast<UInt128>(1) << 96;
  while (h > kLimit) {
    h >>= 1;
    d >>= 1;
  }
  return static_cast<std::int64_t>(d * static_cast<UInt128>(kFitScoreScale) / h);
}

}  // namespace

// ---- Effective requests -----------------------------------------------------------------------

ResourceList container_requests(const Container& container) {
  ResourceList requests = container.resources.requests;
  for (const auto& [name, limit] : container.resources.limits) {
    requests.try_emplace(name, limit);
  }
  return requests;
}

ResourceList effective_requests(const PodSpec& spec) {
  ResourceList result;
  for (const auto& container : spec.containers) {
    add_into(result, container_requests(container));
  }
  ResourceList sidecars;
  ResourceList init_requirement;
  for (const auto& container : spec.init_containers) {
    const ResourceList requests = container_requests(container);
    if (is_sidecar(container)) {
      // A sidecar runs for the pod's whole life, so it adds to the regular containers, and the
      // init containers after it run alongside it.
      add_into(result, requests);
      add_into(sidecars, requests);
      max_into(init_requirement, sidecars);
    } else {
      ResourceList in_use = requests;
      add_into(in_use, sidecars);
      max_into(init_requirement, in_use);
    }
  }
  max_into(result, init_requirement);
  add_into(result, spec.overhead);
  return result;
}

// ---- Node selector and node affinity ----------------------------------------------------------

bool node_selector_matches(const std::map<std::string, std::string>& node_selector,
                           const Node& node) {
  const auto& labels = node.metadata.labels;
  for (const auto& [key, value] : node_selector) {
    const auto it = labels.find(key);
    if (it == labels.end() || it->second != value) {
      return false;
    }
  }
  return true;
}

bool node_selector_term_matches(const NodeSelectorTerm& term, const Node& node) {
  if (term.match_expressions.empty() && term.match_fields.empty()) {
    return false;
  }
  // Both parts are parsed before matching: a parse error in either fails the term.
  std::optional<bool> labels_ok = true;
  if (!term.match_expressions.empty()) {
    labels_ok = expressions_match(term.match_expressions, node.metadata.labels);
  }
  std::optional<bool> fields_ok = true;
  if (!term.match_fields.empty()) {
    fields_ok = fields_match(term.match_fields, node.metadata.name);
  }
  if (!labels_ok || !fields_ok || !*labels_ok) {
    return false;
  }
  // A node without a name has an empty field set, and Kubernetes skips matchFields then.
  return node.metadata.name.empty() || *fields_ok;
}

bool node_selector_matches(const NodeSelector& selector, const Node& node) {
  for (const auto& term : selector.node_selector_terms) {
    if (node_selector_term_matches(term, node)) {
      return true;
    }
  }
  return false;
}

bool required_node_affinity_matches(const std::map<std::string, std::string>& node_selector,
                                    const std::optional<Affinity>& affinity, const Node& node) {
  if (!node_selector_matches(node_selector, node)) {
    return false;
  }
  if (!affinity || !affinity->node_affinity ||
      !affinity->node_affinity->required_during_scheduling_ignored_during_execution) {
    return true;
  }
  return node_selector_matches(
      *affinity->node_affinity->required_during_scheduling_ignored_during_execution, node);
}

// ---- Taints and tolerations -------------------------------------------------------------------

bool tolerates_taint(const Toleration& toleration, const Taint& taint) {
  if (!toleration.effect.empty() && toleration.effect != taint.effect) {
    return false;
  }
  if (!toleration.key.empty() && toleration.key != taint.key) {
    return false;
  }
  if (toleration.op.empty() || toleration.op == kTolerationOpEqual) {
    return toleration.value == taint.value;
  }
  return toleration.op == kTolerationOpExists;
}

bool tolerations_tolerate_taint(const std::vector<Toleration>& tolerations, const Taint& taint) {
  for (const auto& toleration : tolerations) {
    if (tolerates_taint(toleration, taint)) {
      return true;
    }
  }
  return false;
}

std::optional<Taint> find_untolerated_taint(const std::vector<Taint>& taints,
                                            const std::vector<Toleration>& tolerations) {
  for (const auto& taint : taints) {
    if (taint.effect != kTaintEffectNoSchedule && taint.effect != kTaintEffectNoExecute) {
      continue;
    }
    if (!tolerations_tolerate_taint(tolerations, taint)) {
      return taint;
    }
  }
  return std::nullopt;
}

std::string untolerated_taint_message(const Taint& taint) {
  return "node(s) had untolerated taint {" + taint.key + ": " + taint.value + "}";
}

bool unschedulable_blocks(const Node& node, const std::vector<Toleration>& tolerations) {
  if (!node.spec.unschedulable.value_or(false)) {
    return false;
  }
  Taint cordon;
  cordon.key = std::string(kTaintNodeUnschedulable);
  cordon.effect = std::string(kTaintEffectNoSchedule);
  return !tolerations_tolerate_taint(tolerations, cordon);
}

// ---- Node state -------------------------------------------------------------------------------

bool node_ready(const Node& node) {
  for (const auto& condition : node.status.conditions) {
    if (condition.type == kConditionReady) {
      return condition.status == ConditionStatus::True;
    }
  }
  return false;
}

// ---- Placement --------------------------------------------------------------------------------

PlacementConstraints placement_constraints(const PodSpec& spec) {
  return PlacementConstraints{spec.node_selector, spec.affinity, spec.tolerations, spec.node_name};
}

PlacementConstraints placement_constraints(const TicketSpec& spec) {
  return PlacementConstraints{spec.node_selector, spec.affinity, spec.tolerations, spec.node_name};
}

Expected<void, std::string> node_admits(const PlacementConstraints& constraints, const Node& node) {
  if (unschedulable_blocks(node, constraints.tolerations)) {
    return Unexpected(std::string(kReasonUnschedulable));
  }
  if (!constraints.node_name.empty() && constraints.node_name != node.metadata.name) {
    return Unexpected(std::string(kReasonNodeName));
  }
  if (auto taint = find_untolerated_taint(node.spec.taints, constraints.tolerations)) {
    return Unexpected(untolerated_taint_message(*taint));
  }
  if (!required_node_affinity_matches(constraints.node_selector, constraints.affinity, node)) {
    return Unexpected(std::string(kReasonNodeAffinity));
  }
  return {};
}

// ---- Resource fit -----------------------------------------------------------------------------

bool is_scalar_resource_name(std::string_view name) {
  return is_extended_resource_name(name) || name.starts_with("hugepages-") ||
         is_prefixed_native_resource(name) || name.starts_with("attachable-volumes-");
}

Quantity scheduler_amount(std::string_view resource, const Quantity& quantity) {
  if (resource == kResourceCpu) {
    return Quantity::from_milli(quantity.milli_value());
  }
  return Quantity::from_int(quantity.value());
}

void NodeUsage::add_pod(const ResourceList& pod_requests) {
  ++pod_count;
  for (const auto& [name, quantity] : pod_requests) {
    if (!is_accounted_resource(name)) {
      continue;
    }
    const Quantity amount = scheduler_amount(name, quantity);
    auto [it, inserted] = requested.try_emplace(name, amount);
    if (!inserted) {
      it->second = saturating_add(it->second, amount);
    }
  }
}

std::vector<InsufficientResource> insufficient_resources(const ResourceList& allocatable,
                                                         const NodeUsage& usage,
                                                         const ResourceList& pod_requests) {
  std::vector<InsufficientResource> out;
  const Quantity allowed_pods = scheduler_amount(kResourcePods, lookup(allocatable, kResourcePods));
  const Quantity pods_used = Quantity::from_int(usage.pod_count);
  if (saturating_add(pods_used, Quantity::from_int(1)) > allowed_pods) {
    out.push_back({std::string(kResourcePods), std::string(kReasonTooManyPods),
                   Quantity::from_int(1), pods_used, allowed_pods});
  }

  // The pod's request per accounted resource, in scheduler units (the pod rounded as a whole).
  ResourceList wanted;
  for (const auto& [name, quantity] : pod_requests) {
    if (is_accounted_resource(name)) {
      wanted.emplace(name, scheduler_amount(name, quantity));
    }
  }
  const auto check = [&](const std::string& name) {
    const Quantity request = lookup(wanted, name);
    if (request.sign() <= 0) {
      return;
    }
    const Quantity capacity = scheduler_amount(name, lookup(allocatable, name));
    const Quantity used = lookup(usage.requested, name);
    // request > capacity - used, without a subtraction that could overflow.
    if (saturating_add(request, used) > capacity) {
      out.push_back({name, "Insufficient " + name, request, used, capacity});
    }
  };
  for (const std::string_view name : {kResourceCpu, kResourceMemory, kResourceEphemeralStorage}) {
    check(std::string(name));
  }
  for (const auto& [name, quantity] : wanted) {
    if (is_scalar_resource_name(name)) {
      check(name);
    }
  }
  return out;
}

// ---- Ticket matching --------------------------------------------------------------------------

ResourceList ticket_requests(const TicketSpec& spec) {
  ResourceList requests = spec.resources.requests;
  for (const auto& [name, limit] : spec.resources.limits) {
    requests.try_emplace(name, limit);
  }
  return requests;
}

bool resources_cover(const ResourceList& held, const ResourceList& wanted) {
  for (const auto& [name, quantity] : wanted) {
    if (quantity.sign() <= 0) {
      continue;
    }
    if (lookup(held, name) < quantity) {
      return false;
    }
  }
  return true;
}

std::optional<std::int64_t> fit_score(const ResourceList& held, const ResourceList& wanted) {
  if (!resources_cover(held, wanted)) {
    return std::nullopt;
  }
  std::int64_t score = 0;
  for (const auto& [name, quantity] : wanted) {
    if (quantity.sign() <= 0) {
      continue;
    }
    score += fraction_ppb(lookup(held, name).nanos(), quantity.nanos());
  }
  return score;
}

void FitResources::add(const std::string& name, Int128 nanos) {
  static constexpr std::string_view kSlotNames[kSlots] = {kResourceCpu, kResourceMemory,
                                                          kResourceEphemeralStorage};
  for (std::size_t i = 0; i < kSlots; ++i) {
    if (name == kSlotNames[i]) {
      slots_[i] = nanos;
      present_ |= 1U << i;
      return;
    }
  }
  others_.emplace_back(name, nanos);
}

std::size_t FitResources::size() const {
  return static_cast<std::size_t>(__builtin_popcount(present_)) + others_.size();
}

FitResources FitResources::held(const TicketSpec& spec) {
  FitResources out;
  for (const auto& [name, quantity] : ticket_requests(spec)) {
    out.add(name, quantity.nanos());
  }
  return out;
}

FitResources FitResources::wanted(const ResourceList& wanted) {
  FitResources out;
  for (const auto& [name, quantity] : wanted) {
    if (quantity.sign() > 0) {
      out.add(name, quantity.nanos());
    }
  }
  return out;
}

std::optional<std::int64_t> fit_score(const FitResources& held, const FitResources& wanted) {
  std::int64_t score = 0;
  for (std::size_t i = 0; i < FitResources::kSlots; ++i) {
    if ((wanted.present_ & (1U << i)) == 0) {
      continue;
    }
    const Int128 amount = wanted.slots_[i];
    if ((held.present_ & (1U << i)) == 0 || held.slots_[i] < amount) {
      return std::nullopt;  // not held (zero) or held in a smaller amount; amount > 0
    }
    score += fraction_ppb(held.slots_[i], amount);
  }
  for (const auto& [name, amount] : wanted.others_) {
    // A ticket holds a few other resources, if any: a scan (string == compares lengths first).
    const Int128* have = nullptr;
    for (const auto& [held_name, held_amount] : held.others_) {
      if (held_name == name) {
        have = &held_amount;
        break;
      }
    }
    if (have == nullptr || *have < amount) {
      return std::nullopt;
    }
    score += fraction_ppb(*have, amount);
  }
  return score;
}

std::optional<std::int64_t> ticket_fit_score(const TicketSpec& spec, const ResourceList& wanted) {
  return fit_score(FitResources::held(spec), FitResources::wanted(wanted));
}

}  // namespace korder::api
