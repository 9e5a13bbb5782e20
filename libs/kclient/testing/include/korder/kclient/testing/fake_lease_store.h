#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/api/lease.h"
#include "korder/kclient/api_error.h"
#include "korder/kclient/lease_client.h"

namespace korder::kclient::testing {

/// An in-memory Lease API shared by any number of candidates, with the API server's optimistic
/// concurrency: every write bumps `resourceVersion`, an update whose `resourceVersion` differs
/// from the stored one is a 409 Conflict, a create of an existing Lease is a 409 AlreadyExists,
/// a get of a missing one is a 404. It records every call and can be told to fail calls, so
/// leader-election tests can assert the exact writes. Thread-safe.
class FakeLeaseStore final : public LeaseClient {
 public:
  /// One recorded call: `get`, `create` or `update`, with the Lease sent (or the key for get).
  struct Call {
    std::string verb;
    std::string namespace_;
    std::string name;
    std::optional<api::Lease> lease;
    bool failed = false;
  };

  Expected<api::Lease, ApiError> get(const std::string& namespace_, const std::string& name,
                                     std::chrono::nanoseconds timeout) override;
  Expected<api::Lease, ApiError> create(const api::Lease& lease,
                                        std::chrono::nanoseconds timeout) override;
  Expected<api::Lease, ApiError> update(const api::Lease& lease,
                                        std::chrono::nanoseconds timeout) override;

  /// The stored Lease, if any.
  std::optional<api::Lease> lease(const std::string& namespace_, const std::string& name) const;
  /// Stores `lease` as if another writer had (bumping its resourceVersion).
  void put(api::Lease lease);

  /// While set, every call fails with this error (the API server is unreachable).
  void set_failure(std::optional<ApiError> error);
  /// The next call with `verb` (`get`, `create`, `update`) fails with `error` (queued: one
  /// failure per call).
  void fail_next(const std::string& verb, ApiError error);

  std::vector<Call> calls() const;
  /// Only the successful creates and updates, in order.
  std::vector<api::Lease> writes() const;
  void clear_calls();

 private:
  std::optional<ApiError> take_failure_locked(const std::string& verb)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static std::string key(const std::string& namespace_, const std::string& name);

  mutable absl::Mutex mu_;
  std::map<std::string, api::Lease> leases_ ABSL_GUARDED_BY(mu_);
  std::uint64_t version_ ABSL_GUARDED_BY(mu_) = 100;
  std::optional<ApiError> failure_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::deque<ApiError>> next_failures_ ABSL_GUARDED_BY(mu_);
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
};

}  // namespace korder::kclient::testing
