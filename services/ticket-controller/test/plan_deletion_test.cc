// The last row of DESIGN.md §3's writer table (deletionTimestamp set) and pods whose ticket is
// gone.

#include <catch2/catch.hpp>
#include <chrono>

#include "plan.h"
#include "pod_patches.h"
#include "support/fixtures.h"

namespace korder::ticket {
namespace {

using namespace std::chrono_literals;
using testing::actions_of;
using testing::first_of;
using testing::gated_pod;
using testing::input;
using testing::kinds;
using testing::kToken;
using testing::running_guardian;
using testing::t0;
using Kinds = std::vector<std::string>;

const TimePoint kNow = t0() + 25min;

api::Ticket deleting(api::Ticket ticket) {
  ticket.metadata.deletion_timestamp = kNow - 1s;
  return ticket;
}

TEST_CASE("a deleted ticket deletes its guardian and keeps its finalizer until it is gone",
          "[unit]") {
  const api::Ticket ticket = deleting(testing::ready_ticket());
  const auto first = plan(input(ticket, kNow, running_guardian(ticket)));
  CHECK(kinds(first) == Kinds{"DeleteGuardian"});
  CHECK(first_of<DeleteGuardian>(first) ==
        DeleteGuardian{"team-a", "web-3f9a1c2b7d4e-guardian", "guardian-uid", 0});

  api::Pod terminating = running_guardian(ticket);
  terminating.metadata.deletion_timestamp = kNow;
  CHECK(plan(input(ticket, kNow, terminating)).actions.empty());

  const auto second = plan(input(ticket, kNow));
  CHECK(kinds(second) == Kinds{"RemoveFinalizer"});
  CHECK(first_of<RemoveFinalizer>(second).json_patch == *remove_finalizer_patch(ticket.metadata));
}

TEST_CASE("a deleted ticket never writes its status, whatever its phase", "[unit]") {
  api::Ticket ticket = deleting(testing::ready_ticket());
  ticket.status.observed_generation = 0;  // stale, yet not rewritten
  CHECK(kinds(plan(input(ticket, t0() + 5h))) == Kinds{"RemoveFinalizer"});
}

TEST_CASE("a deleted ticket ungates its claimed pod not yet handed off, without pinning",
          "[unit]") {
  api::Ticket ticket = deleting(testing::claimed_ticket(kNow - 5s));
  const api::Pod pod = gated_pod("web-x7k2p", kToken, kNow - 4s);
  const std::string why = "ticket web-3f9a1c2b7d4e was deleted before the hand-off";
  SECTION("the claim is unresolved") {
    const auto p = plan(input(ticket, kNow, running_guardian(ticket), {pod}));
    CHECK(kinds(p) == Kinds{"DeleteGuardian", "PatchPod(Ungate)", "Event(PodUngated)"});
    CHECK(first_of<PatchPod>(p) ==
          PatchPod{PodPatchKind::Ungate, "team-a", "web-x7k2p", ungate_patch(pod, why)});
  }
  SECTION("the pod was recorded but not yet patched; the guardian is already gone") {
    ticket.status.claim->pod_name = "web-x7k2p";
    ticket.status.claim->pod_uid = "web-x7k2p-uid";
    const auto p = plan(input(ticket, kNow, std::nullopt, {pod}));
    CHECK(kinds(p) == Kinds{"PatchPod(Ungate)", "RemoveFinalizer", "Event(PodUngated)"});
  }
  SECTION("a pod that does not match the claim is ungated at once too") {
    const api::Pod young = gated_pod("web-zzz", "tok-other", kNow - 1s);
    const auto p = plan(input(ticket, kNow, std::nullopt, {young}));
    CHECK(kinds(p) == Kinds{"PatchPod(Ungate)", "RemoveFinalizer", "Event(PodUngated)"});
  }
}

TEST_CASE("a deleted ticket leaves a handed-off pod pinned and alone", "[unit]") {
  api::Ticket ticket = deleting(testing::claimed_ticket(kNow - 5s));
  ticket.status.claim->pod_uid = "web-x7k2p-uid";
  api::Pod pod = gated_pod("web-x7k2p", kToken, kNow - 4s);
  pod.spec.scheduling_gates.clear();
  CHECK(kinds(plan(input(ticket, kNow, std::nullopt, {pod}))) == Kinds{"RemoveFinalizer"});
}

TEST_CASE("a deleted ticket without the korder finalizer only cleans up", "[unit]") {
  api::Ticket ticket = deleting(testing::ready_ticket());
  ticket.metadata.finalizers = {"example.com/other"};
  CHECK(kinds(plan(input(ticket, kNow, running_guardian(ticket)))) == Kinds{"DeleteGuardian"});
  CHECK(plan(input(ticket, kNow)).actions.empty());
}

TEST_CASE("a deleted ticket also deletes a guardian of the same name it does not own", "[unit]") {
  const api::Ticket ticket = deleting(testing::ready_ticket());
  api::Pod foreign = running_guardian(ticket);
  foreign.metadata.owner_references[0].uid = "an-older-ticket";
  CHECK(kinds(plan(input(ticket, kNow, foreign))) == Kinds{"DeleteGuardian"});
}

TEST_CASE("pods gated for a ticket that no longer exists are ungated", "[unit]") {
  const api::Pod gated = gated_pod("web-x7k2p", kToken, kNow);
  api::Pod free = gated_pod("web-free", kToken, kNow);
  free.spec.scheduling_gates.clear();
  api::Pod elsewhere = gated_pod("web-b", kToken, kNow);
  elsewhere.metadata.namespace_ = "team-b";
  const auto p = plan_orphaned_pods("team-a", "web-3f9a1c2b7d4e", {gated, free, elsewhere});
  CHECK(kinds(p) == Kinds{"PatchPod(Ungate)"});
  CHECK(first_of<PatchPod>(p).json_patch ==
        ungate_patch(gated, "ticket web-3f9a1c2b7d4e no longer exists"));
  CHECK_FALSE(p.requeue_after.has_value());
}

}  // namespace
}  // namespace korder::ticket
