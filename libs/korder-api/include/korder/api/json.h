#pragma once

// JSON in and out for the typed objects (RapidJSON DOM). Include this header to decode or
// encode values, or to write codecs for new kinds; the object headers only declare their
// codecs (see json_fwd.h).
//
// Conventions of every codec in korder::api:
// - `DecodeResult from_json_value(const JsonValue&, T&)` fills a default-constructed T and
//   returns the first problem as a ParseError whose `where` is the path below the value
//   (`spec.replicas`, `spec.resources.requests[cpu]`, `spec.tolerations[2].key`).
//   A member that is `null` counts as absent. Members a struct does not model go to its
//   `extras`. Duplicate member names (which Kubernetes never sends): one occurrence is read,
//   the others are dropped.
// - `JsonValue to_json_value(const T&, JsonAllocator&)` builds the value; absent optionals,
//   empty strings, empty lists and maps, and structs equal to their default are omitted;
//   non-optional numbers and booleans are always written; extras are written last.

#include <rapidjson/document.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "korder/api/extras.h"
#include "korder/api/json_fwd.h"
#include "korder/api/quantity.h"
#include "korder/base/clock.h"
#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::api {

/// Deepest nesting of arrays and objects accepted by parse_json (deeper input is an error, so
/// nothing downstream can recurse out of stack).
inline constexpr int kMaxJsonDepth = 1000;

/// Parses untrusted JSON text into `out` without recursion (RapidJSON's iterative parser),
/// rejecting invalid UTF-8, NUL bytes, trailing garbage and nesting deeper than kMaxJsonDepth.
/// Numbers keep full precision. Errors: `invalid JSON: <reason>` with `where` = `offset <n>`
/// (the byte offset). Never throws.
Expected<void, ParseError> parse_json(std::string_view text, JsonDocument& out);

/// Compact JSON text of `value` (members in stored order). Numbers must be finite (always true
/// for values from parse_json and the codecs).
std::string write_json(const JsonValue& value);

/// The JSON type of `value` as errors name it: `null`, `boolean`, `number`, `string`, `array`,
/// `object`.
std::string_view json_type_name(const JsonValue& value);

/// `expected <what>, got <type of value>` (no path; callers add it with ParseError::at).
ParseError json_type_error(std::string_view what, const JsonValue& value);

// ---- Scalar codecs -------------------------------------------------------------------------

/// A JSON string.
DecodeResult from_json_value(const JsonValue& json, std::string& out);
/// A JSON boolean.
DecodeResult from_json_value(const JsonValue& json, bool& out);
/// A JSON integer in range (a number with a zero fraction, such as `3.0`, is accepted).
DecodeResult from_json_value(const JsonValue& json, std::int32_t& out);
DecodeResult from_json_value(const JsonValue& json, std::int64_t& out);
/// An RFC 3339 string (metav1.Time and metav1.MicroTime both decode with this).
DecodeResult from_json_value(const JsonValue& json, TimePoint& out);
/// A quantity as Kubernetes accepts it: a string (`"500m"`, surrounding spaces ignored) or a
/// JSON number (`2`, `0.5`).
DecodeResult from_json_value(const JsonValue& json, Quantity& out);
/// Any JSON value, kept verbatim (a NaN or infinity, possible only in a document built by
/// code, is an error).
DecodeResult from_json_value(const JsonValue& json, RawJson& out);

/// An int-or-string value kept as text: a string as is, a number as its decimal text
/// (`10` → "10", `1.5` → "1.5"). Used for Quota `hard` values and `multiplier`.
DecodeResult decode_int_or_string(const JsonValue& json, std::string& out);
/// A map of int-or-string values (Quota `hard`/`used`); errors name the key (`[orders]`).
DecodeResult decode_int_or_string_map(const JsonValue& json,
                                      std::map<std::string, std::string>& out);

JsonValue to_json_value(const std::string& value, JsonAllocator& alloc);
JsonValue to_json_value(bool value, JsonAllocator& alloc);
JsonValue to_json_value(std::int32_t value, JsonAllocator& alloc);
JsonValue to_json_value(std::int64_t value, JsonAllocator& alloc);
/// metav1.Time: UTC, whole seconds (`2026-11-25T02:37:12Z`).
JsonValue to_json_value(TimePoint value, JsonAllocator& alloc);
/// metav1.MicroTime: UTC, six fractional digits (`2026-11-25T02:37:12.423743Z`).
JsonValue micro_time_json_value(TimePoint value, JsonAllocator& alloc);
/// The canonical string form (`"500m"`, `"1Gi"`).
JsonValue to_json_value(const Quantity& value, JsonAllocator& alloc);
/// The kept value (null when absent).
JsonValue to_json_value(const RawJson& value, JsonAllocator& alloc);

// ---- Containers ----------------------------------------------------------------------------

template <typename T>
DecodeResult from_json_value(const JsonValue& json, std::optional<T>& out);
template <typename T>
DecodeResult from_json_value(const JsonValue& json, std::vector<T>& out);
template <typename T>
DecodeResult from_json_value(const JsonValue& json, std::map<std::string, T>& out);

template <typename T>
DecodeResult from_json_value(const JsonValue& json, std::optional<T>& out) {
  T value{};
  if (auto result = from_json_value(json, value); !result) {
    return result;
  }
  out = std::move(value);
  return {};
}

template <typename T>
DecodeResult from_json_value(const JsonValue& json, std::vector<T>& out) {
  if (!json.IsArray()) {
    return Unexpected(json_type_error("array", json));
  }
  out.clear();
  // Grow as elements decode (not resize up front), so a huge array of bad elements fails
  // before it allocates a default element for each.
  out.reserve(std::min<std::size_t>(json.Size(), 64));
  for (rapidjson::SizeType i = 0; i < json.Size(); ++i) {
    if (auto result = from_json_value(json[i], out.emplace_back()); !result) {
      out.pop_back();
      return Unexpected(std::move(result).error().at("[" + std::to_string(i) + "]"));
    }
  }
  return {};
}

template <typename T>
DecodeResult from_json_value(const JsonValue& json, std::map<std::string, T>& out) {
  if (!json.IsObject()) {
    return Unexpected(json_type_error("object", json));
  }
  out.clear();
  for (auto it = json.MemberBegin(); it != json.MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    T value{};
    if (auto result = from_json_value(it->value, value); !result) {
      return Unexpected(std::move(result).error().at("[" + key + "]"));
    }
    out.emplace(std::move(key), std::move(value));  // the first of duplicate keys wins
  }
  return {};
}

template <typename T>
JsonValue to_json_value(const std::optional<T>& value, JsonAllocator& alloc) {
  return value.has_value() ? to_json_value(*value, alloc) : JsonValue();
}

template <typename T>
JsonValue to_json_value(const std::vector<T>& values, JsonAllocator& alloc) {
  JsonValue array(rapidjson::kArrayType);
  array.Reserve(static_cast<rapidjson::SizeType>(values.size()), alloc);
  for (const auto& value : values) {
    array.PushBack(to_json_value(value, alloc), alloc);
  }
  return array;
}

template <typename T>
JsonValue to_json_value(const std::map<std::string, T>& values, JsonAllocator& alloc) {
  JsonValue object(rapidjson::kObjectType);
  for (const auto& [key, value] : values) {
    object.AddMember(JsonValue(key.data(), static_cast<rapidjson::SizeType>(key.size()), alloc),
                     to_json_value(value, alloc), alloc);
  }
  return object;
}

namespace detail {
template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
}  // namespace detail

/// Whether JsonObjectWriter::field leaves `value` out: absent optionals and RawJson, empty
/// strings, lists and maps, structs equal to their default; never numbers, booleans, times
/// or quantities.
template <typename T>
bool json_omitted(const T& value) {
  if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, TimePoint> ||
                std::is_same_v<T, Quantity>) {
    return false;
  } else if constexpr (detail::IsOptional<T>::value || std::is_same_v<T, RawJson>) {
    return !value.has_value();
  } else if constexpr (requires { value.empty(); }) {
    return value.empty();
  } else {
    return value == T{};
  }
}

// ---- Object reader and writer --------------------------------------------------------------

/// Reads the members of one JSON object into a struct, tracking which members were read, so
/// the rest can be kept as Extras, and the first error, so a codec reads straight down:
///
///   JsonObjectReader r(json);
///   r.field("replicas", out.replicas).field("strategy", out.strategy);
///   return r.finish(out.extras);
///
/// After the first error every later call does nothing. Not thread-safe (a local helper).
class JsonObjectReader {
 public:
  /// Starts reading `json`; when it is not an object, finish() reports `expected object`.
  explicit JsonObjectReader(const JsonValue& json);

  /// Decodes member `name` into `out` with from_json_value when it is present and not null
  /// (otherwise `out` is left as it is). Errors get `name` prepended to their path.
  template <typename T>
  JsonObjectReader& field(std::string_view name, T& out) {
    if (const JsonValue* value = take(name)) {
      if (auto result = from_json_value(*value, out); !result) {
        fail(name, std::move(result).error());
      }
    }
    return *this;
  }

  /// Like field(), with a custom decoder `decode(const JsonValue&) -> DecodeResult`.
  template <typename Decoder>
  JsonObjectReader& field_with(std::string_view name, Decoder&& decode) {
    if (const JsonValue* value = take(name)) {
      if (auto result = decode(*value); !result) {
        fail(name, std::move(result).error());
      }
    }
    return *this;
  }

  /// Marks member `name` read and returns its value, or nullptr when it is absent or null,
  /// or after an error.
  const JsonValue* take(std::string_view name);

  /// Records `error` under member `name` (first error wins).
  void fail(std::string_view name, ParseError error);

  /// Ends reading: the members not read go to `extras` (duplicates of read members are
  /// dropped); returns the first error.
  DecodeResult finish(Extras& extras);

  /// Ends reading and ignores members not read; returns the first error.
  DecodeResult finish();

 private:
  static constexpr std::size_t kMaxFields = 48;

  const JsonValue* object_ = nullptr;
  std::optional<ParseError> error_;
  rapidjson::SizeType cursor_ = 0;
  // Only the first read_count_ entries are ever read: left uninitialised (a reader is made for
  // every object decoded; zeroing 192 bytes each time showed in profiles).
  std::array<rapidjson::SizeType, kMaxFields> read_;
  std::size_t read_count_ = 0;
};

/// While alive, records on this thread the member names JsonObjectReader::take is asked for:
/// the members a codec reads. For decoded_member_names; scopes do not nest.
class MemberNameRecorder {
 public:
  MemberNameRecorder();
  ~MemberNameRecorder();
  MemberNameRecorder(const MemberNameRecorder&) = delete;
  MemberNameRecorder& operator=(const MemberNameRecorder&) = delete;

  /// The names asked for so far, in order.
  const std::vector<std::string>& names() const { return names_; }

  /// Appends `name` to the recorder alive on this thread, if any (JsonObjectReader::take).
  static void record(std::string_view name);

 private:
  std::vector<std::string> names_;
};

/// The members the codec of T reads, in the order it reads them: the names its
/// JsonObjectReader asks for when it decodes `{}`. A codec that reads a member only when
/// another one has some value would not list it; the codecs of the object model do not.
template <typename T>
std::vector<std::string> decoded_member_names() {
  JsonDocument empty;
  empty.SetObject();
  T value{};
  MemberNameRecorder recorder;
  (void)from_json_value(static_cast<const JsonValue&>(empty), value);
  return recorder.names();
}

/// Builds one JSON object member by member; the counterpart of JsonObjectReader:
///
///   JsonObjectWriter w(alloc);
///   w.field("replicas", in.replicas).field("strategy", in.strategy);
///   return w.finish(in.extras);
///
/// Member names must be string literals (they are referenced, not copied).
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(JsonAllocator& alloc) : alloc_(alloc) {}

  /// Adds `name: to_json_value(value)` unless json_omitted(value).
  template <std::size_t N, typename T>
  JsonObjectWriter& field(const char (&name)[N], const T& value) {
    if (!json_omitted(value)) {
      add(name, N - 1, to_json_value(value, alloc_));
    }
    return *this;
  }

  /// Adds `name: to_json_value(value)` even when it is empty.
  template <std::size_t N, typename T>
  JsonObjectWriter& field_always(const char (&name)[N], const T& value) {
    add(name, N - 1, to_json_value(value, alloc_));
    return *this;
  }

  /// Adds a metav1.MicroTime member when `value` is set.
  template <std::size_t N>
  JsonObjectWriter& micro_time(const char (&name)[N], const std::optional<TimePoint>& value) {
    if (value.has_value()) {
      add(name, N - 1, micro_time_json_value(*value, alloc_));
    }
    return *this;
  }

  /// Adds a prepared value.
  template <std::size_t N>
  JsonObjectWriter& value(const char (&name)[N], JsonValue value) {
    add(name, N - 1, std::move(value));
    return *this;
  }

  JsonAllocator& allocator() { return alloc_; }

  /// The object, with the members of `extras` appended (skipping names already written).
  JsonValue finish(const Extras& extras);
  /// The object.
  JsonValue finish();

 private:
  void add(const char* name, std::size_t length, JsonValue value);

  JsonAllocator& alloc_;
  JsonValue object_{rapidjson::kObjectType};
};

// ---- Whole documents -----------------------------------------------------------------------

/// Decodes JSON text into a T (any type with a from_json_value overload).
template <typename T>
Expected<T, ParseError> decode(std::string_view json) {
  JsonDocument doc;
  if (auto parsed = parse_json(json, doc); !parsed) {
    return Unexpected(std::move(parsed).error());
  }
  T out{};
  if (auto result = from_json_value(static_cast<const JsonValue&>(doc), out); !result) {
    return Unexpected(std::move(result).error());
  }
  return out;
}

/// Decodes an already parsed value into a T.
template <typename T>
Expected<T, ParseError> decode_value(const JsonValue& json) {
  T out{};
  if (auto result = from_json_value(json, out); !result) {
    return Unexpected(std::move(result).error());
  }
  return out;
}

/// Compact JSON text of `value` (any type with a to_json_value overload).
template <typename T>
std::string encode(const T& value) {
  JsonDocument doc;
  const JsonValue json = to_json_value(value, doc.GetAllocator());
  return write_json(json);
}

/// Appends `<path>.<key>` for every member of `extras` to `out` (drift checks).
void append_extras_paths(const Extras& extras, const std::string& path,
                         std::vector<std::string>& out);

}  // namespace korder::api
