#include "review_json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <cstring>

#include "korder/api/json.h"
#include "korder/api/json_depth_limit.h"

namespace korder::webhook {
namespace {

// The generator JsonDocument::Populate calls: parses the NUL-terminated `text` in place.
struct InsituParse {
  char* text;
  rapidjson::ParseResult result;
  bool too_deep = false;

  bool operator()(api::JsonDocument& doc) {
    rapidjson::InsituStringStream stream(text);
    rapidjson::Reader reader(nullptr, 1024);  // a review's nesting fits without regrowing
    api::DepthLimitedHandler handler(doc);
    result = reader.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseInsituFlag |
                          rapidjson::kParseFullPrecisionFlag>(stream, handler);
    too_deep = handler.too_deep();
    return !result.IsError();
  }
};

ParseError syntax_error(std::string message, std::size_t offset) {
  return ParseError{"invalid JSON: " + std::move(message), "offset " + std::to_string(offset)};
}

bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t i = 0;
  while (i < size) {
    // ASCII runs, eight bytes at a time.
    if (i + 8 <= size) {
      std::uint64_t word;
      std::memcpy(&word, bytes + i, sizeof(word));
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = bytes[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    // The Unicode standard's table of well-formed sequences (Table 3-7).
    std::size_t length = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      lo = c == 0xE0 ? 0xA0 : 0x80;
      hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      lo = c == 0xF0 ? 0x90 : 0x80;
      hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
      return i;
    }
    if (i + length > size || bytes[i + 1] < lo || bytes[i + 1] > hi) {
      return i;
    }
    for (std::size_t k = 2; k < length; ++k) {
      if (!continuation(bytes[i + k])) {
        return i;
      }
    }
    i += length;
  }
  return std::nullopt;
}

Expected<void, ParseError> parse_review_json(std::string& body, api::JsonDocument& doc) {
  if (const void* nul = std::memchr(body.data(), '\0', body.size())) {
    return Unexpected(syntax_error(
        "NUL byte", static_cast<std::size_t>(static_cast<const char*>(nul) - body.data())));
  }
  if (const auto bad = first_invalid_utf8(body)) {
    return Unexpected(syntax_error("Invalid encoding in string.", *bad));
  }
  InsituParse parse{body.data(), {}, false};  // data() is NUL-terminated
  doc.Populate(parse);
  if (parse.too_deep) {
    return Unexpected(
        syntax_error("nested deeper than " + std::to_string(api::kMaxJsonDepth) + " levels",
                     parse.result.Offset()));
  }
  if (parse.result.IsError()) {
    return Unexpected(
        syntax_error(rapidjson::GetParseError_En(parse.result.Code()), parse.result.Offset()));
  }
  return {};
}

}  // namespace korder::webhook
