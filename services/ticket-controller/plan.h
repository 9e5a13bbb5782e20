#pragma once

// The ticket controller's decisions as a pure function (STYLE.md §3 "Reconciler shape", step 3):
// plan(observed state, now) -> the ordered writes that move one Ticket towards what DESIGN.md §2
// and the writer table of §3 say, and when to look again. No I/O, no clock, no randomness.
//
// How the reconciler uses it:
//  1. Read the ticket, its guardian (`<ticket>-guardian`) and the pods labelled
//     `korder.dev/ticket=<ticket>` from the caches; call plan().
//  2. If the plan holds a VerifyClaimPodAbsent (then it holds nothing else), LIST pods live from
//     the API server with its label selector and call plan() again with `live_list_result`; the
//     second plan never asks again. So "no pod exists" is never decided from a cache alone.
//  3. Apply the actions in order and stop at the first failure (requeue with backoff; a 409 on
//     the status or a 422 from a failed JSON-patch `test` means "plan again on fresher state").
//     The order is meaningful: the status write (optimistic concurrency on the ticket's
//     resourceVersion) comes first, so a ticket the webhook claimed concurrently is never
//     expired or handed off on stale data, and a hand-off records the pod in the status before
//     the pod is patched. Deletes' NotFound counts as success. A CreateGuardian that meets
//     AlreadyExists reads the pod live: ours (the cache lags) is success; anyone else's is
//     planned again as the guardian (GuardianNameTaken: reported, never deleted).
//     Record the RecordEvent actions on the Ticket.
//  4. Requeue after `requeue_after` when set, or with backoff when `backoff`. Never sleep.
// Applying a plan and planning again on the resulting world yields no actions (idempotence).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "korder/api/pod.h"
#include "korder/api/ticket.h"
#include "korder/base/clock.h"
#include "ticket_names.h"

namespace korder::ticket {

/// Tunables of the plan (flags of korder-ticket-controller).
struct TicketPlanOptions {
  /// How long a claim without a recorded `deadline` waits for its pod after `claimedAt` (the
  /// webhook's `--claim-deadline`); also how long a gated pod whose token matches no claim is
  /// left alone after its creation before it is ungated (the ticket cache may lag the pod cache).
  std::chrono::seconds claim_deadline{30};
  /// `--handoff-timeout`: how long a handed-off pod may stay unscheduled after the guardian's
  /// deletion before the ticket reports HandOffLost.
  std::chrono::seconds handoff_timeout{30};
  /// `--guardian-image`.
  std::string guardian_image{kDefaultGuardianImage};
};

/// Everything plan() looks at.
struct TicketPlanInput {
  api::Ticket ticket;
  /// The pod named `<ticket>-guardian` in the ticket's namespace, from the cache (which holds
  /// only pods labelled `korder.dev/ticket`), or from a live GET when the cache has none and the
  /// ticket says a foreign pod held the name (condition reason GuardianNameTaken), or when the
  /// guardian's creation met AlreadyExists.
  std::optional<api::Pod> guardian;
  /// Pods labelled `korder.dev/ticket=<ticket>`, from the cache (pods of other namespaces or
  /// tickets are ignored).
  std::vector<api::Pod> pods;
  /// True when the ticket's `status.nodeName` names a node the (synced) node cache no longer
  /// has: the node was removed, so a guardian bound to it is lost.
  bool node_removed = false;
  TimePoint now;
  TicketPlanOptions options;
  /// The pods a live LIST by label returned, after the plan asked with VerifyClaimPodAbsent.
  /// When set it replaces `pods` (it is fresher).
  std::optional<std::vector<api::Pod>> live_list_result;
};

/// Add the finalizer `korder.dev/ticket-protection` (a JSON patch on the Ticket). Sent alone.
struct AddFinalizer {
  std::string json_patch;
  bool operator==(const AddFinalizer&) const = default;
};

/// Ask the caller for a live LIST of pods in `namespace_` with `label_selector`
/// (`korder.dev/ticket=<ticket>`), then plan again with `live_list_result`. `token` is the claim
/// token being checked (for logs). Sent alone.
struct VerifyClaimPodAbsent {
  std::string namespace_;
  std::string label_selector;
  std::string token;
  bool operator==(const VerifyClaimPodAbsent&) const = default;
};

/// PUT the Ticket's status subresource with this full status (and the ticket's
/// resourceVersion). Only planned when it differs from the current status.
struct UpdateTicketStatus {
  api::TicketStatus status;
  bool operator==(const UpdateTicketStatus&) const = default;
};

/// What a PatchPod does.
enum class PodPatchKind {
  HandOff,  ///< pin to the ticket's node + remove the korder gate (handoff_patch)
  Ungate,   ///< remove the korder gate + annotate why (ungate_patch)
};

/// A JSON patch (`application/json-patch+json`) on a pod.
struct PatchPod {
  PodPatchKind kind = PodPatchKind::HandOff;
  std::string namespace_;
  std::string name;
  std::string json_patch;
  bool operator==(const PatchPod&) const = default;
};

/// Delete the guardian pod with gracePeriodSeconds 0 and a uid precondition.
struct DeleteGuardian {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::int64_t grace_period_seconds = 0;
  bool operator==(const DeleteGuardian&) const = default;
};

/// Create the guardian pod.
struct CreateGuardian {
  api::Pod pod;
  bool operator==(const CreateGuardian&) const = default;
};

/// Delete the Ticket (TTL under cleanupPolicy Delete) with a uid precondition.
struct DeleteTicket {
  std::string namespace_;
  std::string name;
  std::string uid;
  bool operator==(const DeleteTicket&) const = default;
};

/// Remove the finalizer `korder.dev/ticket-protection` (a JSON patch on the Ticket).
struct RemoveFinalizer {
  std::string json_patch;
  bool operator==(const RemoveFinalizer&) const = default;
};

/// Record an Event on the Ticket.
struct RecordEvent {
  std::string type;  // api::EventType
  std::string reason;
  std::string message;
  bool operator==(const RecordEvent&) const = default;
};

using TicketAction =
    std::variant<AddFinalizer, VerifyClaimPodAbsent, UpdateTicketStatus, PatchPod, DeleteGuardian,
                 CreateGuardian, DeleteTicket, RemoveFinalizer, RecordEvent>;

/// The output of plan(). Actions come in this order, each kind only when needed:
/// UpdateTicketStatus, PatchPod (HandOff), DeleteGuardian, CreateGuardian, PatchPod (Ungate)...,
/// DeleteTicket, RemoveFinalizer, RecordEvent... — or AddFinalizer alone, or
/// VerifyClaimPodAbsent alone.
struct TicketPlan {
  std::vector<TicketAction> actions;
  /// Look again after this long (the earliest of: window start, expiration, claim deadline,
  /// hand-off timeout, TTL, the grace of a stray gated pod). Unset when nothing is due.
  std::optional<std::chrono::nanoseconds> requeue_after;
  /// True when the ticket is blocked by something the controller must not change and may never
  /// hear about (a foreign pod holding the guardian's name, which the pod informer does not
  /// cache): look again with the key's rate-limited backoff rather than `requeue_after`.
  bool backoff = false;
};

/// The plan for one Ticket (see the top of this file and DESIGN.md §3's writer table).
/// Timestamps it writes are `input.now` truncated to whole seconds, as metav1.Time stores them.
TicketPlan plan(const TicketPlanInput& input);

/// For pods labelled `korder.dev/ticket=<ticket_name>` in `namespace_` whose ticket no longer
/// exists (the reconciler found no such Ticket in its synced cache): ungate every gated one
/// (unpinned, annotated) so no pod is ever left gated, e.g. a pod admitted while its ticket was
/// being deleted. Only PatchPod (Ungate) actions.
TicketPlan plan_orphaned_pods(std::string_view namespace_, std::string_view ticket_name,
                              const std::vector<api::Pod>& pods);

}  // namespace korder::ticket
