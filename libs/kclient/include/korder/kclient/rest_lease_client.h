#pragma once

#include <chrono>
#include <string>

#include "korder/kclient/lease_client.h"
#include "korder/kclient/rest_client.h"

namespace korder::kclient {

/// The LeaseClient of a real API server: GET/POST/PUT of
/// `/apis/coordination.k8s.io/v1/namespaces/<ns>/leases[/<name>]` through the REST client.
///
/// Each call gives up after its `timeout` with a `Timeout` error even if the request is still in
/// flight (it then completes in the background and its answer is dropped), so a hung API server
/// cannot keep a leader acting past its renew deadline. The REST client's own retries of a GET
/// or a PUT with a resourceVersion happen within that time. Blocking: never call it from an io
/// thread (it fails at once with an `Unknown` error if you do). Thread-safe. `client` and `io`
/// (the io_context the client's transport runs on) must outlive it.
class RestLeaseClient final : public LeaseClient {
 public:
  RestLeaseClient(RestClient& client, boost::asio::io_context& io) : client_(client), io_(io) {}

  Expected<api::Lease, ApiError> get(const std::string& namespace_, const std::string& name,
                                     std::chrono::nanoseconds timeout) override;
  Expected<api::Lease, ApiError> create(const api::Lease& lease,
                                        std::chrono::nanoseconds timeout) override;
  Expected<api::Lease, ApiError> update(const api::Lease& lease,
                                        std::chrono::nanoseconds timeout) override;

 private:
  RestClient& client_;
  boost::asio::io_context& io_;
};

}  // namespace korder::kclient
