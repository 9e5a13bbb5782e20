#include "strategy_e2e_support.h"

#include <catch2/catch.hpp>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "korder/api/list.h"
#include "korder/api/node.h"

namespace korder::order::e2e {
namespace {

using korder::testing::HttpAnswer;
using korder::testing::Process;

const std::string kPods = "/api/v1/namespaces/default/pods";
const std::string kNodes = "/api/v1/nodes";

std::string escape_query(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') {
      out += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out;
}

std::string ready_condition(bool ready) {
  return std::string(R"([{"type":"Ready","status":")") + (ready ? "True" : "False") +
         R"(","reason":")" + (ready ? "KubeletReady" : "KubeletNotReady") + R"("}])";
}

}  // namespace

StrategyE2e::StrategyE2e() : ticket_controllers_(cluster().dir()) {}

StrategyE2e::~StrategyE2e() = default;

Process& StrategyE2e::start_ticket_controller() {
  std::vector<std::string> argv =
      korder::testing::controller_argv(KORDER_TICKET_CONTROLLER_BINARY, cluster().kubeconfig());
  argv.push_back("--leader-elect=false");
  argv.push_back("--handoff-timeout=2s");
  argv.push_back("--claim-deadline=2s");
  return ticket_controllers_.start("ticket-controller", std::move(argv));
}

std::optional<api::Pod> StrategyE2e::pod(const std::string& name) {
  const HttpAnswer answer = cluster().api("GET", kPods + "/" + name);
  if (answer.status == 404) {
    return std::nullopt;
  }
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  auto pod = api::parse_pod(answer.body);
  REQUIRE(pod.has_value());
  return *pod;
}

std::vector<api::Pod> StrategyE2e::pods(const std::string& label_selector) {
  const HttpAnswer answer =
      cluster().api("GET", kPods + "?labelSelector=" + escape_query(label_selector));
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  auto list = api::parse_list<api::Pod>(answer.body);
  REQUIRE(list.has_value());
  return list->items;
}

std::vector<api::Event> StrategyE2e::order_events(const std::string& order) {
  const HttpAnswer answer = cluster().api("GET", "/api/v1/namespaces/default/events");
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  auto list = api::parse_list<api::Event>(answer.body);
  REQUIRE(list.has_value());
  std::vector<api::Event> out;
  for (api::Event& event : list->items) {
    if (event.involved_object.kind == "Order" && event.involved_object.name == order) {
      out.push_back(std::move(event));
    }
  }
  return out;
}

void StrategyE2e::create_node(const std::string& name, const std::string& labels_json, bool ready,
                              const std::string& taints_json) {
  const std::string allocatable = R"({"cpu":"4","memory":"8Gi","pods":"110"})";
  const std::string node = R"({"apiVersion":"v1","kind":"Node","metadata":{"name":")" + name +
                           R"(","labels":)" + labels_json + R"(},"spec":{"taints":)" + taints_json +
                           R"(},"status":{"allocatable":)" + allocatable + R"(,"capacity":)" +
                           allocatable + R"(,"conditions":)" + ready_condition(ready) + "}}";
  const HttpAnswer answer = cluster().api("POST", kNodes, node);
  INFO(answer.body);
  REQUIRE(answer.status == 201);
}

void StrategyE2e::set_node_ready(const std::string& name, bool ready) {
  const HttpAnswer answer =
      cluster().api("PATCH", kNodes + "/" + name + "/status",
                    R"({"status":{"conditions":)" + ready_condition(ready) + "}}",
                    "application/merge-patch+json");
  INFO(answer.body);
  REQUIRE(answer.status == 200);
}

void StrategyE2e::cordon(const std::string& name) {
  const HttpAnswer answer =
      cluster().api("PATCH", kNodes + "/" + name, R"({"spec":{"unschedulable":true}})",
                    "application/merge-patch+json");
  INFO(answer.body);
  REQUIRE(answer.status == 200);
}

void StrategyE2e::delete_node(const std::string& name) {
  const HttpAnswer answer = cluster().api("DELETE", kNodes + "/" + name);
  INFO(answer.body);
  REQUIRE(answer.status == 200);
}

std::vector<std::string> StrategyE2e::node_names(const std::string& label_selector) {
  const HttpAnswer answer =
      cluster().api("GET", kNodes + "?labelSelector=" + escape_query(label_selector));
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  auto list = api::parse_list<api::Node>(answer.body);
  REQUIRE(list.has_value());
  std::vector<std::string> names;
  for (const api::Node& node : list->items) {
    names.push_back(node.metadata.name);
  }
  return names;
}

std::string strategy_yaml(const StrategyOrder& o) {
  std::string yaml =
      "apiVersion: core.korder.dev/v1alpha1\nkind: Order\nmetadata:\n  name: " + o.name +
      "\n  namespace: default\nspec:\n  replicas: " + std::to_string(o.replicas) +
      "\n  strategy:\n    type: " + o.type + "\n    schedule: \"" + o.schedule +
      "\"\n    refreshPolicy: " + o.refresh + "\n";
  if (!o.time_zone.empty()) {
    yaml += "    timeZone: " + o.time_zone + "\n";
  }
  yaml += "  template:\n    metadata:\n      labels:\n        app: " + o.name +
          "\n    spec:\n      duration: " + o.duration +
          "\n      resources:\n        requests:\n          cpu: 100m\n";
  if (!o.cleanup_policy.empty() || o.ttl_seconds_after_finished >= 0) {
    yaml += "      lifecycle:\n";
    if (!o.cleanup_policy.empty()) {
      yaml += "        cleanupPolicy: " + o.cleanup_policy + "\n";
    }
    if (o.ttl_seconds_after_finished >= 0) {
      yaml +=
          "        ttlSecondsAfterFinished: " + std::to_string(o.ttl_seconds_after_finished) + "\n";
    }
  }
  return yaml;
}

std::string go_seconds(std::chrono::seconds s) { return std::to_string(s.count()) + "s"; }

std::string daily_cron(TimePoint fire, std::chrono::hours utc_offset) {
  const std::time_t t = std::chrono::system_clock::to_time_t(fire + utc_offset);
  std::tm fields{};
  gmtime_r(&t, &fields);
  return std::to_string(fields.tm_min) + " " + std::to_string(fields.tm_hour) + " * * *";
}

TimePoint minute_of(TimePoint t) { return std::chrono::floor<std::chrono::minutes>(t); }

std::chrono::seconds second_of_minute(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t - minute_of(t));
}

std::string label(const api::ObjectMeta& meta, const std::string& key) {
  const auto it = meta.labels.find(key);
  return it == meta.labels.end() ? "" : it->second;
}

std::string annotation(const api::ObjectMeta& meta, const std::string& key) {
  const auto it = meta.annotations.find(key);
  return it == meta.annotations.end() ? "" : it->second;
}

std::optional<TimePoint> window_start(const api::Ticket& ticket) {
  return ticket.spec.window ? ticket.spec.window->start_time : std::nullopt;
}

bool pinned_to(const std::optional<api::Affinity>& affinity, const std::string& node) {
  if (!affinity || !affinity->node_affinity ||
      !affinity->node_affinity->required_during_scheduling_ignored_during_execution) {
    return false;
  }
  const auto& terms = affinity->node_affinity->required_during_scheduling_ignored_during_execution
                          ->node_selector_terms;
  if (terms.empty()) {
    return false;
  }
  for (const api::NodeSelectorTerm& term : terms) {
    bool pinned = false;
    for (const api::NodeSelectorRequirement& field : term.match_fields) {
      pinned = pinned || (field.key == "metadata.name" && field.op == "In" &&
                          field.values == std::vector<std::string>{node});
    }
    if (!pinned) {
      return false;
    }
  }
  return true;
}

bool is_running_and_ready(const api::Pod& pod) {
  if (pod.status.phase != "Running" || pod.spec.node_name.empty() ||
      pod.metadata.deletion_timestamp) {
    return false;
  }
  for (const api::PodCondition& condition : pod.status.conditions) {
    if (condition.type == "Ready") {
      return condition.status == "True";
    }
  }
  return false;
}

}  // namespace korder::order::e2e
