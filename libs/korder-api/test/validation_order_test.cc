#include <catch2/catch.hpp>

#include "korder/api/validation.h"
#include "validation_test_support.h"

namespace korder::api {
namespace {

using testing::Case;
using testing::kDns1123LabelMsg;
using testing::kNamePartMsg;
using testing::messages;
using testing::Messages;
using testing::valid_order;

const std::string kLengthReason =
    "order names are limited so that ticket names, <order>-<12 hex digits>, stay valid label "
    "values";

TEST_CASE("an order name is a DNS-1123 label of at most 47 characters", "[unit][validation]") {
  const std::string n47(47, 'a');
  const std::string n48(48, 'a');
  const std::string n64(64, 'a');
  const std::vector<Case<Order>> cases = {
      {"47 characters", [&](Order& o) { o.metadata.name = n47; }, {}},
      {"48 characters",
       [&](Order& o) { o.metadata.name = n48; },
       {"metadata.name: Invalid value: \"" + n48 + "\": must be no more than 47 characters (" +
        kLengthReason + ")"}},
      {"64 characters: one length message, not two",
       [&](Order& o) { o.metadata.name = n64; },
       {"metadata.name: Invalid value: \"" + n64 + "\": must be no more than 47 characters (" +
        kLengthReason + ")"}},
      {"not a DNS label",
       [](Order& o) { o.metadata.name = "My_Order"; },
       {"metadata.name: Invalid value: \"My_Order\": " + kDns1123LabelMsg}},
      {"a dot is not allowed in a label",
       [](Order& o) { o.metadata.name = "my.order"; },
       {"metadata.name: Invalid value: \"my.order\": " + kDns1123LabelMsg}},
      {"neither name nor generateName",
       [](Order& o) { o.metadata.name.clear(); },
       {"metadata.name: Required value: name or generateName is required"}},
  };
  testing::run_cases(valid_order(), cases, validate_order);
}

TEST_CASE("an order generateName leaves room for the 5 generated characters",
          "[unit][validation]") {
  const std::string p42 = std::string(41, 'a') + "-";
  const std::string p43 = std::string(42, 'a') + "-";
  const std::vector<Case<Order>> cases = {
      {"a usual prefix",
       [](Order& o) {
         o.metadata.name.clear();
         o.metadata.generate_name = "my-order-";
       },
       {}},
      {"42 characters",
       [&](Order& o) {
         o.metadata.name.clear();
         o.metadata.generate_name = p42;
       },
       {}},
      {"43 characters",
       [&](Order& o) {
         o.metadata.name.clear();
         o.metadata.generate_name = p43;
       },
       {"metadata.generateName: Invalid value: \"" + p43 +
        "\": must be no more than 42 characters (the generated name adds 5 characters, and " +
        kLengthReason + ")"}},
      {"upper case",
       [](Order& o) {
         o.metadata.name.clear();
         o.metadata.generate_name = "Order-";
       },
       {"metadata.generateName: Invalid value: \"Order-\": " + kDns1123LabelMsg}},
      {"generateName next to the name the API server assigned",
       [](Order& o) {
         o.metadata.name = "my-order-x7k2p";
         o.metadata.generate_name = "my-order-";
       },
       {}},
  };
  testing::run_cases(valid_order(), cases, validate_order);
}

TEST_CASE("an order's namespace, labels and annotations are checked when set",
          "[unit][validation]") {
  const std::vector<Case<Order>> cases = {
      {"no namespace yet (the API server fills it)",
       [](Order& o) { o.metadata.namespace_.clear(); },
       {}},
      {"a bad namespace",
       [](Order& o) { o.metadata.namespace_ = "Team_A"; },
       {"metadata.namespace: Invalid value: \"Team_A\": " + kDns1123LabelMsg}},
      {"a bad label key",
       [](Order& o) {
         o.metadata.labels = {{"a b", "x"}};
       },
       {"metadata.labels: Invalid value: \"a b\": " + kNamePartMsg}},
      {"a bad annotation key",
       [](Order& o) {
         o.metadata.annotations = {{"a b", "x"}};
       },
       {"metadata.annotations: Invalid value: \"a b\": " + kNamePartMsg}},
  };
  testing::run_cases(valid_order(), cases, validate_order);
}

TEST_CASE("replicas are between 0 and 10000, and allowed on daemonSet orders",
          "[unit][validation]") {
  const std::vector<Case<Order>> cases = {
      {"absent", [](Order& o) { o.spec.replicas.reset(); }, {}},
      {"zero", [](Order& o) { o.spec.replicas = 0; }, {}},
      {"the maximum", [](Order& o) { o.spec.replicas = 10000; }, {}},
      {"negative",
       [](Order& o) { o.spec.replicas = -1; },
       {"spec.replicas: Invalid value: -1: must be greater than or equal to 0"}},
      {"above the maximum",
       [](Order& o) { o.spec.replicas = 10001; },
       {"spec.replicas: Invalid value: 10001: must be less than or equal to 10000"}},
      {"daemonSet with the CRD's default replicas",
       [](Order& o) {
         o.spec.daemon_set = true;
         o.spec.replicas = 1;
       },
       {}},
      {"daemonSet with negative replicas",
       [](Order& o) {
         o.spec.daemon_set = true;
         o.spec.replicas = -3;
       },
       {"spec.replicas: Invalid value: -3: must be greater than or equal to 0"}},
  };
  testing::run_cases(valid_order(), cases, validate_order);
}

void scheduled(Order& o, std::string type, std::string schedule) {
  o.spec.strategy.type = std::move(type);
  o.spec.strategy.schedule = std::move(schedule);
}

TEST_CASE("an order's strategy follows its type", "[unit][validation]") {
  const std::string kForbiddenSchedule =
      "spec.strategy.schedule: Forbidden: may not be set when strategy.type is OneTime (the "
      "default); set strategy.type to Scheduled or Recurring to use a schedule";
  const std::vector<Case<Order>> cases = {
      {"no type means OneTime", [](Order& o) { o.spec.strategy.type.clear(); }, {}},
      {"Scheduled daily", [](Order& o) { scheduled(o, "Scheduled", "0 2 * * *"); }, {}},
      {"Recurring with a macro and a zone",
       [](Order& o) {
         scheduled(o, "Recurring", "@daily");
         o.spec.strategy.time_zone = "Europe/Berlin";
       },
       {}},
      {"an unknown type",
       [](Order& o) { o.spec.strategy.type = "Weekly"; },
       {"spec.strategy.type: Unsupported value: \"Weekly\": supported values: \"OneTime\", "
        "\"Recurring\", \"Scheduled\""}},
      {"Scheduled without a schedule",
       [](Order& o) { scheduled(o, "Scheduled", ""); },
       {"spec.strategy.schedule: Required value: required when strategy.type is Scheduled"}},
      {"Recurring without a schedule",
       [](Order& o) { scheduled(o, "Recurring", ""); },
       {"spec.strategy.schedule: Required value: required when strategy.type is Recurring"}},
      {"OneTime with a schedule",
       [](Order& o) { scheduled(o, "OneTime", "0 2 * * *"); },
       {kForbiddenSchedule}},
      {"a schedule without a type",
       [](Order& o) { scheduled(o, "", "0 2 * * *"); },
       {kForbiddenSchedule}},
      {"a bad cron expression",
       [](Order& o) { scheduled(o, "Scheduled", "61 * * * *"); },
       {"spec.strategy.schedule: invalid cron expression \"61 * * * *\": minute 61 out of range "
        "0-59"}},
      {"a bad time zone with a schedule",
       [](Order& o) {
         scheduled(o, "Recurring", "0 */6 * * *");
         o.spec.strategy.time_zone = "Mars/Olympus";
       },
       {"spec.strategy.timeZone: unknown time zone \"Mars/Olympus\""}},
      {"a bad time zone without a schedule",
       [](Order& o) { o.spec.strategy.time_zone = "Mars/Olympus"; },
       {"spec.strategy.timeZone: unknown time zone \"Mars/Olympus\""}},
      {"a good time zone on a OneTime order",
       [](Order& o) { o.spec.strategy.time_zone = "UTC"; },
       {}},
      {"every refresh policy", [](Order& o) { o.spec.strategy.refresh_policy = "Never"; }, {}},
      {"an unknown refresh policy",
       [](Order& o) { o.spec.strategy.refresh_policy = "Sometimes"; },
       {"spec.strategy.refreshPolicy: Unsupported value: \"Sometimes\": supported values: "
        "\"Always\", \"Never\", \"OnClaim\""}},
  };
  testing::run_cases(valid_order(), cases, validate_order);
}

TEST_CASE("an order template may not set the labels korder manages", "[unit][validation]") {
  for (std::string_view key : kKorderManagedLabels) {
    Order order = valid_order();
    order.spec.template_.metadata.labels[std::string(key)] = "x";
    INFO(key);
    CHECK(messages(validate_order(order)) ==
          Messages{"spec.template.metadata.labels[" + std::string(key) +
                   "]: Forbidden: korder sets this label itself; it may not be set in the "
                   "template"});
  }
  Order grouped = valid_order();
  grouped.spec.template_.metadata.labels["korder.dev/group"] = "batch";
  CHECK(validate_order(grouped).empty());

  Order annotated = valid_order();
  annotated.spec.template_.metadata.annotations["korder.dev/node"] = "node-1";
  CHECK(messages(validate_order(annotated)) ==
        Messages{"spec.template.metadata.annotations[korder.dev/node]: Forbidden: korder sets "
                 "this annotation itself; it may not be set in the template"});
}

TEST_CASE("an order template's metadata and spec are validated under spec.template",
          "[unit][validation]") {
  const std::vector<Case<Order>> cases = {
      {"a bad template label",
       [](Order& o) {
         o.spec.template_.metadata.labels = {{"app", "my app"}};
       },
       {"spec.template.metadata.labels: Invalid value: \"my app\": " + testing::kLabelValueMsg}},
      {"a template without a duration",
       [](Order& o) { o.spec.template_.spec.duration.clear(); },
       {"spec.template.spec.duration: Required value"}},
      {"a OneTime template with a window start",
       [](Order& o) {
         o.spec.template_.spec.window = TicketWindow{TimePoint{}, {}};
       },
       {}},
      {"a Scheduled template with a window start",
       [](Order& o) {
         scheduled(o, "Scheduled", "0 2 * * *");
         o.spec.template_.spec.window = TicketWindow{TimePoint{}, {}};
       },
       {"spec.template.spec.window.startTime: Forbidden: may not be set when strategy.type is "
        "Scheduled: each ticket's window starts at its cron fire"}},
  };
  testing::run_cases(valid_order(), cases, validate_order);
}

TEST_CASE("an invalid order reports every problem at once", "[unit][validation]") {
  Order order = valid_order();
  order.metadata.name = "Bad_Name";
  order.spec.replicas = -1;
  order.spec.strategy.type = "Weekly";
  order.spec.strategy.refresh_policy = "Sometimes";
  order.spec.template_.metadata.labels["korder.dev/slot"] = "r0";
  order.spec.template_.spec.duration = "3x";
  CHECK(messages(validate_order(order)) ==
        Messages{
            "metadata.name: Invalid value: \"Bad_Name\": " + kDns1123LabelMsg,
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            "spec.strategy.type: Unsupported value: \"Weekly\": supported values: \"OneTime\", "
            "\"Recurring\", \"Scheduled\"",
            "spec.strategy.refreshPolicy: Unsupported value: \"Sometimes\": supported values: "
            "\"Always\", \"Never\", \"OnClaim\"",
            "spec.template.metadata.labels[korder.dev/slot]: Forbidden: korder sets this label "
            "itself; it may not be set in the template",
            "spec.template.spec.duration: Invalid value: \"3x\": time: unknown unit \"x\" in "
            "duration \"3x\"",
        });
}

TEST_CASE("an order update keeps its strategy type and is validated in full",
          "[unit][validation]") {
  const Order old = valid_order();
  const std::vector<Case<Order>> cases = {
      {"unchanged", [](Order&) {}, {}},
      {"a template change", [](Order& o) { o.spec.template_.spec.duration = "8h"; }, {}},
      {"more replicas and another refresh policy",
       [](Order& o) {
         o.spec.replicas = 5;
         o.spec.strategy.refresh_policy = "Always";
       },
       {}},
      {"OneTime written out where it was defaulted",
       [](Order& o) { o.spec.strategy.type = "OneTime"; },
       {}},
      {"the default where OneTime was written", [](Order& o) { o.spec.strategy.type.clear(); }, {}},
      {"OneTime to Scheduled",
       [](Order& o) { scheduled(o, "Scheduled", "0 2 * * *"); },
       {"spec.strategy.type: Invalid value: \"Scheduled\": field is immutable"}},
      {"the new object is validated",
       [](Order& o) { o.spec.replicas = -2; },
       {"spec.replicas: Invalid value: -2: must be greater than or equal to 0"}},
  };
  testing::run_cases(old, cases,
                     [&](const Order& updated) { return validate_order_update(updated, old); });

  Order recurring = valid_order();
  scheduled(recurring, "Recurring", "@hourly");
  Order changed = recurring;
  changed.spec.strategy.schedule = "@daily";
  CHECK(validate_order_update(changed, recurring).empty());
  changed.spec.strategy.type.clear();
  changed.spec.strategy.schedule.clear();
  CHECK(messages(validate_order_update(changed, recurring)) ==
        Messages{"spec.strategy.type: Invalid value: \"OneTime\": field is immutable"});
}

}  // namespace
}  // namespace korder::api
