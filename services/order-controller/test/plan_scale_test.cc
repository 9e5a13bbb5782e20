// plan() when spec.replicas changes: which slots go and which come.

#include <catch2/catch.hpp>

#include "plan.h"
#include "plan_test_support.h"

namespace korder::order {
namespace {

using namespace testing;  // NOLINT: test helpers
using std::chrono::minutes;

const TimePoint kT0 = utc("2026-05-01T12:00:00Z");

World ready_order(int replicas, const char* refresh = "") {
  World w{make_order("db", replicas, "24h")};
  set_strategy(w.order, "OneTime", "", refresh);
  converge(w, kT0);
  set_pending_to(w, "Ready");
  converge(w, kT0);
  return w;
}

void scale(World& w, int replicas) {
  w.order.spec.replicas = replicas;
  w.order.metadata.generation = *w.order.metadata.generation + 1;
}

TEST_CASE("scaling 3 to 5 to 2 adds the next slots, then removes Pending before Ready", "[unit]") {
  World w = ready_order(3, "Never");
  scale(w, 5);
  const Plan up = plan_at(w, kT0);
  CHECK(create_slots(up) == std::vector<std::string>{"r3", "r4"});
  CHECK(up.status.desired == 5);
  CHECK(up.status.observed_generation == 2);
  apply(w, up, kT0);
  current(w, "r3").status.phase = "Ready";  // r4 stays Pending
  current(w, "r2").status.phase = "Claimed";
  converge(w, kT0);

  scale(w, 2);
  const Plan down = plan_at(w, kT0 + minutes(1));
  CHECK(down.creates.empty());
  // r2 holds nothing live (claimed): dropping it costs nothing and its ticket stays. Then the
  // Pending r4, then the highest Ready, r3. r0 and r1 remain.
  CHECK(delete_slots(w, down) == std::vector<std::string>{"r4", "r3"});
  for (const TicketDelete& d : down.deletes) {
    CHECK(d.event.message.find("scaled down") != std::string::npos);
  }
  CHECK(down.status.desired == 2);
  REQUIRE(down.status.slots.size() == 2);
  CHECK(down.status.slots[0].slot == "r0");
  CHECK(down.status.slots[1].slot == "r1");
  apply(w, down, kT0 + minutes(1));
  CHECK(in_slot(w, "r2").size() == 1);  // the claimed ticket is never removed
  CHECK(down.status.claimed == 1);
  converge(w, kT0 + minutes(1));
  require_no_writes(w, kT0 + minutes(1));
}

TEST_CASE("scaling down all-Ready replicas removes the highest indices first", "[unit]") {
  World w = ready_order(5);
  scale(w, 2);
  const Plan down = plan_at(w, kT0);
  CHECK(delete_slots(w, down) == std::vector<std::string>{"r4", "r3", "r2"});
}

TEST_CASE("scaling down removes a Pending ticket before a Ready one of higher index", "[unit]") {
  World w = ready_order(4);
  current(w, "r1").status.phase = "Pending";
  scale(w, 3);
  const Plan down = plan_at(w, kT0);
  CHECK(delete_slots(w, down) == std::vector<std::string>{"r1"});
  CHECK(down.status.slots.size() == 3);
  CHECK(down.status.slots[1].slot == "r2");
}

TEST_CASE("scaling up after a scale-down skips indices whose claimed tickets remain", "[unit]") {
  World w = ready_order(3, "Never");
  current(w, "r2").status.phase = "Claimed";
  converge(w, kT0);
  scale(w, 2);
  const Plan down = converge(w, kT0);
  CHECK(down.status.slots.size() == 2);
  scale(w, 3);
  const Plan up = plan_at(w, kT0);
  CHECK(create_slots(up) == std::vector<std::string>{"r3"});
}

TEST_CASE("scaling to zero deletes every unclaimed ticket", "[unit]") {
  World w = ready_order(2);
  scale(w, 0);
  const Plan p = plan_at(w, kT0);
  CHECK(delete_slots(w, p) == std::vector<std::string>{"r1", "r0"});
  apply(w, p, kT0);
  const Plan after = plan_at(w, kT0);
  CHECK(condition(after.status, "Ready").reason == "NoReplicas");
  CHECK(after.status.slots.empty());
}

}  // namespace
}  // namespace korder::order
