#pragma once

// The guardian pod of a ticket: a pause container that holds the ticket's capacity on a node the
// normal scheduler picks (DESIGN.md §1–§3).

#include <optional>
#include <string_view>

#include "korder/api/pod.h"
#include "korder/api/resources.h"
#include "korder/api/scheduling.h"
#include "korder/api/ticket.h"

namespace korder::ticket {

/// The required node-selector requirement that pins a pod to one node the way DaemonSets do:
/// `matchFields: [{key: metadata.name, operator: In, values: [node_name]}]`.
api::NodeSelectorRequirement node_pin(std::string_view node_name);

/// True when `term` already has exactly node_pin(node_name) among its matchFields.
bool term_has_pin(const api::NodeSelectorTerm& term, std::string_view node_name);

/// Narrows `affinity` to `node_name`: node_pin(node_name) is ANDed into every term of
/// `nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution` (terms are ORed, so the pod may
/// go only to that node, and only if one of its own terms also admits it). Creates the affinity,
/// node affinity, required selector and a single term when any is absent or the term list is
/// empty. Terms that already hold the pin are left as they are, so pinning twice changes nothing.
/// Preferred terms and pod (anti-)affinity are untouched.
void pin_to_node(std::optional<api::Affinity>& affinity, std::string_view node_name);

/// The guardian container's resources. Requests are the capacity the ticket holds
/// (api::ticket_requests: the ticket's requests after limits→requests defaulting). Limits
/// equal the requests for every resource (Kubernetes requires that of extended resources and
/// hugepages, and pause never uses more), except that an explicit ticket limit for `cpu` or
/// `memory` at or above its request is kept. So the guardian is Guaranteed exactly when the
/// ticket holds both cpu and memory with no larger limit, BestEffort when it holds nothing, and
/// Burstable otherwise. A limit below its request (an invalid ticket) is ignored. DRA `claims`
/// are not copied.
api::ResourceRequirements guardian_resources(const api::TicketSpec& spec);

/// The guardian pod of `ticket`, ready to create:
/// - `metadata`: name `<ticket>-guardian`, the ticket's namespace, labels `korder.dev/role:
///   guardian`, `korder.dev/ticket: <ticket>` and `korder.dev/order: <order>` (copied from the
///   ticket's label when it has one), and a controller ownerReference to the Ticket with
///   blockOwnerDeletion;
/// - one container `guardian` running `image` with guardian_resources() and a restricted
///   container securityContext (allowPrivilegeEscalation false, readOnlyRootFilesystem, drop
///   ALL capabilities);
/// - a pod securityContext running as non-root uid/gid 65535 with the RuntimeDefault seccomp
///   profile (together: the Pod Security "restricted" profile);
/// - nodeSelector, affinity, tolerations, topologySpreadConstraints, priorityClassName and
///   schedulerName copied from the ticket's spec; a ticket `nodeName` becomes pin_to_node() on
///   the affinity, never `spec.nodeName`, so the scheduler still checks the capacity;
/// - restartPolicy Always, terminationGracePeriodSeconds 0, automountServiceAccountToken false,
///   enableServiceLinks false.
api::Pod build_guardian_pod(const api::Ticket& ticket, std::string_view image);

}  // namespace korder::ticket
