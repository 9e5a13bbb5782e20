// The REST client's implementations of LeaseClient and EventSink.

#include "call_with_timeout.h"
#include "korder/api/json.h"
#include "korder/kclient/rest_event_sink.h"
#include "korder/kclient/rest_lease_client.h"
#include "korder/kclient/typed_resources.h"

namespace korder::kclient {

Expected<api::Lease, ApiError> RestLeaseClient::get(const std::string& namespace_,
                                                    const std::string& name,
                                                    std::chrono::nanoseconds timeout) {
  return detail::call_with_timeout<api::Lease>(
      io_,
      [&client = client_, namespace_, name] {
        return client.async_get<api::Lease>(namespace_, name);
      },
      timeout, "getting lease " + namespace_ + "/" + name);
}

Expected<api::Lease, ApiError> RestLeaseClient::create(const api::Lease& lease,
                                                       std::chrono::nanoseconds timeout) {
  return detail::call_with_timeout<api::Lease>(
      io_, [&client = client_, lease] { return client.async_create(lease); }, timeout,
      "creating lease " + lease.metadata.namespace_ + "/" + lease.metadata.name);
}

Expected<api::Lease, ApiError> RestLeaseClient::update(const api::Lease& lease,
                                                       std::chrono::nanoseconds timeout) {
  return detail::call_with_timeout<api::Lease>(
      io_, [&client = client_, lease] { return client.async_update(lease); }, timeout,
      "updating lease " + lease.metadata.namespace_ + "/" + lease.metadata.name);
}

std::string event_count_patch(std::int32_t count, TimePoint last_timestamp) {
  api::JsonDocument doc;
  doc.SetObject();
  auto& alloc = doc.GetAllocator();
  doc.AddMember("count", api::to_json_value(count, alloc), alloc);
  doc.AddMember("lastTimestamp", api::to_json_value(last_timestamp, alloc), alloc);
  return api::write_json(doc);
}

Expected<api::Event, ApiError> RestEventSink::create(const api::Event& event) {
  return detail::call_with_timeout<api::Event>(
      io_, [&client = client_, event] { return client.async_create(event); }, timeout_,
      "creating event " + event.metadata.namespace_ + "/" + event.metadata.name);
}

Expected<api::Event, ApiError> RestEventSink::patch_count(const std::string& namespace_,
                                                          const std::string& name,
                                                          std::int32_t count,
                                                          TimePoint last_timestamp) {
  return detail::call_with_timeout<api::Event>(
      io_,
      [&client = client_, namespace_, name, body = event_count_patch(count, last_timestamp)] {
        return client.async_patch<api::Event>(namespace_, name, PatchType::Merge, body);
      },
      timeout_, "patching event " + namespace_ + "/" + name);
}

}  // namespace korder::kclient
