#pragma once

// End-to-end fixture for korder-order-controller: the development cluster with korder's CRDs,
// the daemon as a separate process (as many replicas as a test wants), and small helpers that
// read and write through the API: the tickets of an order, the order, and the ticket
// controller's part (ticket phases, finalizer removal) played by the test itself.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon_replicas.h"
#include "korder/api/order.h"
#include "korder/api/ticket.h"
#include "process.h"
#include "test_cluster.h"

namespace korder::order::e2e {

inline constexpr const char* kNamespace = "default";

/// The YAML of a OneTime Order `name` in `default` with `replicas`, 100m CPU for 1h, template
/// label `app: <name>`, and `extra_spec` lines appended under `spec:` (two-space indented).
std::string order_yaml(const std::string& name, int replicas,
                       const std::string& refresh = "OnClaim", const std::string& extra_spec = "");

class OrderE2e {
 public:
  /// Starts the cluster and installs the CRDs.
  OrderE2e();
  ~OrderE2e();

  korder::testing::TestCluster& cluster() { return cluster_; }

  /// Starts a controller replica with short test timings plus `extra_flags`; `pod_name` becomes
  /// its POD_NAME (its leader-election identity). Waits until it serves its health endpoint.
  korder::testing::Process& start_controller(const std::string& pod_name,
                                             std::vector<std::string> extra_flags = {});

  /// `kubectl apply -f -` of `yaml`; fails the test when kubectl fails.
  void apply(const std::string& yaml);
  /// Merge-patches order `name`'s spec with `spec_json` (`{"replicas":5}`).
  void patch_order_spec(const std::string& name, const std::string& spec_json);

  std::optional<api::Order> order(const std::string& name);
  /// The order's tickets (label korder.dev/order), terminating ones included.
  std::vector<api::Ticket> tickets(const std::string& order_name);
  /// The order's tickets that are not being deleted.
  std::vector<api::Ticket> live_tickets(const std::string& order_name);
  /// Every ticket in the namespace.
  std::vector<api::Ticket> all_tickets();

  /// Writes a ticket's status (phase, and nodeName / claimedPod as the phase implies) through the
  /// status subresource, as the ticket controller would; retries on 409.
  void set_ticket_phase(const std::string& ticket, const std::string& phase);
  /// Removes every finalizer of the order's terminating tickets (the ticket controller's part).
  void finish_ticket_deletions(const std::string& order_name);

  /// The holder of the order controller's Lease in korder-system ("" when none or released).
  std::string lease_holder();

  /// GET on a replica's health or metrics server (port read from its log).
  korder::testing::HttpAnswer probe(korder::testing::Process& replica, const std::string& server,
                                    const std::string& path);

 private:
  korder::testing::TestCluster cluster_;
  korder::testing::DaemonReplicas replicas_;
};

/// The slot label of a ticket.
std::string slot_of(const api::Ticket& ticket);
/// Tickets' names by slot (sorted), e.g. {"r0": "web-…"}; a slot with two live tickets fails.
std::map<std::string, std::string> by_slot(const std::vector<api::Ticket>& tickets);

/// korder::testing::eventually with a default 20 s.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace korder::order::e2e
