#pragma once

// UsageWatch: the server-write reactor of one WatchUsage stream.

#include <grpcpp/grpcpp.h>

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/quota/v1/quota.pb.h"
#include "quota_backend.h"

namespace korder::quota {

class QuotaServiceImpl;

/// Streams usage changes of the watched quotas. The first message carries every watched quota;
/// after that, each change notification (UsageSubscriber) sends the quotas whose usage message
/// differs from the one last sent, plus the names of watched quotas that disappeared. One write
/// is in flight at a time: notifications during a write are coalesced into one follow-up, so a
/// slow reader costs one pending message, never a queue. Nothing here blocks: the snapshot is
/// taken on the notifying thread under the engine's short lock.
///
/// Lifetime: created by QuotaServiceImpl::WatchUsage, deletes itself in OnDone (the gRPC
/// reactor idiom) after unsubscribing and leaving the service's set of watches.
class UsageWatch final : public grpc::ServerWriteReactor<v1::WatchUsageResponse>,
                         public UsageSubscriber {
 public:
  UsageWatch(QuotaServiceImpl& service, QuotaBackend& backend, v1::WatchUsageRequest request);

  /// Subscribes and sends the first message.
  void start();
  /// Ends the stream with `status` (once the write in flight, if any, is done). Idempotent.
  void stop(const grpc::Status& status);

  void on_usage_changed() override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  /// Fills `response_` with what changed; returns false when there is nothing to send.
  bool prepare_locked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<QuotaSnapshot> watched() const;

  QuotaServiceImpl& service_;
  QuotaBackend& backend_;
  const v1::WatchUsageRequest request_;
  bool subscribed_ = false;  // set before any reaction can run, read in OnDone

  absl::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool initial_sent_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status final_status_ ABSL_GUARDED_BY(mu_);
  /// The message being written; untouched while `writing_`.
  v1::WatchUsageResponse response_;
  /// Per watched quota, the serialized QuotaUsage last sent.
  std::map<std::string, std::string> sent_ ABSL_GUARDED_BY(mu_);
};

}  // namespace korder::quota
