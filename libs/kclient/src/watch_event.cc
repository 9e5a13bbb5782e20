#include "korder/kclient/watch_event.h"

#include <array>
#include <utility>

#include "korder/api/json.h"

namespace korder::kclient {
namespace {

struct TypeName {
  std::string_view name;
  WatchEventType type;
};

constexpr std::array<TypeName, 5> kTypeNames = {{
    {"ADDED", WatchEventType::Added},
    {"MODIFIED", WatchEventType::Modified},
    {"DELETED", WatchEventType::Deleted},
    {"BOOKMARK", WatchEventType::Bookmark},
    {"ERROR", WatchEventType::Error},
}};

ApiError malformed(std::string detail) {
  return ApiError::unknown("malformed watch event: " + std::move(detail));
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

std::string_view to_string(WatchEventType type) {
  for (const TypeName& entry : kTypeNames) {
    if (entry.type == type) {
      return entry.name;
    }
  }
  return "UNKNOWN";
}

WatchDecoder::WatchDecoder(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

void WatchDecoder::feed(std::string_view bytes) {
  compact();
  buffer_.append(bytes);
}

void WatchDecoder::compact() {
  constexpr std::size_t kMinCompact = 4096;
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
    scanned_ = 0;
  } else if (consumed_ >= kMinCompact && consumed_ * 2 >= buffer_.size()) {
    buffer_.erase(0, consumed_);
    scanned_ -= consumed_;
    consumed_ = 0;
  }
}

Expected<std::optional<WatchEvent>, ApiError> WatchDecoder::next() {
  while (true) {
    const std::size_t newline = buffer_.find('\n', std::max(scanned_, consumed_));
    if (skipping_line_) {
      if (newline == std::string::npos) {
        consumed_ = scanned_ = buffer_.size();
        compact();
        return std::optional<WatchEvent>();
      }
      consumed_ = scanned_ = newline + 1;
      skipping_line_ = false;
      continue;
    }
    if (newline == std::string::npos) {
      scanned_ = buffer_.size();
      if (buffered_bytes() > max_line_bytes_) {
        // Drop what we hold and the rest of this line as it arrives, so memory stays bounded.
        skipping_line_ = true;
        consumed_ = scanned_ = buffer_.size();
        compact();
        return Unexpected(
            malformed("an event is longer than " + std::to_string(max_line_bytes_) + " bytes"));
      }
      return std::optional<WatchEvent>();
    }
    std::string_view line(buffer_.data() + consumed_, newline - consumed_);
    consumed_ = scanned_ = newline + 1;
    if (line.size() > max_line_bytes_) {
      return Unexpected(
          malformed("an event is longer than " + std::to_string(max_line_bytes_) + " bytes"));
    }
    if (is_blank(line)) {
      continue;
    }
    auto event = decode_line(line);
    if (!event) {
      return Unexpected(std::move(event).error());
    }
    return std::optional<WatchEvent>(std::move(event).value());
  }
}

Expected<WatchEvent, ApiError> WatchDecoder::decode_line(std::string_view line) const {
  api::JsonDocument doc;
  if (auto parsed = api::parse_json(line, doc); !parsed) {
    return Unexpected(malformed(parsed.error().to_string()));
  }
  if (!doc.IsObject()) {
    return Unexpected(
        malformed("expected a JSON object, got " + std::string(api::json_type_name(doc))));
  }
  const auto type_it = doc.FindMember("type");
  if (type_it == doc.MemberEnd() || !type_it->value.IsString()) {
    return Unexpected(malformed("missing \"type\""));
  }
  const std::string_view type_name(type_it->value.GetString(), type_it->value.GetStringLength());
  const auto object_it = doc.FindMember("object");
  if (object_it == doc.MemberEnd() || !object_it->value.IsObject()) {
    return Unexpected(
        malformed("\"object\" of a " + std::string(type_name) + " event is not a JSON object"));
  }
  std::string object = api::write_json(object_it->value);
  for (const TypeName& entry : kTypeNames) {
    if (entry.name != type_name) {
      continue;
    }
    if (entry.type == WatchEventType::Error) {
      return Unexpected(ApiError::from_status_json(object));
    }
    return WatchEvent{entry.type, std::move(object)};
  }
  return Unexpected(malformed("unknown type \"" + std::string(type_name) + "\""));
}

}  // namespace korder::kclient
