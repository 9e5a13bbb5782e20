#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "korder/kclient/event_sink.h"
#include "korder/kclient/rest_client.h"

namespace korder::kclient {

/// The EventSink of a real API server: POST of `/api/v1/namespaces/<ns>/events`, and a JSON
/// merge patch (`{"count":N,"lastTimestamp":"…"}`) of an existing Event, through the REST
/// client. Each call gives up after `timeout` (events are best effort; the recorder's thread
/// must not hang on a dead server). Blocking: never call it from an io thread. Thread-safe.
/// `client` and `io` must outlive it.
class RestEventSink final : public EventSink {
 public:
  RestEventSink(RestClient& client, boost::asio::io_context& io,
                std::chrono::nanoseconds timeout = std::chrono::seconds(10))
      : client_(client), io_(io), timeout_(timeout) {}

  Expected<api::Event, ApiError> create(const api::Event& event) override;
  Expected<api::Event, ApiError> patch_count(const std::string& namespace_, const std::string& name,
                                             std::int32_t count, TimePoint last_timestamp) override;

 private:
  RestClient& client_;
  boost::asio::io_context& io_;
  const std::chrono::nanoseconds timeout_;
};

/// The body of `RestEventSink::patch_count`: `{"count":<count>,"lastTimestamp":"<RFC 3339>"}`.
std::string event_count_patch(std::int32_t count, TimePoint last_timestamp);

}  // namespace korder::kclient
