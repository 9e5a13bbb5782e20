#include "support/fixtures.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <utility>
#include <variant>

#include "conditions.h"
#include "guardian_builder.h"
#include "korder/api/time.h"
#include "pod_state.h"
#include "support/json_patch_apply.h"
#include "ticket_names.h"

namespace korder::ticket::testing {

using std::chrono::seconds;

TimePoint at(std::string_view rfc3339) {
  auto parsed = api::parse_rfc3339(rfc3339);
  REQUIRE(parsed.has_value());
  return *parsed;
}

// Computed without REQUIRE: tests use it in namespace-scope constants, before Catch2 runs.
TimePoint t0() {
  using namespace std::chrono;
  return sys_days{year{2026} / March / 1} + hours(10);
}

api::Quantity q(std::string_view text) {
  auto parsed = api::Quantity::parse(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

api::Ticket new_ticket() {
  api::Ticket ticket;
  ticket.api_version = "core.korder.dev/v1alpha1";
  ticket.kind = "Ticket";
  auto& meta = ticket.metadata;
  meta.name = std::string(kTicketName);
  meta.namespace_ = std::string(kNamespace);
  meta.uid = std::string(kTicketUid);
  meta.resource_version = "41";
  meta.generation = 1;
  meta.creation_timestamp = t0();
  meta.labels = {{"korder.dev/order", "web"}, {"korder.dev/slot", "r0"}};
  meta.finalizers = {std::string(kFinalizer)};
  ticket.spec.duration = "1h";
  ticket.spec.resources.requests = {{"cpu", q("500m")}, {"memory", q("1Gi")}};
  return ticket;
}

api::Ticket ready_ticket() {
  api::Ticket ticket = new_ticket();
  auto& status = ticket.status;
  status.phase = "Ready";
  status.node_name = std::string(kNode);
  status.guardian_pod = guardian_pod_name(kTicketName);
  status.activation_time = t0() + seconds(10);
  status.expiration_time = t0() + std::chrono::hours(1);
  status.observed_generation = 1;
  set_condition(
      status.conditions, TicketCondition::Ready, "True", TicketReason::GuardianRunning,
      "guardian pod " + status.guardian_pod + " holds the capacity on node " + std::string(kNode),
      1, t0() + seconds(10));
  return ticket;
}

api::Ticket claimed_ticket(TimePoint claimed_at) {
  api::Ticket ticket = ready_ticket();
  api::TicketClaim claim;
  claim.token = std::string(kToken);
  claim.pod_namespace = std::string(kNamespace);
  claim.pod_generate_name = "web-";
  claim.claimed_at = claimed_at;
  claim.deadline = claimed_at + seconds(30);
  ticket.status.claim = claim;
  return ticket;
}

api::Pod guardian_of(const api::Ticket& ticket) {
  api::Pod pod = build_guardian_pod(ticket, kDefaultGuardianImage);
  pod.metadata.uid = "guardian-uid";
  pod.metadata.resource_version = "10";
  pod.metadata.creation_timestamp = t0();
  pod.status.phase = "Pending";
  return pod;
}

api::Pod running_guardian(const api::Ticket& ticket, std::string_view node) {
  api::Pod pod = guardian_of(ticket);
  pod.spec.node_name = std::string(node);
  pod.status.phase = "Running";
  api::PodCondition ready;
  ready.type = "Ready";
  ready.status = "True";
  pod.status.conditions.push_back(ready);
  return pod;
}

api::Pod gated_pod(std::string_view name, std::string_view token, TimePoint created) {
  api::Pod pod;
  pod.api_version = "v1";
  pod.kind = "Pod";
  pod.metadata.name = std::string(name);
  pod.metadata.generate_name = "web-";
  pod.metadata.namespace_ = std::string(kNamespace);
  pod.metadata.uid = std::string(name) + "-uid";
  pod.metadata.resource_version = "500";
  pod.metadata.creation_timestamp = created;
  pod.metadata.labels = {{"app", "web"}, {std::string(kLabelTicket), std::string(kTicketName)}};
  pod.metadata.annotations = {{"korder.dev/required", "true"},
                              {std::string(kAnnotationClaimToken), std::string(token)}};
  api::Container container;
  container.name = "web";
  container.image = "nginx:1.27";
  container.resources.requests = {{"cpu", q("500m")}, {"memory", q("1Gi")}};
  pod.spec.containers.push_back(container);
  pod.spec.scheduling_gates.push_back(api::PodSchedulingGate{std::string(kSchedulingGate), {}});
  pod.status.phase = "Pending";
  return pod;
}

TicketPlanInput input(const api::Ticket& ticket, TimePoint now, std::optional<api::Pod> guardian,
                      std::vector<api::Pod> pods) {
  TicketPlanInput in;
  in.ticket = ticket;
  in.now = now;
  in.guardian = std::move(guardian);
  in.pods = std::move(pods);
  return in;
}

std::vector<std::string> kinds(const TicketPlan& plan) {
  std::vector<std::string> out;
  for (const auto& action : plan.actions) {
    out.push_back(std::visit(
        [](const auto& a) -> std::string {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, AddFinalizer>) {
            return "AddFinalizer";
          } else if constexpr (std::is_same_v<T, VerifyClaimPodAbsent>) {
            return "VerifyClaimPodAbsent";
          } else if constexpr (std::is_same_v<T, UpdateTicketStatus>) {
            return "UpdateTicketStatus";
          } else if constexpr (std::is_same_v<T, PatchPod>) {
            return a.kind == PodPatchKind::HandOff ? "PatchPod(HandOff)" : "PatchPod(Ungate)";
          } else if constexpr (std::is_same_v<T, DeleteGuardian>) {
            return "DeleteGuardian";
          } else if constexpr (std::is_same_v<T, CreateGuardian>) {
            return "CreateGuardian";
          } else if constexpr (std::is_same_v<T, DeleteTicket>) {
            return "DeleteTicket";
          } else if constexpr (std::is_same_v<T, RemoveFinalizer>) {
            return "RemoveFinalizer";
          } else {
            return "Event(" + a.reason + ")";
          }
        },
        action));
  }
  return out;
}

api::TicketStatus written_status(const TicketPlan& plan) {
  const auto writes = actions_of<UpdateTicketStatus>(plan);
  REQUIRE(writes.size() == 1);
  return writes.front().status;
}

api::Condition condition(const api::TicketStatus& status, std::string_view type) {
  const auto* found = find_condition(status.conditions, type);
  INFO("condition " << type);
  REQUIRE(found != nullptr);
  return *found;
}

// ---- World ------------------------------------------------------------------------------------

TicketPlanInput World::input() const {
  TicketPlanInput in = testing::input(ticket, now, guardian, pods);
  in.node_removed = node_removed;
  in.options = options;
  return in;
}

TicketPlan World::reconcile() {
  REQUIRE_FALSE(ticket_gone);
  TicketPlan result = plan(input());
  if (!actions_of<VerifyClaimPodAbsent>(result).empty()) {
    REQUIRE(result.actions.size() == 1);
    TicketPlanInput live = input();
    live.live_list_result = pods;
    result = plan(live);
    REQUIRE(actions_of<VerifyClaimPodAbsent>(result).empty());
  }
  apply(result);
  return result;
}

namespace {

template <typename T, typename Parse>
T patched(const T& object, const std::string& patch, Parse parse) {
  auto applied = apply_json_patch(api::to_json(object), patch);
  INFO("patch " << patch);
  if (!applied) {
    FAIL(applied.error());
  }
  auto decoded = parse(*applied);
  REQUIRE(decoded.has_value());
  return *decoded;
}

}  // namespace

void World::apply(const TicketPlan& plan) {
  for (const auto& action : plan.actions) {
    if (const auto* a = std::get_if<AddFinalizer>(&action)) {
      ticket = patched(ticket, a->json_patch, api::parse_ticket);
    } else if (const auto* r = std::get_if<RemoveFinalizer>(&action)) {
      ticket = patched(ticket, r->json_patch, api::parse_ticket);
      ticket_gone = ticket.metadata.deletion_timestamp && ticket.metadata.finalizers.empty();
    } else if (const auto* s = std::get_if<UpdateTicketStatus>(&action)) {
      ticket.status = s->status;
    } else if (const auto* p = std::get_if<PatchPod>(&action)) {
      api::Pod& target = pod(p->name);
      target = patched(target, p->json_patch, api::parse_pod);
      target.metadata.resource_version += "1";
    } else if (const auto* d = std::get_if<DeleteGuardian>(&action)) {
      REQUIRE(guardian.has_value());
      REQUIRE(d->uid == guardian->metadata.uid);
      REQUIRE(d->grace_period_seconds == 0);
      guardian.reset();
    } else if (const auto* c = std::get_if<CreateGuardian>(&action)) {
      REQUIRE_FALSE(guardian.has_value());
      guardian = c->pod;
      guardian->metadata.uid = "guardian-uid-" + std::to_string(++guardians_created);
      guardian->metadata.resource_version = "1";
      guardian->metadata.creation_timestamp = now;
      guardian->status.phase = "Pending";
    } else if (const auto* t = std::get_if<DeleteTicket>(&action)) {
      REQUIRE(t->uid == ticket.metadata.uid);
      ticket.metadata.deletion_timestamp = now;
      ticket_gone = ticket.metadata.finalizers.empty();
    } else if (const auto* e = std::get_if<RecordEvent>(&action)) {
      events.push_back(*e);
    } else {
      FAIL("unexpected action");
    }
  }
}

int World::converge(int max_steps) {
  for (int step = 0; step < max_steps; ++step) {
    if (ticket_gone || reconcile().actions.empty()) {
      return step;
    }
  }
  FAIL("no convergence after " << max_steps << " plans");
  return max_steps;
}

void World::run_guardian(std::string_view node) {
  REQUIRE(guardian.has_value());
  const auto uid = guardian->metadata.uid;
  guardian = running_guardian(ticket, node);
  guardian->metadata.uid = uid;
}

void World::bind(std::string_view name, std::string_view node) {
  api::Pod& target = pod(name);
  REQUIRE(target.spec.scheduling_gates.empty());
  target.spec.node_name = std::string(node);
}

api::Pod& World::pod(std::string_view name) {
  for (auto& p : pods) {
    if (p.metadata.name == name) {
      return p;
    }
  }
  FAIL("no pod " << name);
  return pods.front();
}

}  // namespace korder::ticket::testing
