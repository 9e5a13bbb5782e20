// The rows of DESIGN.md §3's writer table that involve no claim: Pending, Ready, Expired,
// guardian loss, TTL, plus the finalizer's addition and an invalid spec.

#include <catch2/catch.hpp>
#include <chrono>

#include "guardian_builder.h"
#include "plan.h"
#include "pod_patches.h"
#include "support/fixtures.h"

namespace korder::ticket {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::condition;
using testing::input;
using testing::kinds;
using testing::new_ticket;
using testing::ready_ticket;
using testing::running_guardian;
using testing::t0;
using testing::written_status;
using Kinds = std::vector<std::string>;

TEST_CASE("a ticket without the finalizer gets it first and nothing else", "[unit]") {
  api::Ticket ticket = new_ticket();
  ticket.metadata.finalizers.clear();
  const auto p = plan(input(ticket, t0() + 1s));
  CHECK(kinds(p) == Kinds{"AddFinalizer"});
  CHECK(std::get<AddFinalizer>(p.actions[0]).json_patch == add_finalizer_patch(ticket.metadata));
  CHECK_FALSE(p.requeue_after.has_value());
}

TEST_CASE("a ticket whose window has not opened stays Pending without a guardian", "[unit]") {
  api::Ticket ticket = new_ticket();
  ticket.spec.window.emplace().start_time = at("2026-03-01T12:00:00Z");
  const TimePoint now = t0() + 60s;
  const auto p = plan(input(ticket, now));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus"});
  const auto status = written_status(p);
  CHECK(status.phase == "Pending");
  CHECK(status.expiration_time == at("2026-03-01T13:00:00Z"));
  CHECK(status.observed_generation == 1);
  const auto ready = condition(status, "Ready");
  CHECK(ready.status == "False");
  CHECK(ready.reason == "WindowNotOpen");
  CHECK(ready.message == "the ticket's window opens at 2026-03-01T12:00:00Z");
  CHECK(ready.last_transition_time == now);
  CHECK(ready.observed_generation == 1);
  CHECK(p.requeue_after == std::chrono::nanoseconds(at("2026-03-01T12:00:00Z") - now));

  ticket.status = status;  // the status write landed: only the requeue remains
  const auto again = plan(input(ticket, now + 5min));
  CHECK(again.actions.empty());
  CHECK(again.requeue_after == std::chrono::nanoseconds(at("2026-03-01T12:00:00Z") - now - 5min));
}

TEST_CASE("a ticket whose window is open creates its guardian", "[unit]") {
  api::Ticket ticket = new_ticket();
  TicketPlanInput in = input(ticket, t0() + 1s);
  in.options.guardian_image = "mirror.example.com/pause:3.10";
  const auto p = plan(in);
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "CreateGuardian", "Event(GuardianCreated)"});
  const auto status = written_status(p);
  CHECK(status.phase == "Pending");
  CHECK(status.expiration_time == t0() + 1h);
  CHECK(condition(status, "Ready").reason == "GuardianPending");
  CHECK(condition(status, "Ready").message ==
        "waiting for guardian pod web-3f9a1c2b7d4e-guardian to be scheduled");
  CHECK(testing::first_of<CreateGuardian>(p).pod ==
        build_guardian_pod(ticket, "mirror.example.com/pause:3.10"));
  CHECK(testing::first_of<RecordEvent>(p) ==
        RecordEvent{"Normal", "GuardianCreated", "created guardian pod web-3f9a1c2b7d4e-guardian"});
  CHECK(p.requeue_after == std::chrono::nanoseconds(1h - 1s));
}

TEST_CASE("expiration is fixed once: window start or creation plus duration, rounded up",
          "[unit]") {
  struct Case {
    const char* what;
    std::string duration;
    std::optional<TimePoint> window_start;
    TimePoint want;
  };
  const Case cases[] = {
      {"creation + 1h", "1h", std::nullopt, t0() + 1h},
      {"window start + 1h30m", "1h30m", at("2026-03-01T09:45:00Z"), at("2026-03-01T11:15:00Z")},
      {"a fraction of a second rounds up", "1.5s", std::nullopt, t0() + 2s},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.what) {
      api::Ticket ticket = new_ticket();
      ticket.spec.duration = c.duration;
      if (c.window_start) {
        ticket.spec.window.emplace().start_time = c.window_start;
      }
      CHECK(written_status(plan(input(ticket, t0()))).expiration_time == c.want);
    }
  }
  SECTION("a recorded expiration is never recomputed") {
    api::Ticket ticket = new_ticket();
    ticket.status.expiration_time = t0() + 5h;
    const auto status = written_status(plan(input(ticket, t0())));
    CHECK(status.expiration_time == t0() + 5h);
  }
}

TEST_CASE("a ticket with an invalid duration says so once and holds nothing", "[unit]") {
  api::Ticket ticket = new_ticket();
  ticket.spec.duration = "3x";
  const auto p = plan(input(ticket, t0()));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "Event(InvalidSpec)"});
  const auto status = written_status(p);
  CHECK(status.phase == "Pending");
  CHECK_FALSE(status.expiration_time.has_value());
  CHECK(condition(status, "Ready").reason == "InvalidSpec");
  CHECK(condition(status, "Ready").message ==
        R"(spec.duration: time: unknown unit "x" in duration "3x")");
  ticket.status = status;
  CHECK(plan(input(ticket, t0() + 1min)).actions.empty());
}

TEST_CASE("a guardian Running and Ready makes a Pending ticket Ready", "[unit]") {
  api::Ticket ticket = new_ticket();
  ticket.status = written_status(plan(input(ticket, t0())));
  const TimePoint now = t0() + 10s + 700ms;
  const auto p = plan(input(ticket, now, running_guardian(ticket)));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "Event(Ready)"});
  const auto status = written_status(p);
  CHECK(status.phase == "Ready");
  CHECK(status.node_name == "node-a");
  CHECK(status.guardian_pod == "web-3f9a1c2b7d4e-guardian");
  CHECK(status.activation_time == t0() + 10s);  // metav1.Time keeps whole seconds
  CHECK(status.expiration_time == t0() + 1h);
  const auto ready = condition(status, "Ready");
  CHECK(ready.status == "True");
  CHECK(ready.reason == "GuardianRunning");
  CHECK(ready.message ==
        "guardian pod web-3f9a1c2b7d4e-guardian holds the capacity on node node-a");
  CHECK(ready.last_transition_time == t0() + 10s);
  CHECK(p.requeue_after == std::chrono::nanoseconds(t0() + 1h - now));
}

TEST_CASE("a guardian not yet running keeps the ticket Pending with the scheduler's reason",
          "[unit]") {
  api::Ticket ticket = new_ticket();
  ticket.status = written_status(plan(input(ticket, t0())));
  api::Pod guardian = testing::guardian_of(ticket);
  SECTION("unschedulable") {
    api::PodCondition scheduled;
    scheduled.type = "PodScheduled";
    scheduled.status = "False";
    scheduled.reason = "Unschedulable";
    scheduled.message = "0/3 nodes are available: 3 Insufficient cpu.";
    guardian.status.conditions.push_back(scheduled);
    const auto p = plan(input(ticket, t0() + 5s, guardian));
    CHECK(kinds(p) == Kinds{"UpdateTicketStatus"});
    CHECK(condition(written_status(p), "Ready").message ==
          "guardian pod web-3f9a1c2b7d4e-guardian is not scheduled: 0/3 nodes are available: 3 "
          "Insufficient cpu.");
  }
  SECTION("bound, not yet ready") {
    guardian.spec.node_name = "node-a";
    const auto status = written_status(plan(input(ticket, t0() + 5s, guardian)));
    CHECK(status.phase == "Pending");
    CHECK(condition(status, "Ready").message ==
          "waiting for guardian pod web-3f9a1c2b7d4e-guardian on node node-a to become ready");
  }
  SECTION("just created: nothing to write") {
    CHECK(plan(input(ticket, t0() + 5s, guardian)).actions.empty());
  }
}

TEST_CASE("a Ready ticket without a claim expires at exactly its expirationTime", "[unit]") {
  const api::Ticket ticket = ready_ticket();
  const TimePoint expiry = t0() + 1h;
  const auto before = plan(input(ticket, expiry - 1ns, running_guardian(ticket)));
  CHECK(before.actions.empty());
  CHECK(before.requeue_after == 1ns);

  const auto p = plan(input(ticket, expiry, running_guardian(ticket)));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "DeleteGuardian", "Event(Expired)"});
  const auto status = written_status(p);
  CHECK(status.phase == "Expired");
  CHECK(status.node_name == "node-a");  // kept: where the capacity was held
  CHECK(condition(status, "Ready").status == "False");
  CHECK(condition(status, "Ready").reason == "Expired");
  CHECK(condition(status, "Finished").status == "True");
  CHECK(condition(status, "Finished").last_transition_time == expiry);
  CHECK(testing::first_of<DeleteGuardian>(p) ==
        DeleteGuardian{"team-a", "web-3f9a1c2b7d4e-guardian", "guardian-uid", 0});
  CHECK(testing::first_of<RecordEvent>(p).message ==
        "the ticket expired at 2026-03-01T11:00:00Z; deleting guardian pod "
        "web-3f9a1c2b7d4e-guardian");
  CHECK(p.requeue_after == std::chrono::nanoseconds(3600s));  // the default TTL
}

TEST_CASE("a Pending ticket whose expiration passes expires and drops its guardian", "[unit]") {
  api::Ticket ticket = new_ticket();
  ticket.status = written_status(plan(input(ticket, t0())));
  const auto p = plan(input(ticket, t0() + 1h, testing::guardian_of(ticket)));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "DeleteGuardian", "Event(Expired)"});
  CHECK(written_status(p).phase == "Expired");
}

TEST_CASE("a lost guardian sends a Ready ticket back to Pending and is recreated", "[unit]") {
  const api::Ticket ticket = ready_ticket();
  const TimePoint now = t0() + 20min;
  struct Case {
    const char* what;
    std::optional<api::Pod> guardian;
    bool node_removed;
    Kinds want;
    std::string event;
  };
  api::Pod failed = running_guardian(ticket);
  failed.status.phase = "Failed";
  failed.status.reason = "Evicted";
  failed.status.message = "The node was low on resource: memory.";
  api::Pod deleting = running_guardian(ticket);
  deleting.metadata.deletion_timestamp = now - 1s;
  api::Pod elsewhere = running_guardian(ticket, "node-b");
  api::Pod foreign = running_guardian(ticket);
  foreign.metadata.owner_references[0].uid = "an-older-ticket";
  const std::string g = "guardian pod web-3f9a1c2b7d4e-guardian";
  const Case cases[] = {
      {"deleted", std::nullopt, false,
       Kinds{"UpdateTicketStatus", "CreateGuardian", "Event(GuardianLost)",
             "Event(GuardianCreated)"},
       g + " was deleted; recreating it"},
      {"evicted", failed, false,
       Kinds{"UpdateTicketStatus", "DeleteGuardian", "Event(GuardianLost)"},
       g + " failed: Evicted: The node was low on resource: memory.; recreating it"},
      {"being deleted (preempted)", deleting, false,
       Kinds{"UpdateTicketStatus", "Event(GuardianLost)"}, g + " is being deleted; recreating it"},
      {"its node removed", running_guardian(ticket), true,
       Kinds{"UpdateTicketStatus", "DeleteGuardian", "Event(GuardianLost)"},
       "node node-a of " + g + " was removed; recreating it"},
      {"on another node", elsewhere, false,
       Kinds{"UpdateTicketStatus", "DeleteGuardian", "Event(GuardianLost)"},
       g + " runs on node node-b, not on the ticket's node node-a; recreating it"},
      {"owned by another ticket", foreign, false,
       Kinds{"UpdateTicketStatus", "DeleteGuardian", "Event(GuardianLost)"},
       "pod web-3f9a1c2b7d4e-guardian belongs to another ticket; recreating it"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.what) {
      TicketPlanInput in = input(ticket, now, c.guardian);
      in.node_removed = c.node_removed;
      const auto p = plan(in);
      CHECK(kinds(p) == c.want);
      const auto status = written_status(p);
      CHECK(status.phase == "Pending");
      CHECK(status.node_name.empty());
      CHECK(status.guardian_pod.empty());
      CHECK_FALSE(status.activation_time.has_value());
      CHECK(status.expiration_time == t0() + 1h);
      CHECK(condition(status, "Ready").status == "False");
      CHECK(condition(status, "Ready").reason == "GuardianPending");
      CHECK(condition(status, "Ready").last_transition_time == now);
      const auto events = testing::actions_of<RecordEvent>(p);
      CHECK(events[0] == RecordEvent{"Warning", "GuardianLost", c.event});
    }
  }
}

TEST_CASE("a Ready ticket whose guardian is Running but not Ready keeps its capacity", "[unit]") {
  const api::Ticket ticket = ready_ticket();
  api::Pod guardian = running_guardian(ticket);
  guardian.status.conditions[0].status = "False";  // e.g. its node stopped reporting
  const auto p = plan(input(ticket, t0() + 20min, guardian));
  CHECK(p.actions.empty());
  CHECK(p.requeue_after == std::chrono::nanoseconds(40min));
}

api::Ticket finished_ticket(std::string_view phase, TimePoint finished_at) {
  api::Ticket ticket = ready_ticket();
  ticket.status.phase = std::string(phase);
  ticket.status.conditions.clear();
  api::Condition ready{"Ready", "False", 1, finished_at, std::string(phase), "x", {}};
  api::Condition finished{"Finished", "True", 1, finished_at, std::string(phase), "x", {}};
  ticket.status.conditions = {ready, finished};
  return ticket;
}

TEST_CASE("a finished ticket is deleted ttlSecondsAfterFinished later under Delete", "[unit]") {
  const TimePoint finished = t0() + 1h;
  for (const std::string phase : {"Expired", "Claimed"}) {
    DYNAMIC_SECTION(phase << " with the default TTL of 3600 s") {
      const api::Ticket ticket = finished_ticket(phase, finished);
      const auto early = plan(input(ticket, finished + 3599s));
      CHECK(early.actions.empty());
      CHECK(early.requeue_after == std::chrono::nanoseconds(1s));
      const auto due = plan(input(ticket, finished + 3600s));
      CHECK(kinds(due) == Kinds{"DeleteTicket"});
      CHECK(testing::first_of<DeleteTicket>(due) ==
            DeleteTicket{"team-a", "web-3f9a1c2b7d4e", "8a6f3c52-ticket"});
    }
  }
  SECTION("an explicit TTL") {
    api::Ticket ticket = finished_ticket("Expired", finished);
    ticket.spec.lifecycle.emplace().ttl_seconds_after_finished = 60;
    ticket.spec.lifecycle->cleanup_policy = "Delete";
    CHECK(plan(input(ticket, finished + 59s)).actions.empty());
    CHECK(kinds(plan(input(ticket, finished + 60s))) == Kinds{"DeleteTicket"});
  }
}

TEST_CASE("a finished ticket under Retain is kept forever", "[unit]") {
  api::Ticket ticket = finished_ticket("Expired", t0() + 1h);
  ticket.spec.lifecycle.emplace().cleanup_policy = "Retain";
  ticket.spec.lifecycle->ttl_seconds_after_finished = 0;
  const auto p = plan(input(ticket, t0() + 1000h));
  CHECK(p.actions.empty());
  CHECK_FALSE(p.requeue_after.has_value());
}

TEST_CASE("a TTL of 0 deletes the ticket in the plan that finishes it", "[unit]") {
  api::Ticket ticket = ready_ticket();
  ticket.spec.lifecycle.emplace().ttl_seconds_after_finished = 0;
  const auto p = plan(input(ticket, t0() + 1h, running_guardian(ticket)));
  CHECK(kinds(p) ==
        Kinds{"UpdateTicketStatus", "DeleteGuardian", "DeleteTicket", "Event(Expired)"});
}

TEST_CASE("a finished ticket without a Finished condition starts its TTL now", "[unit]") {
  api::Ticket ticket = ready_ticket();
  ticket.status.phase = "Claimed";
  const TimePoint now = t0() + 2h;
  const auto p = plan(input(ticket, now));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus"});
  const auto status = written_status(p);
  CHECK(condition(status, "Finished").last_transition_time == now);
  CHECK(condition(status, "Ready").status == "False");
  CHECK(condition(status, "Ready").reason == "Claimed");
  CHECK(p.requeue_after == std::chrono::nanoseconds(3600s));
}

TEST_CASE("a finished ticket's leftover guardian is deleted", "[unit]") {
  const api::Ticket ticket = finished_ticket("Claimed", t0() + 30min);
  const auto p = plan(input(ticket, t0() + 31min, running_guardian(ticket)));
  CHECK(kinds(p) == Kinds{"DeleteGuardian"});
}

TEST_CASE("observedGeneration follows metadata.generation", "[unit]") {
  api::Ticket ticket = ready_ticket();
  ticket.metadata.generation = 4;
  const auto status = written_status(plan(input(ticket, t0() + 1min, running_guardian(ticket))));
  CHECK(status.observed_generation == 4);
  CHECK(condition(status, "Ready").observed_generation == 4);
  CHECK(condition(status, "Ready").last_transition_time == t0() + 10s);  // status unchanged
}

}  // namespace
}  // namespace korder::ticket
