#pragma once

// The API calls the order reconciler makes, behind an interface so reconciler tests can use a
// recording fake (STYLE §9, sample-controller's fixture) while the daemon uses the REST client.
// DESIGN.md §1: the order controller creates and deletes Tickets, writes the Order's status and
// finalizer, and lists Tickets live once before it removes the finalizer.

#include <string>
#include <vector>

#include "korder/api/order.h"
#include "korder/api/ticket.h"
#include "korder/base/expected.h"
#include "korder/kclient/api_error.h"

namespace korder::kclient {
class RestClient;
}  // namespace korder::kclient

namespace korder::order {

/// The field manager korder's order controller writes as.
inline constexpr std::string_view kFieldManager = "korder-order-controller";

/// The writes (and the few live reads) of the order reconciler. Blocking; called from worker
/// threads only. Implementations are thread-safe.
class OrderApi {
 public:
  template <typename T>
  using Result = Expected<T, kclient::ApiError>;

  virtual ~OrderApi() = default;

  /// POST of a Ticket: the created ticket.
  virtual Result<api::Ticket> create_ticket(const api::Ticket& ticket) = 0;
  /// GET of a Ticket, live (not from a cache): after AlreadyExists.
  virtual Result<api::Ticket> get_ticket(const std::string& namespace_,
                                         const std::string& name) = 0;
  /// DELETE of a Ticket with uid and (when not empty) resourceVersion preconditions: the
  /// ticket as the server answered while its finalizers run (deletionTimestamp set), or
  /// nullopt when it is gone at once.
  virtual Result<std::optional<api::Ticket>> delete_ticket(const std::string& namespace_,
                                                           const std::string& name,
                                                           const std::string& uid,
                                                           const std::string& resource_version) = 0;
  /// A live LIST of the tickets labelled `korder.dev/order=<order_name>` in `namespace_`.
  virtual Result<std::vector<api::Ticket>> list_tickets(const std::string& namespace_,
                                                        const std::string& order_name) = 0;
  /// PUT of the Order's status subresource (`order.metadata.resourceVersion` is the
  /// precondition): the stored order.
  virtual Result<api::Order> update_order_status(const api::Order& order) = 0;
  /// Replaces the Order's finalizers with `finalizers`, on the precondition that the Order is
  /// still at `resource_version` (a JSON merge patch carrying `metadata.resourceVersion`, as
  /// controller-runtime's MergeFromWithOptimisticLock): the stored order.
  virtual Result<api::Order> set_order_finalizers(const std::string& namespace_,
                                                  const std::string& name,
                                                  const std::string& resource_version,
                                                  const std::vector<std::string>& finalizers) = 0;
};

/// The body of set_order_finalizers: `{"metadata":{"finalizers":[...],"resourceVersion":"…"}}`
/// (an empty list is written as `[]`, which removes every finalizer).
std::string finalizers_patch(const std::string& resource_version,
                             const std::vector<std::string>& finalizers);

/// OrderApi over a kclient::RestClient (blocking facade). `client` must outlive it.
class RestOrderApi final : public OrderApi {
 public:
  explicit RestOrderApi(kclient::RestClient& client) : client_(client) {}

  Result<api::Ticket> create_ticket(const api::Ticket& ticket) override;
  Result<api::Ticket> get_ticket(const std::string& namespace_, const std::string& name) override;
  Result<std::optional<api::Ticket>> delete_ticket(const std::string& namespace_,
                                                   const std::string& name, const std::string& uid,
                                                   const std::string& resource_version) override;
  Result<std::vector<api::Ticket>> list_tickets(const std::string& namespace_,
                                                const std::string& order_name) override;
  Result<api::Order> update_order_status(const api::Order& order) override;
  Result<api::Order> set_order_finalizers(const std::string& namespace_, const std::string& name,
                                          const std::string& resource_version,
                                          const std::vector<std::string>& finalizers) override;

 private:
  kclient::RestClient& client_;
};

}  // namespace korder::order
