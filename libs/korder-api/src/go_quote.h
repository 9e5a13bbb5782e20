#pragma once

// Private to korder_api's sources: quoting of user text inside error messages.

#include <string>
#include <string_view>

namespace korder::api::internal {

/// Quotes `text` the way Go's time package quotes input in its errors (`time: invalid duration
/// "3x"`): inside double quotes, `"` and `\` escaped with a backslash, and every byte below 0x20
/// or from 0x80 up written as `\xNN` (lower-case hex), so the message stays one printable line.
inline std::string go_quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (const char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte < 0x20 || byte >= 0x80) {
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0f]);
      continue;
    }
    if (ch == '"' || ch == '\\') {
      out.push_back('\\');
    }
    out.push_back(ch);
  }
  out.push_back('"');
  return out;
}

}  // namespace korder::api::internal
