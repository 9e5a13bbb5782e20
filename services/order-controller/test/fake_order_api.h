#pragma once

// A recording, in-memory OrderApi for reconciler tests (the sample-controller fixture): it keeps
// Orders and Tickets the way an API server would (uid, resourceVersion, creationTimestamp,
// preconditions, finalizers), records every call as a line (`create team-a/db-…`), and fails the
// calls a test scripts.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/clock.h"
#include "order_api.h"

namespace korder::order::testing {

/// An API error as the server would answer it (`code`, Status `reason`, `message`).
kclient::ApiError api_error(int code, const std::string& reason, const std::string& message);

/// The denial the quota webhook causes, as kube-apiserver wraps it.
kclient::ApiError quota_denied_error();

class FakeOrderApi final : public OrderApi {
 public:
  explicit FakeOrderApi(Clock& clock) : clock_(clock) {}

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

  /// Stores an order as the server would (uid kept when set, a new resourceVersion).
  api::Order put_order(api::Order order);
  /// Stores a ticket as is, with a new resourceVersion.
  api::Ticket put_ticket(api::Ticket ticket);
  /// Removes a ticket outright (the ticket controller finished its deletion).
  void erase_ticket(const std::string& namespace_, const std::string& name);

  std::optional<api::Order> order(const std::string& namespace_, const std::string& name) const;
  std::vector<api::Order> orders() const;
  std::vector<api::Ticket> tickets() const;

  /// Every call so far, in order; `take_writes` returns the writes only (not get/list) and
  /// clears the log.
  std::vector<std::string> calls() const;
  std::vector<std::string> take_writes();

  /// Makes a call fail: `fail(operation, key)` is asked before each call (`create`, `delete`,
  /// `status`, `finalizers`, `get`, `list`; key `ns/name`) and its error, if any, is returned.
  void set_failure(std::function<std::optional<kclient::ApiError>(const std::string& operation,
                                                                  const std::string& key)>
                       fail);

 private:
  std::optional<kclient::ApiError> failure(const std::string& operation, const std::string& key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string next_rv() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock& clock_;
  mutable absl::Mutex mu_;
  std::map<std::string, api::Order> orders_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, api::Ticket> tickets_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
  std::function<std::optional<kclient::ApiError>(const std::string&, const std::string&)> fail_
      ABSL_GUARDED_BY(mu_);
  int rv_ ABSL_GUARDED_BY(mu_) = 100;
  int uid_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace korder::order::testing
