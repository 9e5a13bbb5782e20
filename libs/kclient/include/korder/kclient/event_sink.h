#pragma once

#include <cstdint>
#include <string>

#include "korder/api/event.h"
#include "korder/base/clock.h"
#include "korder/base/expected.h"
#include "korder/kclient/api_error.h"

namespace korder::kclient {

/// The calls an `EventRecorder` makes on core/v1 Events (client-go's `record.EventSink`):
/// blocking, called from the recorder's own thread. `RestEventSink` implements it over the REST
/// client; tests use `testing::RecordingEventSink`. Implementations are thread-safe.
class EventSink {
 public:
  virtual ~EventSink() = default;

  /// POST the Event into its namespace.
  virtual Expected<api::Event, ApiError> create(const api::Event& event) = 0;

  /// Records one more occurrence of an existing Event: a JSON merge patch of `count` and
  /// `lastTimestamp` on `namespace_/name`. NotFound when the Event is gone (expired).
  virtual Expected<api::Event, ApiError> patch_count(const std::string& namespace_,
                                                     const std::string& name, std::int32_t count,
                                                     TimePoint last_timestamp) = 0;
};

}  // namespace korder::kclient
