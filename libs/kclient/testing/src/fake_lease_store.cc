#include "korder/kclient/testing/fake_lease_store.h"

#include <utility>

namespace korder::kclient::testing {

std::string FakeLeaseStore::key(const std::string& namespace_, const std::string& name) {
  return namespace_ + "/" + name;
}

std::optional<ApiError> FakeLeaseStore::take_failure_locked(const std::string& verb) {
  auto& queued = next_failures_[verb];
  if (!queued.empty()) {
    ApiError error = std::move(queued.front());
    queued.pop_front();
    return error;
  }
  return failure_;
}

Expected<api::Lease, ApiError> FakeLeaseStore::get(const std::string& namespace_,
                                                   const std::string& name,
                                                   std::chrono::nanoseconds /*timeout*/) {
  absl::MutexLock lock(&mu_);
  calls_.push_back({"get", namespace_, name, std::nullopt, false});
  if (auto failure = take_failure_locked("get")) {
    calls_.back().failed = true;
    return Unexpected(std::move(*failure));
  }
  const auto it = leases_.find(key(namespace_, name));
  if (it == leases_.end()) {
    calls_.back().failed = true;
    return Unexpected(ApiError::from_response(404, "", "GET"));
  }
  return it->second;
}

Expected<api::Lease, ApiError> FakeLeaseStore::create(const api::Lease& lease,
                                                      std::chrono::nanoseconds /*timeout*/) {
  absl::MutexLock lock(&mu_);
  calls_.push_back({"create", lease.metadata.namespace_, lease.metadata.name, lease, false});
  if (auto failure = take_failure_locked("create")) {
    calls_.back().failed = true;
    return Unexpected(std::move(*failure));
  }
  const std::string k = key(lease.metadata.namespace_, lease.metadata.name);
  if (leases_.contains(k)) {
    calls_.back().failed = true;
    return Unexpected(ApiError::from_response(409, "", "POST"));
  }
  api::Lease stored = lease;
  stored.metadata.resource_version = std::to_string(++version_);
  leases_[k] = stored;
  return stored;
}

Expected<api::Lease, ApiError> FakeLeaseStore::update(const api::Lease& lease,
                                                      std::chrono::nanoseconds /*timeout*/) {
  absl::MutexLock lock(&mu_);
  calls_.push_back({"update", lease.metadata.namespace_, lease.metadata.name, lease, false});
  if (auto failure = take_failure_locked("update")) {
    calls_.back().failed = true;
    return Unexpected(std::move(*failure));
  }
  const auto it = leases_.find(key(lease.metadata.namespace_, lease.metadata.name));
  if (it == leases_.end()) {
    calls_.back().failed = true;
    return Unexpected(ApiError::from_response(404, "", "PUT"));
  }
  if (it->second.metadata.resource_version != lease.metadata.resource_version) {
    calls_.back().failed = true;
    return Unexpected(ApiError::from_response(409, "", "PUT"));
  }
  api::Lease stored = lease;
  stored.metadata.resource_version = std::to_string(++version_);
  it->second = stored;
  return stored;
}

std::optional<api::Lease> FakeLeaseStore::lease(const std::string& namespace_,
                                                const std::string& name) const {
  absl::MutexLock lock(&mu_);
  const auto it = leases_.find(key(namespace_, name));
  if (it == leases_.end()) {
    return std::nullopt;
  }
  return it->second;
}

void FakeLeaseStore::put(api::Lease lease) {
  absl::MutexLock lock(&mu_);
  lease.metadata.resource_version = std::to_string(++version_);
  leases_[key(lease.metadata.namespace_, lease.metadata.name)] = std::move(lease);
}

void FakeLeaseStore::set_failure(std::optional<ApiError> error) {
  absl::MutexLock lock(&mu_);
  failure_ = std::move(error);
}

void FakeLeaseStore::fail_next(const std::string& verb, ApiError error) {
  absl::MutexLock lock(&mu_);
  next_failures_[verb].push_back(std::move(error));
}

std::vector<FakeLeaseStore::Call> FakeLeaseStore::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

std::vector<api::Lease> FakeLeaseStore::writes() const {
  absl::MutexLock lock(&mu_);
  std::vector<api::Lease> writes;
  for (const Call& call : calls_) {
    if (!call.failed && call.lease && (call.verb == "create" || call.verb == "update")) {
      writes.push_back(*call.lease);
    }
  }
  return writes;
}

void FakeLeaseStore::clear_calls() {
  absl::MutexLock lock(&mu_);
  calls_.clear();
}

}  // namespace korder::kclient::testing
