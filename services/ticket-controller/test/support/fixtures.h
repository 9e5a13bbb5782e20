#pragma once

// Test-only builders for tickets and pods, accessors for plan actions, and a small simulated
// world that applies a plan's actions the way the API server would (including JSON patches), so
// tests can check "plan again after applying the plan makes no writes".

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/pod.h"
#include "korder/api/quantity.h"
#include "korder/api/ticket.h"
#include "korder/base/clock.h"
#include "plan.h"

namespace korder::ticket::testing {

inline constexpr std::string_view kNamespace = "team-a";
inline constexpr std::string_view kTicketName = "web-3f9a1c2b7d4e";
inline constexpr std::string_view kTicketUid = "8a6f3c52-ticket";
inline constexpr std::string_view kNode = "node-a";
inline constexpr std::string_view kToken = "tok-7Qm2";

/// A time from RFC 3339 text (the test fails on bad text).
TimePoint at(std::string_view rfc3339);
/// T0: when the fixture ticket was created.
TimePoint t0();
api::Quantity q(std::string_view text);

/// A ticket of order `web` in `team-a`: created at t0(), generation 1, finalizer set,
/// duration 1h, requests cpu 500m / memory 1Gi; no status.
api::Ticket new_ticket();
/// new_ticket() as the controller leaves it once Ready on `kNode` (activated at t0() + 10s,
/// expiring at t0() + 1h, Ready condition True).
api::Ticket ready_ticket();
/// ready_ticket() with a claim by the webhook: token kToken, pod namespace team-a,
/// generateName `web-`, claimed at `claimed_at`, deadline 30 s later.
api::Ticket claimed_ticket(TimePoint claimed_at);

/// The guardian of `ticket` as created (uid `guardian-uid`, resourceVersion 10), Pending.
api::Pod guardian_of(const api::Ticket& ticket);
/// guardian_of() running and Ready on `node`.
api::Pod running_guardian(const api::Ticket& ticket, std::string_view node = kNode);

/// A business pod as the webhook leaves it: label korder.dev/ticket, annotation with `token`,
/// the korder scheduling gate, uid `<name>-uid`, resourceVersion 500, created at `created`.
api::Pod gated_pod(std::string_view name, std::string_view token, TimePoint created);

/// The input plan() gets for `ticket` at `now` with `guardian` and `pods`.
TicketPlanInput input(const api::Ticket& ticket, TimePoint now,
                      std::optional<api::Pod> guardian = std::nullopt,
                      std::vector<api::Pod> pods = {});

/// One word per action, for exact sequence checks: `UpdateTicketStatus`, `PatchPod(HandOff)`,
/// `PatchPod(Ungate)`, `DeleteGuardian`, `CreateGuardian`, `DeleteTicket`, `AddFinalizer`,
/// `RemoveFinalizer`, `VerifyClaimPodAbsent`, `Event(<reason>)`.
std::vector<std::string> kinds(const TicketPlan& plan);

/// The actions of type T, in order.
template <typename T>
std::vector<T> actions_of(const TicketPlan& plan) {
  std::vector<T> out;
  for (const auto& action : plan.actions) {
    if (const auto* typed = std::get_if<T>(&action)) {
      out.push_back(*typed);
    }
  }
  return out;
}

/// The first action of type T (the test fails when there is none).
template <typename T>
T first_of(const TicketPlan& plan) {
  const auto all = actions_of<T>(plan);
  REQUIRE_FALSE(all.empty());
  return all.front();
}

/// The status the plan writes (the test fails unless it writes exactly one).
api::TicketStatus written_status(const TicketPlan& plan);

/// The condition of `type` (the test fails when absent).
api::Condition condition(const api::TicketStatus& status, std::string_view type);

/// A simulated API server for one ticket: apply() performs a plan's actions (JSON patches are
/// really applied, preconditions checked), reconcile() plans and applies like the reconciler
/// will, including the live-LIST second step.
struct World {
  api::Ticket ticket;
  bool ticket_gone = false;
  std::optional<api::Pod> guardian;
  std::vector<api::Pod> pods;
  bool node_removed = false;
  TimePoint now;
  TicketPlanOptions options;
  std::vector<RecordEvent> events;
  int guardians_created = 0;

  TicketPlanInput input() const;
  /// plan(), with the live-LIST step when asked; returns the plan that was applied.
  TicketPlan reconcile();
  void apply(const TicketPlan& plan);
  /// Reconciles until a plan has no actions; returns how many plans had actions (the test
  /// fails after `max_steps`).
  int converge(int max_steps = 10);

  /// The kubelet: the guardian runs and is Ready on `node`.
  void run_guardian(std::string_view node = kNode);
  /// The scheduler: binds pod `name` to `node`.
  void bind(std::string_view name, std::string_view node);
  api::Pod& pod(std::string_view name);
};

}  // namespace korder::ticket::testing
