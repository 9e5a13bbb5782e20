#pragma once

// End-to-end fixture for korder-ticket-controller: the development cluster (with its simulated
// scheduler and kubelets) and korder's CRDs, the daemon as a separate process (as many replicas
// as a test wants), and small helpers that read and write through the API: tickets created
// directly (no order controller), their guardians, claims written into ticket status as the
// admission webhook would (DESIGN.md §3 steps 3-4), events and the Lease.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon_replicas.h"
#include "korder/api/event.h"
#include "korder/api/pod.h"
#include "korder/api/ticket.h"
#include "korder/base/clock.h"
#include "process.h"
#include "test_cluster.h"

namespace korder::ticket::e2e {

inline constexpr const char* kNamespace = "default";

/// A ticket `name` in `default` for `duration`, holding 500m CPU and 256Mi (labels
/// korder.dev/order=e2e). No finalizer: the controller adds it.
api::Ticket make_ticket(const std::string& name, const std::string& duration);

class TicketE2e {
 public:
  /// Starts the cluster (kubelet delay 50 ms) and installs the CRDs.
  TicketE2e();
  ~TicketE2e();

  korder::testing::TestCluster& cluster() { return cluster_; }

  /// Starts a controller replica with short test timings plus `extra_flags`; `pod_name` becomes
  /// its POD_NAME (its leader-election identity). Waits until it serves its metrics endpoint.
  korder::testing::Process& start_controller(const std::string& pod_name,
                                             std::vector<std::string> extra_flags = {});

  /// POSTs the ticket; fails the test unless it is created.
  api::Ticket create_ticket(const api::Ticket& ticket);
  std::optional<api::Ticket> ticket(const std::string& name);
  std::vector<api::Ticket> tickets();
  /// PUTs the ticket's status subresource (with its resourceVersion): the HTTP status code.
  int put_ticket_status(const api::Ticket& ticket);
  /// Writes a claim into ticket `name`'s status as the webhook does (re-read and retried on
  /// 409): token, pod namespace, generateName, claimedAt now, deadline `deadline` from now.
  api::TicketClaim claim_ticket(const std::string& name, const std::string& token,
                                const std::string& generate_name, std::chrono::seconds deadline);

  std::optional<api::Pod> pod(const std::string& name);
  std::vector<api::Pod> pods(const std::string& label_selector);
  /// POSTs the pod; fails the test unless it is created. Returns the created pod.
  api::Pod create_pod(const api::Pod& pod);
  /// Evicts the pod (`POST /admin/evict`); falls back to a DELETE (grace 0) when the development
  /// cluster does not offer evictions.
  void evict(const std::string& pod_name);

  /// The events on ticket `name` (by involvedObject name), oldest first.
  std::vector<api::Event> events_of(const std::string& name);
  std::vector<std::string> event_reasons(const std::string& name);

  /// The holder of the ticket controller's Lease in korder-system ("" when none or released).
  std::string lease_holder();

  /// GET on a replica's health or metrics server (port read from its log).
  korder::testing::HttpAnswer probe(korder::testing::Process& replica, const std::string& server,
                                    const std::string& path);

 private:
  korder::testing::TestCluster cluster_;
  korder::testing::DaemonReplicas replicas_;
};

/// A business pod as the webhook leaves it (DESIGN.md §3 step 4): generateName, label
/// korder.dev/ticket, annotation korder.dev/claim-token, the korder.dev/ticket scheduling gate,
/// one container requesting 500m CPU and 256Mi.
api::Pod business_pod(const std::string& generate_name, const std::string& ticket,
                      const std::string& token);

/// True when the pod's required node affinity pins it to `node` (matchFields metadata.name In
/// [node] in every term).
bool pinned_to(const api::Pod& pod, const std::string& node);
bool is_running_and_ready(const api::Pod& pod);

/// korder::testing::eventually with a default 20 s.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace korder::ticket::e2e
