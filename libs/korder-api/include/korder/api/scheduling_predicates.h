#pragma once

// The scheduling predicates shared by the admission webhook (which ticket can serve a pod), the
// order and ticket controllers (which nodes a daemonSet order covers) and the development
// cluster's scheduler. They follow kube-scheduler's Filter plugins and the component-helpers
// library exactly, so that korder's answer is the scheduler's answer:
// - effective pod requests: component-helpers `resource.PodRequests` (KEP-753 sidecars), after
//   the API server's limits→requests defaulting (`SetDefaults_Pod`);
// - nodeSelector and required node affinity: `nodeaffinity.GetRequiredNodeAffinity(pod).Match`;
// - taints and tolerations: core/v1 `Toleration.ToleratesTaint`, the TaintToleration plugin;
// - cordoned nodes: the NodeUnschedulable plugin;
// - resources: the NodeResourcesFit plugin's `fitsRequest`.
// All quantities are exact (korder::api::Quantity); nothing here uses floating point.
// Every function is pure and thread-safe.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/node.h"
#include "korder/api/pod.h"
#include "korder/api/quantity.h"
#include "korder/api/resources.h"
#include "korder/api/scheduling.h"
#include "korder/api/ticket.h"
#include "korder/base/expected.h"

namespace korder::api {

// ---- Well-known names -------------------------------------------------------------------------

inline constexpr std::string_view kResourceCpu = "cpu";
inline constexpr std::string_view kResourceMemory = "memory";
inline constexpr std::string_view kResourceEphemeralStorage = "ephemeral-storage";
inline constexpr std::string_view kResourcePods = "pods";

inline constexpr std::string_view kTaintEffectNoSchedule = "NoSchedule";
inline constexpr std::string_view kTaintEffectPreferNoSchedule = "PreferNoSchedule";
inline constexpr std::string_view kTaintEffectNoExecute = "NoExecute";

inline constexpr std::string_view kTolerationOpEqual = "Equal";
inline constexpr std::string_view kTolerationOpExists = "Exists";

/// The taint the NodeUnschedulable plugin treats a cordoned node (`spec.unschedulable: true`)
/// as having, with effect NoSchedule and an empty value.
inline constexpr std::string_view kTaintNodeUnschedulable = "node.kubernetes.io/unschedulable";

/// The field a `matchFields` requirement can select on (`metav1.ObjectNameField`).
inline constexpr std::string_view kObjectNameField = "metadata.name";

/// kube-scheduler's Filter reasons, word for word (they end up in FailedScheduling events and in
/// korder's `korder.dev/unassigned-reason`).
inline constexpr std::string_view kReasonNodeAffinity =
    "node(s) didn't match Pod's node affinity/selector";
inline constexpr std::string_view kReasonUnschedulable = "node(s) were unschedulable";
inline constexpr std::string_view kReasonNodeName = "node(s) didn't match the requested node name";
inline constexpr std::string_view kReasonTooManyPods = "Too many pods";

// ---- Effective requests -----------------------------------------------------------------------

/// A container's requests after the API server's defaulting (`SetDefaults_Pod`, applied to
/// containers and init containers alike): every resource that has a limit but no request is
/// requested at its limit (`limits: {cpu: 2}` alone requests `cpu: 2`). A request that is
/// present, even `0`, is kept.
ResourceList container_requests(const Container& container);

/// The pod's effective requests, per resource name, as the scheduler and the kubelet count them
/// (component-helpers `PodRequests` with default options):
///   sum(containers) + sum(sidecars)  maxed with  the init requirement,  plus `spec.overhead`,
/// where a sidecar is an init container with `restartPolicy: Always` (KEP-753) and the init
/// requirement is the largest of, for each init container i in order, its request plus the
/// requests of the sidecars declared before it (for a sidecar: the sidecars up to and including
/// it). Every container's requests are taken from container_requests(), i.e. limits→requests
/// defaulting IS applied. For a pod read back from the API server this changes nothing (the
/// server defaulted it when it decoded the create); it makes the result right for specs that were
/// never defaulted: Order/Ticket templates, test fixtures, and any pod a caller builds itself.
/// Resources that appear with a zero quantity are kept (as Kubernetes keeps them). Pod-level
/// `spec.resources` (the PodLevelResources feature, beta from 1.34) is not modelled and so not
/// applied. Sums saturate at the Quantity range instead of overflowing (such a pod fits nowhere).
ResourceList effective_requests(const PodSpec& spec);

// ---- Node selector and node affinity ----------------------------------------------------------

/// `spec.nodeSelector`: true when every entry equals the node's label of that key (an empty
/// selector matches every node; a key with an empty value needs the label present and empty).
bool node_selector_matches(const std::map<std::string, std::string>& node_selector,
                           const Node& node);

/// One NodeSelectorTerm, ANDing its `matchExpressions` (on labels) and `matchFields`.
/// Kubernetes' rules (component-helpers nodeaffinity):
/// - a term with neither expressions nor fields matches nothing;
/// - operators are `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`, spelled exactly so;
///   each expression must be a valid label requirement (qualified key, valid label values, values
///   for In/NotIn, none for Exists/DoesNotExist, exactly one decimal int64 for Gt/Lt). A term
///   with any invalid expression (unknown operator, `Gt` with `"abc"` or two values, a bad key)
///   matches nothing. `Gt`/`Lt` compare the node's label as a decimal int64 and fail when it is
///   absent or not an integer;
/// - `matchFields` allow only `In`/`NotIn` with exactly one value (anything else makes the term
///   match nothing) and compare against the node's fields, of which there is only
///   `metadata.name` (any other key reads as the empty string). As in Kubernetes, a node with an
///   empty name has no fields and its `matchFields` are not checked at all.
bool node_selector_term_matches(const NodeSelectorTerm& term, const Node& node);

/// A NodeSelector (the required node affinity): true when any term matches (terms are ORed). An
/// empty term list matches nothing.
bool node_selector_matches(const NodeSelector& selector, const Node& node);

/// The NodeAffinity plugin's Filter: `spec.nodeSelector` must match and, when `affinity`
/// has a `nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`, so must it. An absent
/// affinity, node affinity or required selector does not restrict. Preferred terms never
/// filter.
bool required_node_affinity_matches(const std::map<std::string, std::string>& node_selector,
                                    const std::optional<Affinity>& affinity, const Node& node);

// ---- Taints and tolerations -------------------------------------------------------------------

/// core/v1 `Toleration.ToleratesTaint`:
/// - a non-empty toleration effect must equal the taint's (empty matches every effect);
/// - a non-empty toleration key must equal the taint's (empty matches every key);
/// - operator `Equal` (or empty, its default) needs equal values; `Exists` matches any value;
///   any other operator tolerates nothing. (`Gt`/`Lt` tolerations are an alpha feature of
///   Kubernetes 1.35, off by default and rejected by validation without it; korder treats them as
///   tolerating nothing, so a pod using them is never placed on a ticket wrongly.)
bool tolerates_taint(const Toleration& toleration, const Taint& taint);

/// True when any of `tolerations` tolerates `taint` (`TolerationsTolerateTaint`).
bool tolerations_tolerate_taint(const std::vector<Toleration>& tolerations, const Taint& taint);

/// The TaintToleration plugin's Filter: the first of `taints` with effect NoSchedule or
/// NoExecute that no toleration tolerates, if any. PreferNoSchedule taints (and taints with any
/// other effect) never block.
std::optional<Taint> find_untolerated_taint(const std::vector<Taint>& taints,
                                            const std::vector<Toleration>& tolerations);

/// The scheduler's message for an untolerated taint: `node(s) had untolerated taint {key: value}`
/// (`{node-role.kubernetes.io/control-plane: }` for an empty value).
std::string untolerated_taint_message(const Taint& taint);

/// The NodeUnschedulable plugin: true when `node` is cordoned (`spec.unschedulable: true`) and
/// `tolerations` do not tolerate the taint `node.kubernetes.io/unschedulable:NoSchedule`.
bool unschedulable_blocks(const Node& node, const std::vector<Toleration>& tolerations);

// ---- Node state -------------------------------------------------------------------------------

/// True when the node's first `Ready` condition has status `True`. kube-scheduler itself does not
/// look at this (the node lifecycle controller taints NotReady nodes instead); korder uses it for
/// the daemonSet rule ("one ticket per Ready, schedulable node").
bool node_ready(const Node& node);

// ---- Placement --------------------------------------------------------------------------------

/// The node-choosing constraints of a pod or a ticket template: what node_admits() checks.
/// Build it from a PodSpec with placement_constraints(), or from a ticket's spec field by field.
struct PlacementConstraints {
  std::map<std::string, std::string> node_selector;
  std::optional<Affinity> affinity;
  std::vector<Toleration> tolerations;
  /// `spec.nodeName`: when set, only the node of that name admits (the NodeName plugin).
  std::string node_name;

  bool operator==(const PlacementConstraints&) const = default;
};

/// The placement constraints of `spec` (nodeSelector, affinity, tolerations, nodeName).
PlacementConstraints placement_constraints(const PodSpec& spec);

/// The placement constraints of a ticket (or an Order's template): its nodeSelector, affinity,
/// tolerations and nodeName. Per DESIGN §2 korder honours a template's `nodeName` through a
/// required `matchFields metadata.name` term on the guardian rather than `spec.nodeName`; either
/// way only the named node admits, which is what node_admits() checks.
PlacementConstraints placement_constraints(const TicketSpec& spec);

/// Whether `node` admits a pod with `constraints`, ignoring resources and readiness. On refusal,
/// the reason of the first failing check, in kube-scheduler's plugin order and wording:
/// NodeUnschedulable (`node(s) were unschedulable`), NodeName (`node(s) didn't match the
/// requested node name`), TaintToleration (`node(s) had untolerated taint {key: value}`),
/// NodeAffinity (`node(s) didn't match Pod's node affinity/selector`).
Expected<void, std::string> node_admits(const PlacementConstraints& constraints, const Node& node);

// ---- Resource fit -----------------------------------------------------------------------------

/// True for the resource names the scheduler accounts beyond cpu, memory, ephemeral-storage and
/// pods (`IsScalarResourceName`): extended resources (a domain-prefixed name such as
/// `nvidia.com/gpu`, not starting with `requests.`), `kubernetes.io/`-prefixed native resources,
/// `hugepages-*` and `attachable-volumes-*`. Other unprefixed names are ignored by the scheduler.
bool is_scalar_resource_name(std::string_view name);

/// `quantity` in the unit the scheduler accounts `resource` in, rounded up as Kubernetes does:
/// millicores for cpu (`MilliValue`), whole units for everything else (`Value`), so `0.5m` cpu
/// counts as `1m` and `1.5` bytes as `2`. Saturates at the int64 range.
Quantity scheduler_amount(std::string_view resource, const Quantity& quantity);

/// What is already on a node, as the scheduler's NodeInfo counts it: the number of pods bound to
/// it and the sum of their effective requests. Only non-terminated pods (phase not Succeeded or
/// Failed) belong here; choosing them is the caller's concern.
struct NodeUsage {
  /// Per resource, the sum of each pod's scheduler_amount() (every pod is rounded on its own,
  /// as the scheduler does). Only the resources the scheduler accounts are kept.
  ResourceList requested;
  std::int64_t pod_count = 0;

  /// Adds one pod with `pod_requests` (its effective_requests()).
  void add_pod(const ResourceList& pod_requests);

  bool operator==(const NodeUsage&) const = default;
};

/// One reason a pod does not fit a node (the NodeResourcesFit plugin's InsufficientResource).
/// Quantities are in scheduler_amount() units, e.g. 1500m cpu, not 1.5.
struct InsufficientResource {
  std::string resource;  // `pods`, `cpu`, `memory`, `nvidia.com/gpu`, ...
  std::string reason;    // `Too many pods`, `Insufficient cpu`, `Insufficient nvidia.com/gpu`
  Quantity requested;
  Quantity used;
  Quantity capacity;

  bool operator==(const InsufficientResource&) const = default;
};

/// The NodeResourcesFit plugin's Filter: every reason a pod with `pod_requests` does not fit a
/// node with `allocatable` (its `status.allocatable`) that already carries `usage`; empty when
/// it fits. In order: `Too many pods` when usage.pod_count + 1 exceeds allocatable `pods` (a node
/// without `pods` allocatable takes no pod); then, when the pod requests anything non-zero,
/// `Insufficient cpu`, `Insufficient memory`, `Insufficient ephemeral-storage`, and
/// `Insufficient <name>` for each scalar resource (sorted by name) whose request exceeds
/// allocatable minus used — a resource the node does not list counts as zero allocatable, so an
/// extended resource the node lacks never fits. Zero requests always fit (only the pod count can
/// refuse). Amounts are compared in scheduler_amount() units.
std::vector<InsufficientResource> insufficient_resources(const ResourceList& allocatable,
                                                         const NodeUsage& usage,
                                                         const ResourceList& pod_requests);

// ---- Ticket matching (DESIGN §3 step 2) -------------------------------------------------------

/// The capacity a ticket holds: its `spec.resources` requests after the same limits→requests
/// defaulting as container_requests() (the guardian pod's single container carries these
/// resources, and the API server defaults them that way). The `held` side of resources_cover()
/// and fit_score().
ResourceList ticket_requests(const TicketSpec& spec);

/// True when a ticket holding `held` can serve a pod wanting `wanted` (its
/// effective_requests()): every resource the pod requests with a positive quantity is held in at
/// least that amount, compared exactly. Resources requested as zero (or, invalidly, negative) are
/// ignored; resources held but not wanted do not matter.
bool resources_cover(const ResourceList& held, const ResourceList& wanted);

/// One in fit_score() units: a fit score of kFitScoreScale is 1.0.
inline constexpr std::int64_t kFitScoreScale = 1'000'000'000;

/// The webhook's best-fit score, smaller is better: the sum, over the resources the pod requests
/// with a positive quantity, of (held − wanted) / held, as a fixed-point integer in parts per
/// billion (kFitScoreScale). Each term is truncated to a whole part per billion; it is exact
/// while `held` stays below 2^96 nano-units (about 7.9e19 units; larger values lose low bits
/// first). A ticket holding exactly what the pod asks scores 0; a 2-cpu ticket for a 500m pod
/// scores 750000000. A pod requesting nothing scores 0 on every ticket. nullopt when
/// !resources_cover(held, wanted).
std::optional<std::int64_t> fit_score(const ResourceList& held, const ResourceList& wanted);

/// Resource amounts prepared for scoring many times (the webhook ranks every ticket of a
/// namespace for each pod): in nano-units, no map and no Quantity left to read.
/// A ticket's held side is built once per version of the ticket, a pod's wanted side once per
/// review.
class FitResources {
 public:
  FitResources() = default;

  /// A ticket's held side: ticket_requests(spec).
  static FitResources held(const TicketSpec& spec);
  /// A pod's wanted side: the resources of `wanted` (its effective_requests()) with a positive
  /// quantity; the others never matter to fit_score().
  static FitResources wanted(const ResourceList& wanted);

  /// The same amounts of the same resources (tickets made from one template hold equal ones).
  bool operator==(const FitResources&) const = default;

  /// The number of resources listed.
  std::size_t size() const;

 private:
  friend std::optional<std::int64_t> fit_score(const FitResources& held,
                                               const FitResources& wanted);
  void add(const std::string& name, Int128 nanos);

  // cpu, memory and ephemeral-storage, which nearly every pod and ticket name, sit in fixed
  // slots (scored without comparing a name); other resources are listed by name.
  static constexpr std::size_t kSlots = 3;
  std::array<Int128, kSlots> slots_{};
  unsigned present_ = 0;  // bit i: slots_[i] holds an amount
  std::vector<std::pair<std::string, Int128>> others_;
};

/// fit_score() on prepared lists: fit_score(ticket_requests(spec), pod) ==
/// fit_score(FitResources::held(spec), FitResources::wanted(pod)).
std::optional<std::int64_t> fit_score(const FitResources& held, const FitResources& wanted);

/// fit_score(ticket_requests(spec), wanted), through FitResources. Same result.
std::optional<std::int64_t> ticket_fit_score(const TicketSpec& spec, const ResourceList& wanted);

}  // namespace korder::api
