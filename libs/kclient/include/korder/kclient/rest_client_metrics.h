#pragma once

#include <chrono>
#include <string_view>

#include "korder/kclient/metrics.h"

namespace korder::kclient {

/// The Kubernetes verbs a RestClient request is counted under (kube-apiserver's
/// `apiserver_request_total{verb}` vocabulary, so client and server numbers line up): a GET of
/// one object is `GET`, of a collection `LIST`, a watch `WATCH`; POST `CREATE`; PUT (the object
/// or its status) `UPDATE`; `PATCH`; `DELETE`.
struct RestVerb {
  static constexpr std::string_view Get = "GET";
  static constexpr std::string_view List = "LIST";
  static constexpr std::string_view Watch = "WATCH";
  static constexpr std::string_view Create = "CREATE";
  static constexpr std::string_view Update = "UPDATE";
  static constexpr std::string_view Patch = "PATCH";
  static constexpr std::string_view Delete = "DELETE";
};

/// The REST client's request metrics (client-go's `rest_client_requests_total` and
/// `rest_client_request_duration_seconds`), registered in a daemon's registry by DaemonRuntime:
///
///  - `korder_rest_client_requests_total{verb,code}`: HTTP requests sent, one per attempt
///    (a retried call counts each try; a call the rate limiter timed out before sending counts
///    none; the transport's one silent resend on a stale keep-alive connection is part of its
///    attempt). `verb` is a RestVerb; `code` the response's HTTP status (`200`, `409`, ...), or
///    `error` when no response came (connect, TLS, timeout, a connection lost).
///  - `korder_rest_client_request_duration_seconds{verb}`: each attempt's latency, from sending
///    to the whole response (not for WATCH, whose duration is the stream's life).
///
/// A WATCH is counted when its stream ends, with the status it started with (`200` for a
/// stream that ran) or its error. Thread-safe; the registry must outlive it.
class RestClientMetrics {
 public:
  explicit RestClientMetrics(MetricsRegistry& registry);
  RestClientMetrics(const RestClientMetrics&) = delete;
  RestClientMetrics& operator=(const RestClientMetrics&) = delete;

  /// One request of `verb` answered with HTTP status `code` (0: no response) after `latency`.
  void observe(std::string_view verb, int code, std::chrono::nanoseconds latency);
  /// One watch stream ended with HTTP status `code` (0: no response).
  void observe_watch(int code);

 private:
  CounterFamily& requests_;
  HistogramFamily& durations_;
};

}  // namespace korder::kclient
