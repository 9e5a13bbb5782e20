#pragma once

// What the ticket controller reads off a Pod: whether it is a ticket's guardian, whether it is
// running and ready, whether it is gated by korder, bound, or being deleted. All pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/pod.h"
#include "korder/api/ticket.h"

namespace korder::ticket {

/// `<ticket>-guardian`.
std::string guardian_pod_name(std::string_view ticket_name);

/// True when `pod`'s controller ownerReference is the Ticket `ticket` (kind Ticket and the
/// ticket's uid). A pod of the same name owned by an earlier ticket of that name is not.
bool is_owned_by(const api::Pod& pod, const api::Ticket& ticket);

/// Why `pod`, which holds the guardian name of `ticket`, is not korder's guardian for a ticket of
/// that name (`it has no label korder.dev/role=guardian`, ...), or nullopt when it is one: labels
/// `korder.dev/role=guardian` and `korder.dev/ticket=<ticket>` and a controller ownerReference of
/// kind Ticket — this ticket's, or an earlier ticket's of the same name (a leftover the
/// controller may delete). A pod that is not one belongs to someone else and is never deleted.
std::optional<std::string> foreign_guardian_why(const api::Pod& pod, const api::Ticket& ticket);

/// True when `pod` has a deletionTimestamp.
bool is_deleting(const api::Pod& pod);

/// True when the pod has phase Running, a Ready condition with status True, a node, and no
/// deletionTimestamp.
bool is_running_and_ready(const api::Pod& pod);

/// True when the pod's phase is Failed or Succeeded (it will never run again).
bool is_terminated(const api::Pod& pod);

/// True when `spec.schedulingGates` holds the korder gate.
bool has_korder_gate(const api::Pod& pod);

/// The names of the pod's scheduling gates other than the korder gate, in order.
std::vector<std::string> other_gates(const api::Pod& pod);

/// True when the pod is bound to a node (`spec.nodeName` set).
bool is_bound(const api::Pod& pod);

/// The pod's `korder.dev/claim-token` annotation (empty when absent).
std::string claim_token(const api::Pod& pod);

/// True when `pod` lives in the ticket's namespace and carries `korder.dev/ticket=<ticket>`.
bool is_labelled_for(const api::Pod& pod, const api::Ticket& ticket);

/// `namespace/name` of a pod.
std::string pod_key(const api::Pod& pod);

/// The message of the pod's `PodScheduled` condition when its status is False (the
/// scheduler's explanation, e.g. `0/3 nodes are available: 3 Insufficient cpu.`), else empty.
std::string unschedulable_message(const api::Pod& pod);

}  // namespace korder::ticket
