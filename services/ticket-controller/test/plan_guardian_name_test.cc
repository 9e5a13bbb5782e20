// A pod that is not korder's guardian holding a ticket's guardian name (`<ticket>-guardian`):
// reported on the ticket (condition and event GuardianNameTaken naming the pod), never deleted,
// looked at again with backoff; the guardian is created once the name is free.

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "plan.h"
#include "pod_state.h"
#include "support/fixtures.h"
#include "ticket_names.h"

namespace korder::ticket {
namespace {

using namespace std::chrono_literals;
using testing::condition;
using testing::input;
using testing::kinds;
using testing::new_ticket;
using testing::ready_ticket;
using testing::t0;
using testing::written_status;
using Kinds = std::vector<std::string>;

const std::string kGuardian = guardian_pod_name(testing::kTicketName);

// Someone's pod that happens to be called `<ticket>-guardian`.
api::Pod unrelated_pod() {
  api::Pod pod;
  pod.metadata.namespace_ = std::string(testing::kNamespace);
  pod.metadata.name = kGuardian;
  pod.metadata.uid = "someone-elses-uid";
  pod.metadata.labels = {{"app", "batch"}};
  return pod;
}

struct Foreign {
  const char* what;
  api::Pod pod;
  std::string why;
};

std::vector<Foreign> foreign_pods(const api::Ticket& ticket) {
  api::Pod other_ticket = testing::running_guardian(ticket);
  other_ticket.metadata.labels[std::string(kLabelTicket)] = "other-ticket";
  other_ticket.metadata.owner_references[0].uid = "other-ticket-uid";
  api::Pod not_owned = testing::guardian_of(ticket);
  not_owned.metadata.owner_references.clear();
  not_owned.metadata.uid = "copied-guardian-uid";
  return {
      {"an unlabelled pod", unrelated_pod(), "it has no label korder.dev/role=guardian"},
      {"another ticket's guardian", other_ticket,
       "its label korder.dev/ticket is other-ticket, not web-3f9a1c2b7d4e"},
      {"a guardian look-alike no Ticket controls", not_owned,
       "it has no controller ownerReference of kind Ticket"},
  };
}

std::string taken_message(const std::string& why) {
  return "pod " + kGuardian + " is not this ticket's guardian (" + why +
         "); delete or rename it so the guardian can be created";
}

TEST_CASE(
    "a foreign pod under the guardian's name is reported, left alone and retried with "
    "backoff",
    "[unit]") {
  api::Ticket ticket = new_ticket();
  for (const auto& foreign : foreign_pods(ticket)) {
    DYNAMIC_SECTION(foreign.what) {
      const TimePoint now = t0() + 5s;
      const auto p = plan(input(ticket, now, foreign.pod));
      CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "Event(GuardianNameTaken)"});
      CHECK(p.backoff);
      const auto status = written_status(p);
      CHECK(status.phase == "Pending");
      const auto ready = condition(status, "Ready");
      CHECK(ready.status == "False");
      CHECK(ready.reason == "GuardianNameTaken");
      CHECK(ready.message == taken_message(foreign.why));
      CHECK(testing::first_of<RecordEvent>(p) ==
            RecordEvent{"Warning", "GuardianNameTaken", taken_message(foreign.why)});

      // The status landed: the next looks write nothing and say nothing again, still backing off.
      ticket.status = status;
      const auto again = plan(input(ticket, now + 1min, foreign.pod));
      CHECK(again.actions.empty());
      CHECK(again.backoff);
    }
  }
}

TEST_CASE("once the foreign pod is gone the guardian is created and the backoff ends", "[unit]") {
  api::Ticket ticket = new_ticket();
  ticket.status = written_status(plan(input(ticket, t0() + 5s, unrelated_pod())));
  const auto p = plan(input(ticket, t0() + 10s));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "CreateGuardian", "Event(GuardianCreated)"});
  CHECK_FALSE(p.backoff);
  CHECK(condition(written_status(p), "Ready").reason == "GuardianPending");
}

TEST_CASE("a Ready ticket whose guardian name a foreign pod took goes Pending without deleting it",
          "[unit]") {
  const api::Ticket ticket = ready_ticket();
  const auto p = plan(input(ticket, t0() + 20min, unrelated_pod()));
  CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "Event(GuardianLost)", "Event(GuardianNameTaken)"});
  CHECK(p.backoff);
  const auto status = written_status(p);
  CHECK(status.phase == "Pending");
  CHECK(status.node_name.empty());
  CHECK(condition(status, "Ready").reason == "GuardianNameTaken");
}

TEST_CASE("an expiring or deleted ticket never deletes a foreign pod under its guardian's name",
          "[unit]") {
  SECTION("expiry") {
    api::Ticket ticket = new_ticket();
    ticket.status = written_status(plan(input(ticket, t0() + 5s, unrelated_pod())));
    const auto p = plan(input(ticket, t0() + 1h, unrelated_pod()));
    CHECK(kinds(p) == Kinds{"UpdateTicketStatus", "Event(Expired)"});
    CHECK(testing::first_of<RecordEvent>(p).message ==
          "the ticket expired at 2026-03-01T11:00:00Z");
  }
  SECTION("deletion: the finalizer goes without waiting for the pod") {
    api::Ticket ticket = new_ticket();
    ticket.metadata.deletion_timestamp = t0() + 1min;
    const auto p = plan(input(ticket, t0() + 1min, unrelated_pod()));
    CHECK(kinds(p) == Kinds{"RemoveFinalizer"});
  }
  SECTION("an earlier ticket's leftover guardian of the same name is still deleted") {
    const api::Ticket ticket = new_ticket();
    api::Pod leftover = testing::running_guardian(ticket);
    leftover.metadata.owner_references[0].uid = "an-older-ticket";
    CHECK_FALSE(foreign_guardian_why(leftover, ticket).has_value());
    const auto p = plan(input(ticket, t0() + 5s, leftover));
    CHECK(testing::actions_of<DeleteGuardian>(p).size() == 1);
    CHECK_FALSE(p.backoff);
  }
}

}  // namespace
}  // namespace korder::ticket
