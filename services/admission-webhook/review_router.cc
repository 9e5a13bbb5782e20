#include "review_router.h"

#include <glog/logging.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "korder/api/duration.h"
#include "korder/api/json.h"
#include "review.h"

namespace korder::webhook {
namespace {

WebhookAnswer text_answer(int status, std::string body) {
  WebhookAnswer answer;
  answer.status = status;
  answer.content_type = "text/plain; charset=utf-8";
  answer.body = std::move(body);
  return answer;
}

// The `timeout` query parameter kube-apiserver adds (`?timeout=10s`), if present and valid.
std::optional<std::chrono::nanoseconds> query_timeout(std::string_view query) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.starts_with("timeout=")) {
      auto parsed = api::Duration::parse(pair.substr(8));
      if (parsed && parsed->count() > 0) {
        return std::chrono::nanoseconds(parsed->count());
      }
    }
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace

ReviewRouter::ReviewRouter(PodAdmission& pods, ObjectAdmission& objects, WebhookMetrics& metrics,
                           Clock& clock, std::chrono::nanoseconds review_timeout)
    : pods_(pods),
      objects_(objects),
      metrics_(metrics),
      clock_(clock),
      review_timeout_(review_timeout) {}

boost::asio::awaitable<WebhookAnswer> ReviewRouter::handle(WebhookRequest request) {
  const SteadyTimePoint start = clock_.steady_now();
  std::string_view target = request.target;
  std::string_view query;
  if (const auto q = target.find('?'); q != std::string_view::npos) {
    query = target.substr(q + 1);
    target = target.substr(0, q);
  }
  std::string_view endpoint;
  for (const std::string_view known :
       {kMutatePods, kValidateOrders, kValidateTickets, kValidateQuotas}) {
    if (target == known) {
      endpoint = known;
    }
  }
  if (endpoint.empty()) {
    co_return text_answer(404, "no such endpoint: " + std::string(target));
  }
  const WebhookMetrics::EndpointSeries& series = metrics_.series_of(endpoint);
  if (request.method != "POST") {
    co_return text_answer(405,
                          "method " + request.method + " not allowed: POST an AdmissionReview");
  }
  std::chrono::nanoseconds budget = review_timeout_;
  if (const auto timeout = query_timeout(query); timeout) {
    // Leave a margin for the answer to travel back before the API server gives up.
    budget = std::min(
        budget,
        *timeout - std::min(*timeout / 5, std::chrono::nanoseconds(std::chrono::seconds(1))));
  }
  const SteadyTimePoint deadline = start + budget;
  api::AdmissionResponse response;
  // The pod endpoint reads the pod from the review's own parse (most pods are not korder's:
  // one parse and an annotation lookup answer them).
  // In 16 KB chunks: RapidJSON's default 64 KB chunk, freed after every review, is large enough
  // to send glibc's free into malloc_consolidate each time.
  api::JsonAllocator dom_allocator(16 * 1024);
  api::JsonDocument doc(&dom_allocator);
  std::optional<Expected<PodReview, std::string>> pod_review;
  std::optional<Expected<api::AdmissionRequest, std::string>> decoded;
  const std::string* error = nullptr;
  if (endpoint == kMutatePods) {
    pod_review = decode_pod_review(request.body, doc);
    error = *pod_review ? nullptr : &pod_review->error();
  } else {
    decoded = decode_review_request(request.body);
    error = *decoded ? nullptr : &decoded->error();
  }
  if (error) {
    series.bad_request->inc();
    VLOG(1) << "bad admission review"
            << " endpoint=" << endpoint << " error=" << *error;
    co_return text_answer(400, *error);
  }
  if (endpoint == kMutatePods) {
    const api::JsonValue* object = (*pod_review)->object;
    response = co_await pods_.review(std::move((*pod_review)->request), object, deadline);
  } else if (endpoint == kValidateOrders) {
    api::AdmissionRequest admission = std::move(**decoded);
    response = co_await objects_.review_order(std::move(admission), deadline);
  } else if (endpoint == kValidateTickets) {
    api::AdmissionRequest admission = std::move(**decoded);
    response = co_await objects_.review_ticket(std::move(admission), deadline);
  } else {
    response = objects_.review_quota(**decoded);
  }
  kclient::Counter* result = !response.allowed        ? series.denied
                             : response.patch.empty() ? series.allowed
                                                      : series.patched;
  result->inc();
  series.duration->observe(clock_.steady_now() - start);
  WebhookAnswer answer;
  answer.body = encode_review_response(response);
  co_return answer;
}

}  // namespace korder::webhook
