#pragma once

// /mutate-pods: the claim (DESIGN.md §3 steps 1-4). A pod that opted in gets a claimable ticket
// (claimed with a resourceVersion-conditioned status update), a label, an annotation and a
// scheduling gate; anything else passes unchanged, with a reason annotation when it opted in.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "candidate_selection.h"
#include "claim_tracker.h"
#include "korder/api/admission.h"
#include "korder/api/json_fwd.h"
#include "korder/base/clock.h"
#include "korder/kclient/api_error.h"
#include "korder/kclient/detail/asio.h"
#include "pod_patch.h"
#include "webhook_metrics.h"

namespace korder::webhook {

/// Writes a claim: PUT of the ticket's /status with its resourceVersion (a Conflict means
/// another pod won). Never blocks the io thread.
class ClaimWriter {
 public:
  virtual ~ClaimWriter() = default;
  virtual boost::asio::awaitable<Expected<void, kclient::ApiError>> write_claim(
      api::Ticket ticket) = 0;
};

/// Tells an Order that a pod naming it got no ticket (an Event; never blocks).
class OrderEvents {
 public:
  virtual ~OrderEvents() = default;
  virtual void no_ticket(const std::string& namespace_, const std::string& order,
                         const std::string& message) = 0;
};

/// How claims are made.
struct PodAdmissionOptions {
  PodAdmissionOptions() = default;

  /// `--claim-deadline`: how long the ticket controller waits for the claiming pod.
  std::chrono::nanoseconds claim_deadline = std::chrono::seconds(30);
  /// Candidates tried (one status write each) before giving up.
  int max_attempts = 5;
  /// No new claim write starts with less than this left before the review's deadline.
  std::chrono::nanoseconds min_attempt_time = std::chrono::milliseconds(500);
};

/// The pod webhook. Thread-safe; everything it is given must outlive it.
class PodAdmission {
 public:
  PodAdmission(const TicketSource& tickets, ClaimWriter& writer, OrderEvents& events,
               ClaimTracker& tracker, WebhookMetrics& metrics, Clock& clock,
               std::function<std::uint64_t()> random, std::function<bool()> synced,
               PodAdmissionOptions options = {});

  /// Answers one review. `deadline` (steady time) bounds the claim writes. Never throws.
  boost::asio::awaitable<api::AdmissionResponse> review(api::AdmissionRequest request,
                                                        SteadyTimePoint deadline);
  /// The same for a review whose pod is already parsed (decode_pod_review): `object` is the
  /// request's `object` (null when absent) and must stay valid until the answer; the request's
  /// own `object` is not read.
  boost::asio::awaitable<api::AdmissionResponse> review(api::AdmissionRequest request,
                                                        const api::JsonValue* object,
                                                        SteadyTimePoint deadline);

 private:
  // The admitted-unchanged answer with the reason annotation (and an Event on the order).
  api::AdmissionResponse unassigned(const api::AdmissionRequest& request, const PodShape& shape,
                                    const api::Pod& pod,
                                    const std::string& ns, const std::string& order,
                                    const std::string& reason, std::string_view outcome);
  std::string new_token();

  const TicketSource& tickets_;
  ClaimWriter& writer_;
  OrderEvents& events_;
  ClaimTracker& tracker_;
  WebhookMetrics& metrics_;
  Clock& clock_;
  std::function<std::uint64_t()> random_;
  std::function<bool()> synced_;
  const PodAdmissionOptions options_;
};

}  // namespace korder::webhook
