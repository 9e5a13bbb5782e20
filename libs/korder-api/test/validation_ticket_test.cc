#include <catch2/catch.hpp>

#include "korder/api/validation.h"
#include "validation_test_support.h"

namespace korder::api {
namespace {

using testing::Case;
using testing::kDns1123LabelMsg;
using testing::messages;
using testing::Messages;
using testing::qty;
using testing::valid_ticket;

TEST_CASE("a ticket name is a DNS-1123 label and its spec is validated", "[unit][validation]") {
  const std::string n63(63, 't');
  const std::string n64(64, 't');
  const std::vector<Case<Ticket>> cases = {
      {"the order controller's name", [](Ticket&) {}, {}},
      {"63 characters", [&](Ticket& t) { t.metadata.name = n63; }, {}},
      {"64 characters",
       [&](Ticket& t) { t.metadata.name = n64; },
       {"metadata.name: Invalid value: \"" + n64 + "\": must be no more than 63 characters"}},
      {"a dotted name",
       [](Ticket& t) { t.metadata.name = "my.ticket"; },
       {"metadata.name: Invalid value: \"my.ticket\": " + kDns1123LabelMsg}},
      {"generateName",
       [](Ticket& t) {
         t.metadata.name.clear();
         t.metadata.generate_name = "my-ticket-";
       },
       {}},
      {"a generateName of 63 characters ending in a dash",
       [](Ticket& t) {
         t.metadata.name.clear();
         t.metadata.generate_name = std::string(62, 't') + "-";
       },
       {}},
      {"no name",
       [](Ticket& t) { t.metadata.name.clear(); },
       {"metadata.name: Required value: name or generateName is required"}},
      {"a spec problem",
       [](Ticket& t) { t.spec.duration = "forever"; },
       {"spec.duration: Invalid value: \"forever\": time: invalid duration \"forever\""}},
  };
  testing::run_cases(valid_ticket(), cases, validate_ticket);
}

TEST_CASE("a ticket's spec and its order and slot labels are immutable", "[unit][validation]") {
  const Ticket old = valid_ticket();
  const std::vector<Case<Ticket>> cases = {
      {"status and other metadata change",
       [](Ticket& t) {
         t.status.phase = "Ready";
         t.status.node_name = "node-1";
         t.metadata.finalizers.clear();
         t.metadata.labels["korder.dev/incarnation"] = "1";
         t.metadata.labels["team"] = "a";
         t.metadata.annotations["note"] = "x";
       },
       {}},
      {"the same quantity written another way",
       [](Ticket& t) { t.spec.resources.requests["cpu"] = qty("0.5"); },
       {}},
      {"a longer duration",
       [](Ticket& t) { t.spec.duration = "48h"; },
       {"spec: Invalid value: \"object\": field is immutable"}},
      {"more memory",
       [](Ticket& t) { t.spec.resources.requests["memory"] = qty("2Gi"); },
       {"spec: Invalid value: \"object\": field is immutable"}},
      {"another order",
       [](Ticket& t) { t.metadata.labels["korder.dev/order"] = "other"; },
       {"metadata.labels[korder.dev/order]: Invalid value: \"other\": field is immutable"}},
      {"the slot label removed",
       [](Ticket& t) { t.metadata.labels.erase("korder.dev/slot"); },
       {"metadata.labels[korder.dev/slot]: Invalid value: \"\": field is immutable"}},
      {"bad new metadata",
       [](Ticket& t) { t.metadata.labels["team"] = "-a"; },
       {"metadata.labels: Invalid value: \"-a\": " + testing::kLabelValueMsg}},
  };
  testing::run_cases(old, cases,
                     [&](const Ticket& updated) { return validate_ticket_update(updated, old); });

  // A label added where there was none is a change too.
  Ticket unlabelled = valid_ticket();
  unlabelled.metadata.labels.erase("korder.dev/slot");
  CHECK(messages(validate_ticket_update(valid_ticket(), unlabelled)) ==
        Messages{"metadata.labels[korder.dev/slot]: Invalid value: \"r0\": field is immutable"});
}

TEST_CASE("an unchanged ticket spec is not validated again on update", "[unit][validation]") {
  // A ticket admitted under older rules must stay updatable (labels, finalizers).
  Ticket old = valid_ticket();
  old.spec.duration = "0s";
  Ticket updated = old;
  updated.metadata.labels["team"] = "a";
  CHECK(validate_ticket_update(updated, old).empty());
  CHECK_FALSE(validate_ticket(updated).empty());
}

}  // namespace
}  // namespace korder::api
