#pragma once

// Routes the webhook's HTTPS requests to the endpoints: decodes the AdmissionReview, gives the
// endpoint its deadline, counts and times the answer, and encodes it.

#include <chrono>

#include "korder/base/clock.h"
#include "object_admission.h"
#include "pod_admission.h"
#include "webhook_metrics.h"
#include "webhook_server.h"

namespace korder::webhook {

/// `/mutate-pods`, `/validate-orders`, `/validate-tickets`, `/validate-quotas` (POST, JSON
/// AdmissionReview). A body that is not a valid `admission.k8s.io/v1` AdmissionReview with a
/// request uid is a 400; another method is 405; another path 404.
class ReviewRouter final : public RequestHandler {
 public:
  /// `review_timeout`: each review's deadline (shorter than the webhooks' `timeoutSeconds`); the
  /// request's `?timeout=` (sent by kube-apiserver) shortens it further, minus a margin.
  ReviewRouter(PodAdmission& pods, ObjectAdmission& objects, WebhookMetrics& metrics, Clock& clock,
               std::chrono::nanoseconds review_timeout);

  boost::asio::awaitable<WebhookAnswer> handle(WebhookRequest request) override;

 private:
  PodAdmission& pods_;
  ObjectAdmission& objects_;
  WebhookMetrics& metrics_;
  Clock& clock_;
  const std::chrono::nanoseconds review_timeout_;
};

}  // namespace korder::webhook
