#pragma once

// QuotaServiceImpl: the gRPC service korder.quota.v1.QuotaService over a QuotaBackend.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <set>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/quota/v1/quota.grpc.pb.h"
#include "quota_backend.h"
#include "serial_executor.h"

namespace korder::quota {

/// The full name grpc.health.v1 reports the service under.
inline constexpr std::string_view kQuotaServiceName = "korder.quota.v1.QuotaService";

class UsageWatch;

/// korder.quota.v1.QuotaService with the callback API. Unary methods decide in memory (no
/// blocking) and finish on the default reactor; WatchUsage streams through a small reactor.
///
/// Only a serving replica answers (the leader, once its caches are synced): otherwise every
/// method fails with UNAVAILABLE, and turning serving off ends every WatchUsage stream with
/// UNAVAILABLE. Deadlines: a call whose deadline has passed (or that was cancelled) when it is
/// handled fails with DEADLINE_EXCEEDED (or CANCELLED) without deciding; a Reserve that finds
/// its deadline passed after deciding releases the hold it recorded, so a caller that gave up
/// never leaves a hold behind. Malformed requests fail with INVALID_ARGUMENT naming the field;
/// GetUsage of an unknown quota with NOT_FOUND. Thread-safe; `backend` must outlive it, and the
/// server must be shut down before it is destroyed.
class QuotaServiceImpl final : public v1::QuotaService::CallbackService {
 public:
  explicit QuotaServiceImpl(QuotaBackend& backend);
  ~QuotaServiceImpl() override;

  /// Turns answering on (leader with synced caches) or off.
  void set_serving(bool serving);
  bool serving() const { return serving_.load(std::memory_order_acquire); }

  grpc::ServerUnaryReactor* Reserve(grpc::CallbackServerContext* context,
                                    const v1::ReserveRequest* request,
                                    v1::ReserveResponse* response) override;
  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const v1::CheckRequest* request,
                                  v1::CheckResponse* response) override;
  grpc::ServerUnaryReactor* Release(grpc::CallbackServerContext* context,
                                    const v1::ReleaseRequest* request,
                                    v1::ReleaseResponse* response) override;
  grpc::ServerUnaryReactor* GetUsage(grpc::CallbackServerContext* context,
                                     const v1::GetUsageRequest* request,
                                     v1::GetUsageResponse* response) override;
  grpc::ServerUnaryReactor* ListQuotas(grpc::CallbackServerContext* context,
                                       const v1::ListQuotasRequest* request,
                                       v1::ListQuotasResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchUsageResponse>* WatchUsage(
      grpc::CallbackServerContext* context, const v1::WatchUsageRequest* request) override;

 private:
  friend class UsageWatch;

  /// OK when the call may be served now; otherwise why not.
  grpc::Status admit(grpc::CallbackServerContext& context) const;
  void forget_watch(UsageWatch* watch);

  QuotaBackend& backend_;
  std::atomic<bool> serving_{false};
  // Reserve and Check decisions (which take the engine's lock) run through it.
  SerialExecutor decisions_;
  absl::Mutex watches_mu_;
  std::set<UsageWatch*> watches_ ABSL_GUARDED_BY(watches_mu_);
};

}  // namespace korder::quota
