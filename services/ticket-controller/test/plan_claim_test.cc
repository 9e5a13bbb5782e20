// The claim rows of DESIGN.md §3's writer table: hand-off, Claimed, HandOffLost, the live-LIST
// two-step, claim release, expiry during a claim, and ungating pods no claim hands off to.

#include <catch2/catch.hpp>
#include <chrono>

#include "conditions.h"
#include "plan.h"
#include "pod_patches.h"
#include "support/fixtures.h"

namespace korder::ticket {
namespace {

using namespace std::chrono_literals;
using testing::actions_of;
using testing::claimed_ticket;
using testing::condition;
using testing::first_of;
using testing::gated_pod;
using testing::input;
using testing::kinds;
using testing::kToken;
using testing::running_guardian;
using testing::t0;
using testing::written_status;
using Kinds = std::vector<std::string>;

const TimePoint kClaimedAt = t0() + 20min;
const std::string kPod = "web-x7k2p";

api::Pod claiming_pod() { return gated_pod(kPod, kToken, kClaimedAt + 1s); }

// The ticket and pod as the first hand-off plan leaves them (applied by hand).
struct HandedOff {
  api::Ticket ticket;
  api::Pod pod;
};

HandedOff hand_off(TimePoint now) {
  const api::Ticket ticket = claimed_ticket(kClaimedAt);
  const api::Pod pod = claiming_pod();
  const auto p = plan(input(ticket, now, running_guardian(ticket), {pod}));
  HandedOff out{ticket, pod};
  out.ticket.status = written_status(p);
  out.pod.spec.scheduling_gates.clear();
  out.pod.spec.affinity.reset();
  return out;
}

TEST_CASE("a claim whose pod has not appeared waits for it until the claim deadline", "[unit]") {
  const api::Ticket ticket = claimed_ticket(kClaimedAt);
  const auto p = plan(input(ticket, kClaimedAt + 5s, running_guardian(ticket)));
  CHECK(p.actions.empty());
  CHECK(p.requeue_after == std::chrono::nanoseconds(25s));
}

TEST_CASE(
    "a gated pod with the claim's token is recorded, then pinned and ungated, then the "
    "guardian goes",
    "[unit]") {
  const api::Ticket ticket = claimed_ticket(kClaimedAt);
  const api::Pod pod = claiming_pod();
  const TimePoint now = kClaimedAt + 2s;
  const auto p = plan(input(ticket, now, running_guardian(ticket), {pod}));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "PatchPod(HandOff)", "DeleteGuardian",
                          "Event(HandOffStarted)"});
  const auto status = written_status(p);
  CHECK(status.phase == "Ready");
  REQUIRE(status.claim.has_value());
  CHECK(status.claim->token == kToken);
  CHECK(status.claim->pod_name == kPod);
  CHECK(status.claim->pod_uid == "web-x7k2p-uid");
  CHECK(status.claim->pod_namespace == "team-a");
  CHECK(status.claim->claimed_at == kClaimedAt);  // the webhook's fields are kept
  CHECK(condition(status, "Ready").status == "True");
  CHECK(condition(status, "Ready").reason == "HandingOff");
  const auto lost = condition(status, "HandOffLost");
  CHECK(lost.status == "False");
  CHECK(lost.reason == "HandOffInProgress");
  CHECK(lost.last_transition_time == now);
  CHECK(first_of<PatchPod>(p) ==
        PatchPod{PodPatchKind::HandOff, "team-a", kPod, handoff_patch(pod, "node-a")});
  CHECK(first_of<DeleteGuardian>(p) ==
        DeleteGuardian{"team-a", "web-3f9a1c2b7d4e-guardian", "guardian-uid", 0});
  CHECK(first_of<RecordEvent>(p) ==
        RecordEvent{"Normal", "HandOffStarted",
                    "handing the capacity on node node-a to pod team-a/web-x7k2p"});
  CHECK(p.requeue_after == std::chrono::nanoseconds(30s));  // the hand-off timeout
}

TEST_CASE("a claim naming its pod hands off only to the pod of that name", "[unit]") {
  api::Ticket ticket = claimed_ticket(kClaimedAt);
  ticket.status.claim->pod_name = "web-other";
  const auto p = plan(input(ticket, kClaimedAt + 2s, running_guardian(ticket), {claiming_pod()}));
  CHECK(actions_of<PatchPod>(p).empty());
}

TEST_CASE("a handed-off pod bound to the ticket's node makes the ticket Claimed", "[unit]") {
  const TimePoint start = kClaimedAt + 2s;
  auto [ticket, pod] = hand_off(start);
  pod.spec.node_name = "node-a";
  const TimePoint now = start + 4s;
  const auto p = plan(input(ticket, now, std::nullopt, {pod}));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "Event(Claimed)"});
  const auto status = written_status(p);
  CHECK(status.phase == "Claimed");
  CHECK(status.claimed_pod == "team-a/web-x7k2p");
  CHECK(status.claim->pod_uid == "web-x7k2p-uid");
  CHECK(condition(status, "Ready").status == "False");
  CHECK(condition(status, "Ready").reason == "Claimed");
  CHECK(condition(status, "Finished").status == "True");
  CHECK(condition(status, "Finished").last_transition_time == now);
  const auto lost = condition(status, "HandOffLost");
  CHECK(lost.status == "False");
  CHECK(lost.reason == "HandOffComplete");
  CHECK(lost.last_transition_time == start);  // unchanged: still False
  CHECK(first_of<RecordEvent>(p) ==
        RecordEvent{"Normal", "Claimed", "pod team-a/web-x7k2p is bound to node node-a"});
  CHECK(p.requeue_after == std::chrono::nanoseconds(3600s));
}

TEST_CASE("a handed-off pod unscheduled after the hand-off timeout is reported and stays pinned",
          "[unit]") {
  const TimePoint start = kClaimedAt + 2s;
  auto [ticket, pod] = hand_off(start);
  const auto waiting = plan(input(ticket, start + 29s, std::nullopt, {pod}));
  CHECK(waiting.actions.empty());
  CHECK(waiting.requeue_after == std::chrono::nanoseconds(1s));

  const auto p = plan(input(ticket, start + 30s, std::nullopt, {pod}));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "Event(HandOffLost)"});
  const auto status = written_status(p);
  CHECK(status.phase == "Ready");
  const auto lost = condition(status, "HandOffLost");
  CHECK(lost.status == "True");
  CHECK(lost.reason == "PodNotScheduled");
  CHECK(lost.last_transition_time == start + 30s);
  const std::string message =
      "pod team-a/web-x7k2p is still not scheduled 30s after guardian pod "
      "web-3f9a1c2b7d4e-guardian was deleted; it stays pinned to node node-a until capacity "
      "frees there";
  CHECK(lost.message == message);
  CHECK(first_of<RecordEvent>(p) == RecordEvent{"Warning", "HandOffLost", message});

  ticket.status = status;
  CHECK(plan(input(ticket, start + 10min, std::nullopt, {pod})).actions.empty());
  pod.spec.node_name = "node-a";  // capacity freed at last
  const auto claimed = written_status(plan(input(ticket, start + 11min, std::nullopt, {pod})));
  CHECK(claimed.phase == "Claimed");
  CHECK(condition(claimed, "HandOffLost").status == "False");
  CHECK(condition(claimed, "HandOffLost").reason == "HandOffComplete");
}

TEST_CASE("a handed-off pod bound to another node is Claimed with HandOffLost", "[unit]") {
  auto [ticket, pod] = hand_off(kClaimedAt + 2s);
  pod.spec.node_name = "node-b";
  const auto p = plan(input(ticket, kClaimedAt + 5s, std::nullopt, {pod}));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "Event(HandOffLost)", "Event(Claimed)"});
  const auto status = written_status(p);
  CHECK(status.phase == "Claimed");
  CHECK(condition(status, "HandOffLost").status == "True");
  CHECK(condition(status, "HandOffLost").reason == "PodBoundElsewhere");
}

TEST_CASE("a claiming pod with other gates is pinned now but the guardian holds until they go",
          "[unit]") {
  const api::Ticket ticket = claimed_ticket(kClaimedAt);
  api::Pod pod = claiming_pod();
  pod.spec.scheduling_gates.push_back(api::PodSchedulingGate{"example.com/quota", {}});
  const auto p = plan(input(ticket, kClaimedAt + 2s, running_guardian(ticket), {pod}));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "PatchPod(HandOff)", "Event(HandOffStarted)"});
  api::Ticket recorded = ticket;
  recorded.status = written_status(p);
  CHECK(recorded.status.conditions.size() == 1);  // no HandOffLost yet: the guardian stays

  pod.spec.scheduling_gates.erase(pod.spec.scheduling_gates.begin());  // our patch applied
  const auto held = plan(input(recorded, kClaimedAt + 3s, running_guardian(ticket), {pod}));
  CHECK(held.actions.empty());

  pod.spec.scheduling_gates.clear();  // the other gate went
  const TimePoint now = kClaimedAt + 9s;
  const auto release = plan(input(recorded, now, running_guardian(ticket), {pod}));
  CHECK(kinds(release) == Kinds{"UpdateTicketStatus", "DeleteGuardian"});
  CHECK(condition(written_status(release), "HandOffLost").last_transition_time == now);
}

TEST_CASE("after the claim deadline the plan asks for a live LIST before deciding", "[unit]") {
  const api::Ticket ticket = claimed_ticket(kClaimedAt);
  const TimePoint now = kClaimedAt + 30s;
  TicketPlanInput in = input(ticket, now, running_guardian(ticket));
  const auto ask = plan(in);
  CHECK(kinds(ask) == Kinds{"VerifyClaimPodAbsent"});
  CHECK(first_of<VerifyClaimPodAbsent>(ask) ==
        VerifyClaimPodAbsent{"team-a", "korder.dev/ticket=web-3f9a1c2b7d4e", std::string(kToken)});

  SECTION("the live LIST finds no pod: the claim is released and the ticket is Ready again") {
    in.live_list_result = std::vector<api::Pod>{};
    const auto p = plan(in);
    CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "Event(ClaimReleased)"});
    const auto status = written_status(p);
    CHECK(status.phase == "Ready");
    CHECK_FALSE(status.claim.has_value());
    CHECK(condition(status, "Ready").reason == "GuardianRunning");
    CHECK(first_of<RecordEvent>(p) ==
          RecordEvent{"Normal", "ClaimReleased",
                      "released the claim of a pod with generateName team-a/web-: no pod with "
                      "the claim's token exists after the claim deadline 2026-03-01T10:20:30Z"});
  }
  SECTION("the live LIST finds the pod the cache had not seen: it is handed off") {
    in.live_list_result = std::vector<api::Pod>{claiming_pod()};
    const auto p = plan(in);
    CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "PatchPod(HandOff)", "DeleteGuardian",
                            "Event(HandOffStarted)"});
    CHECK(written_status(p).claim->pod_uid == "web-x7k2p-uid");
  }
  SECTION("a pod seen late in the cache is handed off without asking") {
    in.pods = {claiming_pod()};
    CHECK(kinds(plan(in)).front() == "UpdateTicketStatus");
  }
}

TEST_CASE("a claim without a deadline uses claimedAt plus the default deadline", "[unit]") {
  api::Ticket ticket = claimed_ticket(kClaimedAt);
  ticket.status.claim->deadline.reset();
  TicketPlanInput in = input(ticket, kClaimedAt + 10s, running_guardian(ticket));
  in.options.claim_deadline = 20s;
  CHECK(plan(in).requeue_after == std::chrono::nanoseconds(10s));
  in.now = kClaimedAt + 20s;
  CHECK(kinds(plan(in)) == Kinds{"VerifyClaimPodAbsent"});
}

TEST_CASE("expiry during a claim waits for the claim to resolve", "[unit]") {
  const TimePoint expiry = t0() + 1h;
  const api::Ticket ticket = claimed_ticket(expiry - 10s);  // deadline expiry + 20 s
  const auto waiting = plan(input(ticket, expiry + 5s, running_guardian(ticket)));
  CHECK(waiting.actions.empty());
  CHECK(waiting.requeue_after == std::chrono::nanoseconds(15s));

  SECTION("no pod came: the claim is released and the ticket expires") {
    TicketPlanInput in = input(ticket, expiry + 20s, running_guardian(ticket));
    in.live_list_result = std::vector<api::Pod>{};
    const auto p = plan(in);
    CHECK(kinds(p) ==
          Kinds{"UpdateTicketStatus", "DeleteGuardian", "Event(ClaimReleased)", "Event(Expired)"});
    const auto status = written_status(p);
    CHECK(status.phase == "Expired");
    CHECK_FALSE(status.claim.has_value());
  }
  SECTION("the pod came before the deadline: it is handed off after expiry") {
    const auto p = plan(input(ticket, expiry + 6s, running_guardian(ticket),
                              {gated_pod(kPod, kToken, expiry - 5s)}));
    CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "PatchPod(HandOff)", "DeleteGuardian",
                            "Event(HandOffStarted)"});
    CHECK(written_status(p).phase == "Ready");
  }
}

TEST_CASE("a hand-off in progress survives the ticket's expiry", "[unit]") {
  auto [ticket, pod] = hand_off(t0() + 1h - 5s);
  const auto p = plan(input(ticket, t0() + 1h + 1s, std::nullopt, {pod}));
  CHECK(p.actions.empty());
}

TEST_CASE("a claimed pod deleted before it was scheduled releases the claim after a live LIST",
          "[unit]") {
  auto [ticket, pod] = hand_off(kClaimedAt + 2s);
  TicketPlanInput in = input(ticket, kClaimedAt + 10s);  // the pod left the cache
  CHECK(kinds(plan(in)) == Kinds{"VerifyClaimPodAbsent"});
  in.live_list_result = std::vector<api::Pod>{};
  const auto p = plan(in);
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "CreateGuardian", "Event(ClaimReleased)",
                          "Event(GuardianLost)", "Event(GuardianCreated)"});
  const auto status = written_status(p);
  CHECK(status.phase == "Pending");
  CHECK_FALSE(status.claim.has_value());
  CHECK(find_condition(status.conditions, "HandOffLost") == nullptr);
  CHECK(first_of<RecordEvent>(p).message ==
        "released the claim of pod team-a/web-x7k2p: pod team-a/web-x7k2p was deleted before it "
        "was scheduled");
}

TEST_CASE("a guardian lost before the hand-off ends the claim and ungates its pod", "[unit]") {
  const api::Ticket ticket = claimed_ticket(kClaimedAt);
  const api::Pod pod = claiming_pod();
  const auto p = plan(input(ticket, kClaimedAt + 2s, std::nullopt, {pod}));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "CreateGuardian", "PatchPod(Ungate)",
                          "Event(ClaimReleased)", "Event(GuardianLost)", "Event(GuardianCreated)",
                          "Event(PodUngated)"});
  const auto status = written_status(p);
  CHECK(status.phase == "Pending");
  CHECK_FALSE(status.claim.has_value());
  const std::string why =
      "ticket web-3f9a1c2b7d4e released the claim: the ticket lost its capacity before the "
      "hand-off: guardian pod web-3f9a1c2b7d4e-guardian was deleted";
  CHECK(first_of<PatchPod>(p) ==
        PatchPod{PodPatchKind::Ungate, "team-a", kPod, ungate_patch(pod, why)});
}

TEST_CASE("a gated pod whose token matches no claim is ungated after the claim deadline",
          "[unit]") {
  const api::Ticket ticket = claimed_ticket(kClaimedAt);
  const TimePoint now = kClaimedAt + 2s;
  const api::Pod stray = gated_pod("web-zz9", "tok-other", now - 31s);
  const api::Pod young = gated_pod("web-yy8", "tok-other", now - 5s);
  const auto p = plan(input(ticket, now, running_guardian(ticket), {stray, young}));
  CHECK(kinds(p) == Kinds{"PatchPod(Ungate)", "Event(PodUngated)"});
  const std::string why =
      "the pod's claim token does not match the claim on ticket web-3f9a1c2b7d4e";
  CHECK(first_of<PatchPod>(p) ==
        PatchPod{PodPatchKind::Ungate, "team-a", "web-zz9", ungate_patch(stray, why)});
  CHECK(first_of<RecordEvent>(p).message ==
        "removed the scheduling gate korder.dev/ticket from pod team-a/web-zz9: " + why);
  CHECK(p.requeue_after == std::chrono::nanoseconds(25s));  // the young pod's grace ends

  SECTION("without any claim the annotation says so") {
    const api::Ticket unclaimed = testing::ready_ticket();
    const auto q = plan(input(unclaimed, now, running_guardian(unclaimed), {stray}));
    CHECK(first_of<PatchPod>(q).json_patch ==
          ungate_patch(stray, "ticket web-3f9a1c2b7d4e has no claim for this pod"));
  }
}

TEST_CASE("a second pod with the claim's token is ungated, the claim's pod handed off", "[unit]") {
  const api::Ticket ticket = claimed_ticket(kClaimedAt);
  const TimePoint now = kClaimedAt + 40s;
  const api::Pod first = gated_pod("web-aaa", kToken, kClaimedAt + 1s);
  const api::Pod copy = gated_pod("web-bbb", kToken, kClaimedAt + 2s);
  const auto p = plan(input(ticket, now, running_guardian(ticket), {copy, first}));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "PatchPod(HandOff)", "DeleteGuardian",
                          "PatchPod(Ungate)", "Event(HandOffStarted)", "Event(PodUngated)"});
  CHECK(written_status(p).claim->pod_name == "web-aaa");
  REQUIRE(actions_of<PatchPod>(p).size() == 2);
  CHECK(actions_of<PatchPod>(p)[1].name == "web-bbb");
}

TEST_CASE("a finished ticket ungates gated pods at once", "[unit]") {
  api::Ticket ticket = testing::ready_ticket();
  ticket.status.phase = "Expired";
  const TimePoint now = t0() + 2h;
  const api::Pod pod = gated_pod("web-late", "tok-late", now - 1s);
  const auto p = plan(input(ticket, now, std::nullopt, {pod}));
  CHECK(first_of<PatchPod>(p).json_patch ==
        ungate_patch(pod, "ticket web-3f9a1c2b7d4e is already Expired"));
}

TEST_CASE("a Pending ticket with a claim releases it and ungates its pod", "[unit]") {
  api::Ticket ticket = claimed_ticket(kClaimedAt);
  ticket.status.phase = "Pending";
  const auto p =
      plan(input(ticket, kClaimedAt + 2s, testing::guardian_of(ticket), {claiming_pod()}));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "PatchPod(Ungate)", "Event(ClaimReleased)",
                          "Event(PodUngated)"});
  CHECK_FALSE(written_status(p).claim.has_value());
}

TEST_CASE("pods of other tickets, other namespaces or being deleted are never touched", "[unit]") {
  const api::Ticket ticket = claimed_ticket(kClaimedAt);
  api::Pod other_ticket = gated_pod("a", "tok-x", t0());
  other_ticket.metadata.labels["korder.dev/ticket"] = "web-000000000000";
  api::Pod other_namespace = gated_pod("b", kToken, t0());
  other_namespace.metadata.namespace_ = "team-b";
  api::Pod deleting = gated_pod("c", "tok-x", t0());
  deleting.metadata.deletion_timestamp = t0() + 1s;
  const auto p = plan(input(ticket, kClaimedAt + 2s, running_guardian(ticket),
                            {other_ticket, other_namespace, deleting}));
  CHECK(p.actions.empty());
}

}  // namespace
}  // namespace korder::ticket
