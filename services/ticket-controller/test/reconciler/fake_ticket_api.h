#pragma once

// Test-only: a TicketApi that behaves like a small API server for tickets and pods (resource
// versions, status PUT preconditions, JSON patches really applied, uid preconditions on deletes,
// finalizers) and records every call, so reconciler tests assert the exact writes
// (sample-controller's fixture) and can run the reconciler until nothing is left to do.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "korder/base/clock.h"
#include "korder/kclient/store.h"
#include "ticket_api.h"

namespace korder::ticket::testing {

class FakeTicketApi final : public TicketApi {
 public:
  explicit FakeTicketApi(Clock& clock) : clock_(clock) {}

  // ---- the server's state ----
  /// Stores `ticket` (a fresh resourceVersion) as if someone else had written it.
  void put_ticket(api::Ticket ticket);
  void put_pod(api::Pod pod);
  void remove_pod(const std::string& namespace_, const std::string& name);
  std::optional<api::Ticket> ticket(const std::string& namespace_, const std::string& name) const;
  std::optional<api::Pod> pod(const std::string& namespace_, const std::string& name) const;
  std::vector<api::Pod> pods() const;

  /// Copies the server's state into the caches (an informer that caught up); like the pod
  /// informer, only pods labelled korder.dev/ticket reach the pod cache.
  void sync(kclient::Store<api::Ticket>& tickets, kclient::Store<api::Pod>& pods) const;

  /// The calls made so far, one line each (`update_status team-a/web`, `create_pod
  /// team-a/web-guardian`, `delete_pod team-a/web-guardian uid=u grace=0`, `patch_pod
  /// team-a/p`, `list_pods team-a korder.dev/ticket=web`, ...), and clears them.
  std::vector<std::string> take_calls();
  /// Only the writes among take_calls() (no get_ticket / get_pod / list_pods).
  std::vector<std::string> take_writes();
  /// The bodies of the JSON patches sent to pods, in order.
  std::vector<std::string> pod_patches() const;

  /// The next call of `operation` (the first word of a call line) fails with `error`.
  void fail_next(const std::string& operation, kclient::ApiError error);

  // ---- TicketApi ----
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
  std::optional<kclient::ApiError> take_failure(const std::string& operation)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string next_rv() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void settle_ticket(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock& clock_;
  mutable absl::Mutex mu_;
  int rv_ ABSL_GUARDED_BY(mu_) = 100;
  int uids_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, api::Ticket> tickets_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, api::Pod> pods_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> pod_patches_ ABSL_GUARDED_BY(mu_);
  std::multimap<std::string, kclient::ApiError> failures_ ABSL_GUARDED_BY(mu_);
};

}  // namespace korder::ticket::testing
