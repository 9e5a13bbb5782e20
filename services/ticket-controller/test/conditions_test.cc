#include "conditions.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "support/fixtures.h"

namespace korder::ticket {
namespace {

using namespace std::chrono_literals;
using testing::t0;

TEST_CASE("a new condition is appended with the current time as its transition", "[unit]") {
  std::vector<api::Condition> conditions;
  set_condition(conditions, "Ready", "False", "GuardianPending", "waiting", 3, t0());
  REQUIRE(conditions.size() == 1);
  CHECK(conditions[0] ==
        api::Condition{"Ready", "False", 3, t0(), "GuardianPending", "waiting", {}});
}

TEST_CASE("lastTransitionTime moves only when a condition's status changes", "[unit]") {
  std::vector<api::Condition> conditions;
  set_condition(conditions, "Ready", "False", "GuardianPending", "waiting", 1, t0());
  set_condition(conditions, "Finished", "False", "Running", "", 1, t0());
  set_condition(conditions, "Ready", "False", "WindowNotOpen", "later", 2, t0() + 5s);
  CHECK(conditions[0] == api::Condition{"Ready", "False", 2, t0(), "WindowNotOpen", "later", {}});
  set_condition(conditions, "Ready", "True", "GuardianRunning", "held", 2, t0() + 9s);
  CHECK(conditions[0].last_transition_time == t0() + 9s);
  CHECK(conditions[0].reason == "GuardianRunning");
  CHECK(conditions[1].type == "Finished");  // order kept
}

TEST_CASE("removing a condition drops only that type", "[unit]") {
  std::vector<api::Condition> conditions;
  set_condition(conditions, "Ready", "True", "GuardianRunning", "", 1, t0());
  set_condition(conditions, "HandOffLost", "False", "HandOffInProgress", "", 1, t0());
  remove_condition(conditions, "HandOffLost");
  remove_condition(conditions, "Absent");
  REQUIRE(conditions.size() == 1);
  CHECK(find_condition(conditions, "Ready") != nullptr);
  CHECK(find_condition(conditions, "HandOffLost") == nullptr);
}

}  // namespace
}  // namespace korder::ticket
