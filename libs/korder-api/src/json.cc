#include "korder/api/json.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "korder/api/discard_extras.h"
#include "korder/api/json_depth_limit.h"
#include "korder/api/time.h"
#include "korder/base/check.h"

namespace korder::api {
namespace {

constexpr unsigned kUntrustedParseFlags = rapidjson::kParseIterativeFlag |
                                          rapidjson::kParseValidateEncodingFlag |
                                          rapidjson::kParseFullPrecisionFlag;

// The generator JsonDocument::Populate calls: parses `text` into the document.
struct UntrustedParse {
  std::string_view text;
  rapidjson::ParseResult result;
  bool too_deep = false;

  bool operator()(JsonDocument& doc) {
    rapidjson::MemoryStream bytes(text.data(), text.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> stream(bytes);
    rapidjson::Reader reader;
    DepthLimitedHandler handler(doc);
    result = reader.Parse<kUntrustedParseFlags>(stream, handler);
    too_deep = handler.too_deep();
    return !result.IsError();
  }
};

ParseError json_syntax_error(std::string message, std::size_t offset) {
  return ParseError{"invalid JSON: " + std::move(message), "offset " + std::to_string(offset)};
}

// The shortest decimal text of a JSON number (`10`, `1.5`, `1e+21`).
std::string number_text(const JsonValue& json) {
  if (json.IsInt64()) {
    return std::to_string(json.GetInt64());
  }
  if (json.IsUint64()) {
    return std::to_string(json.GetUint64());
  }
  std::array<char, 64> buffer{};
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), json.GetDouble());
  KORDER_CHECK(ec == std::errc(), "a double always fits in 64 characters");
  return std::string(buffer.data(), end);
}

// `json` as an integer in [lo, hi]: an integer, or a double with no fraction.
Expected<std::int64_t, ParseError> integer_in_range(const JsonValue& json, std::int64_t lo,
                                                    std::int64_t hi) {
  if (!json.IsNumber()) {
    return Unexpected(json_type_error("integer", json));
  }
  if (json.IsInt64()) {
    const std::int64_t v = json.GetInt64();
    if (v >= lo && v <= hi) {
      return v;
    }
    return Unexpected(ParseError{"integer out of range: " + number_text(json), ""});
  }
  if (json.IsUint64()) {
    return Unexpected(ParseError{"integer out of range: " + number_text(json), ""});
  }
  const double d = json.GetDouble();
  if (std::trunc(d) != d) {
    return Unexpected(ParseError{"expected integer, got number " + number_text(json), ""});
  }
  // Doubles at or beyond +/-2^63 cannot be converted; smaller integral doubles are exact.
  if (d < -9.2233720368547758e18 || d >= 9.2233720368547758e18) {
    return Unexpected(ParseError{"integer out of range: " + number_text(json), ""});
  }
  const auto v = static_cast<std::int64_t>(d);
  if (v < lo || v > hi) {
    return Unexpected(ParseError{"integer out of range: " + number_text(json), ""});
  }
  return v;
}

// RapidJSON's writer refuses NaN and infinities, which only a document built by code (not
// parse_json) can hold.
ParseError non_finite_error() { return ParseError{"NaN or infinite number", ""}; }

bool same_name(const JsonValue& name, std::string_view text) {
  return name.GetStringLength() == text.size() &&
         std::memcmp(name.GetString(), text.data(), text.size()) == 0;
}

bool same_name(const JsonValue& a, const JsonValue& b) {
  return a.GetStringLength() == b.GetStringLength() &&
         std::memcmp(a.GetString(), b.GetString(), a.GetStringLength()) == 0;
}

// Parses JSON text korder produced itself (extras, raw values) into values owned by `alloc`.
JsonValue parse_trusted(std::string_view text, JsonAllocator& alloc) {
  JsonDocument doc(&alloc);
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag>(text.data(),
                                                                                 text.size());
  KORDER_CHECK(!doc.HasParseError(), "kept JSON text is well-formed");
  return JsonValue(std::move(static_cast<JsonValue&>(doc)));
}

}  // namespace

Expected<void, ParseError> parse_json(std::string_view text, JsonDocument& out) {
  if (const void* nul = std::memchr(text.data(), '\0', text.size())) {
    return Unexpected(json_syntax_error(
        "NUL byte", static_cast<std::size_t>(static_cast<const char*>(nul) - text.data())));
  }
  UntrustedParse parse{text, {}, false};
  out.Populate(parse);
  if (parse.too_deep) {
    return Unexpected(json_syntax_error(
        "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels", parse.result.Offset()));
  }
  if (parse.result.IsError()) {
    return Unexpected(
        json_syntax_error(rapidjson::GetParseError_En(parse.result.Code()), parse.result.Offset()));
  }
  return {};
}

std::string write_json(const JsonValue& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string_view json_type_name(const JsonValue& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "boolean";
    case rapidjson::kObjectType:
      return "object";
    case rapidjson::kArrayType:
      return "array";
    case rapidjson::kStringType:
      return "string";
    case rapidjson::kNumberType:
      return "number";
  }
  return "unknown";
}

ParseError json_type_error(std::string_view what, const JsonValue& value) {
  std::string message = "expected ";
  message.append(what).append(", got ").append(json_type_name(value));
  return ParseError{std::move(message), ""};
}

DecodeResult from_json_value(const JsonValue& json, std::string& out) {
  if (!json.IsString()) {
    return Unexpected(json_type_error("string", json));
  }
  out.assign(json.GetString(), json.GetStringLength());
  return {};
}

DecodeResult from_json_value(const JsonValue& json, bool& out) {
  if (!json.IsBool()) {
    return Unexpected(json_type_error("boolean", json));
  }
  out = json.GetBool();
  return {};
}

DecodeResult from_json_value(const JsonValue& json, std::int32_t& out) {
  if (json.IsInt()) {  // the common case, without the general checks
    out = json.GetInt();
    return {};
  }
  auto value = integer_in_range(json, std::numeric_limits<std::int32_t>::min(),
                                std::numeric_limits<std::int32_t>::max());
  if (!value) {
    return Unexpected(std::move(value).error());
  }
  out = static_cast<std::int32_t>(*value);
  return {};
}

DecodeResult from_json_value(const JsonValue& json, std::int64_t& out) {
  auto value = integer_in_range(json, std::numeric_limits<std::int64_t>::min(),
                                std::numeric_limits<std::int64_t>::max());
  if (!value) {
    return Unexpected(std::move(value).error());
  }
  out = *value;
  return {};
}

DecodeResult from_json_value(const JsonValue& json, TimePoint& out) {
  if (!json.IsString()) {
    return Unexpected(json_type_error("string", json));
  }
  auto time = parse_rfc3339(std::string_view(json.GetString(), json.GetStringLength()));
  if (!time) {
    return Unexpected(ParseError{std::move(time).error().message, ""});
  }
  out = *time;
  return {};
}

DecodeResult from_json_value(const JsonValue& json, Quantity& out) {
  Expected<Quantity, ParseError> quantity = Quantity();
  if (json.IsString()) {
    quantity = Quantity::parse_trimmed(std::string_view(json.GetString(), json.GetStringLength()));
  } else if (json.IsNumber()) {
    quantity = Quantity::parse(number_text(json));
  } else {
    return Unexpected(json_type_error("string or number", json));
  }
  if (!quantity) {
    return Unexpected(ParseError{std::move(quantity).error().message, ""});
  }
  out = *quantity;
  return {};
}

DecodeResult from_json_value(const JsonValue& json, RawJson& out) {
  if (json.IsNull()) {
    out = RawJson();
    return {};
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  if (!json.Accept(writer)) {
    return Unexpected(non_finite_error());
  }
  out = RawJson(std::make_shared<const std::string>(buffer.GetString(), buffer.GetSize()));
  return {};
}

DecodeResult decode_int_or_string(const JsonValue& json, std::string& out) {
  if (json.IsString()) {
    out.assign(json.GetString(), json.GetStringLength());
  } else if (json.IsNumber()) {
    out = number_text(json);
  } else {
    return Unexpected(json_type_error("string or number", json));
  }
  return {};
}

DecodeResult decode_int_or_string_map(const JsonValue& json,
                                      std::map<std::string, std::string>& out) {
  if (!json.IsObject()) {
    return Unexpected(json_type_error("object", json));
  }
  out.clear();
  for (auto it = json.MemberBegin(); it != json.MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    std::string value;
    if (auto result = decode_int_or_string(it->value, value); !result) {
      return Unexpected(std::move(result).error().at("[" + key + "]"));
    }
    out.emplace(std::move(key), std::move(value));
  }
  return {};
}

JsonValue to_json_value(const std::string& value, JsonAllocator& alloc) {
  return JsonValue(value.data(), static_cast<rapidjson::SizeType>(value.size()), alloc);
}

JsonValue to_json_value(bool value, JsonAllocator& /*alloc*/) { return JsonValue(value); }

JsonValue to_json_value(std::int32_t value, JsonAllocator& /*alloc*/) { return JsonValue(value); }

JsonValue to_json_value(std::int64_t value, JsonAllocator& /*alloc*/) {
  return JsonValue(static_cast<std::int64_t>(value));
}

JsonValue to_json_value(TimePoint value, JsonAllocator& alloc) {
  return to_json_value(format_rfc3339(value), alloc);
}

JsonValue micro_time_json_value(TimePoint value, JsonAllocator& alloc) {
  return to_json_value(format_rfc3339_micro(value), alloc);
}

JsonValue to_json_value(const Quantity& value, JsonAllocator& alloc) {
  return to_json_value(value.to_string(), alloc);
}

JsonValue to_json_value(const RawJson& value, JsonAllocator& alloc) {
  if (!value.has_value()) {
    return JsonValue();
  }
  return parse_trusted(value.json(), alloc);
}

// ---- JsonObjectReader ----------------------------------------------------------------------

namespace {
// How many MemberNameRecorders are alive in the process: take() asks its thread's recorder only
// when some are (decoding is hot; a thread_local lookup per member is not free).
std::atomic<int> member_name_recorders{0};
}  // namespace

JsonObjectReader::JsonObjectReader(const JsonValue& json) {
  if (json.IsObject()) {
    object_ = &json;
  } else {
    error_ = json_type_error("object", json);
  }
}

const JsonValue* JsonObjectReader::take(std::string_view name) {
  if (error_.has_value()) {
    return nullptr;
  }
  if (member_name_recorders.load(std::memory_order_relaxed) != 0) [[unlikely]] {
    MemberNameRecorder::record(name);
  }
  const rapidjson::SizeType count = object_->MemberCount();
  const auto members = object_->MemberBegin();
  // Objects usually list members in the order codecs read them: start after the last hit.
  for (rapidjson::SizeType step = 0; step < count; ++step) {
    rapidjson::SizeType index = cursor_ + step;
    if (index >= count) {
      index -= count;
    }
    const auto& member = members[index];
    if (!same_name(member.name, name)) {
      continue;
    }
    KORDER_CHECK(read_count_ < kMaxFields, "a codec reads at most kMaxFields members");
    read_[read_count_++] = index;
    cursor_ = index + 1 < count ? index + 1 : 0;
    return member.value.IsNull() ? nullptr : &member.value;
  }
  return nullptr;
}

void JsonObjectReader::fail(std::string_view name, ParseError error) {
  if (!error_.has_value()) {
    error_ = std::move(error).at(std::string(name));
  }
}

DecodeResult JsonObjectReader::finish() {
  if (error_.has_value()) {
    return Unexpected(std::move(*error_));
  }
  return {};
}

DecodeResult JsonObjectReader::finish(Extras& extras) {
  if (error_.has_value()) {
    return Unexpected(std::move(*error_));
  }
  extras = Extras();
  const rapidjson::SizeType count = object_->MemberCount();
  if (read_count_ == count || DiscardExtrasScope::active()) {
    return {};
  }
  std::sort(read_.begin(), read_.begin() + static_cast<std::ptrdiff_t>(read_count_));
  const auto members = object_->MemberBegin();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  bool any = false;
  std::size_t next_read = 0;
  for (rapidjson::SizeType i = 0; i < count; ++i) {
    if (next_read < read_count_ && read_[next_read] == i) {
      ++next_read;
      continue;
    }
    const auto& member = members[i];
    const bool duplicate =
        std::any_of(read_.begin(), read_.begin() + static_cast<std::ptrdiff_t>(read_count_),
                    [&](rapidjson::SizeType r) { return same_name(members[r].name, member.name); });
    if (duplicate) {
      continue;
    }
    if (!any) {
      writer.StartObject();
      any = true;
    }
    writer.Key(member.name.GetString(), member.name.GetStringLength());
    if (!member.value.Accept(writer)) {
      return Unexpected(non_finite_error().at(
          std::string(member.name.GetString(), member.name.GetStringLength())));
    }
  }
  if (any) {
    writer.EndObject();
    extras = Extras(std::make_shared<const std::string>(buffer.GetString(), buffer.GetSize()));
  }
  return {};
}

namespace {
thread_local int discard_extras_depth = 0;
thread_local MemberNameRecorder* member_name_recorder = nullptr;
}  // namespace

MemberNameRecorder::MemberNameRecorder() {
  KORDER_CHECK(member_name_recorder == nullptr, "MemberNameRecorder scopes do not nest");
  member_name_recorder = this;
  member_name_recorders.fetch_add(1, std::memory_order_relaxed);
}
MemberNameRecorder::~MemberNameRecorder() {
  member_name_recorder = nullptr;
  member_name_recorders.fetch_sub(1, std::memory_order_relaxed);
}
void MemberNameRecorder::record(std::string_view name) {
  if (member_name_recorder != nullptr) [[unlikely]] {
    member_name_recorder->names_.emplace_back(name);
  }
}

DiscardExtrasScope::DiscardExtrasScope() { ++discard_extras_depth; }
DiscardExtrasScope::~DiscardExtrasScope() { --discard_extras_depth; }
bool DiscardExtrasScope::active() { return discard_extras_depth > 0; }

// ---- JsonObjectWriter ----------------------------------------------------------------------

void JsonObjectWriter::add(const char* name, std::size_t length, JsonValue value) {
  object_.AddMember(JsonValue(rapidjson::StringRef(name, length)), value, alloc_);
}

JsonValue JsonObjectWriter::finish() { return JsonValue(std::move(object_)); }

JsonValue JsonObjectWriter::finish(const Extras& extras) {
  if (!extras.empty()) {
    JsonValue kept = parse_trusted(extras.json(), alloc_);
    KORDER_CHECK(kept.IsObject(), "extras hold a JSON object");
    for (auto it = kept.MemberBegin(); it != kept.MemberEnd(); ++it) {
      if (object_.FindMember(it->name) == object_.MemberEnd()) {
        object_.AddMember(it->name, it->value, alloc_);
      }
    }
  }
  return finish();
}

void append_extras_paths(const Extras& extras, const std::string& path,
                         std::vector<std::string>& out) {
  for (auto& key : extras.keys()) {
    out.push_back(path.empty() ? key : path + "." + key);
  }
}

}  // namespace korder::api
