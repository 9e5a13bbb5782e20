#pragma once

// The API calls the ticket reconciler makes, behind an interface so reconciler tests use a
// recording fake (STYLE §9, sample-controller's fixture) while the daemon uses the REST client.
// DESIGN.md §1: the ticket controller creates and deletes guardian Pods, writes Ticket status and
// finalizer, deletes finished Tickets, patches claiming Pods (one JSON patch), and lists Pods live
// before it releases a claim (§3 step 6).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/pod.h"
#include "korder/api/ticket.h"
#include "korder/base/expected.h"
#include "korder/kclient/api_error.h"

namespace korder::kclient {
class RestClient;
}  // namespace korder::kclient

namespace korder::ticket {

/// The field manager the ticket controller writes as (its binary's name, DESIGN.md §8).
inline constexpr std::string_view kFieldManager = "korder-ticket-controller";

/// The writes (and the one live read) of the ticket reconciler. Blocking; called from worker
/// threads only. Implementations are thread-safe.
class TicketApi {
 public:
  template <typename T>
  using Result = Expected<T, kclient::ApiError>;

  virtual ~TicketApi() = default;

  /// A live GET of a Ticket (before pods are ungated because their ticket seems gone).
  virtual Result<api::Ticket> get_ticket(const std::string& namespace_,
                                         const std::string& name) = 0;
  /// A JSON patch (RFC 6902) of a Ticket's metadata (the finalizer patches): the stored ticket.
  virtual Result<api::Ticket> patch_ticket(const std::string& namespace_, const std::string& name,
                                           const std::string& json_patch) = 0;
  /// PUT of the Ticket's status subresource; `ticket.metadata.resourceVersion` is the
  /// precondition (409 when stale): the stored ticket.
  virtual Result<api::Ticket> update_ticket_status(const api::Ticket& ticket) = 0;
  /// DELETE of a Ticket with a uid precondition (its finalizer then runs).
  virtual Result<void> delete_ticket(const std::string& namespace_, const std::string& name,
                                     const std::string& uid) = 0;
  /// A live GET of a Pod (the guardian name, when the cache cannot tell who holds it).
  virtual Result<api::Pod> get_pod(const std::string& namespace_, const std::string& name) = 0;
  /// POST of a Pod (a guardian): the created pod.
  virtual Result<api::Pod> create_pod(const api::Pod& pod) = 0;
  /// DELETE of a Pod with a uid precondition and `grace_period_seconds`.
  virtual Result<void> delete_pod(const std::string& namespace_, const std::string& name,
                                  const std::string& uid, std::int64_t grace_period_seconds) = 0;
  /// A JSON patch (RFC 6902) of a Pod, never a whole-pod update: the stored pod.
  virtual Result<api::Pod> patch_pod(const std::string& namespace_, const std::string& name,
                                     const std::string& json_patch) = 0;
  /// A live LIST (from the API server, not a cache) of the Pods in `namespace_` matching
  /// `label_selector`.
  virtual Result<std::vector<api::Pod>> list_pods(const std::string& namespace_,
                                                  const std::string& label_selector) = 0;
};

/// TicketApi over a kclient::RestClient (its blocking facade). `client` must outlive it.
class RestTicketApi final : public TicketApi {
 public:
  explicit RestTicketApi(kclient::RestClient& client) : client_(client) {}

  Result<api::Ticket> get_ticket(const std::string& namespace_, const std::string& name) override;
  Result<api::Ticket> patch_ticket(const std::string& namespace_, const std::string& name,
                                   const std::string& json_patch) override;
  Result<api::Ticket> update_ticket_status(const api::Ticket& ticket) override;
  Result<void> delete_ticket(const std::string& namespace_, const std::string& name,
                             const std::string& uid) override;
  Result<api::Pod> get_pod(const std::string& namespace_, const std::string& name) override;
  Result<api::Pod> create_pod(const api::Pod& pod) override;
  Result<void> delete_pod(const std::string& namespace_, const std::string& name,
                          const std::string& uid, std::int64_t grace_period_seconds) override;
  Result<api::Pod> patch_pod(const std::string& namespace_, const std::string& name,
                             const std::string& json_patch) override;
  Result<std::vector<api::Pod>> list_pods(const std::string& namespace_,
                                          const std::string& label_selector) override;

 private:
  kclient::RestClient& client_;
};

}  // namespace korder::ticket
