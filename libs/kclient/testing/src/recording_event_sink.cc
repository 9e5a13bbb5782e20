#include "korder/kclient/testing/recording_event_sink.h"

#include <utility>

namespace korder::kclient::testing {

Expected<api::Event, ApiError> RecordingEventSink::create(const api::Event& event) {
  absl::MutexLock lock(&mu_);
  const std::string key = event.metadata.namespace_ + "/" + event.metadata.name;
  writes_.push_back("create " + key);
  if (!failures_.empty()) {
    ApiError error = std::move(failures_.front());
    failures_.pop_front();
    return Unexpected(std::move(error));
  }
  if (events_.contains(key)) {
    return Unexpected(ApiError::from_response(409, "", "POST"));
  }
  events_[key] = event;
  return event;
}

Expected<api::Event, ApiError> RecordingEventSink::patch_count(const std::string& namespace_,
                                                               const std::string& name,
                                                               std::int32_t count,
                                                               TimePoint last_timestamp) {
  absl::MutexLock lock(&mu_);
  const std::string key = namespace_ + "/" + name;
  writes_.push_back("patch " + key + " count=" + std::to_string(count));
  if (!failures_.empty()) {
    ApiError error = std::move(failures_.front());
    failures_.pop_front();
    return Unexpected(std::move(error));
  }
  const auto it = events_.find(key);
  if (it == events_.end()) {
    return Unexpected(ApiError::from_response(404, "", "PATCH"));
  }
  it->second.count = count;
  it->second.last_timestamp = last_timestamp;
  return it->second;
}

std::vector<std::string> RecordingEventSink::writes() const {
  absl::MutexLock lock(&mu_);
  return writes_;
}

std::map<std::string, api::Event> RecordingEventSink::events() const {
  absl::MutexLock lock(&mu_);
  return events_;
}

void RecordingEventSink::expire(const std::string& namespace_, const std::string& name) {
  absl::MutexLock lock(&mu_);
  events_.erase(namespace_ + "/" + name);
}

void RecordingEventSink::fail_next(ApiError error) {
  absl::MutexLock lock(&mu_);
  failures_.push_back(std::move(error));
}

}  // namespace korder::kclient::testing
