#pragma once

#include <chrono>
#include <string>

#include "korder/api/lease.h"
#include "korder/base/expected.h"
#include "korder/kclient/api_error.h"

namespace korder::kclient {

/// The three calls leader election makes on coordination.k8s.io/v1 Leases (client-go's
/// `resourcelock.Interface`, reduced to what `LeaseLock` does): blocking, called from the
/// elector's own thread, never from an io thread. `RestLeaseClient` implements it over the REST
/// client; tests use `testing::FakeLeaseStore`. Implementations are thread-safe.
///
/// Every call takes `timeout`, the time left before the elector gives up on the attempt
/// (client-go runs each renewal under a context that ends at the renew deadline): an
/// implementation that talks to a server gives up after it with a `Timeout` error, so a hung
/// connection cannot keep a leader acting past its renew deadline.
class LeaseClient {
 public:
  virtual ~LeaseClient() = default;

  /// GET the Lease. NotFound when it does not exist.
  virtual Expected<api::Lease, ApiError> get(const std::string& namespace_, const std::string& name,
                                             std::chrono::nanoseconds timeout) = 0;
  /// POST a new Lease (namespace and name from its metadata). AlreadyExists when another
  /// candidate created it first.
  virtual Expected<api::Lease, ApiError> create(const api::Lease& lease,
                                                std::chrono::nanoseconds timeout) = 0;
  /// PUT the Lease with `metadata.resourceVersion` as the precondition. Conflict when someone
  /// else wrote it since that version was read (optimistic concurrency).
  virtual Expected<api::Lease, ApiError> update(const api::Lease& lease,
                                                std::chrono::nanoseconds timeout) = 0;
};

}  // namespace korder::kclient
