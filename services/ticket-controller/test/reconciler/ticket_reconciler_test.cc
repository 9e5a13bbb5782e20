#include "ticket_reconciler.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "korder/kclient/metrics.h"
#include "korder/kclient/testing/fake_clock.h"
#include "pod_state.h"
#include "reconciler/fake_ticket_api.h"
#include "support/fixtures.h"
#include "ticket_cache.h"
#include "ticket_names.h"

namespace korder::ticket::testing {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Kind = kclient::ReconcileResult::Kind;

const std::string kNs(kNamespace);
const std::string kName(kTicketName);
const std::string kKey = kNs + "/" + kName;
const std::string kGuardian = guardian_pod_name(kTicketName);
const std::string kGuardianKey = kNs + "/" + kGuardian;

// The sample-controller fixture: caches seeded from a fake API server, a recording client, a
// fake clock, and one reconcile at a time.
struct Fixture {
  kclient::testing::FakeClock clock{t0()};
  FakeTicketApi api{clock};
  kclient::MetricsRegistry registry;
  TicketMetrics metrics{registry};
  kclient::Store<api::Ticket> tickets{ticket_indexers()};
  kclient::Store<api::Pod> pods{pod_indexers()};
  kclient::Store<api::Node> nodes;
  std::vector<RecordEvent> events;
  TicketReconciler reconciler{
      TicketCache{tickets, pods, nodes}, api,
      [this](const api::Ticket&, const RecordEvent& event) { events.push_back(event); }, clock,
      metrics};

  Fixture() {
    api::Node node;
    node.metadata.name = std::string(kNode);
    nodes.upsert(std::make_shared<const api::Node>(node));
  }

  Expected<kclient::ReconcileResult, kclient::ReconcileError> reconcile() {
    return reconciler.reconcile(kclient::Request{kNs, kName});
  }
  // The informers catch up with the server.
  void sync() { api.sync(tickets, pods); }
  // Reconcile on fresh caches until a pass writes nothing; returns the number of writing passes.
  int converge() {
    for (int step = 0; step < 10; ++step) {
      sync();
      REQUIRE(reconcile().has_value());
      if (api.take_writes().empty()) {
        return step;
      }
    }
    FAIL("no convergence");
    return -1;
  }
  api::Ticket ticket() {
    auto stored = api.ticket(kNs, kName);
    REQUIRE(stored.has_value());
    return *stored;
  }
  // The kubelet: the guardian runs and is Ready on kNode.
  void run_guardian() {
    auto guardian = api.pod(kNs, kGuardian);
    REQUIRE(guardian.has_value());
    api::Pod running = running_guardian(ticket(), kNode);
    running.metadata.uid = guardian->metadata.uid;
    api.put_pod(running);
  }
  // A Ready ticket with its running guardian, on fresh caches.
  void make_ready(api::Ticket ticket = new_ticket()) {
    api.put_ticket(std::move(ticket));
    converge();
    run_guardian();
    converge();
    REQUIRE(this->ticket().status.phase == "Ready");
    api.take_calls();
    events.clear();
  }
  std::vector<std::string> reasons() const {
    std::vector<std::string> out;
    for (const auto& event : events) {
      out.push_back(event.reason);
    }
    return out;
  }
};

std::vector<std::string> v(std::initializer_list<std::string> items) { return items; }

TEST_CASE("a new ticket gets the finalizer, then its guardian and a Pending status", "[unit]") {
  Fixture f;
  api::Ticket ticket = new_ticket();
  ticket.metadata.finalizers.clear();
  f.api.put_ticket(ticket);
  f.sync();

  auto result = f.reconcile();
  REQUIRE(result.has_value());
  CHECK(result->kind() == Kind::Done);
  CHECK(f.api.take_writes() == v({"patch_ticket " + kKey}));
  CHECK(f.ticket().metadata.finalizers == std::vector<std::string>{std::string(kFinalizer)});

  // The cache has not seen the patch yet: the reconciler works on what it wrote.
  result = f.reconcile();
  REQUIRE(result.has_value());
  CHECK(f.api.take_writes() == v({"update_status " + kKey, "create_pod " + kGuardianKey}));
  CHECK(f.reasons() == v({"GuardianCreated"}));
  CHECK(f.ticket().status.phase == "Pending");
  CHECK(f.ticket().status.expiration_time == t0() + hours(1));
  CHECK(result->kind() == Kind::RequeueAfter);
  CHECK(result->after() == hours(1));

  const auto guardian = f.api.pod(kNs, kGuardian);
  REQUIRE(guardian.has_value());
  CHECK(is_owned_by(*guardian, f.ticket()));
  CHECK(guardian->metadata.labels.at("korder.dev/role") == "guardian");
  CHECK(guardian->spec.termination_grace_period_seconds == 0);

  // Still no pod in the cache: the create is repeated, finds the guardian and records nothing.
  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_writes() == v({"create_pod " + kGuardianKey}));
  CHECK(f.reasons() == v({"GuardianCreated"}));
  CHECK(f.api.pods().size() == 1);

  // Converged: a second reconcile on fresh caches makes no writes.
  f.sync();
  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_writes().empty());
}

TEST_CASE("a running guardian makes the ticket Ready and the next look is at the expiration",
          "[unit]") {
  Fixture f;
  f.api.put_ticket(new_ticket());
  f.converge();
  f.clock.set(t0() + seconds(10) + milliseconds(400));
  f.run_guardian();
  f.sync();
  f.api.take_calls();

  auto result = f.reconcile();
  REQUIRE(result.has_value());
  CHECK(f.api.take_writes() == v({"update_status " + kKey}));
  const auto status = f.ticket().status;
  CHECK(status.phase == "Ready");
  CHECK(status.node_name == kNode);
  CHECK(status.guardian_pod == kGuardian);
  CHECK(status.activation_time == t0() + seconds(10));
  CHECK(status.expiration_time == t0() + hours(1));
  CHECK(f.reasons() == v({"GuardianCreated", "Ready"}));
  REQUIRE(result->kind() == Kind::RequeueAfter);
  CHECK(result->after() == hours(1) - seconds(10) - milliseconds(400));

  f.sync();
  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_writes().empty());
}

TEST_CASE(
    "at exactly the expiration time the guardian is deleted with grace 0 and a uid "
    "precondition and the ticket is Expired",
    "[unit]") {
  Fixture f;
  f.make_ready();
  const std::string guardian_uid = f.api.pod(kNs, kGuardian)->metadata.uid;

  f.clock.set(t0() + hours(1) - milliseconds(1));
  auto result = f.reconcile();
  REQUIRE(result.has_value());
  CHECK(f.api.take_writes().empty());
  REQUIRE(result->kind() == Kind::RequeueAfter);
  CHECK(result->after() == milliseconds(1));

  f.clock.set(t0() + hours(1));
  result = f.reconcile();
  REQUIRE(result.has_value());
  CHECK(f.api.take_writes() == v({"update_status " + kKey, "delete_pod " + kGuardianKey + " uid=" +
                                                               guardian_uid + " grace=0"}));
  CHECK(f.ticket().status.phase == "Expired");
  CHECK(f.reasons() == v({"Expired"}));
  CHECK_FALSE(f.api.pod(kNs, kGuardian).has_value());
  CHECK(f.converge() == 0);
}

TEST_CASE("a finished ticket is deleted ttlSecondsAfterFinished later under Delete", "[unit]") {
  Fixture f;
  api::Ticket ticket = new_ticket();
  ticket.spec.lifecycle = api::TicketLifecycle{5, "Delete", {}};
  f.make_ready(ticket);
  f.clock.set(t0() + hours(1));
  auto result = f.reconcile();
  REQUIRE(result.has_value());
  REQUIRE(result->kind() == Kind::RequeueAfter);
  CHECK(result->after() == seconds(5));
  f.api.take_calls();

  f.clock.advance(seconds(5));
  f.sync();
  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_writes() == v({"delete_ticket " + kKey + " uid=" + std::string(kTicketUid)}));
  REQUIRE(f.ticket().metadata.deletion_timestamp.has_value());

  // The finalizer goes once the guardian is gone (it already is), and the ticket with it.
  f.sync();
  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_writes() == v({"patch_ticket " + kKey}));
  CHECK_FALSE(f.api.ticket(kNs, kName).has_value());
}

TEST_CASE("a finished ticket is kept under Retain", "[unit]") {
  Fixture f;
  api::Ticket ticket = new_ticket();
  ticket.spec.lifecycle = api::TicketLifecycle{0, "Retain", {}};
  f.make_ready(ticket);
  f.clock.set(t0() + hours(1));
  auto result = f.reconcile();
  REQUIRE(result.has_value());
  CHECK(result->kind() == Kind::Done);
  f.clock.advance(hours(24));
  f.converge();
  CHECK(f.ticket().status.phase == "Expired");
  CHECK_FALSE(f.ticket().metadata.deletion_timestamp.has_value());
}

TEST_CASE("a lost guardian of a Ready ticket is recreated and the ticket goes back to Pending",
          "[unit]") {
  Fixture f;
  f.make_ready();
  f.api.remove_pod(kNs, kGuardian);  // evicted and gone
  f.sync();

  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_writes() == v({"update_status " + kKey, "create_pod " + kGuardianKey}));
  CHECK(f.ticket().status.phase == "Pending");
  CHECK(f.ticket().status.node_name.empty());
  CHECK(f.reasons() == v({"GuardianLost", "GuardianCreated"}));
  CHECK(f.metrics.guardian_recreations() == 1);

  f.run_guardian();
  f.converge();
  CHECK(f.ticket().status.phase == "Ready");
}

TEST_CASE("a guardian whose node was removed is lost", "[unit]") {
  Fixture f;
  f.make_ready();
  f.nodes.remove(std::string(kNode));
  REQUIRE(f.reconcile().has_value());
  const auto writes = f.api.take_writes();
  REQUIRE(writes.size() == 2);
  CHECK(writes[0] == "update_status " + kKey);
  CHECK(writes[1].starts_with("delete_pod " + kGuardianKey));
  CHECK(f.events.front().reason == "GuardianLost");
  CHECK_THAT(f.events.front().message, Catch::Contains("node-a") && Catch::Contains("removed"));
}

TEST_CASE(
    "the hand-off records the pod, pins and ungates it in one JSON patch, deletes the "
    "guardian, and the ticket is Claimed once the pod is bound",
    "[unit]") {
  Fixture f;
  f.make_ready();
  const std::string guardian_uid = f.api.pod(kNs, kGuardian)->metadata.uid;
  f.clock.set(t0() + seconds(100));
  api::Ticket claimed = f.ticket();
  claimed.status.claim = claimed_ticket(f.clock.now()).status.claim;
  f.api.put_ticket(claimed);
  f.clock.advance(seconds(1));
  f.api.put_pod(gated_pod("web-x7k2p", kToken, f.clock.now()));
  f.sync();

  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_writes() ==
        v({"update_status " + kKey, "patch_pod " + kNs + "/web-x7k2p",
           "delete_pod " + kGuardianKey + " uid=" + guardian_uid + " grace=0"}));
  const auto claim = f.ticket().status.claim;
  REQUIRE(claim.has_value());
  CHECK(claim->pod_name == "web-x7k2p");
  CHECK(claim->pod_uid == "web-x7k2p-uid");
  REQUIRE(f.api.pod_patches().size() == 1);
  CHECK_THAT(f.api.pod_patches()[0], Catch::Contains(R"("op":"test")"));
  const auto pod = f.api.pod(kNs, "web-x7k2p");
  REQUIRE(pod.has_value());
  CHECK(pod->spec.scheduling_gates.empty());
  REQUIRE(pod->spec.affinity.has_value());
  CHECK(pod->spec.node_name.empty());
  CHECK(f.reasons() == v({"HandOffStarted"}));

  // Nothing more until the scheduler binds the pod.
  f.sync();
  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_writes().empty());

  f.clock.advance(seconds(2));
  api::Pod bound = *pod;
  bound.spec.node_name = std::string(kNode);
  f.api.put_pod(bound);
  f.sync();
  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_writes() == v({"update_status " + kKey}));
  CHECK(f.ticket().status.phase == "Claimed");
  CHECK(f.ticket().status.claimed_pod == kNs + "/web-x7k2p");
  CHECK(f.metrics.claims("claimed") == 1);
  CHECK(f.metrics.handoff_histogram().snapshot().count == 1);
  CHECK(f.metrics.handoff_histogram().snapshot().sum == Approx(3.0));
  CHECK(f.reasons() == v({"HandOffStarted", "Claimed"}));
}

TEST_CASE("a handed-off pod still unscheduled after the hand-off timeout is reported", "[unit]") {
  Fixture f;
  f.make_ready();
  api::Ticket claimed = f.ticket();
  claimed.status.claim = claimed_ticket(f.clock.now()).status.claim;
  f.api.put_ticket(claimed);
  f.api.put_pod(gated_pod("web-x7k2p", kToken, f.clock.now()));
  f.converge();
  f.events.clear();

  f.clock.advance(seconds(30));
  f.sync();
  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_writes() == v({"update_status " + kKey}));
  CHECK(f.reasons() == v({"HandOffLost"}));
  CHECK(condition(f.ticket().status, "HandOffLost").status == "True");
  CHECK(f.metrics.claims("handoff_lost") == 1);
}

TEST_CASE(
    "a claim whose pod never came is released after the deadline, checked with a live "
    "list and not the cache",
    "[unit]") {
  Fixture f;
  f.make_ready();
  api::Ticket claimed = f.ticket();
  claimed.status.claim = claimed_ticket(f.clock.now()).status.claim;
  f.api.put_ticket(claimed);
  f.sync();

  auto result = f.reconcile();
  REQUIRE(result.has_value());
  CHECK(f.api.take_calls().empty());
  REQUIRE(result->kind() == Kind::RequeueAfter);
  CHECK(result->after() == seconds(30));

  f.clock.advance(seconds(30));
  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_calls() ==
        v({"list_pods " + kNs + " korder.dev/ticket=" + kName, "update_status " + kKey}));
  CHECK_FALSE(f.ticket().status.claim.has_value());
  CHECK(f.ticket().status.phase == "Ready");
  CHECK(f.reasons() == v({"ClaimReleased"}));
  CHECK(f.metrics.claims("released") == 1);
}

TEST_CASE("a claimed pod the cache has not seen but the live list finds is handed off", "[unit]") {
  Fixture f;
  f.make_ready();
  api::Ticket claimed = f.ticket();
  claimed.status.claim = claimed_ticket(f.clock.now()).status.claim;
  f.api.put_ticket(claimed);
  f.sync();
  f.api.put_pod(gated_pod("web-late", kToken, f.clock.now() + seconds(29)));  // not in the cache

  f.clock.advance(seconds(31));
  REQUIRE(f.reconcile().has_value());
  const auto calls = f.api.take_calls();
  REQUIRE(calls.size() == 4);
  CHECK(calls[0] == "list_pods " + kNs + " korder.dev/ticket=" + kName);
  CHECK(calls[1] == "update_status " + kKey);
  CHECK(calls[2] == "patch_pod " + kNs + "/web-late");
  CHECK(calls[3].starts_with("delete_pod " + kGuardianKey));
  CHECK(f.ticket().status.claim->pod_name == "web-late");
}

TEST_CASE("a status conflict stops the plan, records no event and is reported as a conflict",
          "[unit]") {
  Fixture f;
  f.api.put_ticket(new_ticket());
  f.sync();
  f.api.fail_next("update_status", kclient::ApiError::from_response(409, ""));

  auto result = f.reconcile();
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().conflict);
  CHECK_THAT(result.error().message, Catch::Contains(kKey));
  CHECK(f.api.take_writes() == v({"update_status " + kKey}));
  CHECK(f.events.empty());
  CHECK(f.api.pods().empty());

  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_writes() == v({"update_status " + kKey, "create_pod " + kGuardianKey}));
  CHECK(f.reasons() == v({"GuardianCreated"}));
}

TEST_CASE("a failed guardian creation is retried with backoff after the status was written",
          "[unit]") {
  Fixture f;
  f.api.put_ticket(new_ticket());
  f.sync();
  f.api.fail_next("create_pod", kclient::ApiError::from_response(403, "", "POST"));
  auto result = f.reconcile();
  REQUIRE_FALSE(result.has_value());
  CHECK_FALSE(result.error().conflict);
  CHECK_FALSE(result.error().terminal);
  CHECK_THAT(result.error().message, Catch::Contains("creating guardian pod " + kGuardianKey));
  f.converge();
  CHECK(f.api.pods().size() == 1);
}

TEST_CASE(
    "pods gated for a ticket that no longer exists are ungated once a live get confirms "
    "it is gone",
    "[unit]") {
  Fixture f;
  f.api.put_pod(gated_pod("web-orphan", kToken, t0()));
  f.sync();

  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_calls() == v({"get_ticket " + kKey, "patch_pod " + kNs + "/web-orphan"}));
  const auto pod = f.api.pod(kNs, "web-orphan");
  REQUIRE(pod.has_value());
  CHECK_FALSE(has_korder_gate(*pod));
  CHECK_THAT(pod->metadata.annotations.at(std::string(kAnnotationUnassignedReason)),
             Catch::Contains("no longer exists"));
  CHECK(f.metrics.claims("ungated") == 1);
}

TEST_CASE("pods of a ticket the cache lags behind are not ungated", "[unit]") {
  Fixture f;
  f.api.put_pod(gated_pod("web-early", kToken, t0()));
  f.sync();
  f.api.put_ticket(new_ticket());  // exists, but the ticket cache has not seen it

  auto result = f.reconcile();
  REQUIRE(result.has_value());
  CHECK(f.api.take_calls() == v({"get_ticket " + kKey}));
  CHECK(result->kind() == Kind::RequeueAfter);
  CHECK(has_korder_gate(*f.api.pod(kNs, "web-early")));
}

TEST_CASE("a deleted ticket loses its guardian, then its finalizer", "[unit]") {
  Fixture f;
  f.make_ready();
  api::Ticket deleting = f.ticket();
  deleting.metadata.deletion_timestamp = f.clock.now();
  f.api.put_ticket(deleting);
  f.sync();
  REQUIRE(f.reconcile().has_value());
  const auto writes = f.api.take_writes();
  REQUIRE(writes.size() == 1);
  CHECK(writes[0].starts_with("delete_pod " + kGuardianKey));
  f.sync();
  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_writes() == v({"patch_ticket " + kKey}));
  CHECK_FALSE(f.api.ticket(kNs, kName).has_value());
}

TEST_CASE("a future window start keeps the ticket Pending without a guardian until it opens",
          "[unit]") {
  Fixture f;
  api::Ticket ticket = new_ticket();
  ticket.spec.window = api::TicketWindow{t0() + hours(2), {}};
  f.api.put_ticket(ticket);
  f.sync();
  auto result = f.reconcile();
  REQUIRE(result.has_value());
  CHECK(f.api.take_writes() == v({"update_status " + kKey}));
  CHECK(f.api.pods().empty());
  CHECK(f.ticket().status.phase == "Pending");
  CHECK(f.ticket().status.expiration_time == t0() + hours(3));
  REQUIRE(result->kind() == Kind::RequeueAfter);
  CHECK(result->after() == hours(2));

  f.clock.set(t0() + hours(2));
  f.sync();
  REQUIRE(f.reconcile().has_value());
  CHECK(f.api.take_writes() == v({"update_status " + kKey, "create_pod " + kGuardianKey}));
}

TEST_CASE(
    "a pod the cache cannot see holding the guardian's name is reported, retried with backoff "
    "and never deleted; the guardian follows once it is gone",
    "[unit]") {
  Fixture f;
  f.api.put_ticket(new_ticket());
  api::Pod squatter;  // no korder.dev/ticket label: the pod informer never caches it
  squatter.metadata.namespace_ = kNs;
  squatter.metadata.name = kGuardian;
  squatter.metadata.labels = {{"app", "batch"}};
  f.api.put_pod(squatter);
  f.sync();

  // The create meets AlreadyExists, a live GET finds someone else's pod, the ticket says so.
  auto result = f.reconcile();
  REQUIRE(result.has_value());
  CHECK(result->kind() == Kind::Requeue);
  CHECK(f.api.take_calls() == v({"update_status " + kKey, "create_pod " + kGuardianKey,
                                 "get_pod " + kGuardianKey, "update_status " + kKey}));
  CHECK(f.reasons() == v({"GuardianNameTaken"}));
  CHECK_THAT(f.events[0].message, Catch::StartsWith("pod " + kGuardian +
                                                    " is not this ticket's guardian (it has no "
                                                    "label korder.dev/role=guardian)"));
  CHECK(f.ticket().status.phase == "Pending");
  CHECK(condition(f.ticket().status, "Ready").reason == "GuardianNameTaken");

  // Backed-off retries read the name live and change nothing while the pod stays.
  for (int i = 0; i < 3; ++i) {
    f.sync();
    result = f.reconcile();
    REQUIRE(result.has_value());
    CHECK(result->kind() == Kind::Requeue);
    CHECK(f.api.take_calls() == v({"get_pod " + kGuardianKey}));
  }
  CHECK(f.reasons() == v({"GuardianNameTaken"}));
  REQUIRE(f.api.pod(kNs, kGuardian).has_value());
  CHECK(f.api.pod(kNs, kGuardian)->metadata.labels.at("app") == "batch");

  // Its owner deletes it: the guardian is created and the ticket waits for it as usual.
  f.api.remove_pod(kNs, kGuardian);
  f.sync();
  result = f.reconcile();
  REQUIRE(result.has_value());
  CHECK(result->kind() == Kind::RequeueAfter);
  CHECK(f.api.take_writes() == v({"update_status " + kKey, "create_pod " + kGuardianKey}));
  CHECK(is_owned_by(*f.api.pod(kNs, kGuardian), f.ticket()));
  CHECK(condition(f.ticket().status, "Ready").reason == "GuardianPending");
}

}  // namespace
}  // namespace korder::ticket::testing
