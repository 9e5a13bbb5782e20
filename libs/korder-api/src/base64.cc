#include "korder/api/base64.h"

#include <array>
#include <cstdint>

namespace korder::api {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_decode_table() {
  std::array<std::int8_t, 256> table{};
  for (auto& entry : table) {
    entry = -1;
  }
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}

constexpr std::array<std::int8_t, 256> kDecode = make_decode_table();

ParseError illegal_at(std::size_t offset) {
  return ParseError{"illegal base64 data at input byte " + std::to_string(offset), ""};
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4, '\0');
  char* o = out.data();
  const auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]));
  };
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    *o++ = kAlphabet[(n >> 18) & 63];
    *o++ = kAlphabet[(n >> 12) & 63];
    *o++ = kAlphabet[(n >> 6) & 63];
    *o++ = kAlphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = byte(i) << 16;
    if (rest == 2) {
      n |= byte(i + 1) << 8;
    }
    *o++ = kAlphabet[(n >> 18) & 63];
    *o++ = kAlphabet[(n >> 12) & 63];
    *o++ = rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    *o++ = '=';
  }
  return out;
}

Expected<std::string, ParseError> base64_decode(std::string_view text) {
  // Mirrors Go's decodeQuantum so errors name the same byte offsets.
  std::string out;
  out.reserve(text.size() / 4 * 3);
  const std::size_t n = text.size();
  std::size_t si = 0;
  auto skip_newlines = [&] {
    while (si < n && (text[si] == '\n' || text[si] == '\r')) {
      ++si;
    }
  };
  while (true) {
    std::array<std::uint32_t, 4> quantum{};
    std::size_t length = 4;  // symbols in this quantum
    bool last = false;
    for (std::size_t j = 0; j < 4; ++j) {
      if (si == n) {
        if (j == 0) {
          return out;
        }
        return Unexpected(illegal_at(si - j));  // a partial quantum without padding
      }
      const char c = text[si++];
      const std::int8_t v = kDecode[static_cast<unsigned char>(c)];
      if (v >= 0) {
        quantum[j] = static_cast<std::uint32_t>(v);
        continue;
      }
      if (c == '\n' || c == '\r') {
        --j;
        continue;
      }
      if (c != '=') {
        return Unexpected(illegal_at(si - 1));
      }
      if (j < 2) {  // padding may only follow two or three symbols
        return Unexpected(illegal_at(si - 1));
      }
      if (j == 2) {  // "==" expected; the first one is consumed
        skip_newlines();
        if (si == n) {
          return Unexpected(illegal_at(n));
        }
        if (text[si] != '=') {
          return Unexpected(illegal_at(si - 1));
        }
        ++si;
      }
      skip_newlines();
      if (si < n) {  // data after the padding
        return Unexpected(illegal_at(si));
      }
      length = j;
      last = true;
      break;
    }
    // Go's StdEncoding is not Strict: bits left over in the last symbol are ignored.
    const std::uint32_t bits =
        (quantum[0] << 18) | (quantum[1] << 12) | (quantum[2] << 6) | quantum[3];
    out += static_cast<char>((bits >> 16) & 0xff);
    if (length >= 3) {
      out += static_cast<char>((bits >> 8) & 0xff);
    }
    if (length == 4) {
      out += static_cast<char>(bits & 0xff);
    }
    if (last) {
      return out;
    }
  }
}

}  // namespace korder::api
