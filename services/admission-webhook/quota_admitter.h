#pragma once

// The quota decision of an Order/Ticket admission (DESIGN.md §4), behind an interface so the
// validating endpoints can be tested without a quota service.

#include <memory>
#include <string>
#include <vector>

#include "korder/base/clock.h"
#include "korder/base/expected.h"
#include "korder/kclient/detail/asio.h"
#include "korder/quota/v1/quota.pb.h"

namespace korder::quota_client {
class QuotaClient;
}  // namespace korder::quota_client

namespace korder::webhook {

/// The service's answer.
struct QuotaDecision {
  bool allowed = false;
  /// The denial message (`korder quota exceeded: quota "q": reserved.cpu: requested ...`).
  std::string message;
  std::vector<std::string> warnings;
};

/// Asks the quota service. Implementations never block the io thread.
class QuotaAdmitter {
 public:
  virtual ~QuotaAdmitter() = default;
  /// `Reserve` (or `Check` when `request.dry_run()`), finished before `deadline`. An error says
  /// why the service could not answer (`UNAVAILABLE: ...`).
  virtual boost::asio::awaitable<Expected<QuotaDecision, std::string>> admit(
      quota::v1::ReserveRequest request, SteadyTimePoint deadline) = 0;
};

/// The QuotaAdmitter over libs/quota-client's asynchronous calls. `client` must outlive it.
std::unique_ptr<QuotaAdmitter> make_quota_admitter(quota_client::QuotaClient& client, Clock& clock);

/// The denial message built from violations when the service sent none (DESIGN.md §4):
/// `korder quota exceeded: quota "team-quota": reserved.cpu: requested 500m, used 19800m,
/// limit 20` (several joined with `; `).
std::string quota_denial_message(
    const google::protobuf::RepeatedPtrField<quota::v1::Violation>& violations);

}  // namespace korder::webhook
