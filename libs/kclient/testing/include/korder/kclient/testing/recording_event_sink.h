#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/api/event.h"
#include "korder/kclient/event_sink.h"

namespace korder::kclient::testing {

/// An EventSink that keeps Events in memory and records every write, so tests can assert the
/// exact list: `create ns/name` and `patch ns/name count=N`. Patching an Event it does not hold
/// is NotFound, as on a server where the Event expired. Thread-safe.
class RecordingEventSink final : public EventSink {
 public:
  Expected<api::Event, ApiError> create(const api::Event& event) override;
  Expected<api::Event, ApiError> patch_count(const std::string& namespace_, const std::string& name,
                                             std::int32_t count, TimePoint last_timestamp) override;

  /// Every write, in order, as `create <ns>/<name>` or `patch <ns>/<name> count=<n>`.
  std::vector<std::string> writes() const;
  /// The Events held, by `ns/name`.
  std::map<std::string, api::Event> events() const;
  /// Forgets an Event, as its expiry on the server would.
  void expire(const std::string& namespace_, const std::string& name);
  /// The next write fails with `error`.
  void fail_next(ApiError error);

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, api::Event> events_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> writes_ ABSL_GUARDED_BY(mu_);
  std::deque<ApiError> failures_ ABSL_GUARDED_BY(mu_);
};

}  // namespace korder::kclient::testing
