#pragma once

// core/v1 Event (what `kubectl describe` lists) and ObjectReference. Codec conventions: see
// json.h.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "korder/api/extras.h"
#include "korder/api/json_fwd.h"
#include "korder/api/meta.h"
#include "korder/base/clock.h"

namespace korder::api {

/// The wire values of an event's `type`.
struct EventType {
  static constexpr std::string_view Normal = "Normal";
  static constexpr std::string_view Warning = "Warning";
};

/// core/v1 ObjectReference (an event's `involvedObject`).
struct ObjectReference {
  std::string kind;
  std::string namespace_;  // JSON `namespace`
  std::string name;
  std::string uid;
  std::string api_version;
  std::string resource_version;
  std::string field_path;
  Extras extras;

  bool operator==(const ObjectReference&) const = default;
};

/// core/v1 EventSource.
struct EventSource {
  std::string component;
  std::string host;
  Extras extras;

  bool operator==(const EventSource&) const = default;
};

/// core/v1 Event. `firstTimestamp`/`lastTimestamp` are metav1.Time (seconds); `eventTime` is
/// metav1.MicroTime (written with six fractional digits). `series` and `related` stay in
/// extras.
struct Event {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  ObjectReference involved_object;
  std::string reason;
  std::string message;
  EventSource source;
  std::optional<TimePoint> first_timestamp;
  std::optional<TimePoint> last_timestamp;
  std::optional<std::int32_t> count;
  std::string type;  // EventType
  std::optional<TimePoint> event_time;
  std::string action;
  std::string reporting_component;
  std::string reporting_instance;
  Extras extras;

  bool operator==(const Event&) const = default;
};

DecodeResult from_json_value(const JsonValue& json, ObjectReference& out);
DecodeResult from_json_value(const JsonValue& json, EventSource& out);
DecodeResult from_json_value(const JsonValue& json, Event& out);
JsonValue to_json_value(const ObjectReference& in, JsonAllocator& alloc);
JsonValue to_json_value(const EventSource& in, JsonAllocator& alloc);
JsonValue to_json_value(const Event& in, JsonAllocator& alloc);

/// Decodes an Event from untrusted JSON text.
Expected<Event, ParseError> parse_event(std::string_view json);
/// Compact JSON of `event`.
std::string to_json(const Event& event);

}  // namespace korder::api
