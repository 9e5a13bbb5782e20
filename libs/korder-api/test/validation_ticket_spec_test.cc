#include <catch2/catch.hpp>

#include "korder/api/validation.h"
#include "validation_test_support.h"

namespace korder::api {
namespace {

using testing::Case;
using testing::kDns1123SubdomainMsg;
using testing::kLabelValueMsg;
using testing::kNamePartMsg;
using testing::messages;
using testing::Messages;
using testing::qty;
using testing::valid_ticket_spec;

FieldErrors validate_spec(const TicketSpec& spec) { return validate_ticket_spec(spec, "spec"); }

const std::string kNoRequest =
    "spec.resources.requests: Required value: a ticket must request at least one resource with "
    "a quantity above zero";

TEST_CASE("a ticket spec needs a positive Go duration", "[unit][validation]") {
  const std::vector<Case<TicketSpec>> cases = {
      {"24h", [](TicketSpec& s) { s.duration = "24h"; }, {}},
      {"1h30m", [](TicketSpec& s) { s.duration = "1h30m"; }, {}},
      {"fractional hours", [](TicketSpec& s) { s.duration = "1.5h"; }, {}},
      {"missing", [](TicketSpec& s) { s.duration = ""; }, {"spec.duration: Required value"}},
      {"unknown unit",
       [](TicketSpec& s) { s.duration = "3x"; },
       {"spec.duration: Invalid value: \"3x\": time: unknown unit \"x\" in duration \"3x\""}},
      {"no unit",
       [](TicketSpec& s) { s.duration = "24"; },
       {"spec.duration: Invalid value: \"24\": time: missing unit in duration \"24\""}},
      {"zero",
       [](TicketSpec& s) { s.duration = "0s"; },
       {"spec.duration: Invalid value: \"0s\": must be greater than zero"}},
      {"negative",
       [](TicketSpec& s) { s.duration = "-1h"; },
       {"spec.duration: Invalid value: \"-1h\": must be greater than zero"}},
  };
  testing::run_cases(valid_ticket_spec(), cases, validate_spec);
}

TEST_CASE("a ticket spec's window may start at any time", "[unit][validation]") {
  TicketSpec spec = valid_ticket_spec();
  spec.window = TicketWindow{};
  spec.window->start_time = TimePoint{};  // the Unix epoch: long past, still valid
  CHECK(validate_spec(spec).empty());
}

TEST_CASE("ticket resources follow Kubernetes' container resource rules", "[unit][validation]") {
  const std::vector<Case<TicketSpec>> cases = {
      {"cpu and memory", [](TicketSpec&) {}, {}},
      {"an extended resource alone",
       [](TicketSpec& s) {
         s.resources.requests = {{"nvidia.com/gpu", qty("1")}};
       },
       {}},
      {"an extended request without a limit (korder does not require the limit)",
       [](TicketSpec& s) { s.resources.requests["nvidia.com/gpu"] = qty("2"); },
       {}},
      {"an extended request equal to its limit",
       [](TicketSpec& s) {
         s.resources.requests["nvidia.com/gpu"] = qty("2");
         s.resources.limits["nvidia.com/gpu"] = qty("2");
       },
       {}},
      {"limits above requests",
       [](TicketSpec& s) {
         s.resources.limits = {{"cpu", qty("1")}, {"memory", qty("2Gi")}};
       },
       {}},
      {"ephemeral storage and hugepages",
       [](TicketSpec& s) {
         s.resources.requests["ephemeral-storage"] = qty("1Gi");
         s.resources.requests["hugepages-2Mi"] = qty("4Mi");
         s.resources.limits["hugepages-2Mi"] = qty("4Mi");
       },
       {}},
      {"no requests", [](TicketSpec& s) { s.resources.requests.clear(); }, {kNoRequest}},
      {"only limits",
       [](TicketSpec& s) {
         s.resources.limits = s.resources.requests;
         s.resources.requests.clear();
       },
       {kNoRequest}},
      {"only zero requests",
       [](TicketSpec& s) {
         s.resources.requests = {{"cpu", qty("0")}};
       },
       {kNoRequest}},
      {"a negative request",
       [](TicketSpec& s) { s.resources.requests["cpu"] = qty("-1"); },
       {"spec.resources.requests[cpu]: Invalid value: \"-1\": must be greater than or equal to 0"}},
      {"a negative limit",
       [](TicketSpec& s) { s.resources.limits["memory"] = qty("-1Gi"); },
       {"spec.resources.limits[memory]: Invalid value: \"-1Gi\": must be greater than or equal "
        "to 0",
        "spec.resources.requests: Invalid value: \"1Gi\": must be less than or equal to memory "
        "limit of -1Gi"}},
      {"a request above its limit",
       [](TicketSpec& s) {
         s.resources.requests["cpu"] = qty("2");
         s.resources.limits["cpu"] = qty("1");
       },
       {"spec.resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit "
        "of 1"}},
      {"an extended request below its limit",
       [](TicketSpec& s) {
         s.resources.requests["nvidia.com/gpu"] = qty("1");
         s.resources.limits["nvidia.com/gpu"] = qty("2");
       },
       {"spec.resources.requests: Invalid value: \"1\": must be equal to nvidia.com/gpu limit of "
        "2"}},
      {"a fractional extended resource",
       [](TicketSpec& s) { s.resources.requests["nvidia.com/gpu"] = qty("500m"); },
       {"spec.resources.requests[nvidia.com/gpu]: Invalid value: 500m: must be an integer"}},
      {"pods is not a container resource",
       [](TicketSpec& s) { s.resources.requests["pods"] = qty("1"); },
       {"spec.resources.requests[pods]: Invalid value: \"pods\": must be a standard resource for "
        "containers"}},
      {"an unknown unqualified resource",
       [](TicketSpec& s) { s.resources.requests["gpu"] = qty("1"); },
       {"spec.resources.requests[gpu]: Invalid value: \"gpu\": must be a standard resource type "
        "or fully qualified",
        "spec.resources.requests[gpu]: Invalid value: \"gpu\": must be a standard resource for "
        "containers"}},
      {"a requests.-prefixed extended resource",
       [](TicketSpec& s) { s.resources.limits["requests.example.com/foo"] = qty("1"); },
       {"spec.resources.limits[requests.example.com/foo]: Invalid value: "
        "\"requests.example.com/foo\": doesn't follow extended resource name standard"}},
      {"a malformed resource name",
       [](TicketSpec& s) { s.resources.requests["example.com/a b"] = qty("1"); },
       {"spec.resources.requests[example.com/a b]: Invalid value: \"example.com/a b\": " +
        kNamePartMsg}},
      {"hugepages that are not whole pages",
       [](TicketSpec& s) { s.resources.requests["hugepages-2Mi"] = qty("3Mi"); },
       {"spec.resources.requests[hugepages-2Mi]: Invalid value: \"3Mi\": 3Mi is not positive "
        "integer multiple of hugepages-2Mi"}},
      {"hugepages without cpu or memory",
       [](TicketSpec& s) {
         s.resources.requests = {{"hugepages-1Gi", qty("1Gi")}};
       },
       {"spec.resources: Forbidden: HugePages require cpu or memory"}},
      {"a resource claim",
       [](TicketSpec& s) {
         auto claims = RawJson::parse(R"([{"name":"gpu"}])");
         REQUIRE(claims.has_value());
         s.resources.claims = *claims;
       },
       {"spec.resources.claims: Forbidden: resource claims are not supported by korder tickets"}},
      {"an empty claim list",
       [](TicketSpec& s) {
         auto claims = RawJson::parse("[]");
         REQUIRE(claims.has_value());
         s.resources.claims = *claims;
       },
       {}},
  };
  testing::run_cases(valid_ticket_spec(), cases, validate_spec);
}

TEST_CASE("a ticket spec's names, node selector and lifecycle are checked", "[unit][validation]") {
  const std::vector<Case<TicketSpec>> cases = {
      {"all set and valid",
       [](TicketSpec& s) {
         s.node_selector = {{"node-type", "compute"}, {"kubernetes.io/os", "linux"}};
         s.priority_class_name = "system-node-critical";
         s.scheduler_name = "my.scheduler";
         s.node_name = "node-1.example.com";
         s.lifecycle = TicketLifecycle{0, "Retain", {}};
       },
       {}},
      {"node selector key and value",
       [](TicketSpec& s) {
         s.node_selector = {{"bad key", "ok"}, {"zone", "-a"}};
       },
       {"spec.nodeSelector: Invalid value: \"bad key\": " + kNamePartMsg,
        "spec.nodeSelector: Invalid value: \"-a\": " + kLabelValueMsg}},
      {"priority class name",
       [](TicketSpec& s) { s.priority_class_name = "High_Priority"; },
       {"spec.priorityClassName: Invalid value: \"High_Priority\": " + kDns1123SubdomainMsg}},
      {"scheduler name",
       [](TicketSpec& s) { s.scheduler_name = "My Scheduler"; },
       {"spec.schedulerName: Invalid value: \"My Scheduler\": " + kDns1123SubdomainMsg}},
      {"node name",
       [](TicketSpec& s) { s.node_name = "Node_1"; },
       {"spec.nodeName: Invalid value: \"Node_1\": " + kDns1123SubdomainMsg}},
      {"negative TTL",
       [](TicketSpec& s) {
         s.lifecycle = TicketLifecycle{-1, "", {}};
       },
       {"spec.lifecycle.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or "
        "equal to 0"}},
      {"unknown cleanup policy",
       [](TicketSpec& s) {
         s.lifecycle = TicketLifecycle{std::nullopt, "Keep", {}};
       },
       {"spec.lifecycle.cleanupPolicy: Unsupported value: \"Keep\": supported values: "
        "\"Delete\", \"Retain\""}},
      {"delete policy",
       [](TicketSpec& s) {
         s.lifecycle = TicketLifecycle{60, "Delete", {}};
       },
       {}},
  };
  testing::run_cases(valid_ticket_spec(), cases, validate_spec);
}

TEST_CASE("an invalid ticket spec reports every problem at once, under its path",
          "[unit][validation]") {
  TicketSpec spec = valid_ticket_spec();
  spec.duration = "";
  spec.resources.requests.clear();
  spec.node_name = "Node_1";
  spec.lifecycle = TicketLifecycle{-5, "Keep", {}};
  Toleration toleration;
  toleration.op = "Equal";
  spec.tolerations.push_back(toleration);
  CHECK(messages(validate_ticket_spec(spec, "spec.template.spec")) ==
        Messages{
            "spec.template.spec.duration: Required value",
            "spec.template.spec.resources.requests: Required value: a ticket must request at "
            "least one resource with a quantity above zero",
            "spec.template.spec.tolerations[0].operator: Invalid value: \"Equal\": operator must "
            "be Exists when `key` is empty, which means \"match all values and all keys\"",
            "spec.template.spec.nodeName: Invalid value: \"Node_1\": " + kDns1123SubdomainMsg,
            "spec.template.spec.lifecycle.ttlSecondsAfterFinished: Invalid value: -5: must be "
            "greater than or equal to 0",
            "spec.template.spec.lifecycle.cleanupPolicy: Unsupported value: \"Keep\": supported "
            "values: \"Delete\", \"Retain\"",
        });
}

}  // namespace
}  // namespace korder::api
