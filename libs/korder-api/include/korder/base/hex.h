#pragma once

// One hexadecimal digit's value, for the decoders of %XX and \uXXXX escapes.

namespace korder {

/// The value of the hexadecimal digit `c` (0-9, a-f, A-F), or -1 when `c` is not one.
constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace korder
