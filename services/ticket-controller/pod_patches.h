#pragma once

// The RFC 6902 JSON patches the ticket controller sends: the hand-off patch and the
// ungate-only patch on a claiming pod (DESIGN.md §3 steps 5 and 7), and the finalizer patches on
// a Ticket (kube-rs's finalizer helper). Every patch starts with `test` operations, so a
// concurrent change makes the API server reject it (HTTP 422) instead of applying it to an
// object we did not see; the caller then requeues and plans again on fresher state.

#include <optional>
#include <string>
#include <string_view>

#include "korder/api/meta.h"
#include "korder/api/pod.h"

namespace korder::ticket {

/// The JSON pointer of the pod's required node affinity.
inline constexpr std::string_view kRequiredNodeAffinityPath =
    "/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution";

/// The one patch that hands `pod` the capacity on `node_name`:
/// 1. `test /metadata/resourceVersion` (omitted when the pod has none) — any concurrent change
///    to the pod, including its affinity, whose term indices the patch addresses, fails it;
/// 2. `test /spec/schedulingGates` equal to the gates we saw, so the index removed in 4 is ours;
/// 3. `add` operations that AND node_pin(node_name) into every existing required node-affinity
///    term (appending to `matchFields`, or creating it), or that create the affinity structure at
///    the first level that is absent (affinity, nodeAffinity, the required selector, or an empty
///    term list) — Kubernetes allows exactly this narrowing on a gated pod; terms that already
///    carry the pin get no operation;
/// 4. `remove /spec/schedulingGates/<i>` for the korder gate; other gates stay.
/// Precondition: the pod has the korder gate (has_korder_gate()).
std::string handoff_patch(const api::Pod& pod, std::string_view node_name);

/// Removes the korder gate without pinning, and records why in the annotation
/// `korder.dev/unassigned-reason`: the two tests of handoff_patch(), the gate removal, then an
/// `add` of the annotation (or of the whole annotations map when the pod has none).
/// Precondition: the pod has the korder gate.
std::string ungate_patch(const api::Pod& pod, std::string_view reason);

/// Adds the korder finalizer: `test /metadata/finalizers` against the list seen (or `null` when
/// there is none) and an `add` (appending, or creating the list), so a concurrent change fails
/// the patch rather than duplicating or dropping a finalizer.
std::string add_finalizer_patch(const api::ObjectMeta& meta);

/// Removes the korder finalizer at its index, guarded by `test /metadata/finalizers/<i>` equal
/// to the finalizer's name (so another controller's finalizer is never removed). nullopt when
/// the object does not carry it.
std::optional<std::string> remove_finalizer_patch(const api::ObjectMeta& meta);

}  // namespace korder::ticket
