#pragma once

// End-to-end fixture for the strategies of korder-order-controller (Scheduled, Recurring,
// daemonSet): OrderE2e plus, when a test wants the whole reservation half of korder, the ticket
// controller as a second process (guardians placed by the development cluster's scheduler,
// expiry and TTL for real), and helpers for what these tests read and write: guardian pods,
// nodes, the order's events, and cron expressions built from the wall clock.
//
// Cron fires fall on minute boundaries, so a test that waited for the next one could wait a
// minute. These tests build their schedules from the current time instead: a daily schedule
// whose fire is the current minute (a window open now, caught up at creation), one a few minutes
// back (a missed fire), one a few minutes ahead (the next fire).

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon_replicas.h"
#include "korder/api/event.h"
#include "korder/api/pod.h"
#include "korder/base/clock.h"
#include "order_e2e_support.h"

namespace korder::order::e2e {

/// OrderE2e with the ticket controller available as a second daemon.
class StrategyE2e : public OrderE2e {
 public:
  StrategyE2e();
  ~StrategyE2e();

  /// Starts korder-ticket-controller (leader election off, short claim timings); waits until it
  /// serves its metrics endpoint.
  korder::testing::Process& start_ticket_controller();

  std::optional<api::Pod> pod(const std::string& name);
  /// Pods in `default` matching `label_selector` (`a=b,c=d`).
  std::vector<api::Pod> pods(const std::string& label_selector);

  /// The events whose involvedObject is Order `order`, oldest first.
  std::vector<api::Event> order_events(const std::string& order);

  /// POSTs a Node (with its status: Ready `ready`, 4 CPU / 8Gi allocatable). `labels` and
  /// `taints` are JSON object members / a JSON array (`[{"key":..,"effect":..}]`).
  void create_node(const std::string& name, const std::string& labels_json, bool ready = true,
                   const std::string& taints_json = "[]");
  /// Sets the node's Ready condition through the status subresource.
  void set_node_ready(const std::string& name, bool ready);
  /// `spec.unschedulable: true` (kubectl cordon).
  void cordon(const std::string& name);
  void delete_node(const std::string& name);
  /// Names of the nodes whose labels match `label_selector`.
  std::vector<std::string> node_names(const std::string& label_selector);

 private:
  korder::testing::DaemonReplicas ticket_controllers_;
};

/// A Scheduled or Recurring Order in `default` (template label `app: <name>`, 100m CPU for
/// `duration`, optional lifecycle), as YAML by strategy_yaml().
struct StrategyOrder {
  std::string name{};
  int replicas = 2;
  std::string type{};  // Scheduled | Recurring
  std::string schedule{};
  std::string time_zone{};  // "" = UTC
  std::string refresh = "OnClaim";
  std::string duration{};
  std::string cleanup_policy{};  // "" = the default
  int ttl_seconds_after_finished = -1;
};
std::string strategy_yaml(const StrategyOrder& order);

/// A Go duration in whole seconds (`75s`).
std::string go_seconds(std::chrono::seconds s);

/// A daily cron expression (`M H * * *`) firing at `fire`'s minute and hour in a zone
/// `utc_offset` ahead of UTC (a fixed-offset zone such as Asia/Tokyo, +9h).
std::string daily_cron(TimePoint fire, std::chrono::hours utc_offset = std::chrono::hours(0));

/// The start of `t`'s minute, and the seconds since then.
TimePoint minute_of(TimePoint t);
std::chrono::seconds second_of_minute(TimePoint t);

/// The value of label / annotation `key` ("" when absent).
std::string label(const api::ObjectMeta& meta, const std::string& key);
std::string annotation(const api::ObjectMeta& meta, const std::string& key);

/// `spec.window.startTime` of a ticket.
std::optional<TimePoint> window_start(const api::Ticket& ticket);

/// True when every required node-selector term of `affinity` carries `matchFields
/// metadata.name In [node]` (the DaemonSet-style pin).
bool pinned_to(const std::optional<api::Affinity>& affinity, const std::string& node);

bool is_running_and_ready(const api::Pod& pod);

}  // namespace korder::order::e2e
