#pragma once

// A small simulated world for plan() tests: an Order, its tickets and the nodes, plus helpers
// that apply a plan the way the reconciler and the API server would (creates get a uid and a
// creationTimestamp; deletes remove the ticket, or leave it terminating; status is written), and
// that play the ticket controller's part (phases). Time is passed explicitly; no clock.

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "korder/api/node.h"
#include "korder/api/order.h"
#include "korder/api/ticket.h"
#include "korder/base/clock.h"
#include "plan.h"

namespace korder::order::testing {

/// Parses an RFC 3339 time (test input is trusted; a bad one aborts). Safe at namespace scope.
TimePoint utc(std::string_view text);
/// RFC 3339 of `t`, or "none".
std::string str(std::optional<TimePoint> t);

/// An Order `name` in namespace `team-a` with uid `uid-<name>`, generation 1, `replicas`
/// replicas, template duration `duration`, 500m cpu, a template label `app: db`.
api::Order make_order(std::string name = "db", int replicas = 3, std::string duration = "1h");
/// Sets the strategy of `order`.
void set_strategy(api::Order& order, std::string type, std::string schedule = "",
                  std::string refresh = "", std::string zone = "");
/// A Ready, schedulable node `name` with label kubernetes.io/hostname and `labels`.
api::Node make_node(std::string name, std::map<std::string, std::string> labels = {});

struct World {
  explicit World(api::Order o) : order(std::move(o)) {}

  api::Order order;
  std::vector<api::Ticket> tickets;
  std::vector<api::Node> nodes;
  std::optional<QuotaDenial> denial;
  /// When set, apply() marks deleted tickets terminating (deletionTimestamp) instead of
  /// removing them.
  bool deletions_linger = false;
  int serial = 0;
};

PlanInput input_of(const World& world, TimePoint now);
Plan plan_at(const World& world, TimePoint now);

/// Applies `plan` at `now`: creates (uid, resourceVersion, creationTimestamp = now, no phase),
/// deletes (see World::deletions_linger), status. When `deny_creates` is set, every create is
/// refused as a quota would refuse it and recorded as world.denial instead; otherwise a
/// successful create clears world.denial.
void apply(World& world, const Plan& plan, TimePoint now, bool deny_creates = false);

/// plan + apply until a plan has no actions (at most 20 rounds); returns that last plan after
/// applying its status.
Plan converge(World& world, TimePoint now);

/// Requires that a plan at `now` makes no writes: no creates/deletes/events and the status
/// equal to the one stored.
void require_no_writes(const World& world, TimePoint now);

/// The world's tickets (not terminating) in slot `slot`, lowest incarnation first.
std::vector<api::Ticket*> in_slot(World& world, std::string_view slot);
/// The not-terminating ticket of `slot` with the highest incarnation (fails the test if none).
api::Ticket& current(World& world, std::string_view slot);
/// Sets the phase of every not-terminating Pending ticket to `phase` (the ticket controller).
void set_pending_to(World& world, std::string_view phase);
/// Finishes the ticket controller's deletion of terminating tickets (removes them).
void finish_deletions(World& world);
/// Removes ticket `name` at once, as the TTL controller would.
void remove_ticket(World& world, std::string_view name);

std::string slot_of(const api::Ticket& ticket);
std::string incarnation_label(const api::Ticket& ticket);
std::string hash_label(const api::Ticket& ticket);
/// Slots of the creates (in order).
std::vector<std::string> create_slots(const Plan& plan);
/// Slots of the deletes (in order), looked up in `world`.
std::vector<std::string> delete_slots(const World& world, const Plan& plan);
/// `reason` of each event, in order.
std::vector<std::string> event_reasons(const Plan& plan);
/// The condition `type` of `status` (fails the test if absent).
const api::Condition& condition(const api::OrderStatus& status, std::string_view type);
/// Number of not-terminating tickets whose phase (effective at `now`) is live.
int live_count(const World& world, TimePoint now);

}  // namespace korder::order::testing

// Readable failure messages: statuses print as their JSON.
namespace Catch {
template <>
struct StringMaker<korder::api::OrderStatus> {
  static std::string convert(const korder::api::OrderStatus& status);
};
template <>
struct StringMaker<korder::api::OrderSlotStatus> {
  static std::string convert(const korder::api::OrderSlotStatus& slot);
};
}  // namespace Catch
